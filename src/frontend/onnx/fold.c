/* Folding at load time: a node whose inputs are all constants becomes a constant (the shape arithmetic PyTorch exports:
 * Shape, Gather, Unsqueeze, Concat, Reshape, ...), with the batch kept as a symbol. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../passes/passes.h"
#include "../../util/alloc.h"
#include "../../util/strbuf.h"
#include "onnx_ops.h"

/* --- folding: every input constant --- */

static struct ctensor *new_like(struct onnx_ctx *X, enum ctype t, int rank, const int64_t *dims)
{
    return cf_onnx_new_const(X, t, rank, dims);
}

clinfer_status cf_onnx_oom(struct onnx_ctx *X) { return cf_onnx_fail(X, CLINFER_E_NOMEM, "out of memory"); }

static int has_sym(const struct ctensor *c)
{
    for (int64_t k = 0; c->type == CT_INT64 && k < c->n; k++)
        if (c->i[k] == SYM_BATCH) return 1;
    return 0;
}

/* the same values under other dims */
clinfer_status cf_onnx_fold_reshape_to(struct onnx_ctx *X, struct ctensor *c, int rank, const int64_t *dims, struct oval *out)
{
    struct ctensor *r = new_like(X, c->type, rank, dims);
    if (!r) return cf_onnx_oom(X);
    if (r->n != c->n) return cf_onnx_fail(X, CLINFER_E_MODEL, "reshaping %lld values into %lld", (long long)c->n, (long long)r->n);
    if (c->type == CT_FLOAT) memcpy(r->f, c->f, sizeof(float) * (size_t)c->n);
    else memcpy(r->i, c->i, sizeof(int64_t) * (size_t)c->n);
    out->c = r;
    return CLINFER_OK;
}

/* NumPy broadcasting of two constants */
static clinfer_status fold_binary(struct onnx_ctx *X, const char *op, struct ctensor *a, struct ctensor *b, struct oval *out)
{
    if (a->type != b->type) return cf_onnx_fail(X, CLINFER_E_MODEL, "operands of different types");
    if (has_sym(a) || has_sym(b))
        return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED,
                            "the batch size, which is bound only at run time, enters arithmetic on shapes; export "
                            "with Flatten, or with a fixed batch");
    int rank = a->rank > b->rank ? a->rank : b->rank;
    int64_t dims[CF_MAX_RANK];
    for (int k = 0; k < rank; k++) {
        int ia = k - (rank - a->rank), ib = k - (rank - b->rank);
        int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
        if (da != db && da != 1 && db != 1) return cf_onnx_fail(X, CLINFER_E_MODEL, "constant operands do not broadcast");
        dims[k] = da == 1 ? db : da;
    }
    struct ctensor *r = new_like(X, a->type, rank, dims);
    if (!r) return cf_onnx_oom(X);
    for (int64_t e = 0; e < r->n; e++) {
        int64_t rem = e, ia = 0, ib = 0, sa = 1, sb = 1;
        for (int k = rank - 1; k >= 0; k--) {
            int64_t c = rem % dims[k];
            rem /= dims[k];
            int ka = k - (rank - a->rank), kb = k - (rank - b->rank);
            if (ka >= 0) {
                ia += (a->dims[ka] == 1 ? 0 : c) * sa;
                sa *= a->dims[ka];
            }
            if (kb >= 0) {
                ib += (b->dims[kb] == 1 ? 0 : c) * sb;
                sb *= b->dims[kb];
            }
        }
        if (a->type == CT_FLOAT) {
            float x = a->f[ia], y = b->f[ib];
            r->f[e] = op[0] == 'A' ? x + y : op[0] == 'S' ? x - y : op[0] == 'M' ? x * y : x / y;
        } else {
            int64_t x = a->i[ia], y = b->i[ib], z;
            if (op[0] == 'D' && y == 0) return cf_onnx_fail(X, CLINFER_E_MODEL, "integer division by zero");
            int over = op[0] == 'A'   ? __builtin_add_overflow(x, y, &z)
                       : op[0] == 'S' ? __builtin_sub_overflow(x, y, &z)
                       : op[0] == 'M' ? __builtin_mul_overflow(x, y, &z)
                                      : (x == INT64_MIN && y == -1) || (z = x / y, 0);
            if (over)
                return cf_onnx_fail(X, CLINFER_E_MODEL, "integer overflow in shape arithmetic (%lld %s %lld)",
                                    (long long)x, op, (long long)y);
            r->i[e] = z;
        }
    }
    out->c = r;
    return CLINFER_OK;
}

/* the element of t that broadcasts to element e of an output of `rank` dims (NumPy's rule: right-aligned, 1s repeat) */
static int64_t bcast_at(const struct ctensor *t, int rank, const int64_t *dims, int64_t e)
{
    int64_t idx = 0, st = 1;
    for (int k = rank - 1; k >= 0; k--) {
        int64_t c = e % dims[k];
        e /= dims[k];
        int kt = k - (rank - t->rank);
        if (kt < 0) continue;
        idx += (t->dims[kt] == 1 ? 0 : c) * st;
        st *= t->dims[kt];
    }
    return idx;
}

/* the broadcast dims of n tensors (and of `extra`, a shape, when given) */
static clinfer_status bcast_dims(struct onnx_ctx *X, struct ctensor *const *t, int n, const int64_t *extra,
                                 int n_extra, int *rank, int64_t *dims)
{
    int r = n_extra;
    for (int i = 0; i < n; i++) r = t[i]->rank > r ? t[i]->rank : r;
    if (r > CF_MAX_RANK) return cf_onnx_fail(X, CLINFER_E_LIMIT, "more than %d dimensions", CF_MAX_RANK);
    for (int k = 0; k < r; k++) {
        int64_t d = 1;
        for (int i = 0; i <= n; i++) {
            int64_t di;
            if (i < n) {
                int ki = k - (r - t[i]->rank);
                di = ki >= 0 ? t[i]->dims[ki] : 1;
            } else {
                int ki = k - (r - n_extra);
                di = extra && ki >= 0 ? extra[ki] : 1;
            }
            if (di != d && di != 1 && d != 1) return cf_onnx_fail(X, CLINFER_E_MODEL, "constant operands do not broadcast");
            if (di != 1) d = di;
        }
        dims[k] = d;
    }
    *rank = r;
    return CLINFER_OK;
}

/* Equal (1 or 0, as int64), Where(cond, x, y) and Expand(x, shape) of constants: the shape logic PyTorch exports */
static clinfer_status fold_select(struct onnx_ctx *X, const char *op, struct oval **in, int n_in, struct oval *out)
{
    int rank = 0; /* (set by bcast_dims; 0 keeps -O3 from seeing it unset) */
    int64_t dims[CF_MAX_RANK], shape[CF_MAX_RANK];
    int ns = 0;
    clinfer_status st;
    struct ctensor *t[3] = {in[0]->c, n_in > 1 ? in[1]->c : NULL, n_in > 2 ? in[2]->c : NULL};
    if (strcmp(op, "Expand") == 0) {
        if ((st = cf_onnx_const_ints(X, in[1], "shape", shape, CF_MAX_RANK, &ns)) ||
            (st = bcast_dims(X, t, 1, shape, ns, &rank, dims)))
            return st;
    } else if (strcmp(op, "Equal") == 0) {
        if (t[0]->type != t[1]->type) return cf_onnx_fail(X, CLINFER_E_MODEL, "operands of different types");
        if (has_sym(t[0]) || has_sym(t[1]))
            return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED,
                                "the batch size, which is bound only at run time, is compared in shape arithmetic; "
                                "export with a fixed batch");
        if ((st = bcast_dims(X, t, 2, NULL, 0, &rank, dims))) return st;
    } else {
        if (n_in < 3 || t[1]->type != t[2]->type) return cf_onnx_fail(X, CLINFER_E_MODEL, "Where takes x and y of one type");
        if ((st = bcast_dims(X, t, 3, NULL, 0, &rank, dims))) return st;
    }
    enum ctype type = op[0] == 'E' && op[1] == 'q' ? CT_INT64 : op[0] == 'W' ? t[1]->type : t[0]->type;
    struct ctensor *r = new_like(X, type, rank, dims);
    if (!r) return cf_onnx_oom(X);
    for (int64_t e = 0; e < r->n; e++) {
        if (op[0] == 'E' && op[1] == 'x') {
            int64_t i = bcast_at(t[0], rank, dims, e);
            if (type == CT_FLOAT) r->f[e] = t[0]->f[i];
            else r->i[e] = t[0]->i[i];
        } else if (op[0] == 'E') {
            int64_t i = bcast_at(t[0], rank, dims, e), j = bcast_at(t[1], rank, dims, e);
            r->i[e] = t[0]->type == CT_FLOAT ? t[0]->f[i] == t[1]->f[j] : t[0]->i[i] == t[1]->i[j];
        } else {
            int64_t c = bcast_at(t[0], rank, dims, e);
            int yes = t[0]->type == CT_FLOAT ? t[0]->f[c] != 0 : t[0]->i[c] != 0;
            const struct ctensor *s = yes ? t[1] : t[2];
            int64_t i = bcast_at(s, rank, dims, e);
            if (type == CT_FLOAT) r->f[e] = s->f[i];
            else r->i[e] = s->i[i];
        }
    }
    out->c = r;
    return CLINFER_OK;
}

clinfer_status cf_onnx_axes_of(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, int from_opset,
                              int64_t *axes, int *count)
{
    *count = -1;
    if (X->opset < from_opset) {
        *count = cf_onnx_attr_ints(n, "axes", axes, CF_MAX_RANK);
        return CLINFER_OK;
    }
    if (n_in > 1 && in[1]) return cf_onnx_const_ints(X, in[1], "axes", axes, CF_MAX_RANK, count);
    return CLINFER_OK;
}

int cf_onnx_norm_axis(int64_t a, int rank) { return (int)(a < 0 ? a + rank : a); }

/* dims after Squeeze / Unsqueeze (ONNX's rules) */
clinfer_status cf_onnx_squeeze_dims(struct onnx_ctx *X, int unsqueeze, const int64_t *in_dims, int rank, const int64_t *axes,
                                   int n_axes, int64_t *out, int *out_rank)
{
    if (unsqueeze) {
        int r = rank + n_axes;
        if (r > CF_MAX_RANK) return cf_onnx_fail(X, CLINFER_E_LIMIT, "more than %d dims", CF_MAX_RANK);
        unsigned mask = 0;
        for (int k = 0; k < n_axes; k++) {
            int a = cf_onnx_norm_axis(axes[k], r);
            if (a < 0 || a >= r || (mask >> a & 1)) return cf_onnx_fail(X, CLINFER_E_MODEL, "bad axes");
            mask |= 1u << a;
        }
        for (int k = 0, j = 0; k < r; k++) out[k] = (mask >> k & 1) ? 1 : in_dims[j++];
        *out_rank = r;
        return CLINFER_OK;
    }
    unsigned mask = 0;
    for (int k = 0; k < n_axes; k++) {
        int a = cf_onnx_norm_axis(axes[k], rank);
        if (a < 0 || a >= rank || in_dims[a] != 1)
            return cf_onnx_fail(X, CLINFER_E_MODEL, "axis %lld cannot be squeezed", (long long)axes[k]);
        mask |= 1u << a;
    }
    if (n_axes < 0)
        for (int k = 0; k < rank; k++)
            if (in_dims[k] == 1) mask |= 1u << k;
    int r = 0;
    for (int k = 0; k < rank; k++)
        if (!(mask >> k & 1)) out[r++] = in_dims[k];
    *out_rank = r;
    return CLINFER_OK;
}

/* Reshape target with 0 (copy the axis) and -1 (infer) resolved against known dims */
static clinfer_status reshape_dims(struct onnx_ctx *X, const int64_t *in_dims, int rank, int64_t total, const int64_t *t,
                                   int tn, int allowzero, int64_t *out)
{
    int unknown = -1;
    int64_t known = 1;
    for (int k = 0; k < tn; k++) {
        out[k] = t[k];
        if (t[k] == 0 && !allowzero) {
            if (k >= rank) return cf_onnx_fail(X, CLINFER_E_MODEL, "shape copies axis %d, which the data lacks", k);
            out[k] = in_dims[k];
        }
        if (out[k] == -1) unknown = k;
        else if (out[k] < 0 || __builtin_mul_overflow(known, out[k], &known))
            return cf_onnx_fail(X, CLINFER_E_MODEL, "shape dimension %lld is not a size", (long long)out[k]);
    }
    if (unknown >= 0) {
        if (known == 0 || total % known) return cf_onnx_fail(X, CLINFER_E_MODEL, "cannot reshape %lld values", (long long)total);
        out[unknown] = total / known;
    }
    return CLINFER_OK;
}

clinfer_status cf_onnx_fold(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out,
                           int *done)
{
    const char *op = n->op_type;
    *done = 1;
    if (strcmp(op, "Identity") == 0 || strcmp(op, "Dropout") == 0) {
        out->c = in[0]->c;
        return CLINFER_OK;
    }
    if (strcmp(op, "Add") == 0 || strcmp(op, "Sub") == 0 || strcmp(op, "Mul") == 0 || strcmp(op, "Div") == 0)
        return fold_binary(X, op, in[0]->c, in[1]->c, out);
    if (strcmp(op, "Equal") == 0 || strcmp(op, "Where") == 0 || strcmp(op, "Expand") == 0)
        return fold_select(X, op, in, n_in, out);
    if (strcmp(op, "Reshape") == 0 && X->opset >= 5) {
        int64_t t[CF_MAX_RANK], dims[CF_MAX_RANK];
        int tn;
        clinfer_status st = cf_onnx_const_ints(X, in[1], "shape", t, CF_MAX_RANK, &tn);
        if (st || (st = reshape_dims(X, in[0]->c->dims, in[0]->c->rank, in[0]->c->n, t, tn, (int)cf_onnx_attr_i(n, "allowzero", 0), dims)))
            return st;
        return cf_onnx_fold_reshape_to(X, in[0]->c, tn, dims, out);
    }
    if (strcmp(op, "Squeeze") == 0 || strcmp(op, "Unsqueeze") == 0) {
        int64_t axes[CF_MAX_RANK], dims[CF_MAX_RANK];
        int na, r;
        clinfer_status st = cf_onnx_axes_of(X, n, in, n_in, 13, axes, &na);
        if (st) return st;
        if (op[0] == 'U' && na < 0) return cf_onnx_fail(X, CLINFER_E_MODEL, "Unsqueeze without axes");
        if ((st = cf_onnx_squeeze_dims(X, op[0] == 'U', in[0]->c->dims, in[0]->c->rank, axes, na, dims, &r))) return st;
        return cf_onnx_fold_reshape_to(X, in[0]->c, r, dims, out);
    }
    if (strcmp(op, "Flatten") == 0) {
        struct ctensor *c = in[0]->c;
        int axis = cf_onnx_norm_axis(cf_onnx_attr_i(n, "axis", 1), c->rank);
        int64_t dims[2] = {1, 1};
        for (int k = 0; k < c->rank; k++) dims[k < axis ? 0 : 1] *= c->dims[k];
        return cf_onnx_fold_reshape_to(X, c, 2, dims, out);
    }
    if (strcmp(op, "Concat") == 0) {
        struct ctensor *c0 = in[0]->c;
        int axis = cf_onnx_norm_axis(cf_onnx_attr_i(n, "axis", 0), c0->rank);
        int64_t dims[CF_MAX_RANK];
        memcpy(dims, c0->dims, sizeof dims);
        if (axis < 0 || axis >= (c0->rank ? c0->rank : 1)) return cf_onnx_fail(X, CLINFER_E_MODEL, "bad axis");
        dims[axis] = 0;
        for (int k = 0; k < n_in; k++) {
            if (!in[k]) continue;
            if (in[k]->c->type != c0->type || in[k]->c->rank != c0->rank)
                return cf_onnx_fail(X, CLINFER_E_MODEL, "constant inputs of different types or ranks");
            dims[axis] += in[k]->c->dims[axis];
        }
        struct ctensor *r = new_like(X, c0->type, c0->rank, dims);
        if (!r) return cf_onnx_oom(X);
        int64_t outer = 1, at = 0;
        for (int k = 0; k < axis; k++) outer *= dims[k];
        int64_t row = r->n / (outer ? outer : 1);
        for (int k = 0; k < n_in; k++) {
            if (!in[k]) continue;
            struct ctensor *c = in[k]->c;
            int64_t chunk = c->n / (outer ? outer : 1);
            for (int64_t o = 0; o < outer; o++) {
                if (r->type == CT_FLOAT) memcpy(r->f + o * row + at, c->f + o * chunk, sizeof(float) * (size_t)chunk);
                else memcpy(r->i + o * row + at, c->i + o * chunk, sizeof(int64_t) * (size_t)chunk);
            }
            at += chunk;
        }
        out->c = r;
        return CLINFER_OK;
    }
    if (strcmp(op, "Gather") == 0) {
        struct ctensor *d = in[0]->c, *ix = in[1]->c;
        if (ix->type != CT_INT64) return cf_onnx_fail(X, CLINFER_E_MODEL, "indices are not integers");
        int axis = cf_onnx_norm_axis(cf_onnx_attr_i(n, "axis", 0), d->rank);
        if (axis < 0 || axis >= d->rank) return cf_onnx_fail(X, CLINFER_E_MODEL, "bad axis");
        int rank = d->rank - 1 + ix->rank;
        if (rank > CF_MAX_RANK) return cf_onnx_fail(X, CLINFER_E_LIMIT, "too many dims");
        int64_t dims[CF_MAX_RANK];
        int r = 0;
        for (int k = 0; k < axis; k++) dims[r++] = d->dims[k];
        for (int k = 0; k < ix->rank; k++) dims[r++] = ix->dims[k];
        for (int k = axis + 1; k < d->rank; k++) dims[r++] = d->dims[k];
        struct ctensor *o = new_like(X, d->type, rank, dims);
        if (!o) return cf_onnx_oom(X);
        int64_t outer = 1, inner = 1;
        for (int k = 0; k < axis; k++) outer *= d->dims[k];
        for (int k = axis + 1; k < d->rank; k++) inner *= d->dims[k];
        for (int64_t a = 0; a < outer; a++)
            for (int64_t j = 0; j < ix->n; j++) {
                int64_t q = ix->i[j] < 0 ? ix->i[j] + d->dims[axis] : ix->i[j];
                if (q < 0 || q >= d->dims[axis])
                    return cf_onnx_fail(X, CLINFER_E_MODEL, "index %lld is out of range", (long long)ix->i[j]);
                for (int64_t k = 0; k < inner; k++) {
                    int64_t src = (a * d->dims[axis] + q) * inner + k, dst = (a * ix->n + j) * inner + k;
                    if (d->type == CT_FLOAT) o->f[dst] = d->f[src];
                    else o->i[dst] = d->i[src];
                }
            }
        out->c = o;
        return CLINFER_OK;
    }
    if (strcmp(op, "Transpose") == 0) {
        struct ctensor *c = in[0]->c;
        int64_t perm[CF_MAX_RANK], dims[CF_MAX_RANK], st[CF_MAX_RANK];
        if (cf_onnx_attr_ints(n, "perm", perm, CF_MAX_RANK) < 0)
            for (int k = 0; k < c->rank; k++) perm[k] = c->rank - 1 - k;
        for (int k = 0; k < c->rank; k++) {
            if (perm[k] < 0 || perm[k] >= c->rank) return cf_onnx_fail(X, CLINFER_E_MODEL, "bad perm");
            dims[k] = c->dims[perm[k]];
        }
        int64_t acc = 1;
        for (int k = c->rank - 1; k >= 0; k--) st[k] = acc, acc *= c->dims[k];
        struct ctensor *o = new_like(X, c->type, c->rank, dims);
        if (!o) return cf_onnx_oom(X);
        for (int64_t e = 0; e < o->n; e++) {
            int64_t rem = e, src = 0;
            for (int k = c->rank - 1; k >= 0; k--) {
                src += (rem % dims[k]) * st[perm[k]];
                rem /= dims[k];
            }
            if (c->type == CT_FLOAT) o->f[e] = c->f[src];
            else o->i[e] = c->i[src];
        }
        out->c = o;
        return CLINFER_OK;
    }
    *done = 0;
    return CLINFER_OK;
}
