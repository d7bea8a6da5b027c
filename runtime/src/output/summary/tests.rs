//! The table against tables strace 6.1 printed for the same numbers.

use super::*;

/// Records `calls` calls of `name` totalling `nanos` nanoseconds (all of it on the
/// first call), the first `errors` of them failed.
fn add(s: &mut Summary, name: &str, calls: u64, errors: u64, nanos: u64) {
    for i in 0..calls {
        let time = if i == 0 {
            Duration::from_nanos(nanos)
        } else {
            Duration::ZERO
        };
        s.record(name, time, i < errors);
    }
}

/// A summary of rows (name, calls, errors, total microseconds).
fn summary(sort_by: SortBy, rows: &[(&str, u64, u64, u64)]) -> Summary {
    let mut s = Summary::new(sort_by);
    for &(name, calls, errors, micros) in rows {
        add(&mut s, name, calls, errors, micros * 1000);
    }
    s
}

/// A summary of rows (name, calls, errors, total nanoseconds).
fn summary_nanos(sort_by: SortBy, rows: &[(&str, u64, u64, u64)]) -> Summary {
    let mut s = Summary::new(sort_by);
    for &(name, calls, errors, nanos) in rows {
        add(&mut s, name, calls, errors, nanos);
    }
    s
}

/// Counts of `strace -f -c -o /tmp/x ls -la /usr` (strace 6.1, this machine), as
/// (name, calls, errors, microseconds), in the order strace printed them.
const LS_LA_USR: &[(&str, u64, u64, u64)] = &[
    ("openat", 44, 19, 777),
    ("close", 31, 0, 472),
    ("newfstatat", 31, 0, 431),
    ("getxattr", 28, 28, 425),
    ("read", 13, 0, 372),
    ("mmap", 30, 0, 261),
    ("lgetxattr", 14, 14, 246),
    ("statx", 14, 0, 219),
    ("getdents64", 2, 0, 100),
    ("socket", 4, 0, 85),
    ("connect", 4, 4, 80),
    ("lseek", 3, 0, 43),
    ("ioctl", 2, 2, 30),
    ("access", 2, 2, 25),
    ("futex", 1, 0, 18),
    ("write", 1, 0, 17),
    ("mprotect", 5, 0, 0),
    ("munmap", 1, 0, 0),
    ("brk", 3, 0, 0),
    ("pread64", 2, 0, 0),
    ("execve", 1, 0, 0),
    ("statfs", 2, 2, 0),
    ("arch_prctl", 1, 0, 0),
    ("set_tid_address", 1, 0, 0),
    ("set_robust_list", 1, 0, 0),
    ("prlimit64", 1, 0, 0),
    ("getrandom", 1, 0, 0),
    ("rseq", 1, 0, 0),
];

#[test]
fn summary_matches_strace_default_sort() {
    // strace 6.1's output for LS_LA_USR, verbatim. The zero-time rows show that ties
    // keep syscall-number order (mprotect 10, munmap 11, brk 12, pread64 17, ...).
    let expected = "\
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 21.58    0.000777          17        44        19 openat
 13.11    0.000472          15        31           close
 11.97    0.000431          13        31           newfstatat
 11.80    0.000425          15        28        28 getxattr
 10.33    0.000372          28        13           read
  7.25    0.000261           8        30           mmap
  6.83    0.000246          17        14        14 lgetxattr
  6.08    0.000219          15        14           statx
  2.78    0.000100          50         2           getdents64
  2.36    0.000085          21         4           socket
  2.22    0.000080          20         4         4 connect
  1.19    0.000043          14         3           lseek
  0.83    0.000030          15         2         2 ioctl
  0.69    0.000025          12         2         2 access
  0.50    0.000018          18         1           futex
  0.47    0.000017          17         1           write
  0.00    0.000000           0         5           mprotect
  0.00    0.000000           0         1           munmap
  0.00    0.000000           0         3           brk
  0.00    0.000000           0         2           pread64
  0.00    0.000000           0         1           execve
  0.00    0.000000           0         2         2 statfs
  0.00    0.000000           0         1           arch_prctl
  0.00    0.000000           0         1           set_tid_address
  0.00    0.000000           0         1           set_robust_list
  0.00    0.000000           0         1           prlimit64
  0.00    0.000000           0         1           getrandom
  0.00    0.000000           0         1           rseq
------ ----------- ----------- --------- --------- ----------------
100.00    0.003601          14       244        71 total
";
    assert_eq!(summary(SortBy::Time, LS_LA_USR).table(), expected);
    // Recording order does not matter.
    let reversed: Vec<_> = LS_LA_USR.iter().rev().copied().collect();
    assert_eq!(summary(SortBy::Time, &reversed).table(), expected);
    assert_eq!(summary(SortBy::default(), LS_LA_USR).table(), expected);
}

#[test]
fn summary_sort_by_calls() {
    // Same counts, `-S calls`: ties in syscall-number order (close 3 before newfstatat
    // 262; ioctl 16, pread64 17, access 21, statfs 137, getdents64 217).
    let expected = "\
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 21.58    0.000777          17        44        19 openat
 13.11    0.000472          15        31           close
 11.97    0.000431          13        31           newfstatat
  7.25    0.000261           8        30           mmap
 11.80    0.000425          15        28        28 getxattr
  6.83    0.000246          17        14        14 lgetxattr
  6.08    0.000219          15        14           statx
 10.33    0.000372          28        13           read
  0.00    0.000000           0         5           mprotect
  2.36    0.000085          21         4           socket
  2.22    0.000080          20         4         4 connect
  1.19    0.000043          14         3           lseek
  0.00    0.000000           0         3           brk
  0.83    0.000030          15         2         2 ioctl
  0.00    0.000000           0         2           pread64
  0.69    0.000025          12         2         2 access
  0.00    0.000000           0         2         2 statfs
  2.78    0.000100          50         2           getdents64
  0.47    0.000017          17         1           write
  0.00    0.000000           0         1           munmap
  0.00    0.000000           0         1           execve
  0.00    0.000000           0         1           arch_prctl
  0.50    0.000018          18         1           futex
  0.00    0.000000           0         1           set_tid_address
  0.00    0.000000           0         1           set_robust_list
  0.00    0.000000           0         1           prlimit64
  0.00    0.000000           0         1           getrandom
  0.00    0.000000           0         1           rseq
------ ----------- ----------- --------- --------- ----------------
100.00    0.003601          14       244        71 total
";
    assert_eq!(summary(SortBy::Calls, LS_LA_USR).table(), expected);
}

#[test]
fn summary_sort_by_name() {
    // Transcribed from `strace -c -S name ls /nonexistent /usr` (strace 6.1).
    let counts = &[
        ("read", 7, 0, 69),
        ("write", 5, 0, 31),
        ("close", 23, 0, 186),
        ("mmap", 30, 0, 209),
        ("mprotect", 5, 0, 79),
        ("munmap", 1, 0, 18),
        ("brk", 3, 0, 25),
        ("ioctl", 2, 2, 15),
        ("pread64", 2, 0, 0),
        ("access", 2, 2, 13),
        ("execve", 1, 0, 0),
        ("statfs", 2, 2, 36),
        ("arch_prctl", 1, 0, 14),
        ("futex", 1, 0, 6),
        ("getdents64", 2, 0, 17),
        ("set_tid_address", 1, 0, 12),
        ("openat", 40, 19, 342),
        ("newfstatat", 22, 0, 155),
        ("set_robust_list", 1, 0, 13),
        ("prlimit64", 1, 0, 13),
        ("getrandom", 1, 0, 15),
        ("statx", 3, 2, 60),
        ("rseq", 1, 0, 12),
    ];
    let expected = "\
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
  0.97    0.000013           6         2         2 access
  1.04    0.000014          14         1           arch_prctl
  1.87    0.000025           8         3           brk
 13.88    0.000186           8        23           close
  0.00    0.000000           0         1           execve
  0.45    0.000006           6         1           futex
  1.27    0.000017           8         2           getdents64
  1.12    0.000015          15         1           getrandom
  1.12    0.000015           7         2         2 ioctl
 15.60    0.000209           6        30           mmap
  5.90    0.000079          15         5           mprotect
  1.34    0.000018          18         1           munmap
 11.57    0.000155           7        22           newfstatat
 25.52    0.000342           8        40        19 openat
  0.00    0.000000           0         2           pread64
  0.97    0.000013          13         1           prlimit64
  5.15    0.000069           9         7           read
  0.90    0.000012          12         1           rseq
  0.97    0.000013          13         1           set_robust_list
  0.90    0.000012          12         1           set_tid_address
  2.69    0.000036          18         2         2 statfs
  4.48    0.000060          20         3         2 statx
  2.31    0.000031           6         5           write
------ ----------- ----------- --------- --------- ----------------
100.00    0.001340           8       157        27 total
";
    assert_eq!(summary(SortBy::Name, counts).table(), expected);
}

#[test]
fn summary_wall_clock_sort_by_errors() {
    // Transcribed from `strace -f -w -c -S errors sh -c 'sleep 1.2; ls /nonexist; true'`
    // (strace 6.1): seconds above 1, seven-digit usecs/call, ties in number order. Times
    // are in nanoseconds: strace rounds `seconds` but truncates `usecs/call`, so where
    // its row shows e.g. 0.000069 s and 68 usecs/call the real time was in
    // [68.5, 69) us; those six rows use a time consistent with both columns (and with
    // the printed total).
    let counts = &[
        ("read", 11, 0, 659_000),
        ("write", 4, 0, 12_000),
        ("close", 43, 0, 981_000),
        ("mmap", 59, 0, 3_018_000),
        ("mprotect", 11, 0, 845_000),
        ("munmap", 3, 0, 177_000),
        ("brk", 9, 0, 501_000),
        ("rt_sigaction", 7, 0, 473_000),
        ("rt_sigprocmask", 6, 0, 320_000),
        ("rt_sigreturn", 2, 0, 7_000),
        ("ioctl", 1, 1, 5_000),
        ("pread64", 6, 0, 441_000),
        ("access", 4, 4, 196_000),
        ("getpid", 1, 0, 73_000),
        ("vfork", 2, 0, 1_251_000),
        ("execve", 3, 0, 1_310_000),
        ("wait4", 4, 2, 1_221_366_000),
        ("getuid", 1, 0, 68_999),
        ("getgid", 1, 0, 69_000),
        ("geteuid", 2, 0, 139_000),
        ("getegid", 1, 0, 115_999),
        ("getppid", 1, 0, 68_999),
        ("statfs", 2, 2, 20_000),
        ("arch_prctl", 3, 0, 222_000),
        ("futex", 2, 0, 78_000),
        ("set_tid_address", 3, 0, 216_000),
        ("clock_nanosleep", 1, 0, 1_200_279_000),
        ("openat", 71, 32, 1_473_000),
        ("newfstatat", 59, 16, 1_879_000),
        ("set_robust_list", 3, 0, 215_990),
        ("prlimit64", 3, 0, 149_000),
        ("getrandom", 3, 0, 185_990),
        ("statx", 2, 2, 203_997),
        ("rseq", 3, 0, 220_000),
    ];
    let expected = "\
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
  0.06    0.001473          20        71        32 openat
  0.08    0.001879          31        59        16 newfstatat
  0.01    0.000196          49         4         4 access
 50.11    1.221366      305341         4         2 wait4
  0.00    0.000020          10         2         2 statfs
  0.01    0.000204         101         2         2 statx
  0.00    0.000005           5         1         1 ioctl
  0.03    0.000659          59        11           read
  0.00    0.000012           3         4           write
  0.04    0.000981          22        43           close
  0.12    0.003018          51        59           mmap
  0.03    0.000845          76        11           mprotect
  0.01    0.000177          59         3           munmap
  0.02    0.000501          55         9           brk
  0.02    0.000473          67         7           rt_sigaction
  0.01    0.000320          53         6           rt_sigprocmask
  0.00    0.000007           3         2           rt_sigreturn
  0.02    0.000441          73         6           pread64
  0.00    0.000073          73         1           getpid
  0.05    0.001251         625         2           vfork
  0.05    0.001310         436         3           execve
  0.00    0.000069          68         1           getuid
  0.00    0.000069          69         1           getgid
  0.01    0.000139          69         2           geteuid
  0.00    0.000116         115         1           getegid
  0.00    0.000069          68         1           getppid
  0.01    0.000222          74         3           arch_prctl
  0.00    0.000078          39         2           futex
  0.01    0.000216          72         3           set_tid_address
 49.25    1.200279     1200279         1           clock_nanosleep
  0.01    0.000216          71         3           set_robust_list
  0.01    0.000149          49         3           prlimit64
  0.01    0.000186          61         3           getrandom
  0.01    0.000220          73         3           rseq
------ ----------- ----------- --------- --------- ----------------
100.00    2.437239        7232       337        59 total
";
    assert_eq!(summary_nanos(SortBy::Errors, counts).table(), expected);
}

#[test]
fn summary_zero_total_time_sort_by_nothing() {
    // Transcribed from `strace -c -S nothing ls /usr` (strace 6.1), a run whose system
    // time was all zero: rows show 0.00, the total still 100.00; number order.
    let counts = &[
        ("openat", 34, 13, 0),
        ("newfstatat", 22, 0, 0),
        ("read", 7, 0, 0),
        ("write", 1, 0, 0),
        ("close", 23, 0, 0),
        ("mmap", 30, 0, 0),
        ("mprotect", 5, 0, 0),
        ("munmap", 1, 0, 0),
        ("brk", 3, 0, 0),
        ("ioctl", 2, 2, 0),
        ("pread64", 2, 0, 0),
        ("access", 2, 2, 0),
        ("execve", 1, 0, 0),
        ("statfs", 2, 2, 0),
        ("arch_prctl", 1, 0, 0),
        ("futex", 1, 0, 0),
        ("getdents64", 2, 0, 0),
        ("set_tid_address", 1, 0, 0),
        ("set_robust_list", 1, 0, 0),
        ("prlimit64", 1, 0, 0),
        ("getrandom", 1, 0, 0),
        ("statx", 1, 0, 0),
        ("rseq", 1, 0, 0),
    ];
    let expected = "\
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
  0.00    0.000000           0         7           read
  0.00    0.000000           0         1           write
  0.00    0.000000           0        23           close
  0.00    0.000000           0        30           mmap
  0.00    0.000000           0         5           mprotect
  0.00    0.000000           0         1           munmap
  0.00    0.000000           0         3           brk
  0.00    0.000000           0         2         2 ioctl
  0.00    0.000000           0         2           pread64
  0.00    0.000000           0         2         2 access
  0.00    0.000000           0         1           execve
  0.00    0.000000           0         2         2 statfs
  0.00    0.000000           0         1           arch_prctl
  0.00    0.000000           0         1           futex
  0.00    0.000000           0         2           getdents64
  0.00    0.000000           0         1           set_tid_address
  0.00    0.000000           0        34        13 openat
  0.00    0.000000           0        22           newfstatat
  0.00    0.000000           0         1           set_robust_list
  0.00    0.000000           0         1           prlimit64
  0.00    0.000000           0         1           getrandom
  0.00    0.000000           0         1           statx
  0.00    0.000000           0         1           rseq
------ ----------- ----------- --------- --------- ----------------
100.00    0.000000           0       145        19 total
";
    assert_eq!(summary(SortBy::Nothing, counts).table(), expected);
}

#[test]
fn summary_long_name_widens_the_name_column() {
    // Transcribed from `strace -c -e trace=sched_get_priority_max,getpid python3 ...`
    // (strace 6.1): the divider is one wider than the longest name; nothing failed, so
    // the total's errors are blank too.
    let s = summary(
        SortBy::Time,
        &[("sched_get_priority_max", 3, 0, 50), ("getpid", 10, 0, 76)],
    );
    assert_eq!(
        s.table(),
        "\
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- -----------------------
 60.32    0.000076           7        10           getpid
 39.68    0.000050          16         3           sched_get_priority_max
------ ----------- ----------- --------- --------- -----------------------
100.00    0.000126           9        13           total
"
    );
}

#[test]
fn summary_doc_example() {
    // The example in `Summary`'s documentation.
    let mut summary = Summary::new(SortBy::Time);
    summary.record("openat", Duration::from_micros(30), false);
    summary.record("openat", Duration::from_micros(10), true);
    summary.record("close", Duration::from_micros(10), false);
    assert_eq!(
        summary.table(),
        "\
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 80.00    0.000040          20         2         1 openat
 20.00    0.000010          10         1           close
------ ----------- ----------- --------- --------- ----------------
100.00    0.000050          16         3         1 total
"
    );
}

#[test]
fn summary_empty_prints_nothing() {
    let s = Summary::new(SortBy::Time);
    assert!(s.is_empty());
    assert_eq!(s.table(), "");
}

#[test]
fn summary_large_counts_widen_their_columns() {
    // 12345 s in 10^10 calls: seconds 12 wide, calls 11, errors (10^10 - 1) 10.
    let mut s = Summary::new(SortBy::Time);
    s.record("read", Duration::from_secs(12_000), false);
    s.record("read", Duration::from_secs(345), true);
    // Avoid recording 10^10 calls one by one.
    let big = s.counts.get_mut("read").unwrap();
    big.calls = 10_000_000_000;
    big.errors = 9_999_999_999;
    s.record("write", Duration::from_nanos(1_500), false);
    assert_eq!(
        s.table(),
        "\
% time      seconds  usecs/call       calls     errors syscall
------ ------------ ----------- ----------- ---------- ----------------
100.00 12345.000000           1 10000000000 9999999999 read
  0.00     0.000002           1           1            write
------ ------------ ----------- ----------- ---------- ----------------
100.00 12345.000002           1 10000000001 9999999999 total
"
    );

    // 1234567 s in 2 calls: 617283500000 usecs/call, 12 wide; seconds 14 wide.
    let mut s = Summary::new(SortBy::Time);
    s.record("clock_nanosleep", Duration::from_secs(1_234_567), false);
    s.record("clock_nanosleep", Duration::ZERO, false);
    assert_eq!(
        s.table(),
        "\
% time        seconds   usecs/call     calls    errors syscall
------ -------------- ------------ --------- --------- ----------------
100.00 1234567.000000 617283500000         2           clock_nanosleep
------ -------------- ------------ --------- --------- ----------------
100.00 1234567.000000 617283500000         2           total
"
    );
}

#[test]
fn summary_rounding() {
    // 2.5 µs over 2 calls: ts_div rounds 1250 ns, then usecs truncate to 1; seconds
    // 0.0000025 prints 0.000003 (the double is just above the half); percentages use
    // `%.2f` of 100 * t / total (1/3 -> 33.33, 2/3 -> 66.67).
    let mut s = Summary::new(SortBy::Time);
    s.record("getpid", Duration::from_nanos(1_000), false);
    s.record("getpid", Duration::from_nanos(1_500), false);
    s.record("getppid", Duration::from_nanos(1_250), false);
    assert_eq!(
        s.table(),
        "\
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 66.67    0.000003           1         2           getpid
 33.33    0.000001           1         1           getppid
------ ----------- ----------- --------- --------- ----------------
100.00    0.000004           1         3           total
"
    );
}

#[test]
fn summary_errors_and_sort_keys() {
    let rows = &[
        ("close", 5, 0, 10),  // 3
        ("openat", 3, 2, 30), // 257
        ("read", 3, 3, 30),   // 0
        ("write", 1, 1, 100), // 1
    ];
    let order = |sort_by: SortBy| -> Vec<String> {
        summary(sort_by, rows)
            .table()
            .lines()
            .skip(2)
            .take(rows.len())
            .map(|l| l.rsplit(' ').next().unwrap().to_owned())
            .collect()
    };
    assert_eq!(order(SortBy::Time), ["write", "read", "openat", "close"]);
    assert_eq!(order(SortBy::Calls), ["close", "read", "openat", "write"]);
    assert_eq!(order(SortBy::Errors), ["read", "openat", "write", "close"]);
    assert_eq!(order(SortBy::Name), ["close", "openat", "read", "write"]);
    assert_eq!(order(SortBy::Nothing), ["read", "write", "close", "openat"]);
    assert_eq!(order(SortBy::AvgTime), ["write", "read", "openat", "close"]);
    // The whole call went to the first record: max is the total, min is zero except
    // for write's single call.
    assert_eq!(order(SortBy::MaxTime), ["write", "read", "openat", "close"]);
    assert_eq!(order(SortBy::MinTime), ["write", "read", "close", "openat"]);
    assert_eq!(
        summary(SortBy::Errors, rows).table(),
        "\
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 17.65    0.000030          10         3         3 read
 17.65    0.000030          10         3         2 openat
 58.82    0.000100         100         1         1 write
  5.88    0.000010           2         5           close
------ ----------- ----------- --------- --------- ----------------
100.00    0.000170          14        12         6 total
"
    );
}

#[test]
fn summary_unknown_names_follow_known_ones() {
    let mut s = Summary::new(SortBy::Nothing);
    s.record("zzz_unknown", Duration::ZERO, false);
    s.record("syscall_0x1c3", Duration::ZERO, false);
    s.record("read", Duration::ZERO, false);
    let names: Vec<_> = s
        .table()
        .lines()
        .skip(2)
        .take(3)
        .map(|l| l.rsplit(' ').next().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["read", "syscall_0x1c3", "zzz_unknown"]);
}

#[test]
fn summary_sort_by_parses_strace_keys() {
    for (key, sort_by) in [
        ("time", SortBy::Time),
        ("time_total", SortBy::Time),
        ("total_time", SortBy::Time),
        ("time-percent", SortBy::Time),
        ("calls", SortBy::Calls),
        ("count", SortBy::Calls),
        ("errors", SortBy::Errors),
        ("error", SortBy::Errors),
        ("name", SortBy::Name),
        ("syscall", SortBy::Name),
        ("syscall_name", SortBy::Name),
        ("syscall-name", SortBy::Name),
        ("nothing", SortBy::Nothing),
        ("none", SortBy::Nothing),
        ("min_time", SortBy::MinTime),
        ("shortest", SortBy::MinTime),
        ("longest", SortBy::MaxTime),
        ("max-time", SortBy::MaxTime),
        ("avg_time", SortBy::AvgTime),
        ("time_avg", SortBy::AvgTime),
    ] {
        assert_eq!(key.parse::<SortBy>(), Ok(sort_by), "{key}");
    }
    assert_eq!(
        "bogus".parse::<SortBy>(),
        Err("invalid sortby: 'bogus'".to_owned())
    );
    assert!("Time".parse::<SortBy>().is_err());
    assert!("".parse::<SortBy>().is_err());
}
