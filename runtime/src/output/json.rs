//! `--json`: the trace as JSON lines, one object per event, for `jq` and for programs.
//!
//! A syscall is one object, written when it ends: its arguments under their `syscalls.toml`
//! names (those the program passes decoded at entry, those the kernel fills at exit), its
//! return value, its errno. Signals, execs, exits, starts, stops, detaches, injections and
//! tamperings are objects of their own. `docs/JSON.md` describes every field and
//! `docs/trace.schema.json` is the JSON Schema; a test checks the schema against the table
//! and validates real traces against it.

mod notation;

pub use notation::JsonValue;

use crate::Errno;
use crate::WaitStatus;
use crate::args::Decoder;
use crate::events::{Event, EventKind, Return, SigInfo, Sink, Tamper};
use crate::fds::{FdAbout, FdTable};
use crate::linux::Syscall;
use crate::value::Value;
use nix::unistd::Pid;
use notation::{SigInfoJson, SignalJson};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::collections::HashMap;
use std::io::{self, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// JSON lines: one object per syscall (written when it ends), signal, exec, exit, start,
/// stop, detach, injection and tampering, each on its own line.
///
/// ```json
/// {"type":"syscall","time":1767225600.123456,"pid":42,"tid":42,"name":"openat","number":257,"args":{"dirfd":"AT_FDCWD","pathname":"/etc/hosts","flags":{"raw":524288,"names":["O_RDONLY","O_CLOEXEC"]}},"ret":3,"duration":0.000011}
/// ```
///
/// The fields are described in `docs/JSON.md`; `docs/trace.schema.json` is their JSON
/// Schema.
pub struct JsonLines {
    out: Box<dyn Write>,
    flush_each_line: bool,
    string_limit: usize,
    /// Per thread in a syscall: the call and what was decoded at its entry.
    in_flight: HashMap<Pid, Entered>,
    /// The line being written, kept to reuse its allocation.
    line: Vec<u8>,
    /// Descriptors shown with what they are (`-y`): see [`with_fds`](JsonLines::with_fds).
    fds: Option<FdTable>,
}

/// A syscall between its entry and its end.
struct Entered {
    call: Syscall,
    time: SystemTime,
    pid: Pid,
    tid: Pid,
    args: Args,
    /// What its result means (`ret_decoded`), decoded at its exit.
    ret_decoded: Option<Value>,
    /// What is known of the descriptor the call returned.
    ret_fd: Option<FdAbout>,
}

/// A call's arguments by index: decoded, or not (yet) known.
pub(crate) type Args = [Option<Value>; 6];

/// Whether `a` and `b` are the same syscall of the same ABI, whatever their arguments.
fn same_syscall(a: &Syscall, b: &Syscall) -> bool {
    a.number() == b.number() && matches!(a, Syscall::I386(_)) == matches!(b, Syscall::I386(_))
}

/// Names of the arguments of a syscall the table does not describe.
const RAW_ARG_NAMES: [&str; 6] = ["arg0", "arg1", "arg2", "arg3", "arg4", "arg5"];

impl JsonLines {
    /// JSON lines to `out`, strings cut at `string_limit` bytes; `flush_each_line` for a
    /// terminal or a reader on a pipe.
    pub fn new(out: Box<dyn Write>, flush_each_line: bool, string_limit: usize) -> Self {
        JsonLines {
            out,
            flush_each_line,
            string_limit,
            in_flight: HashMap::new(),
            line: Vec::with_capacity(512),
            fds: None,
        }
    }

    /// Shows each descriptor as an object with what `table` knows of it,
    /// `{"fd": 3, "path": "/etc/hostname"}`, and a call's descriptor result in `ret_fd`.
    /// `table` must also be a sink of the same trace, added before this one.
    pub fn with_fds(mut self, table: FdTable) -> Self {
        self.fds = Some(table);
        self
    }

    /// Decodes into `args` what can be decoded now: at entry (`ret` is `None`) the
    /// arguments the program passes; at exit the rest (what the kernel filled, and
    /// everything when the entry was not seen).
    fn decode(&self, call: &Syscall, event: &Event<'_>, ret: Option<i64>, args: &mut Args) {
        let (pid, tid, memory) = (event.pid, event.tid, event.memory());
        let decoder = Decoder {
            memory: &memory,
            string_limit: self.string_limit,
            ret,
        };
        self.decode_with(call, &decoder, (pid, tid), args);
    }

    pub(crate) fn decode_with(
        &self,
        call: &Syscall,
        decoder: &Decoder<'_>,
        (pid, tid): (Pid, Pid),
        args: &mut Args,
    ) {
        let ret = decoder.ret;
        // Every argument the table shows (clone's too, where the text shows those its flags
        // use), each decoded when the text trace decodes it.
        let slots = crate::decode::slots(call);
        let info = call.info();
        for (i, slot) in args.iter_mut().enumerate().take(call.arg_count()) {
            let at_exit = match slots.iter().find(|s| s.index == i) {
                Some(shown) => shown.at_exit,
                None => info.is_some_and(|info| info.args[i].at_exit),
            };
            let now = match ret {
                None => !at_exit,
                Some(_) => slot.is_none(),
            };
            if now && call.shown(i) {
                let mut value = call.decode_arg(i, decoder);
                if let Some(table) = &self.fds {
                    table.annotate(pid, tid, &mut value);
                }
                *slot = Some(value);
            }
        }
    }

    fn write(&mut self, object: &Object<'_>) -> io::Result<()> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, object).map_err(io::Error::other)?;
        self.line.push(b'\n');
        self.out.write_all(&self.line)?;
        if self.flush_each_line {
            self.out.flush()?;
        }
        Ok(())
    }

    /// Writes the object of a call that ended with `end` at `now` (`injected`: with a
    /// result that is not the kernel's).
    fn write_call(
        &mut self,
        entered: Entered,
        end: Return,
        now: SystemTime,
        injected: bool,
    ) -> io::Result<()> {
        let duration = match end {
            Return::Value(_) => now.duration_since(entered.time).ok(),
            Return::Unfinished | Return::Detached => None,
        };
        self.write(&Object {
            kind: "syscall",
            time: entered.time,
            pid: entered.pid,
            tid: entered.tid,
            body: Body::Call {
                call: &entered.call,
                args: &entered.args,
                ret_decoded: entered.ret_decoded.as_ref(),
                end: Some(end),
                duration,
                injected,
                ret_fd: entered.ret_fd.as_ref(),
            },
        })
    }

    /// The syscall-exit of `tid`: the call's object, with its out-arguments.
    fn exited(
        &mut self,
        event: &Event<'_>,
        call: &Syscall,
        ret: Return,
        injected: bool,
    ) -> io::Result<()> {
        let mut entered = match self.in_flight.remove(&event.tid) {
            Some(entered) if same_syscall(&entered.call, call) => entered,
            // Not seen entering: everything is decoded now, as the text trace does. The
            // arguments of another call that entered and never ended are not this call's.
            stale => {
                if let Some(stale) = stale {
                    self.write_call(stale, Return::Unfinished, event.time, false)?;
                }
                Entered {
                    call: *call,
                    time: event.time,
                    pid: event.pid,
                    tid: event.tid,
                    args: Default::default(),
                    ret_decoded: None,
                    ret_fd: None,
                }
            }
        };
        if let Return::Value(value) = ret {
            let memory = event.memory();
            let decoder = Decoder {
                memory: &memory,
                string_limit: self.string_limit,
                ret: Some(value),
            };
            self.decode_with(call, &decoder, (event.pid, event.tid), &mut entered.args);
            if let Some(table) = &self.fds {
                entered.ret_fd = table.about_result(event.pid, event.tid, call, value);
            }
            if Errno::from_ret(value).is_ok() {
                entered.ret_decoded = crate::decode::ret(call, value, &decoder).map(|r| r.value);
            }
        }
        self.write_call(entered, ret, event.time, injected)
    }
}

impl Sink for JsonLines {
    fn event(&mut self, event: &Event<'_>) -> io::Result<()> {
        let tid = event.tid;
        let (kind, body) = match &event.kind {
            EventKind::SyscallEntered { call } => {
                let mut args = Args::default();
                self.decode(call, event, None, &mut args);
                let entered = Entered {
                    call: **call,
                    time: event.time,
                    pid: event.pid,
                    tid,
                    args,
                    ret_decoded: None,
                    ret_fd: None,
                };
                if let Some(stale) = self.in_flight.insert(tid, entered) {
                    self.write_call(stale, Return::Unfinished, event.time, false)?;
                }
                return Ok(());
            }
            EventKind::SyscallExited {
                call,
                ret,
                injected,
            } => return self.exited(event, call, *ret, *injected),
            EventKind::Injected { call } => {
                let mut args = Args::default();
                self.decode(call, event, None, &mut args);
                let object = Object {
                    kind: "injected",
                    time: event.time,
                    pid: event.pid,
                    tid,
                    body: Body::Call {
                        call,
                        args: &args,
                        ret_decoded: None,
                        end: None,
                        duration: None,
                        injected: false,
                        ret_fd: None,
                    },
                };
                return self.write(&object);
            }
            EventKind::Started => ("started", Body::Nothing),
            EventKind::Tampered(tamper) => ("tampered", Body::Tampered(*tamper)),
            EventKind::Signal { signal, info } => (
                "signal",
                Body::Signal {
                    signal: *signal,
                    info: *info,
                },
            ),
            EventKind::Stopped { signal } => ("stopped", Body::Stopped(*signal)),
            EventKind::Exec { former } => {
                // The execve of a thread other than the leader ends under the leader's id.
                if *former != tid
                    && let Some(entered) = self.in_flight.remove(former)
                {
                    self.in_flight.insert(tid, entered);
                }
                ("exec", Body::Exec(*former))
            }
            EventKind::Exited(status) => {
                if let Some(entered) = self.in_flight.remove(&tid) {
                    self.write_call(entered, Return::Unfinished, event.time, false)?;
                }
                let kind = if status.exit_code().is_some() {
                    "exited"
                } else {
                    "killed"
                };
                (kind, Body::Exited(*status))
            }
            EventKind::Detached => {
                if let Some(entered) = self.in_flight.remove(&tid) {
                    self.write_call(entered, Return::Detached, event.time, false)?;
                }
                ("detached", Body::Nothing)
            }
            EventKind::Lost { records } => ("lost", Body::Lost(*records)),
        };
        self.write(&Object {
            kind,
            time: event.time,
            pid: event.pid,
            tid,
            body,
        })
    }

    fn finish(&mut self) -> io::Result<()> {
        // Calls the engine did not end (it ends them all when the run ends normally).
        let mut left: Vec<Entered> = self.in_flight.drain().map(|(_, e)| e).collect();
        left.sort_by_key(|e| e.time);
        let now = SystemTime::now();
        for entered in left {
            self.write_call(entered, Return::Unfinished, now, false)?;
        }
        self.out.flush()
    }
}

/// One line: the fields every object has, then those of its type.
struct Object<'a> {
    kind: &'static str,
    time: SystemTime,
    pid: Pid,
    tid: Pid,
    body: Body<'a>,
}

enum Body<'a> {
    Nothing,
    /// A syscall (`end` is `Some`) or an injected call (`None`).
    Call {
        call: &'a Syscall,
        args: &'a Args,
        /// What a successful result means.
        ret_decoded: Option<&'a Value>,
        end: Option<Return>,
        duration: Option<Duration>,
        /// Its result is not the kernel's (strace's `(INJECTED)`).
        injected: bool,
        /// What is known of the descriptor it returned (`-y`).
        ret_fd: Option<&'a FdAbout>,
    },
    Signal {
        signal: i32,
        info: Option<SigInfo>,
    },
    Stopped(i32),
    Exec(Pid),
    Exited(WaitStatus),
    Tampered(Tamper),
    Lost(u64),
}

impl Serialize for Object<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("type", self.kind)?;
        map.serialize_entry("time", &seconds(self.time))?;
        map.serialize_entry("pid", &self.pid.as_raw())?;
        map.serialize_entry("tid", &self.tid.as_raw())?;
        match &self.body {
            Body::Nothing => {}
            Body::Call {
                call,
                args,
                ret_decoded,
                end,
                duration,
                injected,
                ret_fd,
            } => {
                map.serialize_entry("name", &call.name())?;
                map.serialize_entry("number", &call.number())?;
                if matches!(call, Syscall::I386(_)) {
                    map.serialize_entry("abi", "i386")?;
                }
                map.serialize_entry("args", &ArgsJson { call, args })?;
                match end {
                    Some(Return::Value(ret)) => {
                        map.serialize_entry("ret", ret)?;
                        if let Some(about) = ret_fd {
                            let fd = Value::Described {
                                fd: Box::new(Value::Fd(*ret as i32)),
                                about: Box::new((*about).clone()),
                            };
                            map.serialize_entry("ret_fd", &JsonValue(&fd))?;
                        }
                        match Errno::from_ret(*ret) {
                            Err(errno) => {
                                map.serialize_entry("errno", &errno.name())?;
                                map.serialize_entry("error", &errno.description())?;
                            }
                            Ok(_) => {
                                if let Some(meaning) = ret_decoded {
                                    map.serialize_entry("ret_decoded", &JsonValue(meaning))?;
                                }
                            }
                        }
                    }
                    Some(Return::Unfinished) => {
                        map.serialize_entry("ret", &())?;
                        map.serialize_entry("unfinished", "never_returned")?;
                    }
                    Some(Return::Detached) => {
                        map.serialize_entry("ret", &())?;
                        map.serialize_entry("unfinished", "detached")?;
                    }
                    None => {}
                }
                if let Some(duration) = duration {
                    map.serialize_entry("duration", &micros(*duration))?;
                }
                if *injected {
                    map.serialize_entry("injected", &true)?;
                }
            }
            Body::Signal { signal, info } => {
                map.serialize_entry("signal", &SignalJson(*signal))?;
                let info = info.map(|info| SigInfoJson(*signal, info));
                map.serialize_entry("siginfo", &info)?;
            }
            Body::Stopped(signal) => map.serialize_entry("signal", &SignalJson(*signal))?,
            Body::Exec(former) => map.serialize_entry("former", &former.as_raw())?,
            Body::Lost(records) => map.serialize_entry("records", records)?,
            Body::Exited(status) => match status.exit_code() {
                Some(code) => map.serialize_entry("code", &code)?,
                None => {
                    let signal = status.terminating_signal().unwrap_or(0);
                    map.serialize_entry("signal", &SignalJson(signal))?;
                    map.serialize_entry("core_dumped", &status.core_dumped())?;
                }
            },
            Body::Tampered(Tamper::UntracedRemoved) => {
                map.serialize_entry("what", "clone_untraced_removed")?;
            }
        }
        map.end()
    }
}

/// Seconds since the epoch, to the microsecond: the integer count of microseconds is
/// exact in an `f64`, and one division rounds it to the double nearest the decimal, which
/// prints with at most six decimals.
fn seconds(time: SystemTime) -> f64 {
    micros(time.duration_since(UNIX_EPOCH).unwrap_or_default())
}

fn micros(duration: Duration) -> f64 {
    duration.as_micros() as f64 / 1e6
}

/// A call's arguments as an object keyed by their `syscalls.toml` names.
struct ArgsJson<'a> {
    call: &'a Syscall,
    args: &'a Args,
}

impl Serialize for ArgsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let info = self.call.info();
        let mut map = s.serialize_map(None)?;
        for (i, value) in self.args.iter().enumerate() {
            let Some(value) = value else { continue };
            let name = info.map_or(RAW_ARG_NAMES[i], |info| info.args[i].name);
            map.serialize_entry(name, &JsonValue(value))?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linux::Call;
    use std::cell::RefCell;
    use std::rc::Rc;

    #[derive(Clone, Default)]
    struct Buffer(Rc<RefCell<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Found by the `sinks` fuzz target: the arguments decoded at a `close`'s entry were
    /// written under the names of the `read` whose exit followed, past the end of
    /// close's one argument (a panic).
    #[test]
    fn an_exit_of_another_call_ends_the_call_that_entered() {
        let out = Buffer::default();
        let mut sink = JsonLines::new(Box::new(out.clone()), false, 32);
        // No such thread: its memory reads fail.
        let tid = Pid::from_raw(1 << 23);
        let close = Syscall::from(crate::linux::Close::from_args([3, 0, 0, 0, 0, 0]));
        let read = Syscall::from(crate::linux::Read::from_args([3, 0x1000, 5, 0, 0, 0]));
        let event = |kind| Event {
            tid,
            pid: tid,
            time: UNIX_EPOCH,
            system_time: Duration::ZERO,
            kind,
            copy: None,
        };
        sink.event(&event(EventKind::SyscallEntered { call: &close }))
            .unwrap();
        let exited = EventKind::SyscallExited {
            call: &read,
            ret: Return::Value(5),
            injected: false,
        };
        sink.event(&event(exited)).unwrap();
        let text = String::from_utf8(out.0.borrow().clone()).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert_eq!(lines[0]["name"], "close");
        assert_eq!(lines[0]["unfinished"], "never_returned");
        assert_eq!(lines[1]["name"], "read");
        assert_eq!(lines[1]["args"]["fd"], 3);
        assert_eq!(lines[1]["ret"], 5);
    }

    #[test]
    fn times_have_at_most_six_decimals() {
        let time = UNIX_EPOCH + Duration::new(1_767_225_600, 123_456_789);
        assert_eq!(
            serde_json::to_string(&seconds(time)).unwrap(),
            "1767225600.123456"
        );
    }
}
