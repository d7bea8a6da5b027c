//! Flag and enum sets: a newtype per `[sets.Name]` with its constants, its `SetInfo` and
//! its decoder.

use crate::check::NamedSet;
use crate::table::Const;
use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::Ident;

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

pub(super) fn expand_set(set: &NamedSet) -> TokenStream {
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
