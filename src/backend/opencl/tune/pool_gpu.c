/* Max and average pooling shaped for GPUs (cl/pool_gpu.cl), NHWC or NCHW: one output per work-item, R of them a
 * work-item strided by its work-group of L, neighbouring work-items on neighbouring outputs of the innermost axis
 * (coalesced reads). A program serves every pool of one window (a shape class). */
#include <stdio.h>

#include "family.h"

static int fits(const struct cf_exec *x, const struct cf_node *n)
{
    (void)x;
    return (n->op == CF_OP_MAX_POOL2D || n->op == CF_OP_AVG_POOL2D) && n->n_in == 1 && n->out.rank == 4;
}

static const int shapes[][2] = {{64, 1}, {64, 2}, {64, 4}, {128, 1}, {128, 2}, {256, 1}, {256, 2}};

static int candidates(const struct cf_exec *x, const struct cf_node *n, int full, struct cf_algo *out)
{
    (void)x, (void)n;
    int k = 0;
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        if (full || shapes[i][1] == 1) out[k++] = (struct cf_algo){CF_ALGO_POOL_GPU, shapes[i][0], shapes[i][1]};
    return k;
}

static int valid(const struct cf_exec *x, const struct cf_node *n, const struct cf_algo *a)
{
    (void)x, (void)n;
    return a->a >= 16 && (a->a & (a->a - 1)) == 0;
}

static void defines(const struct cf_algo *a, char *out, size_t size) { snprintf(out, size, "-DL=%d -DR=%d", a->a, a->b); }

/* no weights */
static clinfer_status build(const struct cf_tune_env *E, int node, const struct cf_algo *a, const char *defs,
                            struct cf_tuned *t, struct cf_diag *d)
{
    (void)defs;
    return cf_tune_lanes(E, node, a->a, a->b, t, d);
}

static void describe(const struct cf_algo *a, const struct cf_node *n, char *out, size_t size)
{
    (void)n;
    snprintf(out, size, "gpu pool %dx%d", a->a, a->b);
}

const struct cf_family cf_family_pool_gpu = {
    CF_ALGO_POOL_GPU, "pool", "gpu", 2, {256, 8},
    "work-groups of L work-items (16-256, a power of two), R outputs each (GPU-shaped)", 0, "pool_gpu.cl",
    "pool_gpu_f32", fits, candidates, valid, defines, build, NULL, describe, 1, {128, 1}, .class_fixed = "", .arg_names = "L:R"};
