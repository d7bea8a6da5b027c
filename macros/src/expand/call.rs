//! One syscall's items: its typed call struct with `Call` and `SyscallInfo`, and its
//! trait method with the forwarding default body.

use super::camel;
use super::kinds::{arg_kind, arg_type, at_exit, capture};
use crate::check::{Dir, Kind, Show, Syscall};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::Ident;

fn prototype(sc: &Syscall) -> String {
    let args: Vec<&str> = sc.args.iter().map(|a| a.name.as_str()).collect();
    format!("{}({})", sc.name, args.join(", "))
}

pub(super) fn info_ident(sc: &Syscall) -> Ident {
    format_ident!("{}_INFO", sc.name.to_ascii_uppercase())
}

pub(super) fn expand_call(sc: &Syscall) -> TokenStream {
    let name = camel(&sc.name);
    let name_str = &sc.name;
    let number = sc.number;
    let info = info_ident(sc);
    let doc = format!(
        "The arguments of `{}`: x86_64 syscall {number}. See `man 2 {}`.",
        prototype(sc),
        sc.name
    );
    let fields: Vec<Ident> = sc
        .args
        .iter()
        .map(|a| Ident::new(&a.name, Span::call_site()))
        .collect();
    let (types, builds): (Vec<_>, Vec<_>) = sc
        .args
        .iter()
        .enumerate()
        .map(|(i, a)| arg_type(a, i))
        .unzip();
    let arg_infos = sc.args.iter().map(|a| {
        let n = &a.name;
        let exit = at_exit(&a.kind);
        let inout = matches!(
            a.kind,
            Kind::Struct {
                dir: Dir::InOut,
                ..
            } | Kind::Iovec {
                dir: Dir::InOut,
                ..
            } | Kind::Sockaddr {
                dir: Dir::InOut,
                ..
            }
        );
        let kind = arg_kind(&a.kind);
        let capture = capture(&a.kind);
        quote!(crate::value::ArgInfo {
            name: #n,
            at_exit: #exit,
            inout: #inout,
            kind: crate::value::ArgKind::#kind,
            capture: #capture,
        })
    });
    let indices = 0..sc.args.len();
    let decodes = sc.args.iter().zip(&fields).map(|(a, field)| {
        let show = match &a.kind {
            Kind::InBuf { show, .. } | Kind::OutBuf { show, .. } => *show,
            _ => Show::Text,
        };
        match show {
            Show::Text => quote!(crate::args::Decode::decode(&self.#field, d)),
            Show::Hex => quote!(crate::args::DecodeShown::decode_shown(
                &self.#field,
                d,
                crate::args::Show::Hex
            )),
            Show::Path => quote!(crate::args::DecodeShown::decode_shown(
                &self.#field,
                d,
                crate::args::Show::Path
            )),
        }
    });
    let ret = match sc.ret.as_str() {
        "int" => quote!(Int),
        "long" => quote!(Long),
        "fd" => quote!(Fd),
        "size" => quote!(Size),
        "pid" => quote!(Pid),
        "uid" => quote!(Uid),
        "gid" => quote!(Gid),
        "addr" => quote!(Addr),
        "hex" => quote!(Hex),
        "mode" => quote!(Mode),
        _ => quote!(Never),
    };
    let groups = &sc.groups;
    let field_docs = sc.args.iter().map(|a| format!("`{}`", a.name));
    let raw_padding = (sc.args.len()..6).map(|_| quote!(0));
    let conditions = sc.args.iter().enumerate().filter_map(|(i, a)| {
        let (shown, target, names) = a.condition.as_ref()?;
        let field = &fields[*target];
        let set = match &sc.args[*target].kind {
            Kind::Flags { set } | Kind::Enum { set } => Ident::new(set, Span::call_site()),
            _ => unreachable!("checked: conditions name a flags or enum argument"),
        };
        // The names are looked up in the set once, not on every call.
        let test = quote!({
            static CONDITION: std::sync::OnceLock<crate::value::Condition> =
                std::sync::OnceLock::new();
            CONDITION
                .get_or_init(|| #set::INFO.condition(&[#(#names),*]))
                .holds(crate::args::ToRaw::to_raw(&self.#field))
        });
        Some(if *shown {
            quote!(#i => #test,)
        } else {
            quote!(#i => !#test,)
        })
    });
    quote! {
        #[doc = #doc]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct #name {
            #(#[doc = #field_docs] pub #fields: #types,)*
        }

        #[doc(hidden)]
        pub static #info: crate::value::SyscallInfo = crate::value::SyscallInfo {
            name: #name_str,
            number: #number,
            args: &[#(#arg_infos),*],
            ret: crate::value::RetKind::#ret,
            groups: &[#(#groups),*],
        };

        impl crate::linux::Call for #name {
            const INFO: &'static crate::value::SyscallInfo = &#info;

            #[allow(unused_variables)]
            fn from_args(args: [u64; 6]) -> Self {
                #name { #(#fields: #builds,)* }
            }

            fn to_args(&self) -> [u64; 6] {
                [#(crate::args::ToRaw::to_raw(&self.#fields),)* #(#raw_padding),*]
            }

            fn shown(&self, index: usize) -> bool {
                match index {
                    #(#conditions)*
                    _ => true,
                }
            }

            #[allow(unused_variables)]
            fn decode_arg(&self, index: usize, d: &crate::args::Decoder<'_>) -> crate::value::Value {
                match index {
                    #(#indices => #decodes,)*
                    _ => crate::value::Value::Null,
                }
            }
        }

        impl From<#name> for Syscall {
            fn from(call: #name) -> Syscall { Syscall::#name(call) }
        }
    }
}

pub(super) fn expand_method(sc: &Syscall) -> TokenStream {
    let method = Ident::new(&sc.name, Span::call_site());
    let call = camel(&sc.name);
    let groups = if sc.groups.is_empty() {
        String::new()
    } else {
        format!(" Groups: {}.", sc.groups.join(", "))
    };
    let doc = format!(
        "`{}`: x86_64 syscall {}.{groups} By default the call runs in the kernel unchanged.",
        prototype(sc),
        sc.number
    );
    quote! {
        #[doc = #doc]
        async fn #method(&self, t: &mut crate::Tracee, call: #call) -> crate::SysResult {
            t.pass(call)
        }
    }
}
