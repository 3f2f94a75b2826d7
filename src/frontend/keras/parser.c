/* Parser for the Python subset that defines Keras models: imports, assignments (to names, tuples of names and
 * x.trainable), augmented assignments, expression statements, def, return, if/elif/else, for, assert, pass, break,
 * continue; expressions with calls (*args, **kwargs), attributes, indexing and slicing, tuples, lists, dicts,
 * comprehensions, literals, f-strings, arithmetic, comparisons, and, or, not, and conditional expressions. Whatever
 * else Python has is an error that names it and its place. */
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
    case TK_INDENT: return "an indented line";
    case TK_DEDENT: return "the end of the block";
    case TK_FSTR: return "an f-string";
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
static clinfer_status parse_or_test(struct parser *P, struct expr **out);
static clinfer_status parse_binary(struct parser *P, int level, struct expr **out);
static clinfer_status parse_comp(struct parser *P, char kind, struct expr *elt, struct expr *val, struct cf_loc loc,
                                 const char *close, struct expr **out);

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

/* Items up to the closing bracket; sets *saw_comma for tuple detection. allow_kw: a call's arguments (name=value,
 * **mapping); *x is allowed in every display. A single item followed by 'for' is a comprehension: *comp is set to
 * it (and the closing bracket consumed). */
static clinfer_status parse_items(struct parser *P, const char *close, int allow_kw, struct elist *l, int *saw_comma,
                                  char comp_kind, struct expr **comp)
{
    clinfer_status st;
    *saw_comma = 0;
    if (comp) *comp = NULL;
    int seen_kw = 0;
    while (!is_op(cur(P), close)) {
        const char *kw = NULL;
        struct cf_loc loc = cur(P)->loc;
        struct expr *e;
        if (is_op(cur(P), "*") || is_op(cur(P), "**")) {
            int dstar = is_op(cur(P), "**");
            if (dstar && !allow_kw)
                return cf_fail_at(P->d, loc, CLINFER_E_UNSUPPORTED, "'**' unpacks a mapping only in a call's arguments");
            P->i++;
            struct expr *x;
            if ((st = parse_or_test(P, &x))) return st;
            if (!(e = new_expr(P, dstar ? EX_DSTAR : EX_STAR, loc))) return cf_fail_oom(P->d);
            e->a = x;
            if (dstar) seen_kw = 1;
            else if (seen_kw)
                return cf_fail_at(P->d, loc, CLINFER_E_PARSE, "iterable argument unpacking follows keyword argument");
        } else {
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
            if ((st = parse_expr(P, &e))) return st;
        }
        if (is_name(cur(P), "for")) {
            if (!comp || l->n || kw || e->kind == EX_STAR || e->kind == EX_DSTAR)
                return cf_fail_at(P->d, cur(P)->loc, CLINFER_E_PARSE,
                                  "a comprehension must be the only item in its brackets");
            return parse_comp(P, comp_kind, e, NULL, loc, close, comp);
        }
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

/* A comprehension's clauses after its element (elt, and val for a dict's), up to and with the closing bracket. */
static clinfer_status parse_comp(struct parser *P, char kind, struct expr *elt, struct expr *val, struct cf_loc loc,
                                 const char *close, struct expr **out)
{
    clinfer_status st;
    struct expr *e = new_expr(P, EX_COMP, loc);
    if (!e) return cf_fail_oom(P->d);
    e->op = kind;
    e->a = elt;
    e->b = val;
    int cap = 0;
    while (is_name(cur(P), "for")) {
        P->i++;
        if (e->n == cap) {
            cap = cap ? cap * 2 : 2;
            struct comp_clause *c = cf_arena_alloc(P->arena, sizeof *c * (size_t)cap);
            if (!c) return cf_fail_oom(P->d);
            if (e->n) memcpy(c, e->comp, sizeof *c * (size_t)e->n);
            e->comp = c;
        }
        struct comp_clause *c = &e->comp[e->n++];
        memset(c, 0, sizeof *c);
        /* the target: names and tuples of them, up to 'in' */
        struct elist t = {0};
        for (;;) {
            struct expr *x;
            if ((st = parse_binary(P, 0, &x))) return st;
            if (!elist_push(P, &t, x, NULL)) return cf_fail_oom(P->d);
            if (!is_op(cur(P), ",")) break;
            P->i++;
        }
        if (t.n == 1) {
            c->target = t.items[0];
        } else {
            if (!(c->target = new_expr(P, EX_TUPLE, t.items[0]->loc))) return cf_fail_oom(P->d);
            c->target->n = t.n;
            c->target->items = t.items;
        }
        if (!is_name(cur(P), "in")) return unexpected(P, "'in'");
        P->i++;
        if ((st = parse_or_test(P, &c->iter))) return st;
        struct elist conds = {0};
        while (is_name(cur(P), "if")) {
            P->i++;
            struct expr *x;
            if ((st = parse_or_test(P, &x))) return st;
            if (!elist_push(P, &conds, x, NULL)) return cf_fail_oom(P->d);
        }
        c->n_conds = conds.n;
        c->conds = conds.items;
    }
    if ((st = expect_op(P, close))) return st;
    *out = e;
    return CLINFER_OK;
}

/* An f-string's source (the token's text) into parts: strings and fields, each field's expression parsed from its
 * own tokens, placed where it is in the file. */
static clinfer_status parse_fstring(struct parser *P, const struct token *t, struct expr **out)
{
    struct expr *e = new_expr(P, EX_FSTR, t->loc);
    if (!e) return cf_fail_oom(P->d);
    struct elist parts = {0};
    const char *s = t->text;
    size_t n = t->len, i = 0;
    char *lit = cf_arena_alloc(P->arena, n + 1);
    if (!lit) return cf_fail_oom(P->d);
    size_t ln = 0;
    struct cf_loc at = t->loc;
    while (i <= n) {
        if (i == n || (s[i] == '{' && s[i + 1] != '{')) { /* the literal so far ends */
            if (ln) {
                struct expr *x = new_expr(P, EX_STR, at);
                char *copy = cf_arena_strndup(P->arena, lit, ln);
                if (!x || !copy) return cf_fail_oom(P->d);
                x->str = copy;
                x->slen = ln;
                if (!elist_push(P, &parts, x, NULL)) return cf_fail_oom(P->d);
                ln = 0;
            }
            if (i == n) break;
            /* a field: up to its '}' at depth 0, outside strings */
            size_t j = i + 1, depth = 0;
            char q = 0;
            for (; j < n; j++) {
                char c = s[j];
                if (q) {
                    if (c == q) q = 0;
                } else if (c == '\'' || c == '"') {
                    q = c;
                } else if (strchr("([{", c)) {
                    depth++;
                } else if (strchr(")]", c) || (c == '}' && depth)) {
                    depth--;
                } else if ((c == '}' || c == '!' || c == ':') && depth == 0) {
                    if (c != '!' || (j + 1 < n && s[j + 1] != '=')) break;
                }
            }
            struct cf_loc floc = {t->loc.file, t->loc.line, t->loc.col + (int)i};
            if (j >= n) return cf_fail_at(P->d, floc, CLINFER_E_PARSE, "f-string: '{' was never closed");
            size_t expr_end = j;
            char conv = 0;
            const char *spec = "";
            if (s[j] == '!') {
                if (j + 1 >= n || (s[j + 1] != 'r' && s[j + 1] != 's'))
                    return cf_fail_at(P->d, floc, CLINFER_E_UNSUPPORTED, "f-string: a conversion is !r or !s");
                conv = s[j + 1];
                j += 2;
            }
            if (j < n && s[j] == ':') {
                size_t k = j + 1;
                while (k < n && s[k] != '}') {
                    if (s[k] == '{')
                        return cf_fail_at(P->d, floc, CLINFER_E_UNSUPPORTED,
                                          "f-string: nested fields in a format spec are not supported");
                    k++;
                }
                if (!(spec = cf_arena_strndup(P->arena, s + j + 1, k - j - 1))) return cf_fail_oom(P->d);
                j = k;
            }
            if (j >= n || s[j] != '}') return cf_fail_at(P->d, floc, CLINFER_E_PARSE, "f-string: expected '}'");
            /* the field's expression, lexed on its own and moved to its place on the line */
            struct parser sub = {.arena = P->arena, .d = P->d, .depth = P->depth};
            clinfer_status st = cf_py_lex(P->arena, t->loc.file, s + i + 1, expr_end - i - 1, &sub.tl, P->d);
            if (st) return st;
            for (int k = 0; k < sub.tl.n; k++) {
                if (sub.tl.t[k].loc.line == 1) sub.tl.t[k].loc.col += t->loc.col + (int)i;
                sub.tl.t[k].loc.line += t->loc.line - 1;
            }
            if (sub.tl.t[0].kind == TK_NEWLINE || sub.tl.t[0].kind == TK_EOF)
                return cf_fail_at(P->d, floc, CLINFER_E_PARSE, "f-string: empty expression not allowed");
            struct expr *fe = new_expr(P, EX_FIELD, floc), *x;
            if (!fe) return cf_fail_oom(P->d);
            if ((st = parse_expr(&sub, &x))) return st;
            if (cur(&sub)->kind != TK_NEWLINE && cur(&sub)->kind != TK_EOF) return unexpected(&sub, "'}'");
            fe->a = x;
            fe->op = conv;
            fe->str = spec;
            if (!elist_push(P, &parts, fe, NULL)) return cf_fail_oom(P->d);
            i = j + 1;
            at = (struct cf_loc){t->loc.file, t->loc.line, t->loc.col + (int)i};
            continue;
        }
        if (s[i] == '{' || s[i] == '}') { /* {{ and }} */
            if (s[i] == '}' && s[i + 1] != '}') {
                struct cf_loc bl = {t->loc.file, t->loc.line, t->loc.col + (int)i};
                return cf_fail_at(P->d, bl, CLINFER_E_PARSE, "f-string: single '}' is not allowed");
            }
            lit[ln++] = s[i];
            i += 2;
            continue;
        }
        if (s[i] == '\\' && i + 1 < n) {
            char c = s[i + 1];
            lit[ln++] = c == 'n' ? '\n' : c == 't' ? '\t' : c;
            if (!strchr("nt\\'\"", c)) lit[ln - 1] = '\\', lit[ln++] = c;
            i += 2;
            continue;
        }
        lit[ln++] = s[i++];
    }
    e->n = parts.n;
    e->items = parts.items;
    *out = e;
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
    case TK_FSTR:
        if ((st = parse_fstring(P, t, &e))) return st;
        P->i++;
        break;
    case TK_NAME: {
        static const char *const reserved[] = {"def", "class", "for", "while", "if", "elif", "else", "with", "return",
                                               "try", "except", "finally", "raise", "del", "global",
                                               "nonlocal", "yield", "assert", "async", "await", "and", "or", "not",
                                               "in", "is", "import", "from", "as", "pass", "break", "continue", NULL};
        if (strcmp(t->text, "lambda") == 0)
            return cf_fail_at(P->d, t->loc, CLINFER_E_UNSUPPORTED,
                              "'lambda' is outside the Python subset clinfer reads (the code that defines a Keras "
                              "model): write a def, or a Lambda layer's work as layers");
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
            struct expr *comp;
            if ((st = parse_items(P, paren ? ")" : "]", 0, &l, &comma, paren ? 'g' : 'l', &comp))) return st;
            if (comp) {
                e = comp;
            } else if (paren && l.n == 1 && !comma && l.items[0]->kind != EX_STAR) {
                e = l.items[0];
            } else {
                if (!(e = new_expr(P, paren ? EX_TUPLE : EX_LIST, loc))) return cf_fail_oom(P->d);
                e->n = l.n;
                e->items = l.items;
            }
            break;
        }
        if (is_op(t, "{")) {
            /* {key: value, ...}, kept as a list of pairs ({**m}: the pair (NULL, m)); {k: v for ...} */
            struct cf_loc loc = t->loc;
            P->i++;
            struct elist l = {0};
            while (!is_op(cur(P), "}")) {
                struct expr *k = NULL, *v;
                if (is_op(cur(P), "**")) {
                    P->i++;
                    if ((st = parse_or_test(P, &v))) return st;
                } else {
                    if ((st = parse_expr(P, &k))) return st;
                    if (!is_op(cur(P), ":"))
                        return cf_fail_at(P->d, cur(P)->loc, CLINFER_E_UNSUPPORTED,
                                          "sets are outside the Python subset clinfer reads; use a list");
                    P->i++;
                    if ((st = parse_expr(P, &v))) return st;
                }
                if (k && l.n == 0 && is_name(cur(P), "for")) return parse_comp(P, 'd', k, v, loc, "}", out);
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
            struct expr *comp;
            st = parse_items(P, ")", 1, &l, &comma, 'g', &comp);
            P->depth--;
            if (st) return st;
            if (comp) { /* f(x for x in xs): the generator is the one argument */
                if (!elist_push(P, &l, comp, NULL)) return cf_fail_oom(P->d);
            }
            c->a = e;
            c->n = l.n;
            c->items = l.items;
            c->kw = l.kw;
            e = c;
        } else if (is_op(t, "[")) {
            struct expr *x = new_expr(P, EX_INDEX, e->loc);
            if (!x) return cf_fail_oom(P->d);
            P->i++;
            /* a[i], or a slice a[start:stop:step] with any part left out */
            struct expr *part[3] = {NULL, NULL, NULL};
            int colons = 0;
            struct cf_loc sl = cur(P)->loc;
            for (;;) {
                if (!is_op(cur(P), ":") && !is_op(cur(P), "]") && (st = parse_expr(P, &part[colons]))) return st;
                if (!is_op(cur(P), ":") || colons == 2) break;
                colons++;
                P->i++;
            }
            if (is_op(cur(P), ","))
                return cf_fail_at(P->d, cur(P)->loc, CLINFER_E_UNSUPPORTED,
                                  "indexing with several indices (a[i, j]) is outside the subset; index one at a time");
            if ((st = expect_op(P, "]"))) return st;
            if (colons) {
                struct expr *sx = new_expr(P, EX_SLICE, sl);
                struct expr **items = cf_arena_alloc(P->arena, sizeof *items * 3);
                if (!sx || !items) return cf_fail_oom(P->d);
                memcpy(items, part, sizeof part);
                sx->items = items;
                sx->n = 3;
                x->b = sx;
            } else {
                if (!part[0]) return cf_fail_at(P->d, sl, CLINFER_E_PARSE, "expected an index");
                x->b = part[0];
            }
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

static int depth_in(struct parser *P)
{
    if (++P->depth > MAX_DEPTH) {
        P->depth--;
        cf_fail_at(P->d, cur(P)->loc, CLINFER_E_LIMIT, "expression nested more than %d deep", MAX_DEPTH);
        return 0;
    }
    return 1;
}

/* a < b <= c, a in b, a not in b, a is None, a is not None */
static clinfer_status parse_comparison(struct parser *P, struct expr **out)
{
    clinfer_status st = parse_binary(P, 0, out);
    if (st) return st;
    struct elist l = {0};
    char ops[64];
    int n_ops = 0;
    for (;;) {
        const struct token *t = cur(P);
        char op = 0;
        int len = 1;
        if (is_op(t, "<")) op = '<';
        else if (is_op(t, ">")) op = '>';
        else if (is_op(t, "<=")) op = 'l';
        else if (is_op(t, ">=")) op = 'g';
        else if (is_op(t, "==")) op = '=';
        else if (is_op(t, "!=")) op = '!';
        else if (is_name(t, "in")) op = 'i';
        else if (is_name(t, "not") && is_name(&P->tl.t[P->i + 1], "in")) op = 'n', len = 2;
        else if (is_name(t, "is")) {
            op = 's';
            if (is_name(&P->tl.t[P->i + 1], "not")) op = 'S', len = 2;
        }
        if (!op) break;
        if (n_ops == (int)sizeof ops - 1) return cf_fail_at(P->d, t->loc, CLINFER_E_LIMIT, "too long a comparison chain");
        if (!l.n && !elist_push(P, &l, *out, NULL)) return cf_fail_oom(P->d);
        P->i += len;
        struct expr *x;
        if ((st = parse_binary(P, 0, &x))) return st;
        if (!elist_push(P, &l, x, NULL)) return cf_fail_oom(P->d);
        ops[n_ops++] = op;
    }
    if (!n_ops) return CLINFER_OK;
    struct expr *e = new_expr(P, EX_COMPARE, (*out)->loc);
    char *o = cf_arena_strndup(P->arena, ops, (size_t)n_ops);
    if (!e || !o) return cf_fail_oom(P->d);
    e->n = l.n;
    e->items = l.items;
    e->ops = o;
    *out = e;
    return CLINFER_OK;
}

static clinfer_status parse_not(struct parser *P, struct expr **out)
{
    if (!is_name(cur(P), "not")) return parse_comparison(P, out);
    struct cf_loc loc = cur(P)->loc;
    P->i++;
    if (!depth_in(P)) return P->d->status;
    struct expr *x;
    clinfer_status st = parse_not(P, &x);
    P->depth--;
    if (st) return st;
    struct expr *e = new_expr(P, EX_NOT, loc);
    if (!e) return cf_fail_oom(P->d);
    e->a = x;
    *out = e;
    return CLINFER_OK;
}

/* level 0: or, 1: and */
static clinfer_status parse_bool(struct parser *P, int level, struct expr **out)
{
    clinfer_status st = level ? parse_not(P, out) : parse_bool(P, 1, out);
    if (st) return st;
    const char *word = level ? "and" : "or";
    while (is_name(cur(P), word)) {
        P->i++;
        struct expr *e = new_expr(P, EX_BOOLOP, (*out)->loc);
        if (!e) return cf_fail_oom(P->d);
        e->op = level ? '&' : '|';
        e->a = *out;
        if ((st = level ? parse_not(P, &e->b) : parse_bool(P, 1, &e->b))) return st;
        *out = e;
    }
    return CLINFER_OK;
}

static clinfer_status parse_or_test(struct parser *P, struct expr **out)
{
    if (!depth_in(P)) return P->d->status;
    clinfer_status st = parse_bool(P, 0, out);
    P->depth--;
    return st;
}

/* x if c else y, or an or_test */
static clinfer_status parse_expr(struct parser *P, struct expr **out)
{
    if (!depth_in(P)) return P->d->status;
    clinfer_status st = parse_bool(P, 0, out);
    if (!st && is_name(cur(P), "if")) {
        struct expr *e = new_expr(P, EX_COND, (*out)->loc);
        if (!e) {
            P->depth--;
            return cf_fail_oom(P->d);
        }
        P->i++;
        e->a = *out;
        if (!(st = parse_bool(P, 0, &e->c))) {
            if (!is_name(cur(P), "else")) st = unexpected(P, "'else' (a conditional expression is a if c else b)");
            else {
                P->i++;
                st = parse_expr(P, &e->b);
            }
        }
        *out = e;
    }
    P->depth--;
    return st;
}

/* a, b, c (a tuple when there is a comma) */
static clinfer_status parse_exprlist(struct parser *P, struct expr **out)
{
    clinfer_status st;
    struct elist l = {0};
    struct cf_loc loc = cur(P)->loc;
    int comma = 0;
    for (;;) {
        struct expr *x;
        if (is_op(cur(P), "*")) {
            struct cf_loc sl = cur(P)->loc;
            P->i++;
            struct expr *y;
            if ((st = parse_or_test(P, &y))) return st;
            if (!(x = new_expr(P, EX_STAR, sl))) return cf_fail_oom(P->d);
            x->a = y;
        } else if ((st = parse_expr(P, &x))) {
            return st;
        }
        if (!elist_push(P, &l, x, NULL)) return cf_fail_oom(P->d);
        if (!is_op(cur(P), ",")) break;
        comma = 1;
        P->i++;
        const struct token *t = cur(P);
        if (t->kind == TK_NEWLINE || t->kind == TK_EOF || is_op(t, "=") || is_op(t, ";") || is_op(t, ")")) break;
    }
    if (!comma && l.items[0]->kind != EX_STAR) {
        *out = l.items[0];
        return CLINFER_OK;
    }
    struct expr *e = new_expr(P, EX_TUPLE, loc);
    if (!e) return cf_fail_oom(P->d);
    e->n = l.n;
    e->items = l.items;
    *out = e;
    return CLINFER_OK;
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

static clinfer_status parse_block(struct parser *P, struct block *b);
static clinfer_status parse_stmt(struct parser *P, struct stmt **out);

/* An assignment's or a for's target: a name, x.trainable, or a tuple or list of targets. */
static clinfer_status check_target(struct parser *P, const struct expr *e, int in_for)
{
    switch (e->kind) {
    case EX_NAME: return CLINFER_OK;
    case EX_TUPLE:
    case EX_LIST:
        for (int i = 0; i < e->n; i++) {
            if (e->items[i]->kind == EX_STAR)
                return cf_fail_at(P->d, e->items[i]->loc, CLINFER_E_UNSUPPORTED,
                                  "starred targets (a, *rest = ...) are outside the subset");
            clinfer_status st = check_target(P, e->items[i], in_for);
            if (st) return st;
        }
        return CLINFER_OK;
    case EX_ATTR:
        if (!in_for && strcmp(e->str, "trainable") == 0) return CLINFER_OK;
        return cf_fail_at(P->d, e->loc, CLINFER_E_UNSUPPORTED,
                          "assigning to the attribute '%s' is outside the subset (only x.trainable = ... is read)",
                          e->str);
    case EX_INDEX:
        return cf_fail_at(P->d, e->loc, CLINFER_E_UNSUPPORTED,
                          "assigning to an item (x[i] = ...) is outside the subset; build a new list");
    default:
        return cf_fail_at(P->d, e->loc, CLINFER_E_PARSE, "cannot assign to an expression here");
    }
}

static int push_stmt(struct parser *P, struct block *b, int *cap, struct stmt *s)
{
    if (b->n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        struct stmt **p = cf_arena_alloc(P->arena, sizeof *p * (size_t)*cap);
        if (!p) return 0;
        if (b->n) memcpy(p, b->stmts, sizeof *p * (size_t)b->n);
        b->stmts = p;
    }
    b->stmts[b->n++] = s;
    return 1;
}

/* def name(a, b=1, *args, c=2, **kwargs): */
static clinfer_status parse_params(struct parser *P, struct params *ps)
{
    clinfer_status st;
    if ((st = expect_op(P, "("))) return st;
    int cap = 0, defaults = 0;
    while (!is_op(cur(P), ")")) {
        const struct token *t = cur(P);
        if (is_op(t, "*") || is_op(t, "**")) {
            int dstar = is_op(t, "**");
            P->i++;
            if (cur(P)->kind != TK_NAME) {
                if (!dstar && is_op(cur(P), ","))
                    return cf_fail_at(P->d, t->loc, CLINFER_E_UNSUPPORTED,
                                      "keyword-only parameters after a bare '*' are outside the subset");
                return unexpected(P, "a parameter name");
            }
            if (dstar) ps->dstar = cur(P)->text;
            else if (ps->star || ps->dstar) return cf_fail_at(P->d, t->loc, CLINFER_E_PARSE, "'*' parameter repeated");
            else ps->star = cur(P)->text;
            P->i++;
        } else if (is_op(t, "/")) {
            return cf_fail_at(P->d, t->loc, CLINFER_E_UNSUPPORTED, "positional-only parameters ('/') are outside the subset");
        } else {
            if (t->kind != TK_NAME) return unexpected(P, "a parameter name");
            if (ps->dstar) return cf_fail_at(P->d, t->loc, CLINFER_E_PARSE, "a parameter after **%s", ps->dstar);
            if (ps->star)
                return cf_fail_at(P->d, t->loc, CLINFER_E_UNSUPPORTED,
                                  "keyword-only parameters (after *%s) are outside the subset", ps->star);
            for (int k = 0; k < ps->n; k++)
                if (strcmp(ps->names[k], t->text) == 0)
                    return cf_fail_at(P->d, t->loc, CLINFER_E_PARSE, "duplicate parameter '%s'", t->text);
            if (ps->n == cap) {
                cap = cap ? cap * 2 : 4;
                const char **nm = cf_arena_alloc(P->arena, sizeof *nm * (size_t)cap);
                struct expr **df = cf_arena_alloc(P->arena, sizeof *df * (size_t)cap);
                if (!nm || !df) return cf_fail_oom(P->d);
                if (ps->n) {
                    memcpy(nm, ps->names, sizeof *nm * (size_t)ps->n);
                    memcpy(df, ps->defaults, sizeof *df * (size_t)ps->n);
                }
                ps->names = nm;
                ps->defaults = df;
            }
            ps->names[ps->n] = t->text;
            ps->defaults[ps->n] = NULL;
            P->i++;
            if (is_op(cur(P), ":")) {
                P->i++;
                struct expr *ann;
                if ((st = parse_expr(P, &ann))) return st; /* an annotation: read, ignored */
            }
            if (is_op(cur(P), "=")) {
                P->i++;
                if ((st = parse_expr(P, &ps->defaults[ps->n]))) return st;
                defaults = 1;
            } else if (defaults) {
                return cf_fail_at(P->d, t->loc, CLINFER_E_PARSE, "parameter '%s' without a default follows one with a default",
                                  t->text);
            }
            ps->n++;
        }
        if (is_op(cur(P), ",")) P->i++;
        else if (!is_op(cur(P), ")")) return unexpected(P, "',' or ')'");
    }
    P->i++;
    if (is_op(cur(P), "->")) {
        P->i++;
        struct expr *ann;
        if ((st = parse_expr(P, &ann))) return st;
    }
    return CLINFER_OK;
}

/* if/elif: the condition, the block, and what follows (elif as an if alone in orelse, or else) */
static clinfer_status parse_if(struct parser *P, struct stmt *s)
{
    clinfer_status st;
    s->kind = ST_IF;
    P->i++;
    if ((st = parse_expr(P, &s->value)) || (st = parse_block(P, &s->body))) return st;
    if (is_name(cur(P), "elif")) {
        struct stmt *e = cf_arena_alloc(P->arena, sizeof *e);
        if (!e) return cf_fail_oom(P->d);
        e->loc = cur(P)->loc;
        if ((st = parse_if(P, e))) return st;
        int cap = 0;
        if (!push_stmt(P, &s->orelse, &cap, e)) return cf_fail_oom(P->d);
    } else if (is_name(cur(P), "else")) {
        P->i++;
        if ((st = parse_block(P, &s->orelse))) return st;
    }
    return CLINFER_OK;
}

/* The statements after a compound statement's ':': an indented block, or simple statements on the same line. */
static clinfer_status parse_block(struct parser *P, struct block *b)
{
    clinfer_status st;
    if ((st = expect_op(P, ":"))) return st;
    int cap = 0;
    memset(b, 0, sizeof *b);
    if (cur(P)->kind != TK_NEWLINE) { /* if x: y = 1 */
        struct stmt *s;
        int line = cur(P)->loc.line;
        do {
            if ((st = parse_stmt(P, &s))) return st;
            if (!push_stmt(P, b, &cap, s)) return cf_fail_oom(P->d);
        } while (cur(P)->loc.line == line && cur(P)->kind != TK_EOF && cur(P)->kind != TK_DEDENT &&
                 P->tl.t[P->i - 1].kind != TK_NEWLINE);
        return CLINFER_OK;
    }
    P->i++;
    if (cur(P)->kind != TK_INDENT) return unexpected(P, "an indented block");
    P->i++;
    if (++P->depth > MAX_DEPTH)
        return cf_fail_at(P->d, cur(P)->loc, CLINFER_E_LIMIT, "blocks nested more than %d deep", MAX_DEPTH);
    while (cur(P)->kind != TK_DEDENT && cur(P)->kind != TK_EOF) {
        if (cur(P)->kind == TK_NEWLINE) {
            P->i++;
            continue;
        }
        struct stmt *s;
        if ((st = parse_stmt(P, &s))) return st;
        if (!push_stmt(P, b, &cap, s)) return cf_fail_oom(P->d);
    }
    P->depth--;
    if (cur(P)->kind == TK_DEDENT) P->i++;
    return CLINFER_OK;
}

static clinfer_status outside(struct parser *P, const struct token *t, const char *what)
{
    return cf_fail_at(P->d, t->loc, CLINFER_E_UNSUPPORTED,
                      "'%s' is outside the Python subset clinfer reads (the code that defines a Keras model)%s", t->text,
                      what);
}

static clinfer_status parse_stmt(struct parser *P, struct stmt **out)
{
    const struct token *t = cur(P);
    clinfer_status st;
    struct stmt *s = cf_arena_alloc(P->arena, sizeof *s);
    if (!s) return cf_fail_oom(P->d);
    s->loc = t->loc;
    *out = s;
    if (t->kind == TK_INDENT) return cf_fail_at(P->d, t->loc, CLINFER_E_PARSE, "unexpected indent");
    /* compound statements */
    if (is_name(t, "def")) {
        P->i++;
        if (cur(P)->kind != TK_NAME) return unexpected(P, "the function's name");
        s->kind = ST_DEF;
        s->name = cur(P)->text;
        P->i++;
        if ((st = parse_params(P, &s->params))) return st;
        return parse_block(P, &s->body);
    }
    if (is_name(t, "if")) return parse_if(P, s);
    if (is_name(t, "for")) {
        P->i++;
        s->kind = ST_FOR;
        struct elist l = {0};
        for (;;) {
            struct expr *x;
            if ((st = parse_binary(P, 0, &x))) return st;
            if (!elist_push(P, &l, x, NULL)) return cf_fail_oom(P->d);
            if (!is_op(cur(P), ",")) break;
            P->i++;
            if (is_name(cur(P), "in")) break;
        }
        struct expr *target = l.items[0];
        if (l.n > 1) {
            if (!(target = new_expr(P, EX_TUPLE, l.items[0]->loc))) return cf_fail_oom(P->d);
            target->n = l.n;
            target->items = l.items;
        }
        if ((st = check_target(P, target, 1))) return st;
        if (!(s->lhs = cf_arena_alloc(P->arena, sizeof *s->lhs))) return cf_fail_oom(P->d);
        s->lhs[0] = target;
        s->n_targets = 1;
        if (!is_name(cur(P), "in")) return unexpected(P, "'in'");
        P->i++;
        if ((st = parse_exprlist(P, &s->value)) || (st = parse_block(P, &s->body))) return st;
        if (is_name(cur(P), "else")) return outside(P, cur(P), ": a for loop's else");
        return CLINFER_OK;
    }
    if (is_name(t, "while")) return outside(P, t, "; loop with for over a list or range()");
    if (is_name(t, "class")) return outside(P, t, "; define the model with the functional API or Sequential");
    if (is_name(t, "with") || is_name(t, "try") || is_name(t, "async") || is_name(t, "global") ||
        is_name(t, "nonlocal") || is_name(t, "del") || is_name(t, "raise") || is_name(t, "yield"))
        return outside(P, t, "");
    if (is_op(t, "@")) return cf_fail_at(P->d, t->loc, CLINFER_E_UNSUPPORTED, "decorators are outside the Python subset clinfer reads");
    if (is_name(t, "elif") || is_name(t, "else"))
        return cf_fail_at(P->d, t->loc, CLINFER_E_PARSE, "'%s' without an if before it", t->text);
    /* simple statements */
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
    } else if (is_name(t, "pass") || is_name(t, "break") || is_name(t, "continue")) {
        s->kind = t->text[0] == 'p' ? ST_PASS : t->text[0] == 'b' ? ST_BREAK : ST_CONTINUE;
        P->i++;
    } else if (is_name(t, "return")) {
        P->i++;
        s->kind = ST_RETURN;
        if (cur(P)->kind != TK_NEWLINE && cur(P)->kind != TK_EOF && cur(P)->kind != TK_DEDENT && !is_op(cur(P), ";") &&
            (st = parse_exprlist(P, &s->value)))
            return st;
    } else if (is_name(t, "assert")) {
        P->i++;
        s->kind = ST_ASSERT;
        if ((st = parse_expr(P, &s->value))) return st;
        if (is_op(cur(P), ",")) {
            P->i++;
            if ((st = parse_expr(P, &s->msg))) return st;
        }
    } else {
        struct expr *e;
        if ((st = parse_exprlist(P, &e))) return st;
        if (is_op(cur(P), "=")) {
            s->kind = ST_ASSIGN;
            int cap = 0;
            while (is_op(cur(P), "=")) {
                if ((st = check_target(P, e, 0))) return st;
                if (s->n_targets == cap) {
                    cap = cap ? cap * 2 : 2;
                    struct expr **p = cf_arena_alloc(P->arena, sizeof *p * (size_t)cap);
                    if (!p) return cf_fail_oom(P->d);
                    if (s->n_targets) memcpy(p, s->lhs, sizeof *p * (size_t)s->n_targets);
                    s->lhs = p;
                }
                s->lhs[s->n_targets++] = e;
                P->i++;
                if ((st = parse_exprlist(P, &e))) return st;
            }
        } else if (cur(P)->kind == TK_OP && cur(P)->len >= 2 && cur(P)->text[cur(P)->len - 1] == '=' &&
                   !is_op(cur(P), "==") && !is_op(cur(P), "<=") && !is_op(cur(P), ">=") && !is_op(cur(P), "!=")) {
            static const char *const aug[] = {"+=", "-=", "*=", "/=", "//=", "%=", "**=", NULL};
            static const char codes[] = "+-*/f%p";
            const char *op = cur(P)->text;
            int k = 0;
            while (aug[k] && strcmp(aug[k], op) != 0) k++;
            if (!aug[k])
                return cf_fail_at(P->d, cur(P)->loc, CLINFER_E_UNSUPPORTED, "augmented assignment '%s' is outside the subset",
                                  op);
            if (e->kind != EX_NAME)
                return cf_fail_at(P->d, e->loc, CLINFER_E_UNSUPPORTED, "augmented assignment to anything but a name");
            s->kind = ST_AUG;
            s->op = codes[k];
            if (!(s->lhs = cf_arena_alloc(P->arena, sizeof *s->lhs))) return cf_fail_oom(P->d);
            s->lhs[0] = e;
            s->n_targets = 1;
            P->i++;
            if ((st = parse_exprlist(P, &e))) return st;
        } else if (is_op(cur(P), ":") && e->kind == EX_NAME) {
            return cf_fail_at(P->d, cur(P)->loc, CLINFER_E_UNSUPPORTED, "annotated assignments are outside the subset");
        } else {
            s->kind = ST_EXPR;
        }
        s->value = e;
    }
    if (is_op(cur(P), ";")) {
        P->i++;
        if (cur(P)->kind != TK_NEWLINE && cur(P)->kind != TK_EOF) return CLINFER_OK; /* the next one follows */
    }
    if (cur(P)->kind == TK_NEWLINE) {
        P->i++;
    } else if (cur(P)->kind != TK_EOF && cur(P)->kind != TK_DEDENT) {
        if (is_op(cur(P), ":"))
            return cf_fail_at(P->d, cur(P)->loc, CLINFER_E_UNSUPPORTED, "unexpected ':' after a simple statement");
        return unexpected(P, "the end of the statement");
    }
    return CLINFER_OK;
}

clinfer_status cf_py_parse(struct cf_arena *arena, const char *file, const char *text, size_t len,
                           struct program *out, struct cf_diag *d)
{
    struct parser P = {.arena = arena, .d = d};
    clinfer_status st = cf_py_lex(arena, file, text, len, &P.tl, d);
    if (st) return st;
    struct block b = {0};
    int cap = 0;
    while (cur(&P)->kind != TK_EOF) {
        if (cur(&P)->kind == TK_NEWLINE) {
            P.i++;
            continue;
        }
        struct stmt *s = NULL;
        if ((st = parse_stmt(&P, &s))) return st;
        if (!push_stmt(&P, &b, &cap, s)) return cf_fail_oom(d);
    }
    out->n = b.n;
    out->stmts = b.stmts;
    return CLINFER_OK;
}
