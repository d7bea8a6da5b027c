/* A failing execve with millions of environment entries, then a pause on stdin so the
 * test can look at the tracer's memory while the process still exists. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long count = argc > 1 ? atol(argv[1]) : 8L << 20;
    char **envp = malloc((count + 1) * sizeof *envp);
    if (!envp) return 2;
    for (long i = 0; i < count; i++) envp[i] = "A=1";
    envp[count] = NULL;
    char *args[] = {"/no/such/program", NULL};
    execve(args[0], args, envp);
    perror("execve");
    char c;
    (void)!read(0, &c, 1);
    return 0;
}
