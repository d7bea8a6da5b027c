/* posix_spawn (glibc: clone3 with CLONE_VM | CLONE_VFORK) of /bin/echo, then clone3 used
 * directly for a plain fork-like child; prints the pids it got. */
#define _GNU_SOURCE
#include <linux/sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(void) {
    pid_t pid;
    char *argv[] = {"/bin/echo", "spawned", NULL};
    if (posix_spawn(&pid, "/bin/echo", NULL, NULL, argv, environ) != 0) return 1;
    waitpid(pid, NULL, 0);
    printf("posix_spawn %d\n", pid);
    fflush(stdout);

    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.exit_signal = SIGCHLD;
    long child = syscall(SYS_clone3, &args, sizeof args);
    if (child == 0) {
        const char text[] = "marker:clone3\n";
        write(2, text, strlen(text));
        _exit(0);
    }
    waitpid(child, NULL, 0);
    printf("clone3 %ld\n", child);
    return 0;
}
