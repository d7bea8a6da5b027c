/* Signals with handlers: SIGUSR1 sent to itself (handled), SIGCHLD from a child that exits
 * with status 3 (handled; the parent waits for it in sigsuspend with SIGCHLD blocked
 * elsewhere, so the order of the calls is the same in every run), SIGPIPE ignored and a
 * write to a pipe without a reader failing with EPIPE, then SIGTERM to itself with the
 * default action: killed by SIGTERM. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t usr1, chld;

static void on_usr1(int sig)
{
    (void)sig;
    usr1++;
}

static void on_chld(int sig)
{
    (void)sig;
    chld++;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_handler = on_chld;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    kill(getpid(), SIGUSR1);

    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGCHLD);
    sigprocmask(SIG_BLOCK, &block, &old);
    pid_t pid = fork();
    if (pid == 0)
        _exit(3);
    while (!chld)
        sigsuspend(&old);
    int status;
    waitpid(pid, &status, 0);

    int fds[2];
    pipe(fds);
    close(fds[0]);
    if (write(fds[1], "x", 1) != -1)
        return 2;
    write(1, usr1 == 1 && WEXITSTATUS(status) == 3 ? "ok\n" : "bad\n", 3);
    kill(getpid(), SIGTERM);
    return 1;
}
