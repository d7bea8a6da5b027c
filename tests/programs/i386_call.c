/* Makes getpid through the i386 ABI (int 0x80, eax = 20, which is getpid there but writev
 * on x86_64) and prints what it returned next to the real pid. */
#include <stdio.h>
#include <unistd.h>

int main(void) {
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
    printf("i386 getpid %ld real %d\n", ret, getpid());
    return 0;
}
