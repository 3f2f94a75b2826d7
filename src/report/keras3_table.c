/* The summary table as Keras 3 prints it (keras/src/utils/summary_utils.py, print_summary, drawn by rich): a box
 * table (rich's HEAVY_HEAD box, a line between rows) of 88 columns at [.45, .80, 1] for sequential-like models, else
 * 108 at [.3, .56, .74, 1] with "Connected to". Each column asks for int(p·L) - (the columns before) cells plus one
 * of padding each side; the borders make that too wide, and rich takes the excess back evenly (ratio_reduce,
 * Python's round). A cell's text is word-wrapped to its width; a word longer than the width gets a line of its own,
 * cut with "…". Counts are right-aligned with commas; totals carry their size. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../util/alloc.h"
#include "report.h"

#define MAX_LINES 64 /* lines of one cell */

struct cell_lines {
    int n;
    struct cf_strbuf line[MAX_LINES];
};

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n'; }

/* One line of a cell from text[a, b): rich's rstrip_end, justify and truncate with an ellipsis, to `w` cells. */
static void fit_line(struct cf_strbuf *out, const char *s, size_t len, size_t w, int align)
{
    const int right = align == 1, center = align == 2;
    size_t cps = cf_utf8_len(s, len);
    if (cps > w) { /* rstrip_end: trailing whitespace beyond the width goes */
        size_t ws = 0;
        while (ws < len && is_space(s[len - 1 - ws])) ws++;
        size_t crop = ws < cps - w ? ws : cps - w;
        len -= crop;
        cps -= crop;
    }
    if (right) { /* rstrip, then truncate, then pad on the left */
        while (len > 0 && is_space(s[len - 1])) len--, cps--;
    }
    if (cps > w) {
        size_t keep = w > 0 ? cf_utf8_prefix(s, len, w - 1) : 0;
        cf_sb_putn(out, s, keep);
        if (w > 0) cf_sb_puts(out, "\xe2\x80\xa6"); /* … */
        return;
    }
    if (center) { /* rich's Text.align: the excess halved, the odd cell on the right */
        while (len > 0 && is_space(s[len - 1])) len--, cps--;
        size_t left = (w - cps) / 2;
        cf_sb_pad(out, ' ', left);
        cf_sb_putn(out, s, len);
        cf_sb_pad(out, ' ', w - cps - left);
        return;
    }
    if (right) cf_sb_pad(out, ' ', w - cps);
    cf_sb_putn(out, s, len);
    if (!right) cf_sb_pad(out, ' ', w - cps);
}

/* rich's divide_line without folding: words are \s*\S+\s*; a word goes to a new line when it does not fit the rest of
 * this one (its trailing spaces may overhang) and the line is not empty, or when it is longer than a line. */
static void wrap_cell(const char *text, size_t w, int align, struct cell_lines *c)
{
    size_t len = strlen(text), breaks[MAX_LINES];
    int nb = 0;
    size_t off = 0, i = 0;
    while (i < len) {
        size_t start = i;
        while (i < len && is_space(text[i])) i++;
        if (i == len) break; /* trailing spaces: part of the last word */
        while (i < len && !is_space(text[i])) i++;
        size_t word_end = i;
        while (i < len && is_space(text[i])) i++;
        size_t wl = cf_utf8_len(text + start, word_end - start), full = cf_utf8_len(text + start, i - start);
        if (w >= off && w - off >= wl) {
            off += full;
        } else if (wl > w) {
            if (start && nb < MAX_LINES - 1) breaks[nb++] = start;
            off = full;
        } else if (off && start) {
            if (nb < MAX_LINES - 1) breaks[nb++] = start;
            off = full;
        }
    }
    c->n = 0;
    size_t from = 0;
    for (int k = 0; k <= nb; k++) {
        size_t to = k < nb ? breaks[k] : len;
        memset(&c->line[c->n], 0, sizeof c->line[c->n]);
        fit_line(&c->line[c->n], text + from, to - from, w, align);
        c->n++;
        from = to;
    }
}

static void free_cell(struct cell_lines *c)
{
    for (int k = 0; k < c->n; k++) cf_sb_free(&c->line[k]);
    c->n = 0;
}

/* a border line: left, fill over each column, joints, right (UTF-8 strings) */
static void border(struct cf_strbuf *sb, const int *w, int n, const char *l, const char *f, const char *j, const char *r)
{
    cf_sb_puts(sb, l);
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < w[i]; k++) cf_sb_puts(sb, f);
        cf_sb_puts(sb, i + 1 < n ? j : r);
    }
    cf_sb_puts(sb, "\n");
}

/* a row of cells: right[i] is column i's alignment (0 left, 1 right, 2 centred) */
static void row(struct cf_strbuf *sb, const char *const *fields, const int *w, const int *right, int n, const char *v)
{
    struct cell_lines cells[5];
    int h = 1;
    for (int i = 0; i < n; i++) {
        wrap_cell(fields[i], (size_t)(w[i] - 2), right[i], &cells[i]);
        if (cells[i].n > h) h = cells[i].n;
    }
    for (int k = 0; k < h; k++) {
        cf_sb_puts(sb, v);
        for (int i = 0; i < n; i++) {
            cf_sb_puts(sb, " ");
            if (k < cells[i].n) {
                char *t = cf_sb_take(&cells[i].line[k]);
                if (t) cf_sb_puts(sb, t);
                cf_free(t);
            } else {
                cf_sb_pad(sb, ' ', (size_t)(w[i] - 2));
            }
            cf_sb_puts(sb, " ");
            cf_sb_puts(sb, v);
        }
        cf_sb_puts(sb, "\n");
    }
    for (int i = 0; i < n; i++) free_cell(&cells[i]);
}

/* rich's ratio_reduce(excess, [1] * n, widths, widths) */
static void ratio_reduce(int *w, int n, int excess)
{
    int total_ratio = n, remaining = excess;
    for (int i = 0; i < n; i++) {
        int d = (int)nearbyint((double)remaining / (double)total_ratio); /* ties to even, as Python's round */
        if (d > w[i]) d = w[i];
        w[i] -= d;
        remaining -= d;
        total_ratio--;
    }
}

char *cf_report_keras3(const struct cf_graph *g, const struct cf_report_opts *o)
{
    static const double rel88[] = {.45, .80, 1.0}, rel108[] = {.3, .56, .74, 1.0};
    const int seq = g->sequential_like, base = seq ? 3 : 4, ncol = base + (o->show_trainable != 0);
    /* show_trainable: 12 columns more by default, the others' positions at 0.9 of theirs, a centred last column */
    const int L = o->line_length > 0 ? o->line_length : (seq ? 88 : 108) + (o->show_trainable ? 12 : 0);
    int right[5] = {0, 0, 1, 0, 2};
    if (seq) right[3] = 2;
    int w[5], cur = 0, sum = 0;
    for (int i = 0; i < ncol; i++) {
        double rel = i == base ? 1.0 : o->n_positions ? o->positions[i] : seq ? rel88[i] : rel108[i];
        if (o->show_trainable && i < base) rel *= 0.90;
        int p = (int)(rel * L);
        w[i] = p - cur + 2; /* with its padding */
        cur = p;
        sum += w[i];
    }
    int max_width = L - (ncol + 1);
    if (sum > max_width) ratio_reduce(w, ncol, sum - max_width);
    for (int i = 0; i < ncol; i++)
        if (w[i] < 2) w[i] = 2;
    struct cf_strbuf sb = {0};
    cf_sb_printf(&sb, "Model: \"%s\"\n", cf_report_model_name(g, CLINFER_STYLE_KERAS3));
    border(&sb, w, ncol, "\xe2\x94\x8f", "\xe2\x94\x81", "\xe2\x94\xb3", "\xe2\x94\x93"); /* ┏━┳┓ */
    const char *head[] = {"Layer (type)", "Output Shape", "Param #", seq ? "Trainable" : "Connected to", "Trainable"};
    row(&sb, head, w, right, ncol, "\xe2\x94\x83");                                        /* ┃ */
    border(&sb, w, ncol, "\xe2\x94\xa1", "\xe2\x94\x81", "\xe2\x95\x87", "\xe2\x94\xa9"); /* ┡━╇┩ */
    struct cf_report_row *rows = NULL;
    int n_rows = cf_report_rows(g, o, &rows);
    if (n_rows < 0) {
        cf_sb_free(&sb);
        return NULL;
    }
    for (int k = 0; k < n_rows; k++) {
        const struct cf_report_row *r = &rows[k];
        if (k) border(&sb, w, ncol, "\xe2\x94\x9c", "\xe2\x94\x80", "\xe2\x94\xbc", "\xe2\x94\xa4"); /* ├─┼┤ */
        char name[700], shape[300], params[40], conn[4096], prefix[200] = "";
        /* a nested model's layers: "   " a level and "└ " (expand_nested) */
        for (int l = 0; l < r->level && l < 60; l++) strcat(prefix, "   ");
        if (r->level) strcat(prefix, "\xe2\x94\x94 ");
        snprintf(name, sizeof name, "%s%s (%s)", prefix, cf_report_row_name(g, r), cf_report_row_type(g, r));
        cf_report_row_shape(g, r, 0, shape, sizeof shape);
        int64_t np = cf_report_row_params(g, r);
        cf_fmt_commas(params, np);
        char refs[4096];
        int nc = cf_report_row_connections(g, r, refs, sizeof refs);
        size_t cl = 0;
        conn[0] = '\0';
        for (int c = 0, at = 0; c < nc && cl < sizeof conn; c++, at += (int)strlen(refs + at) + 1)
            cl += (size_t)snprintf(conn + cl, sizeof conn - cl, "%s%s", cl ? ", " : "", refs + at);
        if (!conn[0]) snprintf(conn, sizeof conn, "-");
        /* a layer without weights: "-" */
        const char *yn = np == 0 ? "-" : cf_report_row_trainable(g, r) ? "Y" : "N";
        const char *fields[] = {name, shape, params, seq ? yn : conn, yn};
        row(&sb, fields, w, right, ncol, "\xe2\x94\x82"); /* │ */
    }
    border(&sb, w, ncol, "\xe2\x94\x94", "\xe2\x94\x80", "\xe2\x94\xb4", "\xe2\x94\x98"); /* └─┴┘ */
    if (o->explain) {
        for (int k = 0; k < n_rows; k++) {
            if (rows[k].node < 0) continue;
            cf_sb_printf(&sb, "%s (%s)\n", g->nodes[rows[k].node].name, g->nodes[rows[k].node].type);
            cf_report_explain_node(g, rows[k].node, &sb);
        }
    }
    cf_free(rows);
    struct cf_report_totals t;
    cf_report_totals(g, &t);
    const int64_t counts[3] = {t.trainable + t.non_trainable, t.trainable, t.non_trainable};
    static const char *const label[3] = {" Total params: ", " Trainable params: ", " Non-trainable params: "};
    for (int k = 0; k < 3; k++) {
        char c[40], m[64];
        cf_fmt_commas(c, counts[k]);
        cf_report_memory_size(m, sizeof m, 4.0 * (double)counts[k], "B");
        cf_sb_printf(&sb, "%s%s (%s)\n", label[k], c, m);
    }
    cf_report_memory_line(&sb, &t, o, " ", "B");
    if (o->explain) cf_report_explain_totals(&sb, &t, o);
    return cf_sb_take(&sb);
}
