//! What a traced run shares with [`Attach`](crate::Attach): where the trace goes, the
//! tracer loop under its watchdog, and the [`Outcome`] it ends with.

use super::{DEFAULT_STRING_LIMIT, Outcome};
use crate::engine::{Ended, Tracer};
use crate::events::Sink;
use crate::output::text::StraceText;
use crate::sys;
use crate::{Error, Linux};
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::rc::Rc;
use std::time::Duration;

/// Where the trace goes and how strings are cut, shared by [`Command`](super::Command) and [`Attach`](crate::Attach).
pub(crate) struct TraceSettings {
    pub(crate) out: Option<(Box<dyn Write>, bool)>,
    pub(crate) sinks: Vec<Box<dyn Sink>>,
    pub(crate) string_limit: usize,
}

impl Default for TraceSettings {
    fn default() -> Self {
        TraceSettings {
            out: None,
            sinks: Vec::new(),
            string_limit: DEFAULT_STRING_LIMIT,
        }
    }
}

impl TraceSettings {
    /// The sinks: the strace text, when asked for, then the others.
    pub(crate) fn into_sinks(self) -> Vec<Box<dyn Sink>> {
        let string_limit = self.string_limit;
        let text = self.out.map(|(out, flush)| {
            Box::new(StraceText::new(out, flush, string_limit)) as Box<dyn Sink>
        });
        text.into_iter().chain(self.sinks).collect()
    }
}

/// Runs the tracer loop, with a watchdog thread that kills the traced tree after `timeout`,
/// and with `caught` signals to this process handled by the tracer's policy.
pub(crate) fn run_tracer<H: Linux + 'static>(
    tracer: Tracer<H>,
    timeout: Option<Duration>,
    caught: &[i32],
) -> Result<Ended, Error> {
    let _restored_on_return = sys::catch_signals(caught);
    // While tracing, no process of the same user (a tracee least of all) may ptrace this
    // one, read its memory or take its descriptors with pidfd_getfd.
    let dumpable = sys::set_dumpable(false);
    let watchdog = timeout.map(|limit| {
        let live = tracer.live();
        std::thread::spawn(move || {
            // Process-directed signals must interrupt the tracer thread's wait, not this.
            sys::block_signals_in_this_thread();
            let deadline = std::time::Instant::now() + limit;
            while std::time::Instant::now() < deadline && !live.is_done() {
                std::thread::sleep(Duration::from_millis(20).min(limit));
            }
            if !live.is_done() {
                live.kill_all_until_done();
            }
        })
    });
    let ended = tracer.run();
    if let Some(watchdog) = watchdog {
        let _ = watchdog.join();
    }
    sys::set_dumpable(dumpable);
    ended
}

pub(crate) fn outcome<H>(handler: Rc<H>, ended: Ended) -> Outcome<H> {
    let handler = Rc::try_unwrap(handler)
        .unwrap_or_else(|_| unreachable!("every handler future ended with the tracer"));
    Outcome {
        status: ExitStatus::from_raw(ended.status.raw()),
        handler,
        timed_out: ended.timed_out,
        interrupted_by: ended.interrupted_by,
        output_error: ended.output_error,
    }
}
