/* Threads that come and go as fast as they can, forever: attaching to this process races
 * with threads that are starting and exiting. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static void *brief(void *arg) { return arg; }

int main(void) {
    printf("ready\n");
    fflush(stdout);
    for (;;) {
        pthread_t threads[4];
        for (int i = 0; i < 4; i++) pthread_create(&threads[i], NULL, brief, NULL);
        for (int i = 0; i < 4; i++) pthread_join(threads[i], NULL);
    }
}
