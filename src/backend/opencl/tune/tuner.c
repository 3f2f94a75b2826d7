/* The tuner: for each layer a main family may run, its kernel is forced (--algo), or found in the tuning database, or
 * chosen by a rule of thumb, or (--tune fast: each family's shortlist, within a budget of time; full: every candidate)
 * timed, each candidate checked against ref's result (through ref's op table) on a random input, the fastest that
 * matches kept and remembered.
 * The families are rows of families.c; nothing here knows one but by the rule of thumb's choices. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../../util/alloc.h"
#include "../../../util/rng.h"
#include "../../../util/strbuf.h"
#include "../../ref/ref.h"
#include "family.h"
#include "tunedb.h"

/* (9: CLBlast timed by the wall clock; the choices it won by its last kernel's event are forgotten) */
#define TUNE_VERSION "clinfer-tune-9"
#define MAX_CANDIDATES 128

extern const struct cf_family cf_family_blocked, cf_family_dense_tiled, cf_family_depthwise, cf_family_pool_rows,
    cf_family_clblast, cf_family_gemm1x1, cf_family_rows;

int cf_row_windows(const struct cf_attrs *a, int max_stride)
{
    return a->strides[1] >= 1 && a->strides[1] <= max_stride && a->pads[2] <= 16 &&
           (a->kernel[1] - 1) * a->dilation[1] - a->pads[2] <= 16;
}

void cf_algo_name(const struct cf_algo *a, const struct cf_node *n, char *out, size_t size)
{
    const struct cf_family *f = cf_family_of(a->kind);
    if (f) {
        f->describe(a, n, out, size);
        return;
    }
    int direct = n->op == CF_OP_CONV2D || n->op == CF_OP_DEPTHWISE_CONV2D || n->op == CF_OP_DENSE;
    snprintf(out, size, "%s", direct ? "direct" : "generic");
}

/* the layer's main family: the first primary one that fits (the blocked one for a grouped conv of whole 16-channel
 * blocks a group), or for another grouped conv the rows family (NULL: none, the generic kernel or a GPU-shaped
 * family) */
static const struct cf_family *main_family(const struct cf_exec *x, const struct cf_node *n)
{
    const struct cf_family *f = cf_family_main(x, n);
    if (!f && n->op == CF_OP_CONV2D && n->a.groups > 1 && cf_family_rows.fits(x, n)) f = &cf_family_rows;
    return f;
}

/* whether family f, block a, can run layer n: the family fits, the numbers are in its ranges, and it takes them */
static int runs(const struct cf_exec *x, const struct cf_node *n, const struct cf_algo *a)
{
    if (a->kind == CF_ALGO_GENERIC) return 1; /* (the generic kernel runs every layer) */
    const struct cf_family *f = cf_family_of(a->kind);
    if (!f || !(main_family(x, n) || f->gpu) || !f->fits(x, n)) return 0;
    if (a->a < 1 || a->b < 1 || (f->n_args > 0 && a->a > f->max[0]) || (f->n_args > 1 && a->b > f->max[1])) return 0;
    return !f->valid || f->valid(x, n, a);
}

/* v vectors of channels, or fewer, that a grouped conv's group holds whole (the blocked family's `valid`, at a block
 * of one pool window) */
static int blocked_vectors(const struct cf_exec *x, const struct cf_node *n, int v)
{
    struct cf_algo a = {CF_ALGO_CONV_BLOCKED, cf_pool_of(n), v};
    while (a.b > 1 && !cf_family_blocked.valid(x, n, &a)) a.b /= 2;
    return a.b;
}

/* The blocked conv's blocks on a device of halved float16 (cf_cl_float16_halved: the rows family's windows, a float16
 * shifted by a column, cross the halves, on AVX2 a chain of permutes, and accumulators must be fewer): 2 px x 2
 * vectors (8 registers of accumulators), 4 px x 1 at 16 channels or fewer. Measured on an AVX2 EPYC, resnet18 at 224,
 * batch 1, the minimum of 3 alternated profiles, ms a layer with 2:2 / 4:1 / 3:1 / 4:2 / 1:4 / 2:1 (the rows kernel
 * 6.5-26): 64 channels at 56x56 2.5-2.8 / 2.6-2.9 / 2.7-2.9 / 3.0-3.2 / 3.3-3.6 / 3.4; 128 at 28x28 2.5-2.7 /
 * 2.7-3.0 / 2.9-3.1 / 3.0 / 3.6-3.8 / 3.5; 256 at 14x14 2.8 / 3.3-3.9 / 3.3-3.5 / 3.3-3.5 / 4.0-4.2 / 3.6; 512 at 7x7
 * 3.4-3.7 / 4.3-4.5 / 4.4-4.8 / 3.8-4.1 / 4.0-4.1 / 4.4. And 4 px x 1 where a sum is 32 products or fewer (KH KW
 * C / G: the stores weigh more than the multiply-adds, and 4 pixels of a channel are one store over NCHW): on
 * mobilenet_v2 (224, batch 1, the minimum of 4 alternated profiles) the stem (27) 0.43 -> 0.34 ms, the 1x1 expansions
 * of 16-32 channels 0.88 -> 0.74, 0.39 -> 0.31, 0.37 -> 0.31, 0.16 -> 0.12; from 64 channels 4 x 1 lost (0.12 ->
 * 0.13, 0.21 -> 0.26 at 14x14). */
static struct cf_algo blocked_on_halves(const struct cf_exec *x, const struct cf_node *n)
{
    int64_t sum = (int64_t)n->a.kernel[0] * n->a.kernel[1] * cf_conv_ci(x, n) / (n->a.groups > 1 ? n->a.groups : 1);
    int v = cf_conv_co(x, n) <= 16 || sum <= 32 ? 1 : 2, k = cf_pool_of(n);
    v = blocked_vectors(x, n, v);
    int p = v == 1 ? 4 : 2;
    if (p > cf_conv_wo(x, n)) p = (int)cf_conv_wo(x, n);
    p = (p + k - 1) / k * k;
    return (struct cf_algo){CF_ALGO_CONV_BLOCKED, p, v};
}

/* The rule of thumb when nothing is timed. */
static struct cf_algo rule_of_thumb(const struct cf_exec *x, const struct cf_node *n, const struct cf_family *main,
                                    const struct cf_cl_device *dev)
{
    int nchw = x->g->layout == CF_LAYOUT_NCHW;
    if (main == &cf_family_rows) { /* a grouped conv: as many channels as 8 or fewer that divide a group's */
        int64_t cog = cf_conv_co(x, n) / (n->a.groups > 1 ? n->a.groups : 1);
        int p = 8;
        while (p > 1 && cog % p) p /= 2;
        return (struct cf_algo){CF_ALGO_CONV_ROWS, p, n->out.d[3] <= 16 ? 1 : 2};
    }
    if (main == &cf_family_pool_rows) { /* as many rows as keep 16 accumulators or fewer */
        int p = 16;
        while (p > 1 && (p > n->out.d[2] || p * ((n->out.d[3] + 15) / 16) > 16)) p /= 2;
        return (struct cf_algo){CF_ALGO_POOL_ROWS, p, 1};
    }
    if (main == &cf_family_depthwise) {
        int64_t len = nchw ? n->out.d[2] : cf_conv_wo(x, n);
        int64_t nv = (n->out.d[3] + 15) / 16;
        int p = nchw ? 16 : 4;
        if (nchw && cf_cl_float16_halved(dev)) {
            /* where a float16 is two registers: as many rows as keep 16 accumulators or fewer (each input row then
             * feeds more of them), one from 5 vectors a row: on an AVX2 EPYC, efficientnet_b0's and mobilenet_v2's
             * first, 112 wide, 0.65-0.73 -> 0.34-0.42 ms; the narrower ones kept their rows, 7-14 of them beat 1-4 by
             * up to 1.6x on efficientnet's 14x14 and 7x7 planes */
            while (p > 1 && p * nv > 16) p /= 2;
            if (nv >= 5) p = 1;
        } else if (nchw) {
            /* else 24 accumulators or fewer, and 7 rows of a 5x5 window or 11 of a 3x3: beyond, the block's loop over
             * its input rows was left rolled (its accumulators then in memory: 221 stack accesses beside 150 FMAs in
             * a 14-row 5x5's code). A Zen 5, single layers at 224's sizes, the minimum of 3 profiles, ms at rows
             * 4 / 7 / 8 / 11 / 14: 5x5 672 channels 14x14 0.112 / 0.083 / 0.164 / 0.170 / 0.143 (16 rows: 0.16-0.24),
             * 5x5 240 at 28x28 0.218 / 0.089 / 0.168 / 0.159 / 0.179, 3x3 192 at 28x28 0.055 / 0.082 / 0.077 / 0.044
             * / 0.061 (12, its most; 5 runs: 7 rows 0.083-0.101, 11 0.043-0.076, 12 0.062-0.137) */
            p = n->a.kernel[0] >= 5 ? 7 : 11;
            /* (at stride 2 along the row 4: each row's unrolled windows cost compile time on a first run; rows of
             * 2 / 4 / 7-11 there took efficientnet_b0 from empty caches to its first outputs in 9.7 / 10.5 / 11.4 s,
             * 7.5-7.9 before the stride-2 windows, and its depthwise layers 1.70-1.80 / - / 1.46-1.52 ms) */
            if (n->a.strides[1] == 2 && p > 4) p = 4;
            if (p * nv > 24) p = nv >= 24 ? 1 : (int)(24 / nv);
        }
        struct cf_algo a = {CF_ALGO_DEPTHWISE, len < p ? (int)len : p, nchw ? 2 : 1};
        while (a.a > 1 && !cf_family_depthwise.valid(x, n, &a)) a.a--; /* (the family's most at stride 2) */
        return a;
    }
    /* Convs: the blocked kernel (the rows family, vectors of pixels, only where a grouped conv's groups are not whole
     * blocks: main == rows above). It had been the rule for NCHW at stride 1 ("2-9x the blocked kernel on the PyTorch
     * blocks"), measured before the blocked kernel stored NCHW runs as vectors; on a Zen 5 EPYC (full AVX-512, PoCL's
     * pthread-skylake-avx512), resnet50 at 224, batch 1, the minimum of 2 alternated profiles, its 3x3s took 1.0-1.5
     * ms blocked 4 px x 4 against rows' 1.1-2.5 at 56x56 and 28x28, 3.0-5.2 at 14x14 (1 vector of 16 a row, 14 lanes
     * used) and 14.8-16.3 at 7x7; resnet18 the network 82 -> 15 ms. 1x1 convs on planes of 28x28 or more: gemm1x1
     * (whole vectors of pixels in and out); smaller, the blocked kernel: on the Zen 5, resnet50's at 56x56 took
     * 0.13-0.53 ms gemm1x1 8 x 2v against 0.17-0.64 blocked (gemm1x1 won each of the 7), at 7x7 1.0-1.7 against
     * 0.65-0.69. On an AVX2 EPYC (halved float16) resnet50's 1x1s ran 2-3x faster blocked than gemm1x1's 8 x 2v, the
     * network 165 -> 101 ms; but gemm1x1's 4 channels x 1 vector of pixels beat the blocked kernel on planes of 28x28
     * or more from 256 input channels or fewer: mobilenet_v2's (224, batch 1, the minimum of 4 alternated profiles)
     * 0.75 -> 0.60, 0.21 -> 0.15, 0.32 -> 0.25, 0.28 -> 0.23, 0.31 -> 0.25, 0.13 -> 0.11, 0.14 -> 0.11 ms, 240 -> 40
     * at 28x28 0.69x the kernel's time, resnet50's 64-256 -> 64-256 at 56x56 3-9% faster; it lost at 14x14 by
     * 10-60%. */
    if (main == &cf_family_blocked) {
        int halved = cf_cl_float16_halved(dev);
        int64_t co = cf_conv_co(x, n), hw = n->out.d[2] * n->out.d[3];
        if (nchw && cf_family_gemm1x1.fits(x, n) && hw >= 28 * 28 && (!halved || cf_conv_ci(x, n) <= 256))
            return halved ? (struct cf_algo){CF_ALGO_GEMM1X1, co < 4 ? (int)co : 4, 1}
                          : (struct cf_algo){CF_ALGO_GEMM1X1, co < 8 ? (int)co : 8, 2};
        /* a 1x1 output plane (a squeeze-excitation's convs, on the pooled channels): 1 pixel x 1 vector, so that
         * they share a program per activation, whatever their channels (efficientnet_b0's 32 took 0.10 ms of 5.3 in
         * 5 programs of 1-4 vectors; each program costs ~0.3 s of a first run) */
        if (hw == 1 && cf_pool_of(n) == 1) return (struct cf_algo){CF_ALGO_CONV_BLOCKED, 1, 1};
        if (halved) return blocked_on_halves(x, n);
        /* an image's stem (fewer than 16 input channels) with rows of 16 or more: the rows kernel (mobilenet_v2's
         * 3 -> 32 3x3 at stride 2 to 112x112 on the Zen 5 0.28 ms, blocked 6 px x 2 0.42; resnet's 7x7 the same) */
        if (cf_family_rows.fits(x, n) && cf_conv_ci(x, n) < 16 && n->out.d[3] >= 16)
            return (struct cf_algo){CF_ALGO_CONV_ROWS, co < 8 ? (int)co : 8, n->out.d[3] <= 16 ? 1 : 2};
        int v = (int)(cf_round16(co) / 16);
        if (v > 4) v = 4;
        int p = v >= 4 ? 4 : v == 2 ? 6 : 12, k = cf_pool_of(n);
        if (k > 1 && v > 2) v = 2;
        v = blocked_vectors(x, n, v);
        if (p > cf_conv_wo(x, n)) p = (int)cf_conv_wo(x, n);
        p = (p + k - 1) / k * k;
        return (struct cf_algo){CF_ALGO_CONV_BLOCKED, p, v};
    }
    /* dense: the tiled kernel of 4 units x 4 rows at every batch, so that a new batch size builds no new program (it
     * took 1.2-1.7 s for resnet18's classifier from 1 to 2 or 8 images, 1.9 s for AlexNet's from the split-K GEMV);
     * on a device of halved float16 at one row the split-K GEMV where the weights are large enough for its
     * bandwidth to matter (the seed model's 18496x512, 38 MB). On the Zen 5 the tiled kernel is the faster at one
     * row too: AlexNet's 9216x4096 3.2 ms against split-K's 4.3, the seed model's 0.48 against 0.61 */
    const struct cf_shape *xs = &x->g->nodes[n->in[0]].out;
    int64_t nvt = (n->a.filters + 15) / 16;
    double bytes = 4.0 * (double)n->a.filters * (double)xs->d[xs->rank - 1];
    if (cf_cl_float16_halved(dev) && cf_dense_rows(n) == 1 && bytes >= 8.0 * 1048576.0)
        return (struct cf_algo){CF_ALGO_DENSE_SPLITK, 256, nvt < 32 ? (int)nvt : 32};
    return (struct cf_algo){CF_ALGO_DENSE_TILED, 4, 4};
}

/* The layer's GPU-shaped family (the first of the table that runs it) with its default numbers; 0 when none runs it. */
static int gpu_choice(const struct cf_exec *x, const struct cf_node *n, struct cf_algo *out)
{
    const char *layer = cf_family_layer(x, n);
    for (int i = 0; layer && cf_families[i]; i++) {
        const struct cf_family *f = cf_families[i];
        if (!f->gpu || !cf_word_listed(f->layer, layer) || !f->fits(x, n)) continue;
        *out = (struct cf_algo){f->kind, f->gpu_default[0], f->gpu_default[1]};
        if (runs(x, n, out)) return 1;
    }
    return 0;
}

/* --algo for this layer (its grammar is checked by algo_spec.c): "LAYER=direct", or a family that fits it with its
 * numbers; a main family's blocks are taken as given (a blocked conv's rounded up to whole pool windows, refused
 * where a grouped conv's group does not hold its vectors whole; NCHW depthwise rows cut to the family's most), the
 * others' only where they run. 0: the spec says nothing of this layer, or names a family that does not run it. */
static int forced(const struct cf_exec *x, const char *spec, const struct cf_node *n, const struct cf_family *main,
                  struct cf_algo *out)
{
    const char *layer = cf_family_layer(x, n);
    if (!spec || !layer) return 0;
    int gpu = 0;
    for (const char *p = spec; *p;) {
        size_t len = strcspn(p, ","), ll = strcspn(p, "=");
        char item[128];
        snprintf(item, sizeof item, "%.*s", (int)(len < sizeof item ? len : sizeof item - 1), p);
        p += len + (p[len] == ',');
        if (strcmp(item, "gpu") == 0) gpu = 1;
        if (ll >= len || strlen(layer) != ll || strncmp(item, layer, ll) != 0) continue;
        const char *fam = item + ll + 1;
        if (strcmp(fam, "direct") == 0) {
            *out = (struct cf_algo){CF_ALGO_GENERIC, 0, 0};
            return 1;
        }
        size_t fl = strcspn(fam, ":");
        for (int i = 0; cf_families[i]; i++) {
            const struct cf_family *f = cf_families[i];
            if (strlen(f->name) != fl || strncmp(f->name, fam, fl) != 0 || !cf_word_listed(f->layer, layer)) continue;
            int a = 1, b = 1;
            if (f->n_args == 1 && sscanf(fam + fl, ":%d", &a) != 1) return 0;
            if (f->n_args == 2 && sscanf(fam + fl, ":%d:%d", &a, &b) != 2) return 0;
            *out = (struct cf_algo){f->kind, a, b};
            if (f != main || !f->primary) return runs(x, n, out);
            if (f == &cf_family_blocked) { /* (and a grouped conv's vectors of one group, or not at all) */
                out->a = (a + cf_pool_of(n) - 1) / cf_pool_of(n) * cf_pool_of(n);
                if (!f->valid(x, n, out)) return 0;
            }
            if (f == &cf_family_depthwise) { /* (as many rows as asked, up to the family's most for the layer) */
                out->b = x->g->layout == CF_LAYOUT_NCHW ? 2 : 1;
                while (out->a > 1 && !f->valid(x, n, out)) out->a--;
            }
            if (f == &cf_family_pool_rows) out->b = 1;
            return 1;
        }
        return 0;
    }
    /* gpu: the layer's GPU-shaped family with its defaults */
    return gpu && gpu_choice(x, n, out);
}

/* --- building and launching --- */

void cf_tuned_release(struct cf_tuned *t)
{
    if (t->k) clReleaseKernel(t->k);
    if (t->prog) clReleaseProgram(t->prog);
    if (t->w) clReleaseMemObject(t->w);
    if (t->b) clReleaseMemObject(t->b);
    if (t->k2) clReleaseKernel(t->k2);
    if (t->scratch) clReleaseMemObject(t->scratch);
    cf_free(t->host_w); /* (after the buffer that used it) */
    memset(t, 0, sizeof *t);
}

/* the family's program with the block's and the layer's sizes as -D constants, its kernel, its weights */
static clinfer_status build(const struct cf_tune_env *E, int node, const struct cf_algo *a, struct cf_tuned *t,
                            struct cf_diag *d)
{
    const struct cf_node *n = &E->x->g->nodes[node];
    const struct cf_family *f = cf_family_of(a->kind);
    memset(t, 0, sizeof *t);
    t->algo = *a;
    struct cf_layer_sizes ls;
    char block[128], defs[1024];
    cf_layer_sizes(E->x, n, f, &ls);
    f->defines(a, block, sizeof block);
    snprintf(defs, sizeof defs, "%s%s%s", block, block[0] ? " " : "", ls.defs);
    t->shape_class = ls.shape_class;
    memcpy(t->sz, ls.sz, sizeof t->sz);
    clinfer_status st = CLINFER_OK;
    if (f->kernel) {
        int cached;
        if ((st = E->progs ? cf_cl_program_shared(E->progs, E->ctx, E->dev, f->file, defs, &t->prog, d)
                           : cf_cl_program_file(E->ctx, E->dev, f->file, defs, &t->prog, &cached, d)))
            return st;
        cl_int err;
        t->k = clCreateKernel(t->prog, f->kernel, &err);
        if (!t->k || err != CL_SUCCESS) st = cf_cl_fail(d, "clCreateKernel", f->kernel, err);
    }
    if (!st) st = f->build(E, node, a, defs, t, d);
    if (st) cf_tuned_release(t);
    return st;
}

clinfer_status cf_tuned_launch(const struct cf_tune_env *E, int node, const struct cf_tuned *t, double *ms,
                               struct cf_diag *d)
{
    const struct cf_family *f = cf_family_of(t->algo.kind);
    return f->launch ? f->launch(E, node, t, ms, d) : cf_tune_launch_std(E, node, t, ms, d);
}

double cf_cl_event_ms(cl_event ev)
{
    cl_ulong t0 = 0, t1 = 0;
    clWaitForEvents(1, &ev);
    clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_START, sizeof t0, &t0, NULL);
    clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END, sizeof t1, &t1, NULL);
    clReleaseEvent(ev);
    return (double)(t1 - t0) / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Whether a device gets the GPU-shaped candidates (the GPU-shaped families, the generic kernels and CLBlast) or the
 * CPU-shaped ones: by its type, or $CLINFER_TUNE_FAMILIES=gpu|cpu (how the tests tune PoCL as a GPU is tuned) */
static int gpu_families(const struct cf_cl_device *dev)
{
    const char *v = getenv("CLINFER_TUNE_FAMILIES");
    if (v && strcmp(v, "gpu") == 0) return 1;
    if (v && strcmp(v, "cpu") == 0) return 0;
    return !cf_cl_host_memory(dev);
}

/* --tune fast's budget: CLINFER_TUNE_FAST_BUDGET_MS, or $CLINFER_TUNE_BUDGET_MS (tests and experiments) */
static double fast_budget_ms(void)
{
    const char *v = getenv("CLINFER_TUNE_BUDGET_MS");
    char *end;
    double ms = v && *v ? strtod(v, &end) : -1;
    return v && *v && !*end && ms >= 0 ? ms : CLINFER_TUNE_FAST_BUDGET_MS;
}

/* Times the candidates on a random input and keeps the fastest whose first image matches ref; past stop_at (now_ms's
 * clock) the candidates left are not timed, and *cut says so (the first, the rule of thumb, always is). */
static clinfer_status tune(const struct cf_tune_env *E, int node, const struct cf_algo *cands, int nc, double stop_at,
                           struct cf_algo *best, int *cut, struct cf_diag *d)
{
    const struct cf_exec *x = E->x;
    const struct cf_node *n = &x->g->nodes[node];
    const struct cf_shape *xs = &x->g->nodes[n->in[0]].out;
    int64_t in_n = 1, out_per = 1;
    for (int k = 0; k < xs->rank; k++) in_n *= xs->d[k];
    for (int k = 1; k < n->out.rank; k++) out_per *= n->out.d[k];
    float *host = cf_malloc(sizeof(float) * (size_t)in_n), *want = cf_malloc(sizeof(float) * (size_t)out_per),
          *got = cf_malloc(sizeof(float) * (size_t)out_per);
    clinfer_status st = CLINFER_OK;
    if (!host || !want || !got) {
        st = cf_fail_oom(d);
        goto done;
    }
    uint64_t rng = 12345;
    for (int64_t k = 0; k < in_n; k++) host[k] = cf_rng_uniform(&rng, -1.0f, 1.0f);
    cl_int err = clEnqueueWriteBuffer(E->q, E->arena, CL_TRUE, x->plan->offset[n->in[0]], sizeof(float) * (size_t)in_n,
                                      host, 0, NULL, NULL);
    if (err != CL_SUCCESS) {
        st = cf_cl_fail(d, "clEnqueueWriteBuffer", "tuning input", err);
        goto done;
    }
    {
        /* ref, for the first image */
        struct cf_node one = *n;
        struct cf_shape xs1 = *xs;
        one.out.d[0] = 1;
        xs1.d[0] = 1;
        const float *ins[1] = {host};
        const struct cf_shape *shs[1] = {&xs1};
        struct ref_args ra = {x->g, &one, ins, shs, want, NULL, x->w, node};
        ref_op(n->op)(&ra); /* (through ref's own op table) */
    }
    double scale = 0;
    for (int64_t k = 0; k < out_per; k++) scale = fmax(scale, fabs(want[k]));
    double best_ms = INFINITY;
    *cut = 0;
    for (int c = 0; c < nc; c++) {
        if (c > 0 && now_ms() >= stop_at) {
            *cut = 1;
            break;
        }
        char what[400], algo[96];
        cf_algo_name(&cands[c], n, algo, sizeof algo);
        snprintf(what, sizeof what, "%s: %s", n->name, algo); /* "conv2d_1: gpu 32:2" */
        cf_progress(d, "tuning", c, nc, what);
        struct cf_tuned t = {0};
        struct cf_diag ignored = {0};
        const int generic = cands[c].kind == CF_ALGO_GENERIC; /* (GPUs: the generic kernel, timed like the others) */
        if (generic ? !E->generic_ms : !runs(x, n, &cands[c])) continue;
        if (!generic && build(E, node, &cands[c], &t, &ignored)) continue; /* a block the compiler refuses is none */
        double ms = 0;
        int ok = (generic ? E->generic_ms(E->generic_ctx, node, &ms, &ignored) : cf_tuned_launch(E, node, &t, &ms, &ignored)) ==
                 CLINFER_OK;
        if (ok) {
            ok = clEnqueueReadBuffer(E->q, E->arena, CL_TRUE, x->plan->offset[node], sizeof(float) * (size_t)out_per, got, 0,
                                     NULL, NULL) == CL_SUCCESS;
        }
        for (int64_t k = 0; ok && k < out_per; k++)
            if (!(fabs(got[k] - want[k]) <= 1e-3 * fabs(want[k]) + 1e-5 * scale + 1e-6)) ok = 0;
        double times[5];
        int nt = 0;
        for (; ok && nt < 5; nt++) {
            times[nt] = 0;
            if ((generic ? E->generic_ms(E->generic_ctx, node, &times[nt], &ignored)
                         : cf_tuned_launch(E, node, &t, &times[nt], &ignored)) != CLINFER_OK)
                break;
        }
        if (!generic) cf_tuned_release(&t);
        if (!ok || nt == 0) continue;
        qsort(times, (size_t)nt, sizeof times[0], cmp_double);
        if (times[nt / 2] < best_ms) {
            best_ms = times[nt / 2];
            *best = cands[c];
        }
    }
    if (best_ms == INFINITY) *best = (struct cf_algo){CF_ALGO_GENERIC, 0, 0}; /* none matched: the direct kernel */
done:
    cf_free(host);
    cf_free(want);
    cf_free(got);
    return st;
}

clinfer_status cf_tuned_choose(const struct cf_tune_env *E, int node, struct cf_tuned *out, struct cf_diag *d)
{
    const struct cf_exec *x = E->x;
    const struct cf_node *n = &x->g->nodes[node];
    memset(out, 0, sizeof *out);
    int gpu_device = gpu_families(E->dev);
    /* (on a GPU a grouped conv takes the GPU-shaped family) */
    const struct cf_family *main = gpu_device ? (n->a.groups > 1 ? NULL : cf_family_main(x, n)) : main_family(x, n);
    struct cf_algo a;
    if (!main) { /* no CPU-shaped family runs it (a grouped conv, NHWC pooling): a GPU-shaped one where asked */
        if (forced(x, x->algo, n, main, &a)) return a.kind == CF_ALGO_GENERIC ? CLINFER_OK : build(E, node, &a, out, d);
        /* (on a GPU, one timed below against the generic kernel) */
        if (!(gpu_device && gpu_choice(x, n, &a))) return CLINFER_OK;
    }
    char sig[768], key[1024];
    /* the layer's sizes without the batch, and the batch's class (1, 2-7, 8-63, 64 and more: a dense layer's rows,
     * else the images): a choice made at one batch serves the batches of its class, so a model tuned once at 32
     * runs at 8 or 256 without tuning again */
    cf_layer_defines(x, n, sig, sizeof sig);
    const char *layer = cf_family_layer(x, n);
    int64_t rows = layer && strcmp(layer, "dense") == 0 ? cf_dense_rows(n) : n->out.d[0];
    int batch_class = rows <= 1 ? 1 : rows < 8 ? 2 : rows < 64 ? 8 : 64;
    snprintf(key, sizeof key, "%s|B%d %s", TUNE_VERSION, batch_class, sig);
    /* (a database line that does not fit the layer is not believed) */
    if (!forced(x, x->algo, n, main, &a) && !(cf_tunedb_lookup(E->dev, key, &a) && runs(x, n, &a))) {
        struct cf_algo gpu_rule;
        int on_gpu = gpu_device && gpu_choice(x, n, &gpu_rule);
        /* --tune fast within its budget: past it the rule of thumb, not remembered (a later session tunes the layer) */
        int spent = x->tune == CLINFER_TUNE_FAST && E->timing_ms && *E->timing_ms >= fast_budget_ms();
        if (spent && x->tune_left) ++*x->tune_left;
        if (x->tune == CLINFER_TUNE_NONE || spent) {
            /* on a GPU the GPU-shaped family where one runs, else (and on a CPU) the CPU-shaped rule */
            a = on_gpu ? gpu_rule : rule_of_thumb(x, n, main, E->dev);
        } else {
            double t0 = now_ms();
            /* the rule of thumb first (timed even when the budget runs out within the layer); then a CPU: today's
             * families; another device: the GPU-shaped ones and CLBlast */
            struct cf_algo cands[MAX_CANDIDATES];
            int full = x->tune == CLINFER_TUNE_FULL, nc = 1;
            cands[0] = on_gpu ? gpu_rule : rule_of_thumb(x, n, main, E->dev);
            if (!gpu_device) nc += main->candidates(E, n, full, cands + nc);
            for (int i = 0; cf_families[i]; i++) {
                const struct cf_family *f = cf_families[i];
                int here = gpu_device ? f->gpu || f == &cf_family_clblast : !f->gpu && !f->primary && f != main;
                if (here && f->fits(x, n) && nc < MAX_CANDIDATES - 64) nc += f->candidates(E, n, full, cands + nc);
            }
            if (gpu_device) cands[nc++] = (struct cf_algo){CF_ALGO_GENERIC, 1, 1}; /* (1 1: remembered) */
            /* --tune fast: the budget bounds the timing, within a layer too */
            double stop_at = x->tune == CLINFER_TUNE_FAST && E->timing_ms ? t0 + fast_budget_ms() - *E->timing_ms
                                                                          : INFINITY;
            int cut = 0;
            clinfer_status st = tune(E, node, cands, nc, stop_at, &a, &cut, d);
            if (st) return st;
            /* (a layer cut short keeps its best so far, not remembered: a later run times it whole) */
            if (!cut) cf_tunedb_store(E->dev, key, &a);
            else if (x->tune_left) ++*x->tune_left;
            if (E->timing_ms) *E->timing_ms += now_ms() - t0;
        }
    }
    if (a.kind == CF_ALGO_GENERIC) return CLINFER_OK;
    return build(E, node, &a, out, d);
}
