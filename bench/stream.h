/* The read-bandwidth microbenchmark of bench/: `threads` threads each read their part of a buffer `passes` times over
 * in 64-byte vectors. bench/peak.c and bench/dense_stream.c include it, so that both measure the same stream. */
#ifndef CLINFER_BENCH_STREAM_H
#define CLINFER_BENCH_STREAM_H

#include <pthread.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

typedef float stream_v16 __attribute__((vector_size(64)));

static double stream_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct stream_part {
    const float *buf;
    size_t lo, hi;
    int passes;
    double sum;
};

static void *stream_worker(void *arg)
{
    struct stream_part *p = arg;
    stream_v16 acc[4] = {{0}, {0}, {0}, {0}};
    for (int rep = 0; rep < p->passes; rep++)
        for (size_t i = p->lo; i + 64 <= p->hi; i += 64)
            for (int k = 0; k < 4; k++) {
                stream_v16 v;
                memcpy(&v, p->buf + i + 16 * k, sizeof v);
                acc[k] += v;
            }
    double s = 0;
    for (int k = 0; k < 4; k++)
        for (int j = 0; j < 16; j++) s += acc[k][j];
    p->sum = s; /* kept, so that the reads are too */
    return NULL;
}

/* GB/s of one timed read of n floats, passes times over, by 1 or 2 threads (thread starts included) */
static double stream_read_gbps(const float *buf, size_t n, int threads, int passes)
{
    pthread_t t[2];
    struct stream_part parts[2];
    if (threads > 2) threads = 2;
    double t0 = stream_now();
    for (int i = 0; i < threads; i++) {
        parts[i] = (struct stream_part){buf, n * (size_t)i / (size_t)threads, n * (size_t)(i + 1) / (size_t)threads,
                                        passes, 0};
        pthread_create(&t[i], NULL, stream_worker, &parts[i]);
    }
    for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
    return (double)passes * (double)n * sizeof(float) / (stream_now() - t0) / 1e9;
}

#endif
