//! The `[structs]` table's items: `STRUCTS`, each struct type declared and checked to
//! have a decoder, and `decode_struct`.

use super::camel;
use crate::check::Checked;
use proc_macro2::TokenStream;
use quote::quote;
use syn::Ident;

/// The `[structs]` table: `STRUCTS` metadata, and for each line the runtime's type
/// `structs::CamelName` declared (`impl Declared`, which `StructDecode` requires, so a decoder
/// for a struct the table lacks does not compile) and checked to have a decoder (so a table
/// line without one does not compile either).
pub(super) fn expand_structs(table: &Checked) -> TokenStream {
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
