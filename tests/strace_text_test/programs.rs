//! The programs both tracers run, and running them: each in its own directory with the
//! same files, the same arguments and the same environment.

use crate::common;
use crate::{Known, Side};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::Instant;

/// A program traced by both tracers, in its own directory, with the same arguments.
pub struct Program {
    pub name: &'static str,
    pub argv: Vec<String>,
    /// Variables added to the environment of both runs.
    pub env: Vec<(&'static str, String)>,
    /// Its working directory.
    pub work: PathBuf,
    /// Commands run (untraced, in `work`) before each traced run: the files it consumes.
    pub before: Vec<Vec<String>>,
    /// Files or directories it creates, removed before each run so both runs start alike.
    pub outputs: Vec<&'static str>,
    /// Calls whose place, presence or number depends on timing in this program (a signal
    /// that comes earlier or later, a futex that is contended or not): set aside before
    /// comparing.
    pub timing: &'static [Known],
    /// Calls the program makes in some runs and not in others, at a fixed place: excused
    /// only where one trace has them and the other does not.
    pub sometimes: &'static [Known],
}

impl Program {
    fn new(name: &'static str, work: PathBuf, argv: &[&str]) -> Program {
        Program {
            name,
            argv: argv.iter().map(|s| s.to_string()).collect(),
            env: Vec::new(),
            work,
            before: Vec::new(),
            outputs: Vec::new(),
            timing: &[],
            sometimes: &[],
        }
    }

    fn outputs(mut self, outputs: &[&'static str]) -> Program {
        self.outputs = outputs.to_vec();
        self
    }

    fn before(mut self, command: &[&str]) -> Program {
        self.before
            .push(command.iter().map(|s| s.to_string()).collect());
        self
    }

    fn env(mut self, name: &'static str, value: &str) -> Program {
        self.env.push((name, value.to_string()));
        self
    }

    fn timing(mut self, timing: &'static [Known]) -> Program {
        self.timing = timing;
        self
    }

    fn sometimes(mut self, sometimes: &'static [Known]) -> Program {
        self.sometimes = sometimes;
        self
    }
}

/// A shell's SIGCHLD handler runs whenever a child ends: where it interrupts the parent
/// differs from run to run.
const SHELL_TIMING: &[Known] = &[
    Known {
        side: Side::Both,
        call: "",
        contains: &["--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED"],
        why: "a child's SIGCHLD arrives at a different point of the parent in each run",
    },
    Known {
        side: Side::Both,
        call: "rt_sigreturn",
        contains: &[],
        why: "the return from the SIGCHLD handler follows the signal",
    },
    Known {
        side: Side::Both,
        call: "wait4",
        contains: &[],
        why: "the shell reaps children as their SIGCHLD arrives: which wait4 finds which \
              child (or ECHILD, or is interrupted) depends on timing",
    },
    FORK_INTERRUPTED,
];

/// A child's SIGCHLD that arrives while its parent forks the next one interrupts that fork,
/// which the kernel restarts: now and then, in either run.
const FORK_INTERRUPTED: Known = Known {
    side: Side::Both,
    call: "clone",
    contains: &["ERESTARTNOINTR"],
    why: "a SIGCHLD during a fork interrupts it (= ? ERESTARTNOINTR) and it is made again",
};

/// A child's SIGCHLD reaches a parent that ignores it at whatever call the parent is in.
const CHILD_EXIT_TIMING: &[Known] = &[
    Known {
        side: Side::Both,
        call: "",
        contains: &["--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED"],
        why: "a child's SIGCHLD arrives at a different point of the parent in each run",
    },
    Known {
        side: Side::Both,
        call: "rt_sigreturn",
        contains: &[],
        why: "the return from a SIGCHLD handler follows the signal",
    },
    FORK_INTERRUPTED,
];

/// pthread_join waits on a futex only when the thread has not exited yet.
const THREAD_TIMING: &[Known] = &[Known {
    side: Side::Both,
    call: "futex",
    contains: &["FUTEX_WAIT_BITSET|FUTEX_CLOCK_REALTIME"],
    why: "pthread_join blocks on the thread's tid futex only if the thread is still running",
}];

/// glibc's mkstemp usually makes its name from the clock, but draws again, from getrandom,
/// when the value falls where it would bias the name: now and then, in either run.
const MKSTEMP_RANDOMNESS: &[Known] = &[Known {
    side: Side::Both,
    call: "getrandom",
    contains: &[", 8, GRND_NONBLOCK) = 8"],
    why: "mkstemp calls getrandom only when its clock-based value is rejected",
}];

/// CPython's threads hand the interpreter lock to each other, and each new thread may get
/// a malloc arena of its own: which futex calls block or wake anyone, and where the
/// 128 MiB arena reservation lands (which decides how much of it is trimmed), vary.
const PYTHON_THREADS: &[Known] = &[
    Known {
        side: Side::Both,
        call: "futex",
        contains: &[],
        why: "python threads: which lock hand-over blocks, and whom a wake-up finds, depends on \
              timing",
    },
    Known {
        side: Side::Both,
        call: "mmap",
        contains: &["PROT_NONE", "MAP_NORESERVE"],
        why: "python threads: a thread reuses a free malloc arena or reserves a new one (128 \
              MiB, or 64 MiB when the first try landed aligned)",
    },
    Known {
        side: Side::Both,
        call: "mmap",
        contains: &["MAP_STACK"],
        why: "python threads: a thread reuses the stack of one that ended, if it is free yet",
    },
    Known {
        side: Side::Both,
        call: "mprotect",
        contains: &["8388608, PROT_READ|PROT_WRITE"],
        why: "python threads: a thread reuses the stack of one that ended, if it is free yet",
    },
    Known {
        side: Side::Both,
        call: "munmap",
        contains: &[],
        why: "python threads: a new arena is trimmed to 64 MiB alignment, by as much as its \
              random address needs",
    },
    Known {
        side: Side::Both,
        call: "mprotect",
        contains: &["135168, PROT_READ|PROT_WRITE"],
        why: "python threads: a thread reuses a free malloc arena or reserves a new one",
    },
    // join() returns when a thread's Python code is done; its last calls (blocking
    // signals, giving back its stack, exit) race with the main thread's exit_group.
    Known {
        side: Side::Both,
        call: "rt_sigprocmask",
        contains: &["SIG_BLOCK, ~[RT_1]"],
        why: "python threads: a thread's last calls race with the process's exit",
    },
    Known {
        side: Side::Both,
        call: "madvise",
        contains: &["MADV_DONTNEED"],
        why: "python threads: a thread's last calls race with the process's exit",
    },
    Known {
        side: Side::Both,
        call: "exit",
        contains: &[],
        why: "python threads: a thread's last calls race with the process's exit",
    },
];

/// SQLite's rollback journal starts with a random nonce, written again into each page
/// record.
const SQLITE_NONCE: &[Known] = &[
    Known {
        side: Side::Both,
        call: "pwrite64",
        contains: &["pwrite64(4, \"", "\"..., 512, 0) = 512"],
        why: "sqlite3: the journal header holds a random nonce",
    },
    Known {
        side: Side::Both,
        call: "pwrite64",
        contains: &["pwrite64(4, \"", "\", 4, ", ") = 4"],
        why: "sqlite3: each journal page record ends with the random nonce",
    },
];

/// Python scripts, each a small program of its own, written beside the data.
const PYTHON_SCRIPTS: &[(&str, &str, &str)] = &[
    (
        "python3 json",
        "json_listdir.py",
        "import json, os\nprint(json.dumps({'a': [1, 2]}), sorted(os.listdir('data')))\n",
    ),
    (
        "python3 files",
        "files.py",
        "import json, os\n\
         with open('out.json', 'w') as f:\n    json.dump({'numbers': [1, 2, 3], 'text': 'caf\\u00e9'}, f)\n\
         with open('out.json') as f:\n    data = json.load(f)\n\
         os.rename('out.json', 'renamed.json')\n\
         os.mkdir('newdir')\n\
         os.chmod('renamed.json', 0o600)\n\
         print(data, os.stat('renamed.json').st_size)\n\
         os.unlink('renamed.json')\n\
         os.rmdir('newdir')\n",
    ),
    (
        "python3 subprocess",
        "subprocess_run.py",
        "import subprocess\n\
         r = subprocess.run(['/bin/echo', 'hello'], stdout=subprocess.PIPE)\n\
         print(r.stdout, r.returncode)\n\
         r = subprocess.run(['/bin/ls', 'data'], stdout=subprocess.PIPE)\n\
         print(r.stdout.split())\n",
    ),
    (
        "python3 threads",
        "threads.py",
        "import threading\n\
         results = []\n\
         def work(i):\n    results.append(i * i)\n\
         for i in range(3):\n    t = threading.Thread(target=work, args=(i,))\n    t.start()\n    t.join()\n\
         print(results)\n",
    ),
    (
        "python3 sockets",
        "sockets.py",
        "import array, select, socket\n\
         a, b = socket.socketpair()\n\
         a.sendall(b'ping')\n\
         print(select.select([b], [], [], 5)[0] == [b], b.recv(16))\n\
         server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n\
         server.bind(('127.0.0.1', 0))\n\
         server.listen(1)\n\
         client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n\
         client.connect(server.getsockname())\n\
         conn, _ = server.accept()\n\
         client.sendall(b'hello')\n\
         print(conn.recv(16))\n\
         poller = select.poll()\n\
         poller.register(conn, select.POLLIN)\n\
         client.send(b'x')\n\
         print(len(poller.poll(5000)), conn.recv(1))\n\
         ep = select.epoll()\n\
         ep.register(conn.fileno(), select.EPOLLIN)\n\
         client.send(b'y')\n\
         print(len(ep.poll(5)), conn.recv(1))\n\
         ep.close()\n\
         a.sendmsg([b'with ', b'fds'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [0, 1]))])\n\
         data, fds, _, _ = socket.recv_fds(b, 64, 4)\n\
         print(data, len(fds))\n\
         for s in (a, b, server, client, conn):\n    s.close()\n",
    ),
    (
        "python3 mmap",
        "mapped.py",
        "import mmap\n\
         with open('data/numbers.txt', 'rb') as f:\n    m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)\n    print(m[:4])\n    m.close()\n\
         anon = mmap.mmap(-1, 8192)\n\
         anon[:5] = b'hello'\n\
         print(anon[:5])\n\
         anon.close()\n",
    ),
];

/// The programs, in a fresh directory tree under `root`; those not installed are left
/// out, saying why.
pub fn programs(root: &Path) -> Vec<Program> {
    let work = |name: &str| -> PathBuf {
        let dir = root.join(name).join("work");
        std::fs::create_dir_all(&dir).unwrap();
        write_data(&dir);
        dir
    };
    let mut list = vec![
        Program::new("cat", work("cat"), &["/bin/cat", "data/sample.txt"]),
        Program::new("ls -la", work("ls"), &["/bin/ls", "-la", "data"]),
        Program::new(
            "sh pipeline",
            work("sh"),
            &["/bin/sh", "-c", "printf 'b\\na\\nc\\n' | sort | head -n 2"],
        )
        .timing(SHELL_TIMING),
        Program::new(
            "find",
            work("find"),
            &["/usr/bin/find", "data", "-name", "*.txt"],
        ),
        Program::new(
            "find -exec",
            work("find-exec"),
            &[
                "/usr/bin/find",
                "data",
                "-type",
                "f",
                "-exec",
                "wc",
                "-c",
                "{}",
                "+",
            ],
        ),
        Program::new(
            "sort -o",
            work("sort"),
            &["/usr/bin/sort", "-r", "-o", "sorted.txt", "data/sample.txt"],
        )
        .outputs(&["sorted.txt"]),
        Program::new(
            "sha256sum",
            work("sha256sum"),
            &["/usr/bin/sha256sum", "data/sample.txt", "data/no-such-file"],
        ),
        Program::new(
            "wc",
            work("wc"),
            &["/usr/bin/wc", "data/sample.txt", "data/numbers.txt"],
        ),
        Program::new("cp -r", work("cp"), &["/bin/cp", "-r", "data", "copy"]).outputs(&["copy"]),
        Program::new("mv", work("mv"), &["/bin/mv", "moving.txt", "moved.txt"])
            .before(&["/bin/cp", "data/numbers.txt", "moving.txt"])
            .outputs(&["moved.txt"]),
        Program::new(
            "stat",
            work("stat"),
            &["/usr/bin/stat", "data/sample.txt", "data/sub"],
        ),
        Program::new(
            "date",
            work("date"),
            &["/bin/date", "-u", "-d", "@1000000000", "+%F %T %Z"],
        ),
        Program::new(
            "head",
            work("head"),
            &["/usr/bin/head", "-n", "2", "data/sample.txt"],
        ),
        Program::new("du -a", work("du"), &["/usr/bin/du", "-a", "data"]),
        Program::new(
            "dd",
            work("dd"),
            &[
                "/bin/dd",
                "if=data/sample.txt",
                "of=copy.bin",
                "bs=16",
                "status=none",
            ],
        )
        .outputs(&["copy.bin"]),
    ];
    for (name, tool, argv) in [
        ("grep -rn", "grep", &["grep", "-rn", "e", "data"][..]),
        (
            "sed",
            "sed",
            &["sed", "-n", "s/line/LINE/p", "data/sample.txt"][..],
        ),
        (
            "awk",
            "awk",
            &[
                "awk",
                "{n += NF} END {print n}",
                "data/sample.txt",
                "data/numbers.txt",
            ][..],
        ),
    ] {
        if installed(&[tool]).is_some() {
            list.push(Program::new(name, work(tool), argv));
        }
    }
    if installed(&["tar"]).is_some() && installed(&["gzip"]).is_some() {
        list.push(
            Program::new(
                "tar with gzip",
                work("tar"),
                &["tar", "czf", "out.tgz", "data"],
            )
            .outputs(&["out.tgz"])
            .timing(CHILD_EXIT_TIMING),
        );
        let dir = work("tar-list");
        native(&dir, &["tar", "czf", "archive.tgz", "data"]);
        list.push(
            Program::new("tar tvzf", dir, &["tar", "tvzf", "archive.tgz"])
                .timing(CHILD_EXIT_TIMING),
        );
        list.push(
            Program::new(
                "gzip -k",
                work("gzip"),
                &["gzip", "-9", "-k", "data/sample.txt"],
            )
            .outputs(&["data/sample.txt.gz"]),
        );
    }
    if let Some(python) = installed(&["/usr/bin/python3", "python3"]) {
        for (name, file, source) in PYTHON_SCRIPTS {
            let dir = work(file.trim_end_matches(".py"));
            std::fs::write(dir.join(file), source).unwrap();
            let program = Program::new(name, dir, &[&python, file]);
            list.push(match *name {
                "python3 files" => program.outputs(&["out.json", "renamed.json", "newdir"]),
                "python3 threads" => program.timing(PYTHON_THREADS),
                "python3 subprocess" => program.timing(CHILD_EXIT_TIMING),
                _ => program,
            });
        }
    }
    if installed(&["perl"]).is_some() {
        list.push(Program::new(
            "perl",
            work("perl"),
            &[
                "perl",
                "-e",
                "open(my $f, '<', 'data/sample.txt') or die; my @l = sort <$f>; \
                 opendir(my $d, 'data') or die; \
                 print scalar(@l), ' ', join(',', sort grep { !/^\\./ } readdir $d), \"\\n\"",
            ],
        ));
    }
    if installed(&["bash"]).is_some() {
        list.push(
            Program::new(
                "bash pipes",
                work("bash"),
                &[
                    "bash",
                    "-c",
                    "sort -r data/numbers.txt | tr 1 x | head -n 2; \
                     echo \"$(wc -l < data/sample.txt) lines\"",
                ],
            )
            .timing(SHELL_TIMING),
        );
    }
    if installed(&["make"]).is_some() {
        let dir = work("make");
        std::fs::write(
            dir.join("Makefile"),
            "sorted.txt: data/numbers.txt\n\tsort -r data/numbers.txt > sorted.txt\n",
        )
        .unwrap();
        list.push(
            Program::new("make", dir, &["make", "--no-print-directory"])
                .outputs(&["sorted.txt"])
                .timing(SHELL_TIMING),
        );
    }
    if common::have("cc") {
        for (name, source, timing) in [
            ("threads (C)", "text_threads", THREAD_TIMING),
            ("signal handlers (C)", "text_signals", &[] as &[Known]),
        ] {
            let dir = work(source);
            if let Some(binary) = common::compile_c(source, &dir) {
                list.push(Program::new(name, dir, &[binary.to_str().unwrap()]).timing(timing));
            }
        }
    }
    if let Some(gcc) = installed(&["gcc"]) {
        let dir = work("gcc");
        std::fs::write(
            dir.join("hello.c"),
            "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n",
        )
        .unwrap();
        list.push(
            Program::new("gcc", dir, &[&gcc, "-c", "hello.c", "-o", "hello.o"])
                .outputs(&["hello.o"])
                .sometimes(MKSTEMP_RANDOMNESS),
        );
    }
    if installed(&["git"]).is_some() {
        let dir = work("git");
        let git = |program: Program| {
            program
                .env("HOME", dir.to_str().unwrap())
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_AUTHOR_NAME", "A U Thor")
                .env("GIT_AUTHOR_EMAIL", "author@example.com")
                .env("GIT_AUTHOR_DATE", "2020-01-01T00:00:00Z")
                .env("GIT_COMMITTER_NAME", "A U Thor")
                .env("GIT_COMMITTER_EMAIL", "author@example.com")
                .env("GIT_COMMITTER_DATE", "2020-01-01T00:00:00Z")
        };
        // Tracked files older than the index, so that status never finds them racy
        // and rewrites the index in one run and not the other.
        let setup = git(Program::new("git setup", dir.clone(), &[]));
        for command in [
            &[
                "touch",
                "-d",
                "2020-01-01",
                "data/sample.txt",
                "data/numbers.txt",
            ][..],
            &["git", "init", "-q", "."],
            &["git", "add", "data/sample.txt", "data/numbers.txt"],
            &["git", "commit", "-q", "-m", "First"],
        ] {
            native_with(&dir, command, &setup.env);
        }
        list.push(git(Program::new(
            "git log",
            dir.clone(),
            &["git", "log", "--stat"],
        )));
        list.push(git(Program::new(
            "git status",
            dir.clone(),
            &["git", "status", "--short"],
        )));
    }
    if installed(&["sqlite3"]).is_some() {
        list.push(
            Program::new(
                "sqlite3",
                work("sqlite3"),
                &[
                    "sqlite3",
                    "test.db",
                    "create table t(a, b); insert into t values (1, 'one'), (2, 'two'); \
                     select count(*), sum(a) from t;",
                ],
            )
            .outputs(&["test.db", "test.db-journal"])
            .sometimes(SQLITE_NONCE),
        );
    }
    list
}

/// Runs `command` untraced in `dir`, failing the test if it fails.
fn native(dir: &Path, command: &[&str]) {
    native_with(dir, command, &[]);
}

/// Runs `command` untraced in `dir` with `env` added, failing the test if it fails.
fn native_with(dir: &Path, command: &[impl AsRef<str>], env: &[(&str, String)]) {
    let status = Command::new(command[0].as_ref())
        .args(command[1..].iter().map(|a| a.as_ref()))
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", command[0].as_ref()));
    assert!(
        status.success(),
        "{}: {status}",
        command
            .iter()
            .map(|a| a.as_ref())
            .collect::<Vec<_>>()
            .join(" ")
    );
}

/// The files every program works on: a few texts (one with bytes strace escapes) in a tree.
fn write_data(work: &Path) {
    let data = work.join("data");
    std::fs::create_dir_all(data.join("sub")).unwrap();
    std::fs::write(
        data.join("sample.txt"),
        "tab\there \"quotes\" and \\ backslash\nsecond line\n\x01\x02\x7f\u{e9}\n",
    )
    .unwrap();
    std::fs::write(data.join("numbers.txt"), "1\n22\n333\n").unwrap();
    std::fs::write(data.join("sub").join("deep.txt"), "deep\n").unwrap();
    std::fs::write(data.join("sub").join("other.dat"), [0u8, 1, 2, 255]).unwrap();
}

/// The first of `candidates` that exists (an absolute path) or is on PATH.
fn installed(candidates: &[&str]) -> Option<String> {
    for candidate in candidates {
        if candidate.starts_with('/') {
            if Path::new(candidate).exists() {
                return Some(candidate.to_string());
            }
        } else if common::have(candidate) {
            return Some(candidate.to_string());
        }
    }
    eprintln!("skipped: none of {candidates:?} is installed");
    None
}

/// Runs `program args` in `dir`, stdout and stderr to files in `out`, killing it (and
/// failing) after the common timeout.
fn run_in(program: &Program, out: &Path, tag: &str, binary: &str, args: &[String]) -> ExitStatus {
    let stdout = File::create(out.join(format!("{tag}.stdout"))).unwrap();
    let stderr = File::create(out.join(format!("{tag}.stderr"))).unwrap();
    let mut child = Command::new(binary)
        .args(args)
        .envs(program.env.iter().map(|(k, v)| (k, v)))
        .current_dir(&program.work)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {binary}: {e}"));
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > common::TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{binary} {args:?} did not finish within {:?}",
                common::TIMEOUT
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// The two traces of one program: strace's and ours, each as `(pid, file text)` per
/// output file (one file, pid 0, unless `-ff`).
pub struct Traces {
    pub strace: Vec<(i32, String)>,
    pub ours: Vec<(i32, String)>,
}

/// Traces `program` with both tracers and `flags` (`-tt`, `-ff`, ...).
pub fn trace_both(program: &Program, flags: &[&str], tag: &str) -> Traces {
    // Programs may share a directory (git's repository): the traces go by name.
    let slug: String = program
        .name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let out = program
        .work
        .parent()
        .unwrap()
        .join(format!("traces-{slug}{tag}"));
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let separate = flags.contains(&"-ff");
    let mut traces = Vec::new();
    let mut statuses = Vec::new();
    let mut stdouts = Vec::new();
    for tracer in ["strace", "interpose"] {
        for output in &program.outputs {
            let path = program.work.join(output);
            let _ = std::fs::remove_file(&path);
            let _ = std::fs::remove_dir_all(&path);
        }
        for command in &program.before {
            native_with(&program.work, command, &program.env);
        }
        let file = out.join(format!("{tracer}.trace"));
        let mut args: Vec<String> = Vec::new();
        if tracer == "strace" && !separate {
            args.push("-f".into());
        }
        if tracer == "interpose" {
            args.push("--keep-vdso".into());
        }
        args.extend(flags.iter().map(|f| f.to_string()));
        args.push("-o".into());
        args.push(file.to_str().unwrap().into());
        args.extend(program.argv.iter().cloned());
        let binary = match tracer {
            "strace" => "strace",
            _ => common::interpose_bin(),
        };
        statuses.push(run_in(program, &out, tracer, binary, &args));
        stdouts.push(std::fs::read(out.join(format!("{tracer}.stdout"))).unwrap());
        traces.push(read_traces(&out, &format!("{tracer}.trace"), separate));
    }
    assert_eq!(
        statuses[0].code(),
        statuses[1].code(),
        "{}: exit status under strace and under interpose",
        program.name
    );
    assert_eq!(
        String::from_utf8_lossy(&stdouts[0]),
        String::from_utf8_lossy(&stdouts[1]),
        "{}: the program's output under strace and under interpose",
        program.name
    );
    let ours = traces.pop().unwrap();
    let strace = traces.pop().unwrap();
    Traces { strace, ours }
}

/// The trace file `name` in `dir`, or with `-ff` every `name.PID`.
fn read_traces(dir: &Path, name: &str, separate: bool) -> Vec<(i32, String)> {
    if !separate {
        let text = std::fs::read_to_string(dir.join(name))
            .unwrap_or_else(|e| panic!("reading {name}: {e}"));
        return vec![(0, text)];
    }
    assert!(
        !dir.join(name).exists(),
        "-ff must not create {name} itself"
    );
    let mut files: Vec<(i32, String)> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let file_name = entry.file_name().into_string().ok()?;
            let pid = file_name
                .strip_prefix(name)?
                .strip_prefix('.')?
                .parse()
                .ok()?;
            Some((pid, std::fs::read_to_string(entry.path()).unwrap()))
        })
        .collect();
    files.sort();
    files
}
