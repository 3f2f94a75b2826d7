/* NCHW convs at stride 1 or 2 along the row, direct with vectors of pixels (cl/conv2d_rows.cl): P output channels x
 * V float16 vectors of 16 consecutive columns, so the output planes are written whole. */
#include <stdio.h>

#include "conv_weights.h"

static int fits(const struct cf_exec *x, const struct cf_node *n)
{
    return cf_plain_conv_nopool(n) && x->g->layout == CF_LAYOUT_NCHW && cf_row_windows(&n->a, 2);
}

/* P channels x V vectors of 16 columns, P·V accumulators */
static int candidates(const struct cf_exec *x, const struct cf_node *n, int full, struct cf_algo *out)
{
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
    "conv2d_rows_f32", fits, candidates, NULL, cf_defines_pv, build, NULL, describe,
    .class_fixed = "W WO"};
