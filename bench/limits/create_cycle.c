/*
 * What a create+open+close+remove cycle of a 4 KiB /dev/shm segment costs in plain C on this machine, by
 * design, so that the benchmark can set PSSharedMemory's figure and Python's beside the floor of each
 * design. The benchmark builds and runs it (`cc -O2`); it prints one line per design: name, seconds.
 *
 *   python_like          one object, created, truncated, mapped, unmapped, unlinked, never touched
 *                        (what Python's SharedMemory(create=True) + close + unlink asks of the kernel)
 *   python_like_touched  the same with one word written through the mapping: the least any cycle pays whose
 *                        remove takes a lock that is a word in shared memory (the page is then allocated
 *                        and faulted in, which Python's cycle never does)
 *   one_object_unmapped  one object, header written with pwrite, opened and its header read with pread
 *   one_object_locked    one object holding its own lock: mapped and written by the creator (a robust
 *                        mutex must be initialised in place), header read by the opener with pread
 *   two_objects_unmapped the same with a lock companion beside it, neither mapped
 *   two_objects_mapped   PSSharedMemory's design: segment and companion each mapped by creator and opener,
 *                        the header and the lock word written by the creator, the header read by the opener
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { HeaderSize = 128, DataSize = 4096, CompanionSize = 128 };

static char segment[96], companion[96];
static char header[HeaderSize];

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int create(const char *path, off_t size)
{
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 || ftruncate(fd, size) != 0) { perror(path); exit(1); }
    return fd;
}

static int open_existing(const char *path)
{
    int fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) { perror(path); exit(1); }
    return fd;
}

static char *map(int fd, size_t size)
{
    char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) { perror("mmap"); exit(1); }
    return p;
}

/* The opener of the unmapped designs: open by name, learn the size, read the header, close. */
static void read_header(const char *path)
{
    char seen[HeaderSize];
    struct stat st;
    int opened = open_existing(path);
    if (fstat(opened, &st) != 0 || pread(opened, seen, HeaderSize, 0) != HeaderSize) exit(1);
    close(opened);
}

/* The opener of the mapped design: open by name, map the whole object at its size, close. */
static char *open_mapped(const char *path)
{
    struct stat st;
    int opened = open_existing(path);
    if (fstat(opened, &st) != 0) exit(1);
    char *p = map(opened, (size_t)st.st_size);
    close(opened);
    return p;
}

static void python_like(void)
{
    int fd = create(segment, DataSize);
    char *p = map(fd, DataSize);
    close(fd);
    munmap(p, DataSize);
    unlink(segment);
}

static void python_like_touched(void)
{
    int fd = create(segment, DataSize);
    volatile int *p = (volatile int *)map(fd, DataSize);
    close(fd);
    p[0] = 1;
    munmap((void *)p, DataSize);
    unlink(segment);
}

static void one_object_unmapped(void)
{
    int fd = create(segment, HeaderSize + DataSize);
    if (pwrite(fd, header, HeaderSize, 0) != HeaderSize) exit(1);
    read_header(segment);
    unlink(segment);
    close(fd);
}

static void one_object_locked(void)
{
    int fd = create(segment, HeaderSize + DataSize);
    char *created = map(fd, HeaderSize + DataSize);
    close(fd);
    memcpy(created, header, HeaderSize);
    read_header(segment);
    unlink(segment);
    munmap(created, HeaderSize + DataSize);
}

static void two_objects_unmapped(void)
{
    int lock = create(companion, CompanionSize);
    int fd = create(segment, HeaderSize + DataSize);
    if (pwrite(fd, header, HeaderSize, 0) != HeaderSize) exit(1);
    int opened_lock = open_existing(companion);
    read_header(segment);
    close(opened_lock);
    unlink(segment);
    unlink(companion);
    close(lock);
    close(fd);
}

static void two_objects_mapped(void)
{
    int lock = create(companion, CompanionSize);
    char *lock_map = map(lock, CompanionSize);
    close(lock);
    memset(lock_map, 0, 64);
    lock_map[16] = 1;
    int fd = create(segment, HeaderSize + DataSize);
    char *map_created = map(fd, HeaderSize + DataSize);
    close(fd);
    memcpy(map_created, header, HeaderSize);

    char *lock_opened = open_mapped(companion);
    char *map_opened = open_mapped(segment);
    volatile char magic = map_opened[0];
    (void)magic;

    munmap(map_opened, HeaderSize + DataSize);
    munmap(lock_opened, CompanionSize);
    unlink(segment);
    unlink(companion);
    munmap(map_created, HeaderSize + DataSize);
    munmap(lock_map, CompanionSize);
}

static void measure(const char *name, void (*cycle)(void), int count)
{
    for (int i = 0; i < count / 10; i++) cycle();
    double start = now();
    for (int i = 0; i < count; i++) cycle();
    printf("%s %.9f\n", name, (now() - start) / count);
}

int main(int argc, char **argv)
{
    int count = argc > 1 ? atoi(argv[1]) : 3000;
    snprintf(segment, sizeof segment, "/dev/shm/pssm_limit_%d", (int)getpid());
    snprintf(companion, sizeof companion, "/dev/shm/pssm_limit_%d_Mutex", (int)getpid());
    memset(header, 7, sizeof header);
    measure("python_like", python_like, count);
    measure("python_like_touched", python_like_touched, count);
    measure("one_object_unmapped", one_object_unmapped, count);
    measure("one_object_locked", one_object_locked, count);
    measure("two_objects_unmapped", two_objects_unmapped, count);
    measure("two_objects_mapped", two_objects_mapped, count);
    return 0;
}
