//! The call summary table of strace's `-c` / `-C` / `-S SORTBY` / `-w`, byte for byte as
//! strace 6.1 prints it (`src/count.c`, `call_summary_pers`).
//!
//! ```text
//! % time     seconds  usecs/call     calls    errors syscall
//! ------ ----------- ----------- --------- --------- ----------------
//!  21.58    0.000777          17        44        19 openat
//!  13.11    0.000472          15        31           close
//! ------ ----------- ----------- --------- --------- ----------------
//! 100.00    0.003601          14       244        71 total
//! ```
//!
//! The rules, all from strace 6.1:
//! * Columns are `% time` (width 6), `seconds` (at least 11), `usecs/call` (at least 11),
//!   `calls` (at least 9), `errors` (at least 9) and `syscall` (at least 16, and at least
//!   one more than the longest name shown). A numeric column widens to fit its largest
//!   value: the total seconds (`%.6f`), the largest per-syscall average in whole
//!   microseconds, the total calls and the total errors. Columns are separated by one space;
//!   headers and numbers are right-aligned, the name (the last column) is printed unpadded,
//!   so no line has trailing blanks. The two divider lines are dashes as wide as each column.
//! * `% time` is `100 * seconds / total seconds` with `%.2f`; a syscall whose time is zero
//!   shows `0.00` (also when the total is zero, where strace avoids 0/0), and the total line
//!   always shows `100.00`.
//! * `seconds` is the summed time as a `double` (`sec + nsec / 1e9`) printed `%.6f`.
//! * `usecs/call` is the summed time divided by the calls, rounded to the nearest
//!   nanosecond, then converted to a `double` number of microseconds and truncated. On the
//!   total line it is `total seconds / total calls * 1e6`, truncated.
//! * `errors` is printed `%.0lu`: a zero prints nothing, so the column is blank for a
//!   syscall that never failed (and on the total line when nothing failed).
//! * Rows are in syscall-number order, then sorted by the `-S` key with a stable sort
//!   (glibc's `qsort` is a merge sort), so ties stay in syscall-number order. Times, calls
//!   and errors sort descending, names ascending (`strcmp`); `-S none` keeps number order.
//!   The default is `-S time`.
//! * Only syscalls that were called at least once appear; with none at all strace prints
//!   nothing, not even the header.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::str::FromStr;
use std::time::Duration;

/// The order of the table's rows: strace's `-S SORTBY` key.
///
/// Time, count and error keys sort descending, [`Name`](SortBy::Name) ascending; ties keep
/// syscall-number order, as does [`Nothing`](SortBy::Nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    /// Total time spent in the syscall (`time`, `time_percent`, `time_total`, `total_time`,
    /// and their `-` spellings). strace's default.
    #[default]
    Time,
    /// The shortest single call (`min_time`, `shortest`, `time_min`, ...).
    MinTime,
    /// The longest single call (`max_time`, `longest`, `time_max`, ...).
    MaxTime,
    /// The average time per call (`avg_time`, `time_avg`, ...).
    AvgTime,
    /// Number of calls (`calls`, `count`).
    Calls,
    /// Number of failed calls (`errors`, `error`).
    Errors,
    /// The syscall's name, ascending (`name`, `syscall`, `syscall_name`, `syscall-name`).
    Name,
    /// No sorting: syscall-number order (`nothing`, `none`).
    Nothing,
}

impl FromStr for SortBy {
    type Err = String;

    /// Parses a `-S` key as strace does: exact, case-sensitive matches of its aliases. The
    /// error is strace's message, `invalid sortby: 'KEY'`.
    fn from_str(key: &str) -> Result<Self, String> {
        Ok(match key {
            "time" | "time_percent" | "time-percent" | "time_total" | "time-total"
            | "total_time" | "total-time" => SortBy::Time,
            "min_time" | "min-time" | "shortest" | "time_min" | "time-min" => SortBy::MinTime,
            "longest" | "max_time" | "max-time" | "time_max" | "time-max" => SortBy::MaxTime,
            "avg_time" | "avg-time" | "time_avg" | "time-avg" => SortBy::AvgTime,
            "calls" | "count" => SortBy::Calls,
            "error" | "errors" => SortBy::Errors,
            "name" | "syscall" | "syscall_name" | "syscall-name" => SortBy::Name,
            "none" | "nothing" => SortBy::Nothing,
            _ => return Err(format!("invalid sortby: '{key}'")),
        })
    }
}

/// Where a syscall's row goes when nothing else orders it: its x86_64 number, with names
/// the table does not know after every known one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    /// A syscall number: from the table, or from strace's `syscall_0x1c3` spelling.
    Number(i64),
    /// A name with no number; these are ordered by name.
    Unknown,
}

impl Rank {
    fn of(name: &str) -> Rank {
        if let Some(info) = crate::Syscall::by_name(name) {
            return Rank::Number(info.number);
        }
        name.strip_prefix("syscall_0x")
            .and_then(|hex| i64::from_str_radix(hex, 16).ok())
            .map_or(Rank::Unknown, Rank::Number)
    }
}

/// The counts of one syscall.
#[derive(Debug, Clone)]
struct Counts {
    rank: Rank,
    time: Duration,
    min: Duration,
    max: Duration,
    calls: u64,
    errors: u64,
}

/// The per-syscall counts behind strace's `-c` summary, and the table made from them.
///
/// ```
/// use interpose_runtime::output::summary::{SortBy, Summary};
/// use std::time::Duration;
///
/// let mut summary = Summary::new(SortBy::Time);
/// summary.record("openat", Duration::from_micros(30), false);
/// summary.record("openat", Duration::from_micros(10), true);
/// summary.record("close", Duration::from_micros(10), false);
/// assert_eq!(
///     summary.table(),
///     "\
/// % time     seconds  usecs/call     calls    errors syscall
/// ------ ----------- ----------- --------- --------- ----------------
///  80.00    0.000040          20         2         1 openat
///  20.00    0.000010          10         1           close
/// ------ ----------- ----------- --------- --------- ----------------
/// 100.00    0.000050          16         3         1 total
/// "
/// );
/// ```
#[derive(Debug, Clone, Default)]
pub struct Summary {
    sort_by: SortBy,
    counts: HashMap<String, Counts>,
}

impl Summary {
    /// An empty summary whose table is ordered by `sort_by`.
    pub fn new(sort_by: SortBy) -> Self {
        Summary {
            sort_by,
            counts: HashMap::new(),
        }
    }

    /// One finished syscall: its name, the time it took, and whether it failed (returned -1
    /// with errno; strace counts a return in -4095..=-1 as an error).
    pub fn record(&mut self, name: &str, time: Duration, failed: bool) {
        let counts = match self.counts.get_mut(name) {
            Some(counts) => counts,
            None => self.counts.entry(name.to_owned()).or_insert(Counts {
                rank: Rank::of(name),
                time: Duration::ZERO,
                min: Duration::MAX,
                max: Duration::ZERO,
                calls: 0,
                errors: 0,
            }),
        };
        counts.calls += 1;
        counts.errors += u64::from(failed);
        counts.time = counts.time.saturating_add(time);
        counts.min = counts.min.min(time);
        counts.max = counts.max.max(time);
    }

    /// True when no syscall was recorded: the table is then empty.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// strace's table, as a String: every line ends in `\n`; empty when nothing was recorded.
    pub fn table(&self) -> String {
        if self.counts.is_empty() {
            return String::new();
        }

        struct Row<'a> {
            name: &'a str,
            counts: &'a Counts,
            avg: Duration,
        }
        let mut rows: Vec<Row<'_>> = self
            .counts
            .iter()
            .map(|(name, counts)| Row {
                name,
                counts,
                avg: average(counts.time, counts.calls),
            })
            .collect();
        rows.sort_by(|a, b| (a.counts.rank, a.name).cmp(&(b.counts.rank, b.name)));
        // Slice sorts are stable: ties keep the syscall-number order just established.
        // strace compares calls and errors as `unsigned int`, so only their low 32 bits count.
        use std::cmp::Reverse;
        match self.sort_by {
            SortBy::Time => rows.sort_by_key(|r| Reverse(r.counts.time)),
            SortBy::MinTime => rows.sort_by_key(|r| Reverse(r.counts.min)),
            SortBy::MaxTime => rows.sort_by_key(|r| Reverse(r.counts.max)),
            SortBy::AvgTime => rows.sort_by_key(|r| Reverse(r.avg)),
            SortBy::Calls => rows.sort_by_key(|r| Reverse(r.counts.calls as u32)),
            SortBy::Errors => rows.sort_by_key(|r| Reverse(r.counts.errors as u32)),
            SortBy::Name => rows.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes())),
            SortBy::Nothing => {}
        }

        let total_time = self
            .counts
            .values()
            .fold(Duration::ZERO, |sum, c| sum.saturating_add(c.time));
        let total_calls: u64 = self.counts.values().map(|c| c.calls).sum();
        let total_errors: u64 = self.counts.values().map(|c| c.errors).sum();
        let total_seconds = seconds(total_time);
        let max_avg = rows.iter().map(|r| r.avg).max().unwrap_or_default();
        let longest_name = rows.iter().map(|r| r.name.len()).max().unwrap_or(0);

        let widths = [
            6,
            11.max(format!("{total_seconds:.6}").len()),
            11.max(micros(seconds(max_avg)).to_string().len()),
            9.max(total_calls.to_string().len()),
            9.max(total_errors.to_string().len()),
            16.max(longest_name + 1),
        ];
        let [_, w_sec, w_usec, w_calls, w_err, _] = widths;
        let divider = widths
            .iter()
            .map(|&w| "-".repeat(w))
            .collect::<Vec<_>>()
            .join(" ");
        // `%.0lu`: a zero prints no digit at all.
        let errors = |n: u64| if n == 0 { String::new() } else { n.to_string() };

        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:>6} {:>w_sec$} {:>w_usec$} {:>w_calls$} {:>w_err$} syscall",
            "% time", "seconds", "usecs/call", "calls", "errors"
        );
        let _ = writeln!(out, "{divider}");
        for row in &rows {
            let secs = seconds(row.counts.time);
            // As strace: `100.0 * t` first, divided only when non-zero (0/0 would be NaN).
            let mut percent = 100.0 * secs;
            if percent != 0.0 {
                percent /= total_seconds;
            }
            let _ = writeln!(
                out,
                "{percent:>6.2} {secs:>w_sec$.6} {:>w_usec$} {:>w_calls$} {:>w_err$} {}",
                micros(seconds(row.avg)),
                row.counts.calls,
                errors(row.counts.errors),
                row.name,
            );
        }
        let _ = writeln!(out, "{divider}");
        let _ = writeln!(
            out,
            "{:>6.2} {total_seconds:>w_sec$.6} {:>w_usec$} {total_calls:>w_calls$} {:>w_err$} total",
            100.0,
            micros(total_seconds / total_calls as f64),
            errors(total_errors),
        );
        out
    }
}

/// strace's `ts_float`: whole seconds plus nanoseconds / 1e9, in a `double`.
fn seconds(d: Duration) -> f64 {
    d.as_secs() as f64 + f64::from(d.subsec_nanos()) / 1_000_000_000.0
}

/// Seconds as whole microseconds, truncated (C's `(uint64_t) (x * 1e6)`).
fn micros(seconds: f64) -> u64 {
    (seconds * 1e6) as u64
}

/// strace's `ts_div`: `time / calls`, rounded to the nearest nanosecond (halves up).
fn average(time: Duration, calls: u64) -> Duration {
    if calls == 0 {
        return Duration::ZERO;
    }
    let n = u128::from(calls);
    let nanos = (time.as_nanos() + n / 2) / n;
    Duration::new(
        (nanos / 1_000_000_000) as u64,
        (nanos % 1_000_000_000) as u32,
    )
}

#[cfg(test)]
mod tests;
