/* clinfer run MODEL -i IN.npy -o OUT.npy [options]: runs the model on a batch and writes its outputs, whole or not
 * at all. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int run(int argc, char **argv);

const struct cli_command cli_cmd_run = {
    "run", run, 1, "MODEL -i IN.npy -o OUT.npy [options]",
    "run the model on a batch: float32 .npy in and out",
    "-i -o -v -q --device --batch --weights --seed --init --tune --algo --max-memory --check-finite --format --style",
    "The batch is the first dimension of IN.npy (one -i per model input, in order; without -i, seeded uniform\n"
    "[0, 1) inputs of --batch images). Each output goes to a temporary file beside its -o, and all of them are\n"
    "renamed into place only once every one is written: a failure leaves the previous files as they were.\n"
    "-o - writes to standard output. A batch that does not fit the device (or --max-memory, or the process's\n"
    "memory limits) runs in sub-batches that do.\n\n"
    "options:\n"
    "  -i, --input IN.npy    an input (float32, C order), once per model input\n"
    "  -o, --output OUT.npy  an output file, once per model output (- for standard output)\n"
    "  --device DEV          where to run (default opencl)\n"
    "  --batch N             the batch, when no -i is given\n"
    "  --weights FILE        the weights: .npz (Keras names), else Keras' initialisers from --seed\n"
    "  --style S             read a script as keras2, tf2 or keras3 (its layer names, hard_sigmoid)\n"
    "  --seed S              seed of the initial weights and of generated inputs (default 0)\n"
    "  --init keras|random   Keras' initialisers, or every weight random (biases and statistics too)\n"
    "  --tune none|fast|full choose each layer's kernel by a rule of thumb, or by timing candidates\n"
    "  --algo SPEC           force kernels (conv=blocked:8:2,dense=splitk:256:32; clinfer run --algo help)\n"
    "  --max-memory SIZE     hold at most SIZE bytes (K, M, G) of activations and weights\n"
    "  --check-finite        exit 1 when an output holds NaN or Inf (a warning without it)\n"
    "  --format text|json    -v's report as text or one JSON object on standard error\n"
    "  -v, --verbose         report the device, setup and inference times, the arena and sub-batches\n"
    "  -q, --quiet           no warnings\n"};

static int run(int argc, char **argv)
{
    struct cli_run_opts o = {0};
    int rc = cli_parse(&cli_cmd_run, argc, argv, &o);
    if (rc) return rc;
    if (!o.n_outputs) {
        cli_error("run: give the output file with -o OUT.npy");
        return 2;
    }
    clinfer_context *ctx = NULL;
    clinfer_model *m = NULL;
    clinfer_session *s = NULL;
    float *in[CLI_MAX_IO] = {0}, *out[CLI_MAX_IO] = {0};
    double t0 = now_ms();
    /* the outputs' temporaries first: a path that cannot be written, or that names an input, fails before the run */
    const char *reads[CLI_MAX_IO + 2] = {o.model, o.weights};
    for (int k = 0; k < o.n_inputs; k++) reads[2 + k] = o.inputs[k];
    struct cli_outputs outs;
    if ((rc = cli_outputs_open(&outs, o.outputs, o.n_outputs, reads, 2 + o.n_inputs))) return rc;
    if (clinfer_context_new(&ctx)) {
        cli_outputs_abort(&outs);
        return cli_error("out of memory"), 1;
    }
    cli_progress_start(ctx, o.quiet);
    rc = 1;
    if (clinfer_model_load_styled(ctx, o.model, o.style, &m)) {
        cli_error("%s", clinfer_context_errmsg(ctx));
        goto done;
    }
    if (cli_load_inputs(ctx, m, &o, in)) goto done;
    clinfer_session_options so = {.device = o.device ? o.device : "opencl", .batch = o.batch, .seed = o.seed,
                                  .init = o.init, .weights = o.weights, .tune = o.tune, .algo = o.algo,
                                  .max_memory = o.max_memory};
    if (clinfer_session_new(ctx, m, &so, &s)) {
        cli_error("%s", clinfer_context_errmsg(ctx));
        goto done;
    }
    cli_warnings(ctx, o.quiet);
    int n_out = clinfer_session_output_count(s);
    if (o.n_outputs != n_out) {
        cli_error("the model has %d output(s); give one -o for each", n_out);
        goto done;
    }
    for (int k = 0; k < n_out; k++) {
        int64_t dims[CLINFER_MAX_RANK];
        int rank = clinfer_session_output_shape(s, k, dims);
        if (!(out[k] = malloc(sizeof(float) * (size_t)cli_elems(dims, rank)))) {
            cli_error("out of memory");
            goto done;
        }
    }
    double t1 = now_ms();
    if (clinfer_session_run(ctx, s, (const float *const *)in, out)) {
        cli_error("%s", clinfer_context_errmsg(ctx));
        goto done;
    }
    cli_progress_end();
    double t2 = now_ms();
    for (int k = 0; k < n_out; k++) {
        int64_t dims[CLINFER_MAX_RANK];
        int rank = clinfer_session_output_shape(s, k, dims);
        if (cli_outputs_write(&outs, k, dims, rank, out[k])) goto done;
    }
    if (cli_outputs_commit(&outs)) goto done;
    /* NaN or Inf in an output: a warning, or with --check-finite an error (the outputs are written either way) */
    int64_t nonfinite[CLI_MAX_IO] = {0}, any = 0;
    for (int k = 0; k < n_out; k++) {
        int64_t dims[CLINFER_MAX_RANK], nan = 0, inf = 0, first = -1;
        int64_t cnt = cli_elems(dims, clinfer_session_output_shape(s, k, dims));
        for (int64_t j = 0; j < cnt; j++)
            if (!isfinite(out[k][j])) {
                nan += isnan(out[k][j]);
                inf += !isnan(out[k][j]);
                if (first < 0) first = j;
            }
        nonfinite[k] = nan + inf;
        any += nan + inf;
        if ((nan || inf) && (o.check_finite || !o.quiet))
            fprintf(stderr, "clinfer: %s: output %d (%s) holds %lld NaN and %lld Inf of %lld values (the first at flat "
                            "index %lld)\n",
                    o.check_finite ? "error" : "warning", k, o.outputs[k], (long long)nan, (long long)inf, (long long)cnt,
                    (long long)first);
    }
    if (o.json) {
        size_t naive, arena = clinfer_session_arena_bytes(s, &naive);
        FILE *f = outs.n_stdout ? stderr : stdout;
        fprintf(f, "{\"device\": ");
        cli_json_str(f, clinfer_session_device(s));
        fprintf(f, ", \"batch\": %lld, \"sub_batch\": %lld, \"setup_ms\": %.3f, \"load_ms\": %.3f, \"inference_ms\": %.3f, "
                   "\"arena_bytes\": %zu, \"naive_bytes\": %zu, \"outputs\": [",
                (long long)o.batch, (long long)clinfer_session_sub_batch(s), clinfer_session_setup_ms(s),
                t1 - t0 - clinfer_session_setup_ms(s), t2 - t1, arena, naive);
        for (int k = 0; k < n_out; k++) {
            int64_t dims[CLINFER_MAX_RANK];
            int rank = clinfer_session_output_shape(s, k, dims);
            fprintf(f, "%s{\"file\": ", k ? ", " : "");
            cli_json_str(f, o.outputs[k]);
            fprintf(f, ", \"shape\": [");
            for (int r = 0; r < rank; r++) fprintf(f, "%s%lld", r ? ", " : "", (long long)dims[r]);
            fprintf(f, "], \"nonfinite\": %lld}", (long long)nonfinite[k]);
        }
        fprintf(f, "]}\n");
    } else if (o.verbose) {
        size_t naive, arena = clinfer_session_arena_bytes(s, &naive);
        fprintf(stderr, "device: %s\n", clinfer_session_device(s));
        fprintf(stderr, "setup: %.1f ms (device, kernel program, weights); model load %.1f ms\n",
                clinfer_session_setup_ms(s), t1 - t0 - clinfer_session_setup_ms(s));
        fprintf(stderr, "inference: %.1f ms for a batch of %lld\n", t2 - t1, (long long)o.batch);
        if (clinfer_session_sub_batch(s) < o.batch)
            fprintf(stderr, "sub-batches: %lld images at a time (the batch does not fit the memory)\n",
                    (long long)clinfer_session_sub_batch(s));
        fprintf(stderr, "arena: %zu bytes (every tensor apart: %zu)\n", arena, naive);
    }
    rc = o.check_finite && any ? 1 : 0;
done:
    cli_outputs_abort(&outs); /* (nothing left to do after a commit) */
    for (int k = 0; k < CLI_MAX_IO; k++) {
        free(in[k]);
        free(out[k]);
    }
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
    cli_progress_end();
    return rc;
}
