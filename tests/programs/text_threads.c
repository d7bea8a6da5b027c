/* Threads that each write a line to a pipe the main thread reads, one after another: the
 * main thread starts thread i, reads its line and joins it before starting the next, so
 * the calls of each thread are the same in every run (argv[1] threads, default 3). The
 * lines are copied to stdout. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int pipe_fds[2];

static void *worker(void *arg)
{
    char line[32];
    int n = snprintf(line, sizeof line, "thread %d\n", (int)(long)arg);
    if (write(pipe_fds[1], line, (size_t)n) != n)
        abort();
    return NULL;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 3;
    if (pipe(pipe_fds) != 0)
        return 2;
    for (int i = 0; i < threads; i++) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, worker, (void *)(long)i) != 0)
            return 3;
        char line[32];
        ssize_t n = read(pipe_fds[0], line, sizeof line);
        if (n <= 0 || write(1, line, (size_t)n) != n)
            return 4;
        pthread_join(thread, NULL);
    }
    return 0;
}
