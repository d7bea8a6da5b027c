/* Calls that return EINTR on any signal, while a child keeps sending a signal this process
 * ignores (and exits: SIGCHLD, ignored by default). Natively the ignored signals wake
 * nothing; prints what each call returned and whether it waited its full timeout. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void report(const char *what, long r, double started, double timeout) {
    double took = now() - started;
    printf("%s: %ld %s, full wait: %s\n", what, r, r < 0 ? strerrorname_np(errno) : "",
           timeout > 0 ? (took >= timeout * 0.9 ? "yes" : "no") : "n/a");
}

int main(void) {
    signal(SIGUSR1, SIG_IGN);
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    sigprocmask(SIG_BLOCK, &usr2, NULL);
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        for (int i = 0; i < 30; i++) {
            usleep(40000);
            kill(parent, SIGUSR1);
        }
        kill(parent, SIGUSR2);
        _exit(0);
    }
    struct timespec second = {1, 0};
    double t = now();
    long r = sigtimedwait(&usr2, NULL, &second);
    /* The child may already have sent SIGUSR2 if the machine is slow: fine either way. */
    report("sigtimedwait 1s", r == SIGUSR2 ? -2 : r, t, r == SIGUSR2 ? 0 : 1.0);
    int ep = epoll_create1(0);
    struct epoll_event ev;
    t = now();
    r = epoll_wait(ep, &ev, 1, 300);
    report("epoll_wait 300ms", r, t, 0.3);
    if (r != -2) {
        t = now();
        r = sigwaitinfo(&usr2, NULL);
        report("sigwaitinfo", r, t, 0);
    }
    int status;
    waitpid(child, &status, 0);
    /* SIGCHLD arrived with the child's exit: the next wait is not cut short either. */
    t = now();
    r = epoll_wait(ep, &ev, 1, 200);
    report("epoll_wait after SIGCHLD", r, t, 0.2);
    return 0;
}
