/* A non-leader thread calls execve while the leader sleeps: the new program takes over the
 * leader's pid. Prints the pid before and the new program (echo) prints it after. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static void *run(void *arg) {
    (void)arg;
    char pid[32];
    snprintf(pid, sizeof pid, "after %d", getpid());
    char *argv[] = {"/bin/echo", pid, NULL};
    execv("/bin/echo", argv);
    return NULL;
}

int main(void) {
    printf("before %d\n", getpid());
    fflush(stdout);
    pthread_t t;
    pthread_create(&t, NULL, run, NULL);
    for (;;) pause();
}
