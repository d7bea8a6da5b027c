/* sigsuspend waiting for a signal from a child: the parent blocks SIGUSR1, forks a child
 * that sends it SIGUSR1 and exits, and waits in sigsuspend until its handler has run.
 * Prints "woken by SIGUSR1 from child" and "child exited 0". */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got;
static volatile pid_t from;

static void on_usr1(int sig, siginfo_t *info, void *context)
{
    (void)sig;
    (void)context;
    from = info->si_pid;
    got = 1;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) != 0)
        return 2;
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    pid_t child = fork();
    if (child < 0)
        return 3;
    if (child == 0) {
        kill(getppid(), SIGUSR1);
        _exit(0);
    }
    while (!got)
        sigsuspend(&old);
    printf("woken by SIGUSR1 from %s\n", from == child ? "child" : "someone else");
    int status;
    if (waitpid(child, &status, 0) != child)
        return 4;
    printf("child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}
