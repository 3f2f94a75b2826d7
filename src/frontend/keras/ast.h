/* The Keras-script front-end's syntax tree: the subset of Python that defines Keras models. */
#ifndef CF_KERAS_AST_H
#define CF_KERAS_AST_H

#include <stdint.h>

#include "../../util/alloc.h"
#include "../../util/diag.h"

enum ex_kind {
    EX_NAME, EX_INT, EX_FLOAT, EX_STR, EX_NONE, EX_TRUE, EX_FALSE,
    EX_TUPLE, EX_LIST,
    EX_DICT,   /* {k: v}: items alternate keys and values */
    EX_ATTR,   /* a.str */
    EX_CALL,   /* a(items...), kw[i] names keyword arguments, NULL for positional */
    EX_INDEX,  /* a[b] */
    EX_NEG,    /* -a */
    EX_BINOP,  /* a op b, op in + - * / // % ** */
    EX_NOT,    /* not a */
    EX_BOOLOP, /* a and b (op '&'), a or b (op '|') */
    EX_COMPARE,/* items[0] ops[0] items[1] ops[1] ... (chained); ops: '<' '>' 'l' (<=) 'g' (>=) '=' (==) '!' (!=)
                  'i' (in) 'n' (not in) 's' (is) 'S' (is not) */
    EX_COND,   /* a if c else b */
    EX_SLICE,  /* a[items[0]:items[1]:items[2]] (each NULL when left out) */
    EX_COMP,   /* a comprehension: [a for ...] (op 'l'), (a for ...) (op 'g'), {a: b for ...} (op 'd'); its clauses in
                  comp[0..n) */
    EX_FSTR,   /* f'...': items are the parts, strings (EX_STR) and fields (EX_FIELD) */
    EX_FIELD,  /* an f-string's {a!conv:spec}: op the conversion ('r', 's' or 0), str the spec (may be "") */
    EX_STAR,   /* *a (in a call's arguments, a list or tuple display) */
    EX_DSTAR   /* **a (in a call's arguments) */
};

/* for target in iter if cond ... */
struct comp_clause {
    struct expr *target, *iter;
    int n_conds;
    struct expr **conds;
};

struct expr {
    enum ex_kind kind;
    struct cf_loc loc;
    int64_t ival;
    double fval;
    const char *str; /* name, attribute, string value */
    size_t slen;     /* length of a string value */
    char op;         /* binop: '+', '-', '*', '/', 'f' (//), '%', 'p' (**) */
    struct expr *a, *b, *c;
    int n;
    struct expr **items;
    const char **kw;
    const char *ops;           /* EX_COMPARE: n - 1 operators */
    struct comp_clause *comp;  /* EX_COMP: n clauses */
};

enum st_kind {
    ST_EXPR,    /* an expression statement */
    ST_ASSIGN,  /* lhs[0..n_targets) = value: each a name, a tuple or list of targets, or x.trainable */
    ST_AUG,     /* lhs[0] op= value (a name) */
    ST_IMPORT,  /* import path [as alias] */
    ST_FROM,    /* from path import name [as alias] | * */
    ST_PASS,
    ST_DEF,     /* def name(params): body */
    ST_RETURN,  /* return [value] */
    ST_IF,      /* if value: body else: orelse (elif: an ST_IF alone in orelse) */
    ST_FOR,     /* for lhs[0] in value: body */
    ST_ASSERT,  /* assert value[, msg] */
    ST_BREAK,
    ST_CONTINUE
};

struct block {
    int n;
    struct stmt **stmts;
};

/* def's parameters: names[0..n) (defaults[i] NULL: none), then *star and **dstar (NULL: none) */
struct params {
    int n;
    const char **names;
    struct expr **defaults;
    const char *star, *dstar;
};

struct import_item {
    const char *path;  /* dotted module path (import) or name (from-import) */
    const char *alias; /* NULL: none */
    struct cf_loc loc;
};

struct stmt {
    enum st_kind kind;
    struct cf_loc loc;
    struct expr *value, *msg;
    int n_targets;
    struct expr **lhs;
    char op;            /* ST_AUG: as EX_BINOP's */
    const char *name;   /* ST_DEF */
    struct params params;
    struct block body, orelse;
    const char *module; /* ST_FROM */
    int n_items;        /* ST_IMPORT, ST_FROM; 0 with star=1 for "from m import *" */
    int star;
    struct import_item *items;
};

struct program {
    int n;
    struct stmt **stmts;
};

/* Parses a whole script into the arena. On failure the diagnostic names file:line:col. */
clinfer_status cf_py_parse(struct cf_arena *arena, const char *file, const char *text, size_t len,
                           struct program *out, struct cf_diag *d);

#endif
