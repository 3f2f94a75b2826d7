/* A streamed run: the inputs are memory-mapped files (or generated), the outputs are written chunk by chunk, and
 * what the process holds stays bounded by two chunks of outputs and the chunk of inputs in use, whatever the batch.
 * While the device computes chunk c, one thread reads chunk c + 1's input pages and another writes chunk c - 1's
 * outputs (two output buffers, taken in turn) and then drops c - 1's input pages. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/files.h"
#include "cli.h"

struct chunk {
    int64_t first, count; /* images [first, first + count) of the inputs */
};

/* the writer's job: one chunk's outputs to their files, then its inputs' pages dropped */
struct writer {
    struct cli_stream *st;
    struct chunk c;
    float *out[CLI_MAX_IO];
    int64_t row[CLI_MAX_IO];
    int rc;
    char why[256];
    int k; /* the output that failed */
};

static void *write_chunk(void *arg)
{
    struct writer *w = arg;
    struct cli_stream *st = w->st;
    for (int k = 0; k < st->n_out && !w->rc; k++) {
        size_t n = (size_t)(w->c.count * w->row[k]);
        /* NaN and Inf: counted here, reported (or failed on) by the caller */
        for (size_t j = 0; j < n; j++)
            if (!isfinite(w->out[k][j])) {
                if (isnan(w->out[k][j])) st->nan[k]++;
                else st->inf[k]++;
                if (st->first_bad[k] < 0) st->first_bad[k] = w->c.first * w->row[k] + (int64_t)j;
            }
        if (st->mf[k]) {
            uint64_t at = st->header[k] + (uint64_t)w->c.first * (uint64_t)w->row[k] * sizeof(float);
            if (cli_mpi_file_write_at(st->mf[k], at, w->out[k], n * sizeof(float), w->why, sizeof w->why)) w->rc = 1;
        } else if (fwrite(w->out[k], sizeof(float), n, st->f[k]) != n) {
            cf_errno_text(errno, w->why, sizeof w->why);
            w->rc = 1;
        }
        if (w->rc) w->k = k;
    }
    for (int i = 0; i < st->in->n; i++)
        cf_npy_map_drop(&st->in->map[i], st->in->data[i] + w->c.first * st->in->row[i],
                        (size_t)(w->c.count * st->in->row[i]) * sizeof(float));
    return NULL;
}

/* the reader's job: one chunk's input pages read (and with --check-finite, its values checked) */
struct reader {
    const struct cli_inputs *in;
    struct chunk c;
    int check;
    int bad_input;       /* the input that holds a NaN or Inf, -1 for none */
    int64_t bad_at;      /* its flat index */
    float bad_value;
};

static void *read_chunk(void *arg)
{
    struct reader *r = arg;
    for (int i = 0; i < r->in->n; i++) {
        const float *p = r->in->data[i] + r->c.first * r->in->row[i];
        size_t n = (size_t)(r->c.count * r->in->row[i]);
        cf_npy_map_prefetch(&r->in->map[i], p, n * sizeof(float));
        for (size_t j = 0; r->check && r->bad_input < 0 && j < n; j++)
            if (!isfinite(p[j])) {
                r->bad_input = i;
                r->bad_at = r->c.first * r->in->row[i] + (int64_t)j;
                r->bad_value = p[j];
            }
    }
    return NULL;
}

static int input_ok(const struct reader *r, const struct cli_stream *st)
{
    if (r->bad_input < 0) return 1;
    int k = r->bad_input;
    cli_error("%s: image %lld holds %s (at flat index %lld), and --check-inputs runs only finite inputs",
              st->input_path[k] ? st->input_path[k] : "the generated input", (long long)(r->bad_at / st->in->row[k]),
              isnan(r->bad_value) ? "NaN" : "Inf", (long long)r->bad_at);
    return 0;
}

/* Runs fn(arg) on a thread of its own, or here when there is none to have (or no overlap is wanted). */
static int start(pthread_t *t, void *(*fn)(void *), void *arg, int overlap)
{
    if (overlap && pthread_create(t, NULL, fn, arg) == 0) return 1;
    fn(arg);
    return 0;
}

static int write_failed(const struct cli_stream *st, const struct writer *w)
{
    cli_error("%s: cannot write the output: %s (no output file was changed)", st->path[w->k], w->why);
    return 1;
}

static struct chunk chunk_at(const struct cli_stream *st, int64_t c)
{
    struct chunk k = {st->lo + c * st->chunk, st->chunk};
    if (k.first + k.count > st->hi) k.count = st->hi - k.first;
    return k;
}

int cli_stream_run(struct cli_stream *st)
{
    double t0 = cli_now_ms();
    int rc = 0;
    int64_t row[CLI_MAX_IO], n_chunks = st->hi > st->lo ? (st->hi - st->lo + st->chunk - 1) / st->chunk : 0;
    float *slot[2][CLI_MAX_IO] = {{0}};
    for (int k = 0; k < st->n_out; k++) {
        st->nan[k] = st->inf[k] = 0;
        st->first_bad[k] = -1;
    }
    if (!n_chunks) return 0; /* (a rank with no images: its slice is empty) */
    for (int k = 0; k < st->n_out; k++) {
        int64_t dims[CLINFER_MAX_RANK];
        int rank = clinfer_session_output_shape(st->s, k, dims);
        row[k] = cli_elems(dims + 1, rank - 1);
        for (int b = 0; b < 2; b++)
            if (!(slot[b][k] = malloc(sizeof(float) * (size_t)(row[k] * st->chunk + 1)))) {
                cli_error("out of memory for a chunk of %lld images of output %d", (long long)st->chunk, k);
                rc = 1;
                goto done;
            }
    }
    struct writer w = {st, {0, 0}, {0}, {0}, 0, "", 0};
    memcpy(w.row, row, sizeof row);
    struct reader r = {st->in, chunk_at(st, 0), st->check_inputs, -1, 0, 0};
    int overlap = !st->no_overlap;
    read_chunk(&r);
    if (!input_ok(&r, st)) rc = 1;
    if (!st->quiet) cli_progress_stream(st->lo, st->total);
    for (int64_t c = 0; c < n_chunks && !rc; c++) {
        struct chunk now = chunk_at(st, c);
        pthread_t tr, tw;
        int reading = 0, writing = 0;
        if (c + 1 < n_chunks) {
            r.c = chunk_at(st, c + 1);
            reading = start(&tr, read_chunk, &r, overlap);
        }
        if (c > 0) { /* chunk c - 1, in the other slot */
            w.c = chunk_at(st, c - 1);
            for (int k = 0; k < st->n_out; k++) w.out[k] = slot[(c - 1) % 2][k];
            writing = start(&tw, write_chunk, &w, overlap);
        }
        const float *in[CLI_MAX_IO];
        float *out[CLI_MAX_IO];
        for (int i = 0; i < st->in->n; i++) in[i] = st->in->data[i] + now.first * st->in->row[i];
        for (int k = 0; k < st->n_out; k++) out[k] = slot[c % 2][k];
        double a = cli_now_ms();
        if (!rc && clinfer_session_run_images(st->ctx, st->s, now.count, in, out)) {
            cli_error("%s", clinfer_context_errmsg(st->ctx));
            rc = 1;
        }
        st->compute_ms += cli_now_ms() - a;
        if (reading) pthread_join(tr, NULL);
        if (writing) pthread_join(tw, NULL);
        if (!rc && w.rc) rc = write_failed(st, &w);
        if (!rc && !input_ok(&r, st)) rc = 1;
        if (!st->quiet) cli_progress_stream(now.first + now.count, st->total);
    }
    if (!rc) { /* the last chunk */
        w.c = chunk_at(st, n_chunks - 1);
        for (int k = 0; k < st->n_out; k++) w.out[k] = slot[(n_chunks - 1) % 2][k];
        write_chunk(&w);
        if (w.rc) rc = write_failed(st, &w);
    }
    for (int k = 0; !rc && k < st->n_out; k++)
        if (st->f[k] && fflush(st->f[k]) != 0) {
            char why[128];
            cli_error("%s: cannot write the output: %s (no output file was changed)", st->path[k],
                      cf_errno_text(errno, why, sizeof why));
            rc = 1;
        }
done:
    for (int b = 0; b < 2; b++)
        for (int k = 0; k < CLI_MAX_IO; k++) free(slot[b][k]);
    st->total_ms = cli_now_ms() - t0;
    return rc;
}
