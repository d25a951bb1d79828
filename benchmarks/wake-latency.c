// How late a thread wakes from clock_nanosleep on this machine: the floor under every latency figure of the testnet
// (each packet's path has about ten such wake-ups). See docs/benchmarks.md, "Where the exact-release tail comes from".
//
//   gcc -O2 -o /tmp/wake-latency benchmarks/wake-latency.c && /tmp/wake-latency 5000
//
// Sleeps to absolute deadlines 1 ms apart (timer slack 1 µs, as the node's release alarm sets 10 µs) and prints
// percentiles of the lateness.
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>

static int compare(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 5000;
    if (n < 1000)
    {
        fprintf(stderr, "usage: %s WAKES (at least 1000)\n", argv[0]);
        return 2;
    }

    long *late = malloc(sizeof(long) * (size_t)n);
    if (late == NULL)
    {
        return 1;
    }

    prctl(PR_SET_TIMERSLACK, 1000);
    struct timespec due, now;
    clock_gettime(CLOCK_MONOTONIC, &due);
    for (int i = 0; i < n; i++)
    {
        due.tv_nsec += 1000000;
        if (due.tv_nsec >= 1000000000)
        {
            due.tv_nsec -= 1000000000;
            due.tv_sec++;
        }

        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL);
        clock_gettime(CLOCK_MONOTONIC, &now);
        late[i] = (now.tv_sec - due.tv_sec) * 1000000000L + (now.tv_nsec - due.tv_nsec);
    }

    qsort(late, (size_t)n, sizeof(long), compare);
    printf("wake lateness us: p50 %.1f p90 %.1f p99 %.1f p99.9 %.1f max %.1f\n",
        late[n / 2] / 1e3, late[n * 9 / 10] / 1e3, late[n * 99 / 100] / 1e3, late[n * 999 / 1000] / 1e3, late[n - 1] / 1e3);
    free(late);
    return 0;
}
