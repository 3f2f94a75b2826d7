/* The values of the ONNX graph as IR: nodes added, constants turned into hidden Constant nodes, parameters counted per
 * initializer (a shared one once). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../passes/passes.h"
#include "../../util/alloc.h"
#include "../../util/strbuf.h"
#include "onnx_ops.h"

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

clinfer_status cf_onnx_add_ir(struct onnx_ctx *X, enum cf_op op, const struct cf_attrs *a, const int *ins, int n_in,
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
void cf_onnx_count_params(struct onnx_ctx *X, int i, struct ctensor *c)
{
    if (!c || c->counted) return;
    c->counted = 1;
    X->g->nodes[i].file_params += c->n;
}

/* The IR node of a value; a float constant becomes a hidden Constant node. */
clinfer_status cf_onnx_as_ir(struct onnx_ctx *X, struct oval *v, int *idx)
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

clinfer_status cf_onnx_need_const(struct onnx_ctx *X, struct oval *v, const char *what, int rank, struct ctensor **out)
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

clinfer_status cf_onnx_need_float(struct onnx_ctx *X, struct ctensor *c, const char *what)
{
    return c->type == CT_FLOAT ? CLINFER_OK
                               : cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "its %s is an integer tensor, not FLOAT", what);
}

/* ints of a constant input (axes, pads, shape) */
clinfer_status cf_onnx_const_ints(struct onnx_ctx *X, struct oval *v, const char *what, int64_t *out, int max, int *n)
{
    struct ctensor *c = NULL;
    clinfer_status st = cf_onnx_need_const(X, v, what, -1, &c);
    if (st) return st;
    if (c->type != CT_INT64) return cf_onnx_fail(X, CLINFER_E_MODEL, "its %s is not an integer tensor", what);
    if (c->n > max) return cf_onnx_fail(X, CLINFER_E_LIMIT, "its %s has %lld values (at most %d)", what, (long long)c->n, max);
    for (int64_t i = 0; i < c->n; i++) out[i] = c->i[i];
    *n = (int)c->n;
    return CLINFER_OK;
}

const struct cf_shape *cf_onnx_ir_shape(struct onnx_ctx *X, int idx) { return &X->g->nodes[idx].out; }
