/* A growing text buffer. */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"

static int reserve(struct cf_strbuf *sb, size_t extra)
{
    if (sb->oom) return 0;
    if (sb->len + extra + 1 <= sb->cap) return 1;
    size_t cap = sb->cap ? sb->cap : 256;
    while (cap < sb->len + extra + 1) cap *= 2;
    char *p = cf_realloc(sb->buf, cap);
    if (!p) {
        sb->oom = 1;
        return 0;
    }
    sb->buf = p;
    sb->cap = cap;
    return 1;
}

void cf_sb_putn(struct cf_strbuf *sb, const char *s, size_t n)
{
    if (!reserve(sb, n)) return;
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void cf_sb_puts(struct cf_strbuf *sb, const char *s) { cf_sb_putn(sb, s, strlen(s)); }

void cf_sb_pad(struct cf_strbuf *sb, char c, size_t n)
{
    if (!reserve(sb, n)) return;
    memset(sb->buf + sb->len, c, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void cf_sb_printf(struct cf_strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(sb, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

void cf_fmt_commas(char *out, int64_t v)
{
    char digits[32];
    int neg = v < 0;
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)u);
    char *o = out;
    if (neg) *o++ = '-';
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0) *o++ = ',';
        *o++ = digits[i];
    }
    *o = '\0';
}

void cf_sb_int_commas(struct cf_strbuf *sb, int64_t v)
{
    char out[40];
    cf_fmt_commas(out, v);
    cf_sb_puts(sb, out);
}

/* The length of the well-formed UTF-8 sequence at p (RFC 3629: no overlongs, no surrogates, at most U+10FFFF), or 0. */
static int utf8_len(const unsigned char *p)
{
    unsigned c = p[0];
    int n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (n == 0 || (n == 2 && c < 0xc2) || c > 0xf4) return 0;
    for (int i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80) return 0;
    if (n == 3 && ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0))) return 0;
    if (n == 4 && ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90))) return 0;
    return n;
}

void cf_sb_json_str(struct cf_strbuf *sb, const char *s)
{
    cf_sb_putn(sb, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        switch (*p) {
        case '"': cf_sb_puts(sb, "\\\""); break;
        case '\\': cf_sb_puts(sb, "\\\\"); break;
        case '\n': cf_sb_puts(sb, "\\n"); break;
        case '\t': cf_sb_puts(sb, "\\t"); break;
        case '\r': cf_sb_puts(sb, "\\r"); break;
        default:
            if (*p < 0x20) {
                cf_sb_printf(sb, "\\u%04x", *p);
            } else {
                /* JSON is UTF-8: a byte that does not begin a well-formed sequence becomes U+FFFD */
                int n = utf8_len(p);
                if (n) cf_sb_putn(sb, (const char *)p, (size_t)n);
                else cf_sb_puts(sb, "\\ufffd");
                p += n ? n : 1;
                continue;
            }
        }
        p++;
    }
    cf_sb_putn(sb, "\"", 1);
}

char *cf_sb_take(struct cf_strbuf *sb)
{
    if (!sb->oom && !sb->buf) reserve(sb, 0);
    if (sb->oom) {
        cf_sb_free(sb);
        return NULL;
    }
    if (sb->buf) sb->buf[sb->len] = '\0';
    char *r = sb->buf;
    sb->buf = NULL;
    sb->len = sb->cap = 0;
    return r;
}

void cf_sb_free(struct cf_strbuf *sb)
{
    cf_free(sb->buf);
    sb->buf = NULL;
    sb->len = sb->cap = 0;
    sb->oom = 0;
}

int cf_word_listed(const char *list, const char *word)
{
    size_t n = strlen(word);
    if (n == 0) return 0; /* (strstr would find "" everywhere) */
    for (const char *p = strstr(list, word); p; p = strstr(p + 1, word))
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) return 1;
    return 0;
}
