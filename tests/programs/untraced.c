/* Forks with clone(CLONE_UNTRACED | SIGCHLD), which would let the child escape a tracer;
 * the child makes a getppid marker call and announces itself. */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    long pid = syscall(SYS_clone, CLONE_UNTRACED | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0) {
        syscall(SYS_getppid);
        const char text[] = "untraced child ran\n";
        write(1, text, strlen(text));
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    return 0;
}
