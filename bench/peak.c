/* The machine's own limits, for the benchmark's denominators: FP32 FMA peak (GFLOPS) and read bandwidth (GB/s), with
 * 1 and 2 threads. The bandwidth is measured twice: over 36 MiB, the size of the seed model's Dense 18496->512 weights
 * (read_gbps_*; on a machine with a 32 MiB L3, partly from the cache, as the layer run back to back is), and over
 * 4 times the last-level cache, STREAM's rule for memory alone (dram_read_gbps_*). The streams run before the FMAs:
 * for some tens of ms after a burst of FMAs, these machines stream at half speed.
 * Built by bench/run with -O3 -march=native. Prints one JSON object. */
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
static int stream_passes;

struct part {
    size_t lo, hi;
    double sum;
};

static void *stream_worker(void *arg)
{
    struct part *p = arg;
    v16 acc[4] = {{0}, {0}, {0}, {0}};
    for (int rep = 0; rep < stream_passes; rep++)
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

/* the best of 3 reads of n bytes, stream_passes times over, with 1 and 2 threads */
static void measure_stream(size_t bytes, int passes, double best[3])
{
    stream_n = bytes / sizeof(float);
    stream_passes = passes;
    stream_buf = aligned_alloc(64, stream_n * sizeof(float));
    if (!stream_buf) {
        fprintf(stderr, "peak: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < stream_n; i++) stream_buf[i] = (float)(i & 255);
    for (int rep = 0; rep < 3; rep++)
        for (int t = 1; t <= 2; t++) {
            double b = (double)passes * (double)bytes / run(t, stream_worker, 1) / 1e9;
            if (b > best[t]) best[t] = b;
        }
    free(stream_buf);
}

int main(void)
{
    /* the L3 as the kernel reports it (glibc's sysconf says 320 MiB on these VMs, lscpu and sysfs 32 MiB) */
    size_t l3 = 0;
    FILE *f = fopen("/sys/devices/system/cpu/cpu0/cache/index3/size", "r");
    if (f) {
        char unit = 0;
        if (fscanf(f, "%zu%c", &l3, &unit) == 2) l3 <<= unit == 'K' ? 10 : unit == 'M' ? 20 : 0;
        fclose(f);
    }
    size_t dram_bytes = 4 * l3;
    if (dram_bytes < ((size_t)128 << 20)) dram_bytes = (size_t)128 << 20;
    double best_f[3] = {0}, best_b[3] = {0}, best_d[3] = {0};
    measure_stream((size_t)36 << 20, 20, best_b);
    measure_stream(dram_bytes, 5, best_d);
    double flops = 2.0 * 16 * CHAINS * (double)ITERS;
    for (int rep = 0; rep < 3; rep++)
        for (int t = 1; t <= 2; t++) {
            double f = flops * t / run(t, fma_worker, 0) / 1e9;
            if (f > best_f[t]) best_f[t] = f;
        }
    printf("{\"fma_gflops_1t\": %.1f, \"fma_gflops_2t\": %.1f, \"read_gbps_1t\": %.1f, \"read_gbps_2t\": %.1f, "
           "\"dram_read_gbps_1t\": %.1f, \"dram_read_gbps_2t\": %.1f, \"dram_stream_mib\": %zu}\n",
           best_f[1], best_f[2], best_b[1], best_b[2], best_d[1], best_d[2], dram_bytes >> 20);
    return 0;
}
