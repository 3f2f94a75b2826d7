/* 1x1 stride-1 unpadded convs as a GEMM (cl/conv1x1_gemm.cl): NHWC, P pixels (across rows and images) x V vectors of
 * channels; NCHW, P output channels x V float16 vectors of consecutive pixels. */
#include <stdio.h>

#include "conv_weights.h"

extern const struct cf_family cf_family_blocked;

static int fits(const struct cf_exec *x, const struct cf_node *n)
{
    (void)x;
    return cf_plain_conv_nopool(n) && cf_pointwise(&n->a);
}

static int candidates(const struct cf_tune_env *E, const struct cf_node *n, int full, struct cf_algo *out)
{
    const struct cf_exec *x = E->x;
    if (x->g->layout != CF_LAYOUT_NCHW) { /* as the blocked kernel's blocks */
        int k = cf_family_blocked.candidates(E, n, full, out);
        for (int i = 0; i < k; i++) out[i].kind = CF_ALGO_GEMM1X1;
        return k;
    }
    int64_t co = cf_conv_co(x, n), hw = n->out.d[2] * n->out.d[3];
    static const int ps[] = {1, 2, 4, 6, 8, 12, 16};
    static const int vs[] = {1, 2, 4};
    int k = 0, halved = cf_cl_float16_halved(E->dev);
    for (size_t vi = 0; vi < 3; vi++) {
        int v = vs[vi];
        if (v > 1 && 16 * v > cf_round16(hw)) break;
        for (size_t pi = 0; pi < 7; pi++) {
            int p = ps[pi];
            if (p * v > 24 || (p > 1 && ps[pi - 1] >= co)) continue;
            /* fast: 12 to 16 accumulators (where a float16 is two registers 8-12: 4-6 x 1, 2 x 2), or a block that
             * covers every channel or pixel */
            int shortlist = halved ? (v == 1 && (p == 4 || p == 6)) || (v == 2 && p == 2)
                                   : (v == 1 && p >= 12) || (v == 2 && (p == 6 || p == 8)) || (v == 4 && p == 4);
            if (!full && !(shortlist || p >= co || (16 * v >= hw && p >= 4))) continue;
            out[k++] = (struct cf_algo){CF_ALGO_GEMM1X1, p, v};
        }
    }
    return k;
}

static clinfer_status build(const struct cf_tune_env *E, int node, const struct cf_algo *a, const char *defs,
                            struct cf_tuned *t, struct cf_diag *d)
{
    (void)defs;
    const struct cf_exec *x = E->x;
    const struct cf_node *n = &x->g->nodes[node];
    int64_t co = cf_conv_co(x, n), co16 = cf_round16(co);
    if (x->g->layout == CF_LAYOUT_NCHW) { /* channel blocks x pixel vectors x images */
        t->gws[0] = (size_t)((co + a->a - 1) / a->a);
        t->gws[1] = (size_t)((n->out.d[2] * n->out.d[3] + 16 * a->b - 1) / (16 * a->b));
        t->gws[2] = (size_t)n->out.d[0];
    } else { /* channel vectors x pixel blocks, across rows and images */
        t->gws[0] = (size_t)((co16 / 16 + a->b - 1) / a->b);
        t->gws[1] = (size_t)((n->out.d[0] * n->out.d[1] * n->out.d[2] + a->a - 1) / a->a);
        t->gws[2] = 1;
    }
    return cf_conv_pack(E, node, 0, t, d);
}

static void describe(const struct cf_algo *a, const struct cf_node *n, char *out, size_t size)
{
    (void)n;
    snprintf(out, size, "gemm1x1 %d x %dv", a->a, a->b);
}

const struct cf_family cf_family_gemm1x1 = {
    CF_ALGO_GEMM1X1, "conv", "gemm", 2, {16, 8}, "1x1 convolutions as a GEMM: P x V", 0, "conv1x1_gemm.cl",
    "conv1x1_gemm_f32", fits, candidates, NULL, cf_defines_pv, build, NULL, describe,
    .class_fixed = ""};
