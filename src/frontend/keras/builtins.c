/* The builtins of the Python subset (len, range, zip, enumerate, min, max, ...), truth, equality and order of
 * values, what a for loop goes through, and text: str() and repr() as Python writes them, format specs (f-strings,
 * str.format), '%' formatting and the string methods model code uses for layer names. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"

struct value *cf_keval_seq(struct eval *E, enum val_kind k, int n, struct cf_loc loc)
{
    struct value *v = cf_keval_new_val(E, k, loc);
    if (!v || !(v->items = cf_arena_alloc(E->A, sizeof *v->items * (size_t)(n > 0 ? n : 1)))) return NULL;
    v->n = n;
    return v;
}

struct value *cf_keval_builtin(struct eval *E, const char *name, struct cf_loc loc)
{
    struct value *v = cf_keval_new_val(E, V_BUILTIN, loc);
    if (v) v->s = name;
    return v;
}

static double num(const struct value *v) { return v->k == V_FLOAT ? v->f : (double)v->i; }
static int is_num(const struct value *v) { return v->k == V_INT || v->k == V_FLOAT || v->k == V_BOOL; }

clinfer_status cf_keval_truth(struct eval *E, const struct value *v, struct cf_loc loc, int *out)
{
    switch (v->k) {
    case V_NONE: *out = 0; break;
    case V_BOOL:
    case V_INT: *out = v->i != 0; break;
    case V_FLOAT: *out = v->f != 0; break;
    case V_STR: *out = v->s[0] != '\0'; break;
    case V_TUPLE:
    case V_LIST:
    case V_DICT: *out = v->n != 0; break;
    case V_TENSOR:
        return cf_fail_at(E->d, loc, CLINFER_E_MODEL,
                          "the truth of a tensor is not known when the model is built (compare its shape instead)");
    default: *out = 1; break;
    }
    return CLINFER_OK;
}

int cf_keval_equal(const struct value *a, const struct value *b)
{
    if (is_num(a) && is_num(b)) return num(a) == num(b);
    if (a->k != b->k) return 0;
    switch (a->k) {
    case V_NONE: return 1;
    case V_STR: return strcmp(a->s, b->s) == 0;
    case V_TUPLE:
    case V_LIST:
    case V_DICT:
        if (a->n != b->n) return 0;
        for (int i = 0; i < (a->k == V_DICT ? 2 * a->n : a->n); i++)
            if (!cf_keval_equal(a->items[i], b->items[i])) return 0;
        return 1;
    case V_LAYER: return a->layer == b->layer;
    case V_MODEL: return a->model == b->model;
    case V_TENSOR: return a->tensor == b->tensor;
    case V_CLASS: return a->cls == b->cls;
    case V_USERFN: return a->fn == b->fn;
    case V_BUILTIN:
    case V_FUNC: return strcmp(a->s, b->s) == 0;
    default: return a == b;
    }
}

int cf_keval_less(const struct value *a, const struct value *b)
{
    if (is_num(a) && is_num(b)) return num(a) < num(b);
    if (a->k == V_STR && b->k == V_STR) return strcmp(a->s, b->s) < 0;
    if (a->k == b->k && (a->k == V_TUPLE || a->k == V_LIST)) {
        for (int i = 0; i < a->n && i < b->n; i++) {
            if (cf_keval_equal(a->items[i], b->items[i])) continue;
            return cf_keval_less(a->items[i], b->items[i]);
        }
        return a->n < b->n;
    }
    return -1;
}

clinfer_status cf_keval_items(struct eval *E, const struct value *v, struct cf_loc loc, struct value ***items, int *n)
{
    switch (v->k) {
    case V_TUPLE:
    case V_LIST:
        *items = v->items;
        *n = v->n;
        return CLINFER_OK;
    case V_DICT: {
        struct value **keys = cf_arena_alloc(E->A, sizeof *keys * (size_t)(v->n + 1));
        if (!keys) return cf_fail_oom(E->d);
        for (int i = 0; i < v->n; i++) keys[i] = v->items[2 * i];
        *items = keys;
        *n = v->n;
        return CLINFER_OK;
    }
    case V_STR: {
        int len = (int)strlen(v->s);
        struct value *s = cf_keval_seq(E, V_LIST, len, loc);
        if (!s) return cf_fail_oom(E->d);
        for (int i = 0; i < len; i++)
            if (!(s->items[i] = cf_keval_new_val(E, V_STR, loc)) || !(s->items[i]->s = cf_arena_strndup(E->A, v->s + i, 1)))
                return cf_fail_oom(E->d);
        *items = s->items;
        *n = len;
        return CLINFER_OK;
    }
    case V_TENSOR:
        return cf_fail_at(E->d, loc, CLINFER_E_UNSUPPORTED,
                          "iterating over a tensor is outside the subset (its values are not known when the model is "
                          "built)");
    default:
        return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "'%s' object is not iterable", cf_value_type_name(v));
    }
}

/* --- text --- */

struct text {
    char *s;
    size_t n, cap;
    struct eval *E;
    int oom;
};

static void put(struct text *t, const char *s, size_t n)
{
    if (t->oom) return;
    if (t->n + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 64;
        while (t->n + n + 1 > cap) cap *= 2;
        char *p = cf_arena_alloc(t->E->A, cap);
        if (!p) {
            t->oom = 1;
            return;
        }
        if (t->n) memcpy(p, t->s, t->n);
        t->s = p;
        t->cap = cap;
    }
    memcpy(t->s + t->n, s, n);
    t->n += n;
    t->s[t->n] = '\0';
}

static void puts_(struct text *t, const char *s) { put(t, s, strlen(s)); }

/* Python's repr of a float: the shortest digits that read back as the same double; fixed notation for exponents
 * from -4 to 15 (with '.0' when integral), else d.ddde+XX */
static void float_text(double x, char *out, size_t size)
{
    if (isnan(x) || isinf(x)) {
        snprintf(out, size, isnan(x) ? "nan" : x < 0 ? "-inf" : "inf");
        return;
    }
    int p = 1;
    for (; p < 17; p++) {
        snprintf(out, size, "%.*e", p - 1, x);
        if (strtod(out, NULL) == x) break;
    }
    snprintf(out, size, "%.*e", p - 1, x);
    int exp = atoi(strchr(out, 'e') + 1);
    if (exp >= -4 && exp < 16) {
        snprintf(out, size, "%.*f", p - 1 - exp > 0 ? p - 1 - exp : 0, x);
        if (!strchr(out, '.')) {
            size_t n = strlen(out);
            if (n + 2 < size) memcpy(out + n, ".0", 3);
        }
    }
}

static clinfer_status text_of(struct eval *E, const struct value *v, int repr, struct text *t, int depth)
{
    char buf[64];
    if (depth > 20) return cf_fail_at(E->d, v->loc, CLINFER_E_LIMIT, "a value nested too deep to print");
    if (t->n > CF_PY_MAX_STR) return cf_fail_at(E->d, v->loc, CLINFER_E_LIMIT, "a string longer than %d bytes", CF_PY_MAX_STR);
    switch (v->k) {
    case V_NONE: puts_(t, "None"); break;
    case V_BOOL: puts_(t, v->i ? "True" : "False"); break;
    case V_INT:
        snprintf(buf, sizeof buf, "%lld", (long long)v->i);
        puts_(t, buf);
        break;
    case V_FLOAT:
        float_text(v->f, buf, sizeof buf);
        puts_(t, buf);
        break;
    case V_STR:
        if (!repr) {
            puts_(t, v->s);
            break;
        }
        puts_(t, strchr(v->s, '\'') && !strchr(v->s, '"') ? "\"" : "'");
        for (const char *p = v->s; *p; p++) {
            if (*p == '\\') puts_(t, "\\\\");
            else if (*p == '\n') puts_(t, "\\n");
            else if (*p == '\t') puts_(t, "\\t");
            else if (*p == '\'' && !(strchr(v->s, '\'') && !strchr(v->s, '"'))) puts_(t, "\\'");
            else put(t, p, 1);
        }
        puts_(t, strchr(v->s, '\'') && !strchr(v->s, '"') ? "\"" : "'");
        break;
    case V_TUPLE:
    case V_LIST:
        puts_(t, v->k == V_TUPLE ? "(" : "[");
        for (int i = 0; i < v->n; i++) {
            if (i) puts_(t, ", ");
            clinfer_status st = text_of(E, v->items[i], 1, t, depth + 1);
            if (st) return st;
        }
        puts_(t, v->k == V_TUPLE ? (v->n == 1 ? ",)" : ")") : "]");
        break;
    case V_DICT:
        puts_(t, "{");
        for (int i = 0; i < v->n; i++) {
            clinfer_status st;
            if (i) puts_(t, ", ");
            if ((st = text_of(E, v->items[2 * i], 1, t, depth + 1))) return st;
            puts_(t, ": ");
            if ((st = text_of(E, v->items[2 * i + 1], 1, t, depth + 1))) return st;
        }
        puts_(t, "}");
        break;
    default: {
        char r[160];
        cf_value_repr(v, r, sizeof r);
        puts_(t, r);
    }
    }
    return t->oom ? cf_fail_oom(E->d) : CLINFER_OK;
}

clinfer_status cf_keval_str(struct eval *E, const struct value *v, int repr, struct cf_loc loc, const char **out)
{
    (void)loc;
    struct text t = {.E = E};
    clinfer_status st = text_of(E, v, repr, &t, 0);
    if (st) return st;
    *out = t.s ? t.s : "";
    return CLINFER_OK;
}

/* format(v, spec): [[fill]align][sign][#][0][width][,][.precision][type], for ints, floats and strings */
clinfer_status cf_keval_format(struct eval *E, const struct value *v, const char *spec, struct cf_loc loc,
                               const char **out)
{
    const char *p = spec;
    char fill = ' ', align = 0, sign = '-', type = 0;
    int width = 0, prec = -1, comma = 0, zero = 0, alt = 0;
    if (p[0] && p[1] && strchr("<>^=", p[1])) fill = p[0], align = p[1], p += 2;
    else if (p[0] && strchr("<>^=", p[0])) align = *p++;
    if (*p && strchr("+- ", *p)) sign = *p++;
    if (*p == '#') alt = 1, p++;
    if (*p == '0') zero = 1, p++;
    while (*p >= '0' && *p <= '9' && width < 10000) width = width * 10 + (*p++ - '0');
    if (*p == ',' || *p == '_') comma = *p++;
    if (*p == '.') {
        p++;
        prec = 0;
        while (*p >= '0' && *p <= '9' && prec < 1000) prec = prec * 10 + (*p++ - '0');
    }
    if (*p) type = *p++;
    if (*p || width >= 10000 || prec >= 1000 || (type && !strchr("dfFeEgGsxXob%n", type)))
        return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "invalid format specifier '%s'", spec);
    (void)alt;
    char body[512];
    clinfer_status st;
    const char *text = NULL;
    if (v->k == V_STR || (!type && !is_num(v)) || type == 's') {
        if (type && type != 's') return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "unknown format code '%c' for a str", type);
        if ((st = cf_keval_str(E, v, 0, loc, &text))) return st;
        if (prec >= 0 && strlen(text) > (size_t)prec) text = cf_arena_strndup(E->A, text, (size_t)prec);
        if (!text) return cf_fail_oom(E->d);
        if (!align) align = '<';
    } else if (is_num(v)) {
        int is_int = v->k != V_FLOAT;
        if (!type) type = is_int ? 'd' : prec >= 0 ? 'g' : 0;
        if (strchr("dxXob", type) && !is_int)
            return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "unknown format code '%c' for a float", type);
        double x = num(v);
        if (type == 'd' || type == 'n') snprintf(body, sizeof body, "%lld", (long long)v->i);
        else if (type == 'x' || type == 'X' || type == 'o')
            snprintf(body, sizeof body, type == 'x' ? "%llx" : type == 'X' ? "%llX" : "%llo",
                     (unsigned long long)(v->i < 0 ? -v->i : v->i));
        else if (type == 'b') {
            unsigned long long u = (unsigned long long)(v->i < 0 ? -v->i : v->i);
            int n = 0;
            char rev[70];
            do rev[n++] = (char)('0' + (u & 1)); while ((u >>= 1) && n < 64);
            for (int i = 0; i < n; i++) body[i] = rev[n - 1 - i];
            body[n] = '\0';
        } else if (type == '%') snprintf(body, sizeof body, "%.*f%%", prec < 0 ? 6 : prec, x * 100);
        else if (!type) float_text(x, body, sizeof body);
        else {
            char f[8] = {'%', '.', '*', type, 0};
            snprintf(body, sizeof body, f, prec < 0 ? (type == 'g' || type == 'G' ? 6 : 6) : prec, x);
        }
        if (v->i < 0 && strchr("xXob", type) && is_int) memmove(body + 1, body, strlen(body) + 1), body[0] = '-';
        if (comma && strchr("dn", type)) { /* thousands */
            char digits[512], *d = body[0] == '-' ? body + 1 : body;
            size_t nd = strlen(d), k = 0;
            for (size_t i = 0; i < nd; i++) {
                digits[k++] = d[i];
                if ((nd - i - 1) % 3 == 0 && i + 1 < nd) digits[k++] = (char)comma;
            }
            digits[k] = '\0';
            snprintf(d, sizeof body - (size_t)(d - body), "%s", digits);
        }
        if (body[0] != '-' && sign != '-') memmove(body + 1, body, strlen(body) + 1), body[0] = sign;
        if (zero && !align) fill = '0', align = '=';
        if (!align) align = '>';
        text = body;
    } else {
        return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "a %s cannot be formatted with '%s'", cf_value_type_name(v), spec);
    }
    size_t len = strlen(text), pad = (size_t)width > len ? (size_t)width - len : 0;
    char *o = cf_arena_alloc(E->A, len + pad + 1);
    if (!o) return cf_fail_oom(E->d);
    size_t left = align == '<' ? 0 : align == '^' ? pad / 2 : pad, k = 0;
    if (align == '=' && (text[0] == '-' || text[0] == '+' || text[0] == ' ')) o[k++] = *text++, len--;
    for (size_t i = 0; i < left; i++) o[k++] = fill;
    memcpy(o + k, text, len);
    k += len;
    for (size_t i = left; i < pad; i++) o[k++] = fill;
    o[k] = '\0';
    *out = o;
    return CLINFER_OK;
}

/* 'conv_%d' % 3, '%s_%02d' % (name, i) */
clinfer_status cf_keval_percent(struct eval *E, const char *fmt, const struct value *args, struct cf_loc loc,
                                struct value **out)
{
    struct text t = {.E = E};
    int n_args = args->k == V_TUPLE ? args->n : 1, used = 0;
    struct value *const *av = args->k == V_TUPLE ? args->items : (struct value *const *)&args;
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            put(&t, p, 1);
            continue;
        }
        p++;
        if (*p == '%') {
            put(&t, "%", 1);
            continue;
        }
        char flags[8] = "";
        int nf = 0, width = 0, prec = -1;
        while (*p && strchr("-+ 0#", *p) && nf < 6) flags[nf++] = *p++;
        while (*p >= '0' && *p <= '9' && width < 10000) width = width * 10 + (*p++ - '0');
        if (*p == '.') {
            p++;
            prec = 0;
            while (*p >= '0' && *p <= '9' && prec < 1000) prec = prec * 10 + (*p++ - '0');
        }
        char c = *p;
        if (!c || !strchr("diufFeEgGsrxXo", c) || width >= 10000 || prec >= 1000)
            return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "unsupported format character '%c' in '%s'", c ? c : '?', fmt);
        if (used >= n_args) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "not enough arguments for format string");
        const struct value *a = av[used++];
        char piece[600], f[32];
        if (c == 's' || c == 'r') {
            const char *s;
            clinfer_status st = cf_keval_str(E, a, c == 'r', loc, &s);
            if (st) return st;
            snprintf(f, sizeof f, "%%%s%d.*s", strchr(flags, '-') ? "-" : "", width);
            if (strlen(s) > 500) s = cf_arena_strndup(E->A, s, 500);
            if (!s) return cf_fail_oom(E->d);
            snprintf(piece, sizeof piece, f, prec < 0 ? 500 : prec, s);
        } else {
            if (!is_num(a))
                return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "%%%c format: a number is required, not %s", c,
                                  cf_value_type_name(a));
            if (strchr("diuxXo", c)) {
                if (c == 'i' || c == 'u') c = 'd';
                long long iv = a->k == V_FLOAT ? (long long)a->f : (long long)a->i;
                snprintf(f, sizeof f, "%%%s%d%s%c", flags, width, prec >= 0 ? ".*" : "", c == 'd' ? 'l' : 'l');
                size_t fl = strlen(f);
                f[fl - 1] = 'l';
                f[fl] = 'l';
                f[fl + 1] = c;
                f[fl + 2] = '\0';
                if (prec >= 0) snprintf(piece, sizeof piece, f, prec, iv);
                else snprintf(piece, sizeof piece, f, iv);
            } else {
                snprintf(f, sizeof f, "%%%s%d.*%c", flags, width, c);
                snprintf(piece, sizeof piece, f, prec < 0 ? 6 : prec, num(a));
            }
        }
        puts_(&t, piece);
        if (t.n > CF_PY_MAX_STR) return cf_fail_at(E->d, loc, CLINFER_E_LIMIT, "a string longer than %d bytes", CF_PY_MAX_STR);
    }
    if (used < n_args)
        return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "not all arguments converted during string formatting");
    if (t.oom || !(*out = cf_keval_new_val(E, V_STR, loc))) return cf_fail_oom(E->d);
    (*out)->s = t.s ? t.s : "";
    return CLINFER_OK;
}

/* 'a_{}_{name}_{0:02d}'.format(...) */
static clinfer_status str_format(struct eval *E, const char *fmt, struct value **args, const char **kw, int n,
                                 struct cf_loc loc, struct value **out)
{
    struct text t = {.E = E};
    int next = 0;
    for (const char *p = fmt; *p; p++) {
        if (*p == '{' && p[1] == '{') {
            put(&t, "{", 1);
            p++;
            continue;
        }
        if (*p == '}' && p[1] == '}') {
            put(&t, "}", 1);
            p++;
            continue;
        }
        if (*p != '{') {
            put(&t, p, 1);
            continue;
        }
        const char *end = strchr(p, '}');
        if (!end) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "Single '{' encountered in format string");
        char field[256], *spec = NULL, conv = 0;
        size_t fl = (size_t)(end - p - 1);
        if (fl >= sizeof field) return cf_fail_at(E->d, loc, CLINFER_E_LIMIT, "a format field too long");
        memcpy(field, p + 1, fl);
        field[fl] = '\0';
        char *colon = strchr(field, ':'), *bang = strchr(field, '!');
        if (colon) *colon = '\0', spec = colon + 1;
        if (bang && (!colon || bang < colon)) conv = bang[1], *bang = '\0';
        const struct value *a = NULL;
        if (!field[0]) {
            int seen = 0;
            for (int i = 0; i < n; i++)
                if (!kw[i] && seen++ == next) a = args[i];
            next++;
        } else if (field[0] >= '0' && field[0] <= '9') {
            int idx = atoi(field), seen = 0;
            for (int i = 0; i < n; i++)
                if (!kw[i] && seen++ == idx) a = args[i];
        } else {
            for (int i = 0; i < n; i++)
                if (kw[i] && strcmp(kw[i], field) == 0) a = args[i];
        }
        if (!a) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "format: no argument for the field {%s}", field);
        const char *s;
        clinfer_status st;
        if (conv) {
            if ((st = cf_keval_str(E, a, conv == 'r', loc, &s))) return st;
            struct value sv = {.k = V_STR, .s = s, .loc = loc};
            if (spec && (st = cf_keval_format(E, &sv, spec, loc, &s))) return st;
        } else if ((st = cf_keval_format(E, a, spec ? spec : "", loc, &s))) {
            return st;
        }
        puts_(&t, s);
        if (t.n > CF_PY_MAX_STR) return cf_fail_at(E->d, loc, CLINFER_E_LIMIT, "a string longer than %d bytes", CF_PY_MAX_STR);
        p = end;
    }
    if (t.oom || !(*out = cf_keval_new_val(E, V_STR, loc))) return cf_fail_oom(E->d);
    (*out)->s = t.s ? t.s : "";
    return CLINFER_OK;
}

static struct value *new_str(struct eval *E, const char *s, struct cf_loc loc)
{
    struct value *v = cf_keval_new_val(E, V_STR, loc);
    if (v) v->s = s;
    return v;
}

clinfer_status cf_keval_str_method(struct eval *E, const struct value *m, struct value **args, const char **kw, int n,
                                   struct cf_loc loc, struct value **out)
{
    const char *self = m->items[0]->s, *name = m->s;
    if (strcmp(name, "format") == 0) return str_format(E, self, args, kw, n, loc, out);
    for (int i = 0; i < n; i++)
        if (kw[i]) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "str.%s() takes no keyword arguments", name);
    for (int i = 0; i < n; i++)
        if (args[i]->k != V_STR && strcmp(name, "join") != 0)
            return cf_fail_at(E->d, args[i]->loc, CLINFER_E_MODEL, "str.%s(): the arguments must be strings", name);
    size_t len = strlen(self);
    if (strcmp(name, "upper") == 0 || strcmp(name, "lower") == 0 || strcmp(name, "strip") == 0) {
        if (n) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "str.%s() takes no arguments here", name);
        char *t = cf_arena_strndup(E->A, self, len);
        if (!t) return cf_fail_oom(E->d);
        if (name[0] == 's') {
            char *a = t;
            while (*a == ' ' || *a == '\t' || *a == '\n') a++;
            size_t k = strlen(a);
            while (k && (a[k - 1] == ' ' || a[k - 1] == '\t' || a[k - 1] == '\n')) a[--k] = '\0';
            t = a;
        } else {
            for (char *c = t; *c; c++)
                if (name[0] == 'u' ? (*c >= 'a' && *c <= 'z') : (*c >= 'A' && *c <= 'Z')) *c = (char)(*c ^ 0x20);
        }
        return (*out = new_str(E, t, loc)) ? CLINFER_OK : cf_fail_oom(E->d);
    }
    if (strcmp(name, "startswith") == 0 || strcmp(name, "endswith") == 0) {
        if (n != 1) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "str.%s() takes one argument", name);
        size_t k = strlen(args[0]->s);
        int r = k <= len && memcmp(name[0] == 's' ? self : self + len - k, args[0]->s, k) == 0;
        if (!(*out = cf_keval_new_val(E, V_BOOL, loc))) return cf_fail_oom(E->d);
        (*out)->i = r;
        return CLINFER_OK;
    }
    if (strcmp(name, "replace") == 0) {
        if (n != 2 || !args[0]->s[0]) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "str.replace(old, new) with old not empty");
        struct text t = {.E = E};
        size_t ko = strlen(args[0]->s);
        for (const char *p = self; *p;) {
            if (strncmp(p, args[0]->s, ko) == 0) {
                puts_(&t, args[1]->s);
                p += ko;
            } else {
                put(&t, p++, 1);
            }
            if (t.n > CF_PY_MAX_STR) return cf_fail_at(E->d, loc, CLINFER_E_LIMIT, "a string longer than %d bytes", CF_PY_MAX_STR);
        }
        if (t.oom) return cf_fail_oom(E->d);
        return (*out = new_str(E, t.s ? t.s : "", loc)) ? CLINFER_OK : cf_fail_oom(E->d);
    }
    if (strcmp(name, "join") == 0) {
        if (n != 1) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "str.join() takes one argument");
        struct value **items;
        int k;
        clinfer_status st = cf_keval_items(E, args[0], loc, &items, &k);
        if (st) return st;
        struct text t = {.E = E};
        for (int i = 0; i < k; i++) {
            if (items[i]->k != V_STR)
                return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "str.join(): item %d is a %s, not a str", i,
                                  cf_value_type_name(items[i]));
            if (i) puts_(&t, self);
            puts_(&t, items[i]->s);
            if (t.n > CF_PY_MAX_STR) return cf_fail_at(E->d, loc, CLINFER_E_LIMIT, "a string longer than %d bytes", CF_PY_MAX_STR);
        }
        if (t.oom) return cf_fail_oom(E->d);
        return (*out = new_str(E, t.s ? t.s : "", loc)) ? CLINFER_OK : cf_fail_oom(E->d);
    }
    /* split([sep]) */
    if (n > 1 || (n == 1 && !args[0]->s[0])) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "str.split([sep])");
    struct value *list = cf_keval_seq(E, V_LIST, (int)len + 1, loc);
    if (!list) return cf_fail_oom(E->d);
    list->n = 0;
    const char *sep = n ? args[0]->s : NULL, *p = self;
    size_t ks = sep ? strlen(sep) : 0;
    while (*p) {
        if (!sep) {
            while (*p == ' ' || *p == '\t' || *p == '\n') p++;
            if (!*p) break;
        }
        const char *q = sep ? strstr(p, sep) : p + strcspn(p, " \t\n");
        if (!q || !*q) q = p + strlen(p);
        if (!(list->items[list->n++] = new_str(E, cf_arena_strndup(E->A, p, (size_t)(q - p)), loc))) return cf_fail_oom(E->d);
        if (!*q) break;
        p = q + (sep ? ks : 0);
        if (sep && !*p) {
            if (!(list->items[list->n++] = new_str(E, "", loc))) return cf_fail_oom(E->d);
        }
    }
    if (sep && !*self && !(list->items[list->n++] = new_str(E, "", loc))) return cf_fail_oom(E->d);
    *out = list;
    return CLINFER_OK;
}

static clinfer_status arity(struct eval *E, const char *name, int n, int lo, int hi, struct cf_loc loc)
{
    if (n >= lo && n <= hi) return CLINFER_OK;
    if (lo == hi) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "%s() takes %d argument%s (%d given)", name, lo, lo == 1 ? "" : "s", n);
    return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "%s() takes %d to %d arguments (%d given)", name, lo, hi, n);
}

static struct value *new_int(struct eval *E, int64_t i, struct cf_loc loc)
{
    struct value *v = cf_keval_new_val(E, V_INT, loc);
    if (v) v->i = i;
    return v;
}

/* --- lists' and dicts' methods --- */

static clinfer_status list_room(struct eval *E, struct value *l, int more, struct cf_loc loc)
{
    if ((int64_t)l->n + more > CF_PY_MAX_ITEMS)
        return cf_fail_at(E->d, loc, CLINFER_E_LIMIT, "a list of more than %d items", CF_PY_MAX_ITEMS);
    int room = l->cap > l->n ? l->cap : l->n;
    if (l->n + more <= room && l->cap) return CLINFER_OK;
    int cap = (l->n + more) * 2 + 4;
    struct value **items = cf_arena_alloc(E->A, sizeof *items * (size_t)cap);
    if (!items) return cf_fail_oom(E->d);
    if (l->n) memcpy(items, l->items, sizeof *items * (size_t)l->n);
    l->items = items;
    l->cap = cap;
    return CLINFER_OK;
}

clinfer_status cf_keval_container_method(struct eval *E, const struct value *m, struct value **args, const char **kw,
                                         int n, struct cf_loc loc, struct value **out)
{
    struct value *self = m->items[0];
    const char *name = m->s;
    clinfer_status st;
    for (int i = 0; i < n; i++)
        if (kw[i]) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "%s() takes no keyword arguments", name);
    struct value *none = cf_keval_new_val(E, V_NONE, loc);
    if (!none) return cf_fail_oom(E->d);
    *out = none;
    if (self->k == V_DICT) {
        if (strcmp(name, "get") == 0) {
            if ((st = arity(E, "get", n, 1, 2, loc))) return st;
            if (n == 2) *out = args[1];
            for (int k = 0; k < self->n; k++)
                if (cf_keval_equal(self->items[2 * k], args[0])) *out = self->items[2 * k + 1];
            return CLINFER_OK;
        }
        if (strcmp(name, "update") == 0) {
            if ((st = arity(E, "update", n, 1, 1, loc))) return st;
            if (args[0]->k != V_DICT) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "update() takes a dict");
            for (int k = 0; k < args[0]->n; k++)
                if ((st = cf_keval_dict_set(E, self, args[0]->items[2 * k], args[0]->items[2 * k + 1], loc))) return st;
            return CLINFER_OK;
        }
        if ((st = arity(E, name, n, 0, 0, loc))) return st;
        struct value *l = cf_keval_seq(E, V_LIST, self->n, loc);
        if (!l) return cf_fail_oom(E->d);
        for (int k = 0; k < self->n; k++) {
            if (name[0] == 'k') l->items[k] = self->items[2 * k];
            else if (name[0] == 'v') l->items[k] = self->items[2 * k + 1];
            else {
                struct value *pair = cf_keval_seq(E, V_TUPLE, 2, loc);
                if (!pair) return cf_fail_oom(E->d);
                pair->items[0] = self->items[2 * k];
                pair->items[1] = self->items[2 * k + 1];
                l->items[k] = pair;
            }
        }
        *out = l;
        return CLINFER_OK;
    }
    if (strcmp(name, "append") == 0) {
        if ((st = arity(E, name, n, 1, 1, loc)) || (st = list_room(E, self, 1, loc))) return st;
        self->items[self->n++] = args[0];
        return CLINFER_OK;
    }
    if (strcmp(name, "extend") == 0) {
        struct value **items;
        int k;
        if ((st = arity(E, name, n, 1, 1, loc)) || (st = cf_keval_items(E, args[0], loc, &items, &k)) ||
            (st = list_room(E, self, k, loc)))
            return st;
        memmove(self->items + self->n, items, sizeof *items * (size_t)k);
        self->n += k;
        return CLINFER_OK;
    }
    if (strcmp(name, "insert") == 0) {
        if ((st = arity(E, name, n, 2, 2, loc))) return st;
        if (args[0]->k != V_INT) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "insert(): the index must be an int");
        int64_t i = args[0]->i < 0 ? args[0]->i + self->n : args[0]->i;
        if (i < 0) i = 0;
        if (i > self->n) i = self->n;
        if ((st = list_room(E, self, 1, loc))) return st;
        memmove(self->items + i + 1, self->items + i, sizeof *self->items * (size_t)(self->n - i));
        self->items[i] = args[1];
        self->n++;
        return CLINFER_OK;
    }
    if (strcmp(name, "pop") == 0) {
        if ((st = arity(E, name, n, 0, 1, loc))) return st;
        if (!self->n) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "pop from empty list");
        int64_t i = n ? args[0]->i : self->n - 1;
        if (n && args[0]->k != V_INT) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "pop(): the index must be an int");
        if (i < 0) i += self->n;
        if (i < 0 || i >= self->n) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "pop index out of range");
        *out = self->items[i];
        memmove(self->items + i, self->items + i + 1, sizeof *self->items * (size_t)(self->n - i - 1));
        self->n--;
        return CLINFER_OK;
    }
    /* index, count */
    if ((st = arity(E, name, n, 1, 1, loc))) return st;
    int64_t count = 0, first = -1;
    for (int k = 0; k < self->n; k++)
        if (cf_keval_equal(self->items[k], args[0])) {
            if (first < 0) first = k;
            count++;
        }
    if (name[0] == 'i' && first < 0) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "list.index(x): x not in list");
    return (*out = new_int(E, name[0] == 'i' ? first : count, loc)) ? CLINFER_OK : cf_fail_oom(E->d);
}

/* --- the builtins --- */

static int type_matches(const struct value *x, const struct value *t)
{
    if (t->k == V_TUPLE) {
        for (int i = 0; i < t->n; i++)
            if (type_matches(x, t->items[i])) return 1;
        return 0;
    }
    if (t->k != V_BUILTIN) return 0;
    const char *n = t->s;
    return (strcmp(n, "int") == 0 && (x->k == V_INT || x->k == V_BOOL)) || (strcmp(n, "float") == 0 && x->k == V_FLOAT) ||
           (strcmp(n, "str") == 0 && x->k == V_STR) || (strcmp(n, "list") == 0 && x->k == V_LIST) ||
           (strcmp(n, "tuple") == 0 && x->k == V_TUPLE) || (strcmp(n, "dict") == 0 && x->k == V_DICT) ||
           (strcmp(n, "bool") == 0 && x->k == V_BOOL);
}

clinfer_status cf_keval_call_builtin(struct eval *E, const struct value *f, struct value **args, const char **kw,
                                     int n, struct cf_loc loc, struct value **out)
{
    const char *name = f->s;
    clinfer_status st;
    struct value *v = NULL;
    /* keyword arguments: start= (enumerate, sum), reverse= (sorted), and dict(**kw); nothing else */
    int64_t start = 0;
    int reverse = 0, pos = 0;
    struct value **a = cf_arena_alloc(E->A, sizeof *a * (size_t)(n + 1));
    if (!a) return cf_fail_oom(E->d);
    for (int i = 0; i < n; i++) {
        if (!kw[i]) {
            a[pos++] = args[i];
            continue;
        }
        if (strcmp(name, "dict") == 0) continue;
        if (strcmp(kw[i], "start") == 0 && (strcmp(name, "enumerate") == 0 || strcmp(name, "sum") == 0) &&
            args[i]->k == V_INT)
            start = args[i]->i;
        else if (strcmp(kw[i], "reverse") == 0 && strcmp(name, "sorted") == 0)
            reverse = args[i]->k != V_NONE && (args[i]->k != V_BOOL || args[i]->i) && (args[i]->k != V_INT || args[i]->i);
        else
            return cf_fail_at(E->d, args[i]->loc, CLINFER_E_UNSUPPORTED, "%s() with the keyword argument '%s' is outside the subset",
                              name, kw[i]);
    }
    int n_all = n;
    n = pos;
    if (strcmp(name, "len") == 0) {
        if ((st = arity(E, name, n, 1, 1, loc))) return st;
        if (a[0]->k == V_STR) v = new_int(E, (int64_t)strlen(a[0]->s), loc);
        else if (a[0]->k == V_LIST || a[0]->k == V_TUPLE || a[0]->k == V_DICT) v = new_int(E, a[0]->n, loc);
        else return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "object of type '%s' has no len()", cf_value_type_name(a[0]));
    } else if (strcmp(name, "range") == 0) {
        if ((st = arity(E, name, n, 1, 3, loc))) return st;
        int64_t r[3] = {0, 0, 1};
        for (int i = 0; i < n; i++) {
            if (a[i]->k != V_INT && a[i]->k != V_BOOL)
                return cf_fail_at(E->d, a[i]->loc, CLINFER_E_MODEL, "range() takes integers, not %s", cf_value_type_name(a[i]));
            r[n == 1 ? 1 : i] = a[i]->i;
        }
        if (r[2] == 0) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "range() arg 3 must not be zero");
        double count = r[2] > 0 ? ceil(((double)r[1] - (double)r[0]) / (double)r[2]) : ceil(((double)r[0] - (double)r[1]) / (double)-r[2]);
        if (count < 0) count = 0;
        if (count > CF_PY_MAX_ITEMS)
            return cf_fail_at(E->d, loc, CLINFER_E_LIMIT, "range() of %.0f items is past the limit of %d", count, CF_PY_MAX_ITEMS);
        if (!(v = cf_keval_seq(E, V_LIST, (int)count, loc))) return cf_fail_oom(E->d);
        for (int i = 0; i < (int)count; i++)
            if (!(v->items[i] = new_int(E, r[0] + (int64_t)i * r[2], loc))) return cf_fail_oom(E->d);
    } else if (strcmp(name, "enumerate") == 0 || strcmp(name, "reversed") == 0 || strcmp(name, "list") == 0 ||
               strcmp(name, "tuple") == 0 || strcmp(name, "sorted") == 0) {
        int lo = strcmp(name, "list") == 0 || strcmp(name, "tuple") == 0 ? 0 : 1;
        if ((st = arity(E, name, n, lo, 1, loc))) return st;
        struct value **items = NULL;
        int k = 0;
        if (n && (st = cf_keval_items(E, a[0], loc, &items, &k))) return st;
        if (!(v = cf_keval_seq(E, name[0] == 't' ? V_TUPLE : V_LIST, k, loc))) return cf_fail_oom(E->d);
        for (int i = 0; i < k; i++) {
            if (name[0] == 'e') {
                struct value *pair = cf_keval_seq(E, V_TUPLE, 2, loc);
                if (!pair || !(pair->items[0] = new_int(E, start + i, loc))) return cf_fail_oom(E->d);
                pair->items[1] = items[i];
                v->items[i] = pair;
            } else {
                v->items[i] = name[0] == 'r' ? items[k - 1 - i] : items[i];
            }
        }
        if (name[0] == 's') { /* sorted: insertion sort, stable (lists of a model's sizes are short) */
            if ((int64_t)k * k > CF_PY_MAX_STEPS) return cf_fail_at(E->d, loc, CLINFER_E_LIMIT, "sorted() of %d items", k);
            for (int i = 1; i < k; i++)
                for (int j = i; j > 0; j--) {
                    const struct value *x = v->items[j - 1], *y = v->items[j];
                    int lt = reverse ? cf_keval_less(x, y) : cf_keval_less(y, x);
                    if (lt < 0)
                        return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "sorted(): '<' not supported between '%s' and '%s'",
                                          cf_value_type_name(x), cf_value_type_name(y));
                    if (!lt) break;
                    struct value *t = v->items[j];
                    v->items[j] = v->items[j - 1];
                    v->items[j - 1] = t;
                }
        }
    } else if (strcmp(name, "zip") == 0) {
        int shortest = n ? CF_PY_MAX_ITEMS : 0;
        struct value ***its = cf_arena_alloc(E->A, sizeof *its * (size_t)(n + 1));
        if (!its) return cf_fail_oom(E->d);
        for (int i = 0; i < n; i++) {
            int k;
            if ((st = cf_keval_items(E, a[i], a[i]->loc, &its[i], &k))) return st;
            if (k < shortest) shortest = k;
        }
        if (!(v = cf_keval_seq(E, V_LIST, shortest, loc))) return cf_fail_oom(E->d);
        for (int j = 0; j < shortest; j++) {
            struct value *t = cf_keval_seq(E, V_TUPLE, n, loc);
            if (!t) return cf_fail_oom(E->d);
            for (int i = 0; i < n; i++) t->items[i] = its[i][j];
            v->items[j] = t;
        }
    } else if (strcmp(name, "min") == 0 || strcmp(name, "max") == 0 || strcmp(name, "sum") == 0 ||
               strcmp(name, "any") == 0 || strcmp(name, "all") == 0) {
        struct value **items = a;
        int k = n;
        if (n == 0) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "%s() expected an argument", name);
        if ((n == 1 || name[0] == 's' || name[0] == 'a') && (st = cf_keval_items(E, a[0], loc, &items, &k))) return st;
        if (name[0] == 'a') {
            int want = name[1] == 'l'; /* all: stop at a false one; any: at a true one */
            int r = want;
            for (int i = 0; i < k; i++) {
                int t = 0; /* (set by cf_keval_truth; gcc -O2 cannot see it) */
                if ((st = cf_keval_truth(E, items[i], loc, &t))) return st;
                if (t != want) {
                    r = t;
                    break;
                }
            }
            if (!(v = cf_keval_new_val(E, V_BOOL, loc))) return cf_fail_oom(E->d);
            v->i = r;
        } else if (name[0] == 's') {
            struct value *acc = new_int(E, start, loc);
            if (!acc) return cf_fail_oom(E->d);
            if (n > 1) acc = a[1];
            for (int i = 0; i < k; i++)
                if ((st = cf_keval_binop(E, '+', acc, items[i], loc, &acc))) return st;
            v = acc;
        } else {
            if (!k) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "%s() arg is an empty sequence", name);
            v = items[0];
            for (int i = 1; i < k; i++) {
                int lt = name[1] == 'i' ? cf_keval_less(items[i], v) : cf_keval_less(v, items[i]);
                if (lt < 0)
                    return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "%s(): '<' not supported between '%s' and '%s'", name,
                                      cf_value_type_name(items[i]), cf_value_type_name(v));
                if (lt) v = items[i];
            }
        }
    } else if (strcmp(name, "abs") == 0) {
        if ((st = arity(E, name, n, 1, 1, loc))) return st;
        if (a[0]->k == V_FLOAT) {
            if ((v = cf_keval_new_val(E, V_FLOAT, loc))) v->f = fabs(a[0]->f);
        } else if (a[0]->k == V_INT || a[0]->k == V_BOOL) {
            if (a[0]->i == INT64_MIN) return cf_fail_at(E->d, loc, CLINFER_E_LIMIT, "integer overflows 64 bits");
            v = new_int(E, a[0]->i < 0 ? -a[0]->i : a[0]->i, loc);
        } else {
            return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "bad operand type for abs(): '%s'", cf_value_type_name(a[0]));
        }
    } else if (strcmp(name, "int") == 0 || strcmp(name, "float") == 0 || strcmp(name, "round") == 0) {
        if ((st = arity(E, name, n, name[0] == 'r' ? 1 : 0, name[0] == 'r' ? 2 : 1, loc))) return st;
        const struct value *x = n ? a[0] : NULL;
        double d = 0;
        if (x && x->k == V_STR) {
            char *end;
            d = strtod(x->s, &end);
            while (*end == ' ') end++;
            if (*end || !x->s[0] || (name[0] == 'i' && strpbrk(x->s, ".eE")))
                return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "invalid literal for %s(): '%s'", name, x->s);
        } else if (x && is_num(x)) {
            d = num(x);
        } else if (x) {
            return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "%s() argument must be a string or a number, not '%s'", name,
                              cf_value_type_name(x));
        }
        if (name[0] == 'f') {
            if ((v = cf_keval_new_val(E, V_FLOAT, loc))) v->f = d;
        } else if (name[0] == 'r' && n == 2) {
            if (a[1]->k != V_INT) return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "round(): ndigits must be an int");
            double scale = pow(10.0, (double)a[1]->i);
            if (x->k == V_FLOAT) {
                if ((v = cf_keval_new_val(E, V_FLOAT, loc))) v->f = rint(d * scale) / scale;
            } else {
                v = new_int(E, a[1]->i >= 0 ? x->i : (int64_t)(rint(d * scale) / scale), loc);
            }
        } else {
            double r = name[0] == 'r' ? rint(d) : trunc(d); /* round: half to even, as Python */
            if (!(fabs(r) < 9.2e18)) return cf_fail_at(E->d, loc, CLINFER_E_LIMIT, "%s() of %g overflows 64 bits", name, d);
            v = new_int(E, x && (x->k == V_INT || x->k == V_BOOL) ? x->i : (int64_t)r, loc);
        }
    } else if (strcmp(name, "str") == 0) {
        if ((st = arity(E, name, n, 0, 1, loc))) return st;
        const char *s = "";
        if (n && (st = cf_keval_str(E, a[0], 0, loc, &s))) return st;
        v = new_str(E, s, loc);
    } else if (strcmp(name, "bool") == 0) {
        if ((st = arity(E, name, n, 0, 1, loc))) return st;
        int t = 0;
        if (n && (st = cf_keval_truth(E, a[0], loc, &t))) return st;
        if ((v = cf_keval_new_val(E, V_BOOL, loc))) v->i = t;
    } else if (strcmp(name, "dict") == 0) {
        if ((st = arity(E, name, n, 0, 1, loc))) return st;
        if (!(v = cf_keval_new_val(E, V_DICT, loc))) return cf_fail_oom(E->d);
        if (n) {
            struct value **items;
            int k;
            if (a[0]->k == V_DICT) {
                for (int i = 0; i < a[0]->n; i++)
                    if ((st = cf_keval_dict_set(E, v, a[0]->items[2 * i], a[0]->items[2 * i + 1], loc))) return st;
            } else {
                if ((st = cf_keval_items(E, a[0], loc, &items, &k))) return st;
                for (int i = 0; i < k; i++) {
                    if ((items[i]->k != V_TUPLE && items[i]->k != V_LIST) || items[i]->n != 2)
                        return cf_fail_at(E->d, loc, CLINFER_E_MODEL, "dict(): item %d is not a pair", i);
                    if ((st = cf_keval_dict_set(E, v, items[i]->items[0], items[i]->items[1], loc))) return st;
                }
            }
        }
        for (int i = 0; i < n_all; i++) /* dict(a=1, b=2): its keywords */
            if (kw[i]) {
                struct value *key = new_str(E, kw[i], loc);
                if (!key) return cf_fail_oom(E->d);
                if ((st = cf_keval_dict_set(E, v, key, args[i], loc))) return st;
            }
    } else if (strcmp(name, "isinstance") == 0) {
        if ((st = arity(E, name, n, 2, 2, loc))) return st;
        if ((v = cf_keval_new_val(E, V_BOOL, loc))) v->i = type_matches(a[0], a[1]);
    } else {
        return cf_fail_at(E->d, loc, CLINFER_E_UNSUPPORTED, "%s() is outside the subset", name);
    }
    if (!v) return cf_fail_oom(E->d);
    *out = v;
    return CLINFER_OK;
}
