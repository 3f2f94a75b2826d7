/* What the commands that run a model share: their options, and their inputs. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../io/npy.h"
#include "../util/strbuf.h"
#include "../runtime/weights.h"
#include "cli.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("clinfer: error: ", stderr);
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

int cli_parse_run_opts(const char *cmd, int argc, char **argv, const char *allowed, struct cli_run_opts *o)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !a[1]) {
            if (o->model) {
                cli_error("%s takes one model, got '%s' and '%s'", cmd, o->model, a);
                return 2;
            }
            o->model = a;
            continue;
        }
        if (!cf_word_listed(allowed, a)) {
            cli_error("%s: unknown option '%s'", cmd, a);
            return 2;
        }
        if (strcmp(a, "-v") == 0 || strcmp(a, "--json") == 0) {
            if (a[1] == 'v') o->verbose = 1;
            else o->json = 1;
            continue;
        }
        if (i + 1 >= argc) {
            cli_error("%s: %s needs a value", cmd, a);
            return 2;
        }
        const char *v = argv[++i];
        char *end = NULL;
        if (strcmp(a, "-i") == 0) {
            if (o->n_inputs == 8) return cli_error("%s: at most 8 inputs", cmd), 2;
            o->inputs[o->n_inputs++] = v;
        } else if (strcmp(a, "-o") == 0) {
            if (o->n_outputs == 8) return cli_error("%s: at most 8 outputs", cmd), 2;
            o->outputs[o->n_outputs++] = v;
        } else if (strcmp(a, "--device") == 0) {
            o->device = v;
        } else if (strcmp(a, "--against") == 0) {
            o->against = v;
        } else if (strcmp(a, "--weights") == 0) {
            o->weights = v;
        } else if (strcmp(a, "--batch") == 0) {
            long long b = strtoll(v, &end, 10);
            if (*end || b < 1 || b > (1LL << 31)) return cli_error("--batch takes a positive integer, got '%s'", v), 2;
            o->batch = b;
        } else if (strcmp(a, "--seed") == 0) {
            unsigned long long s = strtoull(v, &end, 10);
            if (*end || !*v) return cli_error("--seed takes a non-negative integer, got '%s'", v), 2;
            o->seed = s;
        } else if (strcmp(a, "--init") == 0) {
            if (strcmp(v, "keras") == 0) o->init = CLINFER_INIT_KERAS;
            else if (strcmp(v, "random") == 0) o->init = CLINFER_INIT_RANDOM;
            else return cli_error("--init takes keras or random, got '%s'", v), 2;
        } else if (strcmp(a, "--tune") == 0) {
            if (strcmp(v, "none") == 0) o->tune = CLINFER_TUNE_NONE;
            else if (strcmp(v, "fast") == 0) o->tune = CLINFER_TUNE_FAST;
            else if (strcmp(v, "full") == 0) o->tune = CLINFER_TUNE_FULL;
            else return cli_error("--tune takes none, fast or full, got '%s'", v), 2;
        } else if (strcmp(a, "--max-memory") == 0) {
            double m = strtod(v, &end);
            double unit = *end == 'K' ? 1024.0 : *end == 'M' ? 1048576.0 : *end == 'G' ? 1073741824.0 : 1.0;
            if (unit > 1.0) end++;
            if (*end || !*v || !(m >= 1) || m * unit > 1e18)
                return cli_error("--max-memory takes a size in bytes (suffix K, M or G), got '%s'", v), 2;
            o->max_memory = (uint64_t)(m * unit);
        } else if (strcmp(a, "--algo") == 0) {
            o->algo = v;
        } else if (strcmp(a, "--iters") == 0) {
            long n = strtol(v, &end, 10);
            if (*end || n < 1 || n > 100000) return cli_error("--iters takes a positive integer, got '%s'", v), 2;
            o->iters = (int)n;
        } else if (strcmp(a, "--rtol") == 0 || strcmp(a, "--atol") == 0) {
            double t = strtod(v, &end);
            if (*end || !*v || !(t >= 0)) return cli_error("%s takes a number >= 0, got '%s'", a, v), 2;
            if (a[2] == 'r') o->rtol = t;
            else o->atol = t;
        }
    }
    if (!o->model) {
        cli_error("%s: which model? (clinfer %s MODEL ...)", cmd, cmd);
        return 2;
    }
    return 0;
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

int cli_load_inputs(clinfer_context *ctx, const clinfer_model *m, struct cli_run_opts *o, float **data)
{
    /* the model's inputs, from a session-less look at its layers */
    int n_layers = clinfer_model_layer_count(m), n_in = 0, idx[8];
    for (int i = 0; i < n_layers && n_in < 8; i++)
        if (strcmp(clinfer_model_layer_type(m, i), "InputLayer") == 0) idx[n_in++] = i;
    (void)ctx;
    if (o->n_inputs && o->n_inputs != n_in) {
        cli_error("the model takes %d input(s), %d -i given", n_in, o->n_inputs);
        return 1;
    }
    for (int k = 0; k < n_in; k++) {
        int64_t want[8];
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
            if (!(data[k] = malloc(sizeof(float) * (size_t)n))) return cli_error("out of memory"), 1;
            uint64_t rng = cf_rng_seed(o->seed, "input", clinfer_model_layer_name(m, idx[k]));
            for (int64_t j = 0; j < n; j++) data[k][j] = cf_rng_uniform(&rng, 0.0f, 1.0f);
            continue;
        }
        struct cf_array a;
        struct cf_diag d = {0};
        if (cf_npy_read(o->inputs[k], &a, &d)) {
            cli_error("%s", d.msg);
            return 1;
        }
        char gtext[160];
        shape_text(a.dims, a.rank, 0, gtext, sizeof gtext);
        int ok = a.rank == rank;
        for (int r = 1; ok && r < rank; r++) ok = want[r] < 0 || want[r] == a.dims[r];
        if (ok && want[0] > 0 && a.dims[0] != want[0]) ok = 0;
        if (!ok || a.dims[0] < 1) {
            cli_error("%s has shape %s; the model's input '%s' takes %s%s", o->inputs[k], gtext,
                      clinfer_model_layer_name(m, idx[k]), wtext,
                      a.rank == rank - 1 ? " (add the batch dimension: x[None])" : "");
            cf_array_free(&a);
            return 1;
        }
        if (o->batch && o->batch != a.dims[0]) {
            cli_error("%s holds a batch of %lld, but %s%lld", o->inputs[k], (long long)a.dims[0],
                      k ? "the first input holds " : "--batch is ", (long long)o->batch);
            cf_array_free(&a);
            return 1;
        }
        o->batch = a.dims[0];
        data[k] = malloc(sizeof(float) * (size_t)cli_elems(a.dims, a.rank));
        if (!data[k]) {
            cf_array_free(&a);
            return cli_error("out of memory"), 1;
        }
        memcpy(data[k], a.data, sizeof(float) * (size_t)cli_elems(a.dims, a.rank));
        cf_array_free(&a);
    }
    return 0;
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
