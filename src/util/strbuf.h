/* A growing text buffer (an allocation failure is sticky and reported once at the end), and a word lookup. */
#ifndef CF_STRBUF_H
#define CF_STRBUF_H
#include <stddef.h>
#include <stdint.h>
#include "diag.h"

struct cf_strbuf {
    char *buf;
    size_t len, cap;
    int oom;
};

void cf_sb_printf(struct cf_strbuf *sb, const char *fmt, ...) CF_PRINTF(2, 3);
void cf_sb_puts(struct cf_strbuf *sb, const char *s);
void cf_sb_putn(struct cf_strbuf *sb, const char *s, size_t n);
void cf_sb_pad(struct cf_strbuf *sb, char c, size_t n);
/* An integer with thousands separators: 9494561 -> "9,494,561". */
void cf_sb_int_commas(struct cf_strbuf *sb, int64_t v);
/* A JSON string literal with escapes. */
void cf_sb_json_str(struct cf_strbuf *sb, const char *s);
/* Takes the text out of the buffer (caller frees with cf_free); NULL if any append failed. */
char *cf_sb_take(struct cf_strbuf *sb);
void cf_sb_free(struct cf_strbuf *sb);

/* Formats an int with thousands separators into out (at least 32 bytes). */
void cf_fmt_commas(char *out, int64_t v);

/* Whether word is one of the space-separated words of list ("" never is). */
int cf_word_listed(const char *list, const char *word);

#endif
