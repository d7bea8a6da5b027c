/* Leaves an orphan: the child forks a grandchild, prints its pid as "orphan=PID" and
 * exits; the original process reaps the child and exits 0 while the grandchild, now an
 * orphan, puts /dev/null on its standard descriptors (so it holds no pipe of whoever ran
 * the program), sleeps 0.3 s and then exits 0. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
    pid_t child = fork();
    if (child < 0)
        return 3;
    if (child == 0) {
        pid_t orphan = fork();
        if (orphan < 0)
            _exit(3);
        if (orphan == 0) {
            int null = open("/dev/null", O_RDWR);
            if (null < 0)
                _exit(6);
            dup2(null, 0);
            dup2(null, 1);
            dup2(null, 2);
            if (null > 2)
                close(null);
            struct timespec pause = {0, 300 * 1000 * 1000};
            nanosleep(&pause, NULL);
            _exit(0);
        }
        printf("orphan=%d\n", (int)orphan);
        fflush(stdout);
        _exit(0);
    }
    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status))
        return 4;
    return 0;
}
