//! Unit tests of the text spelling of values.

use super::*;

fn quote(bytes: &[u8], strings: StringStyle) -> String {
    let mut out = String::new();
    quoted_with(&mut out, bytes, strings);
    out
}

#[test]
fn strings_are_spelled_as_strace_spells_them() {
    // Short octal unless an octal digit follows; 8 and 9 cannot extend it.
    assert_eq!(
        quote(b"\x01a\x017\x018", StringStyle::Escaped),
        r#""\1a\0017\18""#
    );
    assert_eq!(quote(b"a\tb\n", StringStyle::HexNonAscii), r#""a\tb\n""#);
    assert_eq!(
        quote(b"ab\x01", StringStyle::HexNonAscii),
        r#""\x61\x62\x01""#
    );
    assert_eq!(quote(b"\x7f", StringStyle::HexNonAscii), r#""\x7f""#);
    assert_eq!(quote(b"/a", StringStyle::HexAll), r#""\x2f\x61""#);
    assert_eq!(quote(b"", StringStyle::HexAll), r#""""#);
}

#[test]
fn entries_random_bytes_and_modes_are_spelled_as_strace_spells_them() {
    let spelled = |v: &Value| {
        let mut out = String::new();
        value(&mut out, v);
        out
    };
    let entry = Value::Struct(vec![("d_reclen", Value::Uint(24))]);
    let entries = Value::Entries {
        addr: 0x55d0,
        items: vec![entry.clone(), entry],
    };
    assert_eq!(spelled(&entries), "0x55d0 /* 2 entries */");
    let bytes = Value::Bytes {
        bytes: b"ab\x01".to_vec(),
        complete: false,
    };
    assert_eq!(spelled(&bytes), r#""\x61\x62\x01"..."#);
    let mut out = String::new();
    result(&mut out, 0o22, RetKind::Mode);
    assert_eq!(out, "= 022");
    out.clear();
    result(&mut out, 2, RetKind::Mode);
    assert_eq!(out, "= 002");
}

#[test]
fn points_in_time_are_dated_as_strace_dates_them() {
    let mut out = String::new();
    value(
        &mut out,
        &Value::Time {
            sec: 1_000_000_000,
            nsec: 5,
        },
    );
    // The zone is the process's; the tests run with whatever TZ the machine has, so
    // only the part before the offset is fixed when the zone is UTC.
    let zone = LocalZone::from_env();
    if zone.offset_at(1_000_000_000) == 0 {
        assert_eq!(
            out,
            "{tv_sec=1000000000, tv_nsec=5} /* 2001-09-09T01:46:40.000000005+0000 */"
        );
    }
    assert_eq!(civil_from_days(0), (1970, 1, 1));
    assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    assert_eq!(civil_from_days(-1), (1969, 12, 31));
    out.clear();
    value(&mut out, &Value::Device { major: 1, minor: 0 });
    assert_eq!(out, "makedev(0x1, 0)");
    // strace's sprinttime_nsec: no date for the epoch itself, nor for nanoseconds out
    // of range.
    let spelled = |v: Value| {
        let mut out = String::new();
        value(&mut out, &v);
        out
    };
    assert_eq!(spelled(Value::EpochSeconds { sec: 0, nsec: 0 }), "0");
    assert_eq!(
        spelled(Value::EpochSeconds {
            sec: 5,
            nsec: 1_000_000_000
        }),
        "5"
    );
    assert!(spelled(Value::EpochSeconds { sec: 0, nsec: 1 }).starts_with("0 /* 1970-01-01T"));
    assert_eq!(
        spelled(Value::Time { sec: 0, nsec: 0 }),
        "{tv_sec=0, tv_nsec=0}"
    );
}

#[test]
fn both_forms_and_indexed_arrays_are_spelled_as_strace_spells_them() {
    let spelled = |v: &Value| {
        let mut out = String::new();
        value(&mut out, v);
        out
    };
    let cc = Value::Indexed(vec![("VINTR", Value::Hex(3)), ("17", Value::Hex(0))]);
    assert_eq!(spelled(&cc), "[[VINTR]=0x3, [17]=0]");
    let stat = Value::abbreviable(
        vec![
            ("st_ino", Value::Uint(7)),
            ("st_mode", Value::FileMode(0o100644)),
            ("c_cc", cc),
        ],
        &["st_mode"],
    );
    // Unresolved, the short form; resolved, the form the call's style asks for.
    assert_eq!(spelled(&stat), "{st_mode=S_IFREG|0644, ...}");
    assert_eq!(
        spelled(&stat.clone().abbreviated(true)),
        "{st_mode=S_IFREG|0644, ...}"
    );
    assert_eq!(
        spelled(&stat.abbreviated(false)),
        "{st_ino=7, st_mode=S_IFREG|0644, c_cc=[[VINTR]=0x3, [17]=0]}"
    );
    let items: Vec<Value> = (0..4).map(Value::Uint).collect();
    let array = Value::abbreviable_array(items.clone(), false, 2);
    assert_eq!(spelled(&array), "[0, 1, ...]");
    assert_eq!(spelled(&array.abbreviated(false)), "[0, 1, 2, 3]");
    assert_eq!(
        spelled(&Value::abbreviable_array(items.clone(), false, 0)),
        "[...]"
    );
    assert_eq!(
        spelled(&Value::abbreviable_array(items, false, 4)),
        "[0, 1, 2, 3]"
    );
}

#[test]
fn descriptors_are_spelled_as_strace_spells_them() {
    let about = |path: &[u8], deleted, kind| {
        let mut out = String::new();
        let path = (!path.is_empty()).then(|| path.to_vec());
        fd_about(
            &mut out,
            &FdAbout {
                path,
                deleted,
                kind,
            },
        );
        out
    };
    // Checked against strace 6.1 -y on files with these names.
    assert_eq!(
        about(b"/tmp/we<ird>\"n\\ame", false, FdKind::File),
        r#"</tmp/we\74ird\76\"n\\ame>"#
    );
    assert_eq!(
        about("/tmp/tab\t\u{e9}".as_bytes(), false, FdKind::File),
        r"</tmp/tab\t\303\251>"
    );
    assert_eq!(
        about(b"/memfd:x", true, FdKind::File),
        "</memfd:x>(deleted)"
    );
    let null = FdKind::Device {
        block: false,
        major: 1,
        minor: 3,
    };
    assert_eq!(about(b"/dev/null", false, null), "</dev/null<char 1:3>>");
    let socket = FdKind::Socket("TCP:[127.0.0.1:80]".into());
    assert_eq!(about(b"", false, socket), "<TCP:[127.0.0.1:80]>");
    assert_eq!(about(b"", false, FdKind::Pidfd(42)), "<pid:42>");
}

#[test]
fn times_are_spelled_as_strace_spells_them() {
    let time = UNIX_EPOCH + Duration::from_micros(1_700_000_000_123_456);
    let mut out = String::new();
    time_of_day(&mut out, time, &LocalZone::default(), true);
    assert_eq!(out, "22:13:20.123456");
    out.clear();
    epoch_time(&mut out, time);
    assert_eq!(out, "1700000000.123456");
    out.clear();
    relative_time(&mut out, Duration::from_micros(123));
    assert_eq!(out, "     0.000123");
    out.clear();
    duration(&mut out, Duration::from_micros(1_000_012));
    assert_eq!(out, "<1.000012>");
}
