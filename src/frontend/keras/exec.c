/* Statements of the Keras-script front-end: assignments (names, tuples unpacked, x.trainable), def and calls of
 * defs (a frame per call; parameters bound as Python binds them), return, if, for, assert, break, continue, imports;
 * and cf_keras_load, which runs a script and gives its model. Every statement, loop iteration and call is a step,
 * and the steps, the calls' nesting and the sizes of what a script makes are bounded (eval.h). */
#include <stdio.h>
#include <string.h>

#include "../../passes/passes.h"
#include "../frontend.h"
#include "eval.h"

clinfer_status cf_keval_room(struct eval *E, struct cf_loc loc)
{
    if (E->A->bytes > CF_PY_MAX_BYTES)
        return cf_fail_at(E->d, loc, CLINFER_E_LIMIT,
                          "the script's values take more than %zu MiB: a model's code does not; is a list too long?",
                          CF_PY_MAX_BYTES >> 20);
    return CLINFER_OK;
}

clinfer_status cf_keval_step(struct eval *E, struct cf_loc loc)
{
    clinfer_status st = cf_keval_room(E, loc);
    if (st) return st;
    if (++E->steps > CF_PY_MAX_STEPS)
        return cf_fail_at(E->d, loc, CLINFER_E_LIMIT,
                          "the script runs more than %d steps (statements, loop iterations and calls): a model's code "
                          "does not; is a loop too long?",
                          CF_PY_MAX_STEPS);
    return CLINFER_OK;
}

clinfer_status cf_keval_assign(struct eval *E, const struct expr *t, struct value *v)
{
    clinfer_status st;
    switch (t->kind) {
    case EX_NAME:
        return cf_keval_bind(E, t->str, v) ? CLINFER_OK : cf_fail_oom(E->d);
    case EX_TUPLE:
    case EX_LIST: {
        struct value **items;
        int n;
        if ((st = cf_keval_items(E, v, t->loc, &items, &n))) return st;
        if (n != t->n)
            return cf_fail_at(E->d, t->loc, CLINFER_E_MODEL, "%s values to unpack (expected %d, got %d)",
                              n > t->n ? "too many" : "not enough", t->n, n);
        for (int i = 0; i < n; i++)
            if ((st = cf_keval_assign(E, t->items[i], items[i]))) return st;
        return CLINFER_OK;
    }
    case EX_ATTR: { /* x.trainable = False: a layer's weights, or every layer's of a model */
        struct value *obj;
        int flag;
        if ((st = cf_keval_expr(E, t->a, &obj)) || (st = cf_keval_truth(E, v, v->loc, &flag))) return st;
        if (obj->k == V_LAYER) {
            obj->layer->trainable = flag;
            if (obj->layer->node >= 0) cf_keval_set_trainable(E, obj->layer->node, flag);
            return CLINFER_OK;
        }
        if (obj->k == V_MODEL) return cf_keval_set_model_trainable(E, obj->model, flag);
        return cf_fail_at(E->d, t->loc, CLINFER_E_UNSUPPORTED, "setting trainable on a %s is outside the subset",
                          cf_value_type_name(obj));
    }
    default:
        return cf_fail_at(E->d, t->loc, CLINFER_E_PARSE, "cannot assign to an expression");
    }
}

/* --- calls of defs --- */

clinfer_status cf_keval_call_user(struct eval *E, const struct value *f, struct value **args, const char **kw, int n,
                                  struct cf_loc loc, struct value **out)
{
    const struct stmt *def = f->fn->def;
    const struct params *ps = &def->params;
    clinfer_status st;
    if ((st = cf_keval_step(E, loc))) return st;
    if (E->calls >= CF_PY_MAX_CALLS)
        return cf_fail_at(E->d, loc, CLINFER_E_LIMIT, "calls of '%s' nested more than %d deep (a recursion without end?)",
                          def->name, CF_PY_MAX_CALLS);
    struct frame *fr = cf_arena_alloc(E->A, sizeof *fr);
    struct value **bound = cf_arena_alloc(E->A, sizeof *bound * (size_t)(ps->n + 1));
    if (!fr || !bound) return cf_fail_oom(E->d);
    fr->parent = f->fn->closure;
    struct value *star = ps->star ? cf_keval_seq(E, V_TUPLE, n, loc) : NULL, *dstar = NULL;
    if (ps->star && !star) return cf_fail_oom(E->d);
    if (star) star->n = 0;
    if (ps->dstar && !(dstar = cf_keval_new_val(E, V_DICT, loc))) return cf_fail_oom(E->d);
    int pos = 0;
    for (int i = 0; i < n; i++) {
        if (!kw[i]) {
            if (pos < ps->n) bound[pos++] = args[i];
            else if (star) star->items[star->n++] = args[i];
            else
                return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "%s() takes %d positional argument%s but more were given",
                                  def->name, ps->n, ps->n == 1 ? "" : "s");
            continue;
        }
        int k = 0;
        while (k < ps->n && strcmp(ps->names[k], kw[i]) != 0) k++;
        if (k < ps->n) {
            if (bound[k])
                return cf_fail_at(E->d, args[i]->loc, CLINFER_E_MODEL, "%s() got multiple values for argument '%s'",
                                  def->name, kw[i]);
            bound[k] = args[i];
        } else if (dstar) {
            struct value *key = cf_keval_new_val(E, V_STR, loc);
            if (!key) return cf_fail_oom(E->d);
            key->s = kw[i];
            if ((st = cf_keval_dict_set(E, dstar, key, args[i], loc))) return st;
        } else {
            return cf_fail_at(E->d, args[i]->loc, CLINFER_E_MODEL, "%s() got an unexpected keyword argument '%s'",
                              def->name, kw[i]);
        }
    }
    struct frame *saved = E->frame;
    E->frame = fr;
    for (int k = 0; k < ps->n; k++) {
        if (!bound[k]) bound[k] = f->fn->defaults[k];
        if (!bound[k]) {
            E->frame = saved;
            return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "%s() missing required argument '%s'", def->name, ps->names[k]);
        }
        if (!cf_keval_bind(E, ps->names[k], bound[k])) st = cf_fail_oom(E->d);
    }
    if (!st && star && !cf_keval_bind(E, ps->star, star)) st = cf_fail_oom(E->d);
    if (!st && dstar && !cf_keval_bind(E, ps->dstar, dstar)) st = cf_fail_oom(E->d);
    int loops = E->loops;
    E->calls++;
    E->loops = 0;
    if (!st) st = cf_keval_block(E, &def->body);
    E->calls--;
    E->loops = loops;
    E->frame = saved;
    if (st) return st;
    struct value *r = E->ctl == CTL_RETURN && E->ret ? E->ret : cf_keval_new_val(E, V_NONE, loc);
    E->ctl = CTL_NONE;
    E->ret = NULL;
    if (!r) return cf_fail_oom(E->d);
    *out = r;
    return CLINFER_OK;
}

static clinfer_status exec_def(struct eval *E, const struct stmt *s)
{
    struct value *v = cf_keval_new_val(E, V_USERFN, s->loc);
    struct func *fn = cf_arena_alloc(E->A, sizeof *fn);
    struct value **defaults = cf_arena_alloc(E->A, sizeof *defaults * (size_t)(s->params.n + 1));
    if (!v || !fn || !defaults) return cf_fail_oom(E->d);
    for (int k = 0; k < s->params.n; k++) {
        clinfer_status st;
        if (s->params.defaults[k] && (st = cf_keval_expr(E, s->params.defaults[k], &defaults[k]))) return st;
    }
    fn->def = s;
    fn->closure = E->frame ? E->frame : &E->globals;
    fn->defaults = defaults;
    v->fn = fn;
    return cf_keval_bind(E, s->name, v) ? CLINFER_OK : cf_fail_oom(E->d);
}

/* --- imports --- */

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


/* --- blocks --- */

static clinfer_status exec_stmt(struct eval *E, const struct stmt *s)
{
    clinfer_status st;
    struct value *v;
    if ((st = cf_keval_step(E, s->loc))) return st;
    switch (s->kind) {
    case ST_IMPORT: return exec_import(E, s);
    case ST_FROM: return exec_from(E, s);
    case ST_PASS: return CLINFER_OK;
    case ST_EXPR: return cf_keval_expr(E, s->value, &v);
    case ST_ASSIGN:
        if ((st = cf_keval_expr(E, s->value, &v))) return st;
        for (int k = 0; k < s->n_targets; k++)
            if ((st = cf_keval_assign(E, s->lhs[k], v))) return st;
        return CLINFER_OK;
    case ST_AUG: {
        struct value *cur, *x;
        if ((st = cf_keval_expr(E, s->lhs[0], &cur)) || (st = cf_keval_expr(E, s->value, &x)) ||
            (st = cf_keval_binop(E, s->op, cur, x, s->loc, &v)))
            return st;
        return cf_keval_assign(E, s->lhs[0], v);
    }
    case ST_DEF: return exec_def(E, s);
    case ST_RETURN:
        if (!E->calls) return cf_fail_at(E->d, s->loc, CLINFER_E_PARSE, "'return' outside a function");
        E->ret = NULL;
        if (s->value && (st = cf_keval_expr(E, s->value, &E->ret))) return st;
        E->ctl = CTL_RETURN;
        return CLINFER_OK;
    case ST_IF: {
        int t;
        if ((st = cf_keval_expr(E, s->value, &v)) || (st = cf_keval_truth(E, v, s->value->loc, &t))) return st;
        return cf_keval_block(E, t ? &s->body : &s->orelse);
    }
    case ST_FOR: {
        struct value **items;
        int n;
        if ((st = cf_keval_expr(E, s->value, &v)) || (st = cf_keval_items(E, v, s->value->loc, &items, &n))) return st;
        E->loops++;
        for (int i = 0; i < n && !st; i++) {
            if ((st = cf_keval_step(E, s->loc)) || (st = cf_keval_assign(E, s->lhs[0], items[i])) ||
                (st = cf_keval_block(E, &s->body)))
                break;
            if (E->ctl == CTL_BREAK) {
                E->ctl = CTL_NONE;
                break;
            }
            if (E->ctl == CTL_CONTINUE) E->ctl = CTL_NONE;
            if (E->ctl == CTL_RETURN) break;
        }
        E->loops--;
        return st;
    }
    case ST_BREAK:
    case ST_CONTINUE:
        if (!E->loops)
            return cf_fail_at(E->d, s->loc, CLINFER_E_PARSE, "'%s' outside a loop",
                              s->kind == ST_BREAK ? "break" : "continue");
        E->ctl = s->kind == ST_BREAK ? CTL_BREAK : CTL_CONTINUE;
        return CLINFER_OK;
    case ST_ASSERT: {
        int t;
        if ((st = cf_keval_expr(E, s->value, &v)) || (st = cf_keval_truth(E, v, s->value->loc, &t))) return st;
        if (t) return CLINFER_OK;
        const char *msg = "";
        if (s->msg) {
            struct value *m;
            if ((st = cf_keval_expr(E, s->msg, &m)) || (st = cf_keval_str(E, m, 0, s->msg->loc, &msg))) return st;
        }
        return cf_fail_at(E->d, s->loc, CLINFER_E_MODEL, "AssertionError%s%s", *msg ? ": " : "", msg);
    }
    }
    return CLINFER_OK;
}

clinfer_status cf_keval_block(struct eval *E, const struct block *b)
{
    for (int i = 0; i < b->n; i++) {
        clinfer_status st = exec_stmt(E, b->stmts[i]);
        if (st) return st;
        if (E->ctl != CTL_NONE) return CLINFER_OK; /* a return, break or continue leaves the block */
    }
    return CLINFER_OK;
}

/* --- the script --- */

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
    if (!cf_keval_bind(E, "print", v)) return cf_fail_oom(E->d);
    static const char *const builtins[] = {"len", "min", "max", "int", "float", "round", "abs", "sum", "range",
                                           "enumerate", "zip", "reversed", "list", "tuple", "str", "bool", "dict",
                                           "isinstance", "sorted", "any", "all", NULL};
    for (int i = 0; builtins[i]; i++)
        if (!(v = cf_keval_builtin(E, builtins[i], none)) || !cf_keval_bind(E, builtins[i], v)) return cf_fail_oom(E->d);
    return CLINFER_OK;
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
    struct block top = {prog.n, prog.stmts};
    if ((st = cf_keval_block(&E, &top))) goto done;
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
