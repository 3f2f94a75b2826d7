/* clinfer bench MODEL [--device DEV] [--batch N] [--iters N] [--tune none|fast|full] [--json]
 * Images per second and milliseconds per batch: the median of repeated runs after at least half a second of
 * warm-up; the session's setup (compile) and tuning are reported apart. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static int bench(int argc, char **argv);

const struct cli_command cli_cmd_bench = {
    "bench", bench, 1, "MODEL [--device DEV] [--batch N] [--iters N] [--tune none|fast|full] [--format text|json]",
    "images/s and ms per batch (median after warm-up), compile and tuning time apart",
    "-i -q --device --batch --iters --seed --weights --tune --algo --format --json --style",
    "Makes a session (compiling or loading kernels, and with --tune timing candidates the first time a layer\n"
    "shape is seen on a device), warms up for at least 0.5 s, then times repeated runs: at least 10 and 1 s, or\n"
    "--iters. The speed is the median run; setup, tuning, the time until ready and the first run are apart.\n\n"
    "options:\n"
    "  --device DEV          where to run (default opencl)\n"
    "  --batch N             the batch (default the model's, else 1)\n"
    "  --iters N             time N runs\n"
    "  --tune none|fast|full how each layer's kernel is chosen (default fast: a few candidates timed once)\n"
    "  --format text|json    text, or one JSON object (--json is a synonym)\n"
    "  -i, --weights, --seed, --algo, --style: as for run\n"};

static int bench(int argc, char **argv)
{
    const double started = cli_now_ms(); /* what a user waits for before the first inference is measured from here */
    struct cli_run_opts o = {0};
    o.tune = CLINFER_TUNE_FAST;
    int rc = cli_parse(&cli_cmd_bench, argc, argv, &o);
    if (rc) return rc;
    clinfer_context *ctx = NULL;
    clinfer_model *m = NULL;
    clinfer_session *s = NULL;
    struct cli_inputs in = {0};
    float *out[CLI_MAX_IO] = {0};
    double *times = NULL;
    if (clinfer_context_new(&ctx)) return cli_error("out of memory"), 1;
    cli_progress_start(ctx, o.quiet);
    rc = 1;
    if (clinfer_model_load_styled(ctx, o.model, o.style, &m)) {
        cli_error("%s", clinfer_context_errmsg(ctx));
        goto done;
    }
    if (cli_load_inputs(ctx, m, &o, &in)) goto done;
    clinfer_session_options so = {.device = o.device ? o.device : "opencl", .batch = o.batch, .seed = o.seed,
                                  .weights = o.weights, .tune = o.tune, .algo = o.algo};
    if (clinfer_session_new(ctx, m, &so, &s)) {
        cli_error("%s", clinfer_context_errmsg(ctx));
        goto done;
    }
    cli_warnings(ctx, o.quiet);
    const double ready = cli_now_ms() - started;
    for (int k = 0; k < clinfer_session_output_count(s); k++) {
        int64_t dims[CLINFER_MAX_RANK];
        int rank = clinfer_session_output_shape(s, k, dims);
        if (!(out[k] = malloc(sizeof(float) * (size_t)cli_elems(dims, rank)))) goto oom;
    }
    /* warm-up: at least 0.5 s and 3 runs (PoCL generates code at the first launch of each kernel) */
    double t0 = cli_now_ms(), first = -1;
    for (int k = 0; k < 3 || cli_now_ms() - t0 < 500; k++) {
        double a = cli_now_ms();
        if (clinfer_session_run(ctx, s, in.data, out)) {
            cli_error("%s", clinfer_context_errmsg(ctx));
            goto done;
        }
        if (first < 0) first = cli_now_ms() - a;
    }
    int runs = o.iters ? o.iters : 0, n = 0, cap = runs ? runs : 1024;
    if (!(times = malloc(sizeof(double) * (size_t)cap))) goto oom;
    t0 = cli_now_ms();
    /* without --iters: at least 10 runs and 1 s */
    while (runs ? n < runs : (n < 10 || cli_now_ms() - t0 < 1000) && n < cap) {
        double a = cli_now_ms();
        if (clinfer_session_run(ctx, s, in.data, out)) {
            cli_error("%s", clinfer_context_errmsg(ctx));
            goto done;
        }
        times[n++] = cli_now_ms() - a;
    }
    double med = cli_median(times, n), ips = (double)o.batch * 1000.0 / med;
    double setup = clinfer_session_setup_ms(s), tune = clinfer_session_tune_ms(s);
    if (o.json) {
        printf("{\"model\": ");
        cli_json_str(stdout, o.model);
        printf(", \"device\": ");
        cli_json_str(stdout, clinfer_session_device(s));
        printf(", \"batch\": %lld, \"images_per_second\": %.2f, "
               "\"ms_per_batch\": %.4f, \"ms_min\": %.4f, \"ms_max\": %.4f, \"runs\": %d, \"compile_ms\": %.1f, "
               "\"tune_ms\": %.1f, \"ready_ms\": %.1f, \"first_run_ms\": %.1f}\n",
               (long long)o.batch, ips, med, times[0], times[n - 1], n, setup - tune, tune, ready, first);
    } else {
        printf("model:   %s\ndevice:  %s\nbatch:   %lld\n", o.model, clinfer_session_device(s), (long long)o.batch);
        printf("speed:   %.1f images/s, %.3f ms per batch (median of %d runs; min %.3f, max %.3f)\n", ips, med, n,
               times[0], times[n - 1]);
        printf("setup:   %.1f ms compile and load, %.1f ms choosing and building the tuned layers' kernels; ready %.1f ms "
               "after the start (model, inputs, setup); the first run took %.1f ms\n",
               setup - tune, tune, ready, first);
    }
    rc = 0;
    goto done;
oom:
    cli_error("out of memory");
done:
    free(times);
    cli_inputs_free(&in);
    for (int k = 0; k < CLI_MAX_IO; k++) free(out[k]);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
    cli_progress_end();
    return rc;
}
