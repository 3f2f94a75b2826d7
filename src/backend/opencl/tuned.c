/* Tuned layers: candidates, a rule of thumb, timing against ref, the tuning database, building and launching. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../util/alloc.h"
#include "../../util/files.h"
#include "../../util/rng.h"
#include "../../util/strbuf.h"
#include "../ref/ref.h"
#include "tuned.h"

#define TUNE_VERSION "clinfer-tune-7"

static const struct cf_tensor *host_weight(const struct cf_exec *x, int node, const char *name)
{
    return cf_weights_get(x->w, node, name);
}

static int64_t round16(int64_t v) { return (v + 15) / 16 * 16; }

/* each family: its program and kernel */
static const struct {
    const char *file, *kernel;
} families[CF_ALGO_COUNT] = {
    [CF_ALGO_CONV_BLOCKED] = {"conv2d_blocked.cl", "conv2d_blocked_f32"},
    [CF_ALGO_DENSE_TILED] = {"dense_fast.cl", "dense_tiled_f32"},
    [CF_ALGO_DEPTHWISE] = {"depthwise_blocked.cl", "depthwise_blocked_f32"},
    [CF_ALGO_GEMM1X1] = {"conv1x1_gemm.cl", "conv1x1_gemm_f32"},
    [CF_ALGO_WINOGRAD] = {"winograd_f23.cl", "winograd_f23_f32"},
    [CF_ALGO_CLBLAST] = {"gemm_glue.cl", "CLBlastSgemm"},
    [CF_ALGO_CONV_ROWS] = {"conv2d_rows.cl", "conv2d_rows_f32"},
    [CF_ALGO_DENSE_SPLITK] = {"dense_splitk.cl", "dense_splitk_f32"},
    [CF_ALGO_POOL_ROWS] = {"pool2d_rows.cl", "pool2d_rows_f32"},
};

/* a dense layer's rows: the product of its output's leading dimensions (the batch) */
static int64_t dense_rows(const struct cf_node *n)
{
    int64_t rows = 1;
    for (int k = 0; k < n->out.rank - 1; k++) rows *= n->out.d[k];
    return rows;
}

int cf_row_windows(const struct cf_attrs *a, int max_stride)
{
    return a->strides[1] >= 1 && a->strides[1] <= max_stride && a->pads[2] <= 16 &&
           (a->kernel[1] - 1) * a->dilation[1] - a->pads[2] <= 16;
}

/* the main family a layer can run with (others may fit too: kinds_of), or CF_ALGO_GENERIC */
static enum cf_algo_kind family_of(const struct cf_exec *x, const struct cf_node *n)
{
    if (n->n_in != 1) return CF_ALGO_GENERIC; /* weights given at run time */
    if (n->op == CF_OP_DENSE) return CF_ALGO_DENSE_TILED;
    if (n->op == CF_OP_MAX_POOL2D || n->op == CF_OP_AVG_POOL2D) {
        /* NCHW, stride 1 or 2 along the row, each tap's window within a vector of the block's, rows of up to 256 */
        const struct cf_attrs *a = &n->a;
        return x->g->layout == CF_LAYOUT_NCHW && cf_row_windows(a, 2) && n->out.d[3] <= 256 ? CF_ALGO_POOL_ROWS
                                                                                            : CF_ALGO_GENERIC;
    }
    if (n->op != CF_OP_CONV2D && n->op != CF_OP_DEPTHWISE_CONV2D) return CF_ALGO_GENERIC;
    int nchw = x->g->layout == CF_LAYOUT_NCHW;
    const struct cf_shape *xs = &x->g->nodes[n->in[0]].out;
    int64_t c = xs->d[nchw ? 1 : 3], co = n->out.d[nchw ? 1 : 3], wo = n->out.d[nchw ? 3 : 2];
    if (n->op == CF_OP_CONV2D && n->a.groups == 1) return CF_ALGO_CONV_BLOCKED;
    int depthwise = n->op == CF_OP_DEPTHWISE_CONV2D || n->a.groups == c;
    /* NHWC: one input channel per output channel; NCHW: rows of up to 256 outputs (the padded row is private) */
    if (depthwise && (nchw ? wo <= 256 && (wo + 15) / 16 * 16 * n->a.strides[1] + n->a.kernel[1] * n->a.dilation[1] <= 2048
                           : co == c))
        return CF_ALGO_DEPTHWISE;
    return CF_ALGO_GENERIC;
}

/* a 1x1 window at stride 1, unpadded: the input is already the GEMM's matrix */
static int pointwise(const struct cf_attrs *a)
{
    return a->kernel[0] == 1 && a->kernel[1] == 1 && a->strides[0] == 1 && a->strides[1] == 1 && !a->pads[0] &&
           !a->pads[1] && !a->pads[2] && !a->pads[3];
}

/* every family a layer can run with, as bits 1 << kind: a plain conv also as a GEMM when it is 1x1 stride 1 unpadded,
 * by Winograd when it is 3x3 stride 1 undilated, with CLBlast, and over NCHW at stride 1 or 2 along the row with vectors
 * of pixels (none of them with a fused pool); a dense layer also with CLBlast, and as a split-K GEMV at one row */
static unsigned kinds_of(const struct cf_exec *x, const struct cf_node *n)
{
    enum cf_algo_kind fam = family_of(x, n);
    if (fam == CF_ALGO_GENERIC) return 0;
    unsigned k = 1u << fam;
    const struct cf_attrs *a = &n->a;
    if (fam == CF_ALGO_DENSE_TILED || (fam == CF_ALGO_CONV_BLOCKED && a->fused_pool <= 1)) k |= 1u << CF_ALGO_CLBLAST;
    if (fam == CF_ALGO_DENSE_TILED && dense_rows(n) == 1) k |= 1u << CF_ALGO_DENSE_SPLITK;
    if (fam != CF_ALGO_CONV_BLOCKED || a->fused_pool > 1) return k;
    /* NCHW at stride 1 or 2 along the row, each tap's window within a vector of the block's */
    if (x->g->layout == CF_LAYOUT_NCHW && cf_row_windows(a, 2)) k |= 1u << CF_ALGO_CONV_ROWS;
    if (a->strides[0] != 1 || a->strides[1] != 1) return k;
    if (pointwise(a)) k |= 1u << CF_ALGO_GEMM1X1;
    if (a->kernel[0] == 3 && a->kernel[1] == 3 && a->dilation[0] == 1 && a->dilation[1] == 1) k |= 1u << CF_ALGO_WINOGRAD;
    return k;
}

void cf_algo_name(const struct cf_algo *a, const struct cf_node *n, char *out, size_t size)
{
    switch (a->kind) {
    case CF_ALGO_CONV_BLOCKED:
        if (n->a.fused_pool > 1) snprintf(out, size, "blocked %dpx x %dv+pool", a->a, a->b);
        else snprintf(out, size, "blocked %dpx x %dv", a->a, a->b);
        break;
    case CF_ALGO_DEPTHWISE: snprintf(out, size, a->b == 2 ? "depthwise %d rows" : "depthwise %dpx", a->a); break;
    case CF_ALGO_GEMM1X1: snprintf(out, size, "gemm1x1 %d x %dv", a->a, a->b); break;
    case CF_ALGO_WINOGRAD: snprintf(out, size, "winograd %dt x %dv", a->a, a->b); break;
    case CF_ALGO_CONV_ROWS: snprintf(out, size, "rows %d x %dv", a->a, a->b); break;
    case CF_ALGO_DENSE_SPLITK: snprintf(out, size, "splitk %d x %dv", a->a, a->b); break;
    case CF_ALGO_POOL_ROWS: snprintf(out, size, "pool %d rows", a->a); break;
    case CF_ALGO_CLBLAST:
        snprintf(out, size, "%s", n->op == CF_OP_DENSE || pointwise(&n->a) ? "clblast gemm" : "clblast im2col+gemm");
        break;
    case CF_ALGO_DENSE_TILED:
        if (a->b == 1) snprintf(out, size, "gemv %du", a->a);
        else snprintf(out, size, "tiled %dr x %du", a->b, a->a);
        break;
    default:
        snprintf(out, size, "%s",
                 n->op == CF_OP_CONV2D || n->op == CF_OP_DEPTHWISE_CONV2D || n->op == CF_OP_DENSE ? "direct" : "generic");
        break;
    }
}

/* the layer's sizes, as -D constants and as the key of the tuning database */
static void layer_defines(const struct cf_exec *x, const struct cf_node *n, const struct cf_algo *a, char *defs,
                          size_t size, char *key, size_t ksize)
{
    const struct cf_shape *xs = &x->g->nodes[n->in[0]].out, *ys = &n->out;
    const struct cf_attrs *at = &n->a;
    int act = at->act == CF_ACT_SOFTMAX || at->act == CF_ACT_LOG_SOFTMAX ? CF_ACT_LINEAR : (int)at->act;
    char sig[512];
    if (n->op == CF_OP_MAX_POOL2D || n->op == CF_OP_AVG_POOL2D) { /* (NCHW) */
        snprintf(sig, sizeof sig,
                 "-DN=%lld -DC=%lld -DH=%lld -DW=%lld -DHO=%lld -DWO=%lld -DKH=%d -DKW=%d -DSH=%d -DSW=%d -DDH=%d -DDW=%d "
                 "-DPT=%d -DPB=%d -DPL=%d -DPR=%d -DIS_MAX=%d -DINCLUDE_PAD=%d",
                 (long long)xs->d[0], (long long)xs->d[1], (long long)xs->d[2], (long long)xs->d[3], (long long)ys->d[2],
                 (long long)ys->d[3], at->kernel[0], at->kernel[1], at->strides[0], at->strides[1], at->dilation[0],
                 at->dilation[1], at->pads[0], at->pads[1], at->pads[2], at->pads[3], n->op == CF_OP_MAX_POOL2D,
                 at->count_include_pad);
        if (a) snprintf(defs, size, "-DP=%d %s", a->a, sig);
    } else if (n->op == CF_OP_CONV2D || n->op == CF_OP_DEPTHWISE_CONV2D) {
        int nchw = x->g->layout == CF_LAYOUT_NCHW, h = nchw ? 2 : 1, w = nchw ? 3 : 2, c = nchw ? 1 : 3;
        int dw = family_of(x, n) == CF_ALGO_DEPTHWISE, pool = at->fused_pool > 1 ? at->fused_pool : 1;
        /* HO x WO: the conv pixels computed; HP x WP: the output, pooled when a max pool is fused */
        snprintf(sig, sizeof sig,
                 "-DNCHW=%d -DN=%lld -DH=%lld -DW=%lld -DC=%lld -DHO=%lld -DWO=%lld -DCO=%lld -DCO16=%lld -DKH=%d -DKW=%d "
                 "-DSH=%d -DSW=%d -DDH=%d -DDW=%d -DPT=%d -DPL=%d -DHAS_BIAS=%d -DACT=%d -DM=%lld -DPOOL=%d -DHP=%lld "
                 "-DWP=%lld",
                 nchw, (long long)xs->d[0], (long long)xs->d[h], (long long)xs->d[w], (long long)xs->d[c],
                 (long long)ys->d[h] * pool, (long long)ys->d[w] * pool, (long long)ys->d[c], (long long)round16(ys->d[c]),
                 at->kernel[0], at->kernel[1], at->strides[0], at->strides[1], at->dilation[0], at->dilation[1],
                 at->pads[0], at->pads[2], at->use_bias, act, dw ? (long long)(ys->d[c] / xs->d[c]) : 0LL, pool,
                 (long long)ys->d[h], (long long)ys->d[w]);
        if (a && dw) snprintf(defs, size, "-DP=%d %s", a->a, sig);
        else if (a) snprintf(defs, size, "-DP=%d -DV=%d %s", a->a, a->b, sig);
    } else {
        int64_t cin = xs->d[xs->rank - 1], rows = 1;
        for (int k = 0; k < ys->rank - 1; k++) rows *= ys->d[k];
        snprintf(sig, sizeof sig, "-DCIN=%lld -DUNITS=%lld -DROWS=%lld -DHAS_BIAS=%d -DACT=%d", (long long)cin,
                 (long long)at->filters, (long long)rows, at->use_bias, act);
        if (a && a->kind == CF_ALGO_DENSE_SPLITK) snprintf(defs, size, "-DKC=%d -DV=%d %s", a->a, a->b, sig);
        else if (a) snprintf(defs, size, "-DR=%d -DMR=%d %s", a->a, a->b, sig);
    }
    if (key) snprintf(key, ksize, "%s|%s", TUNE_VERSION, sig);
}

/* --- candidates --- */

/* a fused max pool's size (1: none) */
static int pool_of(const struct cf_node *n) { return n->a.fused_pool > 1 ? n->a.fused_pool : 1; }

/* the conv pixels a row computes (before a fused pool), and the output channels, in the graph's layout */
static int64_t conv_wo(const struct cf_exec *x, const struct cf_node *n)
{
    return n->out.d[x->g->layout == CF_LAYOUT_NCHW ? 3 : 2] * pool_of(n);
}
static int64_t conv_co(const struct cf_exec *x, const struct cf_node *n) { return n->out.d[x->g->layout == CF_LAYOUT_NCHW ? 1 : 3]; }

static int conv_candidates(const struct cf_exec *x, const struct cf_node *n, int full, struct cf_algo *out)
{
    int64_t wo = conv_wo(x, n), vmax = round16(conv_co(x, n)) / 16;
    static const int ps[] = {1, 2, 4, 6, 8, 12, 16};
    static const int vs[] = {1, 2, 4, 8};
    int k = 0;
    for (size_t vi = 0; vi < 4; vi++) {
        int v = vs[vi];
        if (v > vmax) break;
        for (size_t pi = 0; pi < 7; pi++) {
            int p = ps[pi];
            /* with a fused pool: whole windows per block, and room for the running maximum */
            if (p * v > 32 || (p > 1 && p > wo) || p % pool_of(n) || (pool_of(n) > 1 && 2 * p * v > 40)) continue;
            /* fast: the block shapes that won on PoCL (8-16 px x 1 vector, 6-12 px x 2, 4-6 px x 4, 2 px x 8) */
            if (!full && !((v == 1 && p >= 8) || (v == 2 && p >= 6 && p <= 12) || (v == 4 && (p == 4 || p == 6)) ||
                           (v == 8 && p == 2) || (wo < 8 && p == wo)))
                continue;
            out[k++] = (struct cf_algo){CF_ALGO_CONV_BLOCKED, p, v};
        }
    }
    return k;
}

/* 1x1 as a GEMM. NHWC: P pixels x V vectors of channels, as the blocked kernel; NCHW: P channels x V vectors of 16
 * pixels */
static int gemm1x1_candidates(const struct cf_exec *x, const struct cf_node *n, int full, struct cf_algo *out)
{
    if (x->g->layout != CF_LAYOUT_NCHW) {
        int k = conv_candidates(x, n, full, out);
        for (int i = 0; i < k; i++) out[i].kind = CF_ALGO_GEMM1X1;
        return k;
    }
    int64_t co = conv_co(x, n), hw = n->out.d[2] * n->out.d[3];
    static const int ps[] = {1, 2, 4, 6, 8, 12, 16};
    static const int vs[] = {1, 2, 4};
    int k = 0;
    for (size_t vi = 0; vi < 3; vi++) {
        int v = vs[vi];
        if (v > 1 && 16 * v > round16(hw)) break;
        for (size_t pi = 0; pi < 7; pi++) {
            int p = ps[pi];
            if (p * v > 24 || (p > 1 && ps[pi - 1] >= co)) continue;
            /* fast: 12 to 16 accumulators, or a block that covers every channel or pixel */
            if (!full && !((v == 1 && p >= 12) || (v == 2 && (p == 6 || p == 8)) || (v == 4 && p == 4) || p >= co ||
                           (16 * v >= hw && p >= 4)))
                continue;
            out[k++] = (struct cf_algo){CF_ALGO_GEMM1X1, p, v};
        }
    }
    return k;
}

/* Winograd F(2x2,3x3): P tiles x V vectors of channels, 4*P*V vectors live in the channel loop */
static int winograd_candidates(const struct cf_exec *x, const struct cf_node *n, int full, struct cf_algo *out)
{
    int64_t tiles = (conv_wo(x, n) + 1) / 2, vmax = round16(conv_co(x, n)) / 16;
    static const int ps[] = {1, 2, 3, 4, 6};
    static const int vs[] = {1, 2, 4};
    int k = 0;
    for (size_t vi = 0; vi < 3; vi++) {
        int v = vs[vi];
        if (v > vmax) break;
        for (size_t pi = 0; pi < 5; pi++) {
            int p = ps[pi];
            if (4 * p * v > 24 || (p > 1 && p > tiles)) continue;
            if (!full && !((v == 1 && (p == 4 || p == 6)) || (v == 2 && (p == 2 || p == 3)) || v == 4 ||
                           (tiles < 4 && p == tiles)))
                continue;
            out[k++] = (struct cf_algo){CF_ALGO_WINOGRAD, p, v};
        }
    }
    return k;
}

/* NCHW with vectors of pixels: P channels x V vectors of 16 columns, P*V accumulators */
static int rows_candidates(const struct cf_exec *x, const struct cf_node *n, int full, struct cf_algo *out)
{
    int64_t co = conv_co(x, n), nv = (n->out.d[3] + 15) / 16;
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

static int dense_candidates(const struct cf_node *n, int full, struct cf_algo *out)
{
    int64_t rows = dense_rows(n);
    static const int rs[] = {1, 2, 4, 8};
    static const int ms[] = {1, 2, 4, 8};
    int k = 0;
    for (size_t mi = 0; mi < 4; mi++) {
        int mr = ms[mi];
        if (mr > 1 && mr > rows) break;
        for (size_t ri = 0; ri < 4; ri++) {
            int r = rs[ri];
            if (r * mr > 32 || r > n->a.filters) continue;
            /* fast: at one row the split-K GEMV stands for the GEMVs (as fast, and its weights need no copy) */
            if (!full && !((mr == 1 && rows == 2 && (r == 4 || r == 8)) || (rows > 2 && mr >= 4 && r == 4) ||
                           (rows > 2 && mr == 2 && r == 8)))
                continue;
            out[k++] = (struct cf_algo){CF_ALGO_DENSE_TILED, r, mr};
        }
    }
    return k;
}

/* split-K GEMV: KC inputs x V vectors of units per work-item; a block of all the units (up to 32 vectors) reads one
 * contiguous piece of the weights */
static int splitk_candidates(const struct cf_node *n, int full, struct cf_algo *out)
{
    int64_t nvt = (n->a.filters + 15) / 16;
    static const int kcs[] = {64, 128, 256, 512, 1024};
    static const int vs[] = {4, 8, 16, 32};
    int k = 0;
    for (size_t vi = 0; vi < 4; vi++) {
        int v = vs[vi];
        if (vi > 0 && vs[vi - 1] >= nvt) break;
        for (size_t ki = 0; ki < 5; ki++) {
            int kc = kcs[ki];
            if (!full && !((kc == 256 || kc == 512) && (v == 8 || v >= nvt || v == 32))) continue;
            out[k++] = (struct cf_algo){CF_ALGO_DENSE_SPLITK, kc, v};
        }
    }
    return k;
}

/* NCHW depthwise at stride 1 along the row keeps P rows x NV vectors of accumulators: the most rows for at most 24 */
static int dw_rows_max(const struct cf_node *n)
{
    int64_t nv = (n->out.d[3] + 15) / 16;
    return !cf_row_windows(&n->a, 1) ? 64 : nv >= 24 ? 1 : (int)(24 / nv);
}

/* depthwise: pixels per work-item (NHWC) or rows (NCHW) */
static int depthwise_candidates(const struct cf_exec *x, const struct cf_node *n, int full, struct cf_algo *out)
{
    int nchw = x->g->layout == CF_LAYOUT_NCHW, k = 0;
    int64_t len = nchw ? n->out.d[2] : conv_wo(x, n);
    static const int ps[] = {1, 2, 4, 8, 16};
    for (size_t i = 0; i < 5; i++) {
        int p = ps[i];
        if ((p > 1 && p > len) || (nchw && p > 1 && p > dw_rows_max(n))) break;
        if (!full && p < 4 && !(p == 1 && len < 4) && !(nchw && p == dw_rows_max(n))) continue;
        out[k++] = (struct cf_algo){CF_ALGO_DEPTHWISE, p, nchw ? 2 : 1};
    }
    return k;
}

/* NCHW pooling: P rows per work-item, P x NV accumulators at most 24 */
static int pool_candidates(const struct cf_node *n, int full, struct cf_algo *out)
{
    int64_t ho = n->out.d[2], nv = (n->out.d[3] + 15) / 16;
    static const int ps[] = {1, 2, 4, 8, 16};
    int k = 0;
    for (size_t i = 0; i < 5; i++) {
        int p = ps[i];
        if (p > 1 && (p > ho || p * nv > 24)) break;
        if (!full && p < 4 && !(p * 2 > ho || p * 2 * nv > 24)) continue; /* fast: 4 rows and up, or the most */
        out[k++] = (struct cf_algo){CF_ALGO_POOL_ROWS, p, 1};
    }
    return k;
}

/* the rule of thumb when nothing is timed */
static struct cf_algo heuristic(const struct cf_exec *x, const struct cf_node *n)
{
    if (family_of(x, n) == CF_ALGO_POOL_ROWS) { /* as many rows as keep 16 accumulators or fewer */
        int p = 16;
        while (p > 1 && (p > n->out.d[2] || p * ((n->out.d[3] + 15) / 16) > 16)) p /= 2;
        return (struct cf_algo){CF_ALGO_POOL_ROWS, p, 1};
    }
    if (family_of(x, n) == CF_ALGO_DEPTHWISE) {
        int nchw = x->g->layout == CF_LAYOUT_NCHW;
        int64_t len = nchw ? n->out.d[2] : conv_wo(x, n);
        /* NCHW: as many rows as keep 16 accumulators or fewer (each input row then feeds more of them) */
        int p = nchw ? 16 : 4;
        while (nchw && p > 1 && p * ((n->out.d[3] + 15) / 16) > 16) p /= 2;
        return (struct cf_algo){CF_ALGO_DEPTHWISE, len < p ? (int)len : p, nchw ? 2 : 1};
    }
    if (x->g->layout == CF_LAYOUT_NCHW && (kinds_of(x, n) & 1u << CF_ALGO_GEMM1X1)) {
        /* NCHW 1x1: whole vectors of pixels in and out beat the blocked kernel's scattered stores (3x on PoCL) */
        int64_t co = conv_co(x, n), hw = n->out.d[2] * n->out.d[3];
        return (struct cf_algo){CF_ALGO_GEMM1X1, co < 8 ? (int)co : 8, hw <= 16 ? 1 : 2};
    }
    if ((kinds_of(x, n) & 1u << CF_ALGO_CONV_ROWS) && (n->a.strides[1] == 1 || n->out.d[3] >= 16)) {
        /* NCHW at stride 1 along the row: vectors of pixels (2-9x the blocked kernel on the PyTorch blocks); at stride
         * 2 when the rows fill a vector (MobileNet's stem: 4x; ResNet's 8-wide c1 runs 2x slower than blocked) */
        int64_t co = conv_co(x, n);
        return (struct cf_algo){CF_ALGO_CONV_ROWS, co < 8 ? (int)co : 8, n->out.d[3] <= 16 ? 1 : 2};
    }
    if (n->op == CF_OP_CONV2D) {
        int v = (int)(round16(conv_co(x, n)) / 16);
        if (v > 4) v = 4;
        int p = v >= 4 ? 4 : v == 2 ? 6 : 12, k = pool_of(n);
        if (k > 1 && v > 2) v = 2;
        if (p > conv_wo(x, n)) p = (int)conv_wo(x, n);
        p = (p + k - 1) / k * k;
        return (struct cf_algo){CF_ALGO_CONV_BLOCKED, p, v};
    }
    int64_t rows = dense_rows(n), nvt = (n->a.filters + 15) / 16;
    if (rows == 1) return (struct cf_algo){CF_ALGO_DENSE_SPLITK, 256, nvt < 32 ? (int)nvt : 32};
    return rows <= 2 ? (struct cf_algo){CF_ALGO_DENSE_TILED, 4, 1} : (struct cf_algo){CF_ALGO_DENSE_TILED, 4, 4};
}

/* whether a kernel can run a layer: one of the layer's families, a depthwise form of its layout, a conv block of whole
 * pool windows, blocks whose reads stay inside the padded weights */
static int fits(const struct cf_exec *x, const struct cf_node *n, const struct cf_algo *a)
{
    if (!(kinds_of(x, n) & 1u << a->kind)) return 0;
    switch (a->kind) {
    case CF_ALGO_DEPTHWISE: return a->b == (x->g->layout == CF_LAYOUT_NCHW ? 2 : 1) && a->a <= 64;
    case CF_ALGO_CONV_BLOCKED: return a->a % pool_of(n) == 0 && a->a <= 64 && a->b <= 64;
    case CF_ALGO_GEMM1X1:
    case CF_ALGO_WINOGRAD:
    case CF_ALGO_CONV_ROWS: return a->a <= 16 && a->b <= 8;
    case CF_ALGO_CLBLAST: return a->a == 1 && a->b == 1;
    case CF_ALGO_DENSE_SPLITK: return a->b <= 32;
    case CF_ALGO_POOL_ROWS: return a->b == 1 && a->a <= 64;
    default: return a->a <= 64 && a->b <= 64;
    }
}

/* "conv=blocked:8:2,depthwise=blocked:4,dense=tiled:4:4" (for tests and experiments); "conv=gemm:P:V" and
 * "conv=winograd:P:V" force the layers they fit, and leave the others to the rule of thumb */
static int forced(const struct cf_exec *x, const char *spec, const struct cf_node *n, struct cf_algo *out)
{
    if (!spec) return 0;
    enum cf_algo_kind fam = family_of(x, n);
    const char *what = fam == CF_ALGO_DEPTHWISE ? "depthwise=" : fam == CF_ALGO_POOL_ROWS ? "pool=" : n->op == CF_OP_CONV2D ? "conv=" : "dense=";
    const char *p = strstr(spec, what);
    if (!p) return 0;
    p += strlen(what);
    int a = 0, b = 0;
    if (strncmp(p, "direct", 6) == 0) {
        *out = (struct cf_algo){CF_ALGO_GENERIC, 0, 0};
        return 1;
    }
    if (fam == CF_ALGO_DEPTHWISE && sscanf(p, "blocked:%d", &a) == 1 && a > 0) {
        *out = (struct cf_algo){CF_ALGO_DEPTHWISE, a, x->g->layout == CF_LAYOUT_NCHW ? 2 : 1};
        return 1;
    }
    if (strncmp(p, "clblast", 7) == 0) {
        *out = (struct cf_algo){CF_ALGO_CLBLAST, 1, 1};
        return fits(x, n, out);
    }
    if (sscanf(p, "gemm:%d:%d", &a, &b) == 2 && a > 0 && b > 0) {
        *out = (struct cf_algo){CF_ALGO_GEMM1X1, a, b};
        return fits(x, n, out);
    }
    if (sscanf(p, "rows:%d:%d", &a, &b) == 2 && a > 0 && b > 0) {
        *out = (struct cf_algo){CF_ALGO_CONV_ROWS, a, b};
        return fits(x, n, out);
    }
    if (fam == CF_ALGO_POOL_ROWS && sscanf(p, "rows:%d", &a) == 1 && a > 0) {
        *out = (struct cf_algo){CF_ALGO_POOL_ROWS, a, 1};
        return 1;
    }
    if (sscanf(p, "splitk:%d:%d", &a, &b) == 2 && a > 0 && b > 0) {
        *out = (struct cf_algo){CF_ALGO_DENSE_SPLITK, a, b};
        return fits(x, n, out);
    }
    if (sscanf(p, "winograd:%d:%d", &a, &b) == 2 && a > 0 && b > 0) {
        *out = (struct cf_algo){CF_ALGO_WINOGRAD, a, b};
        return fits(x, n, out);
    }
    if (fam == CF_ALGO_CONV_BLOCKED && sscanf(p, "blocked:%d:%d", &a, &b) == 2 && a > 0 && b > 0) {
        int k = pool_of(n); /* (whole pool windows per block) */
        *out = (struct cf_algo){CF_ALGO_CONV_BLOCKED, (a + k - 1) / k * k, b};
        return 1;
    }
    if (n->op == CF_OP_DENSE && sscanf(p, "tiled:%d:%d", &a, &b) == 2 && a > 0 && b > 0) {
        *out = (struct cf_algo){CF_ALGO_DENSE_TILED, a, b};
        return 1;
    }
    return 0;
}

/* --- the tuning database: lines "key<TAB>kind a b" in $XDG_CACHE_HOME/clinfer/tune.txt --- */

static void db_path(const struct cf_cl_device *dev, char *out, size_t size)
{
    char dir[1200];
    if (!cf_cl_cache_dir(dir, sizeof dir)) {
        out[0] = '\0';
        return;
    }
    uint64_t h = 1469598103934665603ull;
    for (const char *p = dev->name; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    for (const char *p = dev->driver; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    snprintf(out, size, "%s/tune-%016llx.txt", dir, (unsigned long long)h);
}

static int db_lookup(const struct cf_cl_device *dev, const char *key, struct cf_algo *out)
{
    char path[1400], line[4096];
    db_path(dev, path, sizeof path);
    FILE *f = path[0] ? fopen(path, "r") : NULL;
    if (!f) return 0;
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t');
        if (!tab) continue;
        *tab = '\0';
        int kind, a, b;
        if (strcmp(line, key) == 0 && sscanf(tab + 1, "%d %d %d", &kind, &a, &b) == 3 &&
            kind > CF_ALGO_GENERIC && kind < CF_ALGO_COUNT && a > 0 && b > 0 && a <= 4096 && b <= 64) {
            *out = (struct cf_algo){(enum cf_algo_kind)kind, a, b};
            found = 1; /* the last line for a key wins */
        }
    }
    fclose(f);
    return found;
}

/* appends a line: a whole new file, renamed over the old one, so that readers never see half a line */
static void db_store(const struct cf_cl_device *dev, const char *key, const struct cf_algo *a)
{
    char path[1400], tmp[1500];
    db_path(dev, path, sizeof path);
    if (!path[0]) return;
    FILE *out = cf_replace_open(path, tmp, sizeof tmp), *in = out ? fopen(path, "r") : NULL;
    if (!out) {
        if (in) fclose(in);
        return;
    }
    char buf[4096];
    size_t got;
    while (in && (got = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, got, out);
    if (in) fclose(in);
    fprintf(out, "%s\t%d %d %d\n", key, (int)a->kind, a->a, a->b);
    cf_replace_commit(out, tmp, path, 1);
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

/* Memory to write count floats of weights into, for a read-only buffer that weights_end makes: on a CPU device,
 * large weights are host memory of our own (cf_malloc: its pages made in one call) that the buffer then uses in
 * place; elsewhere a new buffer, mapped. NULL (and *err) when a step fails. */
static float *weights_begin(const struct cf_tune_env *E, size_t count, cl_mem *m, float **host, cl_int *err)
{
    *m = NULL;
    *host = NULL;
    if ((E->dev->type & CL_DEVICE_TYPE_CPU) && count * sizeof(float) >= ((size_t)4 << 20)) {
        *host = cf_malloc(sizeof(float) * count);
        *err = *host ? CL_SUCCESS : CL_OUT_OF_HOST_MEMORY;
        return *host;
    }
    *m = clCreateBuffer(E->ctx, CL_MEM_READ_ONLY, sizeof(float) * count, NULL, err);
    if (!*m || *err != CL_SUCCESS) return NULL;
    float *p = clEnqueueMapBuffer(E->q, *m, CL_TRUE, CL_MAP_WRITE_INVALIDATE_REGION, 0, sizeof(float) * count, 0, NULL,
                                  NULL, err);
    return p && *err == CL_SUCCESS ? p : NULL;
}

static cl_int weights_end(const struct cf_tune_env *E, size_t count, cl_mem *m, float *host, float *p)
{
    cl_int err = CL_SUCCESS;
    if (host) *m = clCreateBuffer(E->ctx, CL_MEM_READ_ONLY | CL_MEM_USE_HOST_PTR, sizeof(float) * count, host, &err);
    else if (p) err = clEnqueueUnmapMemObject(E->q, *m, p, 0, NULL, NULL);
    return err;
}

/* U = G g G^T for each (input, output) channel pair: g [3][3][C][CO] (HWIO), U [16][C][CO16], the padding zero.
 * G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1] */
static void winograd_weights(const float *g, int64_t c, int64_t co, int64_t co16, float *u)
{
    for (int64_t ci = 0; ci < c; ci++)
        for (int64_t o = 0; o < co16; o++) {
            float gg[3][3], t[4][3];
            for (int ky = 0; ky < 3; ky++)
                for (int kx = 0; kx < 3; kx++) gg[ky][kx] = o < co ? g[((ky * 3 + kx) * c + ci) * co + o] : 0.0f;
            for (int kx = 0; kx < 3; kx++) { /* G g: the rows */
                t[0][kx] = gg[0][kx];
                t[1][kx] = 0.5f * (gg[0][kx] + gg[1][kx] + gg[2][kx]);
                t[2][kx] = 0.5f * (gg[0][kx] - gg[1][kx] + gg[2][kx]);
                t[3][kx] = gg[2][kx];
            }
            for (int r = 0; r < 4; r++) { /* (G g) G^T: the columns */
                float v[4] = {t[r][0], 0.5f * (t[r][0] + t[r][1] + t[r][2]), 0.5f * (t[r][0] - t[r][1] + t[r][2]), t[r][2]};
                for (int j = 0; j < 4; j++) u[((r * 4 + j) * c + ci) * co16 + o] = v[j];
            }
        }
}

/* The split-K GEMV's buffers (t->k made): the Keras weights [cin][units] themselves (on a CPU device, their memory
 * used in place when it is page-aligned, as large weights are), the bias padded to whole vectors, the partial rows;
 * and the kernel that sums them, unless there is one chunk. */
static clinfer_status splitk_build(const struct cf_tune_env *E, int node, const struct cf_algo *a, struct cf_tuned *t,
                                   struct cf_diag *d)
{
    const struct cf_node *n = &E->x->g->nodes[node];
    const struct cf_tensor *k = host_weight(E->x, node, "kernel"), *b = host_weight(E->x, node, "bias");
    int64_t cin = k->desc.dims[0], units = k->desc.dims[1], nvt = (units + 15) / 16, chunks = (cin + a->a - 1) / a->a;
    size_t bytes = sizeof(float) * (size_t)(cin * units);
    int in_place = (E->dev->type & CL_DEVICE_TYPE_CPU) && (uintptr_t)k->data % 4096 == 0;
    cl_int err, e2 = CL_SUCCESS, e3 = CL_SUCCESS, e4 = CL_SUCCESS;
    t->w = clCreateBuffer(E->ctx, CL_MEM_READ_ONLY | (in_place ? CL_MEM_USE_HOST_PTR : CL_MEM_COPY_HOST_PTR), bytes,
                          (void *)k->data, &err);
    float *bias = cf_calloc((size_t)(nvt * 16), sizeof(float));
    if (!bias) return cf_fail_oom(d);
    if (b) memcpy(bias, b->data, sizeof(float) * (size_t)units);
    if (err == CL_SUCCESS)
        t->b = clCreateBuffer(E->ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, sizeof(float) * (size_t)(nvt * 16), bias, &e2);
    cf_free(bias);
    if (err == CL_SUCCESS && e2 == CL_SUCCESS)
        t->scratch = clCreateBuffer(E->ctx, CL_MEM_READ_WRITE, sizeof(float) * (size_t)(chunks * nvt * 16), NULL, &e3);
    if (err == CL_SUCCESS && e2 == CL_SUCCESS && e3 == CL_SUCCESS && chunks > 1) /* (one chunk: one kernel) */
        t->k2 = clCreateKernel(t->prog, "dense_splitk_sum_f32", &e4);
    if (err != CL_SUCCESS || e2 != CL_SUCCESS || e3 != CL_SUCCESS || e4 != CL_SUCCESS)
        return cf_cl_fail(d, "clCreateBuffer/clCreateKernel", n->name,
                          err != CL_SUCCESS ? err : e2 != CL_SUCCESS ? e2 : e3 != CL_SUCCESS ? e3 : e4);
    t->gws[0] = (size_t)((nvt + a->b - 1) / a->b); /* vector blocks x chunks of the inputs */
    t->gws[1] = (size_t)chunks;
    t->gws[2] = 1;
    return CLINFER_OK;
}

static clinfer_status build(const struct cf_tune_env *E, int node, const struct cf_algo *a, struct cf_tuned *t,
                            struct cf_diag *d)
{
    const struct cf_exec *x = E->x;
    const struct cf_node *n = &x->g->nodes[node];
    memset(t, 0, sizeof *t);
    t->algo = *a;
    char defs[1024];
    layer_defines(x, n, a, defs, sizeof defs, NULL, 0);
    if (a->kind == CF_ALGO_CLBLAST) {
        clinfer_status st = cf_clblast_build(E, node, defs, t, d);
        if (st) cf_tuned_release(t);
        return st;
    }
    int cached;
    const char *kname = families[a->kind].kernel;
    clinfer_status st = cf_cl_program_file(E->ctx, E->dev, families[a->kind].file, defs, &t->prog, &cached, d);
    if (st) return st;
    cl_int err;
    t->k = clCreateKernel(t->prog, kname, &err);
    if (!t->k || err != CL_SUCCESS) {
        cf_tuned_release(t);
        return cf_cl_fail(d, "clCreateKernel", kname, err);
    }
    if (a->kind == CF_ALGO_DENSE_SPLITK) {
        st = splitk_build(E, node, a, t, d);
        if (st) cf_tuned_release(t);
        return st;
    }
    if (a->kind == CF_ALGO_POOL_ROWS) { /* no weights: row blocks x (image, channel) planes */
        t->gws[0] = (size_t)((n->out.d[2] + a->a - 1) / a->a);
        t->gws[1] = (size_t)(n->out.d[0] * n->out.d[1]);
        t->gws[2] = 1;
        return CLINFER_OK;
    }
    /* the weights in the kernel's layout: conv and 1x1 [KH][KW][C][CO16], Winograd [16][C][CO16] (G g G^T),
     * depthwise [KH][KW][CO16], dense [units][cin] */
    int conv = a->kind != CF_ALGO_DENSE_TILED, dw = a->kind == CF_ALGO_DEPTHWISE, wino = a->kind == CF_ALGO_WINOGRAD;
    const struct cf_tensor *k = host_weight(x, node, n->op == CF_OP_DEPTHWISE_CONV2D ? "depthwise_kernel" : "kernel"),
                           *b = host_weight(x, node, "bias");
    int64_t co = conv ? conv_co(x, n) : n->a.filters, co16 = conv ? round16(co) : co;
    int64_t rows_in = dw     ? (int64_t)n->a.kernel[0] * n->a.kernel[1]
                      : wino ? 16 * k->desc.dims[2]
                             : k->desc.dims[0] * (conv ? k->desc.dims[1] * k->desc.dims[2] : 1);
    /* written straight into the device's buffers (mapped: no host copy on a CPU device) */
    size_t wn = (size_t)(rows_in * co16 + 16), bn = (size_t)co16 + 16;
    float *bhost = NULL, *wbuf = weights_begin(E, wn, &t->w, &t->host_w, &err),
          *bbuf = wbuf ? weights_begin(E, bn, &t->b, &bhost, &err) : NULL;
    if (!wbuf || !bbuf) {
        weights_end(E, wn, &t->w, t->host_w, wbuf);
        cf_tuned_release(t);
        return cf_cl_fail(d, "clCreateBuffer/clEnqueueMapBuffer", n->name, err);
    }
    if (wino) {
        winograd_weights(k->data, k->desc.dims[2], co, co16, wbuf);
    } else if (conv) {
        for (int64_t r = 0; r < rows_in; r++) {
            memcpy(wbuf + r * co16, k->data + r * co, sizeof(float) * (size_t)co);
            memset(wbuf + r * co16 + co, 0, sizeof(float) * (size_t)(co16 - co));
        }
    } else {
        /* [cin][units] -> [units][cin] in tiles of 8 rows x 16 units: 8 cache lines read, whatever the stride
         * (64 rows of a power-of-two stride share too few cache sets), and 16 runs of 8 floats written */
        for (int64_t r0 = 0; r0 < rows_in; r0 += 8)
            for (int64_t c0 = 0; c0 < co; c0 += 16)
                for (int64_t c = c0; c < c0 + 16 && c < co; c++)
                    for (int64_t r = r0; r < r0 + 8 && r < rows_in; r++) wbuf[c * rows_in + r] = k->data[r * co + c];
    }
    memset(wbuf + rows_in * co16, 0, 16 * sizeof(float));
    memset(bbuf, 0, bn * sizeof(float));
    if (b) memcpy(bbuf, b->data, sizeof(float) * (size_t)co);
    err = weights_end(E, wn, &t->w, t->host_w, wbuf);
    cl_int err2 = weights_end(E, bn, &t->b, bhost, bbuf); /* (the bias is small: always a mapped buffer) */
    if (err != CL_SUCCESS || err2 != CL_SUCCESS) {
        cf_tuned_release(t);
        return cf_cl_fail(d, "clCreateBuffer/clEnqueueUnmapMemObject", n->name, err != CL_SUCCESS ? err : err2);
    }
    int nchw = x->g->layout == CF_LAYOUT_NCHW;
    if (a->kind == CF_ALGO_GEMM1X1 && nchw) { /* channel blocks x pixel vectors x images */
        t->gws[0] = (size_t)((co + a->a - 1) / a->a);
        t->gws[1] = (size_t)((n->out.d[2] * n->out.d[3] + 16 * a->b - 1) / (16 * a->b));
        t->gws[2] = (size_t)n->out.d[0];
    } else if (a->kind == CF_ALGO_GEMM1X1) { /* channel vectors x pixel blocks, across rows and images */
        t->gws[0] = (size_t)((co16 / 16 + a->b - 1) / a->b);
        t->gws[1] = (size_t)((n->out.d[0] * n->out.d[1] * n->out.d[2] + a->a - 1) / a->a);
        t->gws[2] = 1;
    } else if (a->kind == CF_ALGO_CONV_ROWS) { /* channel blocks x pixel-vector blocks x images and rows */
        t->gws[0] = (size_t)((co + a->a - 1) / a->a);
        t->gws[1] = (size_t)((n->out.d[3] + 16 * a->b - 1) / (16 * a->b));
        t->gws[2] = (size_t)(n->out.d[0] * n->out.d[2]);
    } else if (wino) { /* channel vectors x tile blocks x images and tile rows */
        t->gws[0] = (size_t)((co16 / 16 + a->b - 1) / a->b);
        t->gws[1] = (size_t)(((conv_wo(x, n) + 1) / 2 + a->a - 1) / a->a);
        t->gws[2] = (size_t)(n->out.d[0] * ((n->out.d[nchw ? 2 : 1] + 1) / 2));
    } else if (dw && a->b == 2) { /* NCHW: row blocks x images and channels */
        t->gws[0] = (size_t)((n->out.d[2] + a->a - 1) / a->a);
        t->gws[1] = (size_t)(n->out.d[0] * co);
        t->gws[2] = 1;
    } else if (dw) { /* NHWC: channel vectors x pixel blocks x images and rows */
        t->gws[0] = (size_t)(co16 / 16);
        t->gws[1] = (size_t)((conv_wo(x, n) + a->a - 1) / a->a);
        t->gws[2] = (size_t)(n->out.d[0] * n->out.d[1]);
    } else if (conv) {
        t->gws[0] = (size_t)(co16 / (16 * a->b) + (co16 % (16 * a->b) != 0));
        t->gws[1] = (size_t)((conv_wo(x, n) + a->a - 1) / a->a);
        t->gws[2] = (size_t)(n->out.d[0] * n->out.d[nchw ? 2 : 1]);
    } else {
        int64_t rows = 1;
        for (int r = 0; r < n->out.rank - 1; r++) rows *= n->out.d[r];
        t->gws[0] = (size_t)((rows + a->b - 1) / a->b); /* row blocks x unit blocks */
        t->gws[1] = (size_t)((co + a->a - 1) / a->a);
        t->gws[2] = 1;
    }
    return CLINFER_OK;
}

clinfer_status cf_tuned_launch(const struct cf_tune_env *E, int node, const struct cf_tuned *t, double *ms,
                               struct cf_diag *d)
{
    if (t->algo.kind == CF_ALGO_CLBLAST) return cf_clblast_launch(E, node, t, ms, d);
    const struct cf_node *n = &E->x->g->nodes[node];
    cl_uint xo = (cl_uint)(E->x->plan->offset[n->in[0]] / sizeof(float)), yo = (cl_uint)(E->x->plan->offset[node] / sizeof(float));
    cl_float4 ap;
    ap.s[0] = n->a.alpha, ap.s[1] = n->a.beta, ap.s[2] = n->a.max_value, ap.s[3] = n->a.threshold;
    cl_int err = clSetKernelArg(t->k, 0, sizeof(cl_mem), &E->arena);
    err |= clSetKernelArg(t->k, 1, sizeof xo, &xo);
    err |= clSetKernelArg(t->k, 2, sizeof yo, &yo);
    err |= clSetKernelArg(t->k, 3, sizeof(cl_mem), &t->w);
    err |= clSetKernelArg(t->k, 4, sizeof(cl_mem), &t->b);
    err |= clSetKernelArg(t->k, 5, sizeof ap, &ap);
    if (t->algo.kind == CF_ALGO_DENSE_SPLITK) err |= clSetKernelArg(t->k, 6, sizeof(cl_mem), &t->scratch);
    if (err != CL_SUCCESS) return cf_cl_fail(d, "clSetKernelArg", n->name, err);
    size_t local[3] = {1, 1, 1};
    cl_event ev = NULL;
    err = clEnqueueNDRangeKernel(E->q, t->k, 3, NULL, t->gws, local, 0, NULL, ms ? &ev : NULL);
    if (err == CL_SUCCESS && ms) *ms += cf_cl_event_ms(ev);
    if (err == CL_SUCCESS && t->algo.kind == CF_ALGO_DENSE_SPLITK && t->k2) { /* the sum over the chunks: a vector of units each */
        size_t g = (size_t)(n->a.filters + 15) / 16;
        err = clSetKernelArg(t->k2, 0, sizeof(cl_mem), &E->arena);
        err |= clSetKernelArg(t->k2, 1, sizeof yo, &yo);
        err |= clSetKernelArg(t->k2, 2, sizeof(cl_mem), &t->b);
        err |= clSetKernelArg(t->k2, 3, sizeof ap, &ap);
        err |= clSetKernelArg(t->k2, 4, sizeof(cl_mem), &t->scratch);
        if (err == CL_SUCCESS) err = clEnqueueNDRangeKernel(E->q, t->k2, 1, NULL, &g, local, 0, NULL, ms ? &ev : NULL);
        if (err == CL_SUCCESS && ms) *ms += cf_cl_event_ms(ev);
    }
    if (err != CL_SUCCESS) {
        char what[300];
        snprintf(what, sizeof what, "%s, layer '%s'", families[t->algo.kind].kernel, n->name);
        return cf_cl_fail(d, "clEnqueueNDRangeKernel", what, err);
    }
    return CLINFER_OK;
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

/* Times the candidates on a random input and keeps the fastest whose first image matches ref. */
static clinfer_status tune(const struct cf_tune_env *E, int node, const struct cf_algo *cands, int nc,
                           struct cf_algo *best, struct cf_diag *d)
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
    for (int c = 0; c < nc; c++) {
        cf_progress(d, "tuning", c, nc, n->name);
        struct cf_tuned t;
        struct cf_diag ignored = {0};
        if (build(E, node, &cands[c], &t, &ignored)) continue; /* a block the compiler refuses is no candidate */
        double ms = 0;
        int ok = cf_tuned_launch(E, node, &t, &ms, &ignored) == CLINFER_OK;
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
            if (cf_tuned_launch(E, node, &t, &times[nt], &ignored) != CLINFER_OK) break;
        }
        cf_tuned_release(&t);
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
    enum cf_algo_kind fam = family_of(x, n);
    if (fam == CF_ALGO_GENERIC) return CLINFER_OK;
    struct cf_algo a;
    char key[1024], defs[1024];
    layer_defines(x, n, NULL, defs, sizeof defs, key, sizeof key);
    /* (a database line that does not fit the layer is not believed) */
    if (!forced(x, x->algo, n, &a) &&
        !(db_lookup(E->dev, key, &a) && fits(x, n, &a))) {
        if (x->tune == 0) {
            a = heuristic(x, n);
        } else {
            struct cf_algo cands[128];
            int full = x->tune == 2;
            unsigned kinds = kinds_of(x, n);
            int nc = fam == CF_ALGO_CONV_BLOCKED ? conv_candidates(x, n, full, cands)
                     : fam == CF_ALGO_DEPTHWISE  ? depthwise_candidates(x, n, full, cands)
                     : fam == CF_ALGO_POOL_ROWS  ? pool_candidates(n, full, cands)
                                                 : dense_candidates(n, full, cands);
            if (kinds & 1u << CF_ALGO_GEMM1X1) nc += gemm1x1_candidates(x, n, full, cands + nc);
            if (kinds & 1u << CF_ALGO_WINOGRAD) nc += winograd_candidates(x, n, full, cands + nc);
            if (kinds & 1u << CF_ALGO_CONV_ROWS) nc += rows_candidates(x, n, full, cands + nc);
            if (kinds & 1u << CF_ALGO_DENSE_SPLITK) nc += splitk_candidates(n, full, cands + nc);
            if (kinds & 1u << CF_ALGO_CLBLAST) cands[nc++] = (struct cf_algo){CF_ALGO_CLBLAST, 1, 1};
            cands[nc++] = heuristic(x, n);
            clinfer_status st = tune(E, node, cands, nc, &a, d);
            if (st) return st;
            db_store(E->dev, key, &a);
        }
    }
    if (a.kind == CF_ALGO_GENERIC) return CLINFER_OK;
    return build(E, node, &a, out, d);
}
