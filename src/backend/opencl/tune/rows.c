/* NCHW convs at stride 1 or 2 along the row, direct with vectors of pixels (cl/conv2d_rows.cl): P output channels x
 * V float16 vectors of 16 consecutive columns, so the output planes are written whole. Grouped convs too (RegNet's
 * 3x3s of 16-channel groups ran the generic direct kernel at ~4 GFLOPS): the one CPU-shaped family that takes them. */
#include <stdio.h>
#include <string.h>

#include "conv_weights.h"

/* plain or grouped (not depthwise: that family's) */
static int fits(const struct cf_exec *x, const struct cf_node *n)
{
    return n->op == CF_OP_CONV2D && n->n_in == 1 && n->a.fused_pool <= 1 && x->g->layout == CF_LAYOUT_NCHW &&
           strcmp(cf_family_layer(x, n), "conv") == 0 && cf_row_windows(&n->a, 2);
}

/* a work-item's P channels are of one group */
static int valid(const struct cf_exec *x, const struct cf_node *n, const struct cf_algo *a)
{
    return n->a.groups <= 1 || (cf_conv_co(x, n) / n->a.groups) % a->a == 0;
}

/* P channels x V vectors of 16 columns, P·V accumulators */
static int candidates(const struct cf_tune_env *E, const struct cf_node *n, int full, struct cf_algo *out)
{
    const struct cf_exec *x = E->x;
    int64_t co = cf_conv_co(x, n), nv = (n->out.d[3] + 15) / 16;
    static const int ps[] = {2, 4, 6, 8, 12, 16};
    static const int vs[] = {1, 2, 4};
    int k = 0;
    for (size_t vi = 0; vi < 3; vi++) {
        int v = vs[vi];
        if (v > 1 && v > nv) break;
        for (size_t pi = 0; pi < 6; pi++) {
            int p = ps[pi];
            if (p * v > 24 || (pi > 0 && ps[pi - 1] >= co)) continue;
            if (!full && !((v == 1 && (p == 8 || p == 16)) || (v == 2 && (p == 4 || p == 8)) || (v == 4 && p == 4) ||
                           (p >= co && p * v >= 4)))
                continue;
            out[k++] = (struct cf_algo){CF_ALGO_CONV_ROWS, p, v};
        }
    }
    return k;
}

static clinfer_status build(const struct cf_tune_env *E, int node, const struct cf_algo *a, const char *defs,
                            struct cf_tuned *t, struct cf_diag *d)
{
    (void)defs;
    const struct cf_node *n = &E->x->g->nodes[node];
    t->gws[0] = (size_t)((cf_conv_co(E->x, n) + a->a - 1) / a->a); /* channel blocks x pixel-vector blocks x rows */
    t->gws[1] = (size_t)((n->out.d[3] + 16 * a->b - 1) / (16 * a->b));
    t->gws[2] = (size_t)(n->out.d[0] * n->out.d[2]);
    return cf_conv_pack(E, node, 0, t, d);
}

static void describe(const struct cf_algo *a, const struct cf_node *n, char *out, size_t size)
{
    (void)n;
    snprintf(out, size, "rows %d x %dv", a->a, a->b);
}

const struct cf_family cf_family_rows = {
    CF_ALGO_CONV_ROWS, "conv", "rows", 2, {16, 8}, "NCHW rows of pixels: P channels x V vectors", 0, "conv2d_rows.cl",
    "conv2d_rows_f32", fits, candidates, valid, cf_defines_pv, build, NULL, describe,
    .class_fixed = "W WO"};
