//! A signal the program ignores never interrupts a call, traced or not. Under ptrace the
//! kernel still delivers it to the tracer, and calls that return EINTR on any signal
//! (`rt_sigtimedwait`, `epoll_wait`) would fail where natively they go on waiting; strace
//! shows exactly that. interpose restarts them with what is left of their timeout.

mod common;

#[test]
fn ignored_signals_do_not_cut_waits_short() {
    let dir = common::scratch_dir("ignored_signal");
    let Some(program) = common::compile_c("ignored_signal", &dir) else {
        return;
    };
    let program = program.to_str().unwrap();
    let native = common::run(program, &[] as &[&str]);
    assert!(native.status.success());
    assert!(
        native
            .stdout_text()
            .contains("epoll_wait 300ms: 0 , full wait: yes"),
        "{}",
        native.stdout_text()
    );
    let traced = common::interpose(&["-o", "/dev/null", program]);
    assert_eq!(traced.stdout_text(), native.stdout_text());
    assert_eq!(traced.status.code(), native.status.code());
}

#[test]
fn with_a_handler_a_wait_without_timeout_is_not_cut_short() {
    // Under the seccomp prefilter the tracer does not see the calls start, so it restarts
    // only those with no timeout to keep.
    let dir = common::scratch_dir("ignored_signal_handler");
    let Some(program) = common::compile_c("ignored_signal", &dir) else {
        return;
    };
    let program = program.to_str().unwrap();
    let native = common::run(program, &[] as &[&str]);
    let (out, outcome) = common::traced(interpose::Passthru, program, &[]);
    assert!(outcome.status.success());
    let line = |text: &str| {
        text.lines()
            .find(|l| l.starts_with("sigwaitinfo"))
            .map(str::to_string)
    };
    assert_eq!(line(&out), line(&native.stdout_text()), "{out}");
}
