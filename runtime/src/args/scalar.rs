//! Arguments passed by value in the register: integers and their newtypes (fds, ids,
//! modes, signals, plain addresses).

use super::{Decode, Decoder, FromRaw, ToRaw};
use crate::value::Value;

macro_rules! int_args {
    ($($ty:ty => $variant:ident as $wide:ty),* $(,)?) => {$(
        impl FromRaw for $ty {
            fn from_raw(raw: u64) -> Self {
                raw as $ty
            }
        }
        impl ToRaw for $ty {
            fn to_raw(&self) -> u64 {
                *self as $wide as u64
            }
        }
        impl Decode for $ty {
            fn decode(&self, _: &Decoder<'_>) -> Value {
                Value::$variant(*self as $wide)
            }
        }
    )*};
}

int_args! {
    i32 => Int as i64,
    u32 => Uint as u64,
    i64 => Int as i64,
    u64 => Uint as u64,
    usize => Uint as u64,
}

/// Declares a newtype argument over an integer register value.
macro_rules! newtype_arg {
    ($(#[$doc:meta])* $name:ident($inner:ty), |$s:ident| $decode:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $name(pub $inner);

        impl FromRaw for $name {
            fn from_raw(raw: u64) -> Self {
                $name(raw as $inner)
            }
        }
        impl ToRaw for $name {
            fn to_raw(&self) -> u64 {
                self.0 as u64
            }
        }
        impl Decode for $name {
            fn decode(&self, _: &Decoder<'_>) -> Value {
                let $s = self;
                $decode
            }
        }
    };
}

newtype_arg!(
    /// A file descriptor.
    Fd(i32), |s| Value::Fd(s.0)
);
newtype_arg!(
    /// The directory fd of an `*at` call; `AT_FDCWD` means the working directory.
    Dirfd(i32), |s| Value::Dirfd(s.0)
);
newtype_arg!(
    /// Permission bits (`mode_t`), shown in octal.
    Mode(u32), |s| Value::Octal(u64::from(s.0))
);
newtype_arg!(
    /// A process or thread id.
    Pid(i32), |s| Value::Int(i64::from(s.0))
);
newtype_arg!(
    /// A user id; `-1` (all ones) means "unchanged" where the kernel allows it.
    Uid(u32), |s| if s.0 == u32::MAX { Value::Int(-1) } else { Value::Uint(u64::from(s.0)) }
);
newtype_arg!(
    /// A group id.
    Gid(u32), |s| if s.0 == u32::MAX { Value::Int(-1) } else { Value::Uint(u64::from(s.0)) }
);
newtype_arg!(
    /// A signal number.
    Signal(i32), |s| Value::Signal(s.0)
);
newtype_arg!(
    /// An integer best shown in hexadecimal.
    Hex(u64), |s| Value::Hex(s.0)
);
newtype_arg!(
    /// A pointer the table does not decode further.
    Addr(u64), |s| if s.0 == 0 { Value::Null } else { Value::Addr(s.0) }
);
