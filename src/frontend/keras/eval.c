/* Evaluator of the Keras-script front-end: runs the statements of the script (calls, expressions, imports) with
 * scope.c's names and model.c's layers and models, and gives the chosen model as graph IR (cf_keras_load). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../passes/passes.h"
#include "../../util/checked.h"
#include "../frontend.h"
#include "eval.h"

#define eval_expr cf_keval_expr

/* --- calls --- */

static clinfer_status call_class(struct eval *E, const struct value *callee, struct value **args, const char **kw,
                                 int n, struct cf_loc loc, struct value **out)
{
    const struct keras_class *c = callee->cls;
    struct bound b;
    clinfer_status st = cf_keval_bind_args(E, c, c->kind == K_LAYER || c->kind == K_MERGE_FN, args, kw, n, loc, &b);
    if (st) return st;
    struct value *v = NULL;
    switch (c->kind) {
    case K_LAYER: {
        struct layer_obj *L;
        if ((st = cf_keval_make_layer(E, c, &b, loc, &L))) return st;
        if (!(v = cf_keval_new_val(E, V_LAYER, loc))) return cf_fail_oom(E->d);
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
        if ((st = cf_keval_make_layer(E, lc, &lb, loc, &L))) return st;
        if (!(v = cf_keval_new_val(E, V_TENSOR, loc))) return cf_fail_oom(E->d);
        if ((st = cf_keval_apply_layer(E, L, cf_keval_bound_get(&b, T_INPUTS), &v->tensor))) return st;
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
        if (!name && !(name = cf_keval_input_name(E))) return cf_fail_oom(E->d);
        if (!(v = cf_keval_new_val(E, V_TENSOR, loc))) return cf_fail_oom(E->d);
        if ((st = cf_keval_make_input(E, name, &shape, loc, &v->tensor))) return st;
        break;
    }
    case K_MODEL: {
        const struct value *nm = cf_keval_bound_get(&b, T_NAME);
        if (nm && nm->k != V_STR) return cf_fail_at(E->d, nm->loc, CLINFER_E_MODEL, "Model: name must be a string");
        struct model_obj *M = cf_keval_new_model(E, 0, nm ? nm->s : NULL, loc);
        if (!M) return cf_fail_oom(E->d);
        if ((st = cf_keval_tensors_of(E, cf_keval_bound_get(&b, T_INPUTS), "a model input", &M->inputs, &M->n_in)) ||
            (st = cf_keval_tensors_of(E, cf_keval_bound_get(&b, T_OUTPUTS), "a model output", &M->outputs, &M->n_out)))
            return st;
        for (int k = 0; k < M->n_in; k++)
            if (!cf_op_has(E->pool->nodes[M->inputs[k]].op, CF_T_INPUT))
                return cf_fail_at(E->d, loc, CLINFER_E_MODEL,
                                  "model inputs must come from Input(); '%s' is the output of a %s layer",
                                  E->pool->nodes[M->inputs[k]].name, E->pool->nodes[M->inputs[k]].type);
        /* Keras checks the graph when the model is made: so do we, and report it here */
        struct cf_graph *g = NULL;
        if ((st = cf_keval_build_graph(E, M, &g))) return st;
        cf_graph_free(g);
        if (!(v = cf_keval_new_val(E, V_MODEL, loc))) return cf_fail_oom(E->d);
        v->model = M;
        E->last = M;
        break;
    }
    case K_SEQUENTIAL: {
        const struct value *nm = cf_keval_bound_get(&b, T_NAME), *ls = cf_keval_bound_get(&b, T_LAYERS);
        if (nm && nm->k != V_STR) return cf_fail_at(E->d, nm->loc, CLINFER_E_MODEL, "Sequential: name must be a string");
        struct model_obj *M = cf_keval_new_model(E, 1, nm ? nm->s : NULL, loc);
        if (!M) return cf_fail_oom(E->d);
        if (ls && ls->k != V_NONE) {
            if (ls->k != V_LIST && ls->k != V_TUPLE)
                return cf_fail_at(E->d, ls->loc, CLINFER_E_MODEL, "Sequential takes a list of layers");
            for (int i = 0; i < ls->n; i++)
                if ((st = cf_keval_seq_add(E, M, ls->items[i]))) return st;
        }
        if ((st = cf_keval_seq_built(E, M, loc))) return st;
        if (!(v = cf_keval_new_val(E, V_MODEL, loc))) return cf_fail_oom(E->d);
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
    if (!m->model && m->items[0]->k == V_STR) return cf_keval_str_method(E, m, args, kw, n, loc, out);
    if (!m->model) return cf_keval_container_method(E, m, args, kw, n, loc, out);
    struct model_obj *M = m->model;
    const char *name = m->s;
    clinfer_status st;
    if (!(*out = cf_keval_new_val(E, V_NONE, loc))) return cf_fail_oom(E->d);
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
        if (name[0] == 'a') {
            if ((st = cf_keval_seq_add(E, M, args[0]))) return st;
            return cf_keval_seq_built(E, M, loc);
        }
        if (M->cur >= 0) return CLINFER_OK;
        if (M->n_layers == 0) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "build() on a Sequential model with no layers");
        static const struct arg_spec spec = {"input_shape", AK_BATCH_SHAPE, T_BATCH_SHAPE, 1};
        struct cf_attrs a;
        struct cf_shape shape = {0};
        const struct keras_class *seq = cf_keras_class("Sequential");
        if ((st = cf_keras_apply_arg(seq, &spec, args[0], &a, &shape, E->d))) return st;
        char in_name[160];
        snprintf(in_name, sizeof in_name, "%s_input", M->layers[0]->name);
        if ((st = cf_keval_seq_start(E, M, in_name, &shape, loc)) || (st = cf_keval_seq_apply_pending(E, M, 0)))
            return st;
        return cf_keval_seq_built(E, M, loc);
    }
    return cf_fail_at(E->d, loc, CLINFER_E_UNSUPPORTED,
                      "%s.%s() is outside what clinfer reads (summary, compile, add, build); remove the line", M->name,
                      name);
}

/* A call's arguments, evaluated, with *xs spread into positional ones and **m into keyword ones. */
static clinfer_status eval_args(struct eval *E, const struct expr *e, struct value ***args_out, const char ***kw_out,
                                int *n_out)
{
    clinfer_status st;
    int cap = e->n + 1, n = 0;
    struct value **args = cf_arena_alloc(E->A, sizeof *args * (size_t)cap);
    const char **kw = cf_arena_alloc(E->A, sizeof *kw * (size_t)cap);
    if (!args || !kw) return cf_fail_oom(E->d);
    for (int i = 0; i < e->n; i++) {
        const struct expr *x = e->items[i];
        struct value *v;
        if ((st = eval_expr(E, x->kind == EX_STAR || x->kind == EX_DSTAR ? x->a : x, &v))) return st;
        struct value **items = &v;
        int m = 1, pairs = 0;
        if (x->kind == EX_STAR) {
            if ((st = cf_keval_items(E, v, x->loc, &items, &m))) return st;
        } else if (x->kind == EX_DSTAR) {
            if (v->k != V_DICT)
                return cf_fail_at(E->d, x->loc, CLINFER_E_MODEL, "argument after ** must be a dict, not %s",
                                  cf_value_type_name(v));
            items = v->items;
            m = v->n;
            pairs = 1;
        }
        if (n + m + 1 > cap) {
            int c2 = n + m + 1 + cap;
            struct value **a2 = cf_arena_alloc(E->A, sizeof *a2 * (size_t)c2);
            const char **k2 = cf_arena_alloc(E->A, sizeof *k2 * (size_t)c2);
            if (!a2 || !k2) return cf_fail_oom(E->d);
            memcpy(a2, args, sizeof *a2 * (size_t)n);
            memcpy(k2, kw, sizeof *k2 * (size_t)n);
            args = a2;
            kw = k2;
            cap = c2;
        }
        for (int j = 0; j < m; j++) {
            const char *name = x->kind == EX_STAR ? NULL : pairs ? NULL : e->kw[i];
            if (pairs) {
                if (items[2 * j]->k != V_STR)
                    return cf_fail_at(E->d, x->loc, CLINFER_E_MODEL, "keywords must be strings");
                name = items[2 * j]->s;
            }
            for (int k = 0; name && k < n; k++)
                if (kw[k] && strcmp(kw[k], name) == 0)
                    return cf_fail_at(E->d, x->loc, CLINFER_E_MODEL, "got multiple values for keyword argument '%s'",
                                      name);
            kw[n] = name;
            args[n++] = pairs ? items[2 * j + 1] : items[j];
        }
    }
    if (n > MAX_BOUND * 4) return cf_fail_at(E->d, e->loc, CLINFER_E_LIMIT, "a call with %d arguments", n);
    *args_out = args;
    *kw_out = kw;
    *n_out = n;
    return CLINFER_OK;
}

static clinfer_status eval_call(struct eval *E, const struct expr *e, struct value **out)
{
    struct value *callee;
    clinfer_status st = eval_expr(E, e->a, &callee);
    if (st) return st;
    struct value **args = NULL;
    const char **kw = NULL;
    int n = 0;
    if ((st = eval_args(E, e, &args, &kw, &n))) return st;
    struct expr call = *e; /* (the evaluated arguments' count and names, for what follows) */
    call.n = n;
    call.kw = kw;
    e = &call;
    switch (callee->k) {
    case V_CLASS:
        return call_class(E, callee, args, e->kw, e->n, e->loc, out);
    case V_LAYER:
    case V_MODEL: {
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
        struct value *v = cf_keval_new_val(E, V_TENSOR, e->loc);
        if (!v) return cf_fail_oom(E->d);
        if (callee->k == V_MODEL) st = cf_keval_call_model(E, callee->model, args[first], e->loc, &v->tensor);
        else st = cf_keval_apply_layer(E, callee->layer, args[first], &v->tensor);
        if (st) return st;
        *out = v;
        return CLINFER_OK;
    }
    case V_METHOD:
        return call_method(E, callee, args, e->kw, e->n, e->loc, out);
    case V_FUNC:
        if (strcmp(callee->s, "print") == 0) {
            *out = cf_keval_new_val(E, V_NONE, e->loc);
            return *out ? CLINFER_OK : cf_fail_oom(E->d);
        }
        return cf_fail_at(E->d, e->loc, CLINFER_E_UNSUPPORTED,
                          "calling the activation function '%s' directly is not supported; use "
                          "layers.Activation('%s')",
                          callee->s, callee->s);
    case V_USERFN:
        return cf_keval_call_user(E, callee, args, e->kw, e->n, e->loc, out);
    case V_BUILTIN:
        return cf_keval_call_builtin(E, callee, args, e->kw, e->n, e->loc, out);
    case V_OPAQUE:
    case V_MODULE:
        if (callee->k == V_MODULE && callee->mod != MOD_OPAQUE) break;
        if (callee->s && strncmp(callee->s, "keras.applications.", 19) == 0)
            return cf_fail_at(E->d, e->loc, CLINFER_E_UNSUPPORTED,
                              "%s(...) builds a model clinfer does not have the code of: save it in Keras "
                              "(model.save(\"model.keras\")) and give clinfer that file",
                              callee->s);
        for (int i = 0; i < e->n; i++) { /* a function of another module, on the model's tensors */
            int tensor = args[i]->k == V_TENSOR;
            for (int k = 0; (args[i]->k == V_LIST || args[i]->k == V_TUPLE) && k < args[i]->n; k++)
                tensor |= args[i]->items[k]->k == V_TENSOR;
            if (tensor)
                return cf_fail_at(E->d, e->loc, CLINFER_E_UNSUPPORTED,
                                  "'%s' comes from a module clinfer does not read, and is called on a tensor: clinfer "
                                  "reads a model's code from its one file; put the function's def in it",
                                  callee->s ? callee->s : "this function");
        }
        *out = cf_keval_new_val(E, V_OPAQUE, e->loc);
        return *out ? CLINFER_OK : cf_fail_oom(E->d);
    default:
        break;
    }
    char repr[96];
    cf_value_repr(callee, repr, sizeof repr);
    return cf_fail_at(E->d, e->loc, CLINFER_E_MODEL, "'%s' object %s is not callable", cf_value_type_name(callee), repr);
}

/* --- expressions --- */

/* + and * of strings, lists and tuples; % of a string (formatting) */
static clinfer_status seq_binop(struct eval *E, char op, const struct value *a, const struct value *b,
                                struct cf_loc loc, struct value **out)
{
    clinfer_status st = cf_keval_room(E, loc);
    if (st) return st;
    if (op == '%') return cf_keval_percent(E, a->s, b, loc, out);
    if (op == '+') {
        if (a->k != b->k)
            return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "can only concatenate %s (not %s) to %s", cf_value_type_name(a),
                              cf_value_type_name(b), cf_value_type_name(a));
        if (a->k == V_STR) {
            size_t la = strlen(a->s), lb = strlen(b->s);
            if (la + lb > CF_PY_MAX_STR)
                return cf_fail_at(E->d, loc, CLINFER_E_LIMIT, "a string longer than %d bytes", CF_PY_MAX_STR);
            char *t = cf_arena_alloc(E->A, la + lb + 1);
            struct value *v = cf_keval_new_val(E, V_STR, loc);
            if (!t || !v) return cf_fail_oom(E->d);
            memcpy(t, a->s, la);
            memcpy(t + la, b->s, lb);
            v->s = t;
            *out = v;
            return CLINFER_OK;
        }
        if ((int64_t)a->n + b->n > CF_PY_MAX_ITEMS)
            return cf_fail_at(E->d, loc, CLINFER_E_LIMIT, "a %s of more than %d items", cf_value_type_name(a),
                              CF_PY_MAX_ITEMS);
        struct value *v = cf_keval_seq(E, a->k, a->n + b->n, loc);
        if (!v) return cf_fail_oom(E->d);
        memcpy(v->items, a->items, sizeof *v->items * (size_t)a->n);
        memcpy(v->items + a->n, b->items, sizeof *v->items * (size_t)b->n);
        *out = v;
        return CLINFER_OK;
    }
    /* repetition: a sequence times an int (either way round) */
    const struct value *seq = a->k == V_INT || a->k == V_BOOL ? b : a, *times = seq == a ? b : a;
    if (op != '*' || (times->k != V_INT && times->k != V_BOOL))
        return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "unsupported operand types for %c: %s and %s", op == 'f' ? '/' : op,
                          cf_value_type_name(a), cf_value_type_name(b));
    int64_t k = times->i < 0 ? 0 : times->i;
    int64_t len = seq->k == V_STR ? (int64_t)strlen(seq->s) : seq->n;
    if (len && k > (seq->k == V_STR ? CF_PY_MAX_STR : CF_PY_MAX_ITEMS) / len)
        return cf_fail_at(E->d, loc, CLINFER_E_LIMIT, "a %s repeated %lld times is past the limit",
                          cf_value_type_name(seq), (long long)k);
    if (seq->k == V_STR) {
        char *t = cf_arena_alloc(E->A, (size_t)(len * k) + 1);
        struct value *v = cf_keval_new_val(E, V_STR, loc);
        if (!t || !v) return cf_fail_oom(E->d);
        for (int64_t i = 0; i < k; i++) memcpy(t + i * len, seq->s, (size_t)len);
        v->s = t;
        *out = v;
        return CLINFER_OK;
    }
    struct value *v = cf_keval_seq(E, seq->k, (int)(len * k), loc);
    if (!v) return cf_fail_oom(E->d);
    for (int64_t i = 0; i < k; i++) memcpy(v->items + i * len, seq->items, sizeof *v->items * (size_t)len);
    *out = v;
    return CLINFER_OK;
}

static clinfer_status eval_binop(struct eval *E, const struct expr *e, struct value **out)
{
    struct value *a, *b;
    clinfer_status st;
    if ((st = eval_expr(E, e->a, &a)) || (st = eval_expr(E, e->b, &b))) return st;
    return cf_keval_binop(E, e->op, a, b, e->loc, out);
}

static clinfer_status eval_display(struct eval *E, const struct expr *e, struct value **out);
static clinfer_status eval_comp(struct eval *E, const struct expr *e, struct value **out);
static clinfer_status eval_slice(struct eval *E, const struct value *obj, const struct expr *sl, struct value **out);
static clinfer_status compare(struct eval *E, char op, const struct value *a, const struct value *b, struct cf_loc loc,
                              int *out);

clinfer_status cf_keval_binop(struct eval *E, char op, struct value *a, struct value *b, struct cf_loc loc,
                              struct value **out)
{
    struct expr ex = {.op = op, .loc = loc}, *e = &ex;
    int seq_a = a->k == V_STR || a->k == V_LIST || a->k == V_TUPLE, seq_b = b->k == V_STR || b->k == V_LIST || b->k == V_TUPLE;
    if ((seq_a && (op != '%' || a->k == V_STR)) || (seq_b && op == '*')) return seq_binop(E, op, a, b, loc, out);
    struct value ai, bi; /* (True + 1: bools are ints) */
    if (a->k == V_BOOL) ai = (struct value){.k = V_INT, .i = a->i, .loc = a->loc}, a = &ai;
    if (b->k == V_BOOL) bi = (struct value){.k = V_INT, .i = b->i, .loc = b->loc}, b = &bi;
    struct value *r = cf_keval_new_val(E, V_INT, e->loc);
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

clinfer_status eval_expr(struct eval *E, const struct expr *e, struct value **out)
{
    struct value *v = NULL;
    clinfer_status st;
    switch (e->kind) {
    case EX_NAME:
        if (!(v = cf_keval_lookup(E, e->str))) {
            const struct keras_class *c = cf_keras_class(e->str);
            if (c && c->kind != K_MODEL && c->kind != K_SEQUENTIAL)
                return cf_fail_at(E->d, e->loc, CLINFER_E_MODEL,
                                  "name '%s' is not defined (write layers.%s, or add `from keras.layers import %s`)",
                                  e->str, e->str, e->str);
            return cf_fail_at(E->d, e->loc, CLINFER_E_MODEL, "name '%s' is not defined", e->str);
        }
        /* lists and dicts are shared objects (xs.append(x) changes every name for it); other values are copied,
         * placed where they are used, so messages about an argument point at the argument */
        if (v->k == V_LIST || v->k == V_DICT) {
            *out = v;
            return CLINFER_OK;
        }
        struct value *use = cf_keval_new_val(E, v->k, e->loc);
        if (!use) return cf_fail_oom(E->d);
        *use = *v;
        use->loc = e->loc;
        *out = use;
        return CLINFER_OK;
    case EX_INT:
        if ((v = cf_keval_new_val(E, V_INT, e->loc))) v->i = e->ival;
        break;
    case EX_FLOAT:
        if ((v = cf_keval_new_val(E, V_FLOAT, e->loc))) v->f = e->fval;
        break;
    case EX_STR:
        if (memchr(e->str, '\0', e->slen))
            return cf_fail_at(E->d, e->loc, CLINFER_E_MODEL, "NUL character inside a string");
        if ((v = cf_keval_new_val(E, V_STR, e->loc))) v->s = e->str;
        break;
    case EX_NONE: v = cf_keval_new_val(E, V_NONE, e->loc); break;
    case EX_TRUE:
    case EX_FALSE:
        if ((v = cf_keval_new_val(E, V_BOOL, e->loc))) v->i = e->kind == EX_TRUE;
        break;
    case EX_TUPLE:
    case EX_LIST:
        return eval_display(E, e, out);
    case EX_DICT: {
        if (!(v = cf_keval_new_val(E, V_DICT, e->loc))) break;
        for (int i = 0; i < e->n; i += 2) {
            struct value *key = NULL, *val;
            if ((e->items[i] && (st = eval_expr(E, e->items[i], &key))) || (st = eval_expr(E, e->items[i + 1], &val)))
                return st;
            if (!key) { /* {**m} */
                if (val->k != V_DICT)
                    return cf_fail_at(E->d, e->items[i + 1]->loc, CLINFER_E_MODEL, "'%s' object is not a mapping",
                                      cf_value_type_name(val));
                for (int k = 0; k < val->n; k++)
                    if ((st = cf_keval_dict_set(E, v, val->items[2 * k], val->items[2 * k + 1], e->loc))) return st;
            } else if ((st = cf_keval_dict_set(E, v, key, val, e->items[i]->loc))) {
                return st;
            }
        }
        break;
    }
    case EX_NOT: {
        struct value *x;
        int t;
        if ((st = eval_expr(E, e->a, &x)) || (st = cf_keval_truth(E, x, e->loc, &t))) return st;
        if ((v = cf_keval_new_val(E, V_BOOL, e->loc))) v->i = !t;
        break;
    }
    case EX_BOOLOP: { /* Python's: the operand that decides, not a bool */
        struct value *x;
        int t;
        if ((st = eval_expr(E, e->a, &x)) || (st = cf_keval_truth(E, x, e->loc, &t))) return st;
        if (e->op == '&' ? !t : t) {
            *out = x;
            return CLINFER_OK;
        }
        return eval_expr(E, e->b, out);
    }
    case EX_COMPARE: {
        struct value *x, *y;
        if ((st = eval_expr(E, e->items[0], &x))) return st;
        int result = 1;
        for (int i = 0; i + 1 < e->n && result; i++) {
            if ((st = eval_expr(E, e->items[i + 1], &y)) || (st = compare(E, e->ops[i], x, y, e->loc, &result)))
                return st;
            x = y;
        }
        if ((v = cf_keval_new_val(E, V_BOOL, e->loc))) v->i = result;
        break;
    }
    case EX_COND: {
        struct value *c;
        int t;
        if ((st = eval_expr(E, e->c, &c)) || (st = cf_keval_truth(E, c, e->loc, &t))) return st;
        return eval_expr(E, t ? e->a : e->b, out);
    }
    case EX_COMP:
        return eval_comp(E, e, out);
    case EX_FSTR: {
        size_t len = 0, cap = 64;
        char *buf = cf_arena_alloc(E->A, cap);
        if (!buf) return cf_fail_oom(E->d);
        for (int i = 0; i < e->n; i++) {
            const struct expr *part = e->items[i];
            const char *text = part->str;
            if (part->kind == EX_FIELD) {
                struct value *x;
                if ((st = eval_expr(E, part->a, &x))) return st;
                if (part->op) {
                    if ((st = cf_keval_str(E, x, part->op == 'r', part->loc, &text))) return st;
                    if (*part->str) {
                        struct value sv = {.k = V_STR, .s = text, .loc = part->loc};
                        if ((st = cf_keval_format(E, &sv, part->str, part->loc, &text))) return st;
                    }
                } else if ((st = cf_keval_format(E, x, part->str, part->loc, &text))) {
                    return st;
                }
            }
            size_t tl = strlen(text);
            if (len + tl > CF_PY_MAX_STR)
                return cf_fail_at(E->d, e->loc, CLINFER_E_LIMIT, "a string longer than %d bytes", CF_PY_MAX_STR);
            if (len + tl + 1 > cap) {
                while (len + tl + 1 > cap) cap *= 2;
                char *b2 = cf_arena_alloc(E->A, cap);
                if (!b2) return cf_fail_oom(E->d);
                memcpy(b2, buf, len);
                buf = b2;
            }
            memcpy(buf + len, text, tl);
            len += tl;
        }
        buf[len] = '\0';
        if ((v = cf_keval_new_val(E, V_STR, e->loc))) v->s = buf;
        break;
    }
    case EX_SLICE:
    case EX_FIELD:
    case EX_STAR:
    case EX_DSTAR:
        return cf_fail_at(E->d, e->loc, CLINFER_E_PARSE, "'%s' cannot be used here",
                          e->kind == EX_STAR ? "*" : e->kind == EX_DSTAR ? "**" : e->kind == EX_SLICE ? ":" : "{}");
    case EX_ATTR: {
        struct value *obj;
        if ((st = eval_expr(E, e->a, &obj))) return st;
        if (obj->k == V_MODULE) return cf_keval_module_attr(E, obj, e->str, e->loc, out);
        if (obj->k == V_OPAQUE) {
            v = cf_keval_new_val(E, V_OPAQUE, e->loc);
            break;
        }
        if (obj->k == V_MODEL) {
            if (strcmp(e->str, "name") == 0) {
                if ((v = cf_keval_new_val(E, V_STR, e->loc))) v->s = obj->model->name ? obj->model->name : "model";
                break;
            }
            if ((v = cf_keval_new_val(E, V_METHOD, e->loc))) {
                v->model = obj->model;
                v->s = e->str;
            }
            break;
        }
        if (obj->k == V_TENSOR && strcmp(e->str, "shape") == 0) { /* (None, 32, 32, 3): the batch unknown */
            const struct cf_shape *sh = &E->pool->nodes[obj->tensor].out;
            if (!(v = cf_keval_seq(E, V_TUPLE, sh->rank, e->loc))) break;
            for (int r = 0; r < sh->rank; r++) {
                int known = r > 0 && sh->d[r] >= 0;
                if (!(v->items[r] = cf_keval_new_val(E, known ? V_INT : V_NONE, e->loc))) return cf_fail_oom(E->d);
                v->items[r]->i = known ? sh->d[r] : 0;
            }
            break;
        }
        if (obj->k == V_LAYER && (strcmp(e->str, "name") == 0 || strcmp(e->str, "trainable") == 0)) {
            if (e->str[0] == 'n') {
                if ((v = cf_keval_new_val(E, V_STR, e->loc))) v->s = obj->layer->name;
            } else if ((v = cf_keval_new_val(E, V_BOOL, e->loc))) {
                v->i = obj->layer->trainable;
            }
            break;
        }
        /* the methods of lists, dicts and strings: bound to their object */
        static const char *const list_m[] = {"append", "extend", "insert", "pop", "index", "count", NULL};
        static const char *const dict_m[] = {"get", "items", "keys", "values", "update", NULL};
        static const char *const str_m[] = {"format", "join", "upper", "lower", "replace", "startswith", "endswith",
                                            "strip", "split", NULL};
        const char *const *ms = obj->k == V_LIST ? list_m : obj->k == V_DICT ? dict_m : obj->k == V_STR ? str_m : NULL;
        for (int k = 0; ms && ms[k]; k++)
            if (strcmp(e->str, ms[k]) == 0) {
                if (!(v = cf_keval_new_val(E, V_METHOD, e->loc)) || !(v->items = cf_arena_alloc(E->A, sizeof *v->items)))
                    return cf_fail_oom(E->d);
                v->s = ms[k];
                v->items[0] = obj;
                v->n = 1;
                *out = v;
                return CLINFER_OK;
            }
        return cf_fail_at(E->d, e->loc, CLINFER_E_UNSUPPORTED, "attribute '%s' of a %s is not supported", e->str,
                          cf_value_type_name(obj));
    }
    case EX_CALL:
        return eval_call(E, e, out);
    case EX_INDEX: {
        struct value *obj, *idx;
        if ((st = eval_expr(E, e->a, &obj))) return st;
        if (e->b->kind == EX_SLICE) return eval_slice(E, obj, e->b, out);
        if ((st = eval_expr(E, e->b, &idx))) return st;
        if (obj->k == V_DICT) {
            for (int k = 0; k < obj->n; k++)
                if (cf_keval_equal(obj->items[2 * k], idx)) {
                    *out = obj->items[2 * k + 1];
                    return CLINFER_OK;
                }
            char repr[96];
            cf_value_repr(idx, repr, sizeof repr);
            return cf_fail_at(E->d, e->b->loc, CLINFER_E_MODEL, "KeyError: %s", repr);
        }
        struct value ii;
        if (idx->k == V_BOOL) ii = (struct value){.k = V_INT, .i = idx->i, .loc = idx->loc}, idx = &ii;
        if (obj->k == V_STR && idx->k == V_INT) {
            int64_t len = (int64_t)strlen(obj->s), i = idx->i < 0 ? idx->i + len : idx->i;
            if (i < 0 || i >= len)
                return cf_fail_at(E->d, e->b->loc, CLINFER_E_MODEL, "string index %lld is out of range",
                                  (long long)idx->i);
            if (!(v = cf_keval_new_val(E, V_STR, e->loc)) || !(v->s = cf_arena_strndup(E->A, obj->s + i, 1)))
                return cf_fail_oom(E->d);
            break;
        }
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
            if ((v = cf_keval_new_val(E, V_INT, e->loc))) v->i = -x->i;
        } else if (x->k == V_FLOAT) {
            if ((v = cf_keval_new_val(E, V_FLOAT, e->loc))) v->f = -x->f;
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

/* [a, *b, c], (a, b) */
static clinfer_status eval_display(struct eval *E, const struct expr *e, struct value **out)
{
    clinfer_status st;
    struct value *v = cf_keval_seq(E, e->kind == EX_TUPLE ? V_TUPLE : V_LIST, e->n, e->loc);
    if (!v) return cf_fail_oom(E->d);
    int n = 0;
    for (int i = 0; i < e->n; i++) {
        struct value *x;
        if ((st = eval_expr(E, e->items[i]->kind == EX_STAR ? e->items[i]->a : e->items[i], &x))) return st;
        if (e->items[i]->kind != EX_STAR) {
            if (n == v->n) { /* (room taken by an earlier *xs) */
                struct value *w = cf_keval_seq(E, v->k, v->n * 2 + 1, e->loc);
                if (!w) return cf_fail_oom(E->d);
                memcpy(w->items, v->items, sizeof *w->items * (size_t)n);
                v = w;
            }
            v->items[n++] = x;
            continue;
        }
        struct value **items;
        int m;
        if ((st = cf_keval_items(E, x, e->items[i]->loc, &items, &m))) return st;
        if ((int64_t)n + m + (e->n - i) > CF_PY_MAX_ITEMS)
            return cf_fail_at(E->d, e->loc, CLINFER_E_LIMIT, "a %s of more than %d items", cf_value_type_name(v),
                              CF_PY_MAX_ITEMS);
        struct value *w = cf_keval_seq(E, v->k, n + m + (e->n - i - 1), e->loc);
        if (!w) return cf_fail_oom(E->d);
        memcpy(w->items, v->items, sizeof *w->items * (size_t)n);
        memcpy(w->items + n, items, sizeof *w->items * (size_t)m);
        n += m;
        v = w;
    }
    v->n = n;
    *out = v;
    return CLINFER_OK;
}

clinfer_status cf_keval_dict_set(struct eval *E, struct value *d, struct value *key, struct value *val, struct cf_loc loc)
{
    if (key->k != V_STR && key->k != V_INT && key->k != V_BOOL && key->k != V_NONE && key->k != V_TUPLE &&
        key->k != V_FLOAT)
        return cf_fail_at(E->d, loc, CLINFER_E_UNSUPPORTED, "a %s as a dict key is outside the subset",
                          cf_value_type_name(key));
    for (int k = 0; k < d->n; k++)
        if (cf_keval_equal(d->items[2 * k], key)) {
            d->items[2 * k + 1] = val;
            return CLINFER_OK;
        }
    if (d->n >= CF_PY_MAX_ITEMS) return cf_fail_at(E->d, loc, CLINFER_E_LIMIT, "a dict of more than %d items", CF_PY_MAX_ITEMS);
    if (d->n >= d->cap) { /* room doubles */
        int cap = d->n * 2 + 4;
        struct value **items = cf_arena_alloc(E->A, sizeof *items * (size_t)(2 * cap));
        if (!items) return cf_fail_oom(E->d);
        if (d->n) memcpy(items, d->items, sizeof *items * (size_t)(2 * d->n));
        d->items = items;
        d->cap = cap;
    }
    d->items[2 * d->n] = key;
    d->items[2 * d->n + 1] = val;
    d->n++;
    return CLINFER_OK;
}

/* The comprehension's clauses from clause c on, in a frame of its own, each element appended to v. */
static clinfer_status comp_clause(struct eval *E, const struct expr *e, int c, struct value *v, int *cap)
{
    clinfer_status st;
    if (c == e->n) {
        if ((st = cf_keval_step(E, e->loc))) return st;
        struct value *x, *y = NULL;
        if ((st = eval_expr(E, e->a, &x)) || (e->op == 'd' && (st = eval_expr(E, e->b, &y)))) return st;
        if (e->op == 'd') return cf_keval_dict_set(E, v, x, y, e->loc);
        if (v->n >= CF_PY_MAX_ITEMS) return cf_fail_at(E->d, e->loc, CLINFER_E_LIMIT, "a list of more than %d items", CF_PY_MAX_ITEMS);
        if (v->n == *cap) {
            *cap = *cap ? *cap * 2 : 8;
            struct value **items = cf_arena_alloc(E->A, sizeof *items * (size_t)*cap);
            if (!items) return cf_fail_oom(E->d);
            if (v->n) memcpy(items, v->items, sizeof *items * (size_t)v->n);
            v->items = items;
        }
        v->items[v->n++] = x;
        return CLINFER_OK;
    }
    const struct comp_clause *cl = &e->comp[c];
    struct value *it, **items;
    int n;
    if ((st = eval_expr(E, cl->iter, &it)) || (st = cf_keval_items(E, it, cl->iter->loc, &items, &n))) return st;
    for (int i = 0; i < n; i++) {
        if ((st = cf_keval_assign(E, cl->target, items[i]))) return st;
        int keep = 1;
        for (int k = 0; k < cl->n_conds && keep; k++) {
            struct value *t;
            if ((st = eval_expr(E, cl->conds[k], &t)) || (st = cf_keval_truth(E, t, cl->conds[k]->loc, &keep))) return st;
        }
        if (keep && (st = comp_clause(E, e, c + 1, v, cap))) return st;
    }
    return CLINFER_OK;
}

static clinfer_status eval_comp(struct eval *E, const struct expr *e, struct value **out)
{
    struct frame f = {.parent = E->frame ? E->frame : &E->globals}, *saved = E->frame;
    struct value *v = cf_keval_new_val(E, e->op == 'd' ? V_DICT : e->op == 'g' ? V_TUPLE : V_LIST, e->loc);
    if (!v) return cf_fail_oom(E->d);
    int cap = 0;
    E->frame = &f;
    clinfer_status st = comp_clause(E, e, 0, v, &cap);
    E->frame = saved;
    if (st) return st;
    *out = v;
    return CLINFER_OK;
}

/* obj[start:stop:step] of a list, tuple or string */
static clinfer_status eval_slice(struct eval *E, const struct value *obj, const struct expr *sl, struct value **out)
{
    clinfer_status st;
    int64_t part[3];
    int given[3];
    for (int k = 0; k < 3; k++) {
        given[k] = 0;
        if (!sl->items[k]) continue;
        struct value *x;
        if ((st = eval_expr(E, sl->items[k], &x))) return st;
        if (x->k == V_NONE) continue;
        if (x->k != V_INT && x->k != V_BOOL)
            return cf_fail_at(E->d, sl->items[k]->loc, CLINFER_E_MODEL, "slice indices must be integers or None, not %s",
                              cf_value_type_name(x));
        part[k] = x->i;
        given[k] = 1;
    }
    if (obj->k != V_LIST && obj->k != V_TUPLE && obj->k != V_STR)
        return cf_fail_at(E->d, sl->loc, CLINFER_E_UNSUPPORTED, "slicing a %s is not supported", cf_value_type_name(obj));
    int64_t len = obj->k == V_STR ? (int64_t)strlen(obj->s) : obj->n, step = given[2] ? part[2] : 1;
    if (step == 0) return cf_fail_at(E->d, sl->loc, CLINFER_E_MODEL, "slice step cannot be zero");
    int64_t lo = step > 0 ? 0 : -1, hi = step > 0 ? len : len - 1; /* Python's clamping */
    int64_t start = step > 0 ? 0 : len - 1, stop = step > 0 ? len : -1;
    for (int k = 0; k < 2; k++) {
        if (!given[k]) continue;
        int64_t x = part[k];
        if (x < 0) x = x < -len ? (step > 0 ? 0 : -1) : x + len;
        else if (x > hi) x = hi;
        if (x < lo) x = lo;
        if (k == 0) start = x;
        else stop = x;
    }
    int64_t count = 0;
    if (step > 0 && stop > start) count = (stop - start + step - 1) / step;
    if (step < 0 && start > stop) count = (start - stop - step - 1) / -step;
    if (obj->k == V_STR) {
        char *t = cf_arena_alloc(E->A, (size_t)count + 1);
        struct value *v = cf_keval_new_val(E, V_STR, sl->loc);
        if (!t || !v) return cf_fail_oom(E->d);
        for (int64_t i = 0; i < count; i++) t[i] = obj->s[start + i * step];
        v->s = t;
        *out = v;
        return CLINFER_OK;
    }
    struct value *v = cf_keval_seq(E, obj->k, (int)count, sl->loc);
    if (!v) return cf_fail_oom(E->d);
    for (int64_t i = 0; i < count; i++) v->items[i] = obj->items[start + i * step];
    *out = v;
    return CLINFER_OK;
}

static clinfer_status compare(struct eval *E, char op, const struct value *a, const struct value *b, struct cf_loc loc,
                              int *out)
{
    switch (op) {
    case '=': *out = cf_keval_equal(a, b); return CLINFER_OK;
    case '!': *out = !cf_keval_equal(a, b); return CLINFER_OK;
    case 's':
    case 'S': { /* is: the same object for None, True, False; equal ints and strings, as CPython's small ones */
        int same = a->k == b->k && (a->k == V_NONE || ((a->k == V_BOOL || a->k == V_INT) && a->i == b->i) ||
                                    (a == b) || (a->k == V_LAYER && a->layer == b->layer) ||
                                    (a->k == V_MODEL && a->model == b->model) ||
                                    (a->k == V_TENSOR && a->tensor == b->tensor));
        *out = op == 's' ? same : !same;
        return CLINFER_OK;
    }
    case 'i':
    case 'n': {
        int found = 0;
        if (b->k == V_STR && a->k == V_STR) {
            found = strstr(b->s, a->s) != NULL;
        } else if (b->k == V_DICT) {
            for (int k = 0; k < b->n && !found; k++) found = cf_keval_equal(b->items[2 * k], a);
        } else if (b->k == V_LIST || b->k == V_TUPLE) {
            for (int k = 0; k < b->n && !found; k++) found = cf_keval_equal(b->items[k], a);
        } else {
            return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "argument of type '%s' is not iterable", cf_value_type_name(b));
        }
        *out = op == 'i' ? found : !found;
        return CLINFER_OK;
    }
    default: {
        int lt = op == '<' || op == 'g' ? cf_keval_less(a, b) : cf_keval_less(b, a);
        if (lt < 0)
            return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "'%s' not supported between instances of '%s' and '%s'",
                              op == '<' ? "<" : op == '>' ? ">" : op == 'l' ? "<=" : ">=", cf_value_type_name(a),
                              cf_value_type_name(b));
        *out = op == '<' || op == '>' ? lt : !lt; /* a <= b is not (b < a); a >= b is not (a < b) */
        return CLINFER_OK;
    }
    }
}

