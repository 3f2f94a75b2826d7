/* The machine's own limits, for the benchmark's denominators: FP32 FMA peak (GFLOPS) and read bandwidth (GB/s) of a
 * 36 MiB stream, with 1 and 2 threads. Built by bench/run with -O3 -march=native. Prints one JSON object. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef float v16 __attribute__((vector_size(64)));

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define CHAINS 12
#define ITERS 20000000L

static void *fma_worker(void *arg)
{
    v16 x[CHAINS], a, b;
    for (int k = 0; k < 16; k++) a[k] = 0.9999f, b[k] = 0.0001f;
    for (int c = 0; c < CHAINS; c++)
        for (int k = 0; k < 16; k++) x[c][k] = (float)(c + k);
    for (long i = 0; i < ITERS; i++)
        for (int c = 0; c < CHAINS; c++) x[c] = x[c] * a + b;
    float s = 0;
    for (int c = 0; c < CHAINS; c++)
        for (int k = 0; k < 16; k++) s += x[c][k];
    *(float *)arg = s;
    return NULL;
}

static float *stream_buf;
static size_t stream_n;

struct part {
    size_t lo, hi;
    double sum;
};

static void *stream_worker(void *arg)
{
    struct part *p = arg;
    v16 acc[4] = {{0}, {0}, {0}, {0}};
    for (int rep = 0; rep < 20; rep++)
        for (size_t i = p->lo; i + 64 <= p->hi; i += 64)
            for (int k = 0; k < 4; k++) {
                v16 v;
                memcpy(&v, stream_buf + i + 16 * k, sizeof v);
                acc[k] += v;
            }
    double s = 0;
    for (int k = 0; k < 4; k++)
        for (int j = 0; j < 16; j++) s += acc[k][j];
    p->sum = s;
    return NULL;
}

static double run(int threads, void *(*fn)(void *), int stream)
{
    pthread_t t[2];
    float sink[2];
    struct part parts[2];
    double t0 = now();
    for (int i = 0; i < threads; i++) {
        parts[i] = (struct part){stream_n * (size_t)i / (size_t)threads, stream_n * (size_t)(i + 1) / (size_t)threads, 0};
        pthread_create(&t[i], NULL, fn, stream ? (void *)&parts[i] : (void *)&sink[i]);
    }
    for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
    return now() - t0;
}

int main(void)
{
    stream_n = (36u << 20) / sizeof(float);
    stream_buf = aligned_alloc(64, stream_n * sizeof(float));
    for (size_t i = 0; i < stream_n; i++) stream_buf[i] = (float)(i & 255);
    double flops = 2.0 * 16 * CHAINS * (double)ITERS, bytes = 20.0 * (double)stream_n * sizeof(float);
    double best_f[3] = {0}, best_b[3] = {0};
    for (int rep = 0; rep < 3; rep++)
        for (int t = 1; t <= 2; t++) {
            double f = flops * t / run(t, fma_worker, 0) / 1e9, b = bytes / run(t, stream_worker, 1) / 1e9;
            if (f > best_f[t]) best_f[t] = f;
            if (b > best_b[t]) best_b[t] = b;
        }
    printf("{\"fma_gflops_1t\": %.1f, \"fma_gflops_2t\": %.1f, \"read_gbps_1t\": %.1f, \"read_gbps_2t\": %.1f}\n", best_f[1],
           best_f[2], best_b[1], best_b[2]);
    return 0;
}
