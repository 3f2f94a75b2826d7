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

static int candidates(const struct cf_tune_env *E, const struct cf_node *n, int full, struct cf_algo *out)
{
    (void)E, (void)n;
    return cf_lanes_candidates(CF_ALGO_POOL_GPU, full, out);
}

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
    "pool_gpu_f32", fits, candidates, cf_lanes_valid, cf_lanes_defines, build, NULL, describe, 1, {128, 1}, .class_fixed = "", .arg_names = "L:R"};
