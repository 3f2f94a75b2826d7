/* Parser for the Python subset that defines Keras models: imports, assignments, expression statements;
 * expressions with calls, attributes, indexing, tuples, lists, literals and + - * / // % **. */
#include <stdio.h>
#include <string.h>

#include "lexer.h"

#define MAX_DEPTH 200 /* nesting of expressions; deeper input gets an error, never a stack overflow */

struct parser {
    struct cf_arena *arena;
    struct token_list tl;
    int i, depth;
    struct cf_diag *d;
};

static const struct token *cur(struct parser *P) { return &P->tl.t[P->i]; }
static int is_op(const struct token *t, const char *op) { return t->kind == TK_OP && strcmp(t->text, op) == 0; }
static int is_name(const struct token *t, const char *n) { return t->kind == TK_NAME && strcmp(t->text, n) == 0; }

static const char *describe(const struct token *t)
{
    switch (t->kind) {
    case TK_EOF: return "the end of the file";
    case TK_NEWLINE: return "the end of the line";
    case TK_NAME: return "a name";
    case TK_INT: case TK_FLOAT: return "a number";
    case TK_STR: return "a string";
    case TK_OP: return "an operator";
    }
    return "?";
}

static clinfer_status unexpected(struct parser *P, const char *wanted)
{
    const struct token *t = cur(P);
    if (t->kind == TK_OP || t->kind == TK_NAME)
        return cf_fail_at(P->d, t->loc, CLINFER_E_PARSE, "expected %s, found '%s'", wanted, t->text);
    return cf_fail_at(P->d, t->loc, CLINFER_E_PARSE, "expected %s, found %s", wanted, describe(t));
}

static clinfer_status expect_op(struct parser *P, const char *op)
{
    if (!is_op(cur(P), op)) {
        char w[16];
        snprintf(w, sizeof w, "'%s'", op);
        return unexpected(P, w);
    }
    P->i++;
    return CLINFER_OK;
}

static struct expr *new_expr(struct parser *P, enum ex_kind k, struct cf_loc loc)
{
    struct expr *e = cf_arena_alloc(P->arena, sizeof *e);
    if (e) {
        e->kind = k;
        e->loc = loc;
    }
    return e;
}

static clinfer_status parse_expr(struct parser *P, struct expr **out);

/* A growable list of expressions (and keyword names) built in the arena. */
struct elist {
    int n, cap;
    struct expr **items;
    const char **kw;
};

static int elist_push(struct parser *P, struct elist *l, struct expr *e, const char *kw)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 4;
        struct expr **items = cf_arena_alloc(P->arena, sizeof *items * (size_t)cap);
        const char **kws = cf_arena_alloc(P->arena, sizeof *kws * (size_t)cap);
        if (!items || !kws) return 0;
        if (l->n) {
            memcpy(items, l->items, sizeof *items * (size_t)l->n);
            memcpy(kws, l->kw, sizeof *kws * (size_t)l->n);
        }
        l->items = items;
        l->kw = kws;
        l->cap = cap;
    }
    l->items[l->n] = e;
    l->kw[l->n] = kw;
    l->n++;
    return 1;
}

/* Items up to the closing bracket; sets *trailing_comma / *saw_comma for tuple detection. */
static clinfer_status parse_items(struct parser *P, const char *close, int allow_kw, struct elist *l, int *saw_comma)
{
    clinfer_status st;
    *saw_comma = 0;
    int seen_kw = 0;
    while (!is_op(cur(P), close)) {
        const char *kw = NULL;
        struct cf_loc loc = cur(P)->loc;
        if (is_op(cur(P), "*") || is_op(cur(P), "**"))
            return cf_fail_at(P->d, loc, CLINFER_E_UNSUPPORTED, "argument unpacking with '%s' is not supported",
                              cur(P)->text);
        if (allow_kw && cur(P)->kind == TK_NAME && is_op(&P->tl.t[P->i + 1], "=")) {
            kw = cur(P)->text;
            for (int k = 0; k < l->n; k++)
                if (l->kw[k] && strcmp(l->kw[k], kw) == 0)
                    return cf_fail_at(P->d, loc, CLINFER_E_PARSE, "keyword argument '%s' repeated", kw);
            P->i += 2;
            seen_kw = 1;
        } else if (seen_kw) {
            return cf_fail_at(P->d, loc, CLINFER_E_PARSE, "positional argument follows keyword argument");
        }
        struct expr *e;
        if ((st = parse_expr(P, &e))) return st;
        if (is_name(cur(P), "for"))
            return cf_fail_at(P->d, cur(P)->loc, CLINFER_E_UNSUPPORTED,
                              "comprehensions are not supported; write the items out");
        if (!elist_push(P, l, e, kw)) return cf_fail_oom(P->d);
        if (is_op(cur(P), ",")) {
            *saw_comma = 1;
            P->i++;
            continue;
        }
        if (!is_op(cur(P), close)) {
            char w[32];
            snprintf(w, sizeof w, "',' or '%s'", close);
            return unexpected(P, w);
        }
    }
    P->i++;
    return CLINFER_OK;
}

static clinfer_status parse_atom(struct parser *P, struct expr **out)
{
    const struct token *t = cur(P);
    struct expr *e = NULL;
    clinfer_status st;
    switch (t->kind) {
    case TK_INT:
        if (!(e = new_expr(P, EX_INT, t->loc))) return cf_fail_oom(P->d);
        e->ival = t->ival;
        P->i++;
        break;
    case TK_FLOAT:
        if (!(e = new_expr(P, EX_FLOAT, t->loc))) return cf_fail_oom(P->d);
        e->fval = t->fval;
        P->i++;
        break;
    case TK_STR: {
        if (!(e = new_expr(P, EX_STR, t->loc))) return cf_fail_oom(P->d);
        /* adjacent literals concatenate */
        size_t total = 0;
        int j = P->i;
        while (P->tl.t[j].kind == TK_STR) total += P->tl.t[j++].len;
        char *s = cf_arena_alloc(P->arena, total + 1);
        if (!s) return cf_fail_oom(P->d);
        size_t n = 0;
        while (cur(P)->kind == TK_STR) {
            memcpy(s + n, cur(P)->text, cur(P)->len);
            n += cur(P)->len;
            P->i++;
        }
        e->str = s;
        e->slen = n;
        break;
    }
    case TK_NAME: {
        static const char *const reserved[] = {"def", "class", "for", "while", "if", "elif", "else", "with", "return",
                                               "lambda", "try", "except", "finally", "raise", "del", "global",
                                               "nonlocal", "yield", "assert", "async", "await", "and", "or", "not",
                                               "in", "is", "import", "from", "as", "pass", "break", "continue", NULL};
        for (int k = 0; reserved[k]; k++)
            if (strcmp(t->text, reserved[k]) == 0)
                return cf_fail_at(P->d, t->loc, CLINFER_E_UNSUPPORTED,
                                  "'%s' is outside the Python subset clinfer reads (the code that defines a Keras model)",
                                  t->text);
        enum ex_kind k = EX_NAME;
        if (strcmp(t->text, "None") == 0) k = EX_NONE;
        else if (strcmp(t->text, "True") == 0) k = EX_TRUE;
        else if (strcmp(t->text, "False") == 0) k = EX_FALSE;
        if (!(e = new_expr(P, k, t->loc))) return cf_fail_oom(P->d);
        e->str = t->text;
        P->i++;
        break;
    }
    case TK_OP:
        if (is_op(t, "(") || is_op(t, "[")) {
            int paren = is_op(t, "(");
            struct cf_loc loc = t->loc;
            P->i++;
            struct elist l = {0};
            int comma;
            if ((st = parse_items(P, paren ? ")" : "]", 0, &l, &comma))) return st;
            if (paren && l.n == 1 && !comma) {
                e = l.items[0];
            } else {
                if (!(e = new_expr(P, paren ? EX_TUPLE : EX_LIST, loc))) return cf_fail_oom(P->d);
                e->n = l.n;
                e->items = l.items;
            }
            break;
        }
        if (is_op(t, "{")) {
            /* {key: value, ...}: only ever an ignored argument (compile(loss={...})), kept as a list of pairs */
            struct cf_loc loc = t->loc;
            P->i++;
            struct elist l = {0};
            while (!is_op(cur(P), "}")) {
                struct expr *k, *v;
                if ((st = parse_expr(P, &k)) || (st = expect_op(P, ":")) || (st = parse_expr(P, &v))) return st;
                if (!elist_push(P, &l, k, NULL) || !elist_push(P, &l, v, NULL)) return cf_fail_oom(P->d);
                if (is_op(cur(P), ",")) P->i++;
                else if (!is_op(cur(P), "}")) return unexpected(P, "',' or '}'");
            }
            P->i++;
            if (!(e = new_expr(P, EX_DICT, loc))) return cf_fail_oom(P->d);
            e->n = l.n;
            e->items = l.items;
            break;
        }
        return unexpected(P, "an expression");
    default:
        return unexpected(P, "an expression");
    }
    *out = e;
    return CLINFER_OK;
}

static clinfer_status parse_postfix(struct parser *P, struct expr **out)
{
    clinfer_status st;
    struct expr *e = NULL;
    if ((st = parse_atom(P, &e))) return st;
    for (;;) {
        const struct token *t = cur(P);
        if (is_op(t, ".")) {
            P->i++;
            if (cur(P)->kind != TK_NAME) return unexpected(P, "an attribute name after '.'");
            struct expr *a = new_expr(P, EX_ATTR, e->loc);
            if (!a) return cf_fail_oom(P->d);
            a->a = e;
            a->str = cur(P)->text;
            P->i++;
            e = a;
        } else if (is_op(t, "(")) {
            struct expr *c = new_expr(P, EX_CALL, e->loc);
            if (!c) return cf_fail_oom(P->d);
            P->i++;
            struct elist l = {0};
            int comma;
            if (++P->depth > MAX_DEPTH)
                return cf_fail_at(P->d, t->loc, CLINFER_E_LIMIT, "expression nested more than %d deep", MAX_DEPTH);
            st = parse_items(P, ")", 1, &l, &comma);
            P->depth--;
            if (st) return st;
            c->a = e;
            c->n = l.n;
            c->items = l.items;
            c->kw = l.kw;
            e = c;
        } else if (is_op(t, "[")) {
            struct expr *x = new_expr(P, EX_INDEX, e->loc);
            if (!x) return cf_fail_oom(P->d);
            P->i++;
            if ((st = parse_expr(P, &x->b)) || (st = expect_op(P, "]"))) return st;
            x->a = e;
            e = x;
        } else {
            break;
        }
    }
    *out = e;
    return CLINFER_OK;
}

static clinfer_status parse_binary(struct parser *P, int level, struct expr **out);

static clinfer_status parse_unary(struct parser *P, struct expr **out)
{
    const struct token *t = cur(P);
    if (is_op(t, "-") || is_op(t, "+")) {
        int neg = is_op(t, "-");
        struct cf_loc loc = t->loc;
        P->i++;
        if (++P->depth > MAX_DEPTH)
            return cf_fail_at(P->d, loc, CLINFER_E_LIMIT, "expression nested more than %d deep", MAX_DEPTH);
        struct expr *x;
        clinfer_status st = parse_unary(P, &x);
        P->depth--;
        if (st) return st;
        if (!neg) {
            *out = x;
            return CLINFER_OK;
        }
        struct expr *e = new_expr(P, EX_NEG, loc);
        if (!e) return cf_fail_oom(P->d);
        e->a = x;
        *out = e;
        return CLINFER_OK;
    }
    clinfer_status st = parse_postfix(P, out);
    if (st) return st;
    if (is_op(cur(P), "**")) { /* right-associative, binds tighter than unary minus on its left */
        struct expr *e = new_expr(P, EX_BINOP, (*out)->loc);
        if (!e) return cf_fail_oom(P->d);
        P->i++;
        e->op = 'p';
        e->a = *out;
        if (++P->depth > MAX_DEPTH)
            return cf_fail_at(P->d, e->loc, CLINFER_E_LIMIT, "expression nested more than %d deep", MAX_DEPTH);
        st = parse_unary(P, &e->b);
        P->depth--;
        if (st) return st;
        *out = e;
    }
    return CLINFER_OK;
}

/* level 0: + -   level 1: * / // % */
static clinfer_status parse_binary(struct parser *P, int level, struct expr **out)
{
    clinfer_status st = level == 1 ? parse_unary(P, out) : parse_binary(P, 1, out);
    if (st) return st;
    for (;;) {
        const struct token *t = cur(P);
        char op = 0;
        if (level == 0 && (is_op(t, "+") || is_op(t, "-"))) op = t->text[0];
        if (level == 1 && (is_op(t, "*") || is_op(t, "/") || is_op(t, "%"))) op = t->text[0];
        if (level == 1 && is_op(t, "//")) op = 'f';
        if (!op) return CLINFER_OK;
        P->i++;
        struct expr *e = new_expr(P, EX_BINOP, (*out)->loc);
        if (!e) return cf_fail_oom(P->d);
        e->op = op;
        e->a = *out;
        if ((st = level == 1 ? parse_unary(P, &e->b) : parse_binary(P, 1, &e->b))) return st;
        *out = e;
    }
}

static clinfer_status parse_expr(struct parser *P, struct expr **out)
{
    if (++P->depth > MAX_DEPTH) {
        P->depth--;
        return cf_fail_at(P->d, cur(P)->loc, CLINFER_E_LIMIT, "expression nested more than %d deep", MAX_DEPTH);
    }
    clinfer_status st = parse_binary(P, 0, out);
    P->depth--;
    return st;
}

/* dotted.module.path */
static clinfer_status parse_dotted(struct parser *P, const char **out)
{
    if (cur(P)->kind != TK_NAME) return unexpected(P, "a module name");
    size_t cap = 256, n = 0;
    char *s = cf_arena_alloc(P->arena, cap);
    if (!s) return cf_fail_oom(P->d);
    for (;;) {
        const struct token *t = cur(P);
        if (n + t->len + 2 >= cap) return cf_fail_at(P->d, t->loc, CLINFER_E_LIMIT, "module path too long");
        memcpy(s + n, t->text, t->len);
        n += t->len;
        P->i++;
        if (!is_op(cur(P), ".")) break;
        P->i++;
        s[n++] = '.';
        if (cur(P)->kind != TK_NAME) return unexpected(P, "a module name after '.'");
    }
    s[n] = '\0';
    *out = s;
    return CLINFER_OK;
}

static clinfer_status parse_import_items(struct parser *P, struct stmt *s, int dotted)
{
    clinfer_status st;
    int paren = !dotted && is_op(cur(P), "(");
    if (paren) P->i++;
    int cap = 0;
    for (;;) {
        if (paren && is_op(cur(P), ")")) break;
        struct import_item it = {.loc = cur(P)->loc};
        if (dotted) {
            if ((st = parse_dotted(P, &it.path))) return st;
        } else {
            if (cur(P)->kind != TK_NAME) return unexpected(P, "a name to import");
            it.path = cur(P)->text;
            P->i++;
        }
        if (is_name(cur(P), "as")) {
            P->i++;
            if (cur(P)->kind != TK_NAME) return unexpected(P, "a name after 'as'");
            it.alias = cur(P)->text;
            P->i++;
        }
        if (s->n_items == cap) {
            cap = cap ? cap * 2 : 4;
            struct import_item *p = cf_arena_alloc(P->arena, sizeof *p * (size_t)cap);
            if (!p) return cf_fail_oom(P->d);
            if (s->n_items) memcpy(p, s->items, sizeof *p * (size_t)s->n_items);
            s->items = p;
        }
        s->items[s->n_items++] = it;
        if (!is_op(cur(P), ",")) break;
        P->i++;
    }
    if (paren) return expect_op(P, ")");
    return CLINFER_OK;
}

static clinfer_status parse_stmt(struct parser *P, struct stmt **out)
{
    const struct token *t = cur(P);
    clinfer_status st;
    struct stmt *s = cf_arena_alloc(P->arena, sizeof *s);
    if (!s) return cf_fail_oom(P->d);
    s->loc = t->loc;
    if (t->indented)
        return cf_fail_at(P->d, t->loc, CLINFER_E_PARSE,
                          "unexpected indent (clinfer reads top-level model code; blocks such as def and for are not "
                          "supported)");
    if (is_name(t, "import")) {
        P->i++;
        s->kind = ST_IMPORT;
        if ((st = parse_import_items(P, s, 1))) return st;
    } else if (is_name(t, "from")) {
        P->i++;
        s->kind = ST_FROM;
        if ((st = parse_dotted(P, &s->module))) return st;
        if (!is_name(cur(P), "import")) return unexpected(P, "'import'");
        P->i++;
        if (is_op(cur(P), "*")) {
            s->star = 1;
            P->i++;
        } else if ((st = parse_import_items(P, s, 0))) {
            return st;
        }
    } else if (is_name(t, "pass")) {
        P->i++;
        s->kind = ST_PASS;
    } else {
        struct expr *e;
        if ((st = parse_expr(P, &e))) return st;
        if (is_op(cur(P), "=")) {
            s->kind = ST_ASSIGN;
            int cap = 0;
            while (is_op(cur(P), "=")) {
                if (e->kind != EX_NAME) {
                    if (e->kind == EX_TUPLE || e->kind == EX_LIST)
                        return cf_fail_at(P->d, e->loc, CLINFER_E_UNSUPPORTED,
                                          "assignment to several names at once is not supported; assign one name per "
                                          "statement");
                    return cf_fail_at(P->d, e->loc, CLINFER_E_UNSUPPORTED, "can only assign to a plain name here");
                }
                if (s->n_targets == cap) {
                    cap = cap ? cap * 2 : 2;
                    const char **p = cf_arena_alloc(P->arena, sizeof *p * (size_t)cap);
                    if (!p) return cf_fail_oom(P->d);
                    if (s->n_targets) memcpy(p, s->targets, sizeof *p * (size_t)s->n_targets);
                    s->targets = p;
                }
                s->targets[s->n_targets++] = e->str;
                P->i++;
                if ((st = parse_expr(P, &e))) return st;
            }
        } else if (cur(P)->kind == TK_OP && strlen(cur(P)->text) == 2 && cur(P)->text[1] == '=' &&
                   !is_op(cur(P), "==")) {
            return cf_fail_at(P->d, cur(P)->loc, CLINFER_E_UNSUPPORTED, "augmented assignment '%s' is not supported",
                              cur(P)->text);
        } else {
            s->kind = ST_EXPR;
        }
        s->value = e;
    }
    if (is_op(cur(P), ";")) {
        P->i++;
        if (cur(P)->kind != TK_NEWLINE && cur(P)->kind != TK_EOF) {
            /* several statements on one line: the next one is parsed as its own statement */
            *out = s;
            return CLINFER_OK;
        }
    }
    if (cur(P)->kind == TK_NEWLINE) {
        P->i++;
    } else if (cur(P)->kind != TK_EOF) {
        if (is_op(cur(P), ":"))
            return cf_fail_at(P->d, cur(P)->loc, CLINFER_E_UNSUPPORTED,
                              "blocks (a ':' after a statement) are not supported");
        return unexpected(P, "the end of the statement");
    }
    *out = s;
    return CLINFER_OK;
}

clinfer_status cf_py_parse(struct cf_arena *arena, const char *file, const char *text, size_t len,
                           struct program *out, struct cf_diag *d)
{
    struct parser P = {.arena = arena, .d = d};
    clinfer_status st = cf_py_lex(arena, file, text, len, &P.tl, d);
    if (st) return st;
    int cap = 0;
    out->n = 0;
    out->stmts = NULL;
    while (cur(&P)->kind != TK_EOF) {
        if (cur(&P)->kind == TK_NEWLINE) {
            P.i++;
            continue;
        }
        struct stmt *s = NULL;
        if ((st = parse_stmt(&P, &s))) return st;
        if (out->n == cap) {
            cap = cap ? cap * 2 : 32;
            struct stmt **p = cf_arena_alloc(arena, sizeof *p * (size_t)cap);
            if (!p) return cf_fail_oom(d);
            if (out->n) memcpy(p, out->stmts, sizeof *p * (size_t)out->n);
            out->stmts = p;
        }
        out->stmts[out->n++] = s;
    }
    return CLINFER_OK;
}
