/* Tokens of the Python subset read by the Keras-script front-end. */
#ifndef CF_KERAS_LEXER_H
#define CF_KERAS_LEXER_H

#include "ast.h"

enum tok_kind { TK_EOF, TK_NEWLINE, TK_INDENT, TK_DEDENT, TK_NAME, TK_INT, TK_FLOAT, TK_STR, TK_FSTR, TK_OP };

struct token {
    enum tok_kind kind;
    struct cf_loc loc;
    const char *text; /* NAME: the identifier; STR: decoded value; FSTR: the f-string's source between its quotes
                         (fields and escapes still in it; loc is its first character's); OP: the operator */
    size_t len;       /* bytes of text */
    int64_t ival;
    double fval;
    int indented;     /* first token of a logical line that starts with whitespace */
};

struct token_list {
    int n;
    struct token *t;
};

/* Splits the whole text into tokens; NEWLINE ends each logical line (brackets and backslashes join lines), INDENT
 * and DEDENT mark where a line's indentation grows and shrinks (Python's rule: a tab goes to the next multiple of 8). */
clinfer_status cf_py_lex(struct cf_arena *arena, const char *file, const char *text, size_t len,
                         struct token_list *out, struct cf_diag *d);

#endif
