/* The operators that move or shape data: Flatten, Reshape, Squeeze, Unsqueeze, Transpose, Concat, Pad, Identity,
 * Dropout, Constant, ConstantOfShape, Shape, Gather, ReduceMean, DepthToSpace. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../passes/passes.h"
#include "../../util/alloc.h"
#include "../../util/strbuf.h"
#include "onnx_ops.h"

clinfer_status cf_onnx_op_flatten(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    (void)n_in;
    int x;
    clinfer_status st = cf_onnx_as_ir(X, in[0], &x);
    if (st) return st;
    struct cf_attrs a;
    cf_attrs_default(&a);
    a.axis = cf_onnx_norm_axis(cf_onnx_attr_i(n, "axis", 1), cf_onnx_ir_shape(X, x)->rank);
    return cf_onnx_add_ir(X, CF_OP_FLATTEN, &a, &x, 1, &out->ir);
}

/* a RESHAPE to target dims that may hold SYM_BATCH */
clinfer_status cf_onnx_reshape_ir(struct onnx_ctx *X, int x, const int64_t *t, int tn, struct oval *out)
{
    struct cf_attrs a;
    cf_attrs_default(&a);
    a.target_full = 1;
    a.target.rank = tn;
    for (int k = 0; k < tn; k++) a.target.d[k] = t[k] == SYM_BATCH ? CF_DIM_BATCH : t[k];
    return cf_onnx_add_ir(X, CF_OP_RESHAPE, &a, &x, 1, &out->ir);
}

clinfer_status cf_onnx_op_reshape(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    int x, tn = 0;
    int64_t t[CF_MAX_RANK];
    clinfer_status st = cf_onnx_as_ir(X, in[0], &x);
    if (st) return st;
    if (X->opset < 5) tn = cf_onnx_attr_ints(n, "shape", t, CF_MAX_RANK);
    else if (n_in < 2 || !in[1]) return cf_onnx_fail(X, CLINFER_E_MODEL, "no shape input");
    else if ((st = cf_onnx_const_ints(X, in[1], "shape", t, CF_MAX_RANK, &tn))) return st;
    if (tn < 0 || tn > CF_MAX_RANK) return cf_onnx_fail(X, CLINFER_E_MODEL, "bad shape");
    for (int k = 0; k < tn; k++)
        if (t[k] == 0 && cf_onnx_attr_i(n, "allowzero", 0))
            return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "allowzero=1 with a zero in the shape");
    return cf_onnx_reshape_ir(X, x, t, tn, out);
}

clinfer_status cf_onnx_op_squeeze(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    int x, na, r;
    int64_t axes[CF_MAX_RANK], dims[CF_MAX_RANK], t[CF_MAX_RANK];
    clinfer_status st = cf_onnx_as_ir(X, in[0], &x);
    if (st || (st = cf_onnx_axes_of(X, n, in, n_in, 13, axes, &na))) return st;
    const struct cf_shape *s = cf_onnx_ir_shape(X, x);
    int unsq = n->op_type[0] == 'U';
    if (unsq && na < 0) return cf_onnx_fail(X, CLINFER_E_MODEL, "Unsqueeze without axes");
    for (int k = 0; k < s->rank; k++) {
        if (s->d[k] < 0 && k > 0) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "an unknown dimension besides the batch");
        dims[k] = s->d[k] < 0 ? SYM_BATCH : s->d[k];
    }
    if ((st = cf_onnx_squeeze_dims(X, unsq, dims, s->rank, axes, na, t, &r))) return st;
    return cf_onnx_reshape_ir(X, x, t, r, out);
}

clinfer_status cf_onnx_op_transpose(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    (void)n_in;
    int x;
    clinfer_status st = cf_onnx_as_ir(X, in[0], &x);
    if (st) return st;
    int rank = cf_onnx_ir_shape(X, x)->rank;
    int64_t perm[CF_MAX_RANK];
    int c = cf_onnx_attr_ints(n, "perm", perm, CF_MAX_RANK);
    struct cf_attrs a;
    cf_attrs_default(&a);
    if (c >= 0 && c != rank) return cf_onnx_fail(X, CLINFER_E_MODEL, "perm has %d values for rank %d", c, rank);
    for (int k = 0; k < rank; k++) a.perm[k] = c < 0 ? rank - 1 - k : (int)perm[k];
    return cf_onnx_add_ir(X, CF_OP_TRANSPOSE, &a, &x, 1, &out->ir);
}

clinfer_status cf_onnx_op_concat(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    int ins[64], k = 0;
    clinfer_status st;
    for (int i = 0; i < n_in; i++)
        if (in[i] && (st = cf_onnx_as_ir(X, in[i], &ins[k++]))) return st;
    if (!cf_onnx_attr(n, "axis")) return cf_onnx_fail(X, CLINFER_E_MODEL, "the axis attribute is required");
    struct cf_attrs a;
    cf_attrs_default(&a);
    a.axis = cf_onnx_norm_axis(cf_onnx_attr_i(n, "axis", 0), cf_onnx_ir_shape(X, ins[0])->rank);
    if (k == 1) return cf_onnx_add_ir(X, CF_OP_IDENTITY, &a, ins, 1, &out->ir);
    if ((st = cf_onnx_add_ir(X, CF_OP_CONCAT, &a, ins, k, &out->ir))) return st;
    for (int i = 0; i < n_in; i++)
        if (in[i]) cf_onnx_count_params(X, out->ir, in[i]->c);
    return CLINFER_OK;
}

clinfer_status cf_onnx_op_pad(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    int x, np = 0;
    clinfer_status st = cf_onnx_as_ir(X, in[0], &x);
    if (st) return st;
    int rank = cf_onnx_ir_shape(X, x)->rank;
    struct cf_attrs a;
    cf_attrs_default(&a);
    char mode[32];
    cf_onnx_attr_s(n, "mode", "constant", mode, sizeof mode);
    if (strcmp(mode, "constant") == 0) a.pad_mode = CF_PADMODE_CONSTANT;
    else if (strcmp(mode, "reflect") == 0) a.pad_mode = CF_PADMODE_REFLECT;
    else if (strcmp(mode, "edge") == 0) a.pad_mode = CF_PADMODE_EDGE;
    else return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "mode '%s' is not supported (constant, reflect, edge)", mode);
    int64_t pads[2 * CF_MAX_RANK], axes[CF_MAX_RANK];
    int na = -1;
    if (X->opset < 11) {
        np = cf_onnx_attr_ints(n, "pads", pads, 2 * CF_MAX_RANK);
        a.pad_value = cf_onnx_attr_f(n, "value", 0.0f);
    } else {
        if (n_in < 2 || !in[1]) return cf_onnx_fail(X, CLINFER_E_MODEL, "no pads input");
        if ((st = cf_onnx_const_ints(X, in[1], "pads", pads, 2 * CF_MAX_RANK, &np))) return st;
        if (n_in > 2 && in[2]) {
            struct ctensor *v = NULL;
            if ((st = cf_onnx_need_const(X, in[2], "constant_value", -1, &v)) || (st = cf_onnx_need_float(X, v, "constant_value"))) return st;
            if (v->n != 1) return cf_onnx_fail(X, CLINFER_E_MODEL, "constant_value must be a scalar");
            a.pad_value = v->f[0];
        }
        if (n_in > 3 && in[3] && (st = cf_onnx_const_ints(X, in[3], "axes", axes, CF_MAX_RANK, &na))) return st;
    }
    int count = na >= 0 ? na : rank;
    if (np != 2 * count) return cf_onnx_fail(X, CLINFER_E_MODEL, "pads has %d values for %d axes", np, count);
    for (int k = 0; k < count; k++) {
        int ax = na >= 0 ? cf_onnx_norm_axis(axes[k], rank) : k;
        if (ax < 0 || ax >= rank) return cf_onnx_fail(X, CLINFER_E_MODEL, "bad axes");
        a.pad_begin[ax] = pads[k];
        a.pad_end[ax] = pads[k + count];
    }
    return cf_onnx_add_ir(X, CF_OP_PAD, &a, &x, 1, &out->ir);
}

clinfer_status cf_onnx_op_identity(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    (void)n;
    (void)n_in;
    int x;
    clinfer_status st = cf_onnx_as_ir(X, in[0], &x);
    if (st) return st;
    struct cf_attrs a;
    cf_attrs_default(&a);
    return cf_onnx_add_ir(X, CF_OP_IDENTITY, &a, &x, 1, &out->ir);
}

clinfer_status cf_onnx_op_constant(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    (void)in;
    (void)n_in;
    const Onnx__AttributeProto *a;
    if ((a = cf_onnx_attr(n, "value")) && a->t) return cf_onnx_tensor(X, a->t, "its value", &out->c);
    int64_t one = 1;
    if ((a = cf_onnx_attr(n, "value_float")) && a->has_f) {
        if (!(out->c = cf_onnx_new_const(X, CT_FLOAT, 0, NULL))) return cf_onnx_oom(X);
        out->c->f[0] = a->f;
    } else if ((a = cf_onnx_attr(n, "value_int")) && a->has_i) {
        if (!(out->c = cf_onnx_new_const(X, CT_INT64, 0, NULL))) return cf_onnx_oom(X);
        out->c->i[0] = a->i;
    } else if ((a = cf_onnx_attr(n, "value_floats"))) {
        one = (int64_t)a->n_floats;
        if (!(out->c = cf_onnx_new_const(X, CT_FLOAT, 1, &one))) return cf_onnx_oom(X);
        memcpy(out->c->f, a->floats, sizeof(float) * a->n_floats);
    } else if ((a = cf_onnx_attr(n, "value_ints"))) {
        one = (int64_t)a->n_ints;
        if (!(out->c = cf_onnx_new_const(X, CT_INT64, 1, &one))) return cf_onnx_oom(X);
        memcpy(out->c->i, a->ints, sizeof(int64_t) * a->n_ints);
    } else {
        return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "no value clinfer reads (value, value_float(s), value_int(s))");
    }
    return CLINFER_OK;
}

clinfer_status cf_onnx_op_constant_of_shape(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                           struct oval *out)
{
    (void)n_in;
    int64_t dims[CF_MAX_RANK];
    int r;
    clinfer_status st = cf_onnx_const_ints(X, in[0], "shape", dims, CF_MAX_RANK, &r);
    if (st) return st;
    for (int k = 0; k < r; k++)
        if (dims[k] < 0) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "a shape that depends on the batch");
    const Onnx__AttributeProto *a = cf_onnx_attr(n, "value");
    struct ctensor *v = NULL;
    if (a && a->t && (st = cf_onnx_tensor(X, a->t, "its value", &v))) return st;
    if (v && v->n != 1) return cf_onnx_fail(X, CLINFER_E_MODEL, "value must hold one element");
    if (!(out->c = cf_onnx_new_const(X, v ? v->type : CT_FLOAT, r, dims))) return cf_onnx_oom(X);
    for (int64_t k = 0; k < out->c->n; k++) {
        if (out->c->type == CT_FLOAT) out->c->f[k] = v ? v->f[0] : 0.0f;
        else out->c->i[k] = v->i[0];
    }
    return CLINFER_OK;
}

clinfer_status cf_onnx_op_shape(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    (void)n_in;
    int64_t dims[CF_MAX_RANK];
    int rank;
    if (in[0]->c) {
        rank = in[0]->c->rank;
        memcpy(dims, in[0]->c->dims, sizeof dims);
    } else {
        const struct cf_shape *s = cf_onnx_ir_shape(X, in[0]->ir);
        rank = s->rank;
        for (int k = 0; k < rank; k++) {
            if (s->d[k] < 0 && k > 0) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "an unknown dimension besides the batch");
            dims[k] = s->d[k] < 0 ? SYM_BATCH : s->d[k];
        }
    }
    int64_t start = cf_onnx_attr_i(n, "start", 0), end = cf_onnx_attr_i(n, "end", rank);
    if (start < 0) start += rank;
    if (end < 0) end += rank;
    if (start < 0) start = 0;
    if (end > rank) end = rank;
    int64_t len = end > start ? end - start : 0;
    if (!(out->c = cf_onnx_new_const(X, CT_INT64, 1, &len))) return cf_onnx_oom(X);
    for (int64_t k = 0; k < len; k++) out->c->i[k] = dims[start + k];
    return CLINFER_OK;
}

clinfer_status cf_onnx_op_reduce_mean(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                     struct oval *out)
{
    int x, na;
    int64_t axes[CF_MAX_RANK];
    clinfer_status st = cf_onnx_as_ir(X, in[0], &x);
    if (st || (st = cf_onnx_axes_of(X, n, in, n_in, 18, axes, &na))) return st;
    int rank = cf_onnx_ir_shape(X, x)->rank;
    struct cf_attrs a;
    cf_attrs_default(&a);
    a.keepdims = (int)cf_onnx_attr_i(n, "keepdims", 1);
    if (na <= 0) {
        if (na == 0 && cf_onnx_attr_i(n, "noop_with_empty_axes", 0)) return cf_onnx_add_ir(X, CF_OP_IDENTITY, &a, &x, 1, &out->ir);
        a.reduce_axes = (1u << rank) - 1;
    }
    for (int k = 0; k < na; k++) {
        int ax = cf_onnx_norm_axis(axes[k], rank);
        if (ax < 0 || ax >= rank) return cf_onnx_fail(X, CLINFER_E_MODEL, "axis %lld is out of range", (long long)axes[k]);
        a.reduce_axes |= 1u << ax;
    }
    return cf_onnx_add_ir(X, CF_OP_REDUCE_MEAN, &a, &x, 1, &out->ir);
}

clinfer_status cf_onnx_op_depth_to_space(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                        struct oval *out)
{
    (void)n_in;
    int x;
    clinfer_status st = cf_onnx_as_ir(X, in[0], &x);
    if (st) return st;
    struct cf_attrs a;
    cf_attrs_default(&a);
    a.blocksize = (int)cf_onnx_attr_i(n, "blocksize", 0);
    char mode[16];
    cf_onnx_attr_s(n, "mode", "DCR", mode, sizeof mode);
    if (strcmp(mode, "CRD") == 0) a.d2s_crd = 1;
    else if (strcmp(mode, "DCR") != 0) return cf_onnx_fail(X, CLINFER_E_MODEL, "mode '%s' is not DCR or CRD", mode);
    if (a.blocksize < 1) return cf_onnx_fail(X, CLINFER_E_MODEL, "blocksize must be positive");
    return cf_onnx_add_ir(X, CF_OP_DEPTH_TO_SPACE, &a, &x, 1, &out->ir);
}

clinfer_status cf_onnx_op_fold_only(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    (void)in;
    (void)n_in;
    (void)out;
    return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "%s of data computed at run time is not supported (only of constants and "
                                                  "shapes, folded at load time)",
                        n->op_type);
}
