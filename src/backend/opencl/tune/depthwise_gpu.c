/* Depthwise convolution shaped for GPUs (cl/depthwise_gpu.cl): one output per work-item, R of them a work-item
 * strided by its work-group of L (64, 128 or 256), neighbouring work-items on neighbouring channels (NHWC) or columns
 * (NCHW): coalesced reads, every lane busy (the tiled GEMM gives a depthwise layer one channel of each T-wide tile).
 * A program serves every layer of one window (a shape class); the work-group size is checked against the device and
 * the built kernel before it runs. */
#include <stdio.h>
#include <string.h>

#include "conv_weights.h"

static int fits(const struct cf_exec *x, const struct cf_node *n)
{
    const char *layer = cf_family_layer(x, n);
    return layer && n->n_in == 1 && n->a.fused_pool <= 1 && strcmp(layer, "depthwise") == 0;
}

static int candidates(const struct cf_tune_env *E, const struct cf_node *n, int full, struct cf_algo *out)
{
    (void)E, (void)n;
    return cf_lanes_candidates(CF_ALGO_DEPTHWISE_GPU, full, out);
}

static clinfer_status build(const struct cf_tune_env *E, int node, const struct cf_algo *a, const char *defs,
                            struct cf_tuned *t, struct cf_diag *d)
{
    (void)defs;
    clinfer_status st = cf_tune_lanes(E, node, a->a, a->b, t, d);
    return st ? st : cf_conv_pack(E, node, 1, t, d);
}

static void describe(const struct cf_algo *a, const struct cf_node *n, char *out, size_t size)
{
    (void)n;
    /* "gpu dw 128x1": work-groups of 128, 1 output a work-item */
    snprintf(out, size, "gpu dw %dx%d", a->a, a->b);
}

const struct cf_family cf_family_depthwise_gpu = {
    CF_ALGO_DEPTHWISE_GPU, "depthwise", "gpu", 2, {256, 8},
    "work-groups of L work-items (16-256, a power of two), R outputs each (GPU-shaped)", 0, "depthwise_gpu.cl",
    "depthwise_gpu_f32", fits, candidates, cf_lanes_valid, cf_lanes_defines, build, NULL, describe, 1, {128, 1}, .class_fixed = "", .arg_names = "L:R"};
