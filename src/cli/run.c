/* clinfer run MODEL -i IN.npy -o OUT.npy [--device DEV] [--batch N] [--weights W.npz] [--seed S]
 *                   [--init keras|random] [-v] */
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

int cli_run(int argc, char **argv)
{
    struct cli_run_opts o = {0};
    int rc = cli_parse_run_opts("run", argc, argv, "-i -o --device --batch --weights --seed --init --tune --algo --max-memory -v", &o);
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
    rc = 1;
    if (clinfer_model_load(ctx, o.model, &m)) {
        cli_error("%s", clinfer_context_errmsg(ctx));
        goto done;
    }
    if (cli_load_inputs(ctx, m, &o, in)) goto done;
    clinfer_session_options so = {o.device ? o.device : "opencl", o.batch, o.seed, o.init, o.weights, o.tune, o.algo, o.max_memory};
    if (clinfer_session_new(ctx, m, &so, &s)) {
        cli_error("%s", clinfer_context_errmsg(ctx));
        goto done;
    }
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
    double t2 = now_ms();
    for (int k = 0; k < n_out; k++) {
        int64_t dims[CLINFER_MAX_RANK];
        int rank = clinfer_session_output_shape(s, k, dims);
        if (cli_outputs_write(&outs, k, dims, rank, out[k])) goto done;
    }
    if (cli_outputs_commit(&outs)) goto done;
    if (o.verbose) {
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
    rc = 0;
done:
    cli_outputs_abort(&outs); /* (nothing left to do after a commit) */
    for (int k = 0; k < CLI_MAX_IO; k++) {
        free(in[k]);
        free(out[k]);
    }
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
    return rc;
}
