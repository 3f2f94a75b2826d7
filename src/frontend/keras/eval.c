/* Evaluator of the Keras-script front-end: runs the statements of the script (calls, expressions, imports) with
 * scope.c's names and model.c's layers and models, and gives the chosen model as graph IR (cf_keras_load). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../passes/passes.h"
#include "../../util/checked.h"
#include "../frontend.h"
#include "eval.h"

static clinfer_status eval_expr(struct eval *E, const struct expr *e, struct value **out);

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
        if (name[0] == 'a') return cf_keval_seq_add(E, M, args[0]);
        if (M->cur >= 0) return CLINFER_OK;
        if (M->n_layers == 0) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "build() on a Sequential model with no layers");
        static const struct arg_spec spec = {"input_shape", AK_BATCH_SHAPE, T_BATCH_SHAPE, 1};
        struct cf_attrs a;
        struct cf_shape shape = {0};
        const struct keras_class *seq = cf_keras_class("Sequential");
        if ((st = cf_keras_apply_arg(seq, &spec, args[0], &a, &shape, E->d))) return st;
        char in_name[160];
        snprintf(in_name, sizeof in_name, "%s_input", M->layers[0]->name);
        if ((st = cf_keval_seq_start(E, M, in_name, &shape, loc))) return st;
        return cf_keval_seq_apply_pending(E, M, 0);
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
        struct value *v = cf_keval_new_val(E, V_TENSOR, e->loc);
        if (!v) return cf_fail_oom(E->d);
        if ((st = cf_keval_apply_layer(E, callee->layer, args[first], &v->tensor))) return st;
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
    case V_OPAQUE:
    case V_MODULE:
        if (callee->k == V_MODULE && callee->mod != MOD_OPAQUE) break;
        *out = cf_keval_new_val(E, V_OPAQUE, e->loc);
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

static clinfer_status eval_expr(struct eval *E, const struct expr *e, struct value **out)
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
        /* the same value, placed where it is used, so messages about an argument point at the argument */
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
        if (!(v = cf_keval_new_val(E, e->kind == EX_TUPLE ? V_TUPLE : V_LIST, e->loc))) break;
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
        v = cf_keval_new_val(E, V_OPAQUE, e->loc);
        break;
    case EX_ATTR: {
        struct value *obj;
        if ((st = eval_expr(E, e->a, &obj))) return st;
        if (obj->k == V_MODULE) return cf_keval_module_attr(E, obj, e->str, e->loc, out);
        if (obj->k == V_OPAQUE) {
            v = cf_keval_new_val(E, V_OPAQUE, e->loc);
            break;
        }
        if (obj->k == V_MODEL) {
            if ((v = cf_keval_new_val(E, V_METHOD, e->loc))) {
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

/* --- statements --- */

static clinfer_status exec_import(struct eval *E, const struct stmt *s)
{
    clinfer_status st;
    for (int i = 0; i < s->n_items; i++) {
        const struct import_item *it = &s->items[i];
        struct value *v = NULL;
        if (it->alias) {
            if ((st = cf_keval_resolve_path(E, it->path, it->loc, 0, &v))) return st;
            if (!cf_keval_bind(E, it->alias, v)) return cf_fail_oom(E->d);
        } else {
            /* import a.b.c binds a */
            const char *dot = strchr(it->path, '.');
            const char *head = dot ? cf_arena_strndup(E->A, it->path, (size_t)(dot - it->path)) : it->path;
            if (!head) return cf_fail_oom(E->d);
            if ((st = cf_keval_resolve_path(E, head, it->loc, 1, &v))) return st;
            if (!cf_keval_bind(E, head, v)) return cf_fail_oom(E->d);
        }
    }
    return CLINFER_OK;
}

static clinfer_status exec_from(struct eval *E, const struct stmt *s)
{
    struct value *m;
    clinfer_status st = cf_keval_resolve_path(E, s->module, s->loc, 0, &m);
    if (st) return st;
    if (m->k != V_MODULE)
        return cf_fail_at(E->d, s->loc, CLINFER_E_MODEL, "'%s' is not a module", s->module);
    if (s->star) {
        if (m->mod != MOD_LAYERS && m->mod != MOD_MODELS && m->mod != MOD_KERAS) return CLINFER_OK;
        for (int i = 0; cf_keras_class_at(i); i++) {
            const struct keras_class *c = cf_keras_class_at(i);
            int in_models = c->kind == K_MODEL || c->kind == K_SEQUENTIAL;
            if ((m->mod == MOD_LAYERS) == in_models && m->mod != MOD_KERAS) continue;
            struct value *v = cf_keval_new_val(E, V_CLASS, s->loc);
            if (!v) return cf_fail_oom(E->d);
            v->cls = c;
            if (!cf_keval_bind(E, c->name, v)) return cf_fail_oom(E->d);
        }
        return CLINFER_OK;
    }
    for (int i = 0; i < s->n_items; i++) {
        struct value *v;
        if ((st = cf_keval_module_attr(E, m, s->items[i].path, s->items[i].loc, &v))) return st;
        if (!cf_keval_bind(E, s->items[i].alias ? s->items[i].alias : s->items[i].path, v)) return cf_fail_oom(E->d);
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
        if (!(v = cf_keval_module_val(E, mods[i].mod, mods[i].name, none)) || !cf_keval_bind(E, mods[i].name, v))
            return cf_fail_oom(E->d);
    static const char *const classes[] = {"Model", "Sequential"};
    for (size_t i = 0; i < 2; i++) {
        if (!(v = cf_keval_new_val(E, V_CLASS, none))) return cf_fail_oom(E->d);
        v->cls = cf_keras_class(classes[i]);
        if (!cf_keval_bind(E, classes[i], v)) return cf_fail_oom(E->d);
    }
    if (!(v = cf_keval_new_val(E, V_FUNC, none))) return cf_fail_oom(E->d);
    v->s = "print";
    return cf_keval_bind(E, "print", v) ? CLINFER_OK : cf_fail_oom(E->d);
}

clinfer_status cf_keras_load(const char *file, const char *text, size_t len, clinfer_style style,
                             struct cf_graph **out, struct cf_diag *d)
{
    struct cf_arena arena = {0};
    struct eval E = {.A = &arena, .file = file, .d = d, .style = style ? style : CLINFER_STYLE_KERAS2};
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
                if (!cf_keval_bind(&E, s->targets[k], v)) st = cf_fail_oom(d);
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
    st = cf_keval_finish_model(&E, M, out);
done:
    cf_graph_free(E.pool);
    cf_arena_free(&arena);
    return st;
}
