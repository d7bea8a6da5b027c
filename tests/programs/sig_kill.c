/* Signals between two processes: the parent forks a child and sends it SIGUSR2 with
 * kill(); the child's handler records the sender, the child reports it and answers with
 * SIGUSR1 to the parent, whose handler records the sender too. Both wait for their signal
 * in sigsuspend (the signals are blocked until then, so none is lost). Prints
 * "child: SIGUSR2 from parent", "parent: SIGUSR1 from child", "child exited 0". */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got_usr1, got_usr2;
static volatile pid_t usr1_from, usr2_from;

static void on_signal(int sig, siginfo_t *info, void *context)
{
    (void)context;
    if (sig == SIGUSR1) {
        usr1_from = info->si_pid;
        got_usr1 = 1;
    } else {
        usr2_from = info->si_pid;
        got_usr2 = 1;
    }
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) != 0 || sigaction(SIGUSR2, &sa, NULL) != 0)
        return 2;
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGUSR2);
    sigprocmask(SIG_BLOCK, &block, &old);
    pid_t parent = getpid();
    pid_t child = fork();
    if (child < 0)
        return 3;
    if (child == 0) {
        while (!got_usr2)
            sigsuspend(&old);
        printf("child: SIGUSR2 from %s\n", usr2_from == parent ? "parent" : "someone else");
        fflush(stdout);
        kill(parent, SIGUSR1);
        _exit(usr2_from == parent ? 0 : 1);
    }
    if (kill(child, SIGUSR2) != 0)
        return 4;
    while (!got_usr1)
        sigsuspend(&old);
    printf("parent: SIGUSR1 from %s\n", usr1_from == child ? "child" : "someone else");
    int status;
    if (waitpid(child, &status, 0) != child)
        return 5;
    printf("child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return 0;
}
