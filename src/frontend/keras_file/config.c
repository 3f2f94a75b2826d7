/* A Keras model's JSON config (a .keras file's config.json, an .h5 file's model_config attribute) as graph IR,
 * through the Keras-script front-end's own machinery: each layer's config is its constructor's keyword arguments
 * (bound to the class's signature and checked as code is), each inbound node its call. Functional models (Keras 3's
 * __keras_tensor__ histories and tf.keras' [name, node, tensor, kwargs] lists) and Sequential ones; the layer order
 * is the file's, which is the order its Keras prints. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../../passes/passes.h"
#include "../keras/eval.h"
#include "keras_file.h"

#define MAX_KWARGS 64

/* A layer of the config: what it is, and its calls made so far (its outputs in the pool, by Keras' node index). */
struct named {
    const char *name;
    int *nodes;
    int n_nodes;
    int model; /* a nested model: in tf.keras' files its node 0 is its own (its calls count from 1) */
};

struct reader {
    struct eval *E;
    const char *where; /* "model.keras (config.json)" */
    struct named *layers;
    int n_layers;
    const cJSON *config_layers; /* the model's layers in the config: which names there are */
    int depth;                  /* models nested so far */
};

#define MAX_NESTED_MODELS 32

static struct cf_loc layer_loc(struct reader *R, const char *name, const char *cls)
{
    char buf[600];
    snprintf(buf, sizeof buf, "%s: layer '%s' (%s)", R->where, name, cls);
    return (struct cf_loc){cf_arena_strndup(R->E->A, buf, strlen(buf)), 0, 0};
}

/* JSON as the evaluator's values: lists become tuples (Keras writes tuples as lists), objects opaque. */
static struct value *json_value(struct eval *E, const cJSON *j, struct cf_loc loc, int depth)
{
    struct value *v = NULL;
    if (depth > 32) return cf_keval_new_val(E, V_OPAQUE, loc); /* nothing a layer takes nests this deep */
    if (cJSON_IsNull(j)) {
        v = cf_keval_new_val(E, V_NONE, loc);
    } else if (cJSON_IsBool(j)) {
        if ((v = cf_keval_new_val(E, V_BOOL, loc))) v->i = cJSON_IsTrue(j);
    } else if (cJSON_IsNumber(j)) {
        double x = j->valuedouble;
        if (x == floor(x) && fabs(x) < 9007199254740992.0) {
            if ((v = cf_keval_new_val(E, V_INT, loc))) v->i = (int64_t)x;
        } else if ((v = cf_keval_new_val(E, V_FLOAT, loc))) {
            v->f = x;
        }
    } else if (cJSON_IsString(j)) {
        if ((v = cf_keval_new_val(E, V_STR, loc)))
            v->s = cf_arena_strndup(E->A, j->valuestring, strlen(j->valuestring));
        if (v && !v->s) v = NULL;
    } else if (cJSON_IsArray(j)) {
        int n = cJSON_GetArraySize(j);
        if (!(v = cf_keval_new_val(E, V_TUPLE, loc))) return NULL;
        v->n = n;
        if (n && !(v->items = cf_arena_alloc(E->A, sizeof *v->items * (size_t)n))) return NULL;
        int k = 0;
        for (const cJSON *e = j->child; e; e = e->next)
            if (!(v->items[k++] = json_value(E, e, loc, depth + 1))) return NULL;
    } else {
        v = cf_keval_new_val(E, V_OPAQUE, loc);
    }
    return v;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int in_signature(const struct keras_class *c, const char *key)
{
    for (int k = 0; c->args[k].name; k++)
        if (strcmp(c->args[k].name, key) == 0) return 1;
    for (int k = 0; cf_keras_common_args[k].name; k++)
        if (strcmp(cf_keras_common_args[k].name, key) == 0) return 1;
    return 0;
}

/* A dtype: 'float32', or Keras 3's DTypePolicy {"config": {"name": "float32"}}. */
static clinfer_status check_dtype(struct reader *R, const cJSON *dt, struct cf_loc loc)
{
    const char *name = cJSON_IsString(dt) ? dt->valuestring : NULL;
    if (cJSON_IsObject(dt)) {
        const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(dt, "config");
        const cJSON *nm = cfg ? cJSON_GetObjectItemCaseSensitive(cfg, "name") : NULL;
        name = cJSON_IsString(nm) ? nm->valuestring : NULL;
    }
    if (cJSON_IsNull(dt) || (name && strcmp(name, "float32") == 0)) return CLINFER_OK;
    return cf_fail_at(R->E->d, loc, CLINFER_E_UNSUPPORTED, "dtype '%s' is not supported; clinfer runs float32",
                      name ? name : "?");
}

/* The config's keys as keyword arguments: what the class's signature takes is bound (and checked); initializers,
 * regularizers, constraints and the like do not change inference and are skipped; anything else that is set is an
 * error naming it. */
static clinfer_status make_layer(struct reader *R, const struct keras_class *c, const cJSON *cfg, struct cf_loc loc,
                                 struct layer_obj **out, const cJSON **batch_shape)
{
    struct eval *E = R->E;
    static const char *const skipped[] = {"trainable", "dtype", "batch_input_shape", "batch_shape", "sparse",
                                          "ragged", "optional", "seed", "noise_shape", "synchronized", "momentum",
                                          "renorm", "renorm_clipping", "renorm_momentum", "fused", "virtual_batch_size",
                                          "adjustment", "activity_regularizer", "autocast", "input_dim", NULL};
    struct value *args[MAX_KWARGS];
    const char *kw[MAX_KWARGS];
    int n = 0, trainable = 1;
    *batch_shape = NULL;
    for (const cJSON *e = cfg ? cfg->child : NULL; e; e = e->next) {
        const char *key = e->string;
        if (!key) continue;
        if (strcmp(key, "trainable") == 0) {
            if (!cJSON_IsBool(e)) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "'trainable' must be true or false");
            trainable = cJSON_IsTrue(e);
            continue;
        }
        if (strcmp(key, "dtype") == 0) {
            clinfer_status st = check_dtype(R, e, loc);
            if (st) return st;
            continue;
        }
        if (strcmp(key, "batch_input_shape") == 0 || strcmp(key, "batch_shape") == 0) {
            if (!cJSON_IsNull(e)) *batch_shape = e;
            continue;
        }
        if (ends_with(key, "_initializer") || ends_with(key, "_regularizer") || ends_with(key, "_constraint"))
            continue;
        int skip = 0;
        for (int k = 0; skipped[k] && !skip; k++) skip = strcmp(key, skipped[k]) == 0;
        if (skip) continue;
        if (!in_signature(c, key)) {
            if (cJSON_IsNull(e) || cJSON_IsFalse(e)) continue; /* an option not set (lora_rank: null) */
            if (strcmp(key, "groups") == 0 && cJSON_IsNumber(e) && e->valuedouble == 1) continue; /* tf.keras' base */
            return cf_fail_at(E->d, loc, CLINFER_E_UNSUPPORTED, "config key '%s' of %s is not supported", key,
                              cf_keras_class_name(c));
        }
        if (n == MAX_KWARGS) return cf_fail_at(E->d, loc, CLINFER_E_LIMIT, "more than %d config keys", MAX_KWARGS);
        if (!(args[n] = json_value(E, e, loc, 0))) return cf_fail_oom(E->d);
        if (!(kw[n] = cf_arena_strndup(E->A, key, strlen(key)))) return cf_fail_oom(E->d);
        n++;
    }
    struct bound b;
    clinfer_status st = cf_keval_bind_args(E, c, 1, args, kw, n, loc, &b);
    if (st) return st;
    if ((st = cf_keval_make_layer(E, c, &b, loc, out))) return st;
    (*out)->trainable = trainable;
    (*out)->auto_name = 0;
    return CLINFER_OK;
}

/* A batch shape ([null, 20, 20, 3]) as a shape. */
static clinfer_status batch_shape_of(struct reader *R, const cJSON *j, struct cf_loc loc, struct cf_shape *shape)
{
    const struct keras_class *input = cf_keras_class("Input");
    const struct arg_spec *spec = NULL;
    for (int k = 0; input->args[k].name; k++)
        if (strcmp(input->args[k].name, "batch_shape") == 0) spec = &input->args[k];
    struct value *v = json_value(R->E, j, loc, 0);
    if (!v) return cf_fail_oom(R->E->d);
    struct cf_attrs a;
    cf_attrs_default(&a);
    *shape = (struct cf_shape){0};
    return cf_keras_apply_arg(input, spec, v, &a, shape, R->E->d);
}

static const char *str_item(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static struct named *find_named(const struct reader *R, const char *name)
{
    for (int i = 0; i < R->n_layers; i++)
        if (strcmp(R->layers[i].name, name) == 0) return &R->layers[i];
    return NULL;
}

/* Does the config list a layer of this name (made yet or not)? */
static int in_config(const struct reader *R, const char *name)
{
    for (const cJSON *l = R->config_layers ? R->config_layers->child : NULL; l; l = l->next) {
        const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(l, "config");
        const char *n = cJSON_IsObject(cfg) ? str_item(cfg, "name") : NULL;
        if (!n) n = str_item(l, "name");
        if (n && strcmp(n, name) == 0) return 1;
    }
    return 0;
}

/* One inbound tensor: Keras 3 {"class_name": "__keras_tensor__", "config": {"keras_history": [name, n, t]}}, or
 * tf.keras' [name, node_index, tensor_index, kwargs]: call n of that layer. *node -1 when that call is not made yet
 * (a shared layer's later call may read a layer that comes after it in the file). */
static clinfer_status inbound_tensor(struct reader *R, const cJSON *t, struct cf_loc loc, int *node)
{
    const cJSON *hist = t;
    if (cJSON_IsObject(t)) {
        const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(t, "config");
        hist = cfg ? cJSON_GetObjectItemCaseSensitive(cfg, "keras_history") : NULL;
    }
    const cJSON *nm = cJSON_IsArray(hist) ? cJSON_GetArrayItem(hist, 0) : NULL;
    const cJSON *ni = cJSON_IsArray(hist) ? cJSON_GetArrayItem(hist, 1) : NULL;
    const cJSON *ti = cJSON_IsArray(hist) ? cJSON_GetArrayItem(hist, 2) : NULL;
    if (!cJSON_IsString(nm) || !cJSON_IsNumber(ni) || !cJSON_IsNumber(ti))
        return cf_fail_at(R->E->d, loc, CLINFER_E_PARSE,
                          "an inbound tensor is not [layer name, node index, tensor index]");
    if (ti->valuedouble != 0)
        return cf_fail_at(R->E->d, loc, CLINFER_E_UNSUPPORTED,
                          "reads '%s'[%g][%g]: layers with several outputs are not supported", nm->valuestring,
                          ni->valuedouble, ti->valuedouble);
    if (ni->valuedouble < 0 || ni->valuedouble > 1e6 || ni->valuedouble != (int)ni->valuedouble)
        return cf_fail_at(R->E->d, loc, CLINFER_E_PARSE, "reads '%s'[%g]: not a node index", nm->valuestring,
                          ni->valuedouble);
    const struct named *n = find_named(R, nm->valuestring);
    if (!n && !in_config(R, nm->valuestring))
        return cf_fail_at(R->E->d, loc, CLINFER_E_MODEL, "reads layer '%s', which the model does not have",
                          nm->valuestring);
    int call = (int)ni->valuedouble - (n && n->model && R->E->style != CLINFER_STYLE_KERAS3);
    if (call < 0)
        return cf_fail_at(R->E->d, loc, CLINFER_E_MODEL, "reads '%s'[%g]: the model's own node, not a call of it",
                          nm->valuestring, ni->valuedouble);
    *node = n && call < n->n_nodes ? n->nodes[call] : -1;
    return CLINFER_OK;
}

/* One call's input as a value (a tensor, or a list of them for a merge layer); *ready 0 when a tensor it reads is not
 * made yet. */
static clinfer_status inbound_value(struct reader *R, const cJSON *node, struct cf_loc loc, struct value **out,
                                    int *ready)
{
    struct eval *E = R->E;
    const cJSON *tensors = node;
    *ready = 1;
    if (cJSON_IsObject(node)) { /* Keras 3: {"args": [x or [x, y]], "kwargs": {...}} */
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(node, "args");
        tensors = cJSON_IsArray(a) ? cJSON_GetArrayItem(a, 0) : NULL;
        if (!tensors) return cf_fail_at(E->d, loc, CLINFER_E_PARSE, "an inbound node has no args");
    }
    int single = cJSON_IsObject(tensors) || /* tf.keras: [name, n, t, kw] */
                 (cJSON_IsArray(tensors) && cJSON_IsString(cJSON_GetArrayItem(tensors, 0)));
    if (!single && (!cJSON_IsArray(tensors) || cJSON_GetArraySize(tensors) == 0))
        return cf_fail_at(E->d, loc, CLINFER_E_PARSE, "an inbound node is not a list of tensors");
    int n = single ? 1 : cJSON_GetArraySize(tensors);
    struct value *list = cf_keval_new_val(E, V_LIST, loc);
    if (!list || !(list->items = cf_arena_alloc(E->A, sizeof *list->items * (size_t)n))) return cf_fail_oom(E->d);
    for (const cJSON *t = single ? tensors : tensors->child; t; t = single ? NULL : t->next) {
        struct value *v = cf_keval_new_val(E, V_TENSOR, loc);
        if (!v) return cf_fail_oom(E->d);
        clinfer_status st = inbound_tensor(R, t, loc, &v->tensor);
        if (st) return st;
        if (v->tensor < 0) *ready = 0;
        list->items[list->n++] = v;
    }
    *out = single || (list->n == 1 && !cJSON_IsObject(node)) ? list->items[0] : list;
    return CLINFER_OK;
}

/* Another call of the layer `name` (the first makes its entry). */
static clinfer_status remember(struct reader *R, const char *name, int node, int model)
{
    struct named *e = find_named(R, name);
    if (!e) {
        struct named *p = cf_arena_alloc(R->E->A, sizeof *p * (size_t)(R->n_layers + 1));
        if (!p) return cf_fail_oom(R->E->d);
        if (R->n_layers) memcpy(p, R->layers, sizeof *p * (size_t)R->n_layers);
        p[R->n_layers] = (struct named){name, NULL, 0, model};
        R->layers = p;
        e = &p[R->n_layers++];
    }
    int *nodes = cf_arena_alloc(R->E->A, sizeof(int) * (size_t)(e->n_nodes + 1));
    if (!nodes) return cf_fail_oom(R->E->d);
    if (e->n_nodes) memcpy(nodes, e->nodes, sizeof(int) * (size_t)e->n_nodes);
    nodes[e->n_nodes++] = node;
    e->nodes = nodes;
    return CLINFER_OK;
}

/* input_layers / output_layers: [name, 0, 0] (Keras 3, one) or a list of them. */
static clinfer_status endpoints(struct reader *R, const cJSON *j, const char *what, int **out, int *n)
{
    struct eval *E = R->E;
    struct cf_loc loc = {R->where, 0, 0};
    if (!cJSON_IsArray(j) || cJSON_GetArraySize(j) == 0)
        return cf_fail_at(E->d, loc, CLINFER_E_PARSE, "the model's %s are missing", what);
    int single = cJSON_IsString(cJSON_GetArrayItem(j, 0));
    *n = single ? 1 : cJSON_GetArraySize(j);
    if (!(*out = cf_arena_alloc(E->A, sizeof(int) * (size_t)*n))) return cf_fail_oom(E->d);
    int k = 0;
    for (const cJSON *e = single ? j : j->child; e && k < *n; e = single ? NULL : e->next) {
        clinfer_status st = inbound_tensor(R, e, loc, &(*out)[k]);
        if (st) return st;
        if ((*out)[k++] < 0) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "the model's %s read a call never made", what);
    }
    return CLINFER_OK;
}

/* Arithmetic on a tensor and a number, which Keras saves as a layer of its own: Keras 3's operations
 * (module keras.src.ops..., class Add or Multiply, args [x, c]) and tf.keras' TFOpLambda (function __operators__.add,
 * math.multiply, ..., kwargs {"y": c}). Each is a Rescaling of scale c or offset c. Sets *node, or leaves it -1 when
 * the layer is no such thing. */
static clinfer_status tensor_arith(struct reader *R, const cJSON *l, const char *cls, const char *name,
                                   const cJSON *cfg, int *node)
{
    struct eval *E = R->E;
    *node = -1;
    const char *module = str_item(l, "module"), *fn = str_item(cfg, "function");
    int keras3 = module && strncmp(module, "keras.src.ops", 13) == 0, tfop = cls && strcmp(cls, "TFOpLambda") == 0;
    if (!keras3 && !tfop) return CLINFER_OK;
    struct cf_loc loc = layer_loc(R, name, cls);
    const cJSON *inb = cJSON_GetObjectItemCaseSensitive(l, "inbound_nodes");
    const cJSON *nd = cJSON_IsArray(inb) && cJSON_GetArraySize(inb) == 1 ? cJSON_GetArrayItem(inb, 0) : NULL;
    const cJSON *x = NULL, *c = NULL;
    const char *op = keras3 ? cls : fn ? fn : "";
    if (keras3 && cJSON_IsObject(nd)) {
        const cJSON *args = cJSON_GetObjectItemCaseSensitive(nd, "args");
        const cJSON *a0 = cJSON_GetArrayItem(args, 0), *a1 = cJSON_GetArrayItem(args, 1);
        if (cJSON_IsObject(a0) && cJSON_IsNumber(a1)) x = a0, c = a1;
        else if (cJSON_IsNumber(a0) && cJSON_IsObject(a1) && (strcmp(cls, "Add") == 0 || strcmp(cls, "Multiply") == 0))
            x = a1, c = a0;
        else if (cJSON_IsObject(a0) && cJSON_IsObject(a1) && (strcmp(cls, "Add") == 0 || strcmp(cls, "Multiply") == 0))
            return CLINFER_OK; /* two tensors: the merge layer of that name */
    } else if (tfop && cJSON_IsArray(nd) && cJSON_IsString(cJSON_GetArrayItem(nd, 0))) {
        const cJSON *kw = cJSON_GetArrayItem(nd, 3);
        x = nd;
        c = cJSON_IsObject(kw) ? cJSON_GetObjectItemCaseSensitive(kw, "y") : NULL;
    }
    struct cf_attrs a;
    cf_attrs_default(&a);
    double v = c ? c->valuedouble : 0;
    if (!x || !cJSON_IsNumber(c))
        return cf_fail_at(E->d, loc, CLINFER_E_UNSUPPORTED,
                          "%s: only a tensor and a number are supported (x + c, x * c, x - c, x / c)", op);
    if (strcmp(op, "Add") == 0 || strcmp(op, "__operators__.add") == 0 || strcmp(op, "math.add") == 0)
        a.affine_offset = (float)v;
    else if (strcmp(op, "Subtract") == 0 || strcmp(op, "__operators__.sub") == 0 || strcmp(op, "math.subtract") == 0)
        a.affine_offset = (float)-v;
    else if (strcmp(op, "Multiply") == 0 || strcmp(op, "math.multiply") == 0 || strcmp(op, "__operators__.mul") == 0)
        a.affine_scale = (float)v;
    else if ((strcmp(op, "Divide") == 0 || strcmp(op, "TrueDivide") == 0 || strcmp(op, "math.truediv") == 0 ||
              strcmp(op, "__operators__.truediv") == 0) && v != 0)
        a.affine_scale = (float)(1.0 / v);
    else
        return cf_fail_at(E->d, loc, CLINFER_E_UNSUPPORTED, "the operation '%s' is not supported", op);
    int in;
    clinfer_status st = inbound_tensor(R, x, loc, &in);
    if (st) return st;
    if (in < 0) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "reads a layer that comes after it");
    int idx = cf_graph_add(E->pool, CF_OP_AFFINE, name, cls, &in, 1, &a, loc);
    if (idx < 0) return cf_fail_oom(E->d);
    if ((st = cf_infer_node(E->pool, idx, E->d))) return st;
    *node = idx;
    return CLINFER_OK;
}

static clinfer_status layer_header(struct reader *R, const cJSON *l, const char **cls, const char **name,
                                   const cJSON **cfg, const struct keras_class **c, struct cf_loc *loc)
{
    struct cf_loc at = {R->where, 0, 0};
    *cls = str_item(l, "class_name");
    *cfg = cJSON_GetObjectItemCaseSensitive(l, "config");
    *name = cJSON_IsObject(*cfg) ? str_item(*cfg, "name") : NULL;
    if (!*name) *name = str_item(l, "name");
    if (!*cls || !cJSON_IsObject(*cfg) || !*name)
        return cf_fail_at(R->E->d, at, CLINFER_E_PARSE, "a layer without class_name, config or name");
    *loc = layer_loc(R, *name, *cls);
    *c = NULL;
    if (strcmp(*cls, "Sequential") == 0 || strcmp(*cls, "Functional") == 0 || strcmp(*cls, "Model") == 0)
        return CLINFER_OK; /* a nested model: read_nested */
    *c = cf_keras_class(*cls);
    if (!*c || (*c)->kind != K_LAYER)
        return cf_fail_at(R->E->d, *loc, CLINFER_E_UNSUPPORTED, "layer class '%s' is not supported", *cls);
    return CLINFER_OK;
}

static clinfer_status functional(struct reader *R, const cJSON *mc, struct model_obj *M);
static clinfer_status sequential(struct reader *R, const cJSON *mc, struct model_obj *M);

/* A model used as a layer: its config read as a model of its own (its names are its own), then called as a layer. */
static clinfer_status read_nested(struct reader *R, const char *cls, const char *name, const cJSON *cfg,
                                  struct cf_loc loc, struct model_obj **out)
{
    struct eval *E = R->E;
    if (R->depth >= MAX_NESTED_MODELS)
        return cf_fail_at(E->d, loc, CLINFER_E_LIMIT, "models nested more than %d deep", MAX_NESTED_MODELS);
    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(cfg, "layers");
    if (!cJSON_IsArray(layers)) return cf_fail_at(E->d, loc, CLINFER_E_PARSE, "a nested model without its layers");
    struct reader sub = {.E = E, .where = loc.file, .config_layers = layers, .depth = R->depth + 1};
    int seq = strcmp(cls, "Sequential") == 0;
    struct model_obj *M = cf_keval_new_model(E, seq, name, loc);
    if (!M) return cf_fail_oom(E->d);
    clinfer_status st = seq ? sequential(&sub, cfg, M) : functional(&sub, cfg, M);
    if (st) return st;
    const cJSON *tr = cJSON_GetObjectItemCaseSensitive(cfg, "trainable");
    if (cJSON_IsFalse(tr) && (st = cf_keval_set_model_trainable(E, M, 0))) return st;
    *out = M;
    return CLINFER_OK;
}

/* A layer of a functional config, made, and the calls of it to make (its inbound nodes, in order). */
struct todo {
    const cJSON *l, *cfg, *inbound;
    const char *cls, *name;
    struct cf_loc loc;
    struct layer_obj *L;  /* a layer */
    struct model_obj *M;  /* a nested model */
    int arith;            /* an operation on a tensor and a number (tensor_arith) */
    int next, total;
};

/* The layer's next call, when what it reads is made: *done 1 when it was made. */
static clinfer_status next_call(struct reader *R, struct todo *t, int rank, int *done)
{
    struct eval *E = R->E;
    struct value *x = NULL;
    int ready, node = -1;
    *done = 0;
    clinfer_status st = inbound_value(R, cJSON_GetArrayItem(t->inbound, t->next), t->loc, &x, &ready);
    if (st || !ready) return st;
    if (t->arith) {
        if ((st = tensor_arith(R, t->l, t->cls, t->name, t->cfg, &node))) return st;
    } else if (t->M) {
        if ((st = cf_keval_call_model(E, t->M, x, t->loc, &node))) return st;
        for (int k = E->pool->n_nests - 1; k >= 0; k--) /* the call's nest: its place in the file */
            if (E->pool->nests[k].parent < 0 && E->pool->nests[k].out == node) {
                E->pool->nests[k].rank = rank;
                break;
            }
    } else if ((st = cf_keval_apply_layer(E, t->L, x, &node))) {
        return st;
    }
    if (!t->M) E->pool->nodes[node].rank = rank;
    t->next++;
    *done = 1;
    return remember(R, t->name, node, t->M != NULL);
}

/* The layers in the file's order; then their calls, as Keras' from_config makes them: pass after pass, each layer's
 * calls in order as far as what they read is made (a shared layer's later call may read a layer after it). */
static clinfer_status functional(struct reader *R, const cJSON *mc, struct model_obj *M)
{
    struct eval *E = R->E;
    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(mc, "layers");
    if (!cJSON_IsArray(layers)) return cf_fail_at(E->d, (struct cf_loc){R->where, 0, 0}, CLINFER_E_PARSE, "no layers");
    R->config_layers = layers;
    int n = cJSON_GetArraySize(layers), li = 0;
    struct todo *todo = cf_arena_alloc(E->A, sizeof *todo * (size_t)(n + 1));
    if (!todo) return cf_fail_oom(E->d);
    memset(todo, 0, sizeof *todo * (size_t)(n + 1));
    clinfer_status st;
    for (const cJSON *l = layers->child; l; l = l->next, li++) {
        struct todo *t = &todo[li];
        const struct keras_class *c;
        t->l = l;
        const char *cls = str_item(l, "class_name"), *name;
        const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(l, "config");
        const char *module = str_item(l, "module");
        t->arith = cls && ((module && strncmp(module, "keras.src.ops", 13) == 0) || strcmp(cls, "TFOpLambda") == 0);
        if (t->arith && cJSON_IsObject(cfg) && (name = str_item(cfg, "name"))) { /* (no class of clinfer's) */
            t->cls = cls;
            t->name = name;
            t->cfg = cfg;
            t->loc = layer_loc(R, name, cls);
        } else if ((st = layer_header(R, l, &t->cls, &t->name, &t->cfg, &c, &t->loc))) {
            return st;
        }
        name = t->name;
        for (int k = 0; k < li; k++)
            if (strcmp(todo[k].name, name) == 0)
                return cf_fail_at(E->d, t->loc, CLINFER_E_MODEL, "a second layer of this name");
        t->inbound = cJSON_GetObjectItemCaseSensitive(l, "inbound_nodes");
        t->total = cJSON_IsArray(t->inbound) ? cJSON_GetArraySize(t->inbound) : 0;
        if (t->arith) {
            if (t->total != 1) return cf_fail_at(E->d, t->loc, CLINFER_E_UNSUPPORTED, "an operation called %d times", t->total);
            continue;
        }
        if (!c) {
            if ((st = read_nested(R, t->cls, name, t->cfg, t->loc, &t->M))) return st;
        } else if (cf_op_has(c->op, CF_T_INPUT)) {
            const cJSON *bs = cJSON_GetObjectItemCaseSensitive(t->cfg, "batch_shape");
            if (!bs) bs = cJSON_GetObjectItemCaseSensitive(t->cfg, "batch_input_shape");
            struct cf_shape shape;
            int node = -1;
            if (!bs) return cf_fail_at(E->d, t->loc, CLINFER_E_MODEL, "an InputLayer without batch_shape");
            if ((st = batch_shape_of(R, bs, t->loc, &shape)) || (st = cf_keval_make_input(E, name, &shape, t->loc, &node)) ||
                (st = remember(R, name, node, 0)))
                return st;
            E->pool->nodes[node].rank = li;
            t->total = 0;
            continue;
        } else {
            const cJSON *bs;
            if ((st = make_layer(R, c, t->cfg, t->loc, &t->L, &bs))) return st;
        }
        if (t->total == 0)
            return cf_fail_at(E->d, t->loc, CLINFER_E_MODEL, "has no inbound node (it is not connected to the model)");
    }
    for (int progress = 1, left = 1; left;) {
        if (!progress) {
            for (int k = 0; k < n; k++)
                if (todo[k].next < todo[k].total)
                    return cf_fail_at(E->d, todo[k].loc, CLINFER_E_MODEL,
                                      "its call %d reads a call of a layer that is never made (a cycle, or a node "
                                      "index the file does not have)",
                                      todo[k].next);
        }
        progress = left = 0;
        for (int k = 0; k < n; k++) {
            int done = 1;
            while (done && todo[k].next < todo[k].total) {
                if ((st = next_call(R, &todo[k], k, &done))) return st;
                progress |= done;
            }
            left |= todo[k].next < todo[k].total;
        }
    }
    st = endpoints(R, cJSON_GetObjectItemCaseSensitive(mc, "input_layers"), "inputs", &M->inputs, &M->n_in);
    if (st) return st;
    for (int k = 0; k < M->n_in; k++)
        if (!cf_op_has(E->pool->nodes[M->inputs[k]].op, CF_T_INPUT))
            return cf_fail_at(E->d, (struct cf_loc){R->where, 0, 0}, CLINFER_E_MODEL,
                              "model input '%s' is not an InputLayer", E->pool->nodes[M->inputs[k]].name);
    return endpoints(R, cJSON_GetObjectItemCaseSensitive(mc, "output_layers"), "outputs", &M->outputs, &M->n_out);
}

static clinfer_status sequential(struct reader *R, const cJSON *mc, struct model_obj *M)
{
    struct eval *E = R->E;
    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(mc, "layers");
    for (const cJSON *l = layers->child; l; l = l->next) {
        const char *cls, *name;
        const cJSON *cfg, *bs = NULL;
        const struct keras_class *c;
        struct cf_loc loc;
        clinfer_status st = layer_header(R, l, &cls, &name, &cfg, &c, &loc);
        if (st) return st;
        struct cf_shape shape;
        if (!c) { /* a nested model */
            struct value *v = cf_keval_new_val(E, V_MODEL, loc);
            if (!v) return cf_fail_oom(E->d);
            if ((st = read_nested(R, cls, name, cfg, loc, &v->model)) || (st = cf_keval_seq_add(E, M, v))) return st;
            continue;
        }
        if (cf_op_has(c->op, CF_T_INPUT)) {
            bs = cJSON_GetObjectItemCaseSensitive(cfg, "batch_shape");
            if (!bs) bs = cJSON_GetObjectItemCaseSensitive(cfg, "batch_input_shape");
            if (!bs) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "an InputLayer without batch_shape");
            if (M->cur >= 0 || M->n_layers)
                return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "an InputLayer after the first layer");
            if ((st = batch_shape_of(R, bs, loc, &shape)) || (st = cf_keval_seq_start(E, M, name, &shape, loc)))
                return st;
            continue;
        }
        struct layer_obj *L;
        if ((st = make_layer(R, c, cfg, loc, &L, &bs))) return st;
        if (bs && M->cur < 0 && !M->n_layers) { /* tf.keras' first layer carries the input */
            if ((st = batch_shape_of(R, bs, loc, &shape)) ||
                (st = cf_keval_seq_start(E, M, cf_keval_input_name(E), &shape, loc)))
                return st;
        }
        struct value *v = cf_keval_new_val(E, V_LAYER, loc);
        if (!v) return cf_fail_oom(E->d);
        v->layer = L;
        if ((st = cf_keval_seq_add(E, M, v))) return st;
    }
    if (M->cur < 0) { /* no InputLayer: the build shape Keras kept */
        const cJSON *bs = cJSON_GetObjectItemCaseSensitive(mc, "build_input_shape");
        struct cf_loc loc = {R->where, 0, 0};
        struct cf_shape shape;
        if (!bs || cJSON_IsNull(bs))
            return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "the Sequential model has no input shape");
        clinfer_status st = batch_shape_of(R, bs, loc, &shape);
        if (st || (st = cf_keval_seq_start(E, M, cf_keval_input_name(E), &shape, loc)) ||
            (st = cf_keval_seq_apply_pending(E, M, 0)))
            return st;
    }
    /* the rows: the file's order */
    for (int i = 0; i < M->n_layers; i++) {
        const struct layer_obj *L = M->layers[i];
        if (L->model && L->model->first_nest >= 0) E->pool->nests[L->model->first_nest].rank = i;
        else if (L->node >= 0) E->pool->nodes[L->node].rank = i;
    }
    return CLINFER_OK;
}

clinfer_status cf_keras_config_graph(const char *where, const char *json, size_t len, clinfer_style style,
                                     struct cf_graph **out, struct cf_diag *d)
{
    struct cf_arena arena = {0};
    struct eval E = {.A = &arena, .file = where, .d = d, .style = style, .keep_order = 1};
    struct reader R = {.E = &E, .where = where};
    struct cf_loc at = {where, 0, 0};
    clinfer_status st = CLINFER_OK;
    *out = NULL;
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root) {
        st = cf_fail_at(d, at, CLINFER_E_PARSE, "not valid JSON (near byte %zu)",
                        cJSON_GetErrorPtr() ? (size_t)(cJSON_GetErrorPtr() - json) : (size_t)0);
        goto done;
    }
    const char *cls = str_item(root, "class_name");
    const cJSON *mc = cJSON_GetObjectItemCaseSensitive(root, "config");
    const cJSON *layers = mc ? cJSON_GetObjectItemCaseSensitive(mc, "layers") : NULL;
    if (!cls || !cJSON_IsObject(mc) || !cJSON_IsArray(layers)) {
        st = cf_fail_at(d, at, CLINFER_E_PARSE, "not a Keras model config (no class_name, config and its layers)");
        goto done;
    }
    int seq = strcmp(cls, "Sequential") == 0;
    if (!seq && strcmp(cls, "Functional") != 0 && strcmp(cls, "Model") != 0) {
        st = cf_fail_at(d, at, CLINFER_E_UNSUPPORTED,
                        "a model of class '%s' (a subclassed model has no config clinfer can read; save a functional "
                        "or Sequential model)",
                        cls);
        goto done;
    }
    if (!(E.pool = cf_graph_new())) {
        st = cf_fail_oom(d);
        goto done;
    }
    E.pool->layout = CF_LAYOUT_NHWC;
    const char *name = str_item(mc, "name");
    struct model_obj *M = cf_keval_new_model(&E, seq, name, at);
    if (!M) {
        st = cf_fail_oom(d);
        goto done;
    }
    if ((st = seq ? sequential(&R, mc, M) : functional(&R, mc, M))) goto done;
    st = cf_keval_finish_model(&E, M, out);
done:
    cJSON_Delete(root);
    cf_graph_free(E.pool);
    cf_arena_free(&arena);
    return st;
}
