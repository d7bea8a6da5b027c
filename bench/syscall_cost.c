/* syscall_cost [N]: the time one getppid and one stat("/") take, each the mean of N calls
 * (default 200000) timed from inside the program, so that a tracer's start-up and exit
 * are left out. Run it natively, traced, or untraced while a tracer is attached elsewhere
 * (the eBPF backend's tracepoints cost every process something). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 200000;
    if (n <= 0) { fprintf(stderr, "usage: syscall_cost [N > 0]\n"); return 2; }
    struct stat st;
    double t = now();
    for (int i = 0; i < n; i++) syscall(SYS_getppid);
    double getppid = now() - t;
    t = now();
    for (int i = 0; i < n; i++) stat("/", &st);
    double stat_time = now() - t;
    fprintf(stderr, "getppid %.1f ns/call, stat %.1f ns/call\n", getppid / n * 1e9, stat_time / n * 1e9);
    return 0;
}
