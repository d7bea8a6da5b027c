/* A read() on an empty pipe interrupted by SIGUSR1 from a child. The handler is installed
 * without SA_RESTART, or with it when argv[1] is "restart"; it writes "x" into the pipe.
 * The child sends the signal once the parent is blocked in read (state S in
 * /proc/PPID/stat and, where readable, syscall 0 in /proc/PPID/syscall).
 * Without SA_RESTART the read fails with EINTR and a second read gets the "x": prints
 * "read=-1 EINTR" then "read=1 x". With SA_RESTART the read is restarted and gets the
 * "x": prints "read=1 x". Then "handled=1". stdout is line-buffered. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int fds[2];
static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
    (void)sig;
    handled++;
    (void)!write(fds[1], "x", 1);
}

/* Whether process `pid` is asleep in read(). */
static int blocked_in_read(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *end = strrchr(buf, ')');
    if (!end || end[1] != ' ' || end[2] != 'S')
        return 0;
    snprintf(path, sizeof path, "/proc/%d/syscall", (int)pid);
    f = fopen(path, "r");
    if (!f)
        return 1; /* not readable here: the state alone has to do */
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return n == 0 || strncmp(buf, "0 ", 2) == 0;
}

int main(int argc, char **argv)
{
    int restart = argc > 1 && strcmp(argv[1], "restart") == 0;
    setvbuf(stdout, NULL, _IOLBF, 0); /* each line written as printed */
    if (pipe(fds) != 0)
        return 2;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = restart ? SA_RESTART : 0;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) != 0)
        return 2;
    pid_t parent = getpid();
    pid_t child = fork();
    if (child < 0)
        return 3;
    if (child == 0) {
        /* Wait (up to 30 s) for the parent to block in read; signal it regardless. */
        struct timespec pause = {0, 10 * 1000 * 1000};
        for (int i = 0; i < 3000 && !blocked_in_read(parent); i++)
            nanosleep(&pause, NULL);
        /* Once more after a short pause: the state was not a passing one. */
        nanosleep(&pause, NULL);
        for (int i = 0; i < 3000 && !blocked_in_read(parent); i++)
            nanosleep(&pause, NULL);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    char c = 0;
    ssize_t n = read(fds[0], &c, 1);
    if (n < 0) {
        printf("read=-1 %s\n", errno == EINTR ? "EINTR" : strerror(errno));
        n = read(fds[0], &c, 1);
    }
    printf("read=%d %c\n", (int)n, n == 1 ? c : '?');
    printf("handled=%d\n", (int)handled);
    int status;
    waitpid(child, &status, 0);
    return 0;
}
