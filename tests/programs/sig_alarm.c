/* SIGALRM from setitimer(ITIMER_REAL, every 20 ms): a handler counts the ticks while main
 * waits in sigsuspend (SIGALRM is blocked outside it); after TICKS ticks (argv[1],
 * default 5) the timer is stopped and the count is printed as "ticks=N". */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t ticks;

static void on_alarm(int sig)
{
    (void)sig;
    ticks++;
}

int main(int argc, char **argv)
{
    int wanted = argc > 1 ? atoi(argv[1]) : 5;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGALRM, &sa, NULL) != 0)
        return 2;
    /* Block SIGALRM outside sigsuspend, so no tick is lost between the check and the wait. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGALRM);
    sigprocmask(SIG_BLOCK, &block, &old);
    struct itimerval timer = {{0, 20000}, {0, 20000}};
    if (setitimer(ITIMER_REAL, &timer, NULL) != 0)
        return 3;
    while (ticks < wanted)
        sigsuspend(&old);
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    printf("ticks=%d\n", (int)ticks);
    return 0;
}
