/* Slice, Split and Cast: on constants (shape arithmetic) folded at load; on run-time tensors a Slice IR node per
 * output (Split is a Slice per output); a Cast of a run-time tensor to a float type is the tensor itself. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../../ops/ops.h"
#include "../../util/alloc.h"
#include "onnx_ops.h"

/* The values of a constant slice of c (a->slice_* per axis). */
static clinfer_status fold_slice(struct onnx_ctx *X, struct ctensor *c, const struct cf_attrs *a, struct oval *out)
{
    int64_t first[CF_MAX_RANK], dims[CF_MAX_RANK], st[CF_MAX_RANK], acc = 1;
    for (int k = c->rank - 1; k >= 0; k--) st[k] = acc, acc *= c->dims[k];
    for (int k = 0; k < c->rank; k++) {
        if (a->slice_step[k] == 0) return cf_onnx_fail(X, CLINFER_E_MODEL, "step 0 on axis %d", k);
        cf_slice_axis(a, k, c->dims[k], &first[k], &dims[k]);
    }
    struct ctensor *o = cf_onnx_new_const(X, c->type, c->rank, dims);
    if (!o) return cf_onnx_oom(X);
    for (int64_t e = 0; e < o->n; e++) {
        int64_t rem = e, src = 0;
        for (int k = c->rank - 1; k >= 0; k--) {
            src += (first[k] + rem % dims[k] * a->slice_step[k]) * st[k];
            rem /= dims[k];
        }
        if (c->type == CT_FLOAT) o->f[e] = c->f[src];
        else o->i[e] = c->i[src];
    }
    out->c = o;
    return CLINFER_OK;
}

/* The slice as a constant (folded) or an IR node named `name` (NULL: the ONNX node's). */
static clinfer_status slice_of(struct onnx_ctx *X, struct oval *x, const struct cf_attrs *a, const char *name,
                               struct oval *out)
{
    if (x->c) return fold_slice(X, x->c, a, out);
    int xi;
    clinfer_status st = cf_onnx_as_ir(X, x, &xi);
    if (st || (st = cf_onnx_add_ir(X, CF_OP_SLICE, a, &xi, 1, &out->ir))) return st;
    if (name && *name) {
        char *copy = cf_strdup(name);
        if (!copy) return cf_onnx_oom(X);
        cf_free(X->g->nodes[out->ir].name);
        X->g->nodes[out->ir].name = copy;
    }
    return CLINFER_OK;
}

static int rank_of(struct onnx_ctx *X, struct oval *x) { return x->c ? x->c->rank : cf_onnx_ir_shape(X, x->ir)->rank; }

static int64_t dim_of(struct onnx_ctx *X, struct oval *x, int axis)
{
    return x->c ? x->c->dims[axis] : cf_onnx_ir_shape(X, x->ir)->d[axis];
}

/* Slice: starts, ends, axes, steps as attributes (opset < 10) or constant inputs */
clinfer_status cf_onnx_op_slice(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                struct oval *out)
{
    int64_t starts[CF_MAX_RANK], ends[CF_MAX_RANK], axes[CF_MAX_RANK], steps[CF_MAX_RANK];
    int ns, ne, na = -1, nst = -1;
    clinfer_status st;
    if (X->opset < 10) {
        ns = cf_onnx_attr_ints(n, "starts", starts, CF_MAX_RANK);
        ne = cf_onnx_attr_ints(n, "ends", ends, CF_MAX_RANK);
        na = cf_onnx_attr_ints(n, "axes", axes, CF_MAX_RANK);
        if (ns < 0 || ne < 0) return cf_onnx_fail(X, CLINFER_E_MODEL, "starts and ends are required");
    } else {
        static const char *const legacy[] = {"starts", "ends", "axes"};
        for (int k = 0; k < 3; k++)
            if (cf_onnx_attr(n, legacy[k]))
                return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED,
                                    "attribute '%s' is not supported from opset 10 on (starts, ends, axes and steps are "
                                    "inputs)",
                                    legacy[k]);
        if (n_in < 3 || !in[1] || !in[2]) return cf_onnx_fail(X, CLINFER_E_MODEL, "starts and ends are required");
        if ((st = cf_onnx_const_ints(X, in[1], "starts", starts, CF_MAX_RANK, &ns)) ||
            (st = cf_onnx_const_ints(X, in[2], "ends", ends, CF_MAX_RANK, &ne)) ||
            (n_in > 3 && in[3] && (st = cf_onnx_const_ints(X, in[3], "axes", axes, CF_MAX_RANK, &na))) ||
            (n_in > 4 && in[4] && (st = cf_onnx_const_ints(X, in[4], "steps", steps, CF_MAX_RANK, &nst))))
            return st;
    }
    int rank = rank_of(X, in[0]);
    if (ns != ne || (na >= 0 && na != ns) || (nst >= 0 && nst != ns) || ns > rank)
        return cf_onnx_fail(X, CLINFER_E_MODEL, "starts, ends, axes and steps of different lengths (%d, %d, %d, %d)", ns,
                            ne, na, nst);
    struct cf_attrs a;
    cf_attrs_default(&a);
    int seen = 0;
    for (int k = 0; k < ns; k++) {
        int ax = na >= 0 ? cf_onnx_norm_axis(axes[k], rank) : k;
        if (ax < 0 || ax >= rank || (seen >> ax & 1))
            return cf_onnx_fail(X, CLINFER_E_MODEL, "axis %lld is out of range or repeated", (long long)(na >= 0 ? axes[k] : k));
        seen |= 1 << ax;
        a.slice_start[ax] = starts[k];
        /* (INT64_MAX, and any end past the axis, means the end: clamped by the rule) */
        a.slice_end[ax] = ends[k];
        a.slice_step[ax] = nst >= 0 ? steps[k] : 1;
        if (a.slice_step[ax] == 0) return cf_onnx_fail(X, CLINFER_E_MODEL, "step 0 on axis %d", ax);
        /* a whole axis in order is written the canonical way, so that shape inference keeps an unknown batch */
        int64_t d = dim_of(X, in[0], ax);
        if (a.slice_step[ax] == 1 && a.slice_start[ax] == 0 && (a.slice_end[ax] == INT64_MAX || (d >= 0 && a.slice_end[ax] >= d)))
            a.slice_end[ax] = CF_SLICE_END;
    }
    return slice_of(X, in[0], &a, NULL, out);
}

/* Split: one Slice per output along axis, of the sizes given (attribute before opset 13, input from 13) or equal
 * (num_outputs from opset 18, else the node's outputs; the last one smaller when the axis does not divide) */
clinfer_status cf_onnx_op_split(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                struct oval *out)
{
    int rank = rank_of(X, in[0]), no = (int)n->n_output;
    int axis = cf_onnx_norm_axis(cf_onnx_attr_i(n, "axis", 0), rank);
    if (axis < 0 || axis >= rank) return cf_onnx_fail(X, CLINFER_E_MODEL, "axis %d is out of range", axis);
    int64_t len = dim_of(X, in[0], axis), sizes[64];
    if (len < 0) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "splitting axis %d, whose size is unknown, is not supported", axis);
    if (no > 64) return cf_onnx_fail(X, CLINFER_E_LIMIT, "%d outputs (at most 64)", no);
    int nsz = -1;
    clinfer_status st;
    if (X->opset < 13) nsz = cf_onnx_attr_ints(n, "split", sizes, 64);
    else if (n_in > 1 && in[1] && (st = cf_onnx_const_ints(X, in[1], "split", sizes, 64, &nsz))) return st;
    int64_t parts = cf_onnx_attr(n, "num_outputs") ? cf_onnx_attr_i(n, "num_outputs", no) : no;
    if (nsz < 0) {
        if (parts != no || parts < 1) return cf_onnx_fail(X, CLINFER_E_MODEL, "num_outputs %lld but %d outputs", (long long)parts, no);
        int64_t each = (len + parts - 1) / parts;
        for (int k = 0; k < no; k++) sizes[k] = k < no - 1 ? each : len - each * (no - 1);
        nsz = no;
    }
    int64_t sum = 0;
    for (int k = 0; k < nsz; k++) sum += sizes[k] >= 0 ? sizes[k] : -1;
    if (nsz != no || sum != len)
        return cf_onnx_fail(X, CLINFER_E_MODEL, "split sizes (%d of them, %lld in all) do not split %lld into %d outputs",
                            nsz, (long long)sum, (long long)len, no);
    int64_t at = 0;
    for (int k = 0; k < no; k++) {
        if (sizes[k] <= 0) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "output %d of the split is empty", k);
        struct cf_attrs a;
        cf_attrs_default(&a);
        a.slice_start[axis] = at;
        a.slice_end[axis] = at + sizes[k];
        at += sizes[k];
        if ((st = slice_of(X, in[0], &a, n->output[k], &out[k]))) return st;
    }
    return CLINFER_OK;
}

/* Cast: constants converted (to a float type, or to integers toward zero as ONNX does); a run-time tensor stays the
 * float32 it is when cast to a float type, and cannot become integers */
clinfer_status cf_onnx_op_cast(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                               struct oval *out)
{
    (void)n_in;
    int64_t to = cf_onnx_attr_i(n, "to", 0);
    /* TensorProto.DataType: FLOAT 1, FLOAT16 10, DOUBLE 11, BFLOAT16 16; the integers and BOOL 9 */
    int to_float = to == 1 || to == 10 || to == 11 || to == 16;
    int to_int = to == 2 || to == 3 || to == 4 || to == 5 || to == 6 || to == 7 || to == 9 || to == 12 || to == 13;
    if (!to_float && !to_int) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "Cast to data type %lld is not supported", (long long)to);
    struct ctensor *c = in[0]->c;
    if (!c) {
        if (!to_float)
            return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED,
                                "Cast of a run-time tensor to integers (data type %lld) is not supported: clinfer runs "
                                "float32",
                                (long long)to);
        if (to == 10 || to == 16)
            return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED,
                                "Cast of a run-time tensor to a 16-bit float is not supported: clinfer runs float32");
        out->ir = in[0]->ir; /* float32 stays float32; double is computed in float32 */
        return CLINFER_OK;
    }
    if (c->type == CT_INT64 && !to_float) { /* (integers stay integers; the batch's symbol with them) */
        out->c = c;
        return CLINFER_OK;
    }
    for (int64_t e = 0; c->type == CT_INT64 && e < c->n; e++)
        if (c->i[e] == SYM_BATCH)
            return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED,
                                "the batch size, which is bound only at run time, is cast to a float; export with a "
                                "fixed batch");
    struct ctensor *r = cf_onnx_new_const(X, to_float ? CT_FLOAT : CT_INT64, c->rank, c->dims);
    if (!r) return cf_onnx_oom(X);
    for (int64_t e = 0; e < c->n; e++) {
        if (to_float) r->f[e] = c->type == CT_FLOAT ? c->f[e] : (float)c->i[e];
        else if (c->type == CT_INT64) r->i[e] = to == 9 ? c->i[e] != 0 : c->i[e];
        else if (!isfinite(c->f[e]) || fabsf(c->f[e]) >= 9.2e18f)
            return cf_onnx_fail(X, CLINFER_E_MODEL, "Cast of %g to integers", (double)c->f[e]);
        else r->i[e] = to == 9 ? c->f[e] != 0.0f : (int64_t)c->f[e];
    }
    out->c = r;
    return CLINFER_OK;
}
