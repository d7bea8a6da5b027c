/* Makes one child each way -- fork, vfork, raw clone, a thread -- and each child announces
 * itself with a write the test can find in the trace under the child's pid. The parent
 * prints the pids it got, so the test knows which pid made which write. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void say(const char *text) { write(2, text, strlen(text)); }

static void *thread_main(void *arg) {
    (void)arg;
    say("marker:thread\n");
    return NULL;
}

int main(void) {
    pid_t pid = fork();
    if (pid == 0) { say("marker:fork\n"); _exit(0); }
    waitpid(pid, NULL, 0);
    printf("fork %d\n", pid);

    pid = vfork();
    if (pid == 0) { say("marker:vfork\n"); _exit(0); }
    waitpid(pid, NULL, 0);
    printf("vfork %d\n", pid);

    pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) { say("marker:clone\n"); _exit(0); }
    waitpid(pid, NULL, 0);
    printf("clone %d\n", pid);

    pthread_t thread;
    pthread_create(&thread, NULL, thread_main, NULL);
    pthread_join(thread, NULL);
    printf("thread done\n");
    return 0;
}
