//! Line for line against strace itself: for calls whose output is fully determined by the
//! program, interpose and strace print the same text (addresses masked, and with them the
//! column padding of ` = `, which their widths move). Skips, saying why, when strace is not
//! installed. `strace_text_test` compares whole traces of many programs.

mod common;

use common::{interpose, run};

/// Addresses differ per run, and so may their widths and with them the padding of ` = `.
fn normalise(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find("0x") {
        out.push_str(&rest[..at]);
        out.push_str("0xADDR");
        rest = rest[at + 2..].trim_start_matches(|c: char| c.is_ascii_hexdigit());
    }
    out.push_str(rest);
    match out.rfind(") ") {
        Some(at) if out[at + 1..].trim_start().starts_with("= ") => {
            format!("{}) {}", &out[..at], out[at + 1..].trim_start())
        }
        _ => out,
    }
}

/// A line of a `-f -o FILE` trace with its pid replaced: both tracers write it as strace
/// does, `%-5d ` (`6878  execve(...)`), on every line.
fn pid_masked(line: &str) -> String {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    assert!(digits > 0, "no pid prefix: {line}");
    let prefix = format!("{:<5} ", &line[..digits]);
    let text = line
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("the pid prefix is not `%-5d `: {line}"));
    format!("PID   {text}")
}

/// The lines from the first one containing `from` to the end, normalised.
fn tail_from(trace: &str, from: &str) -> Vec<String> {
    let lines: Vec<&str> = trace.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.contains(from))
        .unwrap_or_else(|| panic!("no `{from}` in:\n{trace}"));
    lines[start..].iter().map(|l| normalise(l)).collect()
}

#[test]
fn cat_matches_strace_line_for_line() {
    if !common::have("strace") {
        return;
    }
    let dir = common::scratch_dir("strace_compare");
    let file = dir.join("sample.txt");
    std::fs::write(
        &file,
        "tab\there \"quotes\" and \\ backslash\nsecond line\n\x01\x02\x7f\u{e9}\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let reference = dir.join("strace.txt");
    let strace = run(
        "strace",
        &["-o", reference.to_str().unwrap(), "/bin/cat", file],
    );
    assert!(strace.status.success());
    let ours = interpose(&["/bin/cat", file]);
    assert!(ours.status.success());
    assert_eq!(ours.stdout, strace.stdout);

    let expected = tail_from(&std::fs::read_to_string(&reference).unwrap(), file);
    let got = tail_from(&ours.stderr, file);
    assert_eq!(got, expected);
}

#[test]
fn errors_and_flags_match_strace() {
    if !common::have("strace") {
        return;
    }
    let dir = common::scratch_dir("strace_compare_errors");
    let reference = dir.join("strace.txt");
    // A failed open, a directory listing attempt and an exit code.
    let script = "cat /nonexistent/x; exec 3</dev/null; exit 7";
    let strace = run(
        "strace",
        &["-f", "-o", reference.to_str().unwrap(), "sh", "-c", script],
    );
    let ours_file = dir.join("interpose.txt");
    let ours = interpose(&["-o", ours_file.to_str().unwrap(), "sh", "-c", script]);
    assert_eq!(ours.status.code(), strace.status.code());
    assert_eq!(ours.stderr, strace.stderr, "the program's own stderr");
    let pick = |trace: &str| -> Vec<String> {
        trace
            .lines()
            .map(pid_masked)
            .filter(|l| {
                let l = &l[6..];
                l.contains("/nonexistent/x")
                    || l.contains("/dev/null")
                    || l.starts_with("exit_group")
                    || l.starts_with("+++")
            })
            .filter(|l| !l[6..].starts_with("execve") && !l.contains("resumed>"))
            .map(|l| normalise(&l))
            .collect()
    };

    let expected = pick(&std::fs::read_to_string(&reference).unwrap());
    assert!(expected.len() >= 5, "{expected:?}");
    assert_eq!(
        pick(&std::fs::read_to_string(&ours_file).unwrap()),
        expected
    );
}

/// Random bytes differ per run; their shape (`\x` and two digits each) must not.
fn random_masked(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find("\\x") {
        out.push_str(&rest[..at]);
        out.push_str("\\x??");
        let digits = rest[at + 2..]
            .bytes()
            .take(2)
            .take_while(u8::is_ascii_hexdigit)
            .count();
        rest = &rest[at + 2 + digits..];
    }
    out.push_str(rest);
    out
}

#[test]
fn directory_entries_cwd_umask_and_random_bytes_match_strace() {
    if !common::have("strace") {
        return;
    }
    let dir = common::scratch_dir("strace_compare_text_decoders");
    // Deeper than -s shows: getcwd's path is never cut.
    let deep = dir.join("a-directory-name-longer-than-the-string-limit");
    std::fs::create_dir_all(deep.join("sub")).unwrap();
    std::fs::write(deep.join("file.txt"), "x").unwrap();
    let deep = deep.to_str().unwrap();
    let cases: &[(&[&str], &[&str])] = &[
        (&["-e", "trace=getdents64"], &["/bin/ls", "-a", deep]),
        (&["-v", "-e", "trace=getdents64"], &["/bin/ls", "-a", deep]),
        (
            &["-e", "trace=getdents64", "-e", "verbose=none"],
            &["/bin/ls", "-a", deep],
        ),
        (
            &["-e", "trace=getcwd"],
            &["/bin/sh", "-c", "cd \"$0\" && exec /bin/pwd", deep],
        ),
        (
            &["-e", "trace=umask"],
            &["/bin/sh", "-c", "umask 027; umask"],
        ),
        (&["-e", "trace=getrandom"], &["/bin/ls", deep]),
    ];
    for (n, (flags, program)) in cases.iter().enumerate() {
        let reference = dir.join(format!("strace-{n}.txt"));
        let ours_file = dir.join(format!("interpose-{n}.txt"));
        let mut strace_args = vec!["-f", "-o", reference.to_str().unwrap()];
        strace_args.extend_from_slice(flags);
        strace_args.extend_from_slice(program);
        let strace = run("strace", &strace_args);
        let mut our_args = vec!["-o", ours_file.to_str().unwrap()];
        our_args.extend_from_slice(flags);
        our_args.extend_from_slice(program);
        let ours = interpose(&our_args);
        assert_eq!(ours.status.code(), strace.status.code(), "{program:?}");
        assert_eq!(ours.stdout, strace.stdout, "{program:?}");
        let lines = |file: &std::path::Path| -> Vec<String> {
            std::fs::read_to_string(file)
                .unwrap()
                .lines()
                .map(|l| random_masked(&normalise(&pid_masked(l))))
                .collect()
        };
        let expected = lines(&reference);
        assert!(expected.len() >= 2, "{flags:?} {program:?}: {expected:?}");
        assert_eq!(lines(&ours_file), expected, "{flags:?} {program:?}");
    }
}

/// Addresses (six hex digits or more) masked, constants such as `0x3` kept; padding
/// collapsed.
fn addresses_masked(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find("0x") {
        out.push_str(&rest[..at]);
        let digits = rest[at + 2..]
            .bytes()
            .take_while(u8::is_ascii_hexdigit)
            .count();
        if digits >= 6 {
            out.push_str("0xADDR");
        } else {
            out.push_str(&rest[at..at + 2 + digits]);
        }
        rest = &rest[at + 2 + digits..];
    }
    out.push_str(rest);
    match out.rfind(") ") {
        Some(at) if out[at + 1..].trim_start().starts_with("= ") => {
            format!("{}) {}", &out[..at], out[at + 1..].trim_start())
        }
        _ => out,
    }
}

#[test]
fn constants_match_strace_with_x_raw_and_verbose() {
    if !common::have("strace") || !std::path::Path::new("/usr/bin/python3").exists() {
        return;
    }
    let dir = common::scratch_dir("strace_compare_constants");
    let script = "import os, signal, socket\n\
                  socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close()\n\
                  f = os.open('/etc/hostname', os.O_RDONLY)\n\
                  os.lseek(f, 0, os.SEEK_END)\n\
                  os.close(f)\n\
                  signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1, 40])\n";
    let calls = "trace=openat,mmap,mprotect,access,lseek,rt_sigprocmask,socket,close";
    for style in ["raw", "verbose", "abbrev"] {
        let reference = dir.join(format!("strace-{style}.txt"));
        let ours_file = dir.join(format!("interpose-{style}.txt"));
        let strace = run(
            "strace",
            &[
                "-f",
                "-o",
                reference.to_str().unwrap(),
                "-X",
                style,
                "-e",
                calls,
                "/usr/bin/python3",
                "-c",
                script,
            ],
        );
        assert!(strace.status.success());
        let ours = interpose(&[
            "--keep-vdso",
            "-o",
            ours_file.to_str().unwrap(),
            "-X",
            style,
            "-e",
            calls,
            "/usr/bin/python3",
            "-c",
            script,
        ]);
        assert!(ours.status.success(), "{}", ours.stderr);
        let lines = |file: &std::path::Path| -> Vec<String> {
            std::fs::read_to_string(file)
                .unwrap()
                .lines()
                .map(|l| addresses_masked(&pid_masked(l)))
                .collect()
        };
        let expected = lines(&reference);
        assert!(expected.len() > 20, "{expected:?}");
        let got = lines(&ours_file);
        let differ: Vec<(&String, &String)> =
            expected.iter().zip(&got).filter(|(a, b)| a != b).collect();
        assert!(
            differ.is_empty() && got.len() == expected.len(),
            "-X {style}: {} lines of strace's, {} of interpose's; differing (strace, \
             interpose): {differ:#?}",
            expected.len(),
            got.len()
        );
    }
}

#[test]
fn utimensat_special_times_match_strace_in_each_constant_style() {
    // UTIME_NOW and UTIME_OMIT are names of timespec values: by name, as the struct
    // under -X raw, as the struct with the name in a comment under -X verbose.
    if !common::have("strace") {
        eprintln!("skipped: strace is not installed");
        return;
    }
    let dir = common::scratch_dir("strace_compare_utime");
    let file = dir.join("f");
    std::fs::write(&file, "x").unwrap();
    let file = file.to_str().unwrap();
    for style in ["raw", "verbose", "abbrev"] {
        for touch in [&["-m"][..], &["-a"], &["-d", "@1000000000"]] {
            let mut args = vec!["-X", style, "-e", "trace=utimensat", "touch"];
            args.extend_from_slice(touch);
            args.push(file);
            let strace = run("strace", &args);
            let ours = interpose(&args);
            assert!(ours.status.success(), "{}", ours.stderr);
            let line = |text: &str| {
                text.lines()
                    .find(|l| l.starts_with("utimensat("))
                    .map(str::to_owned)
                    .unwrap_or_else(|| panic!("no utimensat line in {text}"))
            };
            assert_eq!(
                line(&ours.stderr),
                line(&strace.stderr),
                "-X {style}, touch {touch:?}"
            );
        }
    }
}

#[test]
fn socket_messages_epoll_and_lengths_match_strace() {
    if !common::have("strace") || !std::path::Path::new("/usr/bin/python3").exists() {
        return;
    }
    let dir = common::scratch_dir("strace_compare_sockets");
    let script = "import array, os, select, socket\n\
                  a, b = socket.socketpair()\n\
                  ep = select.epoll()\n\
                  ep.register(b.fileno(), select.EPOLLIN | select.EPOLLET)\n\
                  a.sendmsg([b'hello ', b'world'])\n\
                  ep.poll(5)\n\
                  ep.close()\n\
                  b.recvmsg(64)\n\
                  r, w = os.pipe()\n\
                  a.sendmsg([b'fds'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [r, w]))])\n\
                  b.recvmsg(64, 64)\n\
                  a.getpeername()\n\
                  a.send(b'x')\n\
                  select.select([b], [a], [], 5)\n\
                  select.select([b], [], [], 0)\n\
                  p = select.poll()\n\
                  p.register(b, select.POLLIN | select.POLLPRI)\n\
                  p.register(a, select.POLLOUT)\n\
                  p.poll(1000)\n\
                  b.recv(1)\n\
                  p.poll(0)\n\
                  socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP).close()\n\
                  socket.socket(socket.AF_INET6, socket.SOCK_STREAM).close()\n\
                  socket.socket(socket.AF_NETLINK, socket.SOCK_RAW).close()\n";
    let calls = "trace=socket,socketpair,getsockname,getpeername,epoll_ctl,epoll_wait,sendmsg,\
                 recvmsg,poll,pselect6";
    let reference = dir.join("strace.txt");
    let ours_file = dir.join("interpose.txt");
    let strace = run(
        "strace",
        &[
            "-f",
            "-o",
            reference.to_str().unwrap(),
            "-e",
            calls,
            "/usr/bin/python3",
            "-c",
            script,
        ],
    );
    assert!(strace.status.success());
    let ours = interpose(&[
        "-o",
        ours_file.to_str().unwrap(),
        "-e",
        calls,
        "/usr/bin/python3",
        "-c",
        script,
    ]);
    assert!(ours.status.success(), "{}", ours.stderr);
    // CPython leaves the upper half of epoll's data unset: stack garbage.
    let data_masked = |line: String| match line.find(", u64=") {
        Some(at) => {
            let end = line[at..].find('}').map_or(line.len(), |e| at + e);
            format!("{}, u64=?{}", &line[..at], &line[end..])
        }
        None => line,
    };
    // The time select had left.
    let left_masked = |line: String| match line.find(", left {") {
        Some(at) => {
            let end = line[at..].find('}').map_or(line.len(), |e| at + e);
            format!("{}, left {{?{}", &line[..at], &line[end..])
        }
        None => line,
    };
    let lines = |file: &std::path::Path| -> Vec<String> {
        std::fs::read_to_string(file)
            .unwrap()
            .lines()
            .map(|l| left_masked(data_masked(addresses_masked(&pid_masked(l)))))
            .collect()
    };
    let expected = lines(&reference);
    assert!(expected.len() >= 16, "{expected:?}");
    assert_eq!(lines(&ours_file), expected);
}

#[test]
fn group_lists_and_sleeps_match_strace() {
    if !common::have("strace") || !std::path::Path::new("/usr/bin/python3").exists() {
        return;
    }
    let dir = common::scratch_dir("strace_compare_groups");
    // Without root setgroups fails, the same way under both tracers.
    let script = "import os, time\n\
                  try:\n    os.setgroups([1, 2, 30])\n\
                  except PermissionError:\n    pass\n\
                  os.getgroups()\n\
                  time.sleep(0.001)\n";
    let calls = "trace=getgroups,setgroups,clock_nanosleep";
    let reference = dir.join("strace.txt");
    let ours_file = dir.join("interpose.txt");
    let strace = run(
        "strace",
        &[
            "-f",
            "-o",
            reference.to_str().unwrap(),
            "-e",
            calls,
            "/usr/bin/python3",
            "-c",
            script,
        ],
    );
    let ours = interpose(&[
        "-o",
        ours_file.to_str().unwrap(),
        "-e",
        calls,
        "/usr/bin/python3",
        "-c",
        script,
    ]);
    assert_eq!(ours.status.code(), strace.status.code(), "{}", ours.stderr);
    // The absolute time of clock_nanosleep's deadline differs from run to run.
    let deadline_masked = |line: String| match line.find("{tv_sec=") {
        Some(at) if line.contains("TIMER_ABSTIME") => {
            let end = line[at..].find('}').map_or(line.len(), |e| at + e);
            format!("{}{{?{}", &line[..at], &line[end..])
        }
        _ => line,
    };
    let lines = |file: &std::path::Path| -> Vec<String> {
        std::fs::read_to_string(file)
            .unwrap()
            .lines()
            .map(|l| deadline_masked(addresses_masked(&pid_masked(l))))
            .collect()
    };
    let expected = lines(&reference);
    assert!(expected.len() >= 4, "{expected:?}");
    assert_eq!(lines(&ours_file), expected);
}
