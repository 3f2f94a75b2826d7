/* clinfer bench MODEL [--device DEV] [--batch N] [--iters N] [--tune none|fast|full] [--json]
 * Images per second and milliseconds per batch: the median of repeated runs after at least half a second of
 * warm-up; the session's setup (compile) and tuning are reported apart; then one streamed run of the batch
 * (inputs mapped, outputs written to a temporary file in chunks), end to end, with and without overlap. Under MPI,
 * each rank times its slice of the batch at once with the others: each rank's speed and the aggregate. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static int bench(int argc, char **argv);

const struct cli_command cli_cmd_bench = {
    "bench", bench, 1, "MODEL [--device DEV] [--batch N] [--iters N] [--tune none|fast|full] [--format text|json]",
    "images/s and ms per batch (median after warm-up), compile and tuning time apart",
    "-i -q --device --batch --iters --seed --weights --tune --algo --format --json --style --chunk",
    "Makes a session (compiling or loading kernels, and with --tune timing candidates the first time a layer\n"
    "shape is seen on a device), warms up for at least 0.5 s, then times repeated runs: at least 10 and 1 s, or\n"
    "--iters. The speed is the median run; setup, tuning, the time until ready and the first run are apart.\n"
    "Then the batch runs twice as `clinfer run` streams it (in chunks, outputs written to a temporary file), with\n"
    "and without reading and writing beside the compute: the end-to-end speed of each. Under mpirun (a build with\n"
    "-DCLINFER_MPI=ON) each rank times its slice of the batch while the others time theirs; each rank's speed and\n"
    "the aggregate (the batch over the slowest rank's time) are reported.\n\n"
    "options:\n"
    "  --device DEV          where to run (default opencl; a list or all: several devices)\n"
    "  --batch N             the batch (default the model's, else 1)\n"
    "  --iters N             time N runs\n"
    "  --tune none|fast|full how each layer's kernel is chosen (default fast: a shortlist timed once per layer\n"
    "                        shape and remembered, within 15 s of timing: the layers after it take the rule of\n"
    "                        thumb until a later run; full: every candidate, no budget; none: the rule of thumb)\n"
    "  --chunk N             the streamed runs' chunk (default: as run chooses)\n"
    "  --format text|json    text, or one JSON object (--json is a synonym)\n"
    "  -i, --weights, --seed, --algo, --style: as for run\n"};

/* One streamed run of images [lo, hi) into a temporary file: its end-to-end milliseconds, or -1 having said why. */
static double streamed(clinfer_context *ctx, clinfer_session *s, const struct cli_inputs *in, int64_t lo,
                       int64_t hi, int64_t chunk, int no_overlap)
{
    struct cli_stream st = {0};
    st.ctx = ctx;
    st.s = s;
    st.in = in;
    st.total = hi - lo;
    st.lo = lo;
    st.hi = hi;
    st.chunk = chunk;
    st.no_overlap = no_overlap;
    st.quiet = 1;
    st.n_out = clinfer_session_output_count(s);
    int ok = 1;
    for (int k = 0; k < st.n_out && k < CLI_MAX_IO; k++) {
        st.path[k] = "(a temporary file)";
        if (!(st.f[k] = tmpfile())) ok = 0;
    }
    double ms = ok && cli_stream_run(&st) == 0 ? st.total_ms : -1;
    if (!ok) cli_error("bench: cannot make a temporary file for the streamed run's outputs");
    for (int k = 0; k < st.n_out && k < CLI_MAX_IO; k++)
        if (st.f[k]) fclose(st.f[k]);
    return ms;
}

static int bench(int argc, char **argv)
{
    const double started = cli_now_ms(); /* what a user waits for before the first inference is measured from here */
    struct cli_run_opts o = {0};
    o.tune = CLINFER_TUNE_FAST;
    int rc = cli_parse(&cli_cmd_bench, argc, argv, &o);
    if (rc) return rc;
    const int rank = cli_mpi_rank(), ranks = cli_mpi_size();
    clinfer_context *ctx = NULL;
    clinfer_model *m = NULL;
    clinfer_session *s = NULL;
    struct cli_inputs in = {0};
    float *out[CLI_MAX_IO] = {0};
    double *times = NULL, *per_rank = NULL;
    if (clinfer_context_new(&ctx)) return cli_error("out of memory"), 1;
    if (rank == 0) cli_progress_start(ctx, o.quiet);
    rc = 1;
    int64_t lo = 0, slice = 0;
    if (clinfer_model_load_styled(ctx, o.model, o.style, &m)) {
        cli_error("%s", clinfer_context_errmsg(ctx));
        goto agree;
    }
    if (cli_load_inputs(ctx, m, &o, &in)) goto agree;
    /* this rank's slice (the whole batch for one process) */
    int64_t hi;
    cli_mpi_slice(o.batch, &lo, &hi);
    slice = hi - lo;
    if (slice < 1) {
        cli_error("a batch of %lld cannot be shared among %d ranks: give --batch %d or more", (long long)o.batch, ranks,
                  ranks);
        goto agree;
    }
    clinfer_session_options so = {.device = o.device ? o.device : "opencl", .batch = slice, .seed = o.seed,
                                  .weights = o.weights, .tune = o.tune, .algo = o.algo};
    if (clinfer_session_new(ctx, m, &so, &s)) {
        cli_error("%s", clinfer_context_errmsg(ctx));
        goto agree;
    }
    cli_warnings(ctx, o.quiet);
    rc = 0;
agree:
    if (cli_mpi_agree(rc, NULL)) {
        rc = 1;
        goto done;
    }
    rc = 1;
    const double ready = cli_now_ms() - started;
    const float *x[CLI_MAX_IO];
    for (int k = 0; k < in.n; k++) x[k] = in.data[k] + lo * in.row[k];
    for (int k = 0; k < clinfer_session_output_count(s); k++) {
        int64_t dims[CLINFER_MAX_RANK];
        int r = clinfer_session_output_shape(s, k, dims);
        if (!(out[k] = malloc(sizeof(float) * (size_t)cli_elems(dims, r)))) goto oom;
    }
    /* warm-up: at least 0.5 s and 3 runs (PoCL generates code at the first launch of each kernel) */
    double t0 = cli_now_ms(), first = -1;
    int err = 0;
    for (int k = 0; !err && (k < 3 || cli_now_ms() - t0 < 500); k++) {
        double a = cli_now_ms();
        if (clinfer_session_run(ctx, s, x, out)) err = 1;
        if (first < 0) first = cli_now_ms() - a;
    }
    if (err) cli_error("%s", clinfer_context_errmsg(ctx));
    if (cli_mpi_agree(err, NULL)) goto done;
    int runs = o.iters ? o.iters : 0, n = 0, cap = runs ? runs : 1024;
    if (!(times = malloc(sizeof(double) * (size_t)cap)) || !(per_rank = calloc((size_t)ranks, sizeof(double)))) goto oom;
    t0 = cli_now_ms();
    /* without --iters: at least 10 runs and 1 s */
    while (!err && (runs ? n < runs : (n < 10 || cli_now_ms() - t0 < 1000) && n < cap)) {
        double a = cli_now_ms();
        if (clinfer_session_run(ctx, s, x, out)) err = 1;
        times[n++] = cli_now_ms() - a;
    }
    if (err) cli_error("%s", clinfer_context_errmsg(ctx));
    if (cli_mpi_agree(err, NULL)) goto done;
    double med = cli_median(times, n), ips = (double)slice * 1000.0 / med;
    /* the device's own time: the layers on the inputs already there, nothing copied (at least 5 runs and 0.5 s) */
    double dev_times[256];
    int n_dev = 0;
    t0 = cli_now_ms();
    while (!err && n_dev < 256 && (n_dev < 5 || cli_now_ms() - t0 < 500)) {
        double a = cli_now_ms();
        if (clinfer_session_run_on_device(ctx, s)) err = 1;
        dev_times[n_dev++] = cli_now_ms() - a;
    }
    if (err) cli_error("%s", clinfer_context_errmsg(ctx));
    if (cli_mpi_agree(err, NULL)) goto done;
    /* (under MPI: the batch over the slowest rank's median, as the aggregate speed) */
    double dev_med = cli_mpi_max(cli_median(dev_times, n_dev)), dev_ips = (double)o.batch * 1000.0 / dev_med;
    double setup = clinfer_session_setup_ms(s), tune = clinfer_session_tune_ms(s);
    /* the streamed runs, with overlap and without, alternated: at least 3 of each and half a second; the medians
     * (each rank its slice, at once) */
    int64_t chunk = o.chunk ? o.chunk : clinfer_session_sub_batch(s);
    double on[64], off[64], st_on = -1, st_off = -1;
    int n_st = 0;
    t0 = cli_now_ms();
    while (!err && n_st < 64 && (n_st < 3 || cli_now_ms() - t0 < 500)) {
        on[n_st] = streamed(ctx, s, &in, lo, lo + slice, chunk, 0);
        off[n_st] = on[n_st] < 0 ? -1 : streamed(ctx, s, &in, lo, lo + slice, chunk, 1);
        err = off[n_st++] < 0;
    }
    if (!err) {
        st_on = cli_median(on, n_st);
        st_off = cli_median(off, n_st);
    }
    if (cli_mpi_agree(err, NULL)) goto done;
    /* the aggregate: the batch over the slowest rank's median */
    double slowest = cli_mpi_max(med), on_slowest = cli_mpi_max(st_on), off_slowest = cli_mpi_max(st_off);
    double agg = (double)o.batch * 1000.0 / slowest;
    cli_mpi_gather(ips, per_rank);
    rc = 0;
    if (rank != 0) goto done;
    double stream_on = (double)o.batch * 1000.0 / on_slowest, stream_off = (double)o.batch * 1000.0 / off_slowest;
    if (o.json) {
        printf("{\"model\": ");
        cli_json_str(stdout, o.model);
        printf(", \"device\": ");
        cli_json_str(stdout, clinfer_session_device(s));
        printf(", \"batch\": %lld, \"images_per_second\": %.2f, "
               "\"ms_per_batch\": %.4f, \"ms_min\": %.4f, \"ms_max\": %.4f, \"runs\": %d, \"compile_ms\": %.1f, "
               "\"tune_ms\": %.1f, \"ready_ms\": %.1f, \"first_run_ms\": %.1f, \"stream_chunk\": %lld, "
               "\"stream_images_per_second\": %.2f, \"stream_no_overlap_images_per_second\": %.2f, "
               "\"device_images_per_second\": %.2f, \"device_ms_per_batch\": %.4f, \"tune_left\": %d",
               (long long)o.batch, agg, slowest, times[0], times[n - 1], n, setup - tune, tune, ready, first,
               (long long)chunk, stream_on, stream_off, dev_ips, dev_med, clinfer_session_tune_left(s));
        if (ranks > 1) {
            printf(", \"ranks\": %d, \"rank_images_per_second\": [", ranks);
            for (int r = 0; r < ranks; r++) printf("%s%.2f", r ? ", " : "", per_rank[r]);
            printf("]");
        }
        printf("}\n");
    } else {
        printf("model:   %s\ndevice:  %s\nbatch:   %lld\n", o.model, clinfer_session_device(s), (long long)o.batch);
        if (ranks > 1) {
            printf("ranks:   %d, each a slice of the batch at once:", ranks);
            for (int r = 0; r < ranks; r++) printf(" %.1f", per_rank[r]);
            printf(" images/s\n");
            printf("speed:   %.1f images/s aggregate (the batch over the slowest rank's median of %d runs, %.3f ms)\n",
                   agg, n, slowest);
        } else {
            printf("speed:   %.1f images/s, %.3f ms per batch (median of %d runs; min %.3f, max %.3f)\n", ips, med, n,
                   times[0], times[n - 1]);
        }
        printf("on-device: %.1f images/s, %.3f ms per batch with the inputs already on the device, nothing copied in "
               "or out (median of %d runs; the speed above copies the inputs in and the outputs out)\n",
               dev_ips, dev_med, n_dev);
        printf("stream:  %.1f images/s end to end (inputs mapped, chunks of %lld, outputs written), %.1f without "
               "overlapping reads and writes with the compute (medians of %d, alternated)\n",
               stream_on, (long long)chunk, stream_off, n_st);
        printf("setup:   %.1f ms compile and load, %.1f ms choosing and building the tuned layers' kernels; ready %.1f ms "
               "after the start (model, inputs, setup); the first run took %.1f ms\n",
               setup - tune, tune, ready, first);
        if (clinfer_session_tune_left(s))
            printf("tuning:  the %g s budget of --tune fast ran out: %d layers took the rule of thumb or their best so far "
                   "(a later run tunes them)\n", CLINFER_TUNE_FAST_BUDGET_MS / 1000.0, clinfer_session_tune_left(s));
    }
    goto done;
oom:
    cli_error("out of memory");
    cli_mpi_agree(1, NULL);
done:
    free(times);
    free(per_rank);
    cli_inputs_free(&in);
    for (int k = 0; k < CLI_MAX_IO; k++) free(out[k]);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
    cli_progress_end();
    return rc;
}
