/* Calls getppid() N times (argv[1], default 2) and reports, one line each, what it
 * returned (or -errno), how long it took in milliseconds, and how many SIGUSR1 and SIGALRM
 * the program's handlers had seen by the time it returned. With `alarm` as argv[2], a
 * SIGALRM (handler installed with SA_RESTART; it writes "alarm" to stderr) comes 100 ms
 * after the start. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t usr1, alarms;

static void on_usr1(int sig) { (void)sig; usr1++; }

static void on_alarm(int sig) {
    (void)sig;
    alarms++;
    write(2, "alarm\n", 6);
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
    int calls = argc > 1 ? atoi(argv[1]) : 2;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_flags = SA_RESTART;
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    if (argc > 2 && strcmp(argv[2], "alarm") == 0) {
        struct itimerval timer = {{0, 0}, {0, 100000}};
        setitimer(ITIMER_REAL, &timer, NULL);
    }
    for (int i = 0; i < calls; i++) {
        double start = now_ms();
        long r = getppid();
        if (r < 0)
            r = -errno;
        double took = now_ms() - start;
        printf("%ld %.0f %d %d\n", r, took, (int)usr1, (int)alarms);
    }
    return 0;
}
