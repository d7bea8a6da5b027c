/* Tries to make children that escape the tracer, COUNT times through one route, and counts
 * them. Every child asks for CLONE_UNTRACED; each one reads TracerPid in /proc/self/status
 * and exits 0 if it is traced, 1 if not. The parent waits for each child and prints
 *   ROUTE attempts=N children=C escaped=E refused=R errno=ERRNO
 * (refused: the call failed, ERRNO is the last error, 0 if none).
 *
 * Routes:
 *   clone        x86_64 clone(CLONE_UNTRACED | SIGCHLD), flags in a register
 *   clone3       clone3 with CLONE_UNTRACED while another thread keeps writing
 *                CLONE_UNTRACED into the struct's flags (the race with a tracer that
 *                strips the flag in memory)
 *   i386         clone through int 0x80 (i386 number 120), flags in ebx
 *   i386_clone3  clone3 through int 0x80 (i386 number 435), the struct below 4 GiB,
 *                raced as for clone3
 *   clone3_tls   clone3 asking for CLONE_SETTLS as well, which clone can only take in a
 *                register a caller may be using: raced the same way
 *   x32          x32 clone (the x86_64 number with __X32_SYSCALL_BIT); kernels without
 *                the x32 ABI refuse it with ENOSYS
 *   x32_clone3   x32 clone3, raced as for clone3
 * Usage: clone_escape ROUTE COUNT */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define X32_BIT 0x40000000L

static volatile struct clone_args *target;
static uint64_t race_flags;
static volatile int stop_racing;

/* In the child: 0 if a tracer is attached, 1 if not, 2 if it cannot tell. */
static int child_status(void) {
    char buf[4096];
    int fd = open("/proc/self/status", O_RDONLY);
    if (fd < 0) return 2;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 2;
    buf[n] = 0;
    const char *line = strstr(buf, "TracerPid:");
    if (!line) return 2;
    return atoi(line + strlen("TracerPid:")) != 0 ? 0 : 1;
}

/* Keeps CLONE_UNTRACED in the flags of the struct the main thread passes to clone3. */
static void *racer(void *unused) {
    (void)unused;
    while (!stop_racing) target->flags = race_flags;
    return NULL;
}

static long i386_call(long number, long a0, long a1) {
    long ret;
    __asm__ volatile("int $0x80"
                     : "=a"(ret)
                     : "a"(number), "b"(a0), "c"(a1), "d"(0L), "S"(0L), "D"(0L)
                     : "memory", "r8", "r9", "r10", "r11");
    return ret;
}

/* One attempt: the child's pid, 0 in the child, or -errno. */
static long attempt(const char *route) {
    if (strcmp(route, "clone") == 0) {
        long pid = syscall(SYS_clone, CLONE_UNTRACED | SIGCHLD, 0, 0, 0, 0);
        return pid < 0 ? -errno : pid;
    }
    if (strcmp(route, "x32") == 0) {
        long pid = syscall(X32_BIT | SYS_clone, CLONE_UNTRACED | SIGCHLD, 0, 0, 0, 0);
        return pid < 0 ? -errno : pid;
    }
    if (strcmp(route, "i386") == 0) return i386_call(120, CLONE_UNTRACED | SIGCHLD, 0);
    memset((void *)target, 0, sizeof *target);
    target->flags = race_flags;
    target->exit_signal = SIGCHLD;
    if (race_flags & CLONE_SETTLS) {
        /* The child keeps the parent's TLS: the same value, set again. */
        unsigned long fs = 0;
        syscall(SYS_arch_prctl, ARCH_GET_FS, &fs);
        target->tls = fs;
    }
    if (strcmp(route, "i386_clone3") == 0)
        return i386_call(435, (long)(uintptr_t)target, sizeof *target);
    long number = strcmp(route, "x32_clone3") == 0 ? X32_BIT | SYS_clone3 : SYS_clone3;
    long pid = syscall(number, target, sizeof *target);
    return pid < 0 ? -errno : pid;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s ROUTE COUNT\n", argv[0]);
        return 2;
    }
    const char *route = argv[1];
    int count = atoi(argv[2]);
    /* Below 4 GiB, so that an i386 call can point at it too. */
    target = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
                  -1, 0);
    if (target == MAP_FAILED) return 3;
    pthread_t thread;
    int raced = strstr(route, "clone3") != NULL;
    race_flags = CLONE_UNTRACED;
    if (strcmp(route, "clone3_tls") == 0) race_flags |= CLONE_SETTLS;
    if (raced) {
        target->flags = race_flags;
        target->exit_signal = SIGCHLD;
        if (pthread_create(&thread, NULL, racer, NULL) != 0) return 3;
    }
    int children = 0, escaped = 0, refused = 0, last_errno = 0, odd = 0;
    for (int i = 0; i < count; i++) {
        long pid = attempt(route);
        if (pid == 0) _exit(child_status());
        if (pid < 0) {
            refused++;
            last_errno = (int)-pid;
            continue;
        }
        children++;
        int status;
        if (waitpid((pid_t)pid, &status, 0) != pid || !WIFEXITED(status) ||
            WEXITSTATUS(status) > 1) {
            odd++;
            continue;
        }
        escaped += WEXITSTATUS(status);
    }
    if (raced) {
        stop_racing = 1;
        pthread_join(thread, NULL);
    }
    printf("%s attempts=%d children=%d escaped=%d refused=%d errno=%d\n", route, count, children,
           escaped, refused, last_errno);
    return odd == 0 ? 0 : 4;
}
