/* Layers, tensors and models as Keras makes them: a call's arguments bound to a class's signature, layer objects and
 * their calls (a node of the pool, its shape inferred at once so that errors point at the layer), Sequential models
 * built as they grow, and a model's part of the pool as graph IR in Keras' layer order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../passes/passes.h"
#include "../../util/checked.h"
#include "../frontend.h"
#include "eval.h"

/* --- argument binding --- */

const struct value *cf_keval_bound_get(const struct bound *b, enum target t)
{
    for (int i = 0; i < b->n; i++)
        if (b->spec[i]->tgt == t) return b->v[i];
    return NULL;
}

clinfer_status cf_keval_bind_args(struct eval *E, const struct keras_class *c, int with_common, struct value **args,
                                const char **kw, int n, struct cf_loc loc, struct bound *b)
{
    const char *cname = cf_keras_class_name(c);
    int n_pos = 0;
    while (c->args[n_pos].name) n_pos++;
    b->n = 0;
    for (int i = 0; i < n; i++) {
        const struct arg_spec *spec = NULL;
        if (!kw[i]) {
            if (i >= n_pos)
                return cf_fail_at(E->d, args[i]->loc, CLINFER_E_MODEL,
                                  "%s takes at most %d positional argument%s (%d given)", cname, n_pos,
                                  n_pos == 1 ? "" : "s", i + 1);
            spec = &c->args[i];
        } else {
            for (int k = 0; c->args[k].name && !spec; k++)
                if (strcmp(c->args[k].name, kw[i]) == 0) spec = &c->args[k];
            for (int k = 0; with_common && cf_keras_common_args[k].name && !spec; k++)
                if (strcmp(cf_keras_common_args[k].name, kw[i]) == 0) spec = &cf_keras_common_args[k];
            if (!spec) {
                const char *names[96];
                int nn = 0;
                for (int k = 0; c->args[k].name && nn < 96; k++) names[nn++] = c->args[k].name;
                for (int k = 0; with_common && cf_keras_common_args[k].name && nn < 96; k++)
                    names[nn++] = cf_keras_common_args[k].name;
                const char *near = cf_closest_name(kw[i], names, nn);
                return cf_fail_at(E->d, args[i]->loc, CLINFER_E_MODEL,
                                  "%s got an unexpected keyword argument '%s'%s%s%s", cname, kw[i],
                                  near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
            }
        }
        for (int k = 0; k < b->n; k++)
            if (b->spec[k] == spec)
                return cf_fail_at(E->d, args[i]->loc, CLINFER_E_MODEL, "%s got multiple values for argument '%s'",
                                  cname, spec->name);
        if (b->n == MAX_BOUND) return cf_fail_at(E->d, loc, CLINFER_E_LIMIT, "%s: too many arguments", cname);
        b->spec[b->n] = spec;
        b->v[b->n] = args[i];
        b->n++;
    }
    for (int k = 0; c->args[k].name; k++) {
        if (!c->args[k].required) continue;
        int found = 0;
        for (int j = 0; j < b->n; j++) found |= b->spec[j] == &c->args[k];
        if (!found)
            return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "%s is missing its required argument '%s'", cname,
                              c->args[k].name);
    }
    return CLINFER_OK;
}

/* --- layers --- */

/* Where Keras 3 differs from Keras 2: hard_sigmoid is relu6(x + 3) / 6 (Keras 2: clip(0.2·x + 0.5, 0, 1)); the
 * average poolings' pool_size has no default. */
static clinfer_status keras_version_semantics(struct eval *E, const struct keras_class *c, const struct bound *b,
                                              struct cf_attrs *a, struct cf_loc loc)
{
    if (E->style != CLINFER_STYLE_KERAS3) return CLINFER_OK;
    if (a->act == CF_ACT_HARD_SIGMOID) {
        a->alpha = 1.0f / 6.0f;
        a->beta = 0.5f;
    }
    if ((c->op == CF_OP_AVG_POOL2D || c->op == CF_OP_AVG_POOL1D) && !cf_keval_bound_get(b, T_KERNEL))
        return cf_fail_at(E->d, loc, CLINFER_E_MODEL,
                          "%s is missing its required argument 'pool_size' (Keras 3 gives it no default)",
                          cf_keras_class_name(c));
    return CLINFER_OK;
}

clinfer_status cf_keval_make_layer(struct eval *E, const struct keras_class *c, const struct bound *b,
                                 struct cf_loc loc, struct layer_obj **out)
{
    struct layer_obj *L = cf_arena_alloc(E->A, sizeof *L);
    if (!L) return cf_fail_oom(E->d);
    L->cls = c;
    L->loc = loc;
    L->node = -1;
    L->trainable = 1;
    clinfer_status st;
    cf_attrs_default(&L->a);
    cf_act_set(&L->a, c->act);
    if (c->defaults) c->defaults(&L->a);
    for (int i = 0; i < b->n; i++) {
        if ((st = cf_keras_apply_arg(c, b->spec[i], b->v[i], &L->a, &L->in_shape, E->d))) return st;
        if (b->spec[i]->tgt == T_NAME) L->name = b->v[i]->s;
        if (b->spec[i]->tgt == T_TRAINABLE) L->trainable = (int)b->v[i]->i;
    }
    if (c->finish && (st = c->finish(c, &L->a, loc, E->d))) return st;
    if ((st = keras_version_semantics(E, c, b, &L->a, loc))) return st;
    if (L->in_shape.rank == 0 && L->in_shape.d[0] > 0)
        return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "%s: batch_size is given without input_shape",
                          cf_keras_class_name(c));
    if (!L->name) {
        char prefix[64];
        cf_keras_snake_case(cf_keras_class_name(c), prefix, sizeof prefix);
        L->name = cf_op_has(c->op, CF_T_INPUT) ? cf_keval_input_name(E) : cf_keval_layer_name(E, prefix);
        if (!L->name) return cf_fail_oom(E->d);
        L->auto_name = 1;
    }
    *out = L;
    return CLINFER_OK;
}

/* A new Input node in the pool. */
clinfer_status cf_keval_make_input(struct eval *E, const char *name, const struct cf_shape *shape, struct cf_loc loc,
                                 int *node)
{
    struct cf_attrs a;
    cf_attrs_default(&a);
    a.target = *shape;
    int idx = cf_graph_add(E->pool, CF_OP_INPUT, name, "InputLayer", NULL, 0, &a, loc);
    if (idx < 0) return cf_fail_oom(E->d);
    *node = idx;
    return cf_infer_node(E->pool, idx, E->d);
}

/* Collects the tensors of a value (a tensor, or a list / tuple of them). */
clinfer_status cf_keval_tensors_of(struct eval *E, const struct value *v, const char *what, int **out, int *n)
{
    int count = (v->k == V_LIST || v->k == V_TUPLE) ? v->n : 1;
    int *t = cf_arena_alloc(E->A, sizeof(int) * (size_t)(count ? count : 1));
    if (!t) return cf_fail_oom(E->d);
    for (int i = 0; i < count; i++) {
        const struct value *x = (v->k == V_LIST || v->k == V_TUPLE) ? v->items[i] : v;
        if (x->k != V_TENSOR) {
            char repr[96];
            cf_value_repr(x, repr, sizeof repr);
            return cf_fail_at(E->d, x->loc, CLINFER_E_MODEL,
                              "%s must be a tensor (the output of Input() or of a layer call), got %s %s", what,
                              cf_value_type_name(x), repr);
        }
        t[i] = x->tensor;
    }
    *out = t;
    *n = count;
    return CLINFER_OK;
}

/* layer(inputs): a node in the pool, its shape inferred now so errors point at the layer. */
clinfer_status cf_keval_apply_layer(struct eval *E, struct layer_obj *L, const struct value *x, int *node)
{
    const char *cname = cf_keras_class_name(L->cls);
    if (cf_op_has(L->cls->op, CF_T_INPUT))
        return cf_fail_at(E->d, x->loc, CLINFER_E_MODEL,
                          "InputLayer '%s' cannot be called on a tensor; use Input(shape=...) to start a model",
                          L->name);
    if (L->node >= 0)
        return cf_fail_at(E->d, x->loc, CLINFER_E_UNSUPPORTED,
                          "layer '%s' (%s), made at line %d, is called a second time; shared layers are not "
                          "supported",
                          L->name, cname, L->loc.line);
    int merge = cf_op_has(L->cls->op, CF_T_MANY_INPUTS);
    if (merge && x->k != V_LIST && x->k != V_TUPLE)
        return cf_fail_at(E->d, x->loc, CLINFER_E_MODEL, "a %s layer should be called on a list of at least 2 inputs",
                          cname);
    if (!merge && (x->k == V_LIST || x->k == V_TUPLE) && x->n != 1)
        return cf_fail_at(E->d, x->loc, CLINFER_E_MODEL, "layer '%s' (%s) takes one input tensor, got a %s of %d",
                          L->name, cname, cf_value_type_name(x), x->n);
    int *ins, n;
    char what[128];
    snprintf(what, sizeof what, "the input of layer '%s' (%s)", L->name, cname);
    clinfer_status st = cf_keval_tensors_of(E, x, what, &ins, &n);
    if (st) return st;
    int idx = cf_graph_add(E->pool, L->cls->op, L->name, cname, ins, n, &L->a, L->loc);
    if (idx < 0) return cf_fail_oom(E->d);
    E->pool->nodes[idx].trainable = L->trainable;
    E->pool->nodes[idx].auto_name = L->auto_name;
    L->node = idx;
    *node = idx;
    return cf_infer_node(E->pool, idx, E->d);
}

/* --- models --- */

clinfer_status cf_keval_seq_apply_pending(struct eval *E, struct model_obj *M, int from)
{
    for (int i = from; i < M->n_layers; i++) {
        struct value x = {.k = V_TENSOR, .loc = M->layers[i]->loc, .tensor = M->cur};
        clinfer_status st = cf_keval_apply_layer(E, M->layers[i], &x, &M->cur);
        if (st) return st;
    }
    return CLINFER_OK;
}

clinfer_status cf_keval_seq_start(struct eval *E, struct model_obj *M, const char *name, const struct cf_shape *shape,
                                struct cf_loc loc)
{
    int node = -1;
    clinfer_status st = cf_keval_make_input(E, name, shape, loc, &node);
    if (st) return st;
    M->n_in = 1;
    if (!(M->inputs = cf_arena_alloc(E->A, sizeof(int)))) return cf_fail_oom(E->d);
    M->inputs[0] = M->cur = node;
    return CLINFER_OK;
}

/* Sequential.add: builds as it goes once the input shape is known, as Keras 2 does. */
clinfer_status cf_keval_seq_add(struct eval *E, struct model_obj *M, struct value *v)
{
    if (v->k == V_TENSOR || (v->k == V_LAYER && cf_op_has(v->layer->cls->op, CF_T_INPUT))) {
        if (M->n_layers > 0 || M->cur >= 0)
            return cf_fail_at(E->d, v->loc, CLINFER_E_MODEL, "an input can only be the first item of a Sequential model");
        if (v->k == V_TENSOR) {
            if (!cf_op_has(E->pool->nodes[v->tensor].op, CF_T_INPUT))
                return cf_fail_at(E->d, v->loc, CLINFER_E_MODEL,
                                  "Sequential takes layers; this is the output of layer '%s'",
                                  E->pool->nodes[v->tensor].name);
            M->n_in = 1;
            if (!(M->inputs = cf_arena_alloc(E->A, sizeof(int)))) return cf_fail_oom(E->d);
            M->inputs[0] = M->cur = v->tensor;
            return CLINFER_OK;
        }
        struct layer_obj *L = v->layer;
        if (L->in_shape.rank == 0)
            return cf_fail_at(E->d, L->loc, CLINFER_E_MODEL, "InputLayer '%s' needs input_shape= or batch_input_shape=",
                              L->name);
        return cf_keval_seq_start(E, M, L->name, &L->in_shape, L->loc);
    }
    if (v->k == V_MODEL)
        return cf_fail_at(E->d, v->loc, CLINFER_E_UNSUPPORTED, "a model inside a model is not supported");
    if (v->k != V_LAYER) {
        char repr[96];
        cf_value_repr(v, repr, sizeof repr);
        return cf_fail_at(E->d, v->loc, CLINFER_E_MODEL, "Sequential takes layers, got %s %s", cf_value_type_name(v),
                          repr);
    }
    struct layer_obj *L = v->layer;
    if (L->node >= 0)
        return cf_fail_at(E->d, v->loc, CLINFER_E_UNSUPPORTED,
                          "layer '%s' is already used elsewhere; shared layers are not supported", L->name);
    for (int i = 0; i < M->n_layers; i++)
        if (M->layers[i] == L)
            return cf_fail_at(E->d, v->loc, CLINFER_E_UNSUPPORTED,
                              "layer '%s' is added twice; shared layers are not supported", L->name);
    if (M->n_layers == M->cap_layers) {
        int cap = M->cap_layers ? M->cap_layers * 2 : 16;
        struct layer_obj **p = cf_arena_alloc(E->A, sizeof *p * (size_t)cap);
        if (!p) return cf_fail_oom(E->d);
        if (M->n_layers) memcpy(p, M->layers, sizeof *p * (size_t)M->n_layers);
        M->layers = p;
        M->cap_layers = cap;
    }
    M->layers[M->n_layers++] = L;
    if (M->cur < 0 && M->n_layers == 1 && L->in_shape.rank > 0) {
        char name[160];
        snprintf(name, sizeof name, "%s_input", L->name); /* Keras 2 names the implicit input this way */
        clinfer_status st = cf_keval_seq_start(E, M, name, &L->in_shape, L->loc);
        if (st) return st;
    }
    if (M->cur >= 0) return cf_keval_seq_apply_pending(E, M, M->n_layers - 1);
    return CLINFER_OK;
}

struct model_obj *cf_keval_new_model(struct eval *E, int sequential, const char *name, struct cf_loc loc)
{
    struct model_obj *M = cf_arena_alloc(E->A, sizeof *M);
    if (!M) return NULL;
    M->sequential = sequential;
    M->loc = loc;
    M->cur = -1;
    M->name = name ? name : cf_keval_model_name(E, sequential);
    return M->name ? M : NULL;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Orders nodes by name, then by place in the file (so the first of two equal names comes first). */
static int cmp_node_name(const void *a, const void *b)
{
    const struct cf_node *x = *(const struct cf_node *const *)a, *y = *(const struct cf_node *const *)b;
    int c = strcmp(x->name, y->name);
    if (c) return c;
    if (x->loc.line != y->loc.line) return x->loc.line < y->loc.line ? -1 : 1;
    return (x->loc.col > y->loc.col) - (x->loc.col < y->loc.col);
}

/* The model's part of the pool as a graph in Keras' layer order (Network._init_graph_network):
 * depth = longest path to an output, layers sorted by decreasing depth, ties by the order a depth-first
 * walk from the outputs first reaches them. */
clinfer_status cf_keval_build_graph(struct eval *E, const struct model_obj *M, struct cf_graph **out)
{
    const struct cf_graph *P = E->pool;
    int n = P->n_nodes;
    clinfer_status st = CLINFER_OK;
    int *pre = cf_malloc(sizeof(int) * (size_t)n * 5 + sizeof(int));
    if (!pre) return cf_fail_oom(E->d);
    int *post = pre + n, *depth = post + n, *stack = depth + n, *next = stack + n, n_post = 0, n_pre = 0;
    int *order = NULL, *newidx = NULL;
    struct cf_graph *g = NULL;
    for (int i = 0; i < n; i++) pre[i] = -1, depth[i] = 0;
    for (int o = 0; o < M->n_out; o++) {
        if (pre[M->outputs[o]] >= 0) continue;
        int sp = 0;
        stack[sp] = M->outputs[o];
        next[sp++] = 0;
        pre[M->outputs[o]] = n_pre++;
        while (sp > 0) {
            int v = stack[sp - 1];
            int k = next[sp - 1]++;
            if (k < P->nodes[v].n_in) {
                int u = P->nodes[v].in[k];
                if (pre[u] < 0) {
                    pre[u] = n_pre++;
                    stack[sp] = u;
                    next[sp++] = 0;
                }
            } else {
                post[n_post++] = v;
                sp--;
            }
        }
    }
    for (int i = n_post - 1; i >= 0; i--) {
        const struct cf_node *v = &P->nodes[post[i]];
        for (int k = 0; k < v->n_in; k++)
            if (depth[v->in[k]] < depth[post[i]] + 1) depth[v->in[k]] = depth[post[i]] + 1;
    }
    /* every input the outputs need must be a model input, and every model input must be needed */
    for (int i = 0; i < n_post; i++) {
        const struct cf_node *v = &P->nodes[post[i]];
        if (!cf_op_has(v->op, CF_T_INPUT)) continue;
        int ok = 0;
        for (int k = 0; k < M->n_in; k++) ok |= M->inputs[k] == post[i];
        if (!ok) {
            st = cf_fail_at(E->d, M->loc, CLINFER_E_MODEL,
                            "graph disconnected: the outputs need input '%s' (line %d), which is not among the "
                            "model's inputs",
                            v->name, v->loc.line);
            goto done;
        }
    }
    for (int k = 0; k < M->n_in; k++)
        if (pre[M->inputs[k]] < 0) {
            st = cf_fail_at(E->d, M->loc, CLINFER_E_MODEL, "model input '%s' is not connected to any output",
                            P->nodes[M->inputs[k]].name);
            goto done;
        }
    order = cf_malloc(sizeof(int) * (size_t)(n_post + 1));
    newidx = cf_malloc(sizeof(int) * (size_t)(n + 1));
    if (!order || !newidx) {
        st = cf_fail_oom(E->d);
        goto done;
    }
    /* counting sort by depth (decreasing), stable in pre-order */
    {
        int maxd = 0;
        for (int i = 0; i < n_post; i++)
            if (depth[post[i]] > maxd) maxd = depth[post[i]];
        int *by_pre = stack; /* reuse: node at each pre-order rank */
        for (int r = 0; r < n_pre; r++) by_pre[r] = -1;
        for (int i = 0; i < n; i++)
            if (pre[i] >= 0) by_pre[pre[i]] = i;
        int *start = next; /* reuse: first slot of each depth in `order` */
        for (int dd = 0; dd <= maxd; dd++) start[dd] = 0;
        for (int i = 0; i < n_post; i++) start[depth[post[i]]]++;
        int seq_like = 1; /* Keras: no depth holds two layers, no layer has two inputs */
        for (int dd = 0; dd <= maxd; dd++) seq_like &= start[dd] <= 1;
        for (int i = 0; i < n_post; i++) seq_like &= P->nodes[post[i]].n_in <= 1;
        for (int dd = maxd, acc = 0; dd >= 0; dd--) {
            int c = start[dd];
            start[dd] = acc;
            acc += c;
        }
        for (int r = 0; r < n_pre; r++)
            if (by_pre[r] >= 0) order[start[depth[by_pre[r]]]++] = by_pre[r];
        if (!(g = cf_graph_new())) {
            st = cf_fail_oom(E->d);
            goto done;
        }
        g->sequential_like = M->sequential || seq_like;
        g->list_inputs = !M->sequential;
        if (E->keep_order) qsort(order, (size_t)n_post, sizeof *order, cmp_int); /* a file's: the order it lists */
    }
    /* names are unique within a model: sort the names, then compare neighbours */
    {
        const struct cf_node **byname = (const struct cf_node **)cf_malloc(sizeof *byname * (size_t)(n_post + 1));
        if (!byname) {
            st = cf_fail_oom(E->d);
            goto done;
        }
        for (int i = 0; i < n_post; i++) byname[i] = &P->nodes[order[i]];
        qsort(byname, (size_t)n_post, sizeof *byname, cmp_node_name);
        for (int i = 0; i + 1 < n_post && !st; i++)
            if (strcmp(byname[i]->name, byname[i + 1]->name) == 0) {
                const struct cf_node *first = byname[i], *second = byname[i + 1];
                st = cf_fail_at(E->d, second->loc, CLINFER_E_MODEL,
                                "the name '%s' is used twice in the model (first at line %d, col %d); all layer names "
                                "should be unique",
                                first->name, first->loc.line, first->loc.col);
            }
        cf_free(byname);
        if (st) goto done;
    }
    g->layout = CF_LAYOUT_NHWC;
    if (!(g->name = cf_strdup(M->name)) || !(g->file = cf_strdup(E->file))) {
        st = cf_fail_oom(E->d);
        goto done;
    }
    for (int i = 0; i < n_post; i++) newidx[order[i]] = i;
    for (int i = 0; i < n_post; i++) {
        const struct cf_node *v = &P->nodes[order[i]];
        int ins[CF_MAX_RANK * 8];
        int *in = v->n_in <= (int)(sizeof ins / sizeof ins[0]) ? ins : cf_malloc(sizeof(int) * (size_t)v->n_in);
        if (!in) {
            st = cf_fail_oom(E->d);
            goto done;
        }
        for (int k = 0; k < v->n_in; k++) in[k] = newidx[v->in[k]];
        int idx = cf_graph_add(g, v->op, v->name, v->type, in, v->n_in, &v->a, v->loc);
        if (in != ins) cf_free(in);
        if (idx < 0) {
            st = cf_fail_oom(E->d);
            goto done;
        }
        g->nodes[idx].trainable = v->trainable;
        g->nodes[idx].auto_name = v->auto_name;
    }
    g->style = E->style;
    g->inputs = cf_malloc(sizeof(int) * (size_t)(M->n_in + 1));
    g->outputs = cf_malloc(sizeof(int) * (size_t)(M->n_out + 1));
    if (!g->inputs || !g->outputs) {
        st = cf_fail_oom(E->d);
        goto done;
    }
    for (int k = 0; k < M->n_in; k++) g->inputs[k] = newidx[M->inputs[k]];
    for (int k = 0; k < M->n_out; k++) g->outputs[k] = newidx[M->outputs[k]];
    g->n_inputs = M->n_in;
    g->n_outputs = M->n_out;
    if ((st = cf_infer_shapes(g, 0, E->d))) goto done;
    cf_count(g);
done:
    cf_free(pre);
    cf_free(order);
    cf_free(newidx);
    if (st) cf_graph_free(g);
    else *out = g;
    return st;
}

clinfer_status cf_keval_finish_model(struct eval *E, struct model_obj *M, struct cf_graph **out)
{
    if (M->sequential) {
        if (M->n_layers == 0 && M->cur < 0)
            return cf_fail_at(E->d, M->loc, CLINFER_E_MODEL, "Sequential model '%s' has no layers", M->name);
        if (M->cur < 0)
            return cf_fail_at(E->d, M->loc, CLINFER_E_MODEL,
                              "Sequential model '%s' has no input shape: give its first layer input_shape=(...), start "
                              "it with Input(shape=(...)), or call %s.build((None, ...))",
                              M->name, M->name);
        M->n_out = 1;
        if (!(M->outputs = cf_arena_alloc(E->A, sizeof(int)))) return cf_fail_oom(E->d);
        M->outputs[0] = M->cur;
    }
    return cf_keval_build_graph(E, M, out);
}
