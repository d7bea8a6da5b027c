/* A SIGCHLD handler in a parent that forks children one after another (argv[1], default
 * 4; child i exits with status i). The parent waits in sigsuspend for each child's
 * SIGCHLD before reaping it and forking the next, so no two SIGCHLDs merge: it prints
 * "sigchld=N" and the sum of the children's exit statuses as "statuses=S". */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t handled;

static void on_chld(int sig)
{
    (void)sig;
    handled++;
}

int main(int argc, char **argv)
{
    int children = argc > 1 ? atoi(argv[1]) : 4;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_chld;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGCHLD, &sa, NULL) != 0)
        return 2;
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGCHLD);
    sigprocmask(SIG_BLOCK, &block, &old);
    int sum = 0;
    for (int i = 1; i <= children; i++) {
        int before = handled;
        pid_t pid = fork();
        if (pid < 0)
            return 3;
        if (pid == 0)
            _exit(i);
        while (handled == before)
            sigsuspend(&old);
        int status;
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
            return 4;
        sum += WEXITSTATUS(status);
    }
    printf("sigchld=%d\nstatuses=%d\n", (int)handled, sum);
    return 0;
}
