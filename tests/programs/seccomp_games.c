/* What a hostile program tries against the tracer that confines it:
 *   listener  install a seccomp filter with a listener (SECCOMP_RET_USER_NOTIF outranks
 *             the tracer's SECCOMP_RET_TRACE); prints whether it got one
 *   trace     install its own SECCOMP_RET_TRACE filter on getppid, then call getppid:
 *             natively nobody answers and the call fails with ENOSYS
 *   steal     take a descriptor of its parent (the tracer) with pidfd_getfd, read a byte
 *             of its memory with process_vm_readv, and attach to it with ptrace
 *   mem       open its parent's memory through /proc */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static long install(unsigned int flags, unsigned int action) {
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, action),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {4, code};
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

static void report(const char *what, long r) {
    printf("%s: %s\n", what, r < 0 ? strerrorname_np(errno) : "ok");
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "listener")) {
        report("listener", install(SECCOMP_FILTER_FLAG_NEW_LISTENER, SECCOMP_RET_USER_NOTIF));
    } else if (!strcmp(mode, "trace")) {
        report("filter", install(0, SECCOMP_RET_TRACE | 42));
        report("getppid", syscall(SYS_getppid));
    } else if (!strcmp(mode, "steal")) {
        pid_t parent = getppid();
        long pidfd = syscall(SYS_pidfd_open, parent, 0);
        report("pidfd_getfd", pidfd < 0 ? pidfd : syscall(SYS_pidfd_getfd, pidfd, 2, 0));
        /* The first byte of the parent's first mapping (where its maps can be read). */
        char path[64], byte;
        unsigned long start = 1;
        snprintf(path, sizeof path, "/proc/%d/maps", parent);
        FILE *maps = fopen(path, "r");
        if (maps) {
            if (fscanf(maps, "%lx", &start) != 1) start = 1;
            fclose(maps);
        }
        struct iovec local = {&byte, 1}, remote = {(void *)start, 1};
        report("process_vm_readv", process_vm_readv(parent, &local, 1, &remote, 1, 0));
        report("ptrace", ptrace(PTRACE_SEIZE, parent, 0, 0));
    } else if (!strcmp(mode, "mem")) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/mem", getppid());
        report("open mem", open(path, O_RDONLY));
    }
    return 0;
}
