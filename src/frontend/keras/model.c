/* Layers, tensors and models as Keras makes them: a call's arguments bound to a class's signature, layer objects and
 * their calls (a node of the pool, its shape inferred at once so that errors point at the layer), Sequential models
 * built as they grow, and a model's part of the pool as graph IR in Keras' layer order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../ops/ops.h"
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

/* The pool's size is bounded: a loop calling a model of many layers many times ends with an error, not exhaustion. */
static clinfer_status pool_room(struct eval *E, int more, struct cf_loc loc)
{
    if (E->pool->n_nodes + (int64_t)more > CF_PY_MAX_ITEMS)
        return cf_fail_at(E->d, loc, CLINFER_E_LIMIT, "the script makes more than %d layer calls", CF_PY_MAX_ITEMS);
    return CLINFER_OK;
}

void cf_keval_set_trainable(struct eval *E, int node, int flag)
{
    int root = E->pool->nodes[node].shares >= 0 ? E->pool->nodes[node].shares : node;
    for (int i = root; i < E->pool->n_nodes; i++)
        if (i == root || E->pool->nodes[i].shares == root) E->pool->nodes[i].trainable = flag;
}

clinfer_status cf_keval_set_model_trainable(struct eval *E, struct model_obj *M, int flag)
{
    M->trainable = flag;
    for (int i = 0; M->sequential && i < M->n_layers; i++) {
        M->layers[i]->trainable = flag;
        if (M->layers[i]->model) M->layers[i]->model->trainable = flag;
    }
    int out = M->sequential ? M->cur : -1;
    char *mark = cf_arena_alloc(E->A, (size_t)E->pool->n_nodes + 1);
    if (!mark) return cf_fail_oom(E->d);
    memset(mark, 0, (size_t)E->pool->n_nodes + 1);
    if (out >= 0) mark[out] = 1;
    for (int k = 0; !M->sequential && k < M->n_out; k++) mark[M->outputs[k]] = 1;
    /* every layer its outputs depend on (nodes come after their inputs), nested models' too */
    for (int i = E->pool->n_nodes - 1; i >= 0; i--)
        if (mark[i]) {
            cf_keval_set_trainable(E, i, flag);
            for (int nt = E->pool->nodes[i].nest; nt >= 0; nt = E->pool->nests[nt].parent)
                E->nest_model[nt]->trainable = flag;
            for (int k = 0; k < E->pool->nodes[i].n_in; k++) mark[E->pool->nodes[i].in[k]] = 1;
        }
    return CLINFER_OK;
}

/* A later call of a shared layer must take weights of the first call's shapes. */
static clinfer_status same_weights(struct eval *E, int first, int idx, struct cf_loc loc)
{
    const struct cf_graph *P = E->pool;
    struct cf_weight a[CF_MAX_WEIGHTS], b[CF_MAX_WEIGHTS];
    int na = cf_node_weights(P, first, a), nb = cf_node_weights(P, idx, b), same = na == nb;
    for (int k = 0; same && k < na; k++) same = a[k].rank == b[k].rank && !memcmp(a[k].dims, b[k].dims, sizeof(int64_t) * (size_t)a[k].rank);
    if (same) return CLINFER_OK;
    char s0[300], s1[300];
    cf_shape_format(&P->nodes[P->nodes[first].in[0]].out, s0, sizeof s0);
    cf_shape_format(&P->nodes[P->nodes[idx].in[0]].out, s1, sizeof s1);
    return cf_fail_at(E->d, loc, CLINFER_E_MODEL,
                      "layer '%s' (%s), made at line %d, is shared: it was called on %s and now on %s, and its "
                      "weights cannot be of both shapes",
                      P->nodes[first].name, P->nodes[first].type, P->nodes[first].loc.line, s0, s1);
}

/* layer(inputs): a node in the pool, its shape inferred now so errors point at the layer. A later call of the same
 * layer is a node of its own that shares the first call's weights. */
clinfer_status cf_keval_apply_layer(struct eval *E, struct layer_obj *L, const struct value *x, int *node)
{
    if (L->model) return cf_keval_call_model(E, L->model, x, x->loc, node);
    const char *cname = cf_keras_class_name(L->cls);
    if (cf_op_has(L->cls->op, CF_T_INPUT))
        return cf_fail_at(E->d, x->loc, CLINFER_E_MODEL,
                          "InputLayer '%s' cannot be called on a tensor; use Input(shape=...) to start a model",
                          L->name);
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
    if (st || (st = pool_room(E, 1, x->loc))) return st;
    if (L->cls->op == CF_OP_SUB && n != 2)
        return cf_fail_at(E->d, x->loc, CLINFER_E_MODEL, "a Subtract layer should be called on exactly 2 inputs, got %d",
                          n);
    int idx = cf_graph_add(E->pool, L->cls->op, L->name, cname, ins, n, &L->a, L->node >= 0 ? x->loc : L->loc);
    if (idx < 0) return cf_fail_oom(E->d);
    struct cf_node *nd = &E->pool->nodes[idx];
    nd->trainable = L->trainable;
    nd->auto_name = L->auto_name;
    nd->shares = L->node;
    nd->call = L->calls++;
    *node = idx;
    if ((st = cf_infer_node(E->pool, idx, E->d))) return st;
    if (L->node >= 0) return same_weights(E, L->node, idx, x->loc);
    L->node = idx;
    return CLINFER_OK;
}

/* --- models --- */

clinfer_status cf_keval_seq_built(struct eval *E, struct model_obj *M, struct cf_loc loc)
{
    (void)loc;
    if (E->style != CLINFER_STYLE_KERAS3 || M->cur < 0 || M->n_layers < 1) return CLINFER_OK;
    return cf_keval_fresh_name(E, "functional", 1) ? CLINFER_OK : cf_fail_oom(E->d);
}

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
    if (v->k == V_MODEL) { /* a model as a layer: called as the others are */
        struct layer_obj *W = cf_arena_alloc(E->A, sizeof *W);
        if (!W) return cf_fail_oom(E->d);
        W->model = v->model;
        W->name = v->model->name;
        W->loc = v->loc;
        W->node = -1;
        W->trainable = 1;
        struct value wv = *v;
        wv.k = V_LAYER;
        wv.layer = W;
        if (M->cur < 0 && M->n_layers == 0 && v->model->n_in == 1 && !(v->model->sequential && v->model->cur < 0)) {
            /* the nested model's input shape is the Sequential's */
            struct cf_shape sh = E->pool->nodes[v->model->inputs[0]].out;
            char name[160];
            snprintf(name, sizeof name, "%s_input", v->model->name);
            clinfer_status st = cf_keval_seq_start(E, M, name, &sh, v->loc);
            if (st) return st;
        }
        return cf_keval_seq_add(E, M, &wv);
    }
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
    M->trainable = 1;
    M->first_nest = -1;
    M->name = name ? name : cf_keval_model_name(E, sequential);
    return M->name ? M : NULL;
}

/* --- a model's layer order --- */

/* A model's Keras nodes over the pool: a unit is a layer call (node u < N, a node of no nest) or a call of a nested
 * model (N + t, a nest of no parent); the layer of a unit is its first call (a node, or N + the model's first nest). */
struct order {
    int N, T;           /* pool nodes and nests */
    int *top;           /* per node: its unit */
    int n_units;
    int *units;         /* the units the model's outputs reach, in an execution order (Keras' node depths) */
    int *rank;          /* per layer (N + T): its place among the model's rows (Keras' model.layers), -1: not in it */
    int n_rows;
    int seq_like;       /* Keras' sequential_like: a depth holds one node of one input, no layer is called twice */
};

static void order_free(struct order *o)
{
    cf_free(o->top);
    cf_free(o->units);
    cf_free(o->rank);
}

static int unit_layer(const struct eval *E, const struct order *o, int u)
{
    if (u < o->N) return E->pool->nodes[u].shares >= 0 ? E->pool->nodes[u].shares : u;
    const struct cf_nest *t = &E->pool->nests[u - o->N];
    return o->N + (t->shares >= 0 ? t->shares : u - o->N);
}

static int unit_n_in(const struct eval *E, const struct order *o, int u)
{
    return u < o->N ? E->pool->nodes[u].n_in : E->pool->nests[u - o->N].n_in;
}

static int unit_in(const struct eval *E, const struct order *o, int u, int k)
{
    return o->top[u < o->N ? E->pool->nodes[u].in[k] : E->pool->nests[u - o->N].in[k]];
}

struct sort_key {
    int id, a, b; /* by a descending, then b ascending */
};

static int cmp_key(const void *x, const void *y)
{
    const struct sort_key *p = x, *q = y;
    if (p->a != q->a) return p->a > q->a ? -1 : 1;
    return (p->b > q->b) - (p->b < q->b);
}

/* Keras' _map_graph_network over the units: a depth-first walk from the outputs numbers the layers as it first meets
 * them; depths from the outputs, a layer as deep as its deepest call; layers by decreasing depth, ties in that
 * numbering; units by decreasing depth. A file's (keep_order): its layers in the file's order (the rank its reader
 * gave their first calls), its units in the order they were made. */
static clinfer_status order_model(struct eval *E, const struct model_obj *M, struct order *o)
{
    const struct cf_graph *P = E->pool;
    memset(o, 0, sizeof *o);
    int N = o->N = P->n_nodes, T = o->T = P->n_nests, U = N + T;
    o->top = cf_malloc(sizeof(int) * (size_t)(N + 1));
    o->units = cf_malloc(sizeof(int) * (size_t)(U + 1));
    o->rank = cf_malloc(sizeof(int) * (size_t)(U + 1));
    int *pre = cf_malloc(sizeof(int) * (size_t)(U + 1) * 7);
    struct sort_key *keys = cf_malloc(sizeof *keys * (size_t)(U + 1));
    if (!o->top || !o->units || !o->rank || !pre || !keys) {
        cf_free(pre);
        cf_free(keys);
        order_free(o);
        return cf_fail_oom(E->d);
    }
    int *post = pre + U, *depth = post + U, *stack = depth + U, *next = stack + U, *lidx = next + U, *ldepth = lidx + U;
    int n_post = 0, n_pre = 0, n_layers = 0;
    clinfer_status st = CLINFER_OK;
    for (int i = 0; i < N; i++) {
        int t = P->nodes[i].nest;
        while (t >= 0 && P->nests[t].parent >= 0) t = P->nests[t].parent;
        o->top[i] = t < 0 ? i : N + t;
    }
    for (int u = 0; u < U; u++) pre[u] = lidx[u] = -1, depth[u] = ldepth[u] = 0, o->rank[u] = -1;
    for (int k = 0; k < M->n_out; k++) {
        int root = o->top[M->outputs[k]];
        if (pre[root] >= 0) continue;
        int sp = 0;
        stack[sp] = root;
        next[sp++] = 0;
        pre[root] = n_pre++;
        if (lidx[unit_layer(E, o, root)] < 0) lidx[unit_layer(E, o, root)] = n_layers++;
        while (sp > 0) {
            int v = stack[sp - 1], j = next[sp - 1]++;
            if (j < unit_n_in(E, o, v)) {
                int u = unit_in(E, o, v, j);
                if (pre[u] < 0) {
                    pre[u] = n_pre++;
                    if (lidx[unit_layer(E, o, u)] < 0) lidx[unit_layer(E, o, u)] = n_layers++;
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
        int v = post[i], l = unit_layer(E, o, v), dv = depth[v] > ldepth[l] ? depth[v] : ldepth[l];
        ldepth[l] = depth[v] = dv;
        for (int k = 0; k < unit_n_in(E, o, v); k++) {
            int u = unit_in(E, o, v, k);
            if (depth[u] < dv + 1) depth[u] = dv + 1;
        }
    }
    /* every input the outputs need must be a model input, and every model input must be needed */
    for (int i = 0; i < n_post && !st; i++) {
        int v = post[i];
        if (v >= N || !cf_op_has(P->nodes[v].op, CF_T_INPUT)) continue;
        int ok = 0;
        for (int k = 0; k < M->n_in; k++) ok |= M->inputs[k] == v;
        if (!ok)
            st = cf_fail_at(E->d, M->loc, CLINFER_E_MODEL,
                            "graph disconnected: the outputs need input '%s' (line %d), which is not among the "
                            "model's inputs",
                            P->nodes[v].name, P->nodes[v].loc.line);
    }
    for (int k = 0; k < M->n_in && !st; k++)
        if (pre[M->inputs[k]] < 0)
            st = cf_fail_at(E->d, M->loc, CLINFER_E_MODEL, "model input '%s' is not connected to any output",
                            P->nodes[M->inputs[k]].name);
    if (!st) {
        /* units: by decreasing depth, ties in the walk's order (a file: its order, a unit's first node) */
        for (int i = 0; i < n_post; i++) {
            int v = post[i], first = v;
            if (v >= N)
                for (int p = 0; p < N; p++)
                    if (o->top[p] == v) {
                        first = p;
                        break;
                    }
            keys[i] = E->keep_order ? (struct sort_key){v, 0, first} : (struct sort_key){v, depth[v], pre[v]};
        }
        qsort(keys, (size_t)n_post, sizeof *keys, cmp_key);
        for (int i = 0; i < n_post; i++) o->units[i] = keys[i].id;
        o->n_units = n_post;
        /* layers: by decreasing depth, ties by the walk's numbering (a file: where its first call comes) */
        int n = 0;
        for (int i = 0; i < n_post; i++) {
            int l = unit_layer(E, o, o->units[i]);
            if (o->rank[l] != -1) continue;
            o->rank[l] = -2;
            /* a file's: its place in the file, which the reader keeps as the rank of the layer's pool node (or nest) */
            int file_rank = l < N ? P->nodes[l].rank : P->nests[l - N].rank;
            keys[n++] = E->keep_order ? (struct sort_key){l, 0, file_rank} : (struct sort_key){l, ldepth[l], lidx[l]};
        }
        qsort(keys, (size_t)n, sizeof *keys, cmp_key);
        for (int r = 0; r < n; r++) o->rank[keys[r].id] = r;
        o->n_rows = n;
        /* Keras: no depth holds two nodes, no node has two inputs, no layer has two nodes in the model */
        int seq = 1;
        for (int i = 0; i < n_post; i++) {
            int v = post[i];
            seq &= unit_n_in(E, o, v) <= 1;
            for (int j = i + 1; j < n_post && seq; j++)
                seq &= depth[post[j]] != depth[v] && unit_layer(E, o, post[j]) != unit_layer(E, o, v);
            if (n_post > 4096) break; /* (quadratic: a model that large is not sequential-like in practice) */
        }
        o->seq_like = seq && n_post <= 4096;
    }
    cf_free(pre);
    cf_free(keys);
    if (st) order_free(o);
    return st;
}

/* Orders rows by name, then by place in the file (so the first of two equal names comes first). */
struct named_row {
    const char *name;
    struct cf_loc loc;
};

static int cmp_row_name(const void *a, const void *b)
{
    const struct named_row *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c) return c;
    if (x->loc.line != y->loc.line) return x->loc.line < y->loc.line ? -1 : 1;
    return (x->loc.col > y->loc.col) - (x->loc.col < y->loc.col);
}

/* names are unique among a model's rows: sort the names, then compare neighbours */
static clinfer_status unique_names(struct eval *E, const struct order *o)
{
    struct named_row *rows = cf_malloc(sizeof *rows * (size_t)(o->n_rows + 1));
    if (!rows) return cf_fail_oom(E->d);
    int n = 0;
    for (int l = 0; l < o->N + o->T; l++) {
        if (o->rank[l] < 0) continue;
        if (l < o->N) rows[n++] = (struct named_row){E->pool->nodes[l].name, E->pool->nodes[l].loc};
        else rows[n++] = (struct named_row){E->nest_model[l - o->N]->name, E->nest_model[l - o->N]->loc};
    }
    qsort(rows, (size_t)n, sizeof *rows, cmp_row_name);
    clinfer_status st = CLINFER_OK;
    for (int i = 0; i + 1 < n && !st; i++)
        if (strcmp(rows[i].name, rows[i + 1].name) == 0)
            st = cf_fail_at(E->d, rows[i + 1].loc, CLINFER_E_MODEL,
                            "the name '%s' is used twice in the model (first at line %d, col %d); all layer names "
                            "should be unique",
                            rows[i].name, rows[i].loc.line, rows[i].loc.col);
    cf_free(rows);
    return st;
}

/* The model's part of the pool as a graph: its units in execution order (a nested model's call as its layers, in
 * the pool's order), each layer's first call holding the weights, the rows ranked in Keras' layer order. */
clinfer_status cf_keval_build_graph(struct eval *E, const struct model_obj *M, struct cf_graph **out)
{
    const struct cf_graph *P = E->pool;
    struct order o;
    clinfer_status st = order_model(E, M, &o);
    if (st) return st;
    if ((st = unique_names(E, &o))) {
        order_free(&o);
        return st;
    }
    int N = o.N, T = o.T;
    struct cf_graph *g = NULL;
    char *reached = NULL;
    int *newidx = cf_malloc(sizeof(int) * (size_t)(N + 1)), *newnest = cf_malloc(sizeof(int) * (size_t)(T + 1));
    int *owner = cf_malloc(sizeof(int) * (size_t)(N + T + 1)), *emitted = cf_malloc(sizeof(int) * (size_t)(N + 1));
    if (!newidx || !newnest || !owner || !emitted || !(g = cf_graph_new())) {
        st = cf_fail_oom(E->d);
        goto done;
    }
    for (int i = 0; i < N; i++) newidx[i] = -1;
    for (int t = 0; t < T; t++) newnest[t] = -1;
    for (int i = 0; i < N + T; i++) owner[i] = -1;
    reached = cf_calloc((size_t)(N + T + 1), 1);
    if (!reached) {
        st = cf_fail_oom(E->d);
        goto done;
    }
    for (int k = 0; k < o.n_units; k++) reached[o.units[k]] = 1;
    int n_emit = 0;
    for (int k = 0; k < o.n_units; k++) {
        int u = o.units[k];
        if (u < N) emitted[n_emit++] = u;
        else
            for (int p = 0; p < N; p++)
                if (o.top[p] == u) emitted[n_emit++] = p;
    }
    g->sequential_like = M->sequential || o.seq_like;
    g->list_inputs = !M->sequential;
    g->layout = CF_LAYOUT_NHWC;
    g->style = E->style;
    if (!(g->name = cf_strdup(M->name)) || !(g->file = cf_strdup(E->file))) {
        st = cf_fail_oom(E->d);
        goto done;
    }
    /* the nests its units hold, parents first (the pool makes them so) */
    for (int t = 0; t < T; t++) {
        int top = t;
        while (P->nests[top].parent >= 0) top = P->nests[top].parent;
        if (!reached[N + top]) continue;
        struct cf_nest c = P->nests[t];
        const struct model_obj *nm = E->nest_model[t];
        int root = c.shares >= 0 ? c.shares : t;
        c.parent = c.parent >= 0 ? newnest[c.parent] : -1;
        c.trainable = nm->trainable;
        c.in = NULL;
        c.n_in = 0;
        if (P->nests[t].parent < 0) c.rank = o.rank[unit_layer(E, &o, N + t)];
        c.shares = owner[N + root];
        int idx = cf_graph_add_nest(g, &c);
        if (idx < 0) {
            st = cf_fail_oom(E->d);
            goto done;
        }
        if (owner[N + root] < 0) owner[N + root] = idx;
        newnest[t] = idx;
    }
    for (int k = 0; k < n_emit; k++) newidx[emitted[k]] = k;
    for (int k = 0; k < n_emit; k++) {
        const struct cf_node *v = &P->nodes[emitted[k]];
        int ins[CF_MAX_RANK * 8];
        int *in = v->n_in <= (int)(sizeof ins / sizeof ins[0]) ? ins : cf_malloc(sizeof(int) * (size_t)v->n_in);
        if (!in) {
            st = cf_fail_oom(E->d);
            goto done;
        }
        for (int j = 0; j < v->n_in; j++) in[j] = newidx[v->in[j]];
        int idx = cf_graph_add(g, v->op, v->name, v->type, in, v->n_in, &v->a, v->loc);
        if (in != ins) cf_free(in);
        if (idx < 0) {
            st = cf_fail_oom(E->d);
            goto done;
        }
        struct cf_node *c = &g->nodes[idx];
        c->trainable = v->trainable;
        c->auto_name = v->auto_name;
        c->hidden = v->hidden;
        c->call = v->call;
        c->nest = v->nest >= 0 ? newnest[v->nest] : -1;
        c->rank = v->nest >= 0 ? v->rank : o.rank[unit_layer(E, &o, emitted[k])];
    }
    /* a layer's weights are held by its call that comes first in the pool (its first call in the model) */
    for (int p = 0; p < N; p++) {
        if (newidx[p] < 0) continue;
        int root = P->nodes[p].shares >= 0 ? P->nodes[p].shares : p;
        if (owner[root] < 0) owner[root] = newidx[p];
        else g->nodes[newidx[p]].shares = owner[root];
    }
    /* a layer's calls are all in one model (the model, or one nested model's calls): Keras would list it in each */
    for (int i = 0; i < g->n_nodes && !st; i++) {
        int first = g->nodes[i].shares, a = g->nodes[i].nest, b = first >= 0 ? g->nodes[first].nest : a;
        if (a >= 0 && g->nests[a].shares >= 0) a = g->nests[a].shares;
        if (b >= 0 && g->nests[b].shares >= 0) b = g->nests[b].shares;
        if (a != b)
            st = cf_fail_at(E->d, g->nodes[i].loc, CLINFER_E_UNSUPPORTED,
                            "layer '%s' (%s) is called in %s and in %s; a layer shared between a nested model and "
                            "another model is not supported",
                            g->nodes[i].name, g->nodes[i].type, a < 0 ? "the model" : g->nests[a].name,
                            b < 0 ? "the model" : g->nests[b].name);
    }
    if (st) goto done;
    for (int t = 0; t < T; t++) {
        if (newnest[t] < 0) continue;
        struct cf_nest *c = &g->nests[newnest[t]];
        const struct cf_nest *pn = &P->nests[t];
        for (int j = 0; j < pn->n_in; j++) c->in[c->n_in++] = newidx[pn->in[j]];
        c->out = newidx[pn->out];
    }
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
    order_free(&o);
    cf_free(reached);
    cf_free(newidx);
    cf_free(newnest);
    cf_free(owner);
    cf_free(emitted);
    if (st) cf_graph_free(g);
    else *out = g;
    return st;
}

/* --- models used as layers --- */

/* The model a pool nest is a call of (E->nest_model grows by doubling). */
static clinfer_status set_nest_model(struct eval *E, int idx, struct model_obj *M)
{
    if (idx >= E->cap_nest_model) {
        int cap = E->cap_nest_model ? 2 * E->cap_nest_model : 16;
        while (cap <= idx) cap *= 2;
        struct model_obj **ms = cf_arena_alloc(E->A, sizeof *ms * (size_t)cap);
        if (!ms) return cf_fail_oom(E->d);
        if (E->cap_nest_model) memcpy(ms, E->nest_model, sizeof *ms * (size_t)E->cap_nest_model);
        E->nest_model = ms;
        E->cap_nest_model = cap;
    }
    E->nest_model[idx] = M;
    return CLINFER_OK;
}

/* The pool nest `t` of M's part copied into the call being made (parent `inst`), made the first time one of its
 * nodes is copied. */
static clinfer_status copy_nest(struct eval *E, const struct order *o, int t, int inst, int *nestmap, const int *map)
{
    if (nestmap[t] >= 0) return CLINFER_OK;
    struct cf_graph *P = E->pool;
    int parent = P->nests[t].parent;
    clinfer_status st;
    if (parent >= 0 && (st = copy_nest(E, o, parent, inst, nestmap, map))) return st;
    struct cf_nest c = P->nests[t];
    int ins[64];
    if (c.n_in > 64) return cf_fail_at(E->d, E->nest_model[t]->loc, CLINFER_E_LIMIT, "a model called on more than 64 tensors");
    for (int j = 0; j < c.n_in; j++) ins[j] = map[P->nests[t].in[j]];
    c.in = ins;
    c.parent = parent >= 0 ? nestmap[parent] : inst;
    c.shares = c.shares >= 0 ? c.shares : t;
    if (parent < 0) c.rank = o->rank[unit_layer(E, o, o->N + t)];
    struct model_obj *nm = E->nest_model[t];
    int idx = cf_graph_add_nest(P, &c);
    if (idx < 0) return cf_fail_oom(E->d);
    nestmap[t] = idx;
    return set_nest_model(E, idx, nm);
}

clinfer_status cf_keval_call_model(struct eval *E, struct model_obj *M, const struct value *x, struct cf_loc loc,
                                   int *node)
{
    clinfer_status st;
    char what[160];
    snprintf(what, sizeof what, "the input of model '%s'", M->name);
    int *xs, nx;
    if ((st = cf_keval_tensors_of(E, x, what, &xs, &nx))) return st;
    if (M->sequential && M->cur < 0) { /* built by its first call, on the shape of what it is called on */
        if (M->n_layers == 0)
            return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "Sequential model '%s' has no layers", M->name);
        const char *iname = cf_keval_input_name(E);
        if (!iname) return cf_fail_oom(E->d);
        if (nx != 1)
            return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "Sequential model '%s' takes one input tensor, got %d",
                              M->name, nx);
        struct cf_shape sh = E->pool->nodes[xs[0]].out;
        if ((st = cf_keval_seq_start(E, M, iname, &sh, loc)) || (st = cf_keval_seq_apply_pending(E, M, 0)) ||
            (st = cf_keval_seq_built(E, M, loc)))
            return st;
    }
    if (M->sequential) {
        M->n_out = 1;
        if (!(M->outputs = cf_arena_alloc(E->A, sizeof(int)))) return cf_fail_oom(E->d);
        M->outputs[0] = M->cur;
    }
    if (M->n_out != 1)
        return cf_fail_at(E->d, loc, CLINFER_E_UNSUPPORTED,
                          "model '%s' has %d outputs; a model with several outputs used as a layer is not supported",
                          M->name, M->n_out);
    if (nx != M->n_in)
        return cf_fail_at(E->d, x->loc, CLINFER_E_MODEL, "model '%s' takes %d input%s, got %d", M->name, M->n_in,
                          M->n_in == 1 ? "" : "s", nx);
    struct cf_graph *P = E->pool;
    for (int k = 0; k < nx; k++) {
        const struct cf_shape *want = &P->nodes[M->inputs[k]].out, *got = &P->nodes[xs[k]].out;
        int ok = want->rank == got->rank;
        for (int r = 1; ok && r < want->rank; r++) ok = want->d[r] < 0 || got->d[r] < 0 || want->d[r] == got->d[r];
        if (!ok) {
            char a[300], b[300];
            cf_shape_format(want, a, sizeof a);
            cf_shape_format(got, b, sizeof b);
            return cf_fail_at(E->d, x->loc, CLINFER_E_MODEL,
                              "model '%s' takes an input of shape %s (its input '%s'), got one of shape %s", M->name,
                              a, P->nodes[M->inputs[k]].name, b);
        }
    }
    struct order o;
    if ((st = order_model(E, M, &o))) return st;
    int N = P->n_nodes, T = P->n_nests, count = 0;
    int *map = cf_arena_alloc(E->A, sizeof(int) * (size_t)(N + 1)), *nestmap = cf_arena_alloc(E->A, sizeof(int) * (size_t)(T + 1));
    char *mark = cf_arena_alloc(E->A, (size_t)N + 1);
    if (!map || !nestmap || !mark) {
        order_free(&o);
        return cf_fail_oom(E->d);
    }
    memset(mark, 0, (size_t)N + 1);
    for (int i = 0; i < N; i++) map[i] = -1;
    for (int t = 0; t < T; t++) nestmap[t] = -1;
    mark[M->outputs[0]] = 1;
    for (int i = N - 1; i >= 0; i--) {
        if (!mark[i]) continue;
        count++;
        for (int k = 0; k < P->nodes[i].n_in; k++) mark[P->nodes[i].in[k]] = 1;
    }
    for (int k = 0; k < nx; k++) map[M->inputs[k]] = -2; /* (copied as views of what the call reads) */
    if ((st = pool_room(E, count, loc))) {
        order_free(&o);
        return st;
    }
    /* the call: a nest of the pool */
    struct cf_nest call = {.name = (char *)M->name,
                           .type = (char *)(M->sequential ? "Sequential" : E->style == CLINFER_STYLE_KERAS2 ? "Model" : "Functional"),
                           .parent = -1, .call = M->calls, .shares = M->first_nest, .trainable = M->trainable,
                           .sequential = M->sequential, .n_in = nx, .in = xs};
    int inst = cf_graph_add_nest(P, &call);
    if (inst < 0) {
        order_free(&o);
        return cf_fail_oom(E->d);
    }
    st = set_nest_model(E, inst, M);
    for (int p = 0; p < N && !st; p++) {
        if (!mark[p]) continue;
        const struct cf_node *v = &P->nodes[p];
        int idx;
        if (map[p] == -2) { /* an input of the model: a view of the tensor it is called on */
            int k = 0;
            while (M->inputs[k] != p) k++;
            struct cf_attrs a;
            cf_attrs_default(&a);
            idx = cf_graph_add(P, CF_OP_IDENTITY, v->name, "InputLayer", &xs[k], 1, &a, v->loc);
            if (idx < 0) break;
            P->nodes[idx].trainable = P->nodes[p].trainable;
            P->nodes[idx].hidden = M->sequential; /* a Sequential does not list its input */
            P->nodes[idx].rank = o.rank[p];
            P->nodes[idx].nest = inst;
        } else {
            if (cf_op_has(v->op, CF_T_INPUT)) {
                st = cf_fail_at(E->d, M->loc, CLINFER_E_MODEL,
                                "graph disconnected: model '%s' needs input '%s' (line %d), which is not among its "
                                "inputs",
                                M->name, v->name, v->loc.line);
                break;
            }
            if (v->nest >= 0 && (st = copy_nest(E, &o, v->nest, inst, nestmap, map))) break;
            int ins[CF_MAX_RANK * 8];
            if (v->n_in > (int)(sizeof ins / sizeof ins[0])) {
                st = cf_fail_at(E->d, v->loc, CLINFER_E_LIMIT, "a layer of model '%s' reads too many tensors", M->name);
                break;
            }
            for (int k = 0; k < v->n_in; k++) ins[k] = map[v->in[k]];
            idx = cf_graph_add_copy(P, v, ins);
            if (idx < 0) break;
            v = &P->nodes[p]; /* (the pool may have moved) */
            struct cf_node *c = &P->nodes[idx];
            c->nest = v->nest >= 0 ? nestmap[v->nest] : inst;
            c->shares = v->shares >= 0 ? v->shares : p;
            c->rank = v->nest >= 0 ? v->rank : o.rank[unit_layer(E, &o, p)];
            c->loc = v->loc;
        }
        map[p] = idx;
        if (!st) st = cf_infer_node(P, idx, E->d);
    }
    if (!st && map[M->outputs[0]] < 0) st = cf_fail_oom(E->d);
    for (int t = 0; t < T && !st; t++)
        if (nestmap[t] >= 0) P->nests[nestmap[t]].out = map[P->nests[t].out];
    order_free(&o);
    if (st) return st;
    P->nests[inst].out = map[M->outputs[0]];
    if (M->first_nest < 0) M->first_nest = inst;
    M->calls++;
    *node = map[M->outputs[0]];
    return CLINFER_OK;
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
