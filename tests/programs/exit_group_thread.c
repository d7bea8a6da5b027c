/* Several threads block in read() on a pipe nobody writes; a non-main thread then calls
 * exit_group(5). The process must end with status 5 and every thread must be reported. */
#include <pthread.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static int fds[2];

static void *block(void *arg) {
    (void)arg;
    char c;
    read(fds[0], &c, 1);
    return NULL;
}

static void *finish(void *arg) {
    (void)arg;
    usleep(100000);
    syscall(SYS_exit_group, 5);
    return NULL;
}

int main(void) {
    pipe(fds);
    pthread_t t;
    for (int i = 0; i < 4; i++) pthread_create(&t, NULL, block, NULL);
    pthread_create(&t, NULL, finish, NULL);
    char c;
    read(fds[0], &c, 1);
    return 0;
}
