/* junk_syscalls DIR SEED COUNT: makes COUNT system calls chosen by a PRNG seeded with
 * SEED, with junk arguments (NULL, -1, 2^63, kernel addresses, an unmapped page, a page
 * that ends where memory ends, pointers into its own data and text, random numbers and
 * lengths), in directory DIR. It prints one line per call: the index, the call, and its
 * result as "ok" or the errno. Run natively and traced, the lines must be the same.
 *
 * What the calls can reach is kept harmless and repeatable: only calls that cannot end,
 * stop, signal or block the program, change its memory map, signal handlers or limits,
 * or act on other processes (no exit, kill, fork, clone, execve, mmap, munmap, mprotect,
 * brk, rt_sigaction, sigprocmask, arch_prctl, prctl, seccomp, setrlimit, sleeps, waits,
 * poll, futex, pipes, sockets, eventfd, timers, ptrace...), nor fill the disk (no
 * fallocate, sendfile or copy_file_range: files grow sparse, or by what a write of its
 * own memory holds). Lock calls that wait (flock, fcntl F_SETLKW and F_OFD_SETLKW) are
 * left out too. The buffer the kernel may
 * write into is restored before each call, so every call sees the same memory in every
 * run, and the program runs itself again without address space randomization. The test
 * runs it as nobody in a fresh directory. An alarm ends a run that hangs. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/auxv.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096
#define SCRATCH (16 * PAGE)
#define REPORT_FD 1023
#define X32_BIT 0x40000000L

/* x86_64 calls that are safe with any arguments, in the sense above. */
static const long calls[] = {
    SYS_read, SYS_write, SYS_open, SYS_close, SYS_stat, SYS_fstat, SYS_lstat, SYS_lseek,
    SYS_pread64, SYS_pwrite64, SYS_readv, SYS_writev, SYS_access, SYS_sched_yield,
    SYS_mincore, SYS_dup, SYS_dup2, SYS_getpid, SYS_uname, SYS_fcntl,
    SYS_fsync, SYS_fdatasync, SYS_truncate, SYS_ftruncate, SYS_getdents,
    SYS_getcwd, SYS_chdir, SYS_fchdir, SYS_rename, SYS_mkdir, SYS_rmdir, SYS_creat,
    SYS_link, SYS_unlink, SYS_symlink, SYS_readlink, SYS_chmod, SYS_fchmod, SYS_chown,
    SYS_fchown, SYS_lchown, SYS_umask, SYS_gettimeofday, SYS_getrlimit, SYS_getrusage,
    SYS_sysinfo, SYS_times, SYS_getuid, SYS_getgid, SYS_setuid, SYS_setgid, SYS_geteuid,
    SYS_getegid, SYS_getppid, SYS_getpgrp, SYS_setreuid, SYS_setregid, SYS_getgroups,
    SYS_setgroups, SYS_setresuid, SYS_getresuid, SYS_setresgid, SYS_getresgid,
    SYS_setfsuid, SYS_setfsgid, SYS_capget, SYS_capset, SYS_rt_sigpending, SYS_utime,
    SYS_statfs, SYS_fstatfs, SYS_mlock, SYS_munlock, SYS_gettid, SYS_readahead,
    SYS_setxattr, SYS_lsetxattr, SYS_fsetxattr, SYS_getxattr, SYS_lgetxattr,
    SYS_fgetxattr, SYS_listxattr, SYS_llistxattr, SYS_flistxattr, SYS_removexattr,
    SYS_lremovexattr, SYS_fremovexattr, SYS_time, SYS_getdents64, SYS_fadvise64,
    SYS_clock_gettime, SYS_clock_getres, SYS_utimes, SYS_openat, SYS_mkdirat,
    SYS_fchownat, SYS_futimesat, SYS_newfstatat, SYS_unlinkat, SYS_renameat, SYS_linkat,
    SYS_symlinkat, SYS_readlinkat, SYS_fchmodat, SYS_faccessat, SYS_sync_file_range,
    SYS_utimensat, SYS_dup3, SYS_preadv, SYS_pwritev, SYS_name_to_handle_at,
    SYS_renameat2, SYS_getrandom, SYS_memfd_create, SYS_preadv2,
    SYS_pwritev2, SYS_statx, SYS_openat2, SYS_faccessat2, SYS_getcpu, SYS_epoll_create,
    SYS_epoll_create1, SYS_epoll_ctl, SYS_getsockname, SYS_getpeername, SYS_getsockopt,
    SYS_sendto, SYS_recvfrom, SYS_sendmsg, SYS_shutdown, SYS_ioctl, SYS_mlock2,
    SYS_munlockall, SYS_msync, 999, 1000, 4095,
};

/* i386 calls (int 0x80, numbers of asm/unistd_32.h) that are safe with any arguments:
 * getpid, read, write, open, close, time, getuid, access, times, getppid, stat, uname,
 * getcwd, stat64, openat. */
static const long i386_calls[] = {20, 3, 4, 5, 6, 13, 24, 33, 43, 64, 106, 122, 183, 195, 295};

/* Strings and structs the arguments can point to: read-only after set-up. */
static unsigned char data[4 * PAGE] __attribute__((aligned(PAGE)));
/* What the kernel may write into; restored from `pristine` before every call. */
static unsigned char scratch[SCRATCH] __attribute__((aligned(PAGE)));
static unsigned char pristine[SCRATCH];
/* An unmapped page, and a page whose end is followed by it. */
static unsigned char *unmapped, *edge;

static uint64_t state;
static void report(const char *text);

static uint64_t next(void) {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545f4914f6cdd1dULL;
}

static const char *const paths[] = {
    ".", "..", "", "f0", "f1", "d0", "d0/f2", "f0/../f1", "/dev/null", "/dev/zero",
    "/etc/passwd", "/proc/version", "/nonexistent/x", "d0/../../..",
};

static uint64_t pointer_into(unsigned char *base, uint64_t size) {
    uint64_t off = next() % size;
    switch (next() % 3) {
    case 0: return (uint64_t)base + (off & ~7ULL);
    case 1: return (uint64_t)base + (off & ~(uint64_t)(PAGE - 1));
    default: return (uint64_t)base + off;
    }
}

static uint64_t arg(void) {
    switch (next() % 20) {
    case 0: return 0;
    case 1: return (uint64_t)-1;
    case 2: return next();
    case 3: case 4: return next() % 64;
    case 5: return 1ULL << 63;
    case 6: return 0xffff880000000000ULL + (next() & 0xffffff);
    case 7: return (uint64_t)unmapped + next() % PAGE;
    case 8: return (uint64_t)edge + PAGE - 1 - next() % 64;
    case 9: case 10: return pointer_into(data, sizeof data);
    case 11: case 12: return pointer_into(scratch, sizeof scratch);
    case 13: return (uint64_t)data + 64 * (next() % (sizeof paths / sizeof *paths));
    case 14: return (uint64_t)&report + next() % 256;
    case 15: return next() % 65536;
    case 16: return (uint64_t)-(int64_t)(next() % 4096);
    case 17: return next() & 0xffffffffULL;
    case 18: return 0x7fffffffffffULL - next() % 4096;
    default: return next() % 4096;
    }
}

static long int80(long nr, long a, long b, long c, long d, long e) {
    long ret;
    __asm__ volatile("int $0x80"
                     : "=a"(ret)
                     : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e)
                     : "memory", "r8", "r9", "r10", "r11");
    return ret;
}

static void report(const char *text) {
    size_t len = strlen(text);
    while (len > 0) {
        ssize_t n = write(REPORT_FD, text, len);
        if (n <= 0) _exit(99);
        text += n;
        len -= (size_t)n;
    }
}

static void set_up_data(void) {
    /* Paths, 64 bytes apart. */
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
        strcpy((char *)data + 64 * i, paths[i]);
    unsigned char *p = data + 1024;
    /* iovecs: in the data, in the scratch buffer, pointing at themselves, huge. */
    uint64_t *iov = (uint64_t *)p;
    for (int i = 0; i < 32; i += 2) {
        iov[i] = i % 6 == 0 ? (uint64_t)&iov[i] : pointer_into(scratch, sizeof scratch);
        iov[i + 1] = i % 8 == 2 ? (1ULL << 63) : next() % 512;
    }
    p += 256;
    /* A string with no NUL up to the end of the data. */
    memset(p, 'A', data + sizeof data - p - 2 * PAGE);
    p = data + 2 * PAGE;
    /* Random bytes and pointer words. */
    for (uint64_t *w = (uint64_t *)p; (unsigned char *)w < data + sizeof data; w++)
        *w = next() % 3 == 0 ? pointer_into(data, sizeof data) : next();
    for (size_t i = 0; i < sizeof scratch; i += 8) {
        uint64_t w = next() % 4 == 0 ? pointer_into(data, sizeof data) : next() % 100000;
        memcpy(scratch + i, &w, 8);
    }
    memcpy(pristine, scratch, sizeof scratch);
    mprotect(data, sizeof data, PROT_READ);

    unsigned char *two = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (two == MAP_FAILED) exit(98);
    memset(two, 'B', PAGE);
    munmap(two + PAGE, PAGE);
    edge = two;
    unmapped = two + PAGE;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: junk_syscalls DIR SEED COUNT\n");
        return 2;
    }
    /* Junk arguments are often addresses, which the kernel also reads as numbers, flags
     * and string bytes: without address space randomization they are the same in every
     * run. */
    int persona = personality(0xffffffff);
    if (persona != -1 && !(persona & ADDR_NO_RANDOMIZE)) {
        if (personality(persona | ADDR_NO_RANDOMIZE) != -1) {
            execv("/proc/self/exe", argv);
            perror("execv");
            return 2;
        }
    }
    /* Some junk pointers land in the top page of the stack, which holds the 16 random
     * bytes the kernel gives every exec (AT_RANDOM): make them the same in every run. */
    unsigned char *random_bytes = (unsigned char *)getauxval(AT_RANDOM);
    if (random_bytes) memset(random_bytes, 0, 16);
    if (chdir(argv[1]) != 0) {
        perror(argv[1]);
        return 2;
    }
    state = strtoull(argv[2], NULL, 0) | 1;
    long count = strtol(argv[3], NULL, 0);
    alarm(30);
    /* The report goes where stdout was; the junk gets /dev/null on 0, 1 and 2. */
    if (dup2(1, REPORT_FD) != REPORT_FD) return 97;
    int null = open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3; fd++) dup2(null, fd);
    if (null > 2) close(null);
    mkdir("d0", 0755);
    close(open("f0", O_CREAT | O_WRONLY, 0644));
    set_up_data();

    char line[128];
    for (long i = 0; i < count; i++) {
        uint64_t a[6];
        for (int k = 0; k < 6; k++) a[k] = arg();
        uint64_t kind = next() % 16;
        long nr, ret;
        const char *abi;
        memcpy(scratch, pristine, sizeof scratch);
        if (kind == 0) {
            abi = "i386";
            nr = i386_calls[next() % (sizeof i386_calls / sizeof *i386_calls)];
            ret = int80(nr, (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4]);
        } else {
            nr = calls[next() % (sizeof calls / sizeof *calls)];
            abi = "x86_64";
            if (kind == 1) {
                /* The x32 ABI: the same numbers with __X32_SYSCALL_BIT. */
                abi = "x32";
                nr |= X32_BIT;
            }
            /* A lock that waits could wait for a lock of this very process. */
            if (nr == SYS_fcntl && ((int)a[1] == F_SETLKW || (int)a[1] == F_OFD_SETLKW))
                a[1] = F_GETLK;
            errno = 0;
            ret = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
            if (ret == -1) ret = -errno;
        }
        if (ret < 0 && ret > -4096)
            snprintf(line, sizeof line, "%ld %s %ld = -%s\n", i, abi, nr & ~X32_BIT,
                     strerrorname_np((int)-ret) ? strerrorname_np((int)-ret) : "?");
        else
            snprintf(line, sizeof line, "%ld %s %ld = ok\n", i, abi, nr & ~X32_BIT);
        report(line);
    }
    report("done\n");
    return 0;
}
