/* Conv, ConvTranspose, MaxPool, AveragePool and the global pools; 1-D forms as 2-D of height 1. Weights are rearranged
 * once into the IR's layouts: Conv W (M, C/G, kh, kw) -> (kh, kw, C/G, M); ConvTranspose W (C, M, kh, kw) ->
 * (kh, kw, M, C). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../passes/passes.h"
#include "../../util/alloc.h"
#include "../../util/strbuf.h"
#include "onnx_ops.h"

/* --- the ops --- */


static clinfer_status padding_of(struct onnx_ctx *X, const Onnx__NodeProto *n, struct cf_attrs *a)
{
    char ap[32];
    cf_onnx_attr_s(n, "auto_pad", "NOTSET", ap, sizeof ap);
    int64_t p[4] = {0, 0, 0, 0};
    int np = cf_onnx_attr_ints(n, "pads", p, 4);
    if (X->one_d && np == 2) { /* [begin, end] of the one axis: the rows get none */
        p[3] = p[1], p[1] = p[0], p[0] = p[2] = 0;
        np = 4;
    }
    if (np >= 0 && np != 4) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "pads has %d values; clinfer runs 2-D ops (4)", np);
    if (strcmp(ap, "NOTSET") == 0) a->padding = CF_PAD_EXPLICIT;
    else if (strcmp(ap, "SAME_UPPER") == 0) a->padding = CF_PAD_SAME;
    else if (strcmp(ap, "SAME_LOWER") == 0) a->padding = CF_PAD_SAME_LOWER;
    else if (strcmp(ap, "VALID") == 0) a->padding = CF_PAD_VALID;
    else return cf_onnx_fail(X, CLINFER_E_MODEL, "auto_pad '%s' is not NOTSET, SAME_UPPER, SAME_LOWER or VALID", ap);
    for (int k = 0; k < 4; k++)
        if (p[k] < 0 || p[k] > (1 << 20)) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "pads (%lld) out of range", (long long)p[k]);
    /* ONNX: [h_begin, w_begin, h_end, w_end]; IR: top, bottom, left, right */
    a->pads[0] = (int)p[0], a->pads[1] = (int)p[2], a->pads[2] = (int)p[1], a->pads[3] = (int)p[3];
    return CLINFER_OK;
}

static clinfer_status pair_attr(struct onnx_ctx *X, const Onnx__NodeProto *n, const char *name, int *out, int def)
{
    int64_t v[2] = {def, def};
    int c = cf_onnx_attr_ints(n, name, v + X->one_d, 2 - X->one_d);
    if (X->one_d && c == 1) c = 2;
    if (c >= 0 && c != 2) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "%s has %d values; clinfer runs 2-D ops", name, c);
    for (int k = 0; k < 2; k++) {
        if (v[k] < 1 || v[k] > (1 << 20)) return cf_onnx_fail(X, CLINFER_E_MODEL, "%s (%lld) must be positive", name, (long long)v[k]);
        out[k] = (int)v[k];
    }
    return CLINFER_OK;
}

static clinfer_status need_4d(struct onnx_ctx *X, int idx)
{
    const struct cf_shape *s = cf_onnx_ir_shape(X, idx);
    if (s->rank != 4) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "its input has rank %d; clinfer runs 2-D ops (rank 4)", s->rank);
    return CLINFER_OK;
}

/* A weight given at run time (ONNX node tests pass W, B, scale, ... as graph inputs): a Transpose into the IR's
 * layout, then an extra input of the node. `perm` NULL: as it is. */
clinfer_status cf_onnx_runtime_weight(struct onnx_ctx *X, struct oval *v, const int *perm, int rank, int *idx)
{
    clinfer_status st = cf_onnx_as_ir(X, v, idx);
    if (st || !perm) return st;
    struct cf_attrs a;
    cf_attrs_default(&a);
    for (int k = 0; k < rank; k++) a.perm[k] = perm[k];
    return cf_onnx_add_ir(X, CF_OP_TRANSPOSE, &a, idx, 1, idx);
}

static clinfer_status conv_runtime(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                   struct oval *out, int transpose);

/* Gives Conv or ConvTranspose node idx its weights: W (d0, d1, kh, kw) as the kernel (kh, kw, d1, d0) — Conv's W
 * (M, C/G, kh, kw) -> (kh, kw, C/G, M), ConvTranspose's (C, M, kh, kw) -> (kh, kw, M, C) — and B, of `filters`
 * values; counts both as its parameters and makes the node the value's producer. */
static clinfer_status set_conv_weights(struct onnx_ctx *X, int idx, struct ctensor *W, struct ctensor *B,
                                       int64_t filters, struct oval *out)
{
    int64_t d0 = W->dims[0], d1 = W->dims[1], kh = W->dims[2], kw = W->dims[3];
    struct cf_tensor t[2] = {{{"kernel", 4, {kh, kw, d1, d0}, 1}, cf_malloc(sizeof(float) * (size_t)W->n)},
                             {{"bias", 1, {filters}, 1}, B ? B->f : NULL}};
    if (!t[0].data) return cf_onnx_oom(X);
    for (int64_t i = 0; i < d0; i++)
        for (int64_t j = 0; j < d1; j++)
            for (int64_t y = 0; y < kh; y++)
                for (int64_t z = 0; z < kw; z++)
                    t[0].data[((y * kw + z) * d1 + j) * d0 + i] = W->f[((i * d1 + j) * kh + y) * kw + z];
    int bad = cf_node_set_values(&X->g->nodes[idx], t, B ? 2 : 1);
    cf_free(t[0].data);
    if (bad) return cf_onnx_oom(X);
    cf_onnx_count_params(X, idx, W);
    cf_onnx_count_params(X, idx, B);
    out->ir = idx;
    return CLINFER_OK;
}

/* A 4-D input and constant float W (and B, when given) of a Conv or ConvTranspose. */
static clinfer_status conv_operands(struct onnx_ctx *X, struct oval **in, int n_in, int *x, struct ctensor **W,
                                    struct ctensor **B)
{
    clinfer_status st;
    if ((st = cf_onnx_as_ir(X, in[0], x)) || (st = need_4d(X, *x)) ||
        (st = cf_onnx_need_const(X, in[1], "weight W", 4, W)) || (st = cf_onnx_need_float(X, *W, "weight W")))
        return st;
    if (n_in > 2 && in[2] &&
        ((st = cf_onnx_need_const(X, in[2], "bias B", 1, B)) || (st = cf_onnx_need_float(X, *B, "bias B"))))
        return st;
    return CLINFER_OK;
}

static clinfer_status op_conv(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    struct ctensor *W = NULL, *B = NULL;
    int x = 0;
    if (!in[1]->c || (n_in > 2 && in[2] && !in[2]->c)) return conv_runtime(X, n, in, n_in, out, 0);
    clinfer_status st = conv_operands(X, in, n_in, &x, &W, &B);
    if (st) return st;
    struct cf_attrs a;
    cf_attrs_default(&a);
    int64_t M = W->dims[0], Cg = W->dims[1], kh = W->dims[2], kw = W->dims[3], ks[2];
    a.filters = M;
    a.groups = (int)cf_onnx_attr_i(n, "group", 1);
    a.kernel[0] = (int)kh, a.kernel[1] = (int)kw;
    if (!X->one_d && cf_onnx_attr_ints(n, "kernel_shape", ks, 2) == 2 && (ks[0] != kh || ks[1] != kw))
        return cf_onnx_fail(X, CLINFER_E_MODEL, "kernel_shape disagrees with W's dims");
    if ((st = pair_attr(X, n, "strides", a.strides, 1)) || (st = pair_attr(X, n, "dilations", a.dilation, 1)) ||
        (st = padding_of(X, n, &a)))
        return st;
    int64_t C = cf_onnx_ir_shape(X, x)->d[1];
    if (a.groups < 1 || Cg * a.groups != C)
        return cf_onnx_fail(X, CLINFER_E_MODEL, "W has %lld input channels per group, %d groups, but the input has %lld channels",
                            (long long)Cg, a.groups, (long long)C);
    if (B && B->n != M) return cf_onnx_fail(X, CLINFER_E_MODEL, "B has %lld values for %lld filters", (long long)B->n, (long long)M);
    a.use_bias = B != NULL;
    int idx;
    if ((st = cf_onnx_add_ir(X, CF_OP_CONV2D, &a, &x, 1, &idx))) return st;
    return set_conv_weights(X, idx, W, B, M, out);
}

static clinfer_status op_conv_transpose(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                        struct oval *out)
{
    struct ctensor *W = NULL, *B = NULL;
    int x = 0;
    if (!in[1]->c || (n_in > 2 && in[2] && !in[2]->c)) return conv_runtime(X, n, in, n_in, out, 1);
    clinfer_status st = conv_operands(X, in, n_in, &x, &W, &B);
    if (st) return st;
    if (cf_onnx_attr_i(n, "group", 1) != 1) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "group %lld: clinfer runs ConvTranspose with group 1",
                                                        (long long)cf_onnx_attr_i(n, "group", 1));
    struct cf_attrs a;
    cf_attrs_default(&a);
    int64_t C = W->dims[0], M = W->dims[1], kh = W->dims[2], kw = W->dims[3], v[4];
    if (C != cf_onnx_ir_shape(X, x)->d[1])
        return cf_onnx_fail(X, CLINFER_E_MODEL, "W has %lld input channels, the input %lld", (long long)C, (long long)cf_onnx_ir_shape(X, x)->d[1]);
    a.onnx = 1;
    a.filters = M;
    a.kernel[0] = (int)kh, a.kernel[1] = (int)kw;
    if ((st = pair_attr(X, n, "strides", a.strides, 1)) || (st = pair_attr(X, n, "dilations", a.dilation, 1)) ||
        (st = padding_of(X, n, &a)))
        return st;
    if (a.padding == CF_PAD_VALID) a.padding = CF_PAD_EXPLICIT; /* zero pads */
    int c = cf_onnx_attr_ints(n, "output_padding", v, 2);
    if (c == 2) a.output_padding[0] = (int)v[0], a.output_padding[1] = (int)v[1];
    if (c == 1 && X->one_d) a.output_padding[0] = 0, a.output_padding[1] = (int)v[0];
    c = cf_onnx_attr_ints(n, "output_shape", v, 4);
    if (c == 2 || c == 4) a.output_shape[0] = v[c - 2], a.output_shape[1] = v[c - 1];
    else if (c == 1 && X->one_d) a.output_shape[0] = 1, a.output_shape[1] = v[0];
    else if (c >= 0) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "output_shape has %d values", c);
    a.use_bias = B != NULL;
    int idx;
    if ((st = cf_onnx_add_ir(X, CF_OP_CONV2D_TRANSPOSE, &a, &x, 1, &idx))) return st;
    return set_conv_weights(X, idx, W, B, M, out);
}

/* Conv / ConvTranspose whose W (and B) are run-time tensors: Transposes to (kh, kw, C/G, M) or (kh, kw, M, C). */
static clinfer_status conv_runtime(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                   struct oval *out, int transpose)
{
    int ins[3], x = 0;
    clinfer_status st;
    if ((st = cf_onnx_as_ir(X, in[0], &x)) || (st = need_4d(X, x))) return st;
    int w_ir = 0;
    if ((st = cf_onnx_as_ir(X, in[1], &w_ir))) return st;
    const struct cf_shape *ws = cf_onnx_ir_shape(X, w_ir);
    if (ws->rank != 4) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "W has rank %d; clinfer runs 2-D ops (4)", ws->rank);
    for (int k = 0; k < 4; k++)
        if (ws->d[k] < 1) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "W's dimensions must be known");
    struct cf_attrs a;
    cf_attrs_default(&a);
    int64_t C = cf_onnx_ir_shape(X, x)->d[1], kh = ws->d[2], kw = ws->d[3];
    a.kernel[0] = (int)kh, a.kernel[1] = (int)kw;
    if ((st = pair_attr(X, n, "strides", a.strides, 1)) || (st = pair_attr(X, n, "dilations", a.dilation, 1)) ||
        (st = padding_of(X, n, &a)))
        return st;
    static const int to_keras[4] = {2, 3, 1, 0}; /* (M, C/G, kh, kw) -> (kh, kw, C/G, M); (C, M, ..) -> (.., M, C) */
    if (transpose) {
        if (cf_onnx_attr_i(n, "group", 1) != 1) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "group must be 1 for ConvTranspose");
        if (ws->d[0] != C) return cf_onnx_fail(X, CLINFER_E_MODEL, "W has %lld input channels, the input %lld", (long long)ws->d[0], (long long)C);
        a.onnx = 1;
        a.filters = ws->d[1];
        if (a.padding == CF_PAD_VALID) a.padding = CF_PAD_EXPLICIT;
        int64_t v[4];
        int c = cf_onnx_attr_ints(n, "output_padding", v, 2);
        if (c == 2) a.output_padding[0] = (int)v[0], a.output_padding[1] = (int)v[1];
        if (c == 1 && X->one_d) a.output_padding[0] = 0, a.output_padding[1] = (int)v[0];
        c = cf_onnx_attr_ints(n, "output_shape", v, 4);
        if (c == 2 || c == 4) a.output_shape[0] = v[c - 2], a.output_shape[1] = v[c - 1];
        if (c == 1 && X->one_d) a.output_shape[0] = 1, a.output_shape[1] = v[0];
    } else {
        a.filters = ws->d[0];
        a.groups = (int)cf_onnx_attr_i(n, "group", 1);
        if (a.groups < 1 || ws->d[1] * a.groups != C)
            return cf_onnx_fail(X, CLINFER_E_MODEL, "W has %lld input channels per group and %d groups, the input %lld",
                                (long long)ws->d[1], a.groups, (long long)C);
    }
    int k = 0;
    ins[k++] = x;
    if ((st = cf_onnx_runtime_weight(X, in[1], to_keras, 4, &ins[k++]))) return st;
    a.use_bias = n_in > 2 && in[2];
    if (a.use_bias && (st = cf_onnx_runtime_weight(X, in[2], NULL, 1, &ins[k++]))) return st;
    if ((st = cf_onnx_add_ir(X, transpose ? CF_OP_CONV2D_TRANSPOSE : CF_OP_CONV2D, &a, ins, k, &out->ir))) return st;
    for (int i = 1; i < n_in; i++)
        if (in[i]) cf_onnx_count_params(X, out->ir, in[i]->c);
    return CLINFER_OK;
}

static clinfer_status op_pool(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    (void)n_in;
    int x;
    clinfer_status st;
    if ((st = cf_onnx_as_ir(X, in[0], &x)) || (st = need_4d(X, x))) return st;
    struct cf_attrs a;
    cf_attrs_default(&a);
    int64_t ks[2] = {1, 1};
    if (cf_onnx_attr_ints(n, "kernel_shape", ks + X->one_d, 2 - X->one_d) != 2 - X->one_d)
        return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "kernel_shape must have 2 values (2-D pooling)");
    if (ks[0] < 1 || ks[1] < 1 || ks[0] > (1 << 20) || ks[1] > (1 << 20))
        return cf_onnx_fail(X, CLINFER_E_MODEL, "kernel_shape must be positive");
    a.kernel[0] = (int)ks[0], a.kernel[1] = (int)ks[1];
    if ((st = pair_attr(X, n, "strides", a.strides, 1)) || (st = pair_attr(X, n, "dilations", a.dilation, 1)) ||
        (st = padding_of(X, n, &a)))
        return st;
    a.ceil_mode = (int)cf_onnx_attr_i(n, "ceil_mode", 0);
    a.count_include_pad = (int)cf_onnx_attr_i(n, "count_include_pad", 0);
    if (cf_onnx_attr_i(n, "storage_order", 0) != 0) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "storage_order 1 is not supported");
    int idx;
    if ((st = cf_onnx_add_ir(X, strcmp(n->op_type, "MaxPool") == 0 ? CF_OP_MAX_POOL2D : CF_OP_AVG_POOL2D, &a, &x, 1, &idx))) return st;
    out->ir = idx;
    return CLINFER_OK;
}

clinfer_status cf_onnx_op_global_pool(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                     struct oval *out)
{
    (void)n_in;
    int x;
    clinfer_status st;
    if ((st = cf_onnx_as_ir(X, in[0], &x)) || (st = need_4d(X, x))) return st;
    struct cf_attrs a;
    cf_attrs_default(&a);
    a.keepdims = 1;
    return cf_onnx_add_ir(X, n->op_type[6] == 'A' ? CF_OP_GLOBAL_AVG_POOL2D : CF_OP_GLOBAL_MAX_POOL2D, &a, &x, 1, &out->ir);
}

/* A 1-D Conv, ConvTranspose or pool runs as a 2-D one of height 1: (N, C, L) -> (N, C, 1, L) and back. */
static clinfer_status one_d(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out,
                            onnx_fn fn)
{
    int x;
    clinfer_status st = cf_onnx_as_ir(X, in[0], &x);
    if (st) return st;
    const struct cf_shape *s = cf_onnx_ir_shape(X, x);
    if (s->rank != 3) return fn(X, n, in, n_in, out);
    int64_t t[4] = {s->d[0] < 0 ? SYM_BATCH : s->d[0], s->d[1], 1, s->d[2]};
    struct oval x4 = {in[0]->name, -1, NULL}, w4 = {NULL, -1, NULL};
    if ((st = cf_onnx_reshape_ir(X, x, t, 4, &x4))) return st;
    struct oval *in4[64];
    for (int k = 0; k < n_in; k++) in4[k] = in[k];
    in4[0] = &x4;
    if (n_in > 1 && in[1] && (strcmp(n->op_type, "Conv") == 0 || strcmp(n->op_type, "ConvTranspose") == 0)) {
        w4.name = in[1]->name;
        if (in[1]->c && in[1]->c->rank == 3) {
            int64_t wd[4] = {in[1]->c->dims[0], in[1]->c->dims[1], 1, in[1]->c->dims[2]};
            if ((st = cf_onnx_fold_reshape_to(X, in[1]->c, 4, wd, &w4))) return st;
        } else if (!in[1]->c) {
            int w;
            if ((st = cf_onnx_as_ir(X, in[1], &w))) return st;
            const struct cf_shape *ws = cf_onnx_ir_shape(X, w);
            if (ws->rank != 3) return cf_onnx_fail(X, CLINFER_E_MODEL, "W of a 1-D Conv must have rank 3");
            int64_t wd[4] = {ws->d[0], ws->d[1], 1, ws->d[2]};
            if ((st = cf_onnx_reshape_ir(X, w, wd, 4, &w4))) return st;
        } else {
            return cf_onnx_fail(X, CLINFER_E_MODEL, "W of a 1-D Conv must have rank 3");
        }
        in4[1] = &w4;
    }
    X->one_d = 1;
    struct oval o4 = {NULL, -1, NULL};
    st = fn(X, n, in4, n_in, &o4);
    X->one_d = 0;
    if (st) return st;
    if (w4.c) w4.c->counted = 1, in[1]->c->counted = 0, cf_onnx_count_params(X, o4.ir, in[1]->c);
    const struct cf_shape *os = cf_onnx_ir_shape(X, o4.ir);
    int64_t back[3] = {os->d[0] < 0 ? SYM_BATCH : os->d[0], os->d[1], os->d[3]};
    return cf_onnx_reshape_ir(X, o4.ir, back, 3, out);
}

clinfer_status cf_onnx_op_conv_any(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    return one_d(X, n, in, n_in, out, strcmp(n->op_type, "Conv") == 0 ? op_conv : strcmp(n->op_type, "ConvTranspose") == 0 ? op_conv_transpose : op_pool);
}
