/* A layer's read bandwidth against the machine's, at the same moments: ROUNDS rounds, each the stream of
 * bench/peak.c (20 passes over 36 MiB with 2 threads, stream.h) and then the median of 21 profiled runs of the model
 * (the layer's OpenCL event time), in one process. On these shared machines the bandwidth swings by 2x from one
 * minute to the next (bench/run saw 40-87 GB/s over 36 MiB in one run), so a layer and a stream measured a minute
 * apart compare the machine's moods; each round here compares the two within a second. Prints one JSON object:
 * every round, the medians, and the median of the rounds' ratios.
 *   dense_stream MODEL LAYER [ROUNDS]   (on the first OpenCL device, batch 1, --tune fast) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinfer.h"
#include "stream.h"

#define RUNS 21

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof v[0], cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static int fail(clinfer_context *ctx, const char *what)
{
    fprintf(stderr, "dense_stream: %s: %s\n", what, ctx ? clinfer_context_errmsg(ctx) : "out of memory");
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: dense_stream MODEL LAYER [ROUNDS]\n");
        return 2;
    }
    int rounds = argc > 3 ? atoi(argv[3]) : 9;
    if (rounds < 1 || rounds > 99) {
        fprintf(stderr, "dense_stream: ROUNDS must be 1..99, not %s\n", argv[3]);
        return 2;
    }
    clinfer_context *ctx = NULL;
    clinfer_model *m = NULL;
    clinfer_session *s = NULL;
    if (clinfer_context_new(&ctx)) return fail(NULL, "context");
    if (clinfer_model_load(ctx, argv[1], &m)) return fail(ctx, argv[1]);
    int n = clinfer_model_layer_count(m), layer = -1;
    for (int i = 0; i < n; i++)
        if (strcmp(clinfer_model_layer_name(m, i), argv[2]) == 0) layer = i;
    if (layer < 0) {
        fprintf(stderr, "dense_stream: %s has no layer named %s\n", argv[1], argv[2]);
        return 1;
    }
    clinfer_session_options so = {"opencl", 1, 1, CLINFER_INIT_KERAS, NULL, CLINFER_TUNE_FAST, NULL, 0};
    if (clinfer_session_new(ctx, m, &so, &s)) return fail(ctx, "session");
    if (clinfer_session_input_count(s) != 1) {
        fprintf(stderr, "dense_stream: %s has %d inputs; one is supported\n", argv[1], clinfer_session_input_count(s));
        return 1;
    }
    int64_t dims[8], in_n = 1;
    int rank = clinfer_session_input_shape(s, 0, dims);
    for (int i = 0; i < rank; i++) in_n *= dims[i];
    size_t sn = ((size_t)36 << 20) / sizeof(float);
    float *x = malloc(sizeof(float) * (size_t)(in_n > 0 ? in_n : 1)), *buf = aligned_alloc(64, sn * sizeof(float));
    double *ms = calloc((size_t)n, sizeof(double));
    if (!x || !buf || !ms) return fail(NULL, "buffers");
    for (int64_t i = 0; i < in_n; i++) x[i] = (float)(i % 7) * 0.1f;
    for (size_t i = 0; i < sn; i++) buf[i] = (float)(i & 255);
    const float *in[1] = {x};
    double t0 = stream_now(); /* warm-up: a third of a second of the model */
    while (stream_now() - t0 < 0.3)
        if (clinfer_session_run(ctx, s, in, NULL)) return fail(ctx, "run");
    double bytes = (double)clinfer_session_layer_bytes(s, layer), stream[99], layer_ms[99], ratio[99];
    char algo[64];
    clinfer_session_layer_algo(s, layer, algo, sizeof algo);
    printf("{\"model\": \"%s\", \"layer\": \"%s\", \"kernel\": \"%s\", \"bytes\": %.0f, \"stream_mib\": 36, "
           "\"rounds\": [",
           argv[1], argv[2], algo, bytes);
    for (int r = 0; r < rounds; r++) {
        stream[r] = stream_read_gbps(buf, sn, 2, 20);
        double t[RUNS];
        for (int k = 0; k < RUNS; k++) {
            memset(ms, 0, sizeof(double) * (size_t)n);
            if (clinfer_session_profile(ctx, s, in, ms)) return fail(ctx, "profile");
            t[k] = ms[layer];
        }
        layer_ms[r] = median(t, RUNS);
        double gbps = bytes / layer_ms[r] / 1e6;
        ratio[r] = gbps / stream[r];
        printf("%s{\"stream_gbps\": %.1f, \"layer_ms\": %.3f, \"layer_gbps\": %.1f, \"ratio\": %.3f}", r ? ", " : "",
               stream[r], layer_ms[r], gbps, ratio[r]);
    }
    double med_ms = median(layer_ms, rounds);
    printf("], \"median_stream_gbps\": %.1f, \"median_layer_ms\": %.3f, \"median_layer_gbps\": %.1f, "
           "\"median_ratio\": %.3f}\n",
           median(stream, rounds), med_ms, bytes / med_ms / 1e6, median(ratio, rounds));
    free(x);
    free(buf);
    free(ms);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
    return 0;
}
