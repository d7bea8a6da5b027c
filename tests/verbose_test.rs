//! `-v` and `-e abbrev=`: the structures strace abbreviates (`struct stat`, `statx`,
//! `utsname`) are shown short by default and with every field outside the abbreviated
//! calls, checked against what the system says of the same files and of itself (the
//! byte-for-byte comparison with strace is tests/decode_test.rs's `*_verbose` tests).

mod common;

use common::{compile_c, scratch_dir};
use std::os::unix::fs::MetadataExt;

/// The syscall lines of `decode_calls stat` traced with `options`, without pid prefixes.
fn stat_lines(test: &str, options: &[&str]) -> Option<Vec<String>> {
    let dir = scratch_dir(&format!("verbose_{test}"));
    let program = compile_c("decode_calls", &dir)?;
    let out = dir.join("trace.txt");
    let mut args = vec![
        "-qq",
        "-e",
        "trace=newfstatat,statx,uname",
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend(options);
    args.extend([program.to_str().unwrap(), "stat"]);
    let run = common::interpose(&args);
    assert!(run.status.success(), "{test}: {}", run.stderr);
    let text = std::fs::read_to_string(&out).unwrap();
    let lines = common::parse_trace(&text);
    Some(lines.iter().map(|l| common::unpad(&l.text)).collect())
}

/// The one line that starts with `start`.
fn line<'a>(lines: &'a [String], start: &str) -> &'a str {
    let found: Vec<&String> = lines.iter().filter(|l| l.starts_with(start)).collect();
    assert_eq!(found.len(), 1, "one line starting {start}: {lines:#?}");
    found[0]
}

fn kernel(name: &str) -> String {
    std::fs::read_to_string(format!("/proc/sys/kernel/{name}"))
        .unwrap()
        .trim_end()
        .to_string()
}

/// The start of `/dev/zero`'s `struct stat` in full, as lstat gives it: every field in
/// strace's order up to the times (which whatever reads the device changes).
fn full_stat_of_dev_zero() -> String {
    let m = std::fs::symlink_metadata("/dev/zero").unwrap();
    let dev = |d: u64| {
        let hex = |v: u64| match v {
            0 => "0".to_string(),
            v => format!("{v:#x}"),
        };
        format!(
            "makedev({}, {})",
            hex(libc::major(d) as u64),
            hex(libc::minor(d) as u64)
        )
    };
    format!(
        "{{st_dev={}, st_ino={}, st_mode=S_IFCHR|0666, st_nlink={}, st_uid={}, st_gid={}, \
         st_blksize={}, st_blocks={}, st_rdev={}, st_atime=",
        dev(m.dev()),
        m.ino(),
        m.nlink(),
        m.uid(),
        m.gid(),
        m.blksize(),
        m.blocks(),
        dev(m.rdev()),
    )
}

#[test]
fn structures_are_abbreviated_by_default() {
    let Some(lines) = stat_lines("default", &[]) else {
        return;
    };
    assert_eq!(
        line(&lines, r#"newfstatat(AT_FDCWD, "/dev/zero""#),
        r#"newfstatat(AT_FDCWD, "/dev/zero", {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x5), ...}, AT_SYMLINK_NOFOLLOW) = 0"#
    );
    let statx = line(&lines, r#"statx(AT_FDCWD, "/etc/passwd""#);
    let passwd = std::fs::metadata("/etc/passwd").unwrap();
    assert!(
        statx.contains(&format!(
            ", stx_mode=S_IFREG|0{:o}, stx_size={}, ...}}) = 0",
            passwd.mode() & 0o777,
            passwd.size()
        )),
        "{statx}"
    );
    assert_eq!(
        line(&lines, "uname("),
        format!(
            r#"uname({{sysname="Linux", nodename="{}", ...}}) = 0"#,
            kernel("hostname")
        )
    );
}

#[test]
fn v_shows_every_field() {
    let Some(lines) = stat_lines("v", &["-v"]) else {
        return;
    };
    let lstat = line(&lines, r#"newfstatat(AT_FDCWD, "/dev/zero""#);
    assert!(lstat.contains(&full_stat_of_dev_zero()), "{lstat}");
    assert!(
        lstat.contains(" */, st_atime_nsec=")
            && lstat.contains(" */, st_ctime_nsec=")
            && lstat.ends_with("}, AT_SYMLINK_NOFOLLOW) = 0"),
        "{lstat}"
    );
    assert!(!lstat.contains("..."), "{lstat}");
    let statx = line(&lines, r#"statx(AT_FDCWD, "/etc/passwd""#);
    let ino = std::fs::metadata("/etc/passwd").unwrap().ino();
    assert!(
        statx.contains(&format!(", stx_ino={ino}, ")) && statx.contains(", stx_mtime={tv_sec="),
        "{statx}"
    );
    assert_eq!(
        line(&lines, "uname("),
        format!(
            r#"uname({{sysname="Linux", nodename="{}", release="{}", version="{}", machine="x86_64", domainname="{}"}}) = 0"#,
            kernel("hostname"),
            kernel("osrelease"),
            kernel("version"),
            kernel("domainname"),
        )
    );
}

/// `-e abbrev=none` is `-v`; `-e abbrev=SET` abbreviates only the calls in SET.
#[test]
fn abbrev_sets_choose_the_calls() {
    let (Some(none), Some(v), Some(set)) = (
        stat_lines("none", &["-e", "abbrev=none"]),
        stat_lines("v_again", &["-v"]),
        stat_lines("set", &["-e", "abbrev=statx"]),
    ) else {
        return;
    };
    let dev_zero = r#"newfstatat(AT_FDCWD, "/dev/zero""#;
    assert_eq!(line(&none, dev_zero), line(&v, dev_zero));
    assert!(line(&set, dev_zero).contains(&full_stat_of_dev_zero()));
    let statx = line(&set, r#"statx(AT_FDCWD, "/dev/null""#);
    assert!(
        statx.contains(", stx_mode=S_IFCHR|0666, stx_size=0, ...}) = 0"),
        "{statx}"
    );
    assert!(!line(&set, "uname(").contains("..."));
}

/// `-X raw` and `-X verbose` spell device numbers as numbers, in full form too.
#[test]
fn device_numbers_follow_x() {
    let (Some(raw), Some(verbose)) = (
        stat_lines("x_raw", &["-v", "-X", "raw"]),
        stat_lines("x_verbose", &["-v", "-X", "verbose"]),
    ) else {
        return;
    };
    let m = std::fs::symlink_metadata("/dev/zero").unwrap();
    let dev_zero = r#"newfstatat(-100, "/dev/zero""#;
    let numbers = line(&raw, dev_zero);
    assert!(
        numbers.contains(&format!("{{st_dev={:#x}, st_ino={}, ", m.dev(), m.ino()))
            && numbers.contains(&format!(", st_rdev={:#x}, st_atime=", m.rdev())),
        "{numbers}"
    );
    let both = line(&verbose, r#"newfstatat(-100 /* AT_FDCWD */, "/dev/zero""#);
    assert!(
        both.contains(&format!(
            ", st_rdev={:#x} /* makedev(0x1, 0x5) */, st_atime=",
            m.rdev()
        )),
        "{both}"
    );
}
