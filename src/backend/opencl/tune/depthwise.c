/* Depthwise convolution (DepthwiseConv2D, or Conv with one group per input channel; cl/depthwise_blocked.cl): NHWC,
 * P pixels x 16 channels a work-item; NCHW, P rows of one channel, each row as float16 vectors of 16 columns. */
#include <stdio.h>

#include "conv_weights.h"

static int fits(const struct cf_exec *x, const struct cf_node *n)
{
    if (n->n_in != 1 || !(n->op == CF_OP_DEPTHWISE_CONV2D || (n->op == CF_OP_CONV2D && n->a.groups > 1))) return 0;
    int nchw = x->g->layout == CF_LAYOUT_NCHW;
    const struct cf_shape *xs = &x->g->nodes[n->in[0]].out;
    int64_t c = xs->d[nchw ? 1 : 3], co = n->out.d[nchw ? 1 : 3], wo = n->out.d[nchw ? 3 : 2];
    if (n->op == CF_OP_CONV2D && n->a.groups != c) return 0;
    /* NHWC: one input channel per output channel; NCHW: rows of up to 256 outputs (the padded row is private) */
    return nchw ? wo <= 256 && (wo + 15) / 16 * 16 * n->a.strides[1] + n->a.kernel[1] * n->a.dilation[1] <= 2048 : co == c;
}

/* NCHW at stride 1 or 2 along the row keeps P rows x NV vectors of accumulators: the most rows for at most 24; at
 * stride 2 also at most 288 products P KH KW NV a work-item, whose unrolled loops the compiler unrolls (PoCL 3.1's
 * clang gave up, "loop not unrolled", from 350: a 5x5 at stride 2 to 32 columns at P = 8, 57 at 4, 100 at 2) */
static int rows_max(const struct cf_node *n)
{
    int64_t nv = (n->out.d[3] + 15) / 16;
    if (!cf_row_windows(&n->a, 2)) return 64;
    int p = nv >= 24 ? 1 : (int)(24 / nv);
    while (n->a.strides[1] == 2 && p > 1 && p * n->a.kernel[0] * n->a.kernel[1] * nv > 288) p--;
    return p;
}

/* pixels per work-item (NHWC) or rows (NCHW) */
static int candidates(const struct cf_tune_env *E, const struct cf_node *n, int full, struct cf_algo *out)
{
    const struct cf_exec *x = E->x;
    int nchw = x->g->layout == CF_LAYOUT_NCHW, k = 0;
    int64_t len = nchw ? n->out.d[2] : cf_conv_wo(x, n);
    static const int ps[] = {1, 2, 4, 8, 16};
    for (size_t i = 0; i < 5; i++) {
        int p = ps[i];
        if ((p > 1 && p > len) || (nchw && p > 1 && p > rows_max(n))) break;
        if (!full && p < 4 && !(p == 1 && len < 4) && !(nchw && p == rows_max(n))) continue;
        out[k++] = (struct cf_algo){CF_ALGO_DEPTHWISE, p, nchw ? 2 : 1};
    }
    return k;
}

/* the form of its layout (b = 1 NHWC, 2 NCHW), NCHW's rows within rows_max */
static int valid(const struct cf_exec *x, const struct cf_node *n, const struct cf_algo *a)
{
    int nchw = x->g->layout == CF_LAYOUT_NCHW;
    return a->b == (nchw ? 2 : 1) && (!nchw || a->a <= rows_max(n));
}

static clinfer_status build(const struct cf_tune_env *E, int node, const struct cf_algo *a, const char *defs,
                            struct cf_tuned *t, struct cf_diag *d)
{
    (void)defs;
    const struct cf_exec *x = E->x;
    const struct cf_node *n = &x->g->nodes[node];
    int64_t co = cf_conv_co(x, n);
    if (a->b == 2) { /* NCHW: row blocks x images and channels */
        t->gws[0] = (size_t)((n->out.d[2] + a->a - 1) / a->a);
        t->gws[1] = (size_t)(n->out.d[0] * co);
        t->gws[2] = 1;
    } else { /* NHWC: channel vectors x pixel blocks x images and rows */
        t->gws[0] = (size_t)(cf_round16(co) / 16);
        t->gws[1] = (size_t)((cf_conv_wo(x, n) + a->a - 1) / a->a);
        t->gws[2] = (size_t)(n->out.d[0] * n->out.d[1]);
    }
    return cf_conv_pack(E, node, 1, t, d);
}

static void describe(const struct cf_algo *a, const struct cf_node *n, char *out, size_t size)
{
    (void)n;
    snprintf(out, size, a->b == 2 ? "depthwise %d rows" : "depthwise %dpx", a->a);
}

const struct cf_family cf_family_depthwise = {
    CF_ALGO_DEPTHWISE, "depthwise", "blocked", 1, {64, 0}, "P pixels (NHWC) or rows (NCHW) a work-item", 1,
    "depthwise_blocked.cl", "depthwise_blocked_f32", fits, candidates, valid, cf_defines_p, build, NULL, describe,
    .class_fixed = "W WO"};
