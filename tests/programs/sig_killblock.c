/* A process killed by SIGKILL in the middle of a blocking syscall: the child blocks in
 * read() on a pipe nobody writes to; once it is asleep there (state S in
 * /proc/PID/stat and, where readable, syscall 0 in /proc/PID/syscall) the parent kills it
 * with SIGKILL, reaps it and prints "child killed by SIGKILL", then exits 0. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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
        return 1;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return n == 0 || strncmp(buf, "0 ", 2) == 0;
}

int main(void)
{
    int fds[2];
    if (pipe(fds) != 0)
        return 2;
    pid_t child = fork();
    if (child < 0)
        return 3;
    if (child == 0) {
        char c;
        ssize_t n = read(fds[0], &c, 1);
        _exit(n == 1 ? 10 : 11); /* never reached: nothing is ever written */
    }
    struct timespec pause = {0, 10 * 1000 * 1000};
    int i;
    for (i = 0; i < 3000 && !blocked_in_read(child); i++)
        nanosleep(&pause, NULL);
    if (i == 3000) {
        puts("child never blocked in read");
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
        return 5;
    }
    kill(child, SIGKILL);
    int status;
    if (waitpid(child, &status, 0) != child)
        return 4;
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        puts("child killed by SIGKILL");
    else
        printf("child ended with status %#x\n", status);
    return 0;
}
