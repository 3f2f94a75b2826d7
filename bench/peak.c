/* The machine's own limits, for the benchmark's denominators: FP32 FMA peak (GFLOPS) and read bandwidth (GB/s), with
 * 1 and 2 threads. The bandwidth is measured twice: over 36 MiB, the size of the seed model's Dense 18496->512 weights
 * (read_gbps_*; on a machine with a 32 MiB L3, partly from the cache, as the layer run back to back is), and over
 * 4 times the last-level cache, STREAM's rule for memory alone (dram_read_gbps_*). The streams run before the FMAs:
 * for some tens of ms after a burst of FMAs, these machines stream at half speed.
 * Built by bench/run with -O3 -march=native. Prints one JSON object. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "stream.h"

typedef float v16 __attribute__((vector_size(64)));

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

/* seconds of fn run by `threads` threads */
static double run(int threads, void *(*fn)(void *))
{
    pthread_t t[2];
    float sink[2];
    double t0 = stream_now();
    for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, fn, &sink[i]);
    for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
    return stream_now() - t0;
}

/* the best of 3 reads of `bytes`, `passes` times over, with 1 and 2 threads */
static void measure_stream(size_t bytes, int passes, double best[3])
{
    size_t n = bytes / sizeof(float);
    float *buf = aligned_alloc(64, n * sizeof(float));
    if (!buf) {
        fprintf(stderr, "peak: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < n; i++) buf[i] = (float)(i & 255);
    for (int rep = 0; rep < 3; rep++)
        for (int t = 1; t <= 2; t++) {
            double b = stream_read_gbps(buf, n, t, passes);
            if (b > best[t]) best[t] = b;
        }
    free(buf);
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
            double f = flops * t / run(t, fma_worker) / 1e9;
            if (f > best_f[t]) best_f[t] = f;
        }
    printf("{\"fma_gflops_1t\": %.1f, \"fma_gflops_2t\": %.1f, \"read_gbps_1t\": %.1f, \"read_gbps_2t\": %.1f, "
           "\"dram_read_gbps_1t\": %.1f, \"dram_read_gbps_2t\": %.1f, \"dram_stream_mib\": %zu}\n",
           best_f[1], best_f[2], best_b[1], best_b[2], best_d[1], best_d[2], dram_bytes >> 20);
    return 0;
}
