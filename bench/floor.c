/* floor: the cheapest tracer that can see one syscall. A seccomp filter traps only syscall
 * NR (SECCOMP_RET_TRACE); every other call runs without a stop; each trapped call costs one
 * PTRACE_EVENT_SECCOMP stop, answered with PTRACE_CONT. It follows forks like the real
 * thing (TRACEFORK/VFORK/CLONE) and exits with the program's status.
 *
 * With -x it is the floor of a trace of that call instead, the least any tracer that prints
 * the call's result must do (as `strace --seccomp-bpf -e trace=NR` does): at the seccomp
 * stop it fetches the registers and reads the first argument that is a string (the path of
 * open, openat, stat...) with process_vm_readv, restarts with PTRACE_SYSCALL to get the
 * exit stop, fetches the result there and writes one line per call to /dev/null.
 *
 *   floor [-x] NR PROGRAM [ARGS...]
 */
#define _GNU_SOURCE
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

/* The path argument of a trapped call: openat's second, the first of the others. */
static unsigned long path_arg(const struct user_regs_struct *r) {
    return r->orig_rax == SYS_openat || r->orig_rax == SYS_newfstatat ? r->rsi : r->rdi;
}

int main(int argc, char **argv) {
    int trace = argc > 1 && argv[1][0] == '-' && argv[1][1] == 'x';
    if (trace) { argc--; argv++; }
    if (argc < 3) { fprintf(stderr, "usage: floor [-x] NR PROGRAM [ARGS...]\n"); return 2; }
    unsigned nr = (unsigned)atoi(argv[1]);
    FILE *log = fopen("/dev/null", "w");
    char path[4096];
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = { sizeof code / sizeof code[0], code };
    pid_t child = fork();
    if (child == 0) {
        ptrace(PTRACE_TRACEME, 0, 0, 0);
        raise(SIGSTOP);
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
        execvp(argv[2], argv + 2);
        _exit(127);
    }
    int status, root_status = 0;
    waitpid(child, &status, 0);
    ptrace(PTRACE_SETOPTIONS, child, 0, PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL |
           PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
           PTRACE_O_TRACESYSGOOD);
    ptrace(PTRACE_CONT, child, 0, 0);
    for (;;) {
        pid_t pid = waitpid(-1, &status, __WALL);
        if (pid < 0) break;
        if (WIFEXITED(status) || WIFSIGNALED(status)) {
            if (pid == child) root_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            continue;
        }
        int sig = WSTOPSIG(status);
        if (trace && status >> 8 == (SIGTRAP | PTRACE_EVENT_SECCOMP << 8)) {
            struct user_regs_struct regs;
            ptrace(PTRACE_GETREGS, pid, 0, &regs);
            struct iovec local = { path, sizeof path - 1 }, remote = { (void *)path_arg(&regs), sizeof path - 1 };
            ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
            path[n > 0 ? n : 0] = 0;
            fprintf(log, "%d %llu(\"%s\"", pid, regs.orig_rax, path);
            ptrace(PTRACE_SYSCALL, pid, 0, 0);
            continue;
        }
        if (trace && sig == (SIGTRAP | 0x80)) { /* the exit stop of a trapped call */
            struct user_regs_struct regs;
            ptrace(PTRACE_GETREGS, pid, 0, &regs);
            fprintf(log, ") = %lld\n", (long long)regs.rax);
            ptrace(PTRACE_CONT, pid, 0, 0);
            continue;
        }
        /* Events and the first stop of new children: no signal to pass on. */
        if (status >> 16 || sig == SIGTRAP || sig == SIGSTOP) sig = 0;
        ptrace(PTRACE_CONT, pid, 0, sig);
    }
    return root_status;
}
