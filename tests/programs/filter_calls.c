/* The calls the filter tests choose among: open, openat and openat2 of paths that do not
 * exist (each fails with ENOENT), then /etc/hostname opened, read and closed, then
 * argv[1] getppid calls (default 0), each a raw syscall (no libc caching). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 0;
    syscall(SYS_open, "/nonexistent/open", O_RDONLY);
    syscall(SYS_openat, AT_FDCWD, "/nonexistent/openat", O_RDONLY);
    struct open_how how = { .flags = O_RDONLY };
    syscall(SYS_openat2, AT_FDCWD, "/nonexistent/openat2", &how, sizeof how);
    char buf[64];
    int fd = open("/etc/hostname", O_RDONLY);
    if (fd >= 0) {
        if (read(fd, buf, sizeof buf) < 0)
            return 1;
        close(fd);
    }
    for (long i = 0; i < n; i++)
        syscall(SYS_getppid);
    return 0;
}
