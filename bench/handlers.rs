//! Handlers for the benchmark (`bench/run.sh`), one per configuration it measures:
//!
//! - `never`: overrides `kexec_load`, a call the workloads never make: nothing should stop;
//! - `openat`: overrides `openat` and decides at entry (`pass`): one stop per `openat`;
//! - `getppid-emulate`: answers `getppid` itself: one stop per call, the kernel never runs it;
//! - `getppid-forward`: forwards `getppid` and awaits the result: two stops per call.
//!
//! Usage: `bench_handlers MODE PROGRAM [ARGS...]`.

use interpose::linux::{Getppid, KexecLoad, Openat};
use interpose::{Command, Linux, SysResult, Tracee};

struct Never;

#[interpose::handler]
impl Linux for Never {
    async fn kexec_load(&self, t: &mut Tracee, call: KexecLoad) -> SysResult {
        t.pass(call)
    }
}

struct OpenatAtEntry;

#[interpose::handler]
impl Linux for OpenatAtEntry {
    async fn openat(&self, t: &mut Tracee, call: Openat) -> SysResult {
        // Look at the path, as a policy would, then let the call run.
        let _path = call.pathname.read(t)?;
        t.pass(call)
    }
}

struct GetppidEmulate;

#[interpose::handler]
impl Linux for GetppidEmulate {
    async fn getppid(&self, _: &mut Tracee, _: Getppid) -> SysResult {
        Ok(1)
    }
}

struct GetppidForward;

#[interpose::handler]
impl Linux for GetppidForward {
    async fn getppid(&self, t: &mut Tracee, call: Getppid) -> SysResult {
        t.forward(call).await
    }
}

fn run<H: Linux + 'static>(handler: H, program: &str, args: &[String]) -> ! {
    match Command::new(program).args(args).trace(handler) {
        Ok(outcome) => interpose::exit_like(outcome.status),
        Err(e) => {
            eprintln!("bench_handlers: {e}");
            std::process::exit(e.exit_code())
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, program, rest @ ..] = args.as_slice() else {
        eprintln!(
            "usage: bench_handlers never|openat|getppid-emulate|getppid-forward PROGRAM [ARGS...]"
        );
        std::process::exit(2);
    };
    match mode.as_str() {
        "never" => run(Never, program, rest),
        "openat" => run(OpenatAtEntry, program, rest),
        "getppid-emulate" => run(GetppidEmulate, program, rest),
        "getppid-forward" => run(GetppidForward, program, rest),
        other => {
            eprintln!("bench_handlers: unknown mode `{other}`");
            std::process::exit(2);
        }
    }
}
