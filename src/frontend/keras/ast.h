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
    EX_BINOP   /* a op b, op in + - * / // % ** */
};

struct expr {
    enum ex_kind kind;
    struct cf_loc loc;
    int64_t ival;
    double fval;
    const char *str; /* name, attribute, string value */
    size_t slen;     /* length of a string value */
    char op;         /* binop: '+', '-', '*', '/', 'f' (//), '%', 'p' (**) */
    struct expr *a, *b;
    int n;
    struct expr **items;
    const char **kw;
};

enum st_kind {
    ST_EXPR,    /* an expression statement */
    ST_ASSIGN,  /* targets[0..n_targets) = value */
    ST_IMPORT,  /* import path [as alias] */
    ST_FROM,    /* from path import name [as alias] | * */
    ST_PASS
};

struct import_item {
    const char *path;  /* dotted module path (import) or name (from-import) */
    const char *alias; /* NULL: none */
    struct cf_loc loc;
};

struct stmt {
    enum st_kind kind;
    struct cf_loc loc;
    struct expr *value;
    int n_targets;
    const char **targets;
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
