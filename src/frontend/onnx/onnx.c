/* The ONNX front-end: parses a .onnx file with protobuf-c and ONNX's own onnx.proto, folds what only computes
 * constants or shapes, and emits the graph IR in NCHW, node for node (ops.c converts each node). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../../io/npy.h"
#include "../../passes/passes.h"
#include "../../util/alloc.h"
#include "../../util/files.h"
#include "../frontend.h"
#include "onnx.h"

clinfer_status cf_onnx_fail(struct onnx_ctx *X, clinfer_status st, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cf_fail(X->d, st, "%s: %s", X->where, msg);
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static struct oval *lookup(struct onnx_ctx *X, const char *name)
{
    if (!X->cap_vals) return NULL;
    for (size_t i = hash_str(name) & (size_t)(X->cap_vals - 1);; i = (i + 1) & (size_t)(X->cap_vals - 1)) {
        if (!X->vals[i].name) return NULL;
        if (strcmp(X->vals[i].name, name) == 0) return &X->vals[i];
    }
}

/* A new value; NULL when the name is taken (every value is made once in ONNX) or out of memory. */
static struct oval *define(struct onnx_ctx *X, const char *name, int *dup)
{
    *dup = 0;
    if ((X->n_vals + 1) * 2 > X->cap_vals) {
        int cap = X->cap_vals ? X->cap_vals * 2 : 256;
        struct oval *v = cf_calloc((size_t)cap, sizeof *v);
        if (!v) return NULL;
        for (int i = 0; i < X->cap_vals; i++) {
            if (!X->vals[i].name) continue;
            size_t j = hash_str(X->vals[i].name) & (size_t)(cap - 1);
            while (v[j].name) j = (j + 1) & (size_t)(cap - 1);
            v[j] = X->vals[i];
        }
        cf_free(X->vals);
        X->vals = v;
        X->cap_vals = cap;
    }
    size_t i = hash_str(name) & (size_t)(X->cap_vals - 1);
    while (X->vals[i].name) {
        if (strcmp(X->vals[i].name, name) == 0) {
            *dup = 1;
            return NULL;
        }
        i = (i + 1) & (size_t)(X->cap_vals - 1);
    }
    X->vals[i] = (struct oval){name, -1, NULL};
    X->n_vals++;
    return &X->vals[i];
}

static void set_where(struct onnx_ctx *X, const char *what)
{
    snprintf(X->where, sizeof X->where, "%s: %s", X->path, what);
}

static clinfer_status graph_input(struct onnx_ctx *X, const Onnx__ValueInfoProto *vi)
{
    char what[400];
    snprintf(what, sizeof what, "graph input '%s'", vi->name ? vi->name : "");
    set_where(X, what);
    if (!vi->name || !*vi->name) return cf_onnx_fail(X, CLINFER_E_PARSE, "it has no name");
    const Onnx__TypeProto *tp = vi->type;
    if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type)
        return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "it is not a tensor");
    const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
    if (!tt->has_elem_type || tt->elem_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
        return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "its data type is not FLOAT (clinfer runs float32)");
    if (!tt->shape) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "its shape is not given");
    if (tt->shape->n_dim > CF_MAX_RANK) return cf_onnx_fail(X, CLINFER_E_LIMIT, "more than %d dims", CF_MAX_RANK);
    struct cf_attrs a;
    cf_attrs_default(&a);
    a.target.rank = (int)tt->shape->n_dim;
    for (size_t i = 0; i < tt->shape->n_dim; i++) {
        const Onnx__TensorShapeProto__Dimension *dm = tt->shape->dim[i];
        if (dm->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE && dm->dim_value > 0 &&
            dm->dim_value <= ((int64_t)1 << 31)) {
            a.target.d[i] = dm->dim_value;
        } else if (i == 0 && dm->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
            a.target.d[i] = CF_DIM_UNKNOWN; /* a dim_param (N, batch_size) is the batch */
        } else if (dm->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
            return cf_onnx_fail(X, dm->dim_value == 0 ? CLINFER_E_UNSUPPORTED : CLINFER_E_MODEL,
                                "dimension %zu is %lld%s", i, (long long)dm->dim_value,
                                dm->dim_value == 0 ? " (empty tensors are not supported)" : "");
        } else {
            return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED,
                                "dimension %zu is symbolic ('%s'); only the first (the batch) may be", i,
                                dm->dim_param ? dm->dim_param : "");
        }
    }
    if (a.target.rank == 0) { /* a scalar runs as one element */
        a.target.rank = 1;
        a.target.d[0] = 1;
    }
    int idx = cf_graph_add(X->g, CF_OP_INPUT, vi->name, "InputLayer", NULL, 0, &a, (struct cf_loc){X->path, 0, 0});
    if (idx < 0) return cf_fail_oom(X->d);
    int dup;
    struct oval *v = define(X, vi->name, &dup);
    if (!v) return dup ? cf_onnx_fail(X, CLINFER_E_MODEL, "the name is defined twice") : cf_fail_oom(X->d);
    v->ir = idx;
    return cf_infer_node(X->g, idx, X->d);
}

static clinfer_status load_graph(struct onnx_ctx *X, const Onnx__ModelProto *m)
{
    const Onnx__GraphProto *gp = m->graph;
    clinfer_status st;
    set_where(X, "model");
    if (!gp) return cf_onnx_fail(X, CLINFER_E_PARSE, "no graph (not an ONNX model?)");
    X->opset = -1;
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const Onnx__OperatorSetIdProto *o = m->opset_import[i];
        if ((!o->domain || !*o->domain || strcmp(o->domain, "ai.onnx") == 0) && o->has_version) X->opset = o->version;
    }
    if (X->opset < 0)
        return cf_onnx_fail(X, m->n_opset_import ? CLINFER_E_UNSUPPORTED : CLINFER_E_PARSE,
                            "no opset for the default ONNX domain (clinfer runs ai.onnx operators only)");
    /* 7 to 22; older ones too where an operator means what it means at 7 (an attribute only older opsets
     * have, such as consumed_inputs, is an error that names it): the ONNX project's own test cases use 1 and 6 */
    if (X->opset < 1 || X->opset > 22)
        return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "opset %lld is outside 1 to 22", (long long)X->opset);
    /* initializers are constants */
    for (size_t i = 0; i < gp->n_initializer; i++) {
        Onnx__TensorProto *t = gp->initializer[i];
        char what[400];
        snprintf(what, sizeof what, "initializer '%s'", t->name ? t->name : "");
        set_where(X, what);
        if (!t->name || !*t->name) return cf_onnx_fail(X, CLINFER_E_PARSE, "it has no name");
        int dup;
        struct oval *v = define(X, t->name, &dup);
        if (!v) return dup ? cf_onnx_fail(X, CLINFER_E_MODEL, "the name is defined twice") : cf_fail_oom(X->d);
        struct ctensor *c = NULL;
        st = cf_onnx_tensor_take(X, t, "its data", &c); /* (each initializer is read once) */
        v = lookup(X, t->name); /* the table may have moved */
        if (st == CLINFER_E_UNSUPPORTED) continue; /* an error only if a node reads it */
        if (st) return st;
        v->c = c;
    }
    /* graph inputs that are not initializers */
    for (size_t i = 0; i < gp->n_input; i++) {
        if (gp->input[i]->name && lookup(X, gp->input[i]->name)) continue;
        if ((st = graph_input(X, gp->input[i]))) return st;
    }
    if (X->g->n_nodes == 0) {
        set_where(X, "graph");
        return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "it has no run-time input (a graph of constants only)");
    }
    int n_inputs = X->g->n_nodes;
    /* nodes, in the file's order (ONNX requires a topological order) */
    for (size_t k = 0; k < gp->n_node; k++) {
        const Onnx__NodeProto *n = gp->node[k];
        X->node = n;
        char what[400];
        snprintf(what, sizeof what, "node '%s' (%s)", n->name && *n->name ? n->name : "", n->op_type ? n->op_type : "?");
        set_where(X, what);
        if (!n->op_type) return cf_onnx_fail(X, CLINFER_E_PARSE, "no op_type");
        if (n->domain && *n->domain && strcmp(n->domain, "ai.onnx") != 0)
            return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "domain '%s' is not supported", n->domain);
        if (n->n_input > 64 || n->n_output < 1 || n->n_output > 64)
            return cf_onnx_fail(X, CLINFER_E_MODEL, "%zu inputs and %zu outputs", n->n_input, n->n_output);
        struct oval *in[64];
        for (size_t i = 0; i < n->n_input; i++) {
            in[i] = NULL;
            if (!n->input[i] || !*n->input[i]) continue; /* an absent optional input */
            if (!(in[i] = lookup(X, n->input[i])))
                return cf_onnx_fail(X, CLINFER_E_MODEL,
                                    "input '%s' is made by no earlier node and is no graph input or initializer (a "
                                    "missing input, or a cycle)",
                                    n->input[i]);
            if (in[i]->ir == -2)
                return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "it reads '%s', an output clinfer does not compute",
                                    n->input[i]);
            if (in[i]->ir < 0 && !in[i]->c)
                return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "initializer '%s' has a data type clinfer does not read",
                                    n->input[i]);
        }
        struct oval out[64]; /* (most operators make only out[0]; Split one per output) */
        for (size_t o = 0; o < n->n_output; o++) out[o] = (struct oval){NULL, -1, NULL};
        if ((st = cf_onnx_node(X, n, in, (int)n->n_input, out))) return st;
        for (size_t o = 0; o < n->n_output; o++) {
            if (!n->output[o] || !*n->output[o]) continue;
            int dup;
            struct oval *v = define(X, n->output[o], &dup);
            if (!v)
                return dup ? cf_onnx_fail(X, CLINFER_E_MODEL, "output '%s' is defined twice", n->output[o])
                           : cf_fail_oom(X->d);
            if (o == 0 || out[o].ir >= 0 || out[o].c) {
                v->ir = out[o].ir;
                v->c = out[o].c;
            } else {
                v->ir = -2;
            }
        }
    }
    set_where(X, "graph outputs");
    if (gp->n_output == 0) return cf_onnx_fail(X, CLINFER_E_MODEL, "the graph has no output");
    X->g->outputs = cf_malloc(sizeof(int) * gp->n_output);
    X->g->inputs = cf_malloc(sizeof(int) * (size_t)n_inputs);
    if (!X->g->outputs || !X->g->inputs) return cf_fail_oom(X->d);
    for (int i = 0; i < n_inputs; i++) X->g->inputs[i] = i;
    X->g->n_inputs = n_inputs;
    for (size_t i = 0; i < gp->n_output; i++) {
        const char *name = gp->output[i]->name;
        struct oval *v = name ? lookup(X, name) : NULL;
        if (!v) return cf_onnx_fail(X, CLINFER_E_MODEL, "output '%s' is made by no node", name ? name : "");
        if (v->ir == -2) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "output '%s' is not computed by clinfer", name);
        if (v->ir < 0) return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "output '%s' is a constant", name);
        X->g->outputs[X->g->n_outputs++] = v->ir;
    }
    return CLINFER_OK;
}

clinfer_status cf_onnx_load(const char *path, const unsigned char *buf, size_t len, struct cf_graph **out,
                            struct cf_diag *d)
{
    *out = NULL;
    struct onnx_ctx X = {.path = path, .d = d};
    snprintf(X.dir, sizeof X.dir, "%s", path);
    char *slash = strrchr(X.dir, '/');
    if (slash) *slash = '\0';
    else snprintf(X.dir, sizeof X.dir, ".");
    if (cf_onnx_nesting(buf, len, CF_ONNX_MAX_NESTING) > CF_ONNX_MAX_NESTING)
        return cf_fail(d, CLINFER_E_PARSE, "%s: its messages nest more than %d deep (graphs inside attributes inside "
                                           "graphs ...); clinfer refuses it rather than recurse without end",
                       path, CF_ONNX_MAX_NESTING);
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, buf);
    if (!m) return cf_fail(d, CLINFER_E_PARSE, "%s: not a valid ONNX model (the protobuf does not parse: truncated, or "
                                               "not an .onnx file)",
                           path);
    clinfer_status st = CLINFER_OK;
    if (!(X.g = cf_graph_new()) || !(X.g->name = cf_strdup(m->graph && m->graph->name && *m->graph->name ? m->graph->name : "model")) ||
        !(X.g->file = cf_strdup(path))) {
        st = cf_fail_oom(d);
        goto done;
    }
    X.g->layout = CF_LAYOUT_NCHW;
    X.g->list_inputs = 1;
    if ((st = load_graph(&X, m))) goto done;
    X.g->sequential_like = cf_sequential_like(X.g);
    if ((st = cf_infer_shapes(X.g, 0, d))) goto done;
    cf_count(X.g);
done:
    for (int i = 0; i < X.n_consts; i++) {
        cf_free(X.consts[i]->f);
        cf_free(X.consts[i]->i);
        cf_free(X.consts[i]);
    }
    cf_free(X.consts);
    cf_free(X.vals);
    onnx__model_proto__free_unpacked(m, NULL);
    if (st) cf_graph_free(X.g);
    else *out = X.g;
    return st;
}

clinfer_status cf_onnx_read_tensor(const char *path, struct cf_array *out, struct cf_diag *d)
{
    unsigned char *buf;
    size_t len;
    memset(out, 0, sizeof *out);
    clinfer_status st = cf_read_file(path, "tensor", (size_t)1 << 32, &buf, &len, d);
    if (st) return st;
    Onnx__TensorProto *t = onnx__tensor_proto__unpack(NULL, len, buf);
    cf_free(buf);
    if (!t) return cf_fail(d, CLINFER_E_PARSE, "%s: not a serialized ONNX TensorProto", path);
    struct onnx_ctx X = {.path = path, .d = d};
    snprintf(X.where, sizeof X.where, "%s", path);
    struct ctensor *c = NULL;
    st = cf_onnx_tensor(&X, t, "the tensor", &c);
    if (st == CLINFER_OK && c->type != CT_FLOAT)
        st = cf_fail(d, CLINFER_E_UNSUPPORTED, "%s: an integer tensor (clinfer runs float32)", path);
    if (st == CLINFER_OK) {
        out->rank = c->rank ? c->rank : 1;
        out->dims[0] = 1;
        for (int k = 0; k < c->rank; k++) out->dims[k] = c->dims[k];
        out->data = c->f; /* handed over */
        c->f = NULL;
    }
    for (int i = 0; i < X.n_consts; i++) {
        cf_free(X.consts[i]->f);
        cf_free(X.consts[i]->i);
        cf_free(X.consts[i]);
    }
    cf_free(X.consts);
    onnx__tensor_proto__free_unpacked(t, NULL);
    return st;
}
