//! Runs a program with its wall clock set to another time, which keeps ticking from there.
//!
//! ```text
//! cargo run --example fake_time -- [--at YYYY-MM-DDTHH:MM:SSZ | --shift SECONDS] PROGRAM [ARGS...]
//! cargo run --example fake_time -- date -u +%Y                          # prints 2000
//! cargo run --example fake_time -- --at 2030-06-15T12:00:00Z date -u
//! cargo run --example fake_time -- --shift -86400 date -u               # yesterday
//! ```
//!
//! `--at` starts the program's clock at that UTC time (default `2000-01-01T00:00:00Z`),
//! within its first second; `--shift` moves it by that many seconds, negative for the past.
//! Either way the clock runs at the real rate: the program sees `real now + offset`, with
//! the offset a whole number of seconds.
//!
//! The handler overrides `clock_gettime` (for `CLOCK_REALTIME` and `CLOCK_REALTIME_COARSE`;
//! other clocks, such as `CLOCK_MONOTONIC`, run untouched), `gettimeofday` and `time`. Each
//! is forwarded to the kernel, and the result is then shifted: the `timespec` or `timeval`
//! the kernel wrote in the program's memory, or the value `time` returns (and stores at
//! `*tloc`). Overriding a clock call makes the runtime hide the vDSO, so these calls trap
//! instead of being answered in user space.
//!
//! # Limits
//! Only reading the clock is faked. Absolute `CLOCK_REALTIME` deadlines (`clock_nanosleep`
//! with `TIMER_ABSTIME`, `timerfd`, `pthread_cond_timedwait`) are still the kernel's, so a
//! deadline computed from the fake clock fires at once or much too late; file timestamps
//! (`stat`) are real.

use interpose::linux::{ClockGettime, ClockId, Gettimeofday, Time};
use interpose::{Command, Linux, SysResult, Tracee};
use std::ffi::OsString;
use std::time::{SystemTime, UNIX_EPOCH};

const NAME: &str = "fake_time";
const USAGE: &str =
    "usage: fake_time [--at YYYY-MM-DDTHH:MM:SSZ | --shift SECONDS] PROGRAM [ARGS...]";

/// Where the fake clock starts when no option says otherwise: 2000-01-01T00:00:00Z.
const DEFAULT_START_SECS: i64 = 946_684_800;

/// Shifts the program's wall clock by a whole number of seconds. Whole seconds keep the
/// three calls consistent: `time` only returns seconds, and shifting a truncated value by a
/// fraction would put it up to a second behind `clock_gettime`.
struct FakeTime {
    /// Fake time minus real time, in seconds.
    offset: i64,
}

#[interpose::handler]
impl Linux for FakeTime {
    async fn clock_gettime(&self, t: &mut Tracee, call: ClockGettime) -> SysResult {
        let realtime = [ClockId::CLOCK_REALTIME, ClockId::CLOCK_REALTIME_COARSE];
        if !realtime.contains(&call.clockid) {
            return t.pass(call);
        }
        let ret = t.forward(call).await?;
        let mut now = call.tp.read(t)?;
        now.tv_sec = self.shift(now.tv_sec);
        call.tp.write(t, &now)?;
        Ok(ret)
    }

    async fn gettimeofday(&self, t: &mut Tracee, call: Gettimeofday) -> SysResult {
        let ret = t.forward(call).await?;
        if !call.tv.is_null() {
            let mut now = call.tv.read(t)?;
            now.tv_sec = self.shift(now.tv_sec);
            call.tv.write(t, &now)?;
        }
        Ok(ret)
    }

    async fn time(&self, t: &mut Tracee, call: Time) -> SysResult {
        let now = self.shift(t.forward(call).await?);
        if !call.tloc.is_null() {
            call.tloc.write(t, &now)?;
        }
        Ok(now)
    }
}

impl FakeTime {
    /// The fake time for a real time, in seconds since the epoch.
    fn shift(&self, real: i64) -> i64 {
        real.saturating_add(self.offset)
    }
}

/// Where the fake clock comes from.
enum Clock {
    /// Starts at this many seconds since the epoch.
    At(i64),
    /// Runs this many seconds ahead of (or, negative, behind) the real clock.
    Shift(i64),
}

/// The parsed command line.
struct Options {
    clock: Clock,
    program: OsString,
    args: Vec<OsString>,
}

fn parse_args(mut args: impl Iterator<Item = OsString>) -> Result<Options, String> {
    let mut clock = None;
    let mut set_clock = |new: Clock| match clock.replace(new) {
        None => Ok(()),
        Some(_) => Err("give at most one of --at and --shift".to_string()),
    };
    let program = loop {
        let Some(arg) = args.next() else {
            return Err("no program given".into());
        };
        match arg.to_str() {
            Some("--at") => {
                let value = args.next().ok_or("--at needs a time")?;
                set_clock(Clock::At(parse_utc(&value)?))?;
            }
            Some("--shift") => {
                let value = args.next().ok_or("--shift needs a number of seconds")?;
                let seconds = value.to_str().and_then(|v| v.parse().ok()).ok_or_else(|| {
                    format!("--shift wants whole seconds, got {}", value.display())
                })?;
                set_clock(Clock::Shift(seconds))?;
            }
            Some("-h" | "--help") => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            Some("--") => break args.next().ok_or("no program given")?,
            Some(flag) if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
            _ => break arg,
        }
    };
    Ok(Options {
        clock: clock.unwrap_or(Clock::At(DEFAULT_START_SECS)),
        program,
        args: args.collect(),
    })
}

/// Seconds since the epoch of a `YYYY-MM-DDTHH:MM:SSZ` time.
fn parse_utc(text: &OsString) -> Result<i64, String> {
    let bad = || {
        format!(
            "--at wants a UTC time like 2030-06-15T12:00:00Z, got {}",
            text.display()
        )
    };
    let text = text.to_str().ok_or_else(bad)?;
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 20
        && bytes.iter().enumerate().all(|(i, &b)| match i {
            4 | 7 => b == b'-',
            10 => b == b'T',
            13 | 16 => b == b':',
            19 => b == b'Z',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(bad());
    }
    // The shape check leaves only digits in these fields.
    let field = |range: std::ops::Range<usize>| text[range].parse::<u32>().map_err(|_| bad());
    let (year, month, day) = (field(0..4)?, field(5..7)?, field(8..10)?);
    let (hour, minute, second) = (field(11..13)?, field(14..16)?, field(17..19)?);
    let year = i64::from(year);
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return Err(bad());
    }
    let days = days_from_civil(year, month, day);
    Ok(days * 86_400 + i64::from(hour * 3600 + minute * 60 + second))
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`): years are counted from March, so the leap day ends the year.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn days_in_month(year: i64, month: u32) -> u32 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Now, in whole seconds since the epoch (rounded down).
fn real_now_secs() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(since) => since.as_secs() as i64,
        Err(before) => -(before.duration().as_secs_f64().ceil() as i64),
    }
}

fn main() {
    let options = match parse_args(std::env::args_os().skip(1)) {
        Ok(options) => options,
        Err(problem) => {
            eprintln!("{NAME}: {problem}; {USAGE}");
            std::process::exit(2);
        }
    };
    // Against the real time rounded down, so the fake clock starts within the first
    // second of `--at`, never just before it.
    let offset = match options.clock {
        Clock::At(start) => start - real_now_secs(),
        Clock::Shift(seconds) => seconds,
    };
    let outcome = Command::new(&options.program)
        .args(&options.args)
        .shield_interrupts(true)
        .trace(FakeTime { offset });
    match outcome {
        Ok(outcome) => interpose::exit_like(outcome.status),
        Err(err) => {
            eprintln!("{NAME}: {err}");
            std::process::exit(err.exit_code());
        }
    }
}
