/* Opens each path named on the command line: `r:PATH` read-only, `c:PATH` write-only
 * with O_CREAT. Reports on stdout "ok" or the errno name's number for each, in order. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int flags = arg[0] == 'c' ? O_WRONLY | O_CREAT : O_RDONLY;
        int fd = open(arg + 2, flags, 0644);
        if (fd < 0)
            printf("%d ", errno);
        else {
            printf("ok ");
            close(fd);
        }
    }
    printf("\n");
    return 0;
}
