/* Writes "abcd" to each descriptor named on the command line, one write(2) each, then
 * reports on stderr, in one last write, what each write returned: the count, or -errno.
 * `inject_writes 1 1 1` makes three writes to stdout. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    char report[1024] = "";
    for (int i = 1; i < argc && i < 64; i++) {
        ssize_t n = write(atoi(argv[i]), "abcd", 4);
        char item[16];
        snprintf(item, sizeof item, "%zd ", n < 0 ? (ssize_t)-errno : n);
        strcat(report, item);
    }
    strcat(report, "\n");
    write(2, report, strlen(report));
    return 0;
}
