/* What the commands that run a model share: their options, and their inputs. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../io/npy.h"
#include "../util/alloc.h"
#include "../util/files.h"
#include "../util/strbuf.h"
#include "../runtime/weights.h"
#include "cli.h"

static const char *g_prefix = "";

void cli_error_prefix(const char *prefix) { g_prefix = prefix ? prefix : ""; }

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "clinfer: error: %s", g_prefix);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int64_t cli_elems(const int64_t *dims, int rank)
{
    int64_t p = 1;
    for (int i = 0; i < rank; i++) p *= dims[i];
    return p;
}

void cli_json_str(FILE *f, const char *s)
{
    struct cf_strbuf sb = {0};
    cf_sb_json_str(&sb, s);
    char *t = cf_sb_take(&sb);
    fputs(t ? t : "\"\"", f);
    cf_free(t);
}

void cli_warnings(const clinfer_context *ctx, int quiet)
{
    cli_progress_end();
    const char *w = clinfer_context_warnings(ctx);
    if (!quiet && w && *w) fprintf(stderr, "clinfer: warning: %s\n", w);
}

int cli_flush_stdout(void)
{
    if (fflush(stdout) == 0 && !ferror(stdout)) return 0;
    char why[128];
    cli_error("standard output: write error: %s", cf_errno_text(errno, why, sizeof why));
    return 1;
}

static void shape_text(const int64_t *d, int rank, int none_batch, char *out, size_t size)
{
    size_t n = (size_t)snprintf(out, size, "(");
    for (int i = 0; i < rank && n < size; i++) {
        if ((i == 0 && none_batch) || d[i] < 0) n += (size_t)snprintf(out + n, size - n, "%sNone", i ? ", " : "");
        else n += (size_t)snprintf(out + n, size - n, "%s%lld", i ? ", " : "", (long long)d[i]);
    }
    if (n < size) snprintf(out + n, size - n, rank == 1 ? ",)" : ")");
}

int cli_load_inputs(clinfer_context *ctx, const clinfer_model *m, struct cli_run_opts *o, struct cli_inputs *in)
{
    /* the model's inputs, in the order a run takes them */
    int n_in = clinfer_model_input_count(m), idx[CLI_MAX_IO];
    (void)ctx;
    memset(in, 0, sizeof *in);
    if (n_in > CLI_MAX_IO) {
        cli_error("the model takes %d inputs; the command line takes at most %d", n_in, CLI_MAX_IO);
        return 1;
    }
    for (int k = 0; k < n_in; k++) idx[k] = clinfer_model_input_layer(m, k);
    if (o->n_inputs && o->n_inputs != n_in) {
        cli_error("the model takes %d input(s), %d -i given", n_in, o->n_inputs);
        return 1;
    }
    in->n = n_in;
    for (int k = 0; k < n_in; k++) {
        int64_t want[CLINFER_MAX_RANK];
        int rank = clinfer_model_layer_shape(m, idx[k], want);
        char wtext[160];
        shape_text(want, rank, want[0] < 0, wtext, sizeof wtext);
        if (!o->n_inputs) {
            if (!o->batch) o->batch = want[0] > 0 ? want[0] : 1;
            want[0] = o->batch;
            for (int r = 1; r < rank; r++)
                if (want[r] < 0) {
                    cli_error("input '%s' %s has an unknown dimension: give an input with -i",
                              clinfer_model_layer_name(m, idx[k]), wtext);
                    return 1;
                }
            int64_t n = cli_elems(want, rank);
            if (!(in->gen[k] = malloc(sizeof(float) * (size_t)n))) return cli_error("out of memory"), 1;
            uint64_t rng = cf_rng_seed(o->seed, "input", clinfer_model_layer_name(m, idx[k]));
            for (int64_t j = 0; j < n; j++) in->gen[k][j] = cf_rng_uniform(&rng, 0.0f, 1.0f);
            in->data[k] = in->gen[k];
            in->row[k] = n / o->batch;
            continue;
        }
        struct cf_npy_map *a = &in->map[k];
        struct cf_diag d = {0};
        if (cf_npy_map(o->inputs[k], a, &d)) {
            cli_error("%s", d.msg);
            return 1;
        }
        if (a->base) cli_catch_sigbus();
        char gtext[160];
        shape_text(a->dims, a->rank, 0, gtext, sizeof gtext);
        int ok = a->rank == rank;
        for (int r = 1; ok && r < rank; r++) ok = want[r] < 0 || want[r] == a->dims[r];
        if (ok && want[0] > 0 && a->dims[0] != want[0]) ok = 0;
        if (!ok || a->dims[0] < 1) {
            cli_error("%s has shape %s; the model's input '%s' takes %s%s", o->inputs[k], gtext,
                      clinfer_model_layer_name(m, idx[k]), wtext,
                      a->rank == rank - 1 ? " (add the batch dimension: x[None])" : "");
            return 1;
        }
        if (o->batch && o->batch != a->dims[0]) {
            cli_error("%s holds a batch of %lld, but %s%lld", o->inputs[k], (long long)a->dims[0],
                      k ? "the first input holds " : "--batch is ", (long long)o->batch);
            return 1;
        }
        o->batch = a->dims[0];
        in->data[k] = a->data;
        in->row[k] = cli_elems(a->dims + 1, a->rank - 1);
    }
    return 0;
}

void cli_inputs_free(struct cli_inputs *in)
{
    for (int k = 0; k < CLI_MAX_IO; k++) {
        cf_npy_unmap(&in->map[k]);
        free(in->gen[k]);
    }
    memset(in, 0, sizeof *in);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double cli_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

double cli_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof v[0], cmp_double);
    return v[n / 2];
}
