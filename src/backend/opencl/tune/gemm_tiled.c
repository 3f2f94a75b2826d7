/* The GPU-shaped GEMM (cl/gemm_tiled.cl): Conv2D of any window, stride, dilation and groups (a group per input channel
 * is depthwise_gpu.c's: here it would fill one channel of each tile) and Dense, as a GEMM in T x T tiles of (T / R)^2 work-items (64 or 256), each R x R outputs,
 * with tiles of the input and of the weights in local memory. The work-group shape follows from T and R, which the
 * tuning database keeps; it is checked against the device (work-group size, work-item sizes, local memory) and the
 * built kernel (CL_KERNEL_WORK_GROUP_SIZE) before it runs. */
#include <stdio.h>
#include <string.h>

#include "conv_weights.h"

static int fits(const struct cf_exec *x, const struct cf_node *n)
{
    const char *layer = cf_family_layer(x, n);
    return layer && (strcmp(layer, "conv") == 0 || strcmp(layer, "dense") == 0) && n->n_in == 1;
}

/* T pixels x T channels a work-group, R x R a work-item: 64 or 256 work-items */
static const int shapes[][2] = {{16, 1}, {16, 2}, {32, 2}, {32, 4}, {64, 4}, {64, 8}};

static int candidates(const struct cf_tune_env *E, const struct cf_node *n, int full, struct cf_algo *out)
{
    (void)E, (void)n;
    int k = 0;
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        if (full || shapes[i][0] >= 32) out[k++] = (struct cf_algo){CF_ALGO_GEMM_TILED, shapes[i][0], shapes[i][1]};
    return k;
}

static int valid(const struct cf_exec *x, const struct cf_node *n, const struct cf_algo *a)
{
    (void)x, (void)n;
    return a->a % a->b == 0 && a->a / a->b <= 32 && (a->a & (a->a - 1)) == 0;
}

static void defines(const struct cf_algo *a, char *out, size_t size) { snprintf(out, size, "-DT=%d -DR=%d", a->a, a->b); }

static clinfer_status build(const struct cf_tune_env *E, int node, const struct cf_algo *a, const char *defs,
                            struct cf_tuned *t, struct cf_diag *d)
{
    (void)defs;
    const struct cf_exec *x = E->x;
    const struct cf_node *n = &x->g->nodes[node];
    const size_t lt = (size_t)(a->a / a->b), local_bytes = 2 * 16 * (size_t)a->a * sizeof(float);
    size_t kernel_wg = 0;
    clGetKernelWorkGroupInfo(t->k, E->dev->device, CL_KERNEL_WORK_GROUP_SIZE, sizeof kernel_wg, &kernel_wg, NULL);
    if (lt * lt > E->dev->max_wg || lt > E->dev->max_item[0] || lt > E->dev->max_item[1] ||
        (kernel_wg && lt * lt > kernel_wg) || local_bytes > E->dev->local_mem)
        return cf_fail(d, CLINFER_E_UNSUPPORTED,
                       "layer '%s': gemm %d:%d needs work-groups of %zu x %zu and %zu bytes of local memory; the device "
                       "takes %zu work-items a group (this kernel %zu) and %llu bytes",
                       n->name, a->a, a->b, lt, lt, local_bytes, E->dev->max_wg, kernel_wg,
                       (unsigned long long)E->dev->local_mem);
    int dense = n->op == CF_OP_DENSE;
    int64_t co = dense ? n->a.filters : cf_conv_co(x, n), groups = 1, m;
    if (dense) {
        m = cf_dense_rows(n);
    } else {
        groups = n->a.groups > 1 ? n->a.groups : 1;
        m = n->out.d[0] * n->out.d[x->g->layout == CF_LAYOUT_NCHW ? 2 : 1] * n->out.d[x->g->layout == CF_LAYOUT_NCHW ? 3 : 2];
    }
    int64_t cog = co / groups;
    t->gws[0] = (size_t)((cog + a->a - 1) / a->a) * lt; /* channel tiles x pixel tiles x groups, whole work-groups */
    t->gws[1] = (size_t)((m + a->a - 1) / a->a) * lt;
    t->gws[2] = (size_t)groups;
    t->lws[0] = t->lws[1] = lt;
    t->lws[2] = 1;
    if (!dense) return cf_conv_pack(E, node, 0, t, d);
    const struct cf_tensor *k = cf_weights_get(x->w, node, "kernel");
    struct cf_rows16 r = {k->data, k->desc.dims[0], co, cf_round16(co)};
    return cf_tune_pack(E, node, (size_t)(r.rows * r.co16 + 16), cf_fill_rows16, &r, co, r.co16, t, d);
}

static void describe(const struct cf_algo *a, const struct cf_node *n, char *out, size_t size)
{
    /* "gpu 32:2": 32 x 32 outputs a work-group, 2 x 2 a work-item */
    snprintf(out, size, n->a.fused_pool > 1 ? "gpu %d:%d+pool" : "gpu %d:%d", a->a, a->b);
}

const struct cf_family cf_family_gemm_tiled = {
    CF_ALGO_GEMM_TILED, "conv dense", "gpu", 2, {128, 8},
    "T x T outputs a work-group of (T/R)^2 work-items, R x R each (GPU-shaped)", 0, "gemm_tiled.cl", "gemm_tiled_f32",
    fits, candidates, valid, defines, build, NULL, describe, 1, {32, 2}, .arg_names = "T:R"};
