/* Daemonizing: double fork. The middle process calls setsid, forks the grandchild and
 * exits at once; the original process reaps it and exits 0. The grandchild (the daemon)
 * puts /dev/null on its standard descriptors, sleeps 0.5 s, then writes "done\n" to the
 * file argv[1] (via FILE.tmp and rename, so the file appears complete) and exits 0. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    pid_t middle = fork();
    if (middle < 0)
        return 3;
    if (middle == 0) {
        setsid();
        pid_t daemon = fork();
        if (daemon < 0)
            _exit(3);
        if (daemon > 0)
            _exit(0);
        int null = open("/dev/null", O_RDWR);
        if (null < 0)
            _exit(6);
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        if (null > 2)
            close(null);
        struct timespec half = {0, 500 * 1000 * 1000};
        nanosleep(&half, NULL);
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
        FILE *f = fopen(tmp, "w");
        if (!f)
            _exit(4);
        fputs("done\n", f);
        if (fclose(f) != 0 || rename(tmp, argv[1]) != 0)
            _exit(5);
        _exit(0);
    }
    int status;
    if (waitpid(middle, &status, 0) != middle || !WIFEXITED(status) || WEXITSTATUS(status))
        return 4;
    return 0;
}
