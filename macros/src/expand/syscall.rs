//! The `Syscall` enum over every call of the table, `SYSCALLS`, and the dispatcher that
//! routes a `Syscall` to the trait's method.

use super::call::info_ident;
use super::camel;
use crate::check::Checked;
use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::Ident;

pub(super) fn expand_enum(table: &Checked) -> TokenStream {
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

pub(super) fn expand_dispatch(table: &Checked, trait_name: &Ident) -> TokenStream {
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
