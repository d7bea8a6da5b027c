//! `#[linux_syscalls("path/to/syscalls.toml")]` on a trait: reads the table at compile time,
//! checks it, and generates interpose's typed syscall layer beside the trait (argument
//! structs, flag sets, the `Syscall` enum, the dispatcher) and one forwarding method per
//! syscall inside it. Only `interpose-runtime` uses it.
//!
//! A broken table is a compile error whose message starts `FILE:LINE:COL:`; every problem
//! is reported in one build.
#![deny(unsafe_code)]

mod check;
mod expand;
mod table;

use proc_macro::TokenStream;
use quote::quote;
use std::path::PathBuf;
use syn::{ItemTrait, LitStr};
use table::Lines;

#[proc_macro_attribute]
pub fn linux_syscalls(attr: TokenStream, item: TokenStream) -> TokenStream {
    let path = syn::parse_macro_input!(attr as LitStr);
    let item = syn::parse_macro_input!(item as ItemTrait);
    match load(&path) {
        Ok(checked) => expand::expand(&checked, item, &path).into(),
        Err(errors) => {
            // Keep the trait as written so the crate's other errors stay few and relevant.
            let errors = errors.iter().map(syn::Error::to_compile_error);
            quote!(#(#errors)* #item).into()
        }
    }
}

/// Reads, parses and checks the table named by `path` (relative to the file holding the
/// attribute, like `include_str!`).
fn load(path: &LitStr) -> Result<check::Checked, Vec<syn::Error>> {
    let written = path.value();
    let resolved = resolve(&written);
    let shown = display_path(&resolved, &written);
    let error = |message: String| syn::Error::new(path.span(), message);
    let text = std::fs::read_to_string(&resolved).map_err(|e| {
        vec![error(format!(
            "{shown}: cannot read the syscall table: {e}"
        ))]
    })?;
    let lines = Lines::new(&text);
    let at = |offset: usize, message: &str| {
        let (line, col) = lines.line_col(offset);
        error(format!("{shown}:{line}:{col}: {message}"))
    };
    let table: table::Table = toml::from_str(&text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        vec![at(offset, e.message().trim())]
    })?;
    check::check(table, &lines)
        .map_err(|problems| problems.iter().map(|p| at(p.offset, &p.message)).collect())
}

/// The table's path for messages: relative to the directory the compiler runs in (the
/// workspace root under cargo, so `syscalls.toml`), else as written in the attribute.
fn display_path(resolved: &std::path::Path, written: &str) -> String {
    let relative = resolved.canonicalize().ok().and_then(|full| {
        let cwd = std::env::current_dir().ok()?.canonicalize().ok()?;
        full.strip_prefix(cwd).ok().map(|p| p.display().to_string())
    });
    relative.unwrap_or_else(|| written.to_string())
}

fn resolve(path: &str) -> PathBuf {
    let dir = proc_macro::Span::call_site()
        .local_file()
        .and_then(|file| file.parent().map(PathBuf::from))
        .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from))
        .unwrap_or_default();
    dir.join(path)
}

/// `#[handler]` on `impl Linux for X { ... }`: records which syscalls `X` overrides, as the
/// associated constant `OVERRIDES` the trait requires, so the runtime can let every other
/// syscall run without stopping. Without the attribute the impl does not compile (the
/// constant is missing), so a forgotten attribute can never silently cost a stop per call.
#[proc_macro_attribute]
pub fn handler(attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut item = syn::parse_macro_input!(item as syn::ItemImpl);
    if !attr.is_empty() {
        let attr = proc_macro2::TokenStream::from(attr);
        return syn::Error::new_spanned(attr, "#[handler] takes no arguments")
            .to_compile_error()
            .into();
    }
    if item.trait_.is_none() {
        return syn::Error::new_spanned(
            &item.self_ty,
            "#[handler] goes on `impl Linux for YourType { ... }`",
        )
        .to_compile_error()
        .into();
    }
    let names: Vec<String> = item
        .items
        .iter()
        .filter_map(|i| match i {
            syn::ImplItem::Fn(f) => Some(f.sig.ident.to_string()),
            _ => None,
        })
        .collect();
    let overrides: syn::ImplItem = syn::parse_quote! {
        const OVERRIDES: &'static [&'static str] = &[#(#names),*];
    };
    item.items.push(overrides);
    quote!(#item).into()
}
