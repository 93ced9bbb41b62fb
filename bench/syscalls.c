/*
 * bench/syscalls.c - what a system call and a durable write cost on this machine, the floor
 * under the card read's per-request system calls (issue #21, docs/benchmarks.md).
 *
 *   build/default/bench_syscalls [DIR]      # or: make bench-syscalls
 *
 * Baseline: a call of a function the compiler cannot inline (same run). Then a bare system call
 * (getppid through syscall(2)), a 4 KiB pwrite, and two 4 KiB pwrites and an fdatasync (an audit
 * group commit writes a few WAL frames and syncs once) in a file under DIR (default bench/out).
 * Wall and CPU time per operation, and the ratio to the baseline. Removes its file; stops by itself.
 */
#define _GNU_SOURCE 1
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static double now(clockid_t c)
{
    struct timespec t;
    clock_gettime(c, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

__attribute__((noinline)) static long plain(long i)
{
    __asm__ volatile("" ::: "memory");
    return i + 1;
}

struct probe {
    const char *name;
    long n;
};

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "bench/out";
    char path[4096];
    snprintf(path, sizeof path, "%s/syscalls-probe.%d", dir, (int)getpid());
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        perror(path);
        return 2;
    }
    static char page[4096];
    memset(page, 'x', sizeof page);
    const struct probe probes[] = {{"function call (baseline)", 20000000},
                                   {"bare system call (getppid)", 1000000},
                                   {"pwrite 4 KiB", 200000},
                                   {"2 pwrites of 4 KiB + fdatasync", 2000}};
    double base = 0;
    long sink = 0;
    printf("syscalls: %s\n", dir);
    for (size_t p = 0; p < sizeof probes / sizeof probes[0]; p++) {
        double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
        for (long i = 0; i < probes[p].n; i++) {
            switch (p) {
            case 0:
                sink += plain(i);
                break;
            case 1:
                sink += syscall(SYS_getppid);
                break;
            case 2:
                sink += pwrite(fd, page, sizeof page, (i % 64) * 4096);
                break;
            default:
                sink += pwrite(fd, page, sizeof page, (i % 64) * 8192);
                sink += pwrite(fd, page, sizeof page, (i % 64) * 8192 + 4096);
                if (fdatasync(fd)) {
                    perror("fdatasync");
                    return 2;
                }
            }
        }
        double wall = (now(CLOCK_MONOTONIC) - w0) / (double)probes[p].n * 1e6;
        double cpu = (now(CLOCK_PROCESS_CPUTIME_ID) - c0) / (double)probes[p].n * 1e6;
        if (p == 0)
            base = cpu;
        printf("  %-30s: %9.3f µs wall  %9.3f µs CPU  (%8.0f × the baseline's CPU)\n", probes[p].name, wall,
               cpu, cpu / base);
    }
    close(fd);
    unlink(path);
    return sink == 42; /* keeps the loops */
}
