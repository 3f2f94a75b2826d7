/* The ONNX op table: each supported operator, the attributes it takes, and how it becomes IR (or, when every
 * input is a constant, a folded constant). Weights are rearranged here, once, into the layouts of the IR's ops:
 * Conv W (M, C/G, kh, kw) -> (kh, kw, C/G, M); ConvTranspose W (C, M, kh, kw) -> (kh, kw, M, C); Gemm B -> (K, N). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../passes/passes.h"
#include "../../util/alloc.h"
#include "../../util/strbuf.h"
#include "onnx.h"

/* --- attributes --- */

static const Onnx__AttributeProto *attr(const Onnx__NodeProto *n, const char *name)
{
    for (size_t i = 0; i < n->n_attribute; i++)
        if (n->attribute[i]->name && strcmp(n->attribute[i]->name, name) == 0) return n->attribute[i];
    return NULL;
}

static int64_t attr_i(const Onnx__NodeProto *n, const char *name, int64_t def)
{
    const Onnx__AttributeProto *a = attr(n, name);
    return a && a->has_i ? a->i : def;
}

static float attr_f(const Onnx__NodeProto *n, const char *name, float def)
{
    const Onnx__AttributeProto *a = attr(n, name);
    return a && a->has_f ? a->f : def;
}

static void attr_s(const Onnx__NodeProto *n, const char *name, const char *def, char *out, size_t size)
{
    const Onnx__AttributeProto *a = attr(n, name);
    if (a && a->has_s) snprintf(out, size, "%.*s", (int)(a->s.len < size - 1 ? a->s.len : size - 1), (const char *)a->s.data);
    else snprintf(out, size, "%s", def);
}

/* The type each attribute clinfer reads must have: ONNX gives a name one type in every operator that takes it,
 * except where an entry names the operator too (Pad before opset 11 takes its fill as a FLOAT 'value'). A model that
 * puts a string where a number belongs is refused here rather than read as a default. */
enum { A_FLOAT = 1, A_INT = 2, A_STRING = 3, A_TENSOR = 4, A_FLOATS = 6, A_INTS = 7 };
static const struct {
    int type;
    const char *names;
} attr_types[] = {
    {A_FLOAT, "Pad.value alpha beta bias epsilon gamma momentum ratio min max value_float"},
    {A_INT, "allowzero axis blocksize broadcast ceil_mode count_include_pad group is_test keepdims "
            "noop_with_empty_axes seed size spatial start end storage_order training_mode transA transB value_int"},
    {A_INTS, "axes dilations kernel_shape output_padding output_shape pads perm shape strides value_ints"},
    {A_FLOATS, "value_floats"},
    {A_STRING, "auto_pad mode"},
    {A_TENSOR, "value"},
};
static const char *const attr_type_names[] = {"UNDEFINED", "FLOAT", "INT", "STRING", "TENSOR", "GRAPH",
                                              "FLOATS", "INTS", "STRINGS", "TENSORS", "GRAPHS"};

static const char *type_name(int t)
{
    return t >= 0 && t < (int)(sizeof attr_type_names / sizeof attr_type_names[0]) ? attr_type_names[t] : "an unknown type";
}

/* The type an attribute carries: its declared type, or (in files older than the type field) the field it fills. */
static int carried_type(const Onnx__AttributeProto *a)
{
    if (a->has_type && a->type != 0) return (int)a->type;
    if (a->has_f) return A_FLOAT;
    if (a->has_i) return A_INT;
    if (a->has_s) return A_STRING;
    if (a->t) return A_TENSOR;
    if (a->n_floats) return A_FLOATS;
    if (a->n_ints) return A_INTS;
    return 0;
}

/* Whether the field of the expected type is filled (a list may be empty). */
static int has_value(const Onnx__AttributeProto *a, int type)
{
    switch (type) {
    case A_FLOAT: return a->has_f;
    case A_INT: return a->has_i;
    case A_STRING: return a->has_s;
    case A_TENSOR: return a->t != NULL;
    default: return 1;
    }
}

static clinfer_status check_attr_type(struct onnx_ctx *X, const Onnx__NodeProto *n, const Onnx__AttributeProto *a)
{
    char qualified[160];
    snprintf(qualified, sizeof qualified, "%s.%s", n->op_type, a->name);
    int rows = (int)(sizeof attr_types / sizeof attr_types[0]);
    for (int k = 0; k < 2 * rows; k++) { /* the operator's own entry first, then the name's */
        if (!cf_word_listed(attr_types[k % rows].names, k < rows ? qualified : a->name)) continue;
        int want = attr_types[k % rows].type, got = carried_type(a);
        if (got != want)
            return cf_onnx_fail(X, CLINFER_E_MODEL, "attribute '%s' must be %s, got %s", a->name, type_name(want),
                                got ? type_name(got) : "no value");
        if (!has_value(a, want))
            return cf_onnx_fail(X, CLINFER_E_MODEL, "attribute '%s' is declared %s but has no value", a->name,
                                type_name(want));
        return CLINFER_OK;
    }
    return CLINFER_OK;
}

/* -1 when absent; else the count (at most max are copied) */
static int attr_ints(const Onnx__NodeProto *n, const char *name, int64_t *out, int max)
{
    const Onnx__AttributeProto *a = attr(n, name);
    if (!a) return -1;
    for (size_t i = 0; i < a->n_ints && (int)i < max; i++) out[i] = a->ints[i];
    return (int)a->n_ints;
}

/* --- values and IR nodes --- */

static const char *node_name(struct onnx_ctx *X, const Onnx__NodeProto *n, char *buf, size_t size)
{
    const char *base = n->name && *n->name ? n->name : n->op_type;
    snprintf(buf, size, "%s", base);
    for (int k = 1;; k++) {
        int taken = 0;
        for (int i = 0; i < X->g->n_nodes && !taken; i++) taken = strcmp(X->g->nodes[i].name, buf) == 0;
        if (!taken && (n->name && *n->name ? 1 : k > 1)) return buf;
        snprintf(buf, size, "%s_%d", base, k);
    }
}

static clinfer_status add_ir(struct onnx_ctx *X, enum cf_op op, const struct cf_attrs *a, const int *ins, int n_in,
                             int *idx)
{
    char name[512];
    const Onnx__NodeProto *n = X->node;
    int i = cf_graph_add(X->g, op, node_name(X, n, name, sizeof name), n->op_type, ins, n_in, a,
                         (struct cf_loc){X->path, 0, 0});
    if (i < 0) return cf_fail_oom(X->d);
    X->g->nodes[i].file_params = 0;
    *idx = i;
    return cf_infer_node(X->g, i, X->d);
}

/* Counts a constant's elements as the parameters of IR node i, once per constant. */
static void count_params(struct onnx_ctx *X, int i, struct ctensor *c)
{
    if (!c || c->counted) return;
    c->counted = 1;
    X->g->nodes[i].file_params += c->n;
}

/* The IR node of a value; a float constant becomes a hidden Constant node. */
static clinfer_status as_ir(struct onnx_ctx *X, struct oval *v, int *idx)
{
    if (v->ir >= 0) {
        *idx = v->ir;
        return CLINFER_OK;
    }
    struct ctensor *c = v->c;
    if (c->ir >= 0) {
        *idx = c->ir;
        return CLINFER_OK;
    }
    if (c->type != CT_FLOAT)
        return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "'%s' is an integer tensor used as data (clinfer runs float32)",
                           v->name ? v->name : "a constant");
    struct cf_attrs a;
    cf_attrs_default(&a);
    a.target.rank = c->rank ? c->rank : 1;
    a.target.d[0] = 1;
    for (int k = 0; k < c->rank; k++) a.target.d[k] = c->dims[k];
    int i = cf_graph_add(X->g, CF_OP_CONSTANT, v->name ? v->name : "constant", "Constant", NULL, 0, &a,
                         (struct cf_loc){X->path, 0, 0});
    if (i < 0) return cf_fail_oom(X->d);
    struct cf_node *nd = &X->g->nodes[i];
    nd->hidden = 1;
    nd->file_params = 0;
    struct cf_tensor t = {{"value", a.target.rank, {0}, 1}, c->f};
    for (int k = 0; k < a.target.rank; k++) t.desc.dims[k] = a.target.d[k];
    if (cf_node_set_values(nd, &t, 1)) return cf_fail_oom(X->d);
    c->ir = i;
    *idx = i;
    return cf_infer_node(X->g, i, X->d);
}

static clinfer_status need_const(struct onnx_ctx *X, struct oval *v, const char *what, int rank, struct ctensor **out)
{
    if (!v) return cf_onnx_fail(X, CLINFER_E_MODEL, "its %s input is missing", what);
    if (!v->c)
        return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "its %s ('%s') is computed at run time; clinfer needs it constant",
                            what, v->name);
    if (rank >= 0 && v->c->rank != rank)
        return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "its %s ('%s') has rank %d, not %d", what, v->name, v->c->rank, rank);
    *out = v->c;
    return CLINFER_OK;
}

static clinfer_status need_float(struct onnx_ctx *X, struct ctensor *c, const char *what)
{
    return c->type == CT_FLOAT ? CLINFER_OK
                               : cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "its %s is an integer tensor, not FLOAT", what);
}

/* ints of a constant input (axes, pads, shape) */
static clinfer_status const_ints(struct onnx_ctx *X, struct oval *v, const char *what, int64_t *out, int max, int *n)
{
    struct ctensor *c = NULL;
    clinfer_status st = need_const(X, v, what, -1, &c);
    if (st) return st;
    if (c->type != CT_INT64) return cf_onnx_fail(X, CLINFER_E_MODEL, "its %s is not an integer tensor", what);
    if (c->n > max) return cf_onnx_fail(X, CLINFER_E_LIMIT, "its %s has %lld values (at most %d)", what, (long long)c->n, max);
    for (int64_t i = 0; i < c->n; i++) out[i] = c->i[i];
    *n = (int)c->n;
    return CLINFER_OK;
}

static const struct cf_shape *ir_shape(struct onnx_ctx *X, int idx) { return &X->g->nodes[idx].out; }

/* --- folding: every input constant --- */

static struct ctensor *new_like(struct onnx_ctx *X, enum ctype t, int rank, const int64_t *dims)
{
    return cf_onnx_new_const(X, t, rank, dims);
}

static clinfer_status oom(struct onnx_ctx *X) { return cf_onnx_fail(X, CLINFER_E_NOMEM, "out of memory"); }

static int has_sym(const struct ctensor *c)
{
    for (int64_t k = 0; c->type == CT_INT64 && k < c->n; k++)
        if (c->i[k] == SYM_BATCH) return 1;
    return 0;
}

/* the same values under other dims */
static clinfer_status fold_reshape_to(struct onnx_ctx *X, struct ctensor *c, int rank, const int64_t *dims, struct oval *out)
{
    struct ctensor *r = new_like(X, c->type, rank, dims);
    if (!r) return oom(X);
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
    if (!r) return oom(X);
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
            int64_t x = a->i[ia], y = b->i[ib];
            if (op[0] == 'D' && y == 0) return cf_onnx_fail(X, CLINFER_E_MODEL, "integer division by zero");
            r->i[e] = op[0] == 'A' ? x + y : op[0] == 'S' ? x - y : op[0] == 'M' ? x * y : x / y;
        }
    }
    out->c = r;
    return CLINFER_OK;
}

static clinfer_status axes_of(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, int from_opset,
                              int64_t *axes, int *count)
{
    *count = -1;
    if (X->opset < from_opset) {
        *count = attr_ints(n, "axes", axes, CF_MAX_RANK);
        return CLINFER_OK;
    }
    if (n_in > 1 && in[1]) return const_ints(X, in[1], "axes", axes, CF_MAX_RANK, count);
    return CLINFER_OK;
}

static int norm_axis(int64_t a, int rank) { return (int)(a < 0 ? a + rank : a); }

/* dims after Squeeze / Unsqueeze (ONNX's rules) */
static clinfer_status squeeze_dims(struct onnx_ctx *X, int unsqueeze, const int64_t *in_dims, int rank, const int64_t *axes,
                                   int n_axes, int64_t *out, int *out_rank)
{
    if (unsqueeze) {
        int r = rank + n_axes;
        if (r > CF_MAX_RANK) return cf_onnx_fail(X, CLINFER_E_LIMIT, "more than %d dims", CF_MAX_RANK);
        unsigned mask = 0;
        for (int k = 0; k < n_axes; k++) {
            int a = norm_axis(axes[k], r);
            if (a < 0 || a >= r || (mask >> a & 1)) return cf_onnx_fail(X, CLINFER_E_MODEL, "bad axes");
            mask |= 1u << a;
        }
        for (int k = 0, j = 0; k < r; k++) out[k] = (mask >> k & 1) ? 1 : in_dims[j++];
        *out_rank = r;
        return CLINFER_OK;
    }
    unsigned mask = 0;
    for (int k = 0; k < n_axes; k++) {
        int a = norm_axis(axes[k], rank);
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
        else known *= out[k];
    }
    if (unknown >= 0) {
        if (known == 0 || total % known) return cf_onnx_fail(X, CLINFER_E_MODEL, "cannot reshape %lld values", (long long)total);
        out[unknown] = total / known;
    }
    return CLINFER_OK;
}

static clinfer_status fold(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out,
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
    if (strcmp(op, "Reshape") == 0 && X->opset >= 5) {
        int64_t t[CF_MAX_RANK], dims[CF_MAX_RANK];
        int tn;
        clinfer_status st = const_ints(X, in[1], "shape", t, CF_MAX_RANK, &tn);
        if (st || (st = reshape_dims(X, in[0]->c->dims, in[0]->c->rank, in[0]->c->n, t, tn, (int)attr_i(n, "allowzero", 0), dims)))
            return st;
        return fold_reshape_to(X, in[0]->c, tn, dims, out);
    }
    if (strcmp(op, "Squeeze") == 0 || strcmp(op, "Unsqueeze") == 0) {
        int64_t axes[CF_MAX_RANK], dims[CF_MAX_RANK];
        int na, r;
        clinfer_status st = axes_of(X, n, in, n_in, 13, axes, &na);
        if (st) return st;
        if (op[0] == 'U' && na < 0) return cf_onnx_fail(X, CLINFER_E_MODEL, "Unsqueeze without axes");
        if ((st = squeeze_dims(X, op[0] == 'U', in[0]->c->dims, in[0]->c->rank, axes, na, dims, &r))) return st;
        return fold_reshape_to(X, in[0]->c, r, dims, out);
    }
    if (strcmp(op, "Flatten") == 0) {
        struct ctensor *c = in[0]->c;
        int axis = norm_axis(attr_i(n, "axis", 1), c->rank);
        int64_t dims[2] = {1, 1};
        for (int k = 0; k < c->rank; k++) dims[k < axis ? 0 : 1] *= c->dims[k];
        return fold_reshape_to(X, c, 2, dims, out);
    }
    if (strcmp(op, "Concat") == 0) {
        struct ctensor *c0 = in[0]->c;
        int axis = norm_axis(attr_i(n, "axis", 0), c0->rank);
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
        if (!r) return oom(X);
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
        int axis = norm_axis(attr_i(n, "axis", 0), d->rank);
        if (axis < 0 || axis >= d->rank) return cf_onnx_fail(X, CLINFER_E_MODEL, "bad axis");
        int rank = d->rank - 1 + ix->rank;
        if (rank > CF_MAX_RANK) return cf_onnx_fail(X, CLINFER_E_LIMIT, "too many dims");
        int64_t dims[CF_MAX_RANK];
        int r = 0;
        for (int k = 0; k < axis; k++) dims[r++] = d->dims[k];
        for (int k = 0; k < ix->rank; k++) dims[r++] = ix->dims[k];
        for (int k = axis + 1; k < d->rank; k++) dims[r++] = d->dims[k];
        struct ctensor *o = new_like(X, d->type, rank, dims);
        if (!o) return oom(X);
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
        if (attr_ints(n, "perm", perm, CF_MAX_RANK) < 0)
            for (int k = 0; k < c->rank; k++) perm[k] = c->rank - 1 - k;
        for (int k = 0; k < c->rank; k++) {
            if (perm[k] < 0 || perm[k] >= c->rank) return cf_onnx_fail(X, CLINFER_E_MODEL, "bad perm");
            dims[k] = c->dims[perm[k]];
        }
        int64_t acc = 1;
        for (int k = c->rank - 1; k >= 0; k--) st[k] = acc, acc *= c->dims[k];
        struct ctensor *o = new_like(X, c->type, c->rank, dims);
        if (!o) return oom(X);
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

/* --- the ops --- */

typedef clinfer_status (*onnx_fn)(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                  struct oval *out);

static clinfer_status padding_of(struct onnx_ctx *X, const Onnx__NodeProto *n, struct cf_attrs *a)
{
    char ap[32];
    attr_s(n, "auto_pad", "NOTSET", ap, sizeof ap);
    int64_t p[4] = {0, 0, 0, 0};
    int np = attr_ints(n, "pads", p, 4);
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
    int c = attr_ints(n, name, v + X->one_d, 2 - X->one_d);
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
    const struct cf_shape *s = ir_shape(X, idx);
    if (s->rank != 4) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "its input has rank %d; clinfer runs 2-D ops (rank 4)", s->rank);
    return CLINFER_OK;
}

/* A weight given at run time (ONNX node tests pass W, B, scale, ... as graph inputs): a Transpose into the IR's
 * layout, then an extra input of the node. `perm` NULL: as it is. */
static clinfer_status runtime_weight(struct onnx_ctx *X, struct oval *v, const int *perm, int rank, int *idx)
{
    clinfer_status st = as_ir(X, v, idx);
    if (st || !perm) return st;
    struct cf_attrs a;
    cf_attrs_default(&a);
    for (int k = 0; k < rank; k++) a.perm[k] = perm[k];
    return add_ir(X, CF_OP_TRANSPOSE, &a, idx, 1, idx);
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
    if (!t[0].data) return oom(X);
    for (int64_t i = 0; i < d0; i++)
        for (int64_t j = 0; j < d1; j++)
            for (int64_t y = 0; y < kh; y++)
                for (int64_t z = 0; z < kw; z++)
                    t[0].data[((y * kw + z) * d1 + j) * d0 + i] = W->f[((i * d1 + j) * kh + y) * kw + z];
    int bad = cf_node_set_values(&X->g->nodes[idx], t, B ? 2 : 1);
    cf_free(t[0].data);
    if (bad) return oom(X);
    count_params(X, idx, W);
    count_params(X, idx, B);
    out->ir = idx;
    return CLINFER_OK;
}

static clinfer_status op_conv(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    struct ctensor *W = NULL, *B = NULL;
    int x = 0;
    clinfer_status st;
    if (!in[1]->c || (n_in > 2 && in[2] && !in[2]->c)) return conv_runtime(X, n, in, n_in, out, 0);
    if ((st = as_ir(X, in[0], &x)) || (st = need_4d(X, x)) || (st = need_const(X, in[1], "weight W", 4, &W)) ||
        (st = need_float(X, W, "weight W")))
        return st;
    if (n_in > 2 && in[2] && ((st = need_const(X, in[2], "bias B", 1, &B)) || (st = need_float(X, B, "bias B")))) return st;
    struct cf_attrs a;
    cf_attrs_default(&a);
    int64_t M = W->dims[0], Cg = W->dims[1], kh = W->dims[2], kw = W->dims[3], ks[2];
    a.filters = M;
    a.groups = (int)attr_i(n, "group", 1);
    a.kernel[0] = (int)kh, a.kernel[1] = (int)kw;
    if (!X->one_d && attr_ints(n, "kernel_shape", ks, 2) == 2 && (ks[0] != kh || ks[1] != kw))
        return cf_onnx_fail(X, CLINFER_E_MODEL, "kernel_shape disagrees with W's dims");
    if ((st = pair_attr(X, n, "strides", a.strides, 1)) || (st = pair_attr(X, n, "dilations", a.dilation, 1)) ||
        (st = padding_of(X, n, &a)))
        return st;
    int64_t C = ir_shape(X, x)->d[1];
    if (a.groups < 1 || Cg * a.groups != C)
        return cf_onnx_fail(X, CLINFER_E_MODEL, "W has %lld input channels per group, %d groups, but the input has %lld channels",
                            (long long)Cg, a.groups, (long long)C);
    if (B && B->n != M) return cf_onnx_fail(X, CLINFER_E_MODEL, "B has %lld values for %lld filters", (long long)B->n, (long long)M);
    a.use_bias = B != NULL;
    int idx;
    if ((st = add_ir(X, CF_OP_CONV2D, &a, &x, 1, &idx))) return st;
    return set_conv_weights(X, idx, W, B, M, out);
}

static clinfer_status op_conv_transpose(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                        struct oval *out)
{
    struct ctensor *W = NULL, *B = NULL;
    int x = 0;
    clinfer_status st;
    if (!in[1]->c || (n_in > 2 && in[2] && !in[2]->c)) return conv_runtime(X, n, in, n_in, out, 1);
    if ((st = as_ir(X, in[0], &x)) || (st = need_4d(X, x)) || (st = need_const(X, in[1], "weight W", 4, &W)) ||
        (st = need_float(X, W, "weight W")))
        return st;
    if (n_in > 2 && in[2] && ((st = need_const(X, in[2], "bias B", 1, &B)) || (st = need_float(X, B, "bias B")))) return st;
    if (attr_i(n, "group", 1) != 1) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "group %lld: clinfer runs ConvTranspose with group 1",
                                                        (long long)attr_i(n, "group", 1));
    struct cf_attrs a;
    cf_attrs_default(&a);
    int64_t C = W->dims[0], M = W->dims[1], kh = W->dims[2], kw = W->dims[3], v[4];
    if (C != ir_shape(X, x)->d[1])
        return cf_onnx_fail(X, CLINFER_E_MODEL, "W has %lld input channels, the input %lld", (long long)C, (long long)ir_shape(X, x)->d[1]);
    a.onnx = 1;
    a.filters = M;
    a.kernel[0] = (int)kh, a.kernel[1] = (int)kw;
    if ((st = pair_attr(X, n, "strides", a.strides, 1)) || (st = pair_attr(X, n, "dilations", a.dilation, 1)) ||
        (st = padding_of(X, n, &a)))
        return st;
    if (a.padding == CF_PAD_VALID) a.padding = CF_PAD_EXPLICIT; /* zero pads */
    int c = attr_ints(n, "output_padding", v, 2);
    if (c == 2) a.output_padding[0] = (int)v[0], a.output_padding[1] = (int)v[1];
    if (c == 1 && X->one_d) a.output_padding[0] = 0, a.output_padding[1] = (int)v[0];
    c = attr_ints(n, "output_shape", v, 4);
    if (c == 2 || c == 4) a.output_shape[0] = v[c - 2], a.output_shape[1] = v[c - 1];
    else if (c == 1 && X->one_d) a.output_shape[0] = 1, a.output_shape[1] = v[0];
    else if (c >= 0) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "output_shape has %d values", c);
    a.use_bias = B != NULL;
    int idx;
    if ((st = add_ir(X, CF_OP_CONV2D_TRANSPOSE, &a, &x, 1, &idx))) return st;
    return set_conv_weights(X, idx, W, B, M, out);
}

/* Conv / ConvTranspose whose W (and B) are run-time tensors: Transposes to (kh, kw, C/G, M) or (kh, kw, M, C). */
static clinfer_status conv_runtime(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                   struct oval *out, int transpose)
{
    int ins[3], x = 0;
    clinfer_status st;
    if ((st = as_ir(X, in[0], &x)) || (st = need_4d(X, x))) return st;
    int w_ir = 0;
    if ((st = as_ir(X, in[1], &w_ir))) return st;
    const struct cf_shape *ws = ir_shape(X, w_ir);
    if (ws->rank != 4) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "W has rank %d; clinfer runs 2-D ops (4)", ws->rank);
    for (int k = 0; k < 4; k++)
        if (ws->d[k] < 1) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "W's dimensions must be known");
    struct cf_attrs a;
    cf_attrs_default(&a);
    int64_t C = ir_shape(X, x)->d[1], kh = ws->d[2], kw = ws->d[3];
    a.kernel[0] = (int)kh, a.kernel[1] = (int)kw;
    if ((st = pair_attr(X, n, "strides", a.strides, 1)) || (st = pair_attr(X, n, "dilations", a.dilation, 1)) ||
        (st = padding_of(X, n, &a)))
        return st;
    static const int to_keras[4] = {2, 3, 1, 0}; /* (M, C/G, kh, kw) -> (kh, kw, C/G, M); (C, M, ..) -> (.., M, C) */
    if (transpose) {
        if (attr_i(n, "group", 1) != 1) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "group must be 1 for ConvTranspose");
        if (ws->d[0] != C) return cf_onnx_fail(X, CLINFER_E_MODEL, "W has %lld input channels, the input %lld", (long long)ws->d[0], (long long)C);
        a.onnx = 1;
        a.filters = ws->d[1];
        if (a.padding == CF_PAD_VALID) a.padding = CF_PAD_EXPLICIT;
        int64_t v[4];
        int c = attr_ints(n, "output_padding", v, 2);
        if (c == 2) a.output_padding[0] = (int)v[0], a.output_padding[1] = (int)v[1];
        if (c == 1 && X->one_d) a.output_padding[0] = 0, a.output_padding[1] = (int)v[0];
        c = attr_ints(n, "output_shape", v, 4);
        if (c == 2 || c == 4) a.output_shape[0] = v[c - 2], a.output_shape[1] = v[c - 1];
        if (c == 1 && X->one_d) a.output_shape[0] = 1, a.output_shape[1] = v[0];
    } else {
        a.filters = ws->d[0];
        a.groups = (int)attr_i(n, "group", 1);
        if (a.groups < 1 || ws->d[1] * a.groups != C)
            return cf_onnx_fail(X, CLINFER_E_MODEL, "W has %lld input channels per group and %d groups, the input %lld",
                                (long long)ws->d[1], a.groups, (long long)C);
    }
    int k = 0;
    ins[k++] = x;
    if ((st = runtime_weight(X, in[1], to_keras, 4, &ins[k++]))) return st;
    a.use_bias = n_in > 2 && in[2];
    if (a.use_bias && (st = runtime_weight(X, in[2], NULL, 1, &ins[k++]))) return st;
    if ((st = add_ir(X, transpose ? CF_OP_CONV2D_TRANSPOSE : CF_OP_CONV2D, &a, ins, k, &out->ir))) return st;
    for (int i = 1; i < n_in; i++)
        if (in[i]) count_params(X, out->ir, in[i]->c);
    return CLINFER_OK;
}

static clinfer_status op_pool(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    (void)n_in;
    int x;
    clinfer_status st;
    if ((st = as_ir(X, in[0], &x)) || (st = need_4d(X, x))) return st;
    struct cf_attrs a;
    cf_attrs_default(&a);
    int64_t ks[2] = {1, 1};
    if (attr_ints(n, "kernel_shape", ks + X->one_d, 2 - X->one_d) != 2 - X->one_d)
        return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "kernel_shape must have 2 values (2-D pooling)");
    if (ks[0] < 1 || ks[1] < 1 || ks[0] > (1 << 20) || ks[1] > (1 << 20))
        return cf_onnx_fail(X, CLINFER_E_MODEL, "kernel_shape must be positive");
    a.kernel[0] = (int)ks[0], a.kernel[1] = (int)ks[1];
    if ((st = pair_attr(X, n, "strides", a.strides, 1)) || (st = pair_attr(X, n, "dilations", a.dilation, 1)) ||
        (st = padding_of(X, n, &a)))
        return st;
    a.ceil_mode = (int)attr_i(n, "ceil_mode", 0);
    a.count_include_pad = (int)attr_i(n, "count_include_pad", 0);
    if (attr_i(n, "storage_order", 0) != 0) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "storage_order 1 is not supported");
    int idx;
    if ((st = add_ir(X, strcmp(n->op_type, "MaxPool") == 0 ? CF_OP_MAX_POOL2D : CF_OP_AVG_POOL2D, &a, &x, 1, &idx))) return st;
    out->ir = idx;
    return CLINFER_OK;
}

static clinfer_status op_global_pool(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                     struct oval *out)
{
    (void)n_in;
    int x;
    clinfer_status st;
    if ((st = as_ir(X, in[0], &x)) || (st = need_4d(X, x))) return st;
    struct cf_attrs a;
    cf_attrs_default(&a);
    a.keepdims = 1;
    return add_ir(X, n->op_type[6] == 'A' ? CF_OP_GLOBAL_AVG_POOL2D : CF_OP_GLOBAL_MAX_POOL2D, &a, &x, 1, &out->ir);
}

/* Dense from a constant matrix: kernel (K, N) and an optional bias (N) */
static clinfer_status dense_from(struct onnx_ctx *X, int x, const float *kernel, int64_t K, int64_t N, const float *bias,
                                 struct oval *out)
{
    struct cf_attrs a;
    cf_attrs_default(&a);
    a.filters = N;
    a.use_bias = bias != NULL;
    const struct cf_shape *xs = ir_shape(X, x);
    if (xs->d[xs->rank - 1] != K)
        return cf_onnx_fail(X, CLINFER_E_MODEL, "the input's last axis has %lld values, the matrix %lld rows",
                            (long long)xs->d[xs->rank - 1], (long long)K);
    int idx;
    clinfer_status st = add_ir(X, CF_OP_DENSE, &a, &x, 1, &idx);
    if (st) return st;
    struct cf_tensor t[2] = {{{"kernel", 2, {K, N}, 1}, (float *)kernel}, {{"bias", 1, {N}, 1}, (float *)bias}};
    if (cf_node_set_values(&X->g->nodes[idx], t, bias ? 2 : 1)) return oom(X);
    out->ir = idx;
    return CLINFER_OK;
}

static clinfer_status op_gemm(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    float alpha = attr_f(n, "alpha", 1.0f), beta = attr_f(n, "beta", 1.0f);
    int transA = (int)attr_i(n, "transA", 0), transB = (int)attr_i(n, "transB", 0);
    int x;
    clinfer_status st;
    if ((st = as_ir(X, in[0], &x))) return st;
    if (ir_shape(X, x)->rank != 2) return cf_onnx_fail(X, CLINFER_E_MODEL, "A must be 2-D");
    if (transA) {
        static const int swap[2] = {1, 0};
        struct oval tmp = {in[0]->name, x, NULL};
        if ((st = runtime_weight(X, &tmp, swap, 2, &x))) return st;
    }
    struct oval *C = n_in > 2 ? in[2] : NULL;
    if (C && !C->c && in[1]->c) {
        /* a run-time C: Dense without bias, then [Mul beta] and Add C */
        struct oval *c_rt = C;
        struct oval *tmp_in[2] = {in[0], in[1]};
        struct oval a_ir = {in[0]->name, x, NULL};
        tmp_in[0] = &a_ir;
        Onnx__NodeProto nn = *n;
        Onnx__AttributeProto *kept[8];
        size_t nk = 0;
        for (size_t i = 0; i < n->n_attribute && nk < 8; i++)
            if (strcmp(n->attribute[i]->name, "beta") && strcmp(n->attribute[i]->name, "transA")) kept[nk++] = n->attribute[i];
        nn.attribute = kept;
        nn.n_attribute = nk;
        if ((st = op_gemm(X, &nn, tmp_in, 2, out))) return st;
        int pair[2] = {out->ir, 0};
        struct cf_attrs a;
        cf_attrs_default(&a);
        a.broadcast = CF_BCAST_NUMPY;
        if ((st = as_ir(X, c_rt, &pair[1]))) return st;
        if (beta != 1.0f) {
            struct ctensor *bc = cf_onnx_new_const(X, CT_FLOAT, 0, NULL);
            if (!bc) return oom(X);
            bc->f[0] = beta;
            struct oval bv = {"beta", -1, bc};
            int bb[2] = {pair[1], 0};
            if ((st = as_ir(X, &bv, &bb[1])) || (st = add_ir(X, CF_OP_MULTIPLY, &a, bb, 2, &pair[1]))) return st;
        }
        return add_ir(X, CF_OP_ADD, &a, pair, 2, &out->ir);
    }
    if (!in[1]->c) { /* both operands at run time: [Transpose] MatMul [Mul alpha] [Add beta·C] */
        int ins[2] = {x, 0};
        struct cf_attrs a;
        cf_attrs_default(&a);
        a.broadcast = CF_BCAST_NUMPY;
        if ((st = as_ir(X, in[1], &ins[1]))) return st;
        if (transB) {
            struct cf_attrs t = a;
            t.perm[0] = 1, t.perm[1] = 0;
            if ((st = add_ir(X, CF_OP_TRANSPOSE, &t, &ins[1], 1, &ins[1]))) return st;
        }
        if ((st = add_ir(X, CF_OP_MATMUL, &a, ins, 2, &out->ir))) return st;
        /* y = alpha·(A·B) + beta·C, C a constant or a run-time tensor */
        float factor[2] = {alpha, beta};
        for (int k = 0; k < 2; k++) {
            if (k == 1 && !C) break;
            int operand = -1;
            if (k == 1 && !C->c) {
                if ((st = as_ir(X, C, &operand))) return st;
                if (beta == 1.0f) goto add;
            } else if (k == 0 && alpha == 1.0f) {
                continue;
            }
            {
                /* the factor (alpha, or beta folded into a constant C, or beta alone for a run-time C) */
                int folded = k == 1 && C->c;
                struct ctensor *c = folded ? cf_onnx_new_const(X, CT_FLOAT, C->c->rank, C->c->dims)
                                           : cf_onnx_new_const(X, CT_FLOAT, 0, NULL);
                if (!c) return oom(X);
                if (folded && C->c->type != CT_FLOAT) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "C is not FLOAT");
                for (int64_t e = 0; e < c->n; e++) c->f[e] = folded ? beta * C->c->f[e] : factor[k];
                struct oval v = {k == 0 ? "alpha" : C->name, -1, c};
                int f;
                if ((st = as_ir(X, &v, &f))) return st;
                if (k == 0 || folded) {
                    int pair[2] = {out->ir, f};
                    if ((st = add_ir(X, folded ? CF_OP_ADD : CF_OP_MULTIPLY, &a, pair, 2, &out->ir))) return st;
                    if (folded) count_params(X, out->ir, C->c);
                    continue;
                }
                int pair[2] = {operand, f};
                if ((st = add_ir(X, CF_OP_MULTIPLY, &a, pair, 2, &operand))) return st;
            }
        add : {
            int pair[2] = {out->ir, operand};
            if ((st = add_ir(X, CF_OP_ADD, &a, pair, 2, &out->ir))) return st;
        }
        }
        return CLINFER_OK;
    }
    struct ctensor *B = NULL, *Cc = NULL;
    if ((st = need_const(X, in[1], "B", 2, &B)) || (st = need_float(X, B, "B"))) return st;
    int64_t K = transB ? B->dims[1] : B->dims[0], N = transB ? B->dims[0] : B->dims[1];
    if (C && ((st = need_const(X, C, "C", -1, &Cc)) || (st = need_float(X, Cc, "C")))) return st;
    if (Cc && !(Cc->n == 1 || (Cc->n == N && Cc->dims[Cc->rank - 1] == N)))
        return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "C of %lld values does not broadcast along N = %lld only",
                            (long long)Cc->n, (long long)N);
    float *k = cf_malloc(sizeof(float) * (size_t)(K * N)), *b = Cc ? cf_malloc(sizeof(float) * (size_t)N) : NULL;
    if (!k || (Cc && !b)) {
        cf_free(k);
        cf_free(b);
        return oom(X);
    }
    for (int64_t i = 0; i < K; i++)
        for (int64_t j = 0; j < N; j++) k[i * N + j] = alpha * (transB ? B->f[j * K + i] : B->f[i * N + j]);
    for (int64_t j = 0; Cc && j < N; j++) b[j] = beta * Cc->f[Cc->n == 1 ? 0 : j];
    st = dense_from(X, x, k, K, N, b, out);
    cf_free(k);
    cf_free(b);
    if (st) return st;
    count_params(X, out->ir, B);
    count_params(X, out->ir, Cc);
    return CLINFER_OK;
}

static clinfer_status op_matmul(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    (void)n;
    (void)n_in;
    int ins[2];
    clinfer_status st;
    if ((st = as_ir(X, in[0], &ins[0]))) return st;
    if (in[1]->c && in[1]->c->rank == 2 && in[1]->c->type == CT_FLOAT && ir_shape(X, ins[0])->rank >= 2) {
        struct ctensor *B = in[1]->c;
        if ((st = dense_from(X, ins[0], B->f, B->dims[0], B->dims[1], NULL, out))) return st;
        count_params(X, out->ir, B);
        return CLINFER_OK;
    }
    if ((st = as_ir(X, in[1], &ins[1]))) return st;
    struct cf_attrs a;
    cf_attrs_default(&a);
    if ((st = add_ir(X, CF_OP_MATMUL, &a, ins, 2, &out->ir))) return st;
    count_params(X, out->ir, in[0]->c);
    count_params(X, out->ir, in[1]->c);
    return CLINFER_OK;
}

static clinfer_status op_binary(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
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
        int rank = ir_shape(X, in[0]->ir)->rank, axis = -1;
        if (X->opset < 7 && attr_i(n, "broadcast", 0) && attr(n, "axis")) axis = norm_axis(attr_i(n, "axis", 0), rank);
        if (X->opset < 7 && op == CF_OP_PRELU && in[1]->c && in[1]->c->rank == 1 && in[1]->c->n > 1) axis = 1;
        if (axis >= 0) {
            struct ctensor *b = in[1]->c;
            if (!b) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "legacy broadcasting of a run-time operand");
            int64_t dims[CF_MAX_RANK];
            int r = b->rank;
            memcpy(dims, b->dims, sizeof dims);
            while (axis + r < rank && r < CF_MAX_RANK) dims[r++] = 1;
            struct oval tmp = {in[1]->name, -1, NULL};
            if ((st = fold_reshape_to(X, b, r, dims, &tmp))) return st;
            tmp.c->counted = b->counted;
            b->counted = 1;
            in[1] = &tmp;
            if ((st = as_ir(X, in[0], &ins[0])) || (st = as_ir(X, in[1], &ins[1]))) return st;
            struct cf_attrs a;
            cf_attrs_default(&a);
            a.broadcast = CF_BCAST_NUMPY;
            if ((st = add_ir(X, op, &a, ins, 2, &out->ir))) return st;
            count_params(X, out->ir, tmp.c);
            return CLINFER_OK;
        }
    }
    for (int i = 0; i < n_in; i++) {
        if (!in[i]) continue;
        if ((st = as_ir(X, in[i], &ins[k++]))) return st;
    }
    if (k == 0) return cf_onnx_fail(X, CLINFER_E_MODEL, "no inputs");
    struct cf_attrs a;
    cf_attrs_default(&a);
    a.broadcast = CF_BCAST_NUMPY;
    if ((st = add_ir(X, k == 1 ? CF_OP_IDENTITY : op, &a, ins, k, &out->ir))) return st;
    for (int i = 0; i < n_in; i++)
        if (in[i]) count_params(X, out->ir, in[i]->c);
    return CLINFER_OK;
}

static clinfer_status op_activation(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                    struct oval *out)
{
    struct cf_attrs a;
    cf_attrs_default(&a);
    enum cf_act act;
    if (cf_act_lookup_onnx(n->op_type, &act)) cf_act_set(&a, act); /* (activations.def's onnx column) */
    int x;
    clinfer_status st = as_ir(X, in[0], &x);
    if (st) return st;
    switch (a.act) {
    case CF_ACT_LEAKY_RELU: a.alpha = attr_f(n, "alpha", 0.01f); break;
    case CF_ACT_ELU: a.alpha = attr_f(n, "alpha", 1.0f); break;
    case CF_ACT_SELU:
        a.alpha = attr_f(n, "alpha", 1.67326319217681884765625f);
        a.beta = attr_f(n, "gamma", 1.05070102214813232421875f);
        break;
    case CF_ACT_HARD_SIGMOID:
        a.alpha = attr_f(n, "alpha", 0.2f);
        a.beta = attr_f(n, "beta", 0.5f);
        break;
    case CF_ACT_CLIP:
        if (X->opset < 11) {
            a.alpha = attr_f(n, "min", a.alpha);
            a.beta = attr_f(n, "max", a.beta);
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
                    if ((st = as_ir(X, in[k], &pair[1])) ||
                        (st = add_ir(X, k == 1 ? CF_OP_MAXIMUM : CF_OP_MINIMUM, &b, pair, 2, &cur)))
                        return st;
                }
                out->ir = cur;
                return CLINFER_OK;
            }
            for (int k = 1; k < 3 && k < n_in; k++) {
                if (!in[k]) continue;
                if ((st = need_const(X, in[k], k == 1 ? "min" : "max", -1, &c)) || (st = need_float(X, c, "min/max"))) return st;
                if (c->n != 1) return cf_onnx_fail(X, CLINFER_E_MODEL, "min and max must be scalars");
                if (k == 1) a.alpha = c->f[0];
                else a.beta = c->f[0];
            }
        }
        break;
    case CF_ACT_SOFTMAX:
    case CF_ACT_LOG_SOFTMAX: {
        int rank = ir_shape(X, x)->rank;
        a.softmax_coerce = X->opset < 13;
        a.axis = norm_axis(attr_i(n, "axis", X->opset < 13 ? 1 : -1), rank);
        if (a.axis < 0 || a.axis >= rank) return cf_onnx_fail(X, CLINFER_E_MODEL, "axis is out of range");
        break;
    }
    default: break;
    }
    return add_ir(X, CF_OP_ACTIVATION, &a, &x, 1, &out->ir);
}

static clinfer_status op_flatten(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    (void)n_in;
    int x;
    clinfer_status st = as_ir(X, in[0], &x);
    if (st) return st;
    struct cf_attrs a;
    cf_attrs_default(&a);
    a.axis = norm_axis(attr_i(n, "axis", 1), ir_shape(X, x)->rank);
    return add_ir(X, CF_OP_FLATTEN, &a, &x, 1, &out->ir);
}

/* a RESHAPE to target dims that may hold SYM_BATCH */
static clinfer_status reshape_ir(struct onnx_ctx *X, int x, const int64_t *t, int tn, struct oval *out)
{
    struct cf_attrs a;
    cf_attrs_default(&a);
    a.target_full = 1;
    a.target.rank = tn;
    for (int k = 0; k < tn; k++) a.target.d[k] = t[k] == SYM_BATCH ? CF_DIM_BATCH : t[k];
    return add_ir(X, CF_OP_RESHAPE, &a, &x, 1, &out->ir);
}

static clinfer_status op_reshape(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    int x, tn = 0;
    int64_t t[CF_MAX_RANK];
    clinfer_status st = as_ir(X, in[0], &x);
    if (st) return st;
    if (X->opset < 5) tn = attr_ints(n, "shape", t, CF_MAX_RANK);
    else if (n_in < 2 || !in[1]) return cf_onnx_fail(X, CLINFER_E_MODEL, "no shape input");
    else if ((st = const_ints(X, in[1], "shape", t, CF_MAX_RANK, &tn))) return st;
    if (tn < 0 || tn > CF_MAX_RANK) return cf_onnx_fail(X, CLINFER_E_MODEL, "bad shape");
    for (int k = 0; k < tn; k++)
        if (t[k] == 0 && attr_i(n, "allowzero", 0))
            return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "allowzero=1 with a zero in the shape");
    return reshape_ir(X, x, t, tn, out);
}

static clinfer_status op_squeeze(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    int x, na, r;
    int64_t axes[CF_MAX_RANK], dims[CF_MAX_RANK], t[CF_MAX_RANK];
    clinfer_status st = as_ir(X, in[0], &x);
    if (st || (st = axes_of(X, n, in, n_in, 13, axes, &na))) return st;
    const struct cf_shape *s = ir_shape(X, x);
    int unsq = n->op_type[0] == 'U';
    if (unsq && na < 0) return cf_onnx_fail(X, CLINFER_E_MODEL, "Unsqueeze without axes");
    for (int k = 0; k < s->rank; k++) {
        if (s->d[k] < 0 && k > 0) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "an unknown dimension besides the batch");
        dims[k] = s->d[k] < 0 ? SYM_BATCH : s->d[k];
    }
    if ((st = squeeze_dims(X, unsq, dims, s->rank, axes, na, t, &r))) return st;
    return reshape_ir(X, x, t, r, out);
}

static clinfer_status op_transpose(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    (void)n_in;
    int x;
    clinfer_status st = as_ir(X, in[0], &x);
    if (st) return st;
    int rank = ir_shape(X, x)->rank;
    int64_t perm[CF_MAX_RANK];
    int c = attr_ints(n, "perm", perm, CF_MAX_RANK);
    struct cf_attrs a;
    cf_attrs_default(&a);
    if (c >= 0 && c != rank) return cf_onnx_fail(X, CLINFER_E_MODEL, "perm has %d values for rank %d", c, rank);
    for (int k = 0; k < rank; k++) a.perm[k] = c < 0 ? rank - 1 - k : (int)perm[k];
    return add_ir(X, CF_OP_TRANSPOSE, &a, &x, 1, &out->ir);
}

static clinfer_status op_concat(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    int ins[64], k = 0;
    clinfer_status st;
    for (int i = 0; i < n_in; i++)
        if (in[i] && (st = as_ir(X, in[i], &ins[k++]))) return st;
    if (!attr(n, "axis")) return cf_onnx_fail(X, CLINFER_E_MODEL, "the axis attribute is required");
    struct cf_attrs a;
    cf_attrs_default(&a);
    a.axis = norm_axis(attr_i(n, "axis", 0), ir_shape(X, ins[0])->rank);
    if (k == 1) return add_ir(X, CF_OP_IDENTITY, &a, ins, 1, &out->ir);
    if ((st = add_ir(X, CF_OP_CONCAT, &a, ins, k, &out->ir))) return st;
    for (int i = 0; i < n_in; i++)
        if (in[i]) count_params(X, out->ir, in[i]->c);
    return CLINFER_OK;
}

static clinfer_status op_pad(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    int x, np = 0;
    clinfer_status st = as_ir(X, in[0], &x);
    if (st) return st;
    int rank = ir_shape(X, x)->rank;
    struct cf_attrs a;
    cf_attrs_default(&a);
    char mode[32];
    attr_s(n, "mode", "constant", mode, sizeof mode);
    if (strcmp(mode, "constant") == 0) a.pad_mode = CF_PADMODE_CONSTANT;
    else if (strcmp(mode, "reflect") == 0) a.pad_mode = CF_PADMODE_REFLECT;
    else if (strcmp(mode, "edge") == 0) a.pad_mode = CF_PADMODE_EDGE;
    else return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "mode '%s' is not supported (constant, reflect, edge)", mode);
    int64_t pads[2 * CF_MAX_RANK], axes[CF_MAX_RANK];
    int na = -1;
    if (X->opset < 11) {
        np = attr_ints(n, "pads", pads, 2 * CF_MAX_RANK);
        a.pad_value = attr_f(n, "value", 0.0f);
    } else {
        if (n_in < 2 || !in[1]) return cf_onnx_fail(X, CLINFER_E_MODEL, "no pads input");
        if ((st = const_ints(X, in[1], "pads", pads, 2 * CF_MAX_RANK, &np))) return st;
        if (n_in > 2 && in[2]) {
            struct ctensor *v = NULL;
            if ((st = need_const(X, in[2], "constant_value", -1, &v)) || (st = need_float(X, v, "constant_value"))) return st;
            if (v->n != 1) return cf_onnx_fail(X, CLINFER_E_MODEL, "constant_value must be a scalar");
            a.pad_value = v->f[0];
        }
        if (n_in > 3 && in[3] && (st = const_ints(X, in[3], "axes", axes, CF_MAX_RANK, &na))) return st;
    }
    int count = na >= 0 ? na : rank;
    if (np != 2 * count) return cf_onnx_fail(X, CLINFER_E_MODEL, "pads has %d values for %d axes", np, count);
    for (int k = 0; k < count; k++) {
        int ax = na >= 0 ? norm_axis(axes[k], rank) : k;
        if (ax < 0 || ax >= rank) return cf_onnx_fail(X, CLINFER_E_MODEL, "bad axes");
        a.pad_begin[ax] = pads[k];
        a.pad_end[ax] = pads[k + count];
    }
    return add_ir(X, CF_OP_PAD, &a, &x, 1, &out->ir);
}

static clinfer_status op_batch_norm(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                    struct oval *out)
{
    int x;
    clinfer_status st = as_ir(X, in[0], &x);
    if (st) return st;
    if (n_in < 5) return cf_onnx_fail(X, CLINFER_E_MODEL, "it needs X, scale, B, mean and var");
    if (attr_i(n, "training_mode", 0)) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "training_mode=1 (clinfer runs inference)");
    if (X->opset < 9 && attr_i(n, "spatial", 1) != 1) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "spatial=0 is not supported");
    if (ir_shape(X, x)->rank < 2) return cf_onnx_fail(X, CLINFER_E_MODEL, "the input needs a channel axis");
    int64_t C = ir_shape(X, x)->d[1];
    static const char *const names[4] = {"gamma", "beta", "moving_mean", "moving_variance"};
    static const char *const what[4] = {"scale", "B", "mean", "var"};
    struct ctensor *c[4] = {NULL, NULL, NULL, NULL};
    struct cf_tensor t[4];
    if (!in[1]->c || !in[2]->c || !in[3]->c || !in[4]->c) { /* given at run time: extra inputs */
        int ins[5] = {x};
        for (int k = 0; k < 4; k++) {
            if ((st = as_ir(X, in[k + 1], &ins[k + 1]))) return st;
            const struct cf_shape *ps = ir_shape(X, ins[k + 1]);
            if (ps->rank != 1 || ps->d[0] != C)
                return cf_onnx_fail(X, CLINFER_E_MODEL, "%s must hold %lld values", what[k], (long long)C);
        }
        struct cf_attrs a;
        cf_attrs_default(&a);
        a.axis = 1;
        a.epsilon = attr_f(n, "epsilon", 1e-5f);
        if ((st = add_ir(X, CF_OP_BATCH_NORM, &a, ins, 5, &out->ir))) return st;
        for (int k = 1; k < 5; k++) count_params(X, out->ir, in[k]->c);
        return CLINFER_OK;
    }
    for (int k = 0; k < 4; k++) {
        if ((st = need_const(X, in[k + 1], what[k], 1, &c[k])) || (st = need_float(X, c[k], what[k]))) return st;
        if (c[k]->n != C) return cf_onnx_fail(X, CLINFER_E_MODEL, "%s has %lld values for %lld channels", what[k], (long long)c[k]->n, (long long)C);
        t[k] = (struct cf_tensor){{names[k], 1, {C}, k < 2}, c[k]->f};
    }
    struct cf_attrs a;
    cf_attrs_default(&a);
    a.axis = 1;
    a.epsilon = attr_f(n, "epsilon", 1e-5f);
    int idx;
    if ((st = add_ir(X, CF_OP_BATCH_NORM, &a, &x, 1, &idx))) return st;
    if (cf_node_set_values(&X->g->nodes[idx], t, 4)) return oom(X);
    for (int k = 0; k < 4; k++) count_params(X, idx, c[k]);
    out->ir = idx;
    return CLINFER_OK;
}

static clinfer_status op_lrn(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    (void)n_in;
    int x;
    clinfer_status st = as_ir(X, in[0], &x);
    if (st) return st;
    struct cf_attrs a;
    cf_attrs_default(&a);
    a.alpha = attr_f(n, "alpha", 1e-4f);
    a.beta = attr_f(n, "beta", 0.75f);
    a.epsilon = attr_f(n, "bias", 1.0f);
    a.lrn_size = (int)attr_i(n, "size", 0);
    if (a.lrn_size < 1) return cf_onnx_fail(X, CLINFER_E_MODEL, "size must be positive");
    return add_ir(X, CF_OP_LRN, &a, &x, 1, &out->ir);
}

static clinfer_status op_identity(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    (void)n;
    (void)n_in;
    int x;
    clinfer_status st = as_ir(X, in[0], &x);
    if (st) return st;
    struct cf_attrs a;
    cf_attrs_default(&a);
    return add_ir(X, CF_OP_IDENTITY, &a, &x, 1, &out->ir);
}

static clinfer_status op_constant(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    (void)in;
    (void)n_in;
    const Onnx__AttributeProto *a;
    if ((a = attr(n, "value")) && a->t) return cf_onnx_tensor(X, a->t, "its value", &out->c);
    int64_t one = 1;
    if ((a = attr(n, "value_float")) && a->has_f) {
        if (!(out->c = cf_onnx_new_const(X, CT_FLOAT, 0, NULL))) return oom(X);
        out->c->f[0] = a->f;
    } else if ((a = attr(n, "value_int")) && a->has_i) {
        if (!(out->c = cf_onnx_new_const(X, CT_INT64, 0, NULL))) return oom(X);
        out->c->i[0] = a->i;
    } else if ((a = attr(n, "value_floats"))) {
        one = (int64_t)a->n_floats;
        if (!(out->c = cf_onnx_new_const(X, CT_FLOAT, 1, &one))) return oom(X);
        memcpy(out->c->f, a->floats, sizeof(float) * a->n_floats);
    } else if ((a = attr(n, "value_ints"))) {
        one = (int64_t)a->n_ints;
        if (!(out->c = cf_onnx_new_const(X, CT_INT64, 1, &one))) return oom(X);
        memcpy(out->c->i, a->ints, sizeof(int64_t) * a->n_ints);
    } else {
        return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "no value clinfer reads (value, value_float(s), value_int(s))");
    }
    return CLINFER_OK;
}

static clinfer_status op_constant_of_shape(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                           struct oval *out)
{
    (void)n_in;
    int64_t dims[CF_MAX_RANK];
    int r;
    clinfer_status st = const_ints(X, in[0], "shape", dims, CF_MAX_RANK, &r);
    if (st) return st;
    for (int k = 0; k < r; k++)
        if (dims[k] < 0) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "a shape that depends on the batch");
    const Onnx__AttributeProto *a = attr(n, "value");
    struct ctensor *v = NULL;
    if (a && a->t && (st = cf_onnx_tensor(X, a->t, "its value", &v))) return st;
    if (v && v->n != 1) return cf_onnx_fail(X, CLINFER_E_MODEL, "value must hold one element");
    if (!(out->c = cf_onnx_new_const(X, v ? v->type : CT_FLOAT, r, dims))) return oom(X);
    for (int64_t k = 0; k < out->c->n; k++) {
        if (out->c->type == CT_FLOAT) out->c->f[k] = v ? v->f[0] : 0.0f;
        else out->c->i[k] = v->i[0];
    }
    return CLINFER_OK;
}

static clinfer_status op_shape(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    (void)n_in;
    int64_t dims[CF_MAX_RANK];
    int rank;
    if (in[0]->c) {
        rank = in[0]->c->rank;
        memcpy(dims, in[0]->c->dims, sizeof dims);
    } else {
        const struct cf_shape *s = ir_shape(X, in[0]->ir);
        rank = s->rank;
        for (int k = 0; k < rank; k++) {
            if (s->d[k] < 0 && k > 0) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "an unknown dimension besides the batch");
            dims[k] = s->d[k] < 0 ? SYM_BATCH : s->d[k];
        }
    }
    int64_t start = attr_i(n, "start", 0), end = attr_i(n, "end", rank);
    if (start < 0) start += rank;
    if (end < 0) end += rank;
    if (start < 0) start = 0;
    if (end > rank) end = rank;
    int64_t len = end > start ? end - start : 0;
    if (!(out->c = cf_onnx_new_const(X, CT_INT64, 1, &len))) return oom(X);
    for (int64_t k = 0; k < len; k++) out->c->i[k] = dims[start + k];
    return CLINFER_OK;
}

static clinfer_status op_reduce_mean(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                     struct oval *out)
{
    int x, na;
    int64_t axes[CF_MAX_RANK];
    clinfer_status st = as_ir(X, in[0], &x);
    if (st || (st = axes_of(X, n, in, n_in, 18, axes, &na))) return st;
    int rank = ir_shape(X, x)->rank;
    struct cf_attrs a;
    cf_attrs_default(&a);
    a.keepdims = (int)attr_i(n, "keepdims", 1);
    if (na <= 0) {
        if (na == 0 && attr_i(n, "noop_with_empty_axes", 0)) return add_ir(X, CF_OP_IDENTITY, &a, &x, 1, &out->ir);
        a.reduce_axes = (1u << rank) - 1;
    }
    for (int k = 0; k < na; k++) {
        int ax = norm_axis(axes[k], rank);
        if (ax < 0 || ax >= rank) return cf_onnx_fail(X, CLINFER_E_MODEL, "axis %lld is out of range", (long long)axes[k]);
        a.reduce_axes |= 1u << ax;
    }
    return add_ir(X, CF_OP_REDUCE_MEAN, &a, &x, 1, &out->ir);
}

static clinfer_status op_depth_to_space(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in,
                                        struct oval *out)
{
    (void)n_in;
    int x;
    clinfer_status st = as_ir(X, in[0], &x);
    if (st) return st;
    struct cf_attrs a;
    cf_attrs_default(&a);
    a.blocksize = (int)attr_i(n, "blocksize", 0);
    char mode[16];
    attr_s(n, "mode", "DCR", mode, sizeof mode);
    if (strcmp(mode, "CRD") == 0) a.d2s_crd = 1;
    else if (strcmp(mode, "DCR") != 0) return cf_onnx_fail(X, CLINFER_E_MODEL, "mode '%s' is not DCR or CRD", mode);
    if (a.blocksize < 1) return cf_onnx_fail(X, CLINFER_E_MODEL, "blocksize must be positive");
    return add_ir(X, CF_OP_DEPTH_TO_SPACE, &a, &x, 1, &out->ir);
}

static clinfer_status op_fold_only(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    (void)in;
    (void)n_in;
    (void)out;
    return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "%s of data computed at run time is not supported (only of constants and "
                                                  "shapes, folded at load time)",
                        n->op_type);
}

/* A 1-D Conv, ConvTranspose or pool runs as a 2-D one of height 1: (N, C, L) -> (N, C, 1, L) and back. */
static clinfer_status one_d(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out,
                            onnx_fn fn)
{
    int x;
    clinfer_status st = as_ir(X, in[0], &x);
    if (st) return st;
    const struct cf_shape *s = ir_shape(X, x);
    if (s->rank != 3) return fn(X, n, in, n_in, out);
    int64_t t[4] = {s->d[0] < 0 ? SYM_BATCH : s->d[0], s->d[1], 1, s->d[2]};
    struct oval x4 = {in[0]->name, -1, NULL}, w4 = {NULL, -1, NULL};
    if ((st = reshape_ir(X, x, t, 4, &x4))) return st;
    struct oval *in4[64];
    for (int k = 0; k < n_in; k++) in4[k] = in[k];
    in4[0] = &x4;
    if (n_in > 1 && in[1] && (strcmp(n->op_type, "Conv") == 0 || strcmp(n->op_type, "ConvTranspose") == 0)) {
        w4.name = in[1]->name;
        if (in[1]->c && in[1]->c->rank == 3) {
            int64_t wd[4] = {in[1]->c->dims[0], in[1]->c->dims[1], 1, in[1]->c->dims[2]};
            if ((st = fold_reshape_to(X, in[1]->c, 4, wd, &w4))) return st;
        } else if (!in[1]->c) {
            int w;
            if ((st = as_ir(X, in[1], &w))) return st;
            const struct cf_shape *ws = ir_shape(X, w);
            if (ws->rank != 3) return cf_onnx_fail(X, CLINFER_E_MODEL, "W of a 1-D Conv must have rank 3");
            int64_t wd[4] = {ws->d[0], ws->d[1], 1, ws->d[2]};
            if ((st = reshape_ir(X, w, wd, 4, &w4))) return st;
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
    if (w4.c) w4.c->counted = 1, in[1]->c->counted = 0, count_params(X, o4.ir, in[1]->c);
    const struct cf_shape *os = ir_shape(X, o4.ir);
    int64_t back[3] = {os->d[0] < 0 ? SYM_BATCH : os->d[0], os->d[1], os->d[3]};
    return reshape_ir(X, o4.ir, back, 3, out);
}

static clinfer_status op_conv_any(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    return one_d(X, n, in, n_in, out, strcmp(n->op_type, "Conv") == 0 ? op_conv : strcmp(n->op_type, "ConvTranspose") == 0 ? op_conv_transpose : op_pool);
}

static const struct onnx_op {
    const char *name;
    onnx_fn fn;
    const char *attrs; /* the attributes it takes, space-separated */
    int min_in;
} ops[] = {
    {"Conv", op_conv_any, "auto_pad dilations group kernel_shape pads strides", 2},
    {"ConvTranspose", op_conv_any, "auto_pad dilations group kernel_shape output_padding output_shape pads strides", 2},
    {"MaxPool", op_conv_any, "auto_pad ceil_mode dilations kernel_shape pads storage_order strides", 1},
    {"AveragePool", op_conv_any, "auto_pad ceil_mode count_include_pad dilations kernel_shape pads strides", 1},
    {"GlobalAveragePool", op_global_pool, "", 1},
    {"GlobalMaxPool", op_global_pool, "", 1},
    {"Gemm", op_gemm, "alpha beta transA transB broadcast", 2},
    {"MatMul", op_matmul, "", 2},
    {"Add", op_binary, "broadcast axis", 2},
    {"Sub", op_binary, "broadcast axis", 2},
    {"Mul", op_binary, "broadcast axis", 2},
    {"Div", op_binary, "broadcast axis", 2},
    {"Sum", op_binary, "", 1},
    {"PRelu", op_binary, "", 2},
    {"Relu", op_activation, "", 1},
    {"LeakyRelu", op_activation, "alpha", 1},
    {"Elu", op_activation, "alpha", 1},
    {"Selu", op_activation, "alpha gamma", 1},
    {"Sigmoid", op_activation, "", 1},
    {"HardSigmoid", op_activation, "alpha beta", 1},
    {"Tanh", op_activation, "", 1},
    {"Clip", op_activation, "min max", 1},
    {"Softmax", op_activation, "axis", 1},
    {"LogSoftmax", op_activation, "axis", 1},
    {"Softplus", op_activation, "", 1},
    {"Softsign", op_activation, "", 1},
    {"Flatten", op_flatten, "axis", 1},
    {"Reshape", op_reshape, "allowzero shape", 1},
    {"Transpose", op_transpose, "perm", 1},
    {"Concat", op_concat, "axis", 1},
    {"Pad", op_pad, "mode pads value", 1},
    {"BatchNormalization", op_batch_norm, "epsilon momentum spatial training_mode is_test", 5},
    {"LRN", op_lrn, "alpha beta bias size", 1},
    {"Dropout", op_identity, "ratio seed is_test", 1},
    {"Identity", op_identity, "", 1},
    {"Constant", op_constant, "value value_float value_floats value_int value_ints", 0},
    {"ConstantOfShape", op_constant_of_shape, "value", 1},
    {"Shape", op_shape, "start end", 1},
    {"Gather", op_fold_only, "axis", 2},
    {"Squeeze", op_squeeze, "axes", 1},
    {"Unsqueeze", op_squeeze, "axes", 1},
    {"ReduceMean", op_reduce_mean, "axes keepdims noop_with_empty_axes", 1},
    {"DepthToSpace", op_depth_to_space, "blocksize mode", 1},
};


clinfer_status cf_onnx_node(struct onnx_ctx *X, const Onnx__NodeProto *n, struct oval **in, int n_in, struct oval *out)
{
    const struct onnx_op *op = NULL;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0] && !op; i++)
        if (strcmp(ops[i].name, n->op_type) == 0) op = &ops[i];
    if (!op) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "operator %s is not supported", n->op_type);
    for (size_t i = 0; i < n->n_attribute; i++) {
        const char *an = n->attribute[i]->name ? n->attribute[i]->name : "";
        int legacy = strcmp(an, "broadcast") == 0 || (strcmp(an, "axis") == 0 && strcmp(op->attrs, "broadcast axis") == 0);
        if (!cf_word_listed(op->attrs, an) || (legacy && X->opset >= 7))
            return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "attribute '%s' is not supported", an);
        clinfer_status st = check_attr_type(X, n, n->attribute[i]);
        if (st) return st;
    }
    if (n_in < op->min_in)
        return cf_onnx_fail(X, CLINFER_E_MODEL, "%s needs at least %d input(s), got %d", n->op_type, op->min_in, n_in);
    for (int i = 0; i < op->min_in; i++)
        if (!in[i]) return cf_onnx_fail(X, CLINFER_E_MODEL, "its input %d is required but left empty", i + 1);
    /* every input a constant: fold when clinfer can */
    int all_const = n_in > 0 || strcmp(n->op_type, "Constant") == 0;
    for (int i = 0; i < n_in; i++)
        if (in[i] && !in[i]->c) all_const = 0;
    if (all_const && n_in > 0) {
        int done;
        clinfer_status st = fold(X, n, in, n_in, out, &done);
        if (st || done) return st;
    }
    return op->fn(X, n, in, n_in, out);
}
