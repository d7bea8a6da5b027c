/* The oracle of the JSON trace: THREADS threads each open a path that does not exist
 * (ENOENT, pathname "/nonexistent/json-N"), write 4 bytes that are not UTF-8 (ff fe 00 41)
 * and a 100-byte string of 'x' (cut at the string limit) to /dev/null, and read 5 bytes
 * of /dev/zero. The main thread joins them and prints "joined N". */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define THREADS 3

static void *run(void *arg)
{
    long n = (long)arg;
    char path[32];
    snprintf(path, sizeof path, "/nonexistent/json-%ld", n);
    if (open(path, O_RDONLY) != -1)
        return (void *)1;
    int out = open("/dev/null", O_WRONLY);
    static const char binary[] = {(char)0xff, (char)0xfe, 0, 'A'};
    char long_text[100];
    memset(long_text, 'x', sizeof long_text);
    if (write(out, binary, sizeof binary) != sizeof binary)
        return (void *)1;
    if (write(out, long_text, sizeof long_text) != sizeof long_text)
        return (void *)1;
    close(out);
    int zero = open("/dev/zero", O_RDONLY);
    char buf[5];
    if (read(zero, buf, sizeof buf) != sizeof buf)
        return (void *)1;
    close(zero);
    return NULL;
}

int main(void)
{
    pthread_t threads[THREADS];
    for (long i = 0; i < THREADS; i++)
        pthread_create(&threads[i], NULL, run, (void *)i);
    int joined = 0;
    for (int i = 0; i < THREADS; i++) {
        void *result;
        pthread_join(threads[i], &result);
        joined += result == NULL;
    }
    printf("joined %d\n", joined);
    return joined == THREADS ? 0 : 1;
}
