/* The element-wise operators: Add, Sub, Mul, Div, Sum, PRelu with broadcasting; the activations; BatchNormalization;
 * LRN. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../passes/passes.h"
#include "../../util/alloc.h"
#include "../../util/strbuf.h"
#include "onnx_ops.h"

clinfer_status cf_onnx_op_binary(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    enum cf_op op = CF_OP_ADD;
    if (strcmp(n->op_type, "Sub") == 0) op = CF_OP_SUB;
    else if (strcmp(n->op_type, "Mul") == 0) op = CF_OP_MULTIPLY;
    else if (strcmp(n->op_type, "Div") == 0) op = CF_OP_DIV;
    else if (strcmp(n->op_type, "PRelu") == 0) op = CF_OP_PRELU;
    int ins[64], k = 0;
    clinfer_status st;
    if (n_in == 2 && in[0] && in[1] && in[0]->ir >= 0) {
        /* opset < 7: Add(A, B, broadcast=1, axis=a) aligns B at axis a; PRelu's 1-D slope is per channel */
        int rank = cf_onnx_ir_shape(X, in[0]->ir)->rank, axis = -1;
        if (X->opset < 7 && cf_onnx_attr_i(n, "broadcast", 0) && cf_onnx_attr(n, "axis")) axis = cf_onnx_norm_axis(cf_onnx_attr_i(n, "axis", 0), rank);
        if (X->opset < 7 && op == CF_OP_PRELU && in[1]->c && in[1]->c->rank == 1 && in[1]->c->n > 1) axis = 1;
        if (axis >= 0) {
            struct ctensor *b = in[1]->c;
            if (!b) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "legacy broadcasting of a run-time operand");
            int64_t dims[CF_MAX_RANK];
            int r = b->rank;
            memcpy(dims, b->dims, sizeof dims);
            while (axis + r < rank && r < CF_MAX_RANK) dims[r++] = 1;
            struct oval tmp = {in[1]->name, -1, NULL};
            if ((st = cf_onnx_fold_reshape_to(X, b, r, dims, &tmp))) return st;
            tmp.c->counted = b->counted;
            b->counted = 1;
            in[1] = &tmp;
            if ((st = cf_onnx_as_ir(X, in[0], &ins[0])) || (st = cf_onnx_as_ir(X, in[1], &ins[1]))) return st;
            struct cf_attrs a;
            cf_attrs_default(&a);
            a.broadcast = CF_BCAST_NUMPY;
            if ((st = cf_onnx_add_ir(X, op, &a, ins, 2, &out->ir))) return st;
            cf_onnx_count_params(X, out->ir, tmp.c);
            return CLINFER_OK;
        }
    }
    for (int i = 0; i < n_in; i++) {
        if (!in[i]) continue;
        if ((st = cf_onnx_as_ir(X, in[i], &ins[k++]))) return st;
    }
    if (k == 0) return cf_onnx_fail(X, CLINFER_E_MODEL, "no inputs");
    struct cf_attrs a;
    cf_attrs_default(&a);
    a.broadcast = CF_BCAST_NUMPY;
    if ((st = cf_onnx_add_ir(X, k == 1 ? CF_OP_IDENTITY : op, &a, ins, k, &out->ir))) return st;
    for (int i = 0; i < n_in; i++)
        if (in[i]) cf_onnx_count_params(X, out->ir, in[i]->c);
    return CLINFER_OK;
}

clinfer_status cf_onnx_op_activation(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                    struct oval *out)
{
    struct cf_attrs a;
    cf_attrs_default(&a);
    enum cf_act act;
    if (cf_act_lookup_onnx(n->op_type, &act)) cf_act_set(&a, act); /* (activations.def's onnx column) */
    int x;
    clinfer_status st = cf_onnx_as_ir(X, in[0], &x);
    if (st) return st;
    switch (a.act) {
    case CF_ACT_LEAKY_RELU: a.alpha = cf_onnx_attr_f(n, "alpha", 0.01f); break;
    case CF_ACT_ELU: a.alpha = cf_onnx_attr_f(n, "alpha", 1.0f); break;
    case CF_ACT_SELU:
        a.alpha = cf_onnx_attr_f(n, "alpha", 1.67326319217681884765625f);
        a.beta = cf_onnx_attr_f(n, "gamma", 1.05070102214813232421875f);
        break;
    case CF_ACT_GELU: { /* opset 20: approximate none | tanh */
        char ap[16];
        cf_onnx_attr_s(n, "approximate", "none", ap, sizeof ap);
        if (strcmp(ap, "tanh") == 0) cf_act_set(&a, CF_ACT_GELU_TANH);
        else if (strcmp(ap, "none") != 0)
            return cf_onnx_fail(X, CLINFER_E_MODEL, "approximate must be 'none' or 'tanh', got '%s'", ap);
        break;
    }
    case CF_ACT_HARD_SIGMOID:
        a.alpha = cf_onnx_attr_f(n, "alpha", 0.2f);
        a.beta = cf_onnx_attr_f(n, "beta", 0.5f);
        break;
    case CF_ACT_CLIP:
        if (X->opset < 11) {
            a.alpha = cf_onnx_attr_f(n, "min", a.alpha);
            a.beta = cf_onnx_attr_f(n, "max", a.beta);
        } else {
            struct ctensor *c = NULL;
            if ((n_in > 1 && in[1] && !in[1]->c) || (n_in > 2 && in[2] && !in[2]->c)) {
                /* bounds given at run time: Max(x, min), then Min(., max) */
                struct cf_attrs b;
                cf_attrs_default(&b);
                b.broadcast = CF_BCAST_NUMPY;
                int cur = x;
                for (int k = 1; k < 3 && k < n_in; k++) {
                    if (!in[k]) continue;
                    int pair[2] = {cur, 0};
                    if ((st = cf_onnx_as_ir(X, in[k], &pair[1])) ||
                        (st = cf_onnx_add_ir(X, k == 1 ? CF_OP_MAXIMUM : CF_OP_MINIMUM, &b, pair, 2, &cur)))
                        return st;
                }
                out->ir = cur;
                return CLINFER_OK;
            }
            for (int k = 1; k < 3 && k < n_in; k++) {
                if (!in[k]) continue;
                if ((st = cf_onnx_need_const(X, in[k], k == 1 ? "min" : "max", -1, &c)) || (st = cf_onnx_need_float(X, c, "min/max"))) return st;
                if (c->n != 1) return cf_onnx_fail(X, CLINFER_E_MODEL, "min and max must be scalars");
                if (k == 1) a.alpha = c->f[0];
                else a.beta = c->f[0];
            }
        }
        break;
    case CF_ACT_SOFTMAX:
    case CF_ACT_LOG_SOFTMAX: {
        int rank = cf_onnx_ir_shape(X, x)->rank;
        a.softmax_coerce = X->opset < 13;
        a.axis = cf_onnx_norm_axis(cf_onnx_attr_i(n, "axis", X->opset < 13 ? 1 : -1), rank);
        if (a.axis < 0 || a.axis >= rank) return cf_onnx_fail(X, CLINFER_E_MODEL, "axis is out of range");
        break;
    }
    default: break;
    }
    return cf_onnx_add_ir(X, CF_OP_ACTIVATION, &a, &x, 1, &out->ir);
}

clinfer_status cf_onnx_op_batch_norm(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                    struct oval *out)
{
    int x;
    clinfer_status st = cf_onnx_as_ir(X, in[0], &x);
    if (st) return st;
    if (n_in < 5) return cf_onnx_fail(X, CLINFER_E_MODEL, "it needs X, scale, B, mean and var");
    if (cf_onnx_attr_i(n, "training_mode", 0)) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "training_mode=1 (clinfer runs inference)");
    if (X->opset < 9 && cf_onnx_attr_i(n, "spatial", 1) != 1) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "spatial=0 is not supported");
    if (cf_onnx_ir_shape(X, x)->rank < 2) return cf_onnx_fail(X, CLINFER_E_MODEL, "the input needs a channel axis");
    int64_t C = cf_onnx_ir_shape(X, x)->d[1];
    static const char *const names[4] = {"gamma", "beta", "moving_mean", "moving_variance"};
    static const char *const what[4] = {"scale", "B", "mean", "var"};
    struct ctensor *c[4] = {NULL, NULL, NULL, NULL};
    struct cf_tensor t[4];
    if (!in[1]->c || !in[2]->c || !in[3]->c || !in[4]->c) { /* given at run time: extra inputs */
        int ins[5] = {x};
        for (int k = 0; k < 4; k++) {
            if ((st = cf_onnx_as_ir(X, in[k + 1], &ins[k + 1]))) return st;
            const struct cf_shape *ps = cf_onnx_ir_shape(X, ins[k + 1]);
            if (ps->rank != 1 || ps->d[0] != C)
                return cf_onnx_fail(X, CLINFER_E_MODEL, "%s must hold %lld values", what[k], (long long)C);
        }
        struct cf_attrs a;
        cf_attrs_default(&a);
        a.axis = 1;
        a.epsilon = cf_onnx_attr_f(n, "epsilon", 1e-5f);
        if ((st = cf_onnx_add_ir(X, CF_OP_BATCH_NORM, &a, ins, 5, &out->ir))) return st;
        for (int k = 1; k < 5; k++) cf_onnx_count_params(X, out->ir, in[k]->c);
        return CLINFER_OK;
    }
    for (int k = 0; k < 4; k++) {
        if ((st = cf_onnx_need_const(X, in[k + 1], what[k], 1, &c[k])) || (st = cf_onnx_need_float(X, c[k], what[k]))) return st;
        if (c[k]->n != C) return cf_onnx_fail(X, CLINFER_E_MODEL, "%s has %lld values for %lld channels", what[k], (long long)c[k]->n, (long long)C);
        t[k] = (struct cf_tensor){{names[k], 1, {C}, k < 2}, c[k]->f};
    }
    struct cf_attrs a;
    cf_attrs_default(&a);
    a.axis = 1;
    a.epsilon = cf_onnx_attr_f(n, "epsilon", 1e-5f);
    int idx;
    if ((st = cf_onnx_add_ir(X, CF_OP_BATCH_NORM, &a, &x, 1, &idx))) return st;
    if (cf_node_set_values(&X->g->nodes[idx], t, 4)) return cf_onnx_oom(X);
    for (int k = 0; k < 4; k++) cf_onnx_count_params(X, idx, c[k]);
    out->ir = idx;
    return CLINFER_OK;
}

clinfer_status cf_onnx_op_lrn(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    (void)n_in;
    int x;
    clinfer_status st = cf_onnx_as_ir(X, in[0], &x);
    if (st) return st;
    struct cf_attrs a;
    cf_attrs_default(&a);
    a.alpha = cf_onnx_attr_f(n, "alpha", 1e-4f);
    a.beta = cf_onnx_attr_f(n, "beta", 0.75f);
    a.epsilon = cf_onnx_attr_f(n, "bias", 1.0f);
    a.lrn_size = (int)cf_onnx_attr_i(n, "size", 0);
    if (a.lrn_size < 1) return cf_onnx_fail(X, CLINFER_E_MODEL, "size must be positive");
    return cf_onnx_add_ir(X, CF_OP_LRN, &a, &x, 1, &out->ir);
}
