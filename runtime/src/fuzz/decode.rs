//! Targets for the decoders: a whole syscall from arbitrary registers, each struct
//! decoder, and the `argv`/`envp`, `iovec` and sockaddr readers, all on arbitrary memory.

use super::{Built, Input};
use super::{
    NO_SUCH_TID, call_from, const_style, fd_table, render_everywhere, ret_from, string_limit,
    string_style,
};
use crate::args::{ArgvPtr, Decode, Decoder, EnvpPtr, IovecPtr, SockaddrIn, SockaddrOut};
use crate::events::EventMemory;
use crate::linux::{STRUCTS, decode_struct};
use crate::memory::{AddressSpace, ReadMemory};
use crate::output::json::JsonLines;
use crate::output::lines::{CallStyle, Known, Spelling, entry_text, entry_values, exit_text};
use crate::render::{self};
use crate::value::{RetKind, Value};
use nix::unistd::Pid;

/// A syscall decoded from arbitrary registers (every table entry, unknown numbers, i386
/// and x32 calls) against an arbitrary memory image, at entry or at exit; its arguments
/// and result written as strace text and as JSON.
pub fn syscall(data: &[u8]) {
    let mut input = Input::new(data);
    let Built { image, regions } = input.image();
    let call = call_from(&mut input, &regions);
    let ret = ret_from(&mut input, &regions);
    let decoder = Decoder {
        memory: &image,
        string_limit: string_limit(&mut input),
        ret,
    };
    let _ = (call.name(), call.number(), call.to_args(), call.info());
    for index in 0..8 {
        let _ = call.shown(index);
        render_everywhere(&call.decode_arg(index, &decoder));
    }
    if let Some(ret) = ret {
        let kind = call.info().map_or(RetKind::Hex, |info| info.ret);
        let mut out = String::new();
        render::ret(&mut out, ret, kind);
    }
    // The strace text of the call, as the text sink writes it.
    let spelling = Spelling {
        string_limit: decoder.string_limit,
        strings: string_style(&mut input),
        constants: const_style(&mut input),
    };
    let style = CallStyle {
        raw: input.flip(),
        abbrev: input.flip(),
        verbose: input.flip(),
    };
    let tid = Pid::from_raw(NO_SUCH_TID);
    // `-y`: descriptors of a process that does not exist, so nothing is known of them.
    let table = fd_table(&mut input);
    let fds = table.as_ref().map(|table| (table, tid));
    let memory = || EventMemory::Copy(&image);
    let (_, covered) = entry_text(&call, (tid, memory()), spelling, style, fds);
    let entry = entry_values(&call, memory(), spelling, style);
    let known = Known {
        tid,
        entry: &entry,
        fds,
    };
    exit_text(&call, covered, memory(), spelling, style, ret, known);
    // The JSON arguments, at entry and then at exit, and what the result means.
    let mut json = JsonLines::new(Box::new(std::io::sink()), false, decoder.string_limit);
    if let Some(table) = table {
        json = json.with_fds(table);
    }
    let mut args: [Option<Value>; 6] = Default::default();
    let at_entry = Decoder {
        ret: None,
        ..decoder
    };
    json.decode_with(&call, &at_entry, (tid, tid), &mut args);
    json.decode_with(&call, &decoder, (tid, tid), &mut args);
    for value in args.iter().flatten() {
        render_everywhere(value);
    }
    let _ = crate::decode::slots(&call);
    if let Some(ret) = ret
        && let Some(meaning) = crate::decode::ret(&call, ret, &decoder)
    {
        render_everywhere(&meaning.value);
    }
}

/// Every struct decoder of the `[structs]` table, at an arbitrary address of an arbitrary
/// image; socket addresses with arbitrary lengths.
pub fn structs(data: &[u8]) {
    let mut input = Input::new(data);
    let Built { image, regions } = input.image();
    let ret = ret_from(&mut input, &regions);
    let decoder = Decoder {
        memory: &image,
        string_limit: string_limit(&mut input),
        ret,
    };
    for _ in 0..4 {
        let addr = input.address(&regions);
        match input.byte() % 8 {
            0 => {
                let len = input.number();
                render_everywhere(&SockaddrIn::new(addr, len).decode(&decoder));
            }
            1 => {
                let len_at = input.address(&regions);
                render_everywhere(&SockaddrOut::new(addr, len_at).decode(&decoder));
            }
            _ => {
                let (name, _) = STRUCTS[input.below(STRUCTS.len())];
                let decoded = decode_struct(name, &decoder, addr);
                if let Some(value) = decoded.expect("a struct of the table") {
                    render_everywhere(&value);
                }
            }
        }
    }
}

/// The readers of arrays and strings, as decoders and as handlers use them: `argv`,
/// `envp`, `iovec` arrays with arbitrary counts, NUL-terminated strings, NULL-terminated pointer arrays, and plain reads of
/// arbitrary lengths.
pub fn arrays(data: &[u8]) {
    let mut input = Input::new(data);
    let Built { image, regions } = input.image();
    let ret = ret_from(&mut input, &regions);
    let decoder = Decoder {
        memory: &image,
        string_limit: string_limit(&mut input),
        ret,
    };
    for _ in 0..4 {
        let addr = input.address(&regions);
        match input.byte() % 11 {
            0 => render_everywhere(&ArgvPtr(addr).decode(&decoder)),
            9 => {
                // As a handler reads them: within execve's limits.
                if let Ok(strings) = ArgvPtr(addr).read_from(&image) {
                    let bytes: usize = strings.iter().map(|s| s.len() + 1 + 8).sum();
                    assert!(bytes <= 6 << 20, "{bytes} bytes of argv");
                }
            }
            10 => {
                let count = input.number();
                if let Ok(iovecs) = IovecPtr::new(addr, count).read_from(&image) {
                    assert!(iovecs.len() as u64 == count && count <= 1024);
                }
            }
            1 => render_everywhere(&EnvpPtr(addr).decode(&decoder)),
            2 => {
                let count = input.number();
                render_everywhere(&IovecPtr::new(addr, count).decode(&decoder));
            }
            3 => {
                let limit = string_limit(&mut input);
                if let Ok((bytes, complete)) = image.read_cstr(addr, limit) {
                    assert!(bytes.len() <= limit);
                    assert!(complete || bytes.len() == limit);
                    assert!(!bytes.contains(&0));
                }
            }
            4 => {
                let max = string_limit(&mut input);
                if let Ok((pointers, _)) = image.read_pointer_array(addr, max) {
                    assert!(pointers.len() <= max && !pointers.contains(&0));
                }
            }
            5 => {
                let _ = image.count_pointer_array(addr);
            }
            6 => {
                // Lengths as a program passes them: only what is mapped is ever read.
                let len = input.number() as usize;
                if let Ok(bytes) = image.read(addr, len) {
                    assert_eq!(bytes.len(), len);
                }
            }
            7 => {
                let len = input.number();
                render_everywhere(&decoder.bytes(addr, len));
            }
            _ => {
                let mut buf = vec![0u8; input.below(9000) + 1];
                if let Ok(n) = image.read_some(addr, &mut buf) {
                    assert!(n >= 1 && n <= buf.len());
                }
            }
        }
    }
}
