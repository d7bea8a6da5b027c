/* One family of decoders per run: `decode_calls FAMILY` makes real calls of that family
 * (fcntl, clone, stat, time, signal, sched, resource, wait, futex, prctl, mount, memory,
 * io_uring, bpf), with arguments fixed so that two runs make the same calls. Each run works
 * in the current directory. tests/decode_test.rs compares the lines of interpose and
 * strace for them. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>

static void fcntl_calls(void)
{
    int fd = open("locked.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, "0123456789", 10) != 10)
        exit(1);
    fcntl(fd, F_GETFD);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    fcntl(fd, F_GETFD);
    fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, O_NONBLOCK | O_APPEND);
    fcntl(fd, F_GETFL);
    close(fcntl(fd, F_DUPFD, 10));
    close(fcntl(fd, F_DUPFD_CLOEXEC, 20));
    struct flock lock = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 2, .l_len = 5};
    fcntl(fd, F_SETLK, &lock);
    lock.l_type = F_RDLCK;
    fcntl(fd, F_SETLKW, &lock);
    struct flock probe = {.l_type = F_WRLCK, .l_whence = SEEK_CUR, .l_start = 0, .l_len = 0};
    fcntl(fd, F_GETLK, &probe);
    struct flock ofd = {.l_type = F_RDLCK, .l_whence = SEEK_END, .l_start = -3, .l_len = 1};
    fcntl(fd, F_OFD_SETLK, &ofd);
    fcntl(fd, F_OFD_GETLK, &ofd);
    lock.l_type = F_UNLCK;
    fcntl(fd, F_SETLK, &lock);
    fcntl(fd, F_GETOWN);
    fcntl(fd, F_SETOWN, 0);
    fcntl(fd, F_GETSIG);
    fcntl(fd, F_GETLEASE);
    fcntl(-1, F_GETFD);
    int fds[2];
    if (pipe(fds) == 0) {
        fcntl(fds[0], F_GETPIPE_SZ);
        fcntl(fds[0], F_SETPIPE_SZ, 65536);
    }
    int memfd = memfd_create("sealed", MFD_ALLOW_SEALING);
    if (memfd >= 0) {
        fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW);
        fcntl(memfd, F_GET_SEALS);
    }
    close(fd);
    unlink("locked.txt");
}

static int child_fn(void *arg)
{
    (void)arg;
    return 0;
}

static void clone_calls(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    waitpid(pid, NULL, 0);
    /* The plain clone a fork-like library call makes, with no stack. */
    long raw = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (raw == 0)
        _exit(0);
    waitpid(raw, NULL, 0);
    /* A thread-like clone with a stack, a parent tid and no exit signal. */
    static char stack[65536] __attribute__((aligned(16)));
    pid_t ptid = 0;
    pid = clone(child_fn, stack + sizeof stack, CLONE_VM | CLONE_FS | CLONE_PARENT_SETTID,
                NULL, &ptid);
    if (pid > 0)
        waitpid(pid, NULL, __WALL);
    pid = clone(child_fn, stack + sizeof stack, CLONE_VFORK | CLONE_VM | SIGCHLD, NULL);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    /* clone3 calls the kernel refuses (interpose refuses them too, or rewrites them into
     * a clone that fails alike): the struct, and an address for a size below 64. */
    uint64_t args[11] = {0};
    args[4] = SIGCHLD;
    args[9] = 1; /* set_tid_size without set_tid */
    syscall(SYS_clone3, args, sizeof args);
    memset(args, 0, sizeof args);
    args[0] = CLONE_PIDFD | CLONE_PARENT_SETTID | CLONE_SETTLS | CLONE_CHILD_CLEARTID;
    args[1] = 8;
    args[2] = 32;
    args[3] = 16;
    args[4] = 200; /* not a signal */
    args[5] = 4096;
    args[6] = 8192;
    args[7] = 24;
    syscall(SYS_clone3, args, sizeof args);
    syscall(SYS_clone3, args, 8);
}

static void stat_calls(void)
{
    struct stat st;
    stat("/dev/null", &st);
    fstatat(AT_FDCWD, "/dev/null", &st, 0);
    lstat("/dev/zero", &st);
    struct statx stx;
    statx(AT_FDCWD, "/etc/passwd", 0, STATX_BASIC_STATS, &stx);
    statx(AT_FDCWD, "/dev/null", AT_STATX_SYNC_AS_STAT, STATX_ALL, &stx);
    statx(AT_FDCWD, "/nonexistent", AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_MODE, &stx);
    int fd = open("times.txt", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    struct timespec times[2] = {{.tv_sec = 1000000000, .tv_nsec = 5}, {.tv_sec = 0, .tv_nsec = UTIME_OMIT}};
    utimensat(AT_FDCWD, "times.txt", times, 0);
    struct timespec now[2] = {{.tv_sec = 0, .tv_nsec = UTIME_NOW}, {.tv_sec = 0, .tv_nsec = UTIME_NOW}};
    utimensat(AT_FDCWD, "times.txt", now, AT_SYMLINK_NOFOLLOW);
    utimensat(AT_FDCWD, "times.txt", NULL, 0);
    futimens(fd, times);
    close(fd);
    unlink("times.txt");
    struct statfs sfs;
    statfs("/proc", &sfs);
    statfs("/", &sfs);
    fd = open("/proc", O_RDONLY | O_DIRECTORY);
    fstatfs(fd, &sfs);
    close(fd);
    struct sysinfo info;
    sysinfo(&info);
    struct utsname names;
    uname(&names);
}

static void time_calls(void)
{
    struct timespec ts = {.tv_sec = 0, .tv_nsec = 1000};
    nanosleep(&ts, NULL);
    clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
    struct timespec rem;
    clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &rem);
    nanosleep(&ts, &rem);
    clock_getres(CLOCK_MONOTONIC, &ts);
    struct itimerval it = {.it_interval = {0, 0}, .it_value = {0, 0}};
    setitimer(ITIMER_REAL, &it, NULL);
    getitimer(ITIMER_VIRTUAL, &it);
    timer_t timer;
    struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1};
    sev.sigev_value.sival_int = 7;
    if (syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &timer) == 0)
        syscall(SYS_timer_delete, timer);
    struct sigevent plain = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM};
    if (syscall(SYS_timer_create, CLOCK_REALTIME, &plain, &timer) == 0)
        syscall(SYS_timer_delete, timer);
    struct sigevent none = {.sigev_notify = SIGEV_NONE};
    if (syscall(SYS_timer_create, CLOCK_REALTIME, &none, &timer) == 0)
        syscall(SYS_timer_delete, timer);
    syscall(SYS_timer_create, CLOCK_BOOTTIME, NULL, &timer);
    struct sigevent tid = {.sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGALRM};
    tid._sigev_un._tid = gettid();
    if (syscall(SYS_timer_create, CLOCK_MONOTONIC, &tid, &timer) == 0) {
        struct itimerspec its = {.it_value = {.tv_sec = 100, .tv_nsec = 0}};
        syscall(SYS_timer_settime, timer, 0, &its, NULL);
        syscall(SYS_timer_gettime, timer, &its);
        syscall(SYS_timer_delete, timer);
    }
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    if (tfd >= 0) {
        struct itimerspec its = {.it_value = {.tv_sec = 100, .tv_nsec = 5}};
        timerfd_settime(tfd, 0, &its, NULL);
        struct itimerspec abs = {.it_value = {.tv_sec = 1, .tv_nsec = 0}};
        timerfd_settime(tfd, TFD_TIMER_ABSTIME, &abs, &its);
        close(tfd);
    }
    struct timespec res;
    syscall(SYS_clock_getres, CLOCK_REALTIME, &res);
}

static void signal_calls(void)
{
    static char alt[65536];
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
    stack_t old;
    sigaltstack(&ss, &old);
    sigaltstack(NULL, &old);
    stack_t off = {.ss_flags = SS_DISABLE};
    sigaltstack(&off, NULL);
    /* A signal queued with a value, blocked, then taken with sigtimedwait. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    union sigval value = {.sival_int = 42};
    sigqueue(getpid(), SIGUSR1, value);
    sigset_t pending;
    sigpending(&pending);
    siginfo_t info;
    struct timespec ts = {.tv_sec = 1, .tv_nsec = 0};
    sigtimedwait(&set, &info, &ts);
    raise(SIGUSR1);
    sigtimedwait(&set, &info, &ts);
    struct timespec none = {0, 0};
    sigtimedwait(&set, &info, &none);
}

static void sched_calls(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    sched_getaffinity(0, sizeof set, &set);
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    sched_setaffinity(0, sizeof one, &one);
    sched_setaffinity(0, sizeof set, &set);
    struct sched_param param;
    sched_getparam(0, &param);
    sched_getscheduler(0);
    param.sched_priority = 0;
    sched_setscheduler(0, SCHED_OTHER, &param);
    sched_get_priority_max(SCHED_FIFO);
    sched_get_priority_min(SCHED_RR);
    struct timespec ts;
    sched_rr_get_interval(0, &ts);
    sched_yield();
    uint32_t attr[14];
    memset(attr, 0, sizeof attr);
    syscall(SYS_sched_getattr, 0, attr, sizeof attr, 0);
    syscall(SYS_sched_setattr, 0, attr, 0);
    attr[0] = 48;
    syscall(SYS_sched_setattr, 0, attr, 0);
    syscall(SYS_sched_getattr, 0, attr, 8, 0);
}

static void resource_calls(void)
{
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_STACK, &rl);
    getrlimit(RLIMIT_CORE, &rl);
    struct rlimit64 new = {.rlim_cur = 4096, .rlim_max = 8192}, old64;
    prlimit64(0, RLIMIT_NOFILE, NULL, &old64);
    prlimit64(0, RLIMIT_MEMLOCK, NULL, &old64);
    (void)new;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    getrusage(RUSAGE_CHILDREN, &ru);
    getpriority(PRIO_PROCESS, 0);
    gid_t groups[64];
    int n = getgroups(0, groups);
    n = getgroups(64, groups);
    if (n >= 0)
        setgroups(n, groups);
    long prio = syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0);
    syscall(SYS_ioprio_set, 1, 0, (3 << 13) | 7);
    syscall(SYS_ioprio_get, 1, 0);
    if (prio >= 0)
        syscall(SYS_ioprio_set, 1, 0, prio);
    setpriority(PRIO_PROCESS, 0, getpriority(PRIO_PROCESS, 0));
}

static void wait_calls(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(3);
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    pid = fork();
    if (pid == 0)
        _exit(4);
    siginfo_t info;
    waitid(P_PID, pid, &info, WEXITED);
    pid = fork();
    if (pid == 0) {
        raise(SIGKILL);
        _exit(0);
    }
    wait4(pid, &status, __WALL, NULL);
    wait4(-1, &status, WNOHANG, NULL);
    /* A child that has not ended: WNOHANG finds nothing, and the status is not written. */
    pid = fork();
    if (pid == 0) {
        pause();
        _exit(0);
    }
    wait4(pid, &status, WNOHANG, NULL);
    kill(pid, SIGKILL);
    wait4(pid, &status, 0, NULL);
}

static void futex_calls(void)
{
    uint32_t word = 1;
    struct timespec ts = {.tv_sec = 0, .tv_nsec = 1000};
    syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
    syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    syscall(SYS_futex, &word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, &ts, NULL,
            FUTEX_BITSET_MATCH_ANY);
    syscall(SYS_futex, &word, FUTEX_WAKE_BITSET, 1, NULL, NULL, FUTEX_BITSET_MATCH_ANY);
    syscall(SYS_futex, &word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 0x5);
    uint32_t other = 0;
    syscall(SYS_futex, &word, FUTEX_CMP_REQUEUE_PRIVATE, 1, 2, &other, 1);
    syscall(SYS_futex, &word, FUTEX_WAKE_OP_PRIVATE, 1, 1, &other,
            FUTEX_OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_GT, 0));
}

static void prctl_calls(void)
{
    char name[16];
    prctl(PR_SET_NAME, "decoder");
    prctl(PR_GET_NAME, name);
    prctl(PR_GET_DUMPABLE);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    int sig;
    prctl(PR_GET_PDEATHSIG, &sig);
    prctl(PR_CAPBSET_READ, 0);
    prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    prctl(PR_GET_CHILD_SUBREAPER, &sig);
    prctl(PR_GET_TIMERSLACK);
    prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, 0, 0, 0);
}

static void mount_calls(void)
{
    mount("none", "/nonexistent/dir", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=1m");
    mount("/nonexistent/a", "/nonexistent/b", NULL, MS_BIND | MS_REC, NULL);
    mount(NULL, "/nonexistent/c", NULL, MS_REMOUNT | MS_RDONLY, NULL);
    mount(NULL, "/nonexistent/d", NULL, MS_PRIVATE | MS_REC, NULL);
    umount2("/nonexistent/dir", MNT_DETACH);
    umount2("/nonexistent/dir", 0);
}

static void memory_calls(void)
{
    size_t page = 4096;
    char *p = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        exit(1);
    mprotect(p, page, PROT_READ);
    mprotect(p, page, PROT_NONE);
    /* Back to one mapping, which mremap needs. */
    mprotect(p, page, PROT_READ | PROT_WRITE);
    char *q = mremap(p, 4 * page, 8 * page, MREMAP_MAYMOVE);
    if (q == MAP_FAILED)
        exit(1);
    madvise(q, page, MADV_DONTNEED);
    madvise(q, page, MADV_WILLNEED);
    madvise(q, page, MADV_HUGEPAGE);
    msync(q, page, MS_ASYNC);
    mlock(q + page, page);
    munlock(q + page, page);
    q[0] = 1;
    mincore(q, 3 * page, (unsigned char *)q + page);
    munmap(q, 8 * page);
    mmap(NULL, page, PROT_READ, MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    mlockall(MCL_CURRENT | MCL_FUTURE);
    munlockall();
}

static void io_uring_calls(void)
{
    unsigned char params[120];
    memset(params, 0, sizeof params);
    long fd = syscall(SYS_io_uring_setup, 4, params);
    if (fd >= 0)
        close(fd);
    memset(params, 0, sizeof params);
    ((uint32_t *)params)[2] = 1u << 1; /* IORING_SETUP_SQPOLL */
    ((uint32_t *)params)[4] = 2000;    /* sq_thread_idle */
    fd = syscall(SYS_io_uring_setup, 2, params);
    if (fd >= 0)
        close(fd);
}

static void bpf_calls(void)
{
    unsigned char attr[128];
    memset(attr, 0, sizeof attr);
    syscall(SYS_bpf, 0 /* BPF_MAP_CREATE */, attr, sizeof attr);
    syscall(SYS_bpf, 5 /* BPF_PROG_LOAD */, attr, sizeof attr);
    syscall(SYS_bpf, 99, attr, sizeof attr);
}

static void ioctl_calls(void)
{
    int fds[2];
    if (pipe(fds) != 0 || write(fds[1], "twenty-seven bytes of data.", 27) != 27)
        exit(1);
    int n = 0;
    ioctl(fds[0], FIONREAD, &n);
    int on = 1;
    ioctl(fds[0], FIONBIO, &on);
    ioctl(fds[0], FIOCLEX);
    ioctl(fds[0], FIONCLEX);
    ioctl(fds[0], FIOASYNC, &on);
    struct termios t;
    ioctl(fds[0], TCGETS, &t);
    /* A terminal of its own: a pseudo-terminal pair. */
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0)
        return;
    unsigned int ptn;
    ioctl(master, TIOCGPTN, &ptn);
    int unlock = 0;
    ioctl(master, TIOCSPTLCK, &unlock);
    ioctl(master, TCGETS, &t);
    ioctl(master, TCSETS, &t);
    ioctl(master, TCSETSW, &t);
    struct termio old_style;
    ioctl(master, TCGETA, &old_style);
    ioctl(master, TCSETA, &old_style);
    struct winsize ws = {.ws_row = 24, .ws_col = 80};
    ioctl(master, TIOCSWINSZ, &ws);
    ioctl(master, TIOCGWINSZ, &ws);
    pid_t pgrp;
    ioctl(master, TIOCGPGRP, &pgrp);
    ioctl(master, TCFLSH, TCIFLUSH);
    ioctl(master, TIOCOUTQ, &n);
    int sock = socket(AF_INET, SOCK_DGRAM, 0);
    if (sock >= 0) {
        struct ifreq ifr;
        memset(&ifr, 0, sizeof ifr);
        ifr.ifr_ifindex = 1;
        ioctl(sock, SIOCGIFNAME, &ifr);
        strcpy(ifr.ifr_name, "lo");
        ioctl(sock, SIOCGIFINDEX, &ifr);
        ioctl(sock, SIOCGIFFLAGS, &ifr);
        ioctl(sock, SIOCGIFMTU, &ifr);
    }
}

/* Arrays longer than strace's default string limit (32), which it cuts there unless -v. */
enum { LONG_ARRAY = 36 };

static void array_calls(void)
{
    struct iovec iov[LONG_ARRAY];
    for (int i = 0; i < LONG_ARRAY; i++) {
        iov[i].iov_base = "ab";
        iov[i].iov_len = 2;
    }
    int fd = open("/dev/null", O_WRONLY);
    writev(fd, iov, LONG_ARRAY);
    void *pages = mmap(NULL, LONG_ARRAY * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                       -1, 0);
    unsigned char vec[LONG_ARRAY];
    if (pages != MAP_FAILED)
        mincore(pages, LONG_ARRAY * 4096, vec);
    gid_t groups[LONG_ARRAY];
    for (int i = 0; i < LONG_ARRAY; i++)
        groups[i] = i;
    setgroups(LONG_ARRAY, groups);
    struct pollfd pfds[LONG_ARRAY];
    for (int i = 0; i < LONG_ARRAY; i++) {
        pfds[i].fd = fd;
        pfds[i].events = POLLOUT;
    }
    poll(pfds, LONG_ARRAY, 0);
    /* More ready than strace's 1024-byte buffer for them holds, even unabbreviated. */
    struct pollfd many[64];
    for (int i = 0; i < 64; i++) {
        many[i].fd = fd;
        many[i].events = POLLOUT | POLLWRNORM;
    }
    poll(many, 64, 0);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        exit(1);
    int ep = epoll_create1(0);
    for (int i = 0; i < LONG_ARRAY; i++) {
        int d = dup(sv[0]);
        struct epoll_event ev = {.events = EPOLLOUT, .data.fd = d};
        epoll_ctl(ep, EPOLL_CTL_ADD, d, &ev);
    }
    struct epoll_event ready[LONG_ARRAY];
    epoll_wait(ep, ready, LONG_ARRAY, 0);
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = LONG_ARRAY};
    sendmsg(sv[1], &msg, 0);
}

static void select_calls(void)
{
    int p[2];
    if (pipe(p) != 0 || write(p[1], "x", 1) != 1)
        exit(1);
    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(p[0], &r);
    FD_SET(p[1], &w);
    struct timeval tv = {.tv_sec = 100, .tv_usec = 0};
    syscall(SYS_select, p[1] + 1, &r, &w, NULL, &tv);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    FD_ZERO(&w);
    FD_SET(p[1], &w);
    struct timespec ts = {.tv_sec = 100, .tv_nsec = 0};
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    pselect(p[1] + 1, &r, &w, NULL, &ts, &mask);
    char c;
    if (read(p[0], &c, 1) != 1)
        exit(1);
    /* Nothing to read: a timeout at once. */
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    struct timeval zero = {0, 0};
    syscall(SYS_select, p[0] + 1, &r, NULL, NULL, &zero);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    FD_SET(p[1], &r);
    fd_set e = r;
    ts.tv_nsec = 1000;
    ts.tv_sec = 0;
    pselect(p[1] + 1, &r, NULL, &e, &ts, NULL);
    syscall(SYS_select, 0, NULL, NULL, NULL, &zero);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        void (*run)(void);
    } families[] = {
        {"fcntl", fcntl_calls},       {"clone", clone_calls},   {"stat", stat_calls},
        {"time", time_calls},         {"signal", signal_calls}, {"sched", sched_calls},
        {"resource", resource_calls}, {"wait", wait_calls},     {"futex", futex_calls},
        {"prctl", prctl_calls},       {"mount", mount_calls},   {"memory", memory_calls},
        {"io_uring", io_uring_calls}, {"bpf", bpf_calls},         {"ioctl", ioctl_calls},
        {"select", select_calls},     {"arrays", array_calls},
    };
    if (argc != 2)
        return 2;
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
        if (strcmp(argv[1], families[i].name) == 0) {
            families[i].run();
            return 0;
        }
    }
    return 2;
}
