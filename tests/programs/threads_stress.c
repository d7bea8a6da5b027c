/* threads_stress THREADS CALLS: each thread makes CALLS getppid syscalls (raw, uncached),
 * then the main thread prints the total it made. The test counts the getppid lines of each
 * tid in the trace: every call must appear exactly once. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static long calls;

static void *work(void *arg) {
    (void)arg;
    for (long i = 0; i < calls; i++) syscall(SYS_getppid);
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 64;
    calls = argc > 2 ? atol(argv[2]) : 10000;
    pthread_t *ids = calloc(threads, sizeof *ids);
    for (int i = 0; i < threads; i++) pthread_create(&ids[i], NULL, work, NULL);
    for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    printf("%ld\n", threads * calls);
    return 0;
}
