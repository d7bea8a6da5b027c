//! Table → code: the argument structs, the `Syscall` enum, the flag sets, the trait methods
//! with their forwarding default bodies, and the dispatcher. Paths point into the runtime
//! crate (`crate::...`), the only crate that invokes the macro.

use crate::check::{Argument, Checked, Dir, Kind, NamedSet, Show, Syscall};
use crate::table::Const;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::{Ident, ItemTrait, LitStr};

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

/// The `[structs]` table: `STRUCTS` metadata, and for each line the runtime's type
/// `structs::CamelName` declared (`impl Declared`, which `StructDecode` requires, so a decoder
/// for a struct the table lacks does not compile) and checked to have a decoder (so a table
/// line without one does not compile either).
fn expand_structs(table: &Checked) -> TokenStream {
    let names = table.structs.iter().map(|s| &s.name);
    let docs = table.structs.iter().map(|s| &s.doc);
    let impls = table.structs.iter().map(|s| {
        let ty = camel(&s.name);
        let name = &s.name;
        quote! {
            impl crate::structs::Declared for crate::structs::#ty {
                const NAME: &'static str = #name;
            }
        }
    });
    let types: Vec<Ident> = table.structs.iter().map(|s| camel(&s.name)).collect();
    let names_again = table.structs.iter().map(|s| &s.name);
    quote! {
        /// The `[structs]` table: every struct a `struct` argument may point to, as
        /// `(name, what it is)`; `structs::CamelName` is its type.
        pub const STRUCTS: &[(&str, &str)] = &[#((#names, #docs)),*];
        #(#impls)*
        const _: () = {
            const fn has_decoder<T: crate::structs::StructDecode + ?Sized>() {}
            #(has_decoder::<crate::structs::#types>();)*
        };

        /// Decodes the struct the `[structs]` table calls `name` at `addr`, with its
        /// decoder: `None` for a name the table lacks, `Some(None)` when the memory cannot be
        /// read. (The fuzz targets reach every struct decoder through it.)
        pub fn decode_struct(
            name: &str,
            d: &crate::args::Decoder<'_>,
            addr: u64,
        ) -> Option<Option<crate::value::Value>> {
            match name {
                #(#names_again => Some(
                    <crate::structs::#types as crate::structs::StructDecode>::decode_at(d, addr)
                ),)*
                _ => None,
            }
        }
    }
}

fn const_value(c: &Const, mask: &TokenStream) -> TokenStream {
    match c {
        Const::Libc(name) => {
            // libc declares some flags as a negative `c_int` (`CLONE_IO`); widening that
            // must not set the upper 32 bits.
            let ident = Ident::new(name, Span::call_site());
            quote!({
                const V: i128 = ::libc::#ident as i128;
                (if V < 0 && V >= i32::MIN as i128 { V as u32 as u64 } else { V as u64 }) & #mask
            })
        }
        Const::Literal { value, .. } => quote!(((#value as u64) & #mask)),
    }
}

fn expand_set(set: &NamedSet) -> TokenStream {
    let name = Ident::new(&set.name, Span::call_site());
    let name_str = &set.name;
    let mask = if set.bits == 64 {
        quote!(u64::MAX)
    } else {
        quote!(0xffff_ffffu64)
    };
    let is_enum = set.is_enum;
    let entry = |c: &Const| {
        let n = c.name();
        let v = const_value(c, &mask);
        quote!((#n, #v))
    };
    let consts = set
        .values
        .iter()
        .chain(set.field.iter().flat_map(|(_, v)| v))
        .map(|c| {
            let ident = Ident::new(c.name(), Span::call_site());
            let v = const_value(c, &mask);
            let doc = format!("`{}`", c.name());
            quote!(#[doc = #doc] pub const #ident: Self = Self(#v);)
        });
    let zero_const = set.zero.as_ref().map(|z| {
        let ident = Ident::new(z, Span::call_site());
        let doc = format!("`{z}` (no bits set)");
        quote!(#[doc = #doc] pub const #ident: Self = Self(0);)
    });
    let zero = match &set.zero {
        Some(z) => quote!(Some(#z)),
        None => quote!(None),
    };
    let field = match &set.field {
        Some((m, values)) => {
            let m = const_value(m, &mask);
            let values = values.iter().map(entry);
            quote!(Some((#m, &[#(#values),*])))
        }
        None => quote!(None),
    };
    let values = set.values.iter().map(entry);
    let field_last = set.field_last;
    let (kind, variant) = if is_enum {
        ("enum", quote!(Enum))
    } else {
        ("flags", quote!(Flags))
    };
    let doc = format!("The `{name_str}` {kind} set of `syscalls.toml`.");
    let bit_ops = (!is_enum).then(|| {
        quote! {
            impl ::core::ops::BitOr for #name {
                type Output = Self;
                fn bitor(self, rhs: Self) -> Self { Self(self.0 | rhs.0) }
            }
            impl ::core::ops::BitOrAssign for #name {
                fn bitor_assign(&mut self, rhs: Self) { self.0 |= rhs.0; }
            }
            impl #name {
                /// True when every bit of `other` is set in `self`.
                pub const fn contains(self, other: Self) -> bool { self.0 & other.0 == other.0 }
            }
        }
    });
    quote! {
        #[doc = #doc]
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Debug)]
        pub struct #name(pub u64);

        #[allow(deprecated)]
        impl #name {
            #(#consts)*
            #zero_const
            /// Names and values of the set, for rendering.
            pub const INFO: &'static crate::value::SetInfo = &crate::value::SetInfo {
                name: #name_str,
                is_enum: #is_enum,
                zero: #zero,
                field: #field,
                field_last: #field_last,
                values: &[#(#values),*],
            };
            /// The raw value.
            pub const fn bits(self) -> u64 { self.0 }
        }
        #bit_ops
        impl crate::args::FromRaw for #name {
            fn from_raw(raw: u64) -> Self { Self(raw & #mask) }
        }
        impl crate::args::ToRaw for #name {
            fn to_raw(&self) -> u64 { self.0 }
        }
        impl crate::args::Decode for #name {
            fn decode(&self, _: &crate::args::Decoder<'_>) -> crate::value::Value {
                crate::value::Value::#variant { raw: self.0, set: Self::INFO }
            }
        }
    }
}

/// The Rust type of an argument and the expression building it from `args` (`[u64; 6]`).
fn arg_type(arg: &Argument, index: usize) -> (TokenStream, TokenStream) {
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
fn at_exit(kind: &Kind) -> bool {
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
fn capture(kind: &Kind) -> TokenStream {
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
fn arg_kind(kind: &Kind) -> Ident {
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

fn prototype(sc: &Syscall) -> String {
    let args: Vec<&str> = sc.args.iter().map(|a| a.name.as_str()).collect();
    format!("{}({})", sc.name, args.join(", "))
}

fn info_ident(sc: &Syscall) -> Ident {
    format_ident!("{}_INFO", sc.name.to_ascii_uppercase())
}

fn expand_call(sc: &Syscall) -> TokenStream {
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

fn expand_method(sc: &Syscall) -> TokenStream {
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

fn expand_enum(table: &Checked) -> TokenStream {
    let variants: Vec<Ident> = table.syscalls.iter().map(|s| camel(&s.name)).collect();
    let numbers: Vec<i64> = table.syscalls.iter().map(|s| s.number).collect();
    let infos: Vec<Ident> = table.syscalls.iter().map(info_ident).collect();
    quote! {
        /// One decoded syscall: a variant per `syscalls.toml` entry, and `Unknown` for a
        /// number the table does not name.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Syscall {
            #(#[allow(missing_docs)] #variants(#variants),)*
            /// A syscall number the table does not know.
            Unknown(crate::linux::Unknown),
            /// A call made with the i386 ABI (`int 0x80`): its number is from the i386 table.
            I386(crate::linux::I386),
        }

        /// Every syscall of the table, sorted by number.
        pub static SYSCALLS: &[&crate::value::SyscallInfo] = &[#(&#infos),*];

        impl Syscall {
            /// Decodes a syscall from its number and the six argument registers.
            pub fn from_args(number: i64, args: [u64; 6]) -> Syscall {
                match number {
                    #(#numbers => Syscall::#variants(<#variants as crate::linux::Call>::from_args(args)),)*
                    _ => Syscall::Unknown(crate::linux::Unknown { number, args }),
                }
            }

            /// The table's description, `None` for an unknown number.
            pub fn info(&self) -> Option<&'static crate::value::SyscallInfo> {
                match self {
                    #(Syscall::#variants(_) => Some(&#infos),)*
                    Syscall::Unknown(_) | Syscall::I386(_) => None,
                }
            }

            /// The syscall number.
            pub fn number(&self) -> i64 {
                match self {
                    #(Syscall::#variants(_) => #numbers,)*
                    Syscall::Unknown(u) => u.number,
                    Syscall::I386(u) => u.number,
                }
            }

            /// The six argument registers.
            pub fn to_args(&self) -> [u64; 6] {
                match self {
                    #(Syscall::#variants(c) => crate::linux::Call::to_args(c),)*
                    Syscall::Unknown(u) => u.args,
                    Syscall::I386(u) => u.args,
                }
            }

            /// Whether argument `index` is shown (see [`Call::shown`](crate::linux::Call::shown)).
            pub fn shown(&self, index: usize) -> bool {
                match self {
                    #(Syscall::#variants(c) => crate::linux::Call::shown(c, index),)*
                    Syscall::Unknown(_) | Syscall::I386(_) => true,
                }
            }

            /// Decodes argument `index` for rendering.
            pub fn decode_arg(&self, index: usize, d: &crate::args::Decoder<'_>) -> crate::value::Value {
                // The family decoders of `decode/` first, where one argument's meaning
                // depends on another.
                if let Some(value) = crate::decode::arg(self, index, d) {
                    return value;
                }
                match self {
                    #(Syscall::#variants(c) => crate::linux::Call::decode_arg(c, index, d),)*
                    Syscall::Unknown(crate::linux::Unknown { args, .. })
                    | Syscall::I386(crate::linux::I386 { args, .. }) => {
                        crate::value::Value::Hex(args.get(index).copied().unwrap_or(0))
                    }
                }
            }
        }
    }
}

fn expand_dispatch(table: &Checked, trait_name: &Ident) -> TokenStream {
    let variants: Vec<Ident> = table.syscalls.iter().map(|s| camel(&s.name)).collect();
    let methods: Vec<Ident> = table
        .syscalls
        .iter()
        .map(|s| Ident::new(&s.name, Span::call_site()))
        .collect();
    quote! {
        /// Calls the handler's own method for `call` (`openat` for an `Openat`, ...): what
        /// [`Linux::syscall`] does by default.
        pub async fn dispatch<L: #trait_name + ?Sized>(
            handler: &L,
            t: &mut crate::Tracee,
            call: Syscall,
        ) -> crate::SysResult {
            match call {
                #(Syscall::#variants(c) => handler.#methods(t, c).await,)*
                Syscall::Unknown(c) => handler.unknown_syscall(t, c).await,
                Syscall::I386(c) => handler.i386_syscall(t, c).await,
            }
        }
    }
}
