//! What each argument kind becomes: its Rust type, the stop it is decoded at, what an
//! eBPF probe copies for it, and its `ArgKind`.

use super::camel;
use crate::check::{Argument, Dir, Kind};
use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::Ident;

/// The Rust type of an argument and the expression building it from `args` (`[u64; 6]`).
pub(super) fn arg_type(arg: &Argument, index: usize) -> (TokenStream, TokenStream) {
    let raw = quote!(args[#index]);
    let single = |ty: TokenStream| {
        (
            ty.clone(),
            quote!(<#ty as crate::args::FromRaw>::from_raw(#raw)),
        )
    };
    let paired = |ty: TokenStream, len: usize| (ty.clone(), quote!(#ty::new(#raw, args[#len])));
    match &arg.kind {
        Kind::Int => single(quote!(i32)),
        Kind::Uint => single(quote!(u32)),
        Kind::Long => single(quote!(i64)),
        Kind::Ulong => single(quote!(u64)),
        Kind::Size => single(quote!(usize)),
        Kind::Hex => single(quote!(crate::args::Hex)),
        Kind::Fd => single(quote!(crate::args::Fd)),
        Kind::Dirfd => single(quote!(crate::args::Dirfd)),
        Kind::Path => single(quote!(crate::args::PathPtr)),
        Kind::Cstr => single(quote!(crate::args::CStrPtr)),
        Kind::Mode => single(quote!(crate::args::Mode)),
        Kind::Pid => single(quote!(crate::args::Pid)),
        Kind::Uid => single(quote!(crate::args::Uid)),
        Kind::Gid => single(quote!(crate::args::Gid)),
        Kind::Signal => single(quote!(crate::args::Signal)),
        Kind::Argv => single(quote!(crate::args::ArgvPtr)),
        Kind::Envp => single(quote!(crate::args::EnvpPtr)),
        Kind::Addr => single(quote!(crate::args::Addr)),
        Kind::Flags { set } | Kind::Enum { set } => {
            let set = Ident::new(set, Span::call_site());
            single(quote!(#set))
        }
        Kind::Struct { name, .. } => {
            let ty = camel(name);
            single(quote!(crate::args::Ptr<crate::structs::#ty>))
        }
        Kind::InBuf { len, .. } => paired(quote!(crate::args::InBuf), *len),
        Kind::OutBuf { len, .. } => paired(quote!(crate::args::OutBuf), *len),
        Kind::Iovec { len, .. } => paired(quote!(crate::args::IovecPtr), *len),
        Kind::Sockaddr { len, dir: Dir::In } => paired(quote!(crate::args::SockaddrIn), *len),
        Kind::Sockaddr { len, .. } => paired(quote!(crate::args::SockaddrOut), *len),
    }
}

/// Arguments the kernel fills are decoded at the syscall-exit stop.
pub(super) fn at_exit(kind: &Kind) -> bool {
    match kind {
        Kind::OutBuf { .. } => true,
        Kind::Struct { dir, .. } | Kind::Iovec { dir, .. } | Kind::Sockaddr { dir, .. } => {
            *dir != Dir::In
        }
        _ => false,
    }
}

/// What an eBPF probe copies for an argument of this kind (`value::Capture`): the memory
/// its decoder reads, so a copy decodes as the live tracee would.
pub(super) fn capture(kind: &Kind) -> TokenStream {
    let c = quote!(crate::value::Capture);
    match kind {
        Kind::Path => quote!(#c::Path),
        Kind::Cstr => quote!(#c::Str),
        Kind::InBuf { len, .. } => quote!(#c::InBuf(#len)),
        Kind::OutBuf { len, .. } => quote!(#c::OutBuf(#len)),
        Kind::Struct { name, .. } => {
            let name = camel(name);
            let ty = quote!(<crate::structs::#name as crate::structs::StructDecode>);
            quote!(if #ty::RETURNED { #c::Returned(#ty::SIZE) } else { #c::Struct(#ty::SIZE) })
        }
        Kind::Iovec { len, dir } => {
            let out = *dir != Dir::In;
            quote!(#c::Iovec { len: #len, out: #out })
        }
        Kind::Sockaddr { len, dir: Dir::In } => quote!(#c::SockaddrIn(#len)),
        Kind::Sockaddr { len, .. } => quote!(#c::SockaddrOut(#len)),
        Kind::Argv => quote!(#c::Argv),
        Kind::Envp => quote!(#c::Envp),
        _ => quote!(#c::None),
    }
}

/// The `ArgKind` variant naming a kind.
pub(super) fn arg_kind(kind: &Kind) -> Ident {
    let name = match kind {
        Kind::Int => "Int",
        Kind::Uint => "Uint",
        Kind::Long => "Long",
        Kind::Ulong => "Ulong",
        Kind::Size => "Size",
        Kind::Hex => "Hex",
        Kind::Fd => "Fd",
        Kind::Dirfd => "Dirfd",
        Kind::Path => "Path",
        Kind::Cstr => "Cstr",
        Kind::InBuf { .. } => "InBuf",
        Kind::OutBuf { .. } => "OutBuf",
        Kind::Flags { .. } => "Flags",
        Kind::Enum { .. } => "Enum",
        Kind::Mode => "Mode",
        Kind::Pid => "Pid",
        Kind::Uid => "Uid",
        Kind::Gid => "Gid",
        Kind::Signal => "Signal",
        Kind::Struct { .. } => "Struct",
        Kind::Iovec { .. } => "Iovec",
        Kind::Sockaddr { .. } => "Sockaddr",
        Kind::Argv => "Argv",
        Kind::Envp => "Envp",
        Kind::Addr => "Addr",
    };
    Ident::new(name, Span::call_site())
}
