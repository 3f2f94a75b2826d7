/* clinfer profile MODEL [--device DEV] [--batch N] [--tune none|fast|full]
 * One row per layer: its kernel, time (OpenCL events; the median of 5 profiled runs after a warm-up), GFLOPS,
 * GB/s, % of the device's FP32 peak (measured here with an FMA microbenchmark) and share of the total. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* 3 runs and a third of a second at least: a machine that was idle runs slowly for a while (the first profile after
 * a rest had the seed model's conv2d_2 at half its speed) */
static int warm_up(clinfer_context *ctx, clinfer_session *s, float **in)
{
    double t0 = cli_now_ms();
    for (int r = 0; r < 3 || cli_now_ms() - t0 < 300; r++)
        if (clinfer_session_run(ctx, s, (const float *const *)in, NULL)) {
            cli_error("%s", clinfer_context_errmsg(ctx));
            return 1;
        }
    return 0;
}

int cli_profile(int argc, char **argv)
{
    struct cli_run_opts o = {0};
    o.tune = CLINFER_TUNE_FAST;
    int rc = cli_parse_run_opts("profile", argc, argv, "-i --device --batch --seed --weights --tune --algo", &o);
    if (rc) return rc;
    clinfer_context *ctx = NULL;
    clinfer_model *m = NULL;
    clinfer_session *s = NULL;
    float *in[8] = {0};
    double *ms[5] = {0};
    if (clinfer_context_new(&ctx)) return cli_error("out of memory"), 1;
    rc = 1;
    if (clinfer_model_load(ctx, o.model, &m)) {
        cli_error("%s", clinfer_context_errmsg(ctx));
        goto done;
    }
    if (cli_load_inputs(ctx, m, &o, in)) goto done;
    const char *dev = o.device ? o.device : "opencl";
    clinfer_session_options so = {dev, o.batch, o.seed, CLINFER_INIT_KERAS, o.weights, o.tune, o.algo};
    if (clinfer_session_new(ctx, m, &so, &s)) {
        cli_error("%s", clinfer_context_errmsg(ctx));
        goto done;
    }
    int n = clinfer_model_layer_count(m);
    for (int r = 0; r < 5; r++)
        if (!(ms[r] = calloc((size_t)n, sizeof(double)))) goto done;
    /* the peak between two warm-ups. Measured on a rested machine, it was half what it is after a warm-up; and for
     * some tens of ms after its burst of FMAs, this machine streams memory at half speed (Dense 18496->512 at batch 1
     * 0.7 ms before it, 1.3-1.7 ms just after), so the model runs again before it is profiled */
    double peak = 0;
    if (warm_up(ctx, s, in)) goto done;
    if (strcmp(dev, "ref") != 0 && clinfer_device_peak(ctx, dev, &peak)) peak = 0;
    if (warm_up(ctx, s, in)) goto done;
    for (int r = 0; r < 5; r++)
        if (clinfer_session_profile(ctx, s, (const float *const *)in, ms[r])) {
            cli_error("%s", clinfer_context_errmsg(ctx));
            goto done;
        }
    double total = 0, med[4096];
    for (int i = 0; i < n && i < 4096; i++) {
        double v[5];
        for (int r = 0; r < 5; r++) v[r] = ms[r][i];
        med[i] = cli_median(v, 5);
        total += med[i];
    }
    printf("profile: %s, batch %lld, on %s\n", o.model, (long long)o.batch, clinfer_session_device(s));
    if (peak > 0) printf("device FP32 peak: %.1f GFLOPS (FMA microbenchmark, this run)\n", peak);
    printf("\n%-28s %-18s %-24s %9s %8s %8s %7s %6s\n", "layer", "type", "kernel", "ms", "GFLOPS", "GB/s", "% peak",
           "share");
    double flops_total = 0;
    for (int i = 0; i < n && i < 4096; i++) {
        char algo[64];
        clinfer_session_layer_algo(s, i, algo, sizeof algo);
        if (strcmp(algo, "input") == 0) continue;
        double f = 2.0 * (double)clinfer_session_layer_macs(s, i), b = (double)clinfer_session_layer_bytes(s, i);
        double gf = med[i] > 0 ? f / med[i] / 1e6 : 0, gb = med[i] > 0 ? b / med[i] / 1e6 : 0;
        flops_total += f;
        printf("%-28.28s %-18.18s %-24.24s %9.3f %8.1f %8.1f ", clinfer_model_layer_name(m, i),
               clinfer_model_layer_type(m, i), algo, med[i], gf, gb);
        if (peak > 0 && f > 0) printf("%6.1f%%", 100.0 * gf / peak);
        else printf("%7s", "");
        printf(" %5.1f%%\n", total > 0 ? 100.0 * med[i] / total : 0);
    }
    printf("\n%-28s %-18s %-24s %9.3f %8.1f\n", "total", "", "", total, total > 0 ? flops_total / total / 1e6 : 0);
    rc = 0;
done:
    for (int r = 0; r < 5; r++) free(ms[r]);
    for (int k = 0; k < 8; k++) free(in[k]);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
    return rc;
}
