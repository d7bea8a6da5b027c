//! Transparency: a program's stdout and exit status under `interpose -o /dev/null` equal
//! those of the same program run natively. One test per program, each with a timeout.

mod common;

use common::{interpose_bin, run_with_stdin};

/// Runs `sh -c script` natively and traced, feeding `input` to both, and compares.
fn same_as_native(script: &str, input: Option<&[u8]>) {
    let native = run_with_stdin("sh", &["-c", script], input);
    let traced = run_with_stdin(
        interpose_bin(),
        &["-o", "/dev/null", "sh", "-c", script],
        input,
    );
    assert_eq!(
        traced.status.code(),
        native.status.code(),
        "exit status of `{script}`; traced stderr:\n{}",
        traced.stderr
    );
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&traced.status),
        std::os::unix::process::ExitStatusExt::signal(&native.status),
        "death signal of `{script}`"
    );
    assert!(
        traced.stdout == native.stdout,
        "stdout of `{script}` differs:\nnative: {:?}\ntraced: {:?}",
        String::from_utf8_lossy(&native.stdout[..native.stdout.len().min(400)]),
        String::from_utf8_lossy(&traced.stdout[..traced.stdout.len().min(400)]),
    );
}

macro_rules! transparent {
    ($($name:ident: $script:expr $(, stdin = $input:expr)?;)*) => {$(
        #[test]
        fn $name() {
            #[allow(unused_mut, unused_assignments)]
            let mut input: Option<&[u8]> = None;
            $(input = Some($input);)?
            same_as_native($script, input);
        }
    )*};
}

transparent! {
    ls_root: "ls -la / | grep -v -e proc -e sys | awk '{print $1, $NF}'";
    cat_file: "cat /etc/passwd";
    sort_reverse: "sort -r /etc/passwd";
    sha256sum: "sha256sum /etc/passwd /etc/group";
    dd_bs1: "dd if=/etc/passwd bs=1 count=300 2>/dev/null";
    seq_wc: "seq 1 100000 | wc -l";
    pipeline: "seq 1 2000 | grep 7 | sort -n | tail -3";
    subshell_and_exit: "(echo in subshell; exit 3); echo status $?; exit 42";
    exit_code: "exit 42";
    killed_by_signal: "kill -SEGV $$";
    killed_by_term: "kill -TERM $$";
    command_substitution: "x=$(echo inner; echo more); echo \"$x\" | tr a-z A-Z";
    background_jobs: "(for i in 1 2 3; do (echo job $i) & done; wait) | sort";
    stdin_passthrough: "cat", stdin = b"hi from stdin\n";
    ten_mb_pipe: "head -c 10485760 /dev/zero | tr '\\0' x | sha256sum";
    here_doc: "cat <<EOF\nline one\nline two\nEOF";
    missing_command: "no-such-command-xyz 2>/dev/null; echo $?";
    env_and_args: "env -i A=1 B=2 /usr/bin/env | sort";
    find_etc: "find /etc -maxdepth 1 -name '*.conf' | sort";
    tar_roundtrip: "tar cf - /etc/passwd 2>/dev/null | tar tf -";
    date_utc: "date -u -d @1000000000 +%Y-%m-%dT%H:%M:%S";
    sleep_short: "sleep 0.2; echo slept";
    yes_head: "yes | head -5";
    awk_sum: "seq 1 1000 | awk '{s += $1} END {print s}'";
    sed_edit: "printf 'a\\nb\\nc\\n' | sed -n 2p";
    cut_and_uniq: "cut -d: -f7 /etc/passwd | sort | uniq -c | sort -rn";
    md5_and_base64: "head -c 100000 /dev/zero | md5sum; echo hello | base64 | base64 -d";
    xargs_parallel: "seq 1 20 | xargs -P 4 -n 1 echo | sort -n | tail -1";
    gzip_roundtrip: "seq 1 50000 | gzip -c | gunzip -c | tail -1";
    stat_and_readlink: "stat -c '%n %s %F' /etc/passwd; readlink -f /proc/self/exe >/dev/null; echo ok";
    mkdir_touch_rm: "d=$(mktemp -d); mkdir -p $d/a/b; touch $d/a/b/f; cd $d && ls -R . | tail -2; rm -r $d; echo $?";
    trap_exit: "trap 'echo trapped' EXIT; echo body";
    read_loop: "printf 'x 1\\ny 2\\n' | while read a b; do echo \"$b $a\"; done";
    nested_shells: "sh -c 'sh -c \"exit 5\"; echo inner $?'; echo outer";
    printf_unicode: "printf '%s\\n' héllo wörld | wc -c";
    large_argv: "seq 1 5000 | xargs echo | wc -w";
    head_sigpipe: "seq 1 1000000 | head -1";
}

#[test]
fn python_threads_subprocess_signals() {
    if !common::have("python3") {
        return;
    }
    same_as_native(
        "python3 -c '
import os, signal, subprocess, threading
out = []
def work(i): out.append(sum(range(i * 1000)))
ts = [threading.Thread(target=work, args=(i,)) for i in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
print(sorted(out)[-1])
print(subprocess.run([\"echo\", \"child\"], capture_output=True, text=True).stdout.strip())
got = []
signal.signal(signal.SIGUSR1, lambda s, f: got.append(s))
os.kill(os.getpid(), signal.SIGUSR1)
print(\"signal\", got)
'",
        None,
    );
}

#[test]
fn python_multiprocessing() {
    if !common::have("python3") {
        return;
    }
    same_as_native(
        "python3 -c '
import multiprocessing as mp
def sq(x): return x * x
if __name__ == \"__main__\":
    with mp.Pool(2) as p: print(sum(p.map(sq, range(100))))
'",
        None,
    );
}

#[test]
fn gcc_compiles_and_runs_hello() {
    if !common::have("cc") {
        return;
    }
    let dir = common::scratch_dir("transparency_gcc");
    let script = format!(
        "cd {} && printf '#include <stdio.h>\\nint main(void) {{ puts(\"hello\"); return 7; }}\\n' > h.c && cc -O1 -o h h.c && ./h",
        dir.display()
    );
    same_as_native(&script, None);
}

#[test]
fn make_parallel() {
    if !common::have("make") {
        return;
    }
    let dir = common::scratch_dir("transparency_make");
    std::fs::write(
        dir.join("Makefile"),
        "all: a b c\n\t@cat a b c\na:\n\t@echo A > a\nb:\n\t@echo B > b\nc:\n\t@echo C > c\nclean:\n\t@rm -f a b c\n",
    )
    .unwrap();
    let script = format!("cd {} && make -s clean && make -s -j2", dir.display());
    same_as_native(&script, None);
}

#[test]
fn clock_loop_is_monotonic_and_correct() {
    // With the vDSO hidden, time comes from real syscalls: still monotonic and close to the
    // host's clock.
    if !common::have("python3") {
        return;
    }
    let script = "python3 -c '
import time
last = time.monotonic(); ok = True
for _ in range(2000):
    now = time.monotonic(); ok = ok and now >= last; last = now
print(\"monotonic\", ok)
print(abs(time.time() - float(open(\"/proc/uptime\").read().split()[0]) - (time.time() - float(open(\"/proc/uptime\").read().split()[0]))) < 1)
'";
    same_as_native(script, None);
}
