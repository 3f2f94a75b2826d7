/* The graph IR: construction, names of ops and activations, shape helpers. */
#include "graph.h"

#include <stdio.h>
#include <string.h>

#include "../util/alloc.h"
#include "../util/checked.h"
#include "../util/strbuf.h"

static const struct cf_op_info op_info[] = {
#define OP(id, name, infer, weights, macs, explain, scratch, traits, num) {name, traits, num},
#include "ops.def"
#undef OP
};

static const struct act_row {
    const char *name, *keras, *onnx;
    float alpha, beta;
} acts[] = {
#define ACT(id, name, keras, onnx, alpha, beta) {name, keras, onnx, alpha, beta},
#include "activations.def"
#undef ACT
};

const struct cf_op_info *cf_op_info(enum cf_op op)
{
    static const struct cf_op_info none = {"?", 0, CF_NUM_EXACT};
    return (unsigned)op < CF_OP_COUNT ? &op_info[op] : &none;
}

const char *cf_op_name(enum cf_op op) { return cf_op_info(op)->name; }
const char *cf_act_name(enum cf_act act) { return (unsigned)act < CF_ACT_COUNT ? acts[act].name : "?"; }

int cf_act_lookup(const char *name, enum cf_act *out)
{
    for (int i = 0; i < CF_ACT_COUNT; i++)
        if (*name && cf_word_listed(acts[i].keras, name)) {
            *out = (enum cf_act)i;
            return 1;
        }
    return 0;
}

int cf_act_lookup_onnx(const char *op_type, enum cf_act *out)
{
    for (int i = 0; i < CF_ACT_COUNT; i++)
        if (acts[i].onnx && strcmp(acts[i].onnx, op_type) == 0) {
            *out = (enum cf_act)i;
            return 1;
        }
    return 0;
}

int cf_act_keras_names(char (*out)[32], int max)
{
    int n = 0;
    for (int i = 0; i < CF_ACT_COUNT; i++)
        for (const char *p = acts[i].keras; *p && n < max;) {
            size_t len = strcspn(p, " ");
            snprintf(out[n++], sizeof out[0], "%.*s", (int)len, p);
            p += len;
            while (*p == ' ') p++;
        }
    return n;
}

void cf_act_set(struct cf_attrs *a, enum cf_act act)
{
    a->act = act;
    a->alpha = (unsigned)act < CF_ACT_COUNT ? acts[act].alpha : 0;
    a->beta = (unsigned)act < CF_ACT_COUNT ? acts[act].beta : 0;
    a->max_value = -1.0f;
    a->threshold = 0;
}

void cf_attrs_default(struct cf_attrs *a)
{
    memset(a, 0, sizeof *a);
    a->kernel[0] = a->kernel[1] = 1;
    a->strides[0] = a->strides[1] = 1;
    a->dilation[0] = a->dilation[1] = 1;
    a->padding = CF_PAD_VALID;
    a->groups = 1;
    a->depth_multiplier = 1;
    a->output_padding[0] = a->output_padding[1] = -1;
    a->output_shape[0] = a->output_shape[1] = -1;
    a->use_bias = 1;
    a->act = CF_ACT_LINEAR;
    a->max_value = -1.0f;
    a->axis = -1;
    a->epsilon = 1e-3f;
    a->affine_scale = 1.0f;
    a->affine_offset = 0.0f;
    a->resize[0] = a->resize[1] = 2;
    a->center = a->scale = 1;
    for (int k = 0; k < CF_MAX_RANK; k++) a->slice_end[k] = CF_SLICE_END, a->slice_step[k] = 1;
}

struct cf_graph *cf_graph_new(void) { return cf_calloc(1, sizeof(struct cf_graph)); }

void cf_graph_free(struct cf_graph *g)
{
    if (!g) return;
    for (int i = 0; i < g->n_nodes; i++) {
        cf_free(g->nodes[i].name);
        cf_free(g->nodes[i].type);
        cf_free(g->nodes[i].in);
        for (int k = 0; k < g->nodes[i].n_values; k++) cf_free(g->nodes[i].values[k].data);
        cf_free(g->nodes[i].values);
    }
    cf_free(g->nodes);
    for (int i = 0; i < g->n_nests; i++) {
        cf_free(g->nests[i].name);
        cf_free(g->nests[i].type);
        cf_free(g->nests[i].in);
    }
    cf_free(g->nests);
    cf_free(g->inputs);
    cf_free(g->outputs);
    cf_free(g->name);
    cf_free(g->file);
    cf_free(g);
}

int cf_graph_add(struct cf_graph *g, enum cf_op op, const char *name, const char *type, const int *in, int n_in,
                 const struct cf_attrs *a, struct cf_loc loc)
{
    if (g->n_nodes == g->cap_nodes) {
        int cap = g->cap_nodes ? g->cap_nodes * 2 : 16;
        struct cf_node *p = cf_realloc(g->nodes, (size_t)cap * sizeof *p);
        if (!p) return -1;
        g->nodes = p;
        g->cap_nodes = cap;
    }
    struct cf_node *n = &g->nodes[g->n_nodes];
    memset(n, 0, sizeof *n);
    n->op = op;
    n->a = *a;
    n->loc = loc;
    n->trainable = 1;
    n->file_params = -1;
    n->shares = n->nest = -1;
    n->rank = g->n_nodes;
    n->name = cf_strdup(name);
    n->type = cf_strdup(type);
    n->in = cf_malloc(sizeof(int) * (size_t)(n_in > 0 ? n_in : 1));
    if (!n->name || !n->type || !n->in) {
        cf_free(n->name);
        cf_free(n->type);
        cf_free(n->in);
        return -1;
    }
    if (n_in > 0) memcpy(n->in, in, sizeof(int) * (size_t)n_in);
    n->n_in = n_in;
    return g->n_nodes++;
}

int cf_shape_equal(const struct cf_shape *a, const struct cf_shape *b)
{
    if (a->rank != b->rank) return 0;
    for (int i = 0; i < a->rank; i++)
        if (a->d[i] != b->d[i]) return 0;
    return 1;
}

void cf_shape_format(const struct cf_shape *s, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    n += (size_t)snprintf(out + n, size - n, "(");
    for (int i = 0; i < s->rank && n < size; i++) {
        if (s->d[i] < 0)
            n += (size_t)snprintf(out + n, size - n, "%sNone", i ? ", " : "");
        else
            n += (size_t)snprintf(out + n, size - n, "%s%lld", i ? ", " : "", (long long)s->d[i]);
    }
    /* A Python 1-tuple prints a trailing comma: (None,) */
    if (n < size) snprintf(out + n, size - n, s->rank == 1 ? ",)" : ")");
}

int64_t cf_shape_elems_per_item(const struct cf_shape *s)
{
    int64_t p = 1;
    for (int i = 1; i < s->rank; i++)
        if (s->d[i] < 0 || !cf_mul_ok(p, s->d[i], &p)) return -1;
    return p;
}

int cf_graph_add_copy(struct cf_graph *g, const struct cf_node *from, const int *in)
{
    const struct cf_node copy = *from, *n = &copy; /* (from may be a node of g, which adding may move) */
    int idx = cf_graph_add(g, n->op, n->name, n->type, in, n->n_in, &n->a, n->loc);
    if (idx < 0) return -1;
    struct cf_node *c = &g->nodes[idx];
    c->trainable = n->trainable;
    c->out = n->out;
    c->params_trainable = n->params_trainable;
    c->params_non_trainable = n->params_non_trainable;
    c->macs = n->macs;
    c->hidden = n->hidden;
    c->auto_name = n->auto_name;
    c->file_params = n->file_params;
    c->call = n->call;
    c->rank = n->rank;
    return idx;
}

int cf_graph_add_nest(struct cf_graph *g, const struct cf_nest *n)
{
    if (g->n_nests % 8 == 0) {
        struct cf_nest *p = cf_realloc(g->nests, (size_t)(g->n_nests + 8) * sizeof *p);
        if (!p) return -1;
        g->nests = p;
    }
    struct cf_nest *c = &g->nests[g->n_nests];
    *c = *n;
    c->name = cf_strdup(n->name);
    c->type = cf_strdup(n->type);
    c->in = cf_malloc(sizeof(int) * (size_t)(n->n_in + 1));
    if (!c->name || !c->type || !c->in) {
        cf_free(c->name);
        cf_free(c->type);
        cf_free(c->in);
        return -1;
    }
    if (n->n_in) memcpy(c->in, n->in, sizeof(int) * (size_t)n->n_in);
    return g->n_nests++;
}

int cf_graph_nest_at(const struct cf_graph *g, int i, int level)
{
    int t = g->nodes[i].nest;
    if (t == level) return -1;
    while (t >= 0 && g->nests[t].parent != level) t = g->nests[t].parent;
    return t;
}

struct cf_graph *cf_graph_clone_without_values(const struct cf_graph *src)
{
    struct cf_graph *g = cf_graph_new();
    if (!g) return NULL;
    g->layout = src->layout;
    g->sequential_like = src->sequential_like;
    g->list_inputs = src->list_inputs;
    g->style = src->style;
    g->name = src->name ? cf_strdup(src->name) : NULL;
    g->file = src->file ? cf_strdup(src->file) : NULL;
    g->inputs = cf_malloc(sizeof(int) * (size_t)(src->n_inputs + 1));
    g->outputs = cf_malloc(sizeof(int) * (size_t)(src->n_outputs + 1));
    if ((src->name && !g->name) || (src->file && !g->file) || !g->inputs || !g->outputs) goto fail;
    memcpy(g->inputs, src->inputs, sizeof(int) * (size_t)src->n_inputs);
    memcpy(g->outputs, src->outputs, sizeof(int) * (size_t)src->n_outputs);
    g->n_inputs = src->n_inputs;
    g->n_outputs = src->n_outputs;
    for (int i = 0; i < src->n_nodes; i++) {
        const struct cf_node *n = &src->nodes[i];
        int idx = cf_graph_add_copy(g, n, n->in);
        if (idx < 0) goto fail;
        g->nodes[idx].shares = n->shares;
        g->nodes[idx].nest = n->nest;
    }
    for (int i = 0; i < src->n_nests; i++)
        if (cf_graph_add_nest(g, &src->nests[i]) < 0) goto fail;
    return g;
fail:
    cf_graph_free(g);
    return NULL;
}

int cf_node_set_values(struct cf_node *n, const struct cf_tensor *v, int count)
{
    struct cf_tensor *t = cf_calloc((size_t)count, sizeof *t);
    if (!t) return -1;
    for (int k = 0; k < count; k++) {
        int64_t e = 1;
        for (int r = 0; r < v[k].desc.rank; r++) e *= v[k].desc.dims[r];
        t[k].desc = v[k].desc;
        if (!(t[k].data = cf_malloc(sizeof(float) * (size_t)(e > 0 ? e : 1)))) {
            for (int j = 0; j < k; j++) cf_free(t[j].data);
            cf_free(t);
            return -1;
        }
        memcpy(t[k].data, v[k].data, sizeof(float) * (size_t)e);
    }
    for (int k = 0; k < n->n_values; k++) cf_free(n->values[k].data);
    cf_free(n->values);
    n->values = t;
    n->n_values = count;
    return 0;
}

int cf_node_own_values(struct cf_node *n, const struct cf_tensor *v, int count)
{
    struct cf_tensor *t = cf_calloc((size_t)count, sizeof *t);
    if (!t) return -1;
    memcpy(t, v, sizeof *t * (size_t)count);
    for (int k = 0; k < n->n_values; k++) cf_free(n->values[k].data);
    cf_free(n->values);
    n->values = t;
    n->n_values = count;
    return 0;
}
