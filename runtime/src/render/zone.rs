//! The local time zone, for strace's `-t` and `-tt`: read from the zone file (tzfile(5))
//! and its POSIX `TZ` rule, as `localtime(3)` reads them, in safe code.

/// The local time zone as `localtime(3)` finds it: `TZ` (a zone file name, or a POSIX
/// rule such as `CET-1CEST,M3.5.0,M10.5.0/3`), else `/etc/localtime`; UTC when neither
/// can be read. Offsets come from the zone file's transitions, and past its last one from
/// the POSIX rule at its end.
#[derive(Clone, Debug, Default)]
pub struct LocalZone {
    /// `(first second, offset east of UTC)`, in time order.
    transitions: Vec<(i64, i32)>,
    /// The offset before the first transition.
    initial: i32,
    /// The rule after the last transition.
    rule: Option<PosixRule>,
}

impl LocalZone {
    /// The zone of this process's environment.
    pub fn from_env() -> LocalZone {
        let tz = std::env::var_os("TZ");
        let Some(tz) = tz else {
            return LocalZone::from_file("/etc/localtime").unwrap_or_default();
        };
        let tz = tz.to_string_lossy();
        let name = tz.strip_prefix(':').unwrap_or(&tz);
        if name.is_empty() {
            return LocalZone::default();
        }
        let path = if name.starts_with('/') {
            name.to_string()
        } else {
            let dir = std::env::var("TZDIR").unwrap_or_else(|_| "/usr/share/zoneinfo".into());
            format!("{dir}/{name}")
        };
        LocalZone::from_file(&path)
            .or_else(|| {
                PosixRule::parse(name).map(|rule| LocalZone {
                    initial: rule.std,
                    rule: Some(rule),
                    ..LocalZone::default()
                })
            })
            .unwrap_or_default()
    }

    /// Reads a TZif file (tzfile(5)).
    fn from_file(path: &str) -> Option<LocalZone> {
        let data = std::fs::read(path).ok()?;
        let v1 = TzifHeader::parse(&data)?;
        let (header, body, time_size) = if v1.version >= b'2' {
            // The 64-bit data follow the 32-bit block; the POSIX rule follows them.
            let next = &data[44 + v1.block_len(4)..];
            (TzifHeader::parse(next)?, &next[44..], 8)
        } else {
            (v1, &data[44..], 4)
        };
        let times_len = header.timecnt * time_size;
        let types_at = times_len + header.timecnt;
        let chars_at = types_at + header.typecnt * 6;
        if body.len() < chars_at {
            return None;
        }
        let offset_of = |index: usize| -> Option<i32> {
            let at = types_at + index * 6;
            let raw = body.get(at..at + 4)?;
            Some(i32::from_be_bytes(raw.try_into().ok()?))
        };
        let mut transitions = Vec::with_capacity(header.timecnt);
        for i in 0..header.timecnt {
            let raw = &body[i * time_size..(i + 1) * time_size];
            let at = if time_size == 8 {
                i64::from_be_bytes(raw.try_into().ok()?)
            } else {
                i64::from(i32::from_be_bytes(raw.try_into().ok()?))
            };
            let index = usize::from(body[times_len + i]);
            transitions.push((at, offset_of(index)?));
        }
        // Before the first transition: the first standard-time type (tzfile(5)).
        let initial = (0..header.typecnt)
            .find(|&i| body.get(types_at + i * 6 + 4) == Some(&0))
            .map_or(offset_of(0), offset_of)
            .unwrap_or(0);
        let rule = if time_size == 8 {
            let footer = &body[header.block_len(8)..];
            let text = std::str::from_utf8(footer).ok()?;
            text.trim_matches('\n')
                .lines()
                .next()
                .and_then(PosixRule::parse)
        } else {
            None
        };
        Some(LocalZone {
            transitions,
            initial,
            rule,
        })
    }

    /// Seconds east of UTC at `secs` since the epoch.
    pub fn offset_at(&self, secs: i64) -> i32 {
        let after = self.transitions.partition_point(|&(at, _)| at <= secs);
        match (after, &self.rule) {
            (n, Some(rule)) if n == self.transitions.len() => rule.offset_at(secs),
            (0, _) => self.initial,
            (n, _) => self.transitions[n - 1].1,
        }
    }
}

/// The counts of a TZif header.
struct TzifHeader {
    version: u8,
    isutcnt: usize,
    isstdcnt: usize,
    leapcnt: usize,
    timecnt: usize,
    typecnt: usize,
    charcnt: usize,
}

impl TzifHeader {
    fn parse(data: &[u8]) -> Option<TzifHeader> {
        if data.len() < 44 || &data[..4] != b"TZif" {
            return None;
        }
        let count = |i: usize| -> usize {
            let at = 20 + i * 4;
            u32::from_be_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]]) as usize
        };
        Some(TzifHeader {
            version: data[4],
            isutcnt: count(0),
            isstdcnt: count(1),
            leapcnt: count(2),
            timecnt: count(3),
            typecnt: count(4),
            charcnt: count(5),
        })
    }

    /// The length of the data block after the header, with `time_size`-byte times.
    fn block_len(&self, time_size: usize) -> usize {
        self.timecnt * (time_size + 1)
            + self.typecnt * 6
            + self.charcnt
            + self.leapcnt * (time_size + 4)
            + self.isstdcnt
            + self.isutcnt
    }
}

/// A POSIX `TZ` rule: `std offset [dst [offset] [,start[/time],end[/time]]]`.
#[derive(Clone, Debug)]
struct PosixRule {
    /// Standard time, seconds east of UTC.
    std: i32,
    /// Daylight saving time and when it starts and ends, if the zone has it.
    dst: Option<(i32, RuleDate, RuleDate)>,
}

/// A day of the year a rule switches on, and the local time of the switch in seconds.
#[derive(Clone, Copy, Debug)]
enum RuleDate {
    /// `Jn`: day 1 to 365, February 29 never counted.
    Julian(i64, i64),
    /// `n`: day 0 to 365, February 29 counted.
    Zero(i64, i64),
    /// `Mm.w.d`: day `d` (0 = Sunday) of week `w` (5 = the last) of month `m`.
    Month(i64, i64, i64, i64),
}

impl PosixRule {
    fn parse(text: &str) -> Option<PosixRule> {
        let mut rest = text;
        skip_name(&mut rest)?;
        let std = -parse_clock(&mut rest)?;
        if rest.is_empty() {
            return Some(PosixRule { std, dst: None });
        }
        skip_name(&mut rest)?;
        let dst_offset = match rest.chars().next() {
            Some(c) if c != ',' => -parse_clock(&mut rest)?,
            _ => std + 3600,
        };
        // Without dates, the US rule (as glibc assumes).
        let (start, end) = if rest.is_empty() {
            (
                RuleDate::Month(3, 2, 0, 7200),
                RuleDate::Month(11, 1, 0, 7200),
            )
        } else {
            rest = rest.strip_prefix(',')?;
            let start = parse_date(&mut rest)?;
            rest = rest.strip_prefix(',')?;
            let end = parse_date(&mut rest)?;
            (start, end)
        };
        Some(PosixRule {
            std,
            dst: Some((dst_offset, start, end)),
        })
    }

    fn offset_at(&self, secs: i64) -> i32 {
        let Some((dst, start, end)) = self.dst else {
            return self.std;
        };
        let year = civil_year((secs + i64::from(self.std)).div_euclid(86_400));
        // Each switch happens at a local time of the offset in force before it.
        let starts = start.local_seconds(year) - i64::from(self.std);
        let ends = end.local_seconds(year) - i64::from(dst);
        let in_dst = if starts < ends {
            starts <= secs && secs < ends
        } else {
            // Southern hemisphere: daylight time spans the new year.
            !(ends <= secs && secs < starts)
        };
        if in_dst { dst } else { self.std }
    }
}

impl RuleDate {
    /// Seconds from the epoch to the switch, in local time, in `year`.
    fn local_seconds(self, year: i64) -> i64 {
        let jan1 = days_from_civil(year, 1, 1);
        let (day, time) = match self {
            RuleDate::Julian(n, time) => {
                let leap_shift = i64::from(is_leap(year) && n >= 60);
                (jan1 + n - 1 + leap_shift, time)
            }
            RuleDate::Zero(n, time) => (jan1 + n, time),
            RuleDate::Month(month, week, weekday, time) => {
                let first = days_from_civil(year, month, 1);
                // 1970-01-01 was a Thursday (4).
                let first_weekday = (first + 4).rem_euclid(7);
                let mut day = first + (weekday - first_weekday).rem_euclid(7) + (week - 1) * 7;
                let next_month = if month == 12 {
                    days_from_civil(year + 1, 1, 1)
                } else {
                    days_from_civil(year, month + 1, 1)
                };
                while day >= next_month {
                    day -= 7;
                }
                (day, time)
            }
        };
        day * 86_400 + time
    }
}

/// Skips a zone abbreviation: letters, or anything between `<` and `>`.
fn skip_name(rest: &mut &str) -> Option<()> {
    let len = if let Some(quoted) = rest.strip_prefix('<') {
        quoted.find('>')? + 2
    } else {
        rest.find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len())
    };
    if len < 3 {
        return None;
    }
    *rest = &rest[len..];
    Some(())
}

/// `[+-]hh[:mm[:ss]]` in seconds.
fn parse_clock(rest: &mut &str) -> Option<i32> {
    let sign = match rest.chars().next()? {
        '-' => -1,
        '+' => 1,
        _ => 0,
    };
    if sign != 0 {
        *rest = &rest[1..];
    }
    let end = rest
        .find(|c: char| !c.is_ascii_digit() && c != ':')
        .unwrap_or(rest.len());
    let mut seconds = 0;
    for (i, part) in rest[..end].split(':').enumerate() {
        let value: i32 = part.parse().ok()?;
        seconds += value * [3600, 60, 1].get(i)?;
    }
    *rest = &rest[end..];
    Some(if sign < 0 { -seconds } else { seconds })
}

/// A rule date with its optional `/time` (02:00 by default).
fn parse_date(rest: &mut &str) -> Option<RuleDate> {
    let number = |rest: &mut &str| -> Option<i64> {
        let end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let value = rest[..end].parse().ok()?;
        *rest = &rest[end..];
        Some(value)
    };
    let date = if let Some(after) = rest.strip_prefix('J') {
        *rest = after;
        (Some(number(rest)?), None)
    } else if let Some(after) = rest.strip_prefix('M') {
        *rest = after;
        let month = number(rest)?;
        *rest = rest.strip_prefix('.')?;
        let week = number(rest)?;
        *rest = rest.strip_prefix('.')?;
        let weekday = number(rest)?;
        (None, Some((month, week, weekday)))
    } else {
        (None, None)
    };
    let zero_based = match date {
        (None, None) => Some(number(rest)?),
        _ => None,
    };
    let time = match rest.strip_prefix('/') {
        Some(after) => {
            *rest = after;
            i64::from(parse_clock(rest)?)
        }
        None => 7200,
    };
    Some(match (date, zero_based) {
        ((Some(n), _), _) => RuleDate::Julian(n, time),
        ((_, Some((m, w, d))), _) => RuleDate::Month(m, w, d, time),
        (_, n) => RuleDate::Zero(n?, time),
    })
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days from 1970-01-01 to `year-month-day` (proleptic Gregorian).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The year of the day `days` after 1970-01-01.
fn civil_year(days: i64) -> i64 {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    yoe + era * 400 + i64::from(month <= 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2024-03-31 00:59:59 UTC, a second before Europe's summer time (01:00 UTC).
    const BEFORE_SUMMER: i64 = 1_711_846_799;
    /// 2024-10-27 00:59:59 UTC, a second before it ends.
    const BEFORE_WINTER: i64 = 1_729_990_799;

    #[test]
    fn posix_rules_switch_at_the_right_second() {
        let paris = PosixRule::parse("CET-1CEST,M3.5.0,M10.5.0/3").unwrap();
        assert_eq!(paris.offset_at(BEFORE_SUMMER), 3600);
        assert_eq!(paris.offset_at(BEFORE_SUMMER + 1), 7200);
        assert_eq!(paris.offset_at(BEFORE_WINTER), 7200);
        assert_eq!(paris.offset_at(BEFORE_WINTER + 1), 3600);
        // Southern hemisphere: daylight time spans the new year.
        let sydney = PosixRule::parse("AEST-10AEDT,M10.1.0,M4.1.0/3").unwrap();
        assert_eq!(sydney.offset_at(1_704_067_200), 11 * 3600); // 2024-01-01
        assert_eq!(sydney.offset_at(1_719_792_000), 10 * 3600); // 2024-07-01
        let fixed = PosixRule::parse("<+0530>-5:30").unwrap();
        assert_eq!(fixed.offset_at(0), 5 * 3600 + 1800);
        assert!(PosixRule::parse("X").is_none());
    }

    #[test]
    fn zone_files_agree_with_their_rule() {
        let Some(paris) = LocalZone::from_file("/usr/share/zoneinfo/Europe/Paris") else {
            eprintln!("skipped: no /usr/share/zoneinfo/Europe/Paris");
            return;
        };
        assert_eq!(paris.offset_at(BEFORE_SUMMER), 3600);
        assert_eq!(paris.offset_at(BEFORE_SUMMER + 1), 7200);
        // Past the file's last transition, the POSIX rule at its end decides.
        let far = BEFORE_WINTER + 40 * 365 * 86_400;
        let rule = PosixRule::parse("CET-1CEST,M3.5.0,M10.5.0/3").unwrap();
        assert_eq!(paris.offset_at(far), rule.offset_at(far));
        assert_eq!(LocalZone::default().offset_at(BEFORE_SUMMER), 0);
    }

    #[test]
    fn civil_dates_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2024, 3, 1), 19_783);
        assert_eq!(civil_year(19_783), 2024);
        assert_eq!(civil_year(-1), 1969);
    }
}
