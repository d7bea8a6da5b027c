/* Moves descriptors around and names each with lseek(FD, 0, SEEK_CUR), so that a -y trace
 * shows what the tracer believes FD is at that moment. Usage: fd_table DIR [exec]
 *
 * Expected (DIR is the scratch directory):
 *   3 = DIR/a, 4 = DIR/b (close-on-exec)
 *   dup(3) = 5 -> a; dup2(4, 5) -> 5 is b; fcntl(3, F_DUPFD, 20) = 20 -> a
 *   dup3(3, 11, O_CLOEXEC) -> 11 is a (close-on-exec); dup2(3, 10) -> 10 is a
 *   pipe -> 6, 7 are pipe:[N]; close_range(20, 20) -> 20 is closed
 *   a thread opens DIR/c as 8; the main thread sees it
 *   a child closes 3 and sees it closed; the parent still has it
 *   9 = DIR/e; a child made with clone(CLONE_FILES) closes it and opens DIR/d as 9;
 *   the parent sees d
 *   after exec: 3 and 10 are a; 4 (b) and 11 are closed; 8 is c; 9 is d
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void name(int fd) { lseek(fd, 0, SEEK_CUR); }

static int thread_fd = -1;

static void *opener(void *arg) {
    (void)arg;
    thread_fd = open("c", O_RDWR | O_CREAT, 0644);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: fd_table DIR [exec]\n");
        return 2;
    }
    if (argc > 2) {
        name(3);
        name(4);
        name(8);
        name(9);
        name(10);
        name(11);
        return 0;
    }
    if (chdir(argv[1]) != 0)
        return 1;
    int a = open("a", O_RDWR | O_CREAT, 0644);
    int b = open("b", O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (a != 3 || b != 4)
        return 1;
    name(a);
    name(b);
    int d = dup(a);
    name(d);
    dup2(b, d);
    name(d);
    int high = fcntl(a, F_DUPFD, 20);
    name(high);
    dup3(a, 11, O_CLOEXEC);
    name(11);
    dup2(a, 10);
    name(10);
    int p[2];
    if (pipe(p) != 0)
        return 1;
    name(p[0]);
    name(p[1]);
    syscall(SYS_close_range, 20, 20, 0);
    name(20);
    pthread_t thread;
    pthread_create(&thread, NULL, opener, NULL);
    pthread_join(thread, NULL);
    name(thread_fd);
    pid_t child = fork();
    if (child == 0) {
        name(a);
        close(a);
        name(a);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    name(a);
    name(open("e", O_RDWR | O_CREAT, 0644));
    pid_t sharer = syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, 0, 0, 0);
    if (sharer == 0) {
        close(9);
        open("d", O_RDWR | O_CREAT, 0644);
        _exit(0);
    }
    waitpid(sharer, NULL, 0);
    name(9);
    char *args[] = {argv[0], argv[1], "exec", NULL};
    execv("/proc/self/exe", args);
    return 1;
}
