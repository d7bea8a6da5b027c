/* SIGSEGV caught and recovered from: a handler siglongjmps back out after the program
 * writes through a NULL pointer; the program then prints "recovered" and exits 0. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static sigjmp_buf back;

static void on_segv(int sig)
{
    (void)sig;
    siglongjmp(back, 1);
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_segv;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, NULL) != 0)
        return 2;
    /* volatile: the compiler cannot see the pointer is NULL and turn the store into a trap. */
    int *volatile null = NULL;
    if (sigsetjmp(back, 1) == 0) {
        *null = 1;
        puts("not reached");
        return 1;
    }
    puts("recovered");
    return 0;
}
