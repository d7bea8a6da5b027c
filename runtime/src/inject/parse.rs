//! strace's `inject=` and `fault=` syntax: the syscall set, the action tokens, `when=`,
//! and the `if=` predicates only interpose has.

use super::predicate::{Check, Predicate};
use super::{Action, Answer, Rule, When};
use crate::Errno;
use crate::linux::{SYSCALLS, Syscall};
use crate::value::SyscallInfo;
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// A rule that does not parse, or names what does not exist. Its text is one line that
/// names the rule and the problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// The rule as given, `inject=...` or `fault=...`.
    pub rule: String,
    /// What is wrong with it.
    pub problem: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.rule, self.problem)
    }
}

impl std::error::Error for ParseError {}

/// The syscalls a set names, and which of them were named one by one (a predicate that
/// does not apply to one of those is an error; the others are left out of the rule).
#[derive(Default)]
struct Selected {
    calls: BTreeMap<i64, &'static SyscallInfo>,
    named: Vec<i64>,
}

impl Rule {
    /// Parses `KEY=SPEC` with KEY `inject` or `fault`, as `-e` takes them.
    ///
    /// # Errors
    /// A bad rule, or another key.
    pub fn parse(expr: &str) -> Result<Rule, ParseError> {
        if let Some(spec) = expr.strip_prefix("inject=") {
            Rule::inject(spec)
        } else if let Some(spec) = expr.strip_prefix("fault=") {
            Rule::fault(spec)
        } else {
            Err(ParseError {
                rule: expr.to_string(),
                problem: "expected inject=SET:... or fault=SET:...".into(),
            })
        }
    }

    /// Parses what follows strace's `inject=`:
    /// `SET[:error=ERRNO|:retval=N][:signal=SIG][:syscall=NAME][:delay_enter=T]`
    /// `[:delay_exit=T][:when=FIRST[..LAST][+[STEP]]][:if=ARG OP VALUE]...`.
    ///
    /// # Errors
    /// A bad rule: one line naming it and what is wrong.
    pub fn inject(spec: &str) -> Result<Rule, ParseError> {
        parse(spec, false)
    }

    /// Parses what follows strace's `fault=`: `SET[:error=ERRNO][:syscall=NAME][:when=...]`
    /// `[:if=...]`, failing with `ENOSYS` unless `error=` says otherwise.
    ///
    /// # Errors
    /// A bad rule: one line naming it and what is wrong.
    pub fn fault(spec: &str) -> Result<Rule, ParseError> {
        parse(spec, true)
    }
}

impl std::str::FromStr for Rule {
    type Err = ParseError;

    /// [`Rule::parse`]: `inject=...` or `fault=...`.
    fn from_str(expr: &str) -> Result<Rule, ParseError> {
        Rule::parse(expr)
    }
}

fn parse(spec: &str, fault: bool) -> Result<Rule, ParseError> {
    let key = if fault { "fault" } else { "inject" };
    let text = format!("{key}={spec}");
    let error = |problem: String| ParseError {
        rule: text.clone(),
        problem,
    };
    let mut tokens = spec.split(':');
    let set = tokens.next().unwrap_or_default();
    if set.is_empty() {
        return Err(error("no syscall set before the first ':'".into()));
    }
    let selected = parse_set(set).map_err(&error)?;
    let mut action = Action::default();
    let mut when = When::default();
    let mut predicates = Vec::new();
    for token in tokens {
        let (name, value) = token.split_once('=').unwrap_or((token, ""));
        let fault_only = |name: &str| {
            if fault {
                Err(error(format!(
                    "{name}= is not allowed in fault=, only in inject="
                )))
            } else {
                Ok(())
            }
        };
        match name {
            "when" => when = parse_when(value).map_err(&error)?,
            "error" => {
                if action.answer.is_some() {
                    return Err(error("give one error= or retval=".into()));
                }
                let errno = parse_errno(value).map_err(&error)?;
                action.answer = Some(Answer::Error(errno));
            }
            "retval" => {
                fault_only(name)?;
                if action.answer.is_some() {
                    return Err(error("give one error= or retval=".into()));
                }
                action.answer = Some(Answer::Retval(parse_retval(value).map_err(&error)?));
            }
            "signal" => {
                fault_only(name)?;
                if action.signal.is_some() {
                    return Err(error("give one signal=".into()));
                }
                let signal = parse_signal(value)
                    .ok_or_else(|| error(format!("signal={value}: no such signal")))?;
                action.signal = Some(signal);
            }
            "syscall" => {
                if action.syscall.is_some() {
                    return Err(error("give one syscall=".into()));
                }
                action.syscall = Some(parse_pure(value).map_err(&error)?);
            }
            "delay_enter" | "delay_exit" => {
                fault_only(name)?;
                let slot = if name == "delay_enter" {
                    &mut action.delay_enter
                } else {
                    &mut action.delay_exit
                };
                if slot.is_some() {
                    return Err(error(format!("give one {name}=")));
                }
                *slot = Some(parse_delay(value).ok_or_else(|| {
                    error(format!(
                        "{name}={value}: expected a time such as 500 (microseconds), 10ms, 1.5s, 100ns"
                    ))
                })?);
            }
            "if" => predicates.push(Predicate::parse(value).map_err(&error)?),
            "poke_enter" | "poke_exit" => {
                return Err(error(format!("{name}= is not supported")));
            }
            _ => return Err(error(format!("unknown token '{token}'"))),
        }
    }
    if fault && action.answer.is_none() {
        action.answer = Some(Answer::Error(Errno::ENOSYS));
    }
    if action.answer.is_none()
        && action.signal.is_none()
        && action.delay_enter.is_none()
        && action.delay_exit.is_none()
    {
        return Err(error(
            "give at least one of error=, retval=, signal=, delay_enter=, delay_exit=".into(),
        ));
    }
    if action.syscall.is_some() && action.answer.is_none() {
        return Err(error("syscall= needs error= or retval=".into()));
    }
    let calls = compile(&selected, &predicates).map_err(&error)?;
    Ok(Rule {
        text,
        calls,
        action,
        when,
        predicates,
    })
}

/// The predicates compiled for each selected syscall. A syscall they do not apply to (an
/// argument it lacks, a constant its set lacks) is an error when it was named, and is
/// left out when a class or `all` brought it in; an error too when that leaves none.
fn compile(
    selected: &Selected,
    predicates: &[Predicate],
) -> Result<BTreeMap<i64, Vec<Check>>, String> {
    let mut calls = BTreeMap::new();
    let mut first_problem = None;
    for (&number, &info) in &selected.calls {
        let checks: Result<Vec<Check>, String> =
            predicates.iter().map(|p| p.compile(info)).collect();
        match checks {
            Ok(checks) => {
                calls.insert(number, checks);
            }
            Err(problem) if selected.named.contains(&number) => return Err(problem),
            Err(problem) => {
                first_problem.get_or_insert(problem);
            }
        }
    }
    match first_problem {
        Some(problem) if calls.is_empty() => Err(format!("no syscall of the set fits: {problem}")),
        _ => Ok(calls),
    }
}

/// A syscall set as `-e trace=` spells it (and parsed by the same code): names, numbers,
/// `%class`es, `/REGEX`, `all`/`none`, `?` before a name this kernel may lack, and leading
/// `!`s, each inverting the rest.
fn parse_set(text: &str) -> Result<Selected, String> {
    let set = crate::output::filter::syscall_set(text)
        .map_err(|e| e.to_string())?
        .alone();
    let calls = SYSCALLS
        .iter()
        .filter(|s| set.contains(s.number))
        .map(|s| (s.number, *s))
        .collect();
    // The calls named one by one, not brought in by a class, a regex or `!`.
    let named = if text.starts_with('!') {
        Vec::new()
    } else {
        text.split(',')
            .map(|t| t.trim_start_matches('?').trim_end_matches("@64"))
            .filter_map(Syscall::by_name)
            .map(|s| s.number)
            .collect()
    };
    Ok(Selected { calls, named })
}

/// `when=FIRST[..LAST][+[STEP]]`, within strace's limits.
fn parse_when(text: &str) -> Result<When, String> {
    let bad = || {
        format!(
            "when={text}: expected FIRST[..LAST][+[STEP]] (FIRST and STEP 1..65535, LAST FIRST..65534)"
        )
    };
    let (range, step) = match text.split_once('+') {
        Some((range, step)) => (range, Some(step)),
        None => (text, None),
    };
    let (first, last) = match range.split_once("..") {
        Some((first, last)) => (first, Some(last)),
        None => (range, None),
    };
    let first: u16 = first.parse().ok().filter(|&n| n >= 1).ok_or_else(bad)?;
    let last = match last {
        Some(last) => Some(
            last.parse::<u16>()
                .ok()
                .filter(|&n| n >= first && n < u16::MAX)
                .ok_or_else(bad)?,
        ),
        None => None,
    };
    let step = match step {
        Some("") => 1,
        Some(step) => step.parse().ok().filter(|&n| n >= 1).ok_or_else(bad)?,
        // FIRST alone is that call only; FIRST..LAST every call of the range.
        None if last.is_none() => 0,
        None => 1,
    };
    Ok(When { first, last, step })
}

fn parse_errno(text: &str) -> Result<Errno, String> {
    if let Ok(n) = text.parse::<i32>() {
        return if (1..=4095).contains(&n) {
            Ok(Errno::new(n))
        } else {
            Err(format!("error={text}: an errno number is 1..4095"))
        };
    }
    (1..=4095)
        .map(Errno::new)
        .filter(|e| !e.is_restart())
        .find(|e| e.name() == Some(text))
        .ok_or_else(|| format!("no errno is named {text}"))
}

fn parse_retval(text: &str) -> Result<i64, String> {
    let value =
        parse_number(text).ok_or_else(|| format!("retval={text}: expected a number"))? as i64;
    if (-4095..0).contains(&value) {
        return Err(format!(
            "retval={text}: the program would read it as an error; use error= instead"
        ));
    }
    Ok(value)
}

fn parse_signal(text: &str) -> Option<i32> {
    match text.parse::<i32>() {
        Ok(n) => (1..=libc::SIGRTMAX()).contains(&n).then_some(n),
        Err(_) => signal_by_name(text),
    }
}

/// A signal by name: `SIGUSR1`, `USR1`, any case.
pub(super) fn signal_by_name(text: &str) -> Option<i32> {
    let upper = text.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    nix::sys::signal::Signal::iterator()
        .find(|s| s.as_str().strip_prefix("SIG") == Some(name))
        .map(|s| s as i32)
}

/// A syscall strace lets run in place of the call (`syscall=`): one of `%pure`, which
/// have no side effects.
fn parse_pure(name: &str) -> Result<&'static SyscallInfo, String> {
    let info = Syscall::by_name(name).ok_or_else(|| format!("no syscall is named {name}"))?;
    if !info.in_group("pure") {
        let pure: Vec<&str> = SYSCALLS
            .iter()
            .filter(|s| s.in_group("pure"))
            .map(|s| s.name)
            .collect();
        return Err(format!(
            "syscall={name}: only a call without side effects can run instead ({})",
            pure.join(", ")
        ));
    }
    Ok(info)
}

/// strace's time syntax: a decimal number, integer or not, then `s`, `ms`, `us` (the
/// default) or `ns`.
fn parse_delay(text: &str) -> Option<Duration> {
    let digits = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == 'e' || c == 'E' || c == '+'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let nanos_per_unit = match unit {
        "s" => 1e9,
        "ms" => 1e6,
        "" | "us" => 1e3,
        "ns" => 1.0,
        _ => return None,
    };
    let value: f64 = number.parse().ok()?;
    if !value.is_finite() || value < 0.0 {
        return None;
    }
    Duration::try_from_secs_f64(value * nanos_per_unit / 1e9).ok()
}

/// A C-style integer: decimal, `0x` hexadecimal or `0` octal, maybe negative (then
/// two's complement).
pub(super) fn parse_number(text: &str) -> Option<u64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let magnitude = if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        u64::from_str_radix(hex, 16).ok()?
    } else if digits.len() > 1
        && let Some(octal) = digits.strip_prefix('0')
    {
        u64::from_str_radix(octal, 8).ok()?
    } else {
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()?
    };
    if negative {
        Some(0u64.wrapping_sub(magnitude))
    } else {
        Some(magnitude)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn when_counts_as_strace_does() {
        let hits = |text: &str| -> Vec<u64> {
            let when = parse_when(text).unwrap();
            (1..=12).filter(|&n| when.hits(n)).collect()
        };
        assert_eq!(hits("3"), [3]);
        assert_eq!(hits("3+"), [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        assert_eq!(hits("3+4"), [3, 7, 11]);
        assert_eq!(hits("2..4"), [2, 3, 4]);
        assert_eq!(hits("2..4+"), [2, 3, 4]);
        assert_eq!(hits("2..4+2"), [2, 4]);
        assert_eq!(hits("1..10+3"), [1, 4, 7, 10]);
        for bad in ["0", "3..2", "1..65535", "x", "1+0", "", "2..", "65536"] {
            assert!(parse_when(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn delays_take_strace_units() {
        assert_eq!(parse_delay("500"), Some(Duration::from_micros(500)));
        assert_eq!(parse_delay("10ms"), Some(Duration::from_millis(10)));
        assert_eq!(parse_delay("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_delay("100ns"), Some(Duration::from_nanos(100)));
        assert_eq!(parse_delay("2us"), Some(Duration::from_micros(2)));
        for bad in ["", "1h", "-1", "ms", "1 s"] {
            assert_eq!(parse_delay(bad), None, "{bad}");
        }
    }

    #[test]
    fn numbers_are_c_integers() {
        assert_eq!(parse_number("42"), Some(42));
        assert_eq!(parse_number("0x1f"), Some(31));
        assert_eq!(parse_number("0644"), Some(0o644));
        assert_eq!(parse_number("0"), Some(0));
        assert_eq!(parse_number("-100"), Some(-100i64 as u64));
        assert_eq!(parse_number("O_CREAT"), None);
        assert_eq!(parse_number("09"), None);
    }

    fn problem(expr: &str) -> String {
        let error = Rule::parse(expr).expect_err(expr);
        assert_eq!(error.rule, expr);
        assert!(!error.to_string().contains('\n'), "one line: {error}");
        error.problem
    }

    fn number(name: &str) -> i64 {
        Syscall::by_name(name).unwrap().number
    }

    #[test]
    fn rules_parse_as_strace_spells_them() {
        let rule = Rule::parse("inject=openat:error=EACCES:if=pathname=/etc/hostname").unwrap();
        assert_eq!(
            rule.to_string(),
            "inject=openat:error=EACCES:if=pathname=/etc/hostname"
        );
        assert!(rule.applies_to(number("openat")) && !rule.applies_to(number("open")));
        assert_eq!(rule.action().answer, Some(Answer::Error(Errno::EACCES)));
        assert_eq!(rule.when(), When::default());

        let rule = Rule::parse("inject=write,writev:retval=1:when=2").unwrap();
        assert_eq!(rule.action().answer, Some(Answer::Retval(1)));
        assert!(rule.applies_to(number("writev")));
        assert_eq!(
            rule.when(),
            When {
                first: 2,
                last: None,
                step: 0
            }
        );

        let rule = Rule::parse("fault=getpid").unwrap();
        assert_eq!(rule.action().answer, Some(Answer::Error(Errno::ENOSYS)));

        let rule = Rule::parse("inject=!write:signal=SIGUSR1").unwrap();
        assert!(!rule.applies_to(number("write")) && rule.applies_to(number("read")));

        let rule = Rule::parse("inject=?no_such_call,read:delay_enter=1ms:delay_exit=2").unwrap();
        assert_eq!(rule.action().delay_enter, Some(Duration::from_millis(1)));
        assert_eq!(rule.action().delay_exit, Some(Duration::from_micros(2)));

        let rule = Rule::parse("inject=/^open:error=ENOENT").unwrap();
        for name in ["open", "openat", "openat2"] {
            assert!(rule.applies_to(number(name)), "{name}");
        }
        assert!(!rule.applies_to(number("read")));

        let rule = Rule::parse("inject=openat:error=EPERM:syscall=getpid").unwrap();
        assert_eq!(rule.action().syscall.map(|s| s.name), Some("getpid"));
    }

    #[test]
    fn a_class_keeps_the_calls_a_predicate_fits() {
        let rule = Rule::parse("inject=%file:error=EACCES:if=pathname~/etc/*").unwrap();
        for name in ["open", "openat", "creat", "unlinkat"] {
            assert!(rule.applies_to(number(name)), "{name}");
        }
        // Only the calls that have the argument stay.
        for info in SYSCALLS.iter().filter(|s| rule.applies_to(s.number)) {
            assert!(
                info.args.iter().any(|a| a.name == "pathname"),
                "{}",
                info.name
            );
        }
        let rule = Rule::parse("inject=%file:error=EROFS:if=flags&O_CREAT").unwrap();
        assert!(rule.applies_to(number("openat")) && !rule.applies_to(number("unlinkat")));
        assert!(problem("inject=%desc:error=EIO:if=nonesuch=1").contains("nonesuch"));
    }

    #[test]
    fn bad_rules_say_what_is_wrong() {
        let cases = [
            (
                "inject=openat:error=EACCES:if=pathnme=/x",
                "openat has no argument named pathnme",
            ),
            ("inject=openat:error=EACCES:if=flags&O_BOGUS", "O_BOGUS"),
            ("inject=openat:error=EACCES:if=dirfd=AT_FDCWDX", "AT_FDCWDX"),
            (
                "inject=openat:error=EACCES:if=flags~O_*",
                "~ compares strings",
            ),
            (
                "inject=openat:error=EACCES:if=pathname&1",
                "& tests flag bits",
            ),
            (
                "inject=openat:error=EACCES:if=pathname",
                "expected ARG=VALUE",
            ),
            (
                "inject=no_such_call:error=EIO",
                "invalid system call 'no_such_call'",
            ),
            (
                "inject=%nothing:error=EIO",
                "invalid system call '%nothing'",
            ),
            ("inject=/(:error=EIO", "invalid regular expression '('"),
            ("inject=write", "give at least one of"),
            ("inject=write:error=EIO:retval=1", "one error= or retval="),
            ("inject=write:error=EWHAT", "no errno is named EWHAT"),
            ("inject=write:retval=-1", "use error="),
            ("inject=write:signal=SIGWHAT", "no such signal"),
            (
                "inject=write:error=EIO:syscall=openat",
                "without side effects",
            ),
            (
                "inject=write:syscall=getpid:signal=SIGUSR1",
                "syscall= needs error=",
            ),
            ("inject=write:delay_enter=1h", "delay_enter=1h"),
            ("inject=write:error=EIO:when=0", "when=0"),
            (
                "inject=write:error=EIO:poke_enter=@arg1=00",
                "not supported",
            ),
            (
                "inject=write:error=EIO:whenever=1",
                "unknown token 'whenever=1'",
            ),
            ("fault=write:retval=1", "not allowed in fault="),
            ("inject=:error=EIO", "no syscall set"),
            ("trace=write", "expected inject="),
        ];
        for (expr, expected) in cases {
            let problem = problem(expr);
            assert!(problem.contains(expected), "{expr}: {problem}");
        }
    }

    #[test]
    fn errnos_and_signals_by_name_or_number() {
        assert_eq!(parse_errno("EACCES"), Ok(Errno::EACCES));
        assert_eq!(parse_errno("5"), Ok(Errno::EIO));
        assert!(parse_errno("EWHAT").unwrap_err().contains("EWHAT"));
        assert!(parse_errno("ERESTARTSYS").is_err());
        assert_eq!(parse_signal("SIGUSR1"), Some(libc::SIGUSR1));
        assert_eq!(parse_signal("usr2"), Some(libc::SIGUSR2));
        assert_eq!(parse_signal("9"), Some(9));
        assert_eq!(parse_signal("SIGWHAT"), None);
    }
}
