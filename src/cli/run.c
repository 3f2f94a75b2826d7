/* clinfer run MODEL -i IN.npy -o OUT.npy [options]: runs the model on a batch and writes its outputs, whole or not
 * at all. */
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../io/npy.h"
#include "../util/files.h"
#include "cli.h"

static int run(int argc, char **argv);

const struct cli_command cli_cmd_run = {
    "run", run, 1, "MODEL -i IN.npy -o OUT.npy [options]",
    "run the model on a batch: float32 .npy in and out",
    "-i -o -v -q --device --batch --weights --seed --init --tune --algo --max-memory --check-finite --format --style "
    "--chunk --overlap --check-inputs",
    "The batch is the first dimension of IN.npy (one -i per model input, in order; without -i, seeded uniform\n"
    "[0, 1) inputs of --batch images). The inputs are mapped, not read whole, and the batch runs in chunks whose\n"
    "outputs are written as they are done, while the next chunk computes: the memory held is that of a chunk,\n"
    "whatever the batch. Each output goes to a temporary file beside its -o, and all of them are renamed into\n"
    "place only once every one is written: a failure leaves the previous files as they were. -o - writes to\n"
    "standard output. A chunk that does not fit the device (or --max-memory, or the process's memory limits)\n"
    "runs in sub-batches that do. Under mpirun or srun (a build with -DCLINFER_MPI=ON), each rank runs a slice of\n"
    "the batch on its node's device of its local rank and writes it into the one output file (docs/scaling.md).\n\n"
    "options:\n"
    "  -i, --input IN.npy    an input (float32, C order), once per model input\n"
    "  -o, --output OUT.npy  an output file, once per model output (- for standard output)\n"
    "  --device DEV          where to run (default opencl); several: opencl:0,opencl:1 or all (each takes a\n"
    "                        share of every chunk in proportion to its speed)\n"
    "  --chunk N             the images run and written at a time (default: as many as fit 64 MiB of inputs and\n"
    "                        outputs, at most the sub-batch the memory allows)\n"
    "  --overlap on|off      read and write chunks while the device computes (default on)\n"
    "  --batch N             the batch, when no -i is given\n"
    "  --weights FILE        the weights: .npz (Keras names), else Keras' initialisers from --seed\n"
    "  --style S             read a script as keras2, tf2 or keras3 (its layer names, hard_sigmoid)\n"
    "  --seed S              seed of the initial weights and of generated inputs (default 0)\n"
    "  --init keras|random   Keras' initialisers, or every weight random (biases and statistics too)\n"
    "  --tune none|fast|full choose each layer's kernel by a rule of thumb, or by timing candidates (fast: a\n"
    "                        shortlist, within 15 s of timing a run; full: all of them) and remember the choice\n"
    "  --algo SPEC           force kernels (conv=blocked:8:2,dense=splitk:256:32; clinfer run --algo help)\n"
    "  --max-memory SIZE     hold at most SIZE bytes (K, M, G) of activations and weights\n"
    "  --check-finite        exit 1 when an output holds NaN or Inf (a warning without it)\n"
    "  --check-inputs        stop at an input image that holds NaN or Inf (exit 1, no output written)\n"
    "  --format text|json    -v's report as text or one JSON object on standard error\n"
    "  -v, --verbose         report the device, setup and inference times, the arena and sub-batches\n"
    "  -q, --quiet           no warnings\n"};

/* Under MPI with the default device: the OpenCL device of this rank's node-local rank, among the GPUs (else all
 * devices), round robin. */
static int rank_device(clinfer_context *ctx, char *device, size_t size)
{
    char *list = NULL;
    if (clinfer_devices_all(ctx, &list)) {
        cli_error("%s", clinfer_context_errmsg(ctx));
        return 1;
    }
    int n = 1;
    for (const char *p = list; *p; p++) n += *p == ',';
    const char *p = list;
    for (int i = cli_mpi_local_rank() % n; i > 0; i--) p = strchr(p, ',') + 1;
    snprintf(device, size, "%.*s", (int)strcspn(p, ","), p);
    clinfer_free(list);
    return 0;
}

/* rank 0's word when another rank failed (that rank has said why) */
static void rank_failed(int failed, int ranks)
{
    fprintf(stderr, "clinfer: error: rank %d of %d failed (its message says why); no output file was changed\n", failed,
            ranks);
}

static int run(int argc, char **argv)
{
    struct cli_run_opts o = {0};
    int rc = cli_parse(&cli_cmd_run, argc, argv, &o);
    if (rc) return rc;
    if (!o.n_outputs) {
        cli_error("run: give the output file with -o OUT.npy");
        return 2;
    }
    const int rank = cli_mpi_rank(), ranks = cli_mpi_size();
    for (int k = 0; ranks > 1 && k < o.n_outputs; k++)
        if (strcmp(o.outputs[k], "-") == 0) {
            if (rank == 0) cli_error("-o -: under MPI the ranks write one file together; give a file name");
            return 2;
        }
    clinfer_context *ctx = NULL;
    clinfer_model *m = NULL;
    clinfer_session *s = NULL;
    struct cli_inputs in = {0};
    struct cli_stream st = {0};
    struct cli_outputs outs = {0};
    char tmp[CLI_MAX_IO][4200] = {{0}};
    double t0 = cli_now_ms();
    /* the outputs' temporaries first (rank 0's, for every rank): a path that cannot be written, or that names an
     * input, fails before the run */
    const char *reads[CLI_MAX_IO + 2] = {o.model, o.weights};
    for (int k = 0; k < o.n_inputs; k++) reads[2 + k] = o.inputs[k];
    if (rank == 0) rc = cli_outputs_open(&outs, o.outputs, o.n_outputs, reads, 2 + o.n_inputs);
    if (cli_mpi_agree(rc, NULL)) return rc ? rc : 1;
    rc = 1;
    if (clinfer_context_new(&ctx)) {
        cli_error("out of memory");
        goto agreed;
    }
    if (rank == 0) cli_progress_start(ctx, o.quiet);
    if (clinfer_model_load_styled(ctx, o.model, o.style, &m)) {
        cli_error("%s", clinfer_context_errmsg(ctx));
        goto agreed;
    }
    if (cli_load_inputs(ctx, m, &o, &in)) goto agreed;
    if (clinfer_model_output_count(m) != o.n_outputs) {
        cli_error("the model has %d output(s); give one -o for each", clinfer_model_output_count(m));
        goto agreed;
    }
    st.total = o.batch;
    cli_mpi_slice(o.batch, &st.lo, &st.hi);
    int64_t slice = st.hi - st.lo;
    char device[64];
    snprintf(device, sizeof device, "%s", o.device ? o.device : "opencl");
    if (ranks > 1 && strcmp(device, "opencl") == 0 && rank_device(ctx, device, sizeof device)) goto agreed;
    if (slice > 0) {
        /* the chunk: as asked, else what holds 64 MiB of inputs and outputs (fewer images when the memory needs) */
        int64_t chunk = o.chunk, per_image = 0;
        if (!chunk) {
            for (int k = 0; k < in.n; k++) per_image += in.row[k] * 4;
            for (int k = 0; k < o.n_outputs; k++) { /* (an unknown dimension counts as 1: a guess) */
                int64_t dims[CLINFER_MAX_RANK], e = 4;
                int r = clinfer_model_layer_shape(m, clinfer_model_output_layer(m, k), dims);
                for (int j = 1; j < r; j++) e *= dims[j] > 0 ? dims[j] : 1;
                per_image += e;
            }
            chunk = per_image > 0 ? ((int64_t)64 << 20) / per_image : slice;
            if (chunk < 1) chunk = 1;
        }
        if (chunk > slice) chunk = slice;
        clinfer_session_options so = {.device = device, .batch = chunk, .seed = o.seed, .init = o.init,
                                      .weights = o.weights, .tune = o.tune, .algo = o.algo,
                                      .max_memory = o.max_memory};
        if (clinfer_session_new(ctx, m, &so, &s)) {
            cli_error("%s", clinfer_context_errmsg(ctx));
            goto agreed;
        }
        cli_warnings(ctx, o.quiet);
        /* without --chunk, the sub-batch the memory allows */
        st.chunk = o.chunk ? chunk : clinfer_session_sub_batch(s);
    }
    rc = 0;
agreed:
    /* every rank has its session, or the run stops on all of them */
    {
        int failed = -1;
        if (cli_mpi_agree(rc, &failed)) {
            if (!rc) {
                if (rank == 0) rank_failed(failed, ranks);
                rc = 1;
            }
            goto done;
        }
    }
    rc = 1;
    /* the outputs' headers: rank 0 writes them; every rank knows their size */
    st.ctx = ctx;
    st.s = s;
    st.in = &in;
    st.no_overlap = o.no_overlap;
    st.check_inputs = o.check_inputs;
    for (int k = 0; k < o.n_inputs; k++) st.input_path[k] = o.inputs[k];
    st.quiet = o.quiet || rank != 0;
    st.n_out = o.n_outputs;
    int err = 0;
    double t1 = cli_now_ms(), t2 = t1;
    /* the outputs' shapes: rank 0's session's (rank 0 always has images), with the whole batch first */
    int64_t odims[CLI_MAX_IO][CLINFER_MAX_RANK] = {{0}};
    int orank[CLI_MAX_IO] = {0};
    for (int k = 0; rank == 0 && k < o.n_outputs; k++) {
        orank[k] = clinfer_session_output_shape(s, k, odims[k]);
        odims[k][0] = o.batch;
    }
    cli_mpi_bcast(odims, sizeof odims);
    cli_mpi_bcast(orank, sizeof orank);
    for (int k = 0; k < o.n_outputs; k++) {
        char h[640];
        size_t hn = cf_npy_header(odims[k], orank[k], h, sizeof h);
        st.header[k] = hn;
        st.path[k] = o.outputs[k];
        if (rank == 0) {
            FILE *f = outs.to_stdout[k] ? stdout : outs.f[k];
            char why[128];
            if (!err && (!hn || fwrite(h, 1, hn, f) != hn || fflush(f) != 0)) {
                cli_error("%s: cannot write the output: %s (no output file was changed)", o.outputs[k],
                          cf_errno_text(hn ? errno : EINVAL, why, sizeof why));
                err = 1;
            }
            st.f[k] = f;
            snprintf(tmp[k], sizeof tmp[k], "%s", outs.tmp[k][0] ? outs.tmp[k] : o.outputs[k]);
        }
    }
    if (cli_mpi_agree(err, NULL)) goto close; /* (MPI_File_open is collective: all ranks open, or none) */
    if (ranks > 1) { /* one file for all the ranks: rank 0's temporary, written at each rank's offsets */
        cli_mpi_bcast(tmp, sizeof tmp);
        for (int k = 0; k < o.n_outputs && !err; k++) {
            char why[256];
            if (cli_mpi_file_open(tmp[k], &st.mf[k], why, sizeof why)) {
                cli_error("%s: cannot open for writing with MPI-IO: %s", o.outputs[k], why);
                err = 1;
            }
        }
    }
    if (cli_mpi_agree(err, NULL)) goto close;
    t1 = cli_now_ms();
    err = cli_stream_run(&st);
    t2 = cli_now_ms();
    if (rank == 0) cli_progress_end();
close:
    for (int k = 0; k < o.n_outputs; k++) {
        char why[256];
        if (cli_mpi_file_close(st.mf[k], why, sizeof why) && !err) {
            cli_error("%s: cannot write the output: %s (no output file was changed)", o.outputs[k], why);
            err = 1;
        }
        st.mf[k] = NULL;
    }
    {
        int failed = -1;
        if (cli_mpi_agree(err, &failed)) {
            if (!err && rank == 0) rank_failed(failed, ranks);
            goto done;
        }
    }
    int commit = rank == 0 ? cli_outputs_commit(&outs) : 0;
    cli_mpi_bcast(&commit, sizeof commit);
    if (commit) goto done;
    /* NaN or Inf in an output: a warning, or with --check-finite an error (the outputs are written either way) */
    int64_t any = 0;
    for (int k = 0; k < o.n_outputs; k++) {
        int64_t nan = cli_mpi_sum(st.nan[k]), inf = cli_mpi_sum(st.inf[k]);
        int64_t first = cli_mpi_min(st.first_bad[k] < 0 ? INT64_MAX : st.first_bad[k]);
        int64_t cnt = cli_elems(odims[k], orank[k]);
        any += nan + inf;
        st.nan[k] = nan + inf; /* (the report's count) */
        if ((nan || inf) && (o.check_finite || !o.quiet) && rank == 0)
            fprintf(stderr, "clinfer: %s: output %d (%s) holds %lld NaN and %lld Inf of %lld values (the first at flat "
                            "index %lld)\n",
                    o.check_finite ? "error" : "warning", k, o.outputs[k], (long long)nan, (long long)inf, (long long)cnt,
                    (long long)first);
    }
    rc = o.check_finite && any ? 1 : 0;
    double inference = cli_mpi_max(t2 - t1), setup = cli_mpi_max(s ? clinfer_session_setup_ms(s) : 0);
    if (rank != 0 || !(o.json || o.verbose)) goto done;
    size_t naive = 0, arena = s ? clinfer_session_arena_bytes(s, &naive) : 0;
    if (o.json) {
        FILE *f = outs.n_stdout ? stderr : stdout;
        fprintf(f, "{\"device\": ");
        cli_json_str(f, s ? clinfer_session_device(s) : "");
        fprintf(f, ", \"batch\": %lld, \"chunk\": %lld, \"sub_batch\": %lld, \"ranks\": %d, \"setup_ms\": %.3f, "
                   "\"load_ms\": %.3f, \"inference_ms\": %.3f, \"compute_ms\": %.3f, \"arena_bytes\": %zu, "
                   "\"naive_bytes\": %zu, \"outputs\": [",
                (long long)o.batch, (long long)st.chunk, (long long)(s ? clinfer_session_sub_batch(s) : 0), ranks,
                setup, t1 - t0 - setup, inference, st.compute_ms, arena, naive);
        for (int k = 0; k < o.n_outputs; k++) {
            fprintf(f, "%s{\"file\": ", k ? ", " : "");
            cli_json_str(f, o.outputs[k]);
            fprintf(f, ", \"shape\": [");
            for (int j = 0; j < orank[k]; j++) fprintf(f, "%s%lld", j ? ", " : "", (long long)odims[k][j]);
            fprintf(f, "], \"nonfinite\": %lld}", (long long)st.nan[k]);
        }
        fprintf(f, "]}\n");
    } else {
        fprintf(stderr, "device: %s\n", s ? clinfer_session_device(s) : "");
        if (ranks > 1) fprintf(stderr, "ranks: %d (the figures are rank 0's, the times the slowest rank's)\n", ranks);
        fprintf(stderr, "setup: %.1f ms (device, kernel program, weights); model load %.1f ms\n", setup,
                t1 - t0 - setup);
        fprintf(stderr, "inference: %.1f ms for a batch of %lld (%.1f ms computing; chunks of %lld images)\n",
                inference, (long long)o.batch, st.compute_ms, (long long)st.chunk);
        if (s && clinfer_session_sub_batch(s) < st.chunk)
            fprintf(stderr, "sub-batches: %lld images at a time (the chunk does not fit the memory)\n",
                    (long long)clinfer_session_sub_batch(s));
        fprintf(stderr, "arena: %zu bytes (every tensor apart: %zu)\n", arena, naive);
    }
done:
    if (rank == 0) cli_outputs_abort(&outs); /* (nothing left to do after a commit) */
    for (int k = 0; k < CLI_MAX_IO; k++) {
        char why[256];
        if (st.mf[k]) cli_mpi_file_close(st.mf[k], why, sizeof why);
    }
    cli_inputs_free(&in);
    clinfer_session_free(s);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
    cli_progress_end();
    return rc;
}
