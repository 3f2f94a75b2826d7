/* Evaluator of the Keras-script front-end: runs the statements of the script, makes layers, tensors and
 * models as Keras would (same names, same errors), and turns the chosen model into the graph IR in Keras'
 * layer order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../passes/passes.h"
#include "../../util/checked.h"
#include "../frontend.h"
#include "layers.h"

struct layer_obj {
    const struct keras_class *cls;
    struct cf_attrs a;
    const char *name;
    struct cf_loc loc;       /* where the layer is made */
    int trainable;
    struct cf_shape in_shape; /* input_shape= and friends; rank 0 when not given */
    int node;                 /* pool node once called, -1 before */
};

struct model_obj {
    int sequential;
    const char *name;
    struct cf_loc loc;
    int n_in, n_out;
    int *inputs, *outputs; /* pool nodes */
    /* Sequential */
    int cur;               /* current output node; -1 while the model has no input */
    int n_layers, cap_layers;
    struct layer_obj **layers;
};

struct binding {
    const char *name;
    struct value *v;
};

struct uid {
    char prefix[64];
    int count;
};

struct eval {
    struct cf_arena *A;
    const char *file;
    struct cf_diag *d;
    struct cf_graph *pool; /* every layer call of the script; models take their part of it */
    struct binding *scope;
    int n_scope, cap_scope;
    struct uid *uids;
    int n_uids, cap_uids;
    struct model_obj *chosen, *last;
};

static clinfer_status eval_expr(struct eval *E, const struct expr *e, struct value **out);

/* --- values and names --- */

static struct value *new_val(struct eval *E, enum val_kind k, struct cf_loc loc)
{
    struct value *v = cf_arena_alloc(E->A, sizeof *v);
    if (v) {
        v->k = k;
        v->loc = loc;
    }
    return v;
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static struct value *lookup(struct eval *E, const char *name)
{
    if (!E->cap_scope) return NULL;
    for (size_t i = hash_str(name) & (size_t)(E->cap_scope - 1);; i = (i + 1) & (size_t)(E->cap_scope - 1)) {
        if (!E->scope[i].name) return NULL;
        if (strcmp(E->scope[i].name, name) == 0) return E->scope[i].v;
    }
}

static int bind(struct eval *E, const char *name, struct value *v)
{
    if ((E->n_scope + 1) * 2 > E->cap_scope) {
        int cap = E->cap_scope ? E->cap_scope * 2 : 64;
        struct binding *s = cf_arena_alloc(E->A, sizeof *s * (size_t)cap);
        if (!s) return 0;
        for (int i = 0; i < E->cap_scope; i++) {
            if (!E->scope[i].name) continue;
            size_t j = hash_str(E->scope[i].name) & (size_t)(cap - 1);
            while (s[j].name) j = (j + 1) & (size_t)(cap - 1);
            s[j] = E->scope[i];
        }
        E->scope = s;
        E->cap_scope = cap;
    }
    size_t i = hash_str(name) & (size_t)(E->cap_scope - 1);
    while (E->scope[i].name && strcmp(E->scope[i].name, name) != 0) i = (i + 1) & (size_t)(E->cap_scope - 1);
    if (!E->scope[i].name) E->n_scope++;
    E->scope[i].name = name;
    E->scope[i].v = v;
    return 1;
}

/* Keras' per-prefix counter of a fresh session: conv2d_1, conv2d_2, ... */
static const char *fresh_name(struct eval *E, const char *prefix)
{
    struct uid *u = NULL;
    for (int i = 0; i < E->n_uids; i++)
        if (strcmp(E->uids[i].prefix, prefix) == 0) u = &E->uids[i];
    if (!u) {
        if (E->n_uids == E->cap_uids) {
            int cap = E->cap_uids ? E->cap_uids * 2 : 16;
            struct uid *p = cf_arena_alloc(E->A, sizeof *p * (size_t)cap);
            if (!p) return NULL;
            if (E->n_uids) memcpy(p, E->uids, sizeof *p * (size_t)E->n_uids);
            E->uids = p;
            E->cap_uids = cap;
        }
        u = &E->uids[E->n_uids++];
        snprintf(u->prefix, sizeof u->prefix, "%s", prefix);
        u->count = 0;
    }
    char buf[96];
    snprintf(buf, sizeof buf, "%s_%d", prefix, ++u->count);
    return cf_arena_strndup(E->A, buf, strlen(buf));
}

/* --- modules --- */

static struct value *module_val(struct eval *E, enum module_kind mod, const char *path, struct cf_loc loc)
{
    struct value *v = new_val(E, V_MODULE, loc);
    if (v) {
        v->mod = mod;
        v->s = path;
    }
    return v;
}

static clinfer_status unknown_layer(struct eval *E, const char *name, struct cf_loc loc)
{
    const char *names[64];
    int n = 0;
    for (const struct keras_class *c; (c = cf_keras_class_at(n)) && n < 64; n++) names[n] = c->name;
    const char *near = cf_closest_name(name, names, n);
    return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "unknown layer '%s'%s%s%s (clinfer knows the layers docs/keras.md lists)",
                      name, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

/* module.attr */
static clinfer_status module_attr(struct eval *E, const struct value *m, const char *attr, struct cf_loc loc,
                                  struct value **out)
{
    const struct keras_class *c = cf_keras_class(attr);
    struct value *v = NULL;
    switch (m->mod) {
    case MOD_TF:
        if (strcmp(attr, "keras") == 0) v = module_val(E, MOD_KERAS, "tf.keras", loc);
        else if (strcmp(attr, "nn") == 0) v = module_val(E, MOD_ACTIVATIONS, "tf.nn", loc);
        else v = module_val(E, MOD_OPAQUE, attr, loc);
        break;
    case MOD_KERAS:
        if (strcmp(attr, "layers") == 0) v = module_val(E, MOD_LAYERS, "keras.layers", loc);
        else if (strcmp(attr, "models") == 0) v = module_val(E, MOD_MODELS, "keras.models", loc);
        else if (strcmp(attr, "activations") == 0) v = module_val(E, MOD_ACTIVATIONS, "keras.activations", loc);
        else if (c && (c->kind == K_INPUT_FN || c->kind == K_MODEL || c->kind == K_SEQUENTIAL)) {
            if ((v = new_val(E, V_CLASS, loc))) v->cls = c;
        } else v = module_val(E, MOD_OPAQUE, attr, loc);
        break;
    case MOD_LAYERS:
        if (c && c->kind != K_MODEL && c->kind != K_SEQUENTIAL) {
            if ((v = new_val(E, V_CLASS, loc))) v->cls = c;
        } else if (strcmp(attr, "experimental") == 0) {
            v = module_val(E, MOD_OPAQUE, attr, loc);
        } else {
            return unknown_layer(E, attr, loc);
        }
        break;
    case MOD_MODELS:
        if (c && (c->kind == K_MODEL || c->kind == K_SEQUENTIAL)) {
            if ((v = new_val(E, V_CLASS, loc))) v->cls = c;
        } else v = module_val(E, MOD_OPAQUE, attr, loc);
        break;
    case MOD_ACTIVATIONS: {
        enum cf_act act = CF_ACT_LINEAR;
        if (!cf_act_lookup(attr, &act) && strcmp(attr, "leaky_relu") != 0) /* (tf.nn.leaky_relu: a function) */
            return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "unknown activation function '%s.%s'", m->s, attr);
        if ((v = new_val(E, V_FUNC, loc))) v->s = strcmp(attr, "leaky_relu") == 0 ? "leaky_relu" : cf_act_name(act);
        break;
    }
    case MOD_OPAQUE:
        v = module_val(E, MOD_OPAQUE, attr, loc);
        break;
    }
    if (!v) return cf_fail_oom(E->d);
    *out = v;
    return CLINFER_OK;
}

/* An import path: tensorflow.keras.layers -> the layers namespace. */
static clinfer_status resolve_path(struct eval *E, const char *path, struct cf_loc loc, int upto_segments,
                                   struct value **out)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    char *save = NULL, *seg = strtok_r(buf, ".", &save);
    struct value *v;
    if (strcmp(seg, "tensorflow") == 0 || strcmp(seg, "tf") == 0) v = module_val(E, MOD_TF, "tensorflow", loc);
    else if (strcmp(seg, "keras") == 0 || strcmp(seg, "tf_keras") == 0) v = module_val(E, MOD_KERAS, "keras", loc);
    else v = module_val(E, MOD_OPAQUE, seg, loc);
    if (!v) return cf_fail_oom(E->d);
    int n = 1;
    while ((upto_segments <= 0 || n < upto_segments) && (seg = strtok_r(NULL, ".", &save))) {
        if (v->mod == MOD_TF && strcmp(seg, "python") == 0) continue; /* tensorflow.python.keras */
        char *seg_copy = cf_arena_strndup(E->A, seg, strlen(seg));
        if (!seg_copy) return cf_fail_oom(E->d);
        clinfer_status st = module_attr(E, v, seg_copy, loc, &v);
        if (st) return st;
        if (v->k != V_MODULE) break;
        n++;
    }
    *out = v;
    return CLINFER_OK;
}

/* --- argument binding --- */

#define MAX_BOUND 64

struct bound {
    int n;
    const struct arg_spec *spec[MAX_BOUND];
    const struct value *v[MAX_BOUND];
};

static const struct value *bound_get(const struct bound *b, enum target t)
{
    for (int i = 0; i < b->n; i++)
        if (b->spec[i]->tgt == t) return b->v[i];
    return NULL;
}

static clinfer_status bind_args(struct eval *E, const struct keras_class *c, int with_common, struct value **args,
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

static clinfer_status make_layer(struct eval *E, const struct keras_class *c, const struct bound *b,
                                 struct cf_loc loc, struct layer_obj **out)
{
    struct layer_obj *L = cf_arena_alloc(E->A, sizeof *L);
    if (!L) return cf_fail_oom(E->d);
    L->cls = c;
    L->loc = loc;
    L->node = -1;
    L->trainable = 1;
    cf_attrs_default(&L->a);
    cf_act_set(&L->a, c->act);
    if (c->op == CF_OP_FLATTEN) L->a.axis = 1;
    if (c->op == CF_OP_MAX_POOL2D || c->op == CF_OP_AVG_POOL2D) {
        L->a.kernel[0] = L->a.kernel[1] = 2;
        L->a.strides[0] = L->a.strides[1] = 0; /* None: the pool size */
    }
    if (c->op == CF_OP_ZERO_PAD2D) L->a.pads[0] = L->a.pads[1] = L->a.pads[2] = L->a.pads[3] = 1;
    for (int i = 0; i < b->n; i++) {
        clinfer_status st = cf_keras_apply_arg(c, b->spec[i], b->v[i], &L->a, &L->in_shape, E->d);
        if (st) return st;
        if (b->spec[i]->tgt == T_NAME) L->name = b->v[i]->s;
        if (b->spec[i]->tgt == T_TRAINABLE) L->trainable = (int)b->v[i]->i;
    }
    if ((c->op == CF_OP_MAX_POOL2D || c->op == CF_OP_AVG_POOL2D) && L->a.strides[0] == 0) {
        L->a.strides[0] = L->a.kernel[0];
        L->a.strides[1] = L->a.kernel[1];
    }
    if ((c->op == CF_OP_CONV2D || c->op == CF_OP_DEPTHWISE_CONV2D || c->op == CF_OP_SEPARABLE_CONV2D) &&
        (L->a.strides[0] > 1 || L->a.strides[1] > 1) && (L->a.dilation[0] > 1 || L->a.dilation[1] > 1))
        return cf_fail_at(E->d, loc, CLINFER_E_MODEL,
                          "%s: strides > 1 not supported in conjunction with dilation_rate > 1",
                          cf_keras_class_name(c));
    if (L->in_shape.rank == 0 && L->in_shape.d[0] > 0)
        return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "%s: batch_size is given without input_shape",
                          cf_keras_class_name(c));
    if (!L->name) {
        char prefix[64];
        if (c->op == CF_OP_INPUT) snprintf(prefix, sizeof prefix, "input");
        else cf_keras_snake_case(cf_keras_class_name(c), prefix, sizeof prefix);
        if (!(L->name = fresh_name(E, prefix))) return cf_fail_oom(E->d);
    }
    *out = L;
    return CLINFER_OK;
}

/* A new Input node in the pool. */
static clinfer_status make_input(struct eval *E, const char *name, const struct cf_shape *shape, struct cf_loc loc,
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
static clinfer_status tensors_of(struct eval *E, const struct value *v, const char *what, int **out, int *n)
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
static clinfer_status apply_layer(struct eval *E, struct layer_obj *L, const struct value *x, int *node)
{
    const char *cname = cf_keras_class_name(L->cls);
    if (L->cls->op == CF_OP_INPUT)
        return cf_fail_at(E->d, x->loc, CLINFER_E_MODEL,
                          "InputLayer '%s' cannot be called on a tensor; use Input(shape=...) to start a model",
                          L->name);
    if (L->node >= 0)
        return cf_fail_at(E->d, x->loc, CLINFER_E_UNSUPPORTED,
                          "layer '%s' (%s), made at line %d, is called a second time; shared layers are not "
                          "supported",
                          L->name, cname, L->loc.line);
    int merge = L->cls->op == CF_OP_ADD || L->cls->op == CF_OP_MULTIPLY || L->cls->op == CF_OP_CONCAT;
    if (merge && x->k != V_LIST && x->k != V_TUPLE)
        return cf_fail_at(E->d, x->loc, CLINFER_E_MODEL, "a %s layer should be called on a list of at least 2 inputs",
                          cname);
    if (!merge && (x->k == V_LIST || x->k == V_TUPLE) && x->n != 1)
        return cf_fail_at(E->d, x->loc, CLINFER_E_MODEL, "layer '%s' (%s) takes one input tensor, got a %s of %d",
                          L->name, cname, cf_value_type_name(x), x->n);
    int *ins, n;
    char what[128];
    snprintf(what, sizeof what, "the input of layer '%s' (%s)", L->name, cname);
    clinfer_status st = tensors_of(E, x, what, &ins, &n);
    if (st) return st;
    int idx = cf_graph_add(E->pool, L->cls->op, L->name, cname, ins, n, &L->a, L->loc);
    if (idx < 0) return cf_fail_oom(E->d);
    E->pool->nodes[idx].trainable = L->trainable;
    L->node = idx;
    *node = idx;
    return cf_infer_node(E->pool, idx, E->d);
}

/* --- models --- */

static clinfer_status seq_apply_pending(struct eval *E, struct model_obj *M, int from)
{
    for (int i = from; i < M->n_layers; i++) {
        struct value x = {.k = V_TENSOR, .loc = M->layers[i]->loc, .tensor = M->cur};
        clinfer_status st = apply_layer(E, M->layers[i], &x, &M->cur);
        if (st) return st;
    }
    return CLINFER_OK;
}

static clinfer_status seq_start(struct eval *E, struct model_obj *M, const char *name, const struct cf_shape *shape,
                                struct cf_loc loc)
{
    int node = -1;
    clinfer_status st = make_input(E, name, shape, loc, &node);
    if (st) return st;
    M->n_in = 1;
    if (!(M->inputs = cf_arena_alloc(E->A, sizeof(int)))) return cf_fail_oom(E->d);
    M->inputs[0] = M->cur = node;
    return CLINFER_OK;
}

/* Sequential.add: builds as it goes once the input shape is known, as Keras 2 does. */
static clinfer_status seq_add(struct eval *E, struct model_obj *M, struct value *v)
{
    if (v->k == V_TENSOR || (v->k == V_LAYER && v->layer->cls->op == CF_OP_INPUT)) {
        if (M->n_layers > 0 || M->cur >= 0)
            return cf_fail_at(E->d, v->loc, CLINFER_E_MODEL, "an input can only be the first item of a Sequential model");
        if (v->k == V_TENSOR) {
            if (E->pool->nodes[v->tensor].op != CF_OP_INPUT)
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
        return seq_start(E, M, L->name, &L->in_shape, L->loc);
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
        clinfer_status st = seq_start(E, M, name, &L->in_shape, L->loc);
        if (st) return st;
    }
    if (M->cur >= 0) return seq_apply_pending(E, M, M->n_layers - 1);
    return CLINFER_OK;
}

static struct model_obj *new_model(struct eval *E, int sequential, const char *name, struct cf_loc loc)
{
    struct model_obj *M = cf_arena_alloc(E->A, sizeof *M);
    if (!M) return NULL;
    M->sequential = sequential;
    M->loc = loc;
    M->cur = -1;
    M->name = name ? name : fresh_name(E, sequential ? "sequential" : "model");
    return M->name ? M : NULL;
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
static clinfer_status build_graph(struct eval *E, const struct model_obj *M, struct cf_graph **out)
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
        if (v->op != CF_OP_INPUT) continue;
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
    cf_free(pre);
    cf_free(order);
    cf_free(newidx);
    if (st) cf_graph_free(g);
    else *out = g;
    return st;
}

static clinfer_status finish_model(struct eval *E, struct model_obj *M, struct cf_graph **out)
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
    return build_graph(E, M, out);
}

/* --- calls --- */

static clinfer_status call_class(struct eval *E, const struct value *callee, struct value **args, const char **kw,
                                 int n, struct cf_loc loc, struct value **out)
{
    const struct keras_class *c = callee->cls;
    struct bound b;
    clinfer_status st = bind_args(E, c, c->kind == K_LAYER, args, kw, n, loc, &b);
    if (st) return st;
    struct value *v = NULL;
    switch (c->kind) {
    case K_LAYER: {
        struct layer_obj *L;
        if ((st = make_layer(E, c, &b, loc, &L))) return st;
        if (!(v = new_val(E, V_LAYER, loc))) return cf_fail_oom(E->d);
        v->layer = L;
        v->cls = c;
        break;
    }
    case K_MERGE_FN: {
        /* add([a, b], **kwargs) == Add(**kwargs)([a, b]) */
        const struct keras_class *lc = cf_keras_class(c->canonical);
        struct bound lb = {0};
        for (int i = 0; i < b.n; i++)
            if (b.spec[i]->tgt != T_INPUTS) {
                lb.spec[lb.n] = b.spec[i];
                lb.v[lb.n++] = b.v[i];
            }
        struct layer_obj *L;
        if ((st = make_layer(E, lc, &lb, loc, &L))) return st;
        if (!(v = new_val(E, V_TENSOR, loc))) return cf_fail_oom(E->d);
        if ((st = apply_layer(E, L, bound_get(&b, T_INPUTS), &v->tensor))) return st;
        break;
    }
    case K_INPUT_FN: {
        struct cf_attrs a;
        struct cf_shape shape = {0};
        const char *name = NULL;
        cf_attrs_default(&a);
        for (int i = 0; i < b.n; i++) {
            if ((st = cf_keras_apply_arg(c, b.spec[i], b.v[i], &a, &shape, E->d))) return st;
            if (b.spec[i]->tgt == T_NAME) name = b.v[i]->s;
        }
        if (shape.rank == 0)
            return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "Input needs shape= (or batch_shape=)");
        if (!name && !(name = fresh_name(E, "input"))) return cf_fail_oom(E->d);
        if (!(v = new_val(E, V_TENSOR, loc))) return cf_fail_oom(E->d);
        if ((st = make_input(E, name, &shape, loc, &v->tensor))) return st;
        break;
    }
    case K_MODEL: {
        const struct value *nm = bound_get(&b, T_NAME);
        if (nm && nm->k != V_STR) return cf_fail_at(E->d, nm->loc, CLINFER_E_MODEL, "Model: name must be a string");
        struct model_obj *M = new_model(E, 0, nm ? nm->s : NULL, loc);
        if (!M) return cf_fail_oom(E->d);
        if ((st = tensors_of(E, bound_get(&b, T_INPUTS), "a model input", &M->inputs, &M->n_in)) ||
            (st = tensors_of(E, bound_get(&b, T_OUTPUTS), "a model output", &M->outputs, &M->n_out)))
            return st;
        for (int k = 0; k < M->n_in; k++)
            if (E->pool->nodes[M->inputs[k]].op != CF_OP_INPUT)
                return cf_fail_at(E->d, loc, CLINFER_E_MODEL,
                                  "model inputs must come from Input(); '%s' is the output of a %s layer",
                                  E->pool->nodes[M->inputs[k]].name, E->pool->nodes[M->inputs[k]].type);
        /* Keras checks the graph when the model is made: so do we, and report it here */
        struct cf_graph *g = NULL;
        if ((st = build_graph(E, M, &g))) return st;
        cf_graph_free(g);
        if (!(v = new_val(E, V_MODEL, loc))) return cf_fail_oom(E->d);
        v->model = M;
        E->last = M;
        break;
    }
    case K_SEQUENTIAL: {
        const struct value *nm = bound_get(&b, T_NAME), *ls = bound_get(&b, T_LAYERS);
        if (nm && nm->k != V_STR) return cf_fail_at(E->d, nm->loc, CLINFER_E_MODEL, "Sequential: name must be a string");
        struct model_obj *M = new_model(E, 1, nm ? nm->s : NULL, loc);
        if (!M) return cf_fail_oom(E->d);
        if (ls && ls->k != V_NONE) {
            if (ls->k != V_LIST && ls->k != V_TUPLE)
                return cf_fail_at(E->d, ls->loc, CLINFER_E_MODEL, "Sequential takes a list of layers");
            for (int i = 0; i < ls->n; i++)
                if ((st = seq_add(E, M, ls->items[i]))) return st;
        }
        if (!(v = new_val(E, V_MODEL, loc))) return cf_fail_oom(E->d);
        v->model = M;
        E->last = M;
        break;
    }
    }
    *out = v;
    return CLINFER_OK;
}

static clinfer_status call_method(struct eval *E, const struct value *m, struct value **args, const char **kw, int n,
                                  struct cf_loc loc, struct value **out)
{
    struct model_obj *M = m->model;
    const char *name = m->s;
    clinfer_status st;
    if (!(*out = new_val(E, V_NONE, loc))) return cf_fail_oom(E->d);
    if (strcmp(name, "summary") == 0) {
        E->chosen = M;
        return CLINFER_OK;
    }
    if (strcmp(name, "compile") == 0) return CLINFER_OK;
    if (strcmp(name, "add") == 0 || strcmp(name, "build") == 0) {
        if (!M->sequential)
            return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "'%s' is a functional Model; only Sequential has %s()",
                              M->name, name);
        if (n != 1 || kw[0])
            return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "%s() takes exactly one positional argument", name);
        if (name[0] == 'a') return seq_add(E, M, args[0]);
        if (M->cur >= 0) return CLINFER_OK;
        if (M->n_layers == 0) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "build() on a Sequential model with no layers");
        static const struct arg_spec spec = {"input_shape", AK_BATCH_SHAPE, T_BATCH_SHAPE, 1};
        struct cf_attrs a;
        struct cf_shape shape = {0};
        const struct keras_class *seq = cf_keras_class("Sequential");
        if ((st = cf_keras_apply_arg(seq, &spec, args[0], &a, &shape, E->d))) return st;
        char in_name[160];
        snprintf(in_name, sizeof in_name, "%s_input", M->layers[0]->name);
        if ((st = seq_start(E, M, in_name, &shape, loc))) return st;
        return seq_apply_pending(E, M, 0);
    }
    return cf_fail_at(E->d, loc, CLINFER_E_UNSUPPORTED,
                      "%s.%s() is outside what clinfer reads (summary, compile, add, build); remove the line", M->name,
                      name);
}

static clinfer_status eval_call(struct eval *E, const struct expr *e, struct value **out)
{
    struct value *callee;
    clinfer_status st = eval_expr(E, e->a, &callee);
    if (st) return st;
    struct value **args = cf_arena_alloc(E->A, sizeof *args * (size_t)(e->n ? e->n : 1));
    if (!args) return cf_fail_oom(E->d);
    for (int i = 0; i < e->n; i++)
        if ((st = eval_expr(E, e->items[i], &args[i]))) return st;
    switch (callee->k) {
    case V_CLASS:
        return call_class(E, callee, args, e->kw, e->n, e->loc, out);
    case V_LAYER: {
        int first = -1;
        for (int i = 0; i < e->n; i++) {
            if (!e->kw[i] || strcmp(e->kw[i], "inputs") == 0) {
                if (first >= 0)
                    return cf_fail_at(E->d, args[i]->loc, CLINFER_E_MODEL, "a layer is called with one argument (its input)");
                first = i;
            } else if (strcmp(e->kw[i], "training") != 0 && strcmp(e->kw[i], "mask") != 0) {
                return cf_fail_at(E->d, args[i]->loc, CLINFER_E_MODEL, "a layer call got an unexpected keyword argument '%s'",
                                  e->kw[i]);
            }
        }
        if (first < 0) return cf_fail_at(E->d, e->loc, CLINFER_E_MODEL, "a layer must be called on its input tensor");
        struct value *v = new_val(E, V_TENSOR, e->loc);
        if (!v) return cf_fail_oom(E->d);
        if ((st = apply_layer(E, callee->layer, args[first], &v->tensor))) return st;
        *out = v;
        return CLINFER_OK;
    }
    case V_METHOD:
        return call_method(E, callee, args, e->kw, e->n, e->loc, out);
    case V_FUNC:
        if (strcmp(callee->s, "print") == 0) {
            *out = new_val(E, V_NONE, e->loc);
            return *out ? CLINFER_OK : cf_fail_oom(E->d);
        }
        return cf_fail_at(E->d, e->loc, CLINFER_E_UNSUPPORTED,
                          "calling the activation function '%s' directly is not supported; use "
                          "layers.Activation('%s')",
                          callee->s, callee->s);
    case V_OPAQUE:
    case V_MODULE:
        if (callee->k == V_MODULE && callee->mod != MOD_OPAQUE) break;
        *out = new_val(E, V_OPAQUE, e->loc);
        return *out ? CLINFER_OK : cf_fail_oom(E->d);
    case V_MODEL:
        return cf_fail_at(E->d, e->loc, CLINFER_E_UNSUPPORTED, "calling a model as a layer is not supported");
    default:
        break;
    }
    char repr[96];
    cf_value_repr(callee, repr, sizeof repr);
    return cf_fail_at(E->d, e->loc, CLINFER_E_MODEL, "'%s' object %s is not callable", cf_value_type_name(callee), repr);
}

/* --- expressions --- */

static clinfer_status eval_binop(struct eval *E, const struct expr *e, struct value **out)
{
    struct value *a, *b;
    clinfer_status st;
    if ((st = eval_expr(E, e->a, &a)) || (st = eval_expr(E, e->b, &b))) return st;
    struct value *r = new_val(E, V_INT, e->loc);
    if (!r) return cf_fail_oom(E->d);
    int ints = a->k == V_INT && b->k == V_INT;
    int nums = (a->k == V_INT || a->k == V_FLOAT) && (b->k == V_INT || b->k == V_FLOAT);
    if (!nums)
        return cf_fail_at(E->d, e->loc, CLINFER_E_UNSUPPORTED, "arithmetic on %s and %s is not supported",
                          cf_value_type_name(a), cf_value_type_name(b));
    double x = a->k == V_INT ? (double)a->i : a->f, y = b->k == V_INT ? (double)b->i : b->f;
    int overflow = 0;
    if (ints && e->op != '/') {
        int64_t p = a->i, q = b->i, res = 0;
        switch (e->op) {
        case '+': overflow = __builtin_add_overflow(p, q, &res); break;
        case '-': overflow = __builtin_sub_overflow(p, q, &res); break;
        case '*': overflow = __builtin_mul_overflow(p, q, &res); break;
        case 'f':
        case '%':
            if (q == 0) return cf_fail_at(E->d, e->loc, CLINFER_E_MODEL, "integer division by zero");
            if (p == INT64_MIN && q == -1) overflow = 1;
            else {
                int64_t d0 = p / q, m = p % q;
                if (m != 0 && ((m < 0) != (q < 0))) { d0 -= 1; m += q; } /* Python floors */
                res = e->op == 'f' ? d0 : m;
            }
            break;
        case 'p':
            if (q < 0) {
                r->k = V_FLOAT;
                r->f = __builtin_pow(x, y);
                *out = r;
                return CLINFER_OK;
            }
            /* by squaring: 1 ** 10**15 must not take 10**15 steps (once the base's square overflows, with
             * exponent left, so does the result) */
            res = 1;
            for (int64_t base = p, k = q; k > 0 && !overflow; k >>= 1) {
                if (k & 1) overflow = __builtin_mul_overflow(res, base, &res);
                if (k > 1 && !overflow) overflow = __builtin_mul_overflow(base, base, &base);
            }
            break;
        }
        if (overflow) return cf_fail_at(E->d, e->loc, CLINFER_E_LIMIT, "integer arithmetic overflows 64 bits");
        r->i = res;
    } else {
        r->k = V_FLOAT;
        switch (e->op) {
        case '+': r->f = x + y; break;
        case '-': r->f = x - y; break;
        case '*': r->f = x * y; break;
        case '/':
        case 'f':
        case '%':
            if (y == 0) return cf_fail_at(E->d, e->loc, CLINFER_E_MODEL, "division by zero");
            r->f = e->op == '/' ? x / y : e->op == 'f' ? __builtin_floor(x / y) : x - y * __builtin_floor(x / y);
            break;
        case 'p': r->f = __builtin_pow(x, y); break;
        }
    }
    *out = r;
    return CLINFER_OK;
}

static clinfer_status eval_expr(struct eval *E, const struct expr *e, struct value **out)
{
    struct value *v = NULL;
    clinfer_status st;
    switch (e->kind) {
    case EX_NAME:
        if (!(v = lookup(E, e->str))) {
            const struct keras_class *c = cf_keras_class(e->str);
            if (c && c->kind != K_MODEL && c->kind != K_SEQUENTIAL)
                return cf_fail_at(E->d, e->loc, CLINFER_E_MODEL,
                                  "name '%s' is not defined (write layers.%s, or add `from keras.layers import %s`)",
                                  e->str, e->str, e->str);
            return cf_fail_at(E->d, e->loc, CLINFER_E_MODEL, "name '%s' is not defined", e->str);
        }
        /* the same value, placed where it is used, so messages about an argument point at the argument */
        struct value *use = new_val(E, v->k, e->loc);
        if (!use) return cf_fail_oom(E->d);
        *use = *v;
        use->loc = e->loc;
        *out = use;
        return CLINFER_OK;
    case EX_INT:
        if ((v = new_val(E, V_INT, e->loc))) v->i = e->ival;
        break;
    case EX_FLOAT:
        if ((v = new_val(E, V_FLOAT, e->loc))) v->f = e->fval;
        break;
    case EX_STR:
        if (memchr(e->str, '\0', e->slen))
            return cf_fail_at(E->d, e->loc, CLINFER_E_MODEL, "NUL character inside a string");
        if ((v = new_val(E, V_STR, e->loc))) v->s = e->str;
        break;
    case EX_NONE: v = new_val(E, V_NONE, e->loc); break;
    case EX_TRUE:
    case EX_FALSE:
        if ((v = new_val(E, V_BOOL, e->loc))) v->i = e->kind == EX_TRUE;
        break;
    case EX_TUPLE:
    case EX_LIST:
        if (!(v = new_val(E, e->kind == EX_TUPLE ? V_TUPLE : V_LIST, e->loc))) break;
        v->n = e->n;
        if (!(v->items = cf_arena_alloc(E->A, sizeof *v->items * (size_t)(e->n ? e->n : 1)))) return cf_fail_oom(E->d);
        for (int i = 0; i < e->n; i++)
            if ((st = eval_expr(E, e->items[i], &v->items[i]))) return st;
        break;
    case EX_DICT: /* a dict is only ever an ignored argument: evaluate it for its errors, keep nothing */
        for (int i = 0; i < e->n; i++) {
            struct value *item;
            if ((st = eval_expr(E, e->items[i], &item))) return st;
        }
        v = new_val(E, V_OPAQUE, e->loc);
        break;
    case EX_ATTR: {
        struct value *obj;
        if ((st = eval_expr(E, e->a, &obj))) return st;
        if (obj->k == V_MODULE) return module_attr(E, obj, e->str, e->loc, out);
        if (obj->k == V_OPAQUE) {
            v = new_val(E, V_OPAQUE, e->loc);
            break;
        }
        if (obj->k == V_MODEL) {
            if ((v = new_val(E, V_METHOD, e->loc))) {
                v->model = obj->model;
                v->s = e->str;
            }
            break;
        }
        return cf_fail_at(E->d, e->loc, CLINFER_E_UNSUPPORTED, "attribute '%s' of a %s is not supported", e->str,
                          cf_value_type_name(obj));
    }
    case EX_CALL:
        return eval_call(E, e, out);
    case EX_INDEX: {
        struct value *obj, *idx;
        if ((st = eval_expr(E, e->a, &obj)) || (st = eval_expr(E, e->b, &idx))) return st;
        if ((obj->k != V_LIST && obj->k != V_TUPLE) || idx->k != V_INT)
            return cf_fail_at(E->d, e->loc, CLINFER_E_UNSUPPORTED, "indexing a %s with a %s is not supported",
                              cf_value_type_name(obj), cf_value_type_name(idx));
        int64_t i = idx->i < 0 ? idx->i + obj->n : idx->i;
        if (i < 0 || i >= obj->n)
            return cf_fail_at(E->d, e->b->loc, CLINFER_E_MODEL, "index %lld is out of range for a %s of %d",
                              (long long)idx->i, cf_value_type_name(obj), obj->n);
        *out = obj->items[i];
        return CLINFER_OK;
    }
    case EX_NEG: {
        struct value *x;
        if ((st = eval_expr(E, e->a, &x))) return st;
        if (x->k == V_INT) {
            if (x->i == INT64_MIN) return cf_fail_at(E->d, e->loc, CLINFER_E_LIMIT, "integer overflows 64 bits");
            if ((v = new_val(E, V_INT, e->loc))) v->i = -x->i;
        } else if (x->k == V_FLOAT) {
            if ((v = new_val(E, V_FLOAT, e->loc))) v->f = -x->f;
        } else {
            return cf_fail_at(E->d, e->loc, CLINFER_E_MODEL, "bad operand type for unary -: %s", cf_value_type_name(x));
        }
        break;
    }
    case EX_BINOP:
        return eval_binop(E, e, out);
    }
    if (!v) return cf_fail_oom(E->d);
    *out = v;
    return CLINFER_OK;
}

/* --- statements --- */

static clinfer_status exec_import(struct eval *E, const struct stmt *s)
{
    clinfer_status st;
    for (int i = 0; i < s->n_items; i++) {
        const struct import_item *it = &s->items[i];
        struct value *v = NULL;
        if (it->alias) {
            if ((st = resolve_path(E, it->path, it->loc, 0, &v))) return st;
            if (!bind(E, it->alias, v)) return cf_fail_oom(E->d);
        } else {
            /* import a.b.c binds a */
            const char *dot = strchr(it->path, '.');
            const char *head = dot ? cf_arena_strndup(E->A, it->path, (size_t)(dot - it->path)) : it->path;
            if (!head) return cf_fail_oom(E->d);
            if ((st = resolve_path(E, head, it->loc, 1, &v))) return st;
            if (!bind(E, head, v)) return cf_fail_oom(E->d);
        }
    }
    return CLINFER_OK;
}

static clinfer_status exec_from(struct eval *E, const struct stmt *s)
{
    struct value *m;
    clinfer_status st = resolve_path(E, s->module, s->loc, 0, &m);
    if (st) return st;
    if (m->k != V_MODULE)
        return cf_fail_at(E->d, s->loc, CLINFER_E_MODEL, "'%s' is not a module", s->module);
    if (s->star) {
        if (m->mod != MOD_LAYERS && m->mod != MOD_MODELS && m->mod != MOD_KERAS) return CLINFER_OK;
        for (int i = 0; cf_keras_class_at(i); i++) {
            const struct keras_class *c = cf_keras_class_at(i);
            int in_models = c->kind == K_MODEL || c->kind == K_SEQUENTIAL;
            if ((m->mod == MOD_LAYERS) == in_models && m->mod != MOD_KERAS) continue;
            struct value *v = new_val(E, V_CLASS, s->loc);
            if (!v) return cf_fail_oom(E->d);
            v->cls = c;
            if (!bind(E, c->name, v)) return cf_fail_oom(E->d);
        }
        return CLINFER_OK;
    }
    for (int i = 0; i < s->n_items; i++) {
        struct value *v;
        if ((st = module_attr(E, m, s->items[i].path, s->items[i].loc, &v))) return st;
        if (!bind(E, s->items[i].alias ? s->items[i].alias : s->items[i].path, v)) return cf_fail_oom(E->d);
    }
    return CLINFER_OK;
}

static clinfer_status predefine(struct eval *E)
{
    /* Code pasted from a notebook often has no imports: the names every Keras tutorial uses are there. */
    struct cf_loc none = {E->file, 0, 0};
    struct value *v;
    static const struct {
        const char *name;
        enum module_kind mod;
    } mods[] = {{"tf", MOD_TF}, {"tensorflow", MOD_TF}, {"keras", MOD_KERAS}, {"layers", MOD_LAYERS},
                {"models", MOD_MODELS}, {"activations", MOD_ACTIVATIONS}};
    for (size_t i = 0; i < sizeof mods / sizeof mods[0]; i++)
        if (!(v = module_val(E, mods[i].mod, mods[i].name, none)) || !bind(E, mods[i].name, v))
            return cf_fail_oom(E->d);
    static const char *const classes[] = {"Model", "Sequential"};
    for (size_t i = 0; i < 2; i++) {
        if (!(v = new_val(E, V_CLASS, none))) return cf_fail_oom(E->d);
        v->cls = cf_keras_class(classes[i]);
        if (!bind(E, classes[i], v)) return cf_fail_oom(E->d);
    }
    if (!(v = new_val(E, V_FUNC, none))) return cf_fail_oom(E->d);
    v->s = "print";
    return bind(E, "print", v) ? CLINFER_OK : cf_fail_oom(E->d);
}

clinfer_status cf_keras_load(const char *file, const char *text, size_t len, struct cf_graph **out,
                             struct cf_diag *d)
{
    struct cf_arena arena = {0};
    struct eval E = {.A = &arena, .file = file, .d = d};
    struct program prog;
    *out = NULL;
    clinfer_status st = cf_py_parse(&arena, file, text, len, &prog, d);
    if (st) goto done;
    if (!(E.pool = cf_graph_new())) {
        st = cf_fail_oom(d);
        goto done;
    }
    E.pool->layout = CF_LAYOUT_NHWC;
    if ((st = predefine(&E))) goto done;
    for (int i = 0; i < prog.n && !st; i++) {
        const struct stmt *s = prog.stmts[i];
        struct value *v;
        switch (s->kind) {
        case ST_IMPORT: st = exec_import(&E, s); break;
        case ST_FROM: st = exec_from(&E, s); break;
        case ST_PASS: break;
        case ST_EXPR: st = eval_expr(&E, s->value, &v); break;
        case ST_ASSIGN:
            if ((st = eval_expr(&E, s->value, &v))) break;
            for (int k = 0; k < s->n_targets; k++)
                if (!bind(&E, s->targets[k], v)) st = cf_fail_oom(d);
            break;
        }
    }
    if (st) goto done;
    struct model_obj *M = E.chosen ? E.chosen : E.last;
    if (!M) {
        st = cf_fail_at(d, (struct cf_loc){file, 0, 0}, CLINFER_E_MODEL,
                        "no model: define one with Model(inputs, outputs) or Sequential([...])");
        goto done;
    }
    st = finish_model(&E, M, out);
done:
    cf_graph_free(E.pool);
    cf_arena_free(&arena);
    return st;
}
