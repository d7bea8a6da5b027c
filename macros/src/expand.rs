//! Table → code: the argument structs, the `Syscall` enum, the flag sets, the trait methods
//! with their forwarding default bodies, and the dispatcher. Paths point into the runtime
//! crate (`crate::...`), the only crate that invokes the macro.
//!
//! One module per item kind: `sets`, `call` (a syscall's struct and trait method, with
//! `kinds` for what each argument kind becomes), `structs`, and `syscall` (the enum and
//! the dispatcher).

mod call;
mod kinds;
mod sets;
mod structs;
mod syscall;

use crate::check::Checked;
use call::{expand_call, expand_method};
use proc_macro2::{Span, TokenStream};
use quote::quote;
use sets::expand_set;
use structs::expand_structs;
use syn::{Ident, ItemTrait, LitStr};
use syscall::{expand_dispatch, expand_enum};

pub fn expand(table: &Checked, mut item: ItemTrait, path: &LitStr) -> TokenStream {
    let sets = table.sets.iter().map(expand_set);
    let calls = table.syscalls.iter().map(expand_call);
    let methods = table.syscalls.iter().map(expand_method);
    item.items
        .extend(methods.map(|m| syn::parse2(m).expect("generated trait method parses")));
    let trait_name = &item.ident;
    let syscall_enum = expand_enum(table);
    let dispatch = expand_dispatch(table, trait_name);
    let kernel = &table.kernel;
    let structs = expand_structs(table);
    quote! {
        // Rebuild when the table changes.
        const _: &str = include_str!(#path);

        /// The kernel version `syscalls.toml` was checked against.
        pub const TABLE_KERNEL: &str = #kernel;

        #item
        #(#sets)*
        #(#calls)*
        #structs
        #syscall_enum
        #dispatch
    }
}

fn camel(name: &str) -> Ident {
    Ident::new(&crate::check::camel_case(name), Span::call_site())
}
