/* getppid_threads THREADS N: THREADS threads each making N raw getppid syscalls (no libc
 * caching), the per-call cost probe for multi-threaded programs. */
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static long calls;

static void *loop(void *arg)
{
    (void)arg;
    for (long i = 0; i < calls; i++)
        syscall(SYS_getppid);
    return NULL;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 4;
    calls = argc > 2 ? atol(argv[2]) : 200000;
    pthread_t ids[64];
    if (threads < 1 || threads > 64)
        return 2;
    for (int i = 0; i < threads; i++)
        if (pthread_create(&ids[i], NULL, loop, NULL) != 0)
            return 3;
    for (int i = 0; i < threads; i++)
        pthread_join(ids[i], NULL);
    return 0;
}
