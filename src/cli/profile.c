/* clinfer profile MODEL [--device DEV] [--batch N] [--tune none|fast|full]
 * One row per layer: its kernel, time (OpenCL events; the median of 5 profiled runs after a warm-up), GFLOPS,
 * GB/s, % of the device's FP32 peak (measured here with an FMA microbenchmark) and share of the total. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/alloc.h"
#include "../util/strbuf.h"
#include "cli.h"

static double gflops(const clinfer_session *s, int i, double ms)
{
    return ms > 0 ? 2.0 * (double)clinfer_session_layer_macs(s, i) / ms / 1e6 : 0;
}

static double gbps(const clinfer_session *s, int i, double ms)
{
    return ms > 0 ? (double)clinfer_session_layer_bytes(s, i) / ms / 1e6 : 0;
}

/* a layer's launch as "2x13x18" and "16x16x1" ("-": none; "auto": the implementation's) */
static void launch_text(const clinfer_session *s, int i, char *global, char *local)
{
    size_t g[3], l[3];
    if (!clinfer_session_layer_launch(s, i, g, l)) {
        strcpy(global, "-");
        strcpy(local, "-");
        return;
    }
    snprintf(global, 64, "%zux%zux%zu", g[0], g[1], g[2]);
    if (l[0]) snprintf(local, 64, "%zux%zux%zu", l[0], l[1], l[2]);
    else strcpy(local, "auto");
}

static void print_text(const clinfer_model *m, const clinfer_session *s, const struct cli_run_opts *o, const double *med,
                       double total, double peak)
{
    int n = clinfer_model_layer_count(m);
    printf("profile: %s, batch %lld, on %s\n", o->model, (long long)o->batch, clinfer_session_device(s));
    if (peak > 0) printf("device FP32 peak: %.1f GFLOPS (FMA microbenchmark, this run)\n", peak);
    printf("\n%-28s %-18s %-24s %-18s %-9s %9s %8s %8s %7s %6s\n", "layer", "type", "kernel", "global", "local", "ms",
           "GFLOPS", "GB/s", "% peak", "share");
    double flops_total = 0;
    for (int i = 0; i < n; i++) {
        char algo[64];
        clinfer_session_layer_algo(s, i, algo, sizeof algo);
        if (strcmp(algo, "input") == 0) continue;
        double gf = gflops(s, i, med[i]);
        flops_total += 2.0 * (double)clinfer_session_layer_macs(s, i);
        char global[64], local[64];
        launch_text(s, i, global, local);
        printf("%-28.28s %-18.18s %-24.24s %-18.18s %-9.9s %9.3f %8.1f %8.1f ", clinfer_model_layer_name(m, i),
               clinfer_model_layer_type(m, i), algo, global, local, med[i], gf, gbps(s, i, med[i]));
        if (peak > 0 && gf > 0) printf("%6.1f%%", 100.0 * gf / peak);
        else printf("%7s", "");
        printf(" %5.1f%%\n", total > 0 ? 100.0 * med[i] / total : 0);
    }
    printf("\n%-28s %-18s %-24s %-18s %-9s %9.3f %8.1f\n", "total", "", "", "", "", total,
           total > 0 ? flops_total / total / 1e6 : 0);
}

static void print_json(const clinfer_model *m, const clinfer_session *s, const struct cli_run_opts *o, const double *med,
                       double total, double peak)
{
    int n = clinfer_model_layer_count(m);
    printf("{\n  \"model\": ");
    cli_json_str(stdout, o->model);
    printf(",\n  \"device\": ");
    cli_json_str(stdout, clinfer_session_device(s));
    printf(",\n  \"batch\": %lld,\n  \"peak_gflops\": %.1f,\n  \"total_ms\": %.4f,\n  \"layers\": [", (long long)o->batch,
           peak, total);
    int first = 1;
    for (int i = 0; i < n; i++) {
        char algo[64];
        clinfer_session_layer_algo(s, i, algo, sizeof algo);
        if (strcmp(algo, "input") == 0) continue;
        printf("%s\n    {\"name\": ", first ? "" : ",");
        first = 0;
        cli_json_str(stdout, clinfer_model_layer_name(m, i));
        printf(", \"type\": ");
        cli_json_str(stdout, clinfer_model_layer_type(m, i));
        printf(", \"family\": ");
        cli_json_str(stdout, algo);
        size_t g[3], l[3];
        if (clinfer_session_layer_launch(s, i, g, l))
            printf(", \"global\": [%zu, %zu, %zu], \"local\": [%zu, %zu, %zu]", g[0], g[1], g[2], l[0], l[1], l[2]);
        else
            printf(", \"global\": null, \"local\": null");
        printf(", \"ms\": %.4f, \"gflops\": %.2f, \"gbps\": %.2f, \"share\": %.4f}", med[i], gflops(s, i, med[i]),
               gbps(s, i, med[i]), total > 0 ? med[i] / total : 0);
    }
    printf("\n  ]\n}\n");
}

/* A Chrome / Perfetto trace of one profiled run: the layers' kernels one after another, as the queue ran them. */
static char *trace_json(const clinfer_model *m, const clinfer_session *s, const double *ms)
{
    struct cf_strbuf sb = {0};
    cf_sb_puts(&sb, "{\"displayTimeUnit\": \"ms\", \"traceEvents\": [");
    double t = 0;
    int first = 1;
    for (int i = 0; i < clinfer_model_layer_count(m); i++) {
        char algo[64];
        clinfer_session_layer_algo(s, i, algo, sizeof algo);
        if (strcmp(algo, "input") == 0 || strcmp(algo, "view") == 0) continue;
        cf_sb_puts(&sb, first ? "\n  {\"name\": " : ",\n  {\"name\": ");
        first = 0;
        cf_sb_json_str(&sb, clinfer_model_layer_name(m, i));
        cf_sb_puts(&sb, ", \"cat\": ");
        cf_sb_json_str(&sb, algo);
        cf_sb_printf(&sb, ", \"ph\": \"X\", \"pid\": 1, \"tid\": 1, \"ts\": %.3f, \"dur\": %.3f, \"args\": {\"type\": ",
                     t * 1e3, ms[i] * 1e3);
        cf_sb_json_str(&sb, clinfer_model_layer_type(m, i));
        cf_sb_printf(&sb, ", \"gflops\": %.2f, \"gbps\": %.2f}}", gflops(s, i, ms[i]), gbps(s, i, ms[i]));
        t += ms[i];
    }
    cf_sb_puts(&sb, "\n]}\n");
    return cf_sb_take(&sb);
}

/* 3 runs and a third of a second at least: a machine that was idle runs slowly for a while (the first profile after
 * a rest had the seed model's conv2d_2 at half its speed) */
static int warm_up(clinfer_context *ctx, clinfer_session *s, const float *const *in)
{
    double t0 = cli_now_ms();
    for (int r = 0; r < 3 || cli_now_ms() - t0 < 300; r++)
        if (clinfer_session_run(ctx, s, in, NULL)) {
            cli_error("%s", clinfer_context_errmsg(ctx));
            return 1;
        }
    return 0;
}

static int profile(int argc, char **argv);

const struct cli_command cli_cmd_profile = {
    "profile", profile, 1, "MODEL [--device DEV] [--batch N] [--tune none|fast|full] [--format text|json] [--trace F]",
    "per layer: kernel, time (OpenCL events), GFLOPS, GB/s, % of the device's peak, share",
    "-i -q --device --batch --seed --weights --tune --algo --format --trace --style",
    "Warms the model up, measures the device's FP32 peak with an FMA microbenchmark, warms up again, and\n"
    "profiles 5 runs: each layer's time is the median of its 5 OpenCL event times.\n\n"
    "options:\n"
    "  --device DEV          where to run (default opencl)\n"
    "  --batch N             the batch (default the model's, else 1)\n"
    "  --tune none|fast|full how each layer's kernel is chosen (default fast: a shortlist, within 15 s of timing)\n"
    "  --format text|json    a table, or one JSON document (per layer: name, type, family, ms, GFLOPS, GB/s)\n"
    "  --trace FILE.json     also write a Chrome/Perfetto trace of one run: a slice per layer's kernels\n"
    "  -i, --weights, --seed, --algo, --style: as for run\n"};

static int profile(int argc, char **argv)
{
    struct cli_run_opts o = {0};
    o.tune = CLINFER_TUNE_FAST;
    int rc = cli_parse(&cli_cmd_profile, argc, argv, &o);
    if (rc) return rc;
    struct cli_outputs trace;
    const char *reads[2] = {o.model, o.weights};
    if (o.trace && (rc = cli_outputs_open(&trace, &o.trace, 1, reads, 2))) return rc;
    clinfer_context *ctx = NULL;
    clinfer_model *m = NULL;
    clinfer_session *s = NULL;
    struct cli_inputs in = {0};
    double *ms[5] = {0}, *med = NULL;
    if (clinfer_context_new(&ctx)) return cli_error("out of memory"), 1;
    cli_progress_start(ctx, o.quiet);
    rc = 1;
    if (clinfer_model_load_styled(ctx, o.model, o.style, &m)) {
        cli_error("%s", clinfer_context_errmsg(ctx));
        goto done;
    }
    if (cli_load_inputs(ctx, m, &o, &in)) goto done;
    const char *dev = o.device ? o.device : "opencl";
    clinfer_session_options so = {.device = dev, .batch = o.batch, .seed = o.seed, .weights = o.weights,
                                  .tune = o.tune, .algo = o.algo};
    if (clinfer_session_new(ctx, m, &so, &s)) {
        cli_error("%s", clinfer_context_errmsg(ctx));
        goto done;
    }
    cli_warnings(ctx, o.quiet);
    int n = clinfer_model_layer_count(m);
    for (int r = 0; r < 5; r++)
        if (!(ms[r] = calloc((size_t)n, sizeof(double)))) goto done;
    /* the peak between two warm-ups. Measured on a rested machine, it was half what it is after a warm-up; and for
     * some tens of ms after its burst of FMAs, this machine streams memory at half speed (Dense 18496->512 at batch 1
     * 0.7 ms before it, 1.3-1.7 ms just after), so the model runs again before it is profiled */
    double peak = 0;
    if (warm_up(ctx, s, in.data)) goto done;
    if (strcmp(dev, "ref") != 0 && clinfer_device_peak(ctx, dev, &peak)) peak = 0;
    if (warm_up(ctx, s, in.data)) goto done;
    for (int r = 0; r < 5; r++)
        if (clinfer_session_profile(ctx, s, in.data, ms[r])) {
            cli_error("%s", clinfer_context_errmsg(ctx));
            goto done;
        }
    double total = 0;
    if (!(med = calloc((size_t)n + 1, sizeof *med))) goto done;
    for (int i = 0; i < n; i++) {
        double v[5];
        for (int r = 0; r < 5; r++) v[r] = ms[r][i];
        med[i] = cli_median(v, 5);
        total += med[i];
    }
    if (o.json) print_json(m, s, &o, med, total, peak);
    else print_text(m, s, &o, med, total, peak);
    if (o.trace) {
        char *text = trace_json(m, s, ms[0]);
        int bad = !text || cli_outputs_write_text(&trace, 0, text) || cli_outputs_commit(&trace);
        if (!text) cli_error("out of memory");
        cf_free(text);
        if (bad) goto done;
    }
    rc = 0;
done:
    if (o.trace) cli_outputs_abort(&trace);
    for (int r = 0; r < 5; r++) free(ms[r]);
    free(med);
    cli_inputs_free(&in);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
    cli_progress_end();
    return rc;
}
