/* The summary table exactly as Keras 2 prints it (keras/utils/layer_utils.py, print_summary):
 * 65 columns at positions 29/55/65 for sequential-like models, 98 columns at 32/53/65/98 with a
 * "Connected to" column otherwise (other line lengths scale the positions as Keras does); each field is cut to its column and its last character replaced
 * by a space when the next field follows. */
#include <stdio.h>
#include <string.h>

#include "../util/alloc.h"
#include "report.h"

/* line = ''; for each field: line = line[:-1] + ' ' (after the first); line += field;
 * line = line[:pos]; line += ' ' * (pos - len(line)) */
static void print_row(struct cf_strbuf *sb, const char *const *fields, int n, const int *pos)
{
    char line[4096];
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && len > 0) {
            size_t cps = cf_utf8_len(line, len);
            len = cf_utf8_prefix(line, len, cps - 1);
            line[len++] = ' ';
        }
        size_t have = cf_utf8_len(line, len);
        size_t room = have < (size_t)pos[i] ? (size_t)pos[i] - have : 0;
        size_t flen = strlen(fields[i]);
        size_t take = cf_utf8_prefix(fields[i], flen, room);
        if (len + take + 128 > sizeof line) take = 0; /* cannot happen: lines are at most 1000 columns */
        memcpy(line + len, fields[i], take);
        len += take;
        len = cf_utf8_prefix(line, len, (size_t)pos[i]);
        for (size_t c = cf_utf8_len(line, len); c < (size_t)pos[i]; c++) line[len++] = ' ';
    }
    cf_sb_putn(sb, line, len);
    cf_sb_puts(sb, "\n");
}

char *cf_report_keras(const struct cf_graph *g, const struct cf_report_opts *o)
{
    /* Keras 2.2: positions [.45, .85, 1] of 65 columns, or [.33, .55, .67, 1] of 98, each int(line_length * p) */
    static const double rel65[] = {.45, .85, 1.0}, rel98[] = {.33, .55, .67, 1.0};
    const int seq = g->sequential_like;
    const int width = o->line_length > 0 ? o->line_length : seq ? 65 : 98;
    int pos[4];
    for (int i = 0; i < (seq ? 3 : 4); i++) pos[i] = (int)(width * (seq ? rel65[i] : rel98[i]));
    /* positions given: fractions of the line when the last is at most 1, else columns */
    for (int i = 0; i < o->n_positions && i < 4; i++)
        pos[i] = o->positions[o->n_positions - 1] <= 1 ? (int)(width * o->positions[i]) : (int)o->positions[i];
    struct cf_strbuf sb = {0};
    static const char *const head[] = {"Layer (type)", "Output Shape", "Param #", "Connected to"};
    cf_sb_pad(&sb, '_', (size_t)width);
    cf_sb_puts(&sb, "\n");
    print_row(&sb, head, seq ? 3 : 4, pos);
    cf_sb_pad(&sb, '=', (size_t)width);
    cf_sb_puts(&sb, "\n");
    struct cf_report_row *rows = NULL;
    int n_rows = cf_report_rows(g, o, &rows);
    if (n_rows < 0) {
        cf_sb_free(&sb);
        return NULL;
    }
    for (int k = 0; k < n_rows; k++) {
        const struct cf_report_row *r = &rows[k];
        char name[512], shape[256], params[32], conn[300] = "";
        snprintf(name, sizeof name, "%s (%s)", cf_report_row_name(g, r), cf_report_row_type(g, r));
        cf_report_row_shape(g, r, 1, shape, sizeof shape);
        snprintf(params, sizeof params, "%lld", (long long)cf_report_row_params(g, r));
        /* Keras' "Connected to": the layers it reads (not the constants an ONNX node reads), one a line */
        char refs[4096];
        int nc = seq ? 0 : cf_report_row_connections(g, r, refs, sizeof refs);
        for (int c = 0, at = 0; c < nc; c++, at += (int)strlen(refs + at) + 1) {
            snprintf(conn, sizeof conn, "%s", refs + at);
            const char *fields[] = {name, shape, params, conn}, *more[] = {"", "", "", conn};
            print_row(&sb, c ? more : fields, 4, pos);
        }
        if (nc == 0) {
            conn[0] = '\0';
            const char *fields[] = {name, shape, params, conn};
            print_row(&sb, fields, seq ? 3 : 4, pos);
        }
        if (o->explain && r->node >= 0) cf_report_explain_node(g, r->node, &sb);
        cf_sb_pad(&sb, k == n_rows - 1 ? '=' : '_', (size_t)width);
        cf_sb_puts(&sb, "\n");
    }
    cf_free(rows);
    struct cf_report_totals t;
    cf_report_totals(g, &t);
    cf_sb_puts(&sb, "Total params: ");
    cf_sb_int_commas(&sb, t.trainable + t.non_trainable);
    cf_sb_puts(&sb, "\nTrainable params: ");
    cf_sb_int_commas(&sb, t.trainable);
    cf_sb_puts(&sb, "\nNon-trainable params: ");
    cf_sb_int_commas(&sb, t.non_trainable);
    cf_sb_puts(&sb, "\n");
    cf_report_memory_line(&sb, &t, o, "", "B");
    if (o->explain) cf_report_explain_totals(&sb, &t, o);
    cf_sb_pad(&sb, '_', (size_t)width);
    cf_sb_puts(&sb, "\n");
    return cf_sb_take(&sb);
}
