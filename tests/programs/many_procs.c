/* many_procs N: a tree of N short-lived processes (each child forks one grandchild), each
 * making one marker syscall (getppid); prints how many it started. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    int started = 0;
    for (int i = 0; i < n / 2; i++) {
        pid_t child = fork();
        if (child == 0) {
            syscall(SYS_getppid);
            pid_t grandchild = fork();
            if (grandchild == 0) { syscall(SYS_getppid); _exit(0); }
            waitpid(grandchild, NULL, 0);
            _exit(0);
        }
        waitpid(child, NULL, 0);
        started += 2;
    }
    printf("%d\n", started);
    return 0;
}
