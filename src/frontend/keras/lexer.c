/* Lexer for the Python subset: names, numbers, strings, operators; comments and blank lines dropped. */
#include "lexer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/alloc.h"

#define MAX_INDENT 101 /* indentation levels (Python's own limit is 100) */

struct lexer {
    struct cf_arena *arena;
    const char *file, *s;
    size_t len, pos;
    int line, col, depth; /* depth: open brackets */
    struct token *t;
    int n, cap;
    struct cf_diag *d;
};

static struct cf_loc here(const struct lexer *L) { return (struct cf_loc){L->file, L->line, L->col}; }

static int push(struct lexer *L, struct token tk)
{
    if (L->n == L->cap) {
        int cap = L->cap ? L->cap * 2 : 256;
        struct token *p = cf_arena_alloc(L->arena, sizeof *p * (size_t)cap);
        if (!p) return 0;
        if (L->n) memcpy(p, L->t, sizeof *p * (size_t)L->n);
        L->t = p;
        L->cap = cap;
    }
    L->t[L->n++] = tk;
    return 1;
}

static void advance(struct lexer *L)
{
    if (L->s[L->pos] == '\n') {
        L->line++;
        L->col = 1;
    } else if (((unsigned char)L->s[L->pos] & 0xC0) != 0x80) {
        L->col++; /* columns count characters, not UTF-8 continuation bytes */
    }
    L->pos++;
}

static int at_end(const struct lexer *L) { return L->pos >= L->len; }
static char peek(const struct lexer *L, size_t k) { return L->pos + k < L->len ? L->s[L->pos + k] : '\0'; }
static int is_id_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_id(char c) { return is_id_start(c) || is_digit(c); }

static clinfer_status lex_number(struct lexer *L)
{
    struct cf_loc loc = here(L);
    char buf[128];
    size_t n = 0;
    int is_float = 0, hex = 0;
    if (peek(L, 0) == '0' && (peek(L, 1) == 'x' || peek(L, 1) == 'X')) {
        hex = 1;
        buf[n++] = '0';
        buf[n++] = 'x';
        advance(L);
        advance(L);
    }
    while (!at_end(L)) {
        char c = peek(L, 0);
        if (c == '_') {
            advance(L);
            continue;
        }
        int ok = hex ? (is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
                     : (is_digit(c) || c == '.' || c == 'e' || c == 'E' ||
                        ((c == '+' || c == '-') && n > 0 && (buf[n - 1] == 'e' || buf[n - 1] == 'E')));
        if (!ok) break;
        if (!hex && (c == '.' || c == 'e' || c == 'E')) is_float = 1;
        if (n + 1 >= sizeof buf) return cf_fail_at(L->d, loc, CLINFER_E_LIMIT, "number literal is too long");
        buf[n++] = c;
        advance(L);
    }
    buf[n] = '\0';
    if (is_id_start(peek(L, 0)))
        return cf_fail_at(L->d, here(L), CLINFER_E_PARSE, "invalid number literal '%s%c'", buf, peek(L, 0));
    struct token tk = {.kind = is_float ? TK_FLOAT : TK_INT, .loc = loc};
    char *end;
    errno = 0;
    if (is_float) {
        tk.fval = strtod(buf, &end);
        if (*end) return cf_fail_at(L->d, loc, CLINFER_E_PARSE, "invalid number literal '%s'", buf);
    } else {
        long long v = strtoll(buf, &end, hex ? 16 : 10);
        if (errno == ERANGE)
            return cf_fail_at(L->d, loc, CLINFER_E_LIMIT, "integer literal %s is too large", buf);
        if (*end || (n > 1 && !hex && buf[0] == '0' && strspn(buf, "0") != n))
            return cf_fail_at(L->d, loc, CLINFER_E_PARSE, "invalid number literal '%s'", buf);
        tk.ival = v;
    }
    return push(L, tk) ? CLINFER_OK : cf_fail_oom(L->d);
}

/* An f-string: its source between the quotes, kept for the parser, which reads its fields as expressions. */
static clinfer_status lex_fstring(struct lexer *L, int raw)
{
    struct cf_loc loc = here(L);
    char q = peek(L, 0);
    if (peek(L, 1) == q && peek(L, 2) == q)
        return cf_fail_at(L->d, loc, CLINFER_E_UNSUPPORTED, "triple-quoted f-strings are not supported");
    if (raw) return cf_fail_at(L->d, loc, CLINFER_E_UNSUPPORTED, "raw f-strings (rf'...') are not supported");
    advance(L);
    struct cf_loc start = here(L);
    size_t s0 = L->pos;
    while (!at_end(L) && peek(L, 0) != q && peek(L, 0) != '\n') {
        if (peek(L, 0) == '\\' && L->pos + 1 < L->len && peek(L, 1) != '\n') advance(L);
        if (peek(L, 0) == '\0') return cf_fail_at(L->d, here(L), CLINFER_E_PARSE, "NUL byte inside a string literal");
        advance(L);
    }
    if (at_end(L) || peek(L, 0) != q) return cf_fail_at(L->d, loc, CLINFER_E_PARSE, "unterminated string literal");
    char *text = cf_arena_strndup(L->arena, L->s + s0, L->pos - s0);
    advance(L);
    if (!text || !push(L, (struct token){.kind = TK_FSTR, .loc = start, .text = text, .len = strlen(text)}))
        return cf_fail_oom(L->d);
    return CLINFER_OK;
}

static clinfer_status lex_string(struct lexer *L, int raw, int fstring)
{
    struct cf_loc loc = here(L);
    char q = peek(L, 0);
    int triple = peek(L, 1) == q && peek(L, 2) == q;
    int nq = triple ? 3 : 1;
    if (fstring) return lex_fstring(L, raw);
    for (int i = 0; i < nq; i++) advance(L);
    /* the literal's raw length bounds its decoded one: allocate that, not the rest of the file (a script of
     * thousands of strings would otherwise take memory quadratic in its length) */
    size_t end = L->pos;
    while (end < L->len && !(L->s[end] == q && (!triple || (end + 2 < L->len && L->s[end + 1] == q && L->s[end + 2] == q))) &&
           (triple || L->s[end] != '\n'))
        end += (L->s[end] == '\\' && end + 1 < L->len) ? 2 : 1;
    char *out = cf_arena_alloc(L->arena, end - L->pos + 1);
    if (!out) return cf_fail_oom(L->d);
    size_t n = 0;
    for (;;) {
        if (at_end(L)) return cf_fail_at(L->d, loc, CLINFER_E_PARSE, "unterminated string literal");
        char c = peek(L, 0);
        if (c == q && (!triple || (peek(L, 1) == q && peek(L, 2) == q))) {
            for (int i = 0; i < nq; i++) advance(L);
            break;
        }
        if (c == '\n' && !triple) return cf_fail_at(L->d, loc, CLINFER_E_PARSE, "unterminated string literal");
        if (c == '\\' && !raw && L->pos + 1 < L->len) {
            char e = peek(L, 1);
            advance(L);
            advance(L);
            switch (e) {
            case 'n': out[n++] = '\n'; break;
            case 't': out[n++] = '\t'; break;
            case '\\': out[n++] = '\\'; break;
            case '\'': out[n++] = '\''; break;
            case '"': out[n++] = '"'; break;
            case '\n': break;
            default: out[n++] = '\\'; out[n++] = e; break;
            }
            continue;
        }
        if (c == '\0') return cf_fail_at(L->d, here(L), CLINFER_E_PARSE, "NUL byte inside a string literal");
        out[n++] = c;
        advance(L);
    }
    struct token tk = {.kind = TK_STR, .loc = loc, .text = out, .len = n};
    return push(L, tk) ? CLINFER_OK : cf_fail_oom(L->d);
}

static const char *const ops3[] = {"**=", "//=", ">>=", "<<=", "...", NULL};
static const char *const ops2[] = {"**", "//", "==", "!=", "<=", ">=", "->", "+=", "-=", "*=", "/=", "%=",
                                   "&=", "|=", "^=", "@=", ":=", "<<", ">>", NULL};
static const char ops1[] = "()[]{},:.=+-*/%;@<>&|^~";

clinfer_status cf_py_lex(struct cf_arena *arena, const char *file, const char *text, size_t len,
                         struct token_list *out, struct cf_diag *d)
{
    struct lexer L = {.arena = arena, .file = file, .s = text, .len = len, .line = 1, .col = 1, .d = d};
    int line_start = 1, indented = 0, width = 0;
    int levels[MAX_INDENT] = {0}, n_levels = 1; /* the indentation stack; levels[0] = 0 */
    clinfer_status st;
    while (!at_end(&L)) {
        char c = peek(&L, 0);
        if (c == ' ' || c == '\t' || c == '\f' || c == '\r') {
            if (line_start && L.depth == 0) {
                indented = 1;
                width = c == '\t' ? (width / 8 + 1) * 8 : c == '\f' ? 0 : c == ' ' ? width + 1 : width;
            }
            advance(&L);
            continue;
        }
        if (c == '#') {
            while (!at_end(&L) && peek(&L, 0) != '\n') advance(&L);
            continue;
        }
        if (c == '\\' && (peek(&L, 1) == '\n' || (peek(&L, 1) == '\r' && peek(&L, 2) == '\n'))) {
            advance(&L);
            if (peek(&L, 0) == '\r') advance(&L);
            advance(&L);
            continue;
        }
        if (c == '\n') {
            if (L.depth == 0 && !line_start) {
                if (!push(&L, (struct token){.kind = TK_NEWLINE, .loc = here(&L)})) return cf_fail_oom(d);
                line_start = 1;
            }
            if (L.depth == 0) indented = width = 0;
            advance(&L);
            continue;
        }
        int first = line_start && L.depth == 0;
        if (first) { /* the line's indentation against the stack: INDENT when deeper, a DEDENT per level left */
            struct cf_loc loc = here(&L);
            if (width > levels[n_levels - 1]) {
                if (n_levels == MAX_INDENT)
                    return cf_fail_at(d, loc, CLINFER_E_LIMIT, "blocks nested more than %d deep", MAX_INDENT - 1);
                levels[n_levels++] = width;
                if (!push(&L, (struct token){.kind = TK_INDENT, .loc = loc})) return cf_fail_oom(d);
            }
            while (width < levels[n_levels - 1]) {
                n_levels--;
                if (!push(&L, (struct token){.kind = TK_DEDENT, .loc = loc})) return cf_fail_oom(d);
            }
            if (width != levels[n_levels - 1])
                return cf_fail_at(d, loc, CLINFER_E_PARSE, "unindent does not match any outer indentation level");
        }
        int n_before = L.n;
        if (is_id_start(c)) {
            int raw = 0, fs = 0;
            size_t k = 0;
            while (k < 2 && strchr("rRbBuUfF", peek(&L, k)) && peek(&L, k)) {
                if (peek(&L, k) == 'r' || peek(&L, k) == 'R') raw = 1;
                if (peek(&L, k) == 'f' || peek(&L, k) == 'F') fs = 1;
                k++;
            }
            if (k > 0 && (peek(&L, k) == '\'' || peek(&L, k) == '"')) {
                for (size_t i = 0; i < k; i++) advance(&L);
                if ((st = lex_string(&L, raw, fs))) return st;
            } else {
                struct cf_loc loc = here(&L);
                size_t s0 = L.pos;
                while (!at_end(&L) && is_id(peek(&L, 0))) advance(&L);
                char *name = cf_arena_strndup(arena, text + s0, L.pos - s0);
                if (!name || !push(&L, (struct token){.kind = TK_NAME, .loc = loc, .text = name, .len = L.pos - s0}))
                    return cf_fail_oom(d);
            }
        } else if (is_digit(c) || (c == '.' && is_digit(peek(&L, 1)))) {
            if ((st = lex_number(&L))) return st;
        } else if (c == '\'' || c == '"') {
            if ((st = lex_string(&L, 0, 0))) return st;
        } else {
            struct cf_loc loc = here(&L);
            const char *op = NULL;
            size_t oplen = 0;
            for (int i = 0; ops3[i] && !op; i++)
                if (L.pos + 3 <= len && memcmp(text + L.pos, ops3[i], 3) == 0) op = ops3[i], oplen = 3;
            for (int i = 0; ops2[i] && !op; i++)
                if (L.pos + 2 <= len && memcmp(text + L.pos, ops2[i], 2) == 0) op = ops2[i], oplen = 2;
            if (!op && c && strchr(ops1, c)) {
                op = text + L.pos;
                oplen = 1;
            }
            if (!op) {
                unsigned char u = (unsigned char)c;
                if (u >= 0x20 && u < 0x7f)
                    return cf_fail_at(d, loc, CLINFER_E_PARSE, "unexpected character '%c'", c);
                return cf_fail_at(d, loc, CLINFER_E_PARSE, "unexpected byte 0x%02x (not Python source text?)", u);
            }
            if (oplen == 1 && strchr("([{", c)) {
                if (++L.depth > 1000)
                    return cf_fail_at(d, loc, CLINFER_E_LIMIT, "brackets nested more than 1000 deep");
            }
            if (oplen == 1 && strchr(")]}", c)) {
                if (L.depth == 0) return cf_fail_at(d, loc, CLINFER_E_PARSE, "unmatched '%c'", c);
                L.depth--;
            }
            char *optext = cf_arena_strndup(arena, op, oplen);
            if (!optext) return cf_fail_oom(d);
            for (size_t i = 0; i < oplen; i++) advance(&L);
            if (!push(&L, (struct token){.kind = TK_OP, .loc = loc, .text = optext, .len = oplen}))
                return cf_fail_oom(d);
        }
        if (first && L.n > n_before) {
            L.t[n_before].indented = indented;
            line_start = 0;
        }
        (void)indented;
    }
    if (L.depth > 0) {
        /* find the innermost unclosed bracket for the message */
        int depth = 0;
        struct cf_loc open = here(&L);
        char open_ch = '(';
        for (int i = L.n - 1; i >= 0; i--) {
            if (L.t[i].kind != TK_OP || L.t[i].len != 1) continue;
            char b = L.t[i].text[0];
            if (strchr(")]}", b)) depth++;
            else if (strchr("([{", b)) {
                if (depth == 0) {
                    open = L.t[i].loc;
                    open_ch = b;
                    break;
                }
                depth--;
            }
        }
        return cf_fail_at(d, open, CLINFER_E_PARSE, "'%c' was never closed (the file ends first)", open_ch);
    }
    if (!line_start && !push(&L, (struct token){.kind = TK_NEWLINE, .loc = here(&L)})) return cf_fail_oom(d);
    for (; n_levels > 1; n_levels--)
        if (!push(&L, (struct token){.kind = TK_DEDENT, .loc = here(&L)})) return cf_fail_oom(d);
    if (!push(&L, (struct token){.kind = TK_EOF, .loc = here(&L)})) return cf_fail_oom(d);
    out->n = L.n;
    out->t = L.t;
    return CLINFER_OK;
}
