/*
 * The most a copy on each side can move between two processes on this machine, against a Unix domain
 * socket measured in the same program: the limit behind the benchmark's "queue, 1 MiB messages" row.
 * The benchmark builds and runs it (`cc -O2`); usage: ring MESSAGES MESSAGE_BYTES PIECE_BYTES. It prints
 * one line per transfer: name, bytes per second.
 *
 *   socket     the producer writes each message into a socketpair, the consumer reads it into its buffer
 *   ring       a lock-free ring in shared memory, four messages long: the producer copies each message in
 *              in pieces and publishes each piece with a release store; the consumer copies each piece out
 *              as soon as it is published, while it is still in the producer's cache, then frees it
 *   ring_sum   the same, each side also summing every piece right after copying it (two running sums per
 *              32-bit lane, the shape of PSSharedMemory's LaneSum), as a checked message needs
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct ring
{
    _Alignas(64) uint64_t written; /* bytes the producer has published */
    _Alignas(64) uint64_t freed;   /* bytes the consumer has copied out */
    _Alignas(64) uint64_t start;
    _Alignas(64) uint64_t sums;
};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static uint64_t lane_sum(const uint32_t *words, size_t count)
{
    uint64_t a[4] = { 0 }, b[4] = { 0 };
    for (size_t i = 0; i + 4 <= count; i += 4)
        for (int l = 0; l < 4; l++) { a[l] += words[i + l]; b[l] += a[l]; }
    return a[0] ^ a[1] ^ a[2] ^ a[3] ^ b[0] ^ b[1] ^ b[2] ^ b[3];
}

static void *shared(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) { perror("mmap"); exit(1); }
    memset(p, 0, size);
    return p;
}

static void spin(void) { __builtin_ia32_pause(); }

static double through_ring(long messages, size_t size, size_t piece, int summed)
{
    size_t capacity = 4 * size;
    struct ring *r = shared(sizeof *r);
    char *data = shared(capacity);
    char *buffer = malloc(size);
    memset(buffer, 0x5a, size);
    uint64_t total = (uint64_t)messages * size;
    pid_t child = fork();
    if (child == 0)
    {
        while (!__atomic_load_n(&r->start, __ATOMIC_ACQUIRE)) spin();
        uint64_t sums = 0;
        for (uint64_t at = 0; at < total; at += piece)
        {
            while (at + piece - __atomic_load_n(&r->freed, __ATOMIC_ACQUIRE) > capacity) spin();
            const char *from = buffer + at % size;
            memcpy(data + at % capacity, from, piece);
            if (summed) sums += lane_sum((const uint32_t *)from, piece / 4);
            __atomic_store_n(&r->written, at + piece, __ATOMIC_RELEASE);
        }
        r->sums = sums;
        _exit(0);
    }

    double begin = now();
    __atomic_store_n(&r->start, 1, __ATOMIC_RELEASE);
    uint64_t sums = 0;
    for (uint64_t at = 0; at < total; at += piece)
    {
        while (__atomic_load_n(&r->written, __ATOMIC_ACQUIRE) < at + piece) spin();
        char *to = buffer + at % size;
        memcpy(to, data + at % capacity, piece);
        if (summed) sums += lane_sum((const uint32_t *)to, piece / 4);
        __atomic_store_n(&r->freed, at + piece, __ATOMIC_RELEASE);
    }

    double seconds = now() - begin;
    waitpid(child, NULL, 0);
    if (summed && sums != r->sums) { fprintf(stderr, "sums differ\n"); exit(1); }
    munmap(data, capacity);
    munmap(r, sizeof *r);
    free(buffer);
    return total / seconds;
}

static double through_socket(long messages, size_t size)
{
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0) { perror("socketpair"); exit(1); }
    char *buffer = malloc(size);
    memset(buffer, 0x5a, size);
    uint64_t total = (uint64_t)messages * size;
    pid_t child = fork();
    if (child == 0)
    {
        close(pair[0]);
        char go;
        if (read(pair[1], &go, 1) != 1) _exit(1);
        for (long m = 0; m < messages; m++)
            for (size_t done = 0; done < size;)
            {
                ssize_t n = write(pair[1], buffer + done, size - done);
                if (n <= 0) _exit(1);
                done += (size_t)n;
            }
        _exit(0);
    }

    close(pair[1]);
    double begin = now();
    if (write(pair[0], "g", 1) != 1) exit(1);
    for (uint64_t got = 0; got < total;)
    {
        ssize_t n = read(pair[0], buffer + got % size, size - got % size);
        if (n <= 0) { perror("read"); exit(1); }
        got += (uint64_t)n;
    }

    double seconds = now() - begin;
    waitpid(child, NULL, 0);
    close(pair[0]);
    free(buffer);
    return total / seconds;
}

int main(int argc, char **argv)
{
    long messages = argc > 1 ? atol(argv[1]) : 1000;
    size_t size = argc > 2 ? (size_t)atol(argv[2]) : 1 << 20;
    size_t piece = argc > 3 ? (size_t)atol(argv[3]) : 64 << 10;
    if (piece == 0 || size % piece != 0 || piece % 16 != 0) { fprintf(stderr, "the piece must divide the message and be a multiple of 16\n"); return 2; }
    printf("socket %.0f\n", through_socket(messages, size));
    printf("ring %.0f\n", through_ring(messages, size, piece, 0));
    printf("ring_sum %.0f\n", through_ring(messages, size, piece, 1));
    return 0;
}
