/* The summary table as tf.keras 2.x prints it (keras/src/utils/layer_utils.py, print_summary): 'Model: "name"',
 * 65 columns at int(65·[.45, .85, 1]) for sequential-like models, else 98 at int(98·[.3, .6, .7, 1]) with
 * "Connected to"; a field longer than its column is wrapped onto the next lines (cut at the column, or after the
 * first "),", "},", "]," or "'," within it); a blank line after each layer; totals without separators, with their
 * size in bytes. */
#include <stdio.h>
#include <string.h>

#include "../util/alloc.h"
#include "report.h"

#define MAX_FIELD 4096

/* print_row: while any field has text left, one line taking from each what fits its column */
static void print_row(struct cf_strbuf *sb, const char *const *fields, int n, const int *pos, int level)
{
    const char *left[5];
    size_t rem[5];
    if (n > 5) n = 5;
    for (int i = 0; i < n; i++) left[i] = fields[i], rem[i] = strlen(fields[i]);
    for (;;) {
        int any = 0;
        for (int i = 0; i < n; i++) any |= rem[i] > 0;
        if (!any) break;
        struct cf_strbuf line = {0};
        size_t cps = 0; /* code points on the line */
        for (int col = 0; col < n; col++) {
            int start = col > 0 ? pos[col - 1] : 0, end = pos[col];
            int space = col != n - 1 ? 2 : 0;
            long cutoff = end - start - space - (col != n - 1 ? 1 : 0) - (col == 0 ? level : 0);
            /* a column narrower than its gutter: Keras' s[:-k] would never empty the field and loop forever; one
             * character a line ends it (line lengths of 20 and more never come here) */
            if (cutoff < 1) cutoff = 1;
            size_t fit = cf_utf8_prefix(left[col], rem[col], (size_t)cutoff);
            static const char *const brk[] = {"),", "},", "],", "',"};
            size_t best = (size_t)-1;
            for (int k = 0; k < 4; k++) {
                for (size_t j = 0; j + 1 < fit; j++)
                    if (left[col][j] == brk[k][0] && left[col][j + 1] == brk[k][1]) {
                        if (j + 2 < best) best = j + 2;
                        break;
                    }
            }
            if (best != (size_t)-1) fit = best;
            if (col == 0) {
                cf_sb_pad(&line, '|', (size_t)level);
                cf_sb_puts(&line, " ");
                cps += (size_t)level + 1;
            }
            cf_sb_putn(&line, left[col], fit);
            cps += cf_utf8_len(left[col], fit);
            cf_sb_pad(&line, ' ', (size_t)space);
            cps += (size_t)space;
            left[col] += fit;
            rem[col] -= fit;
            /* a nested model's layers: the last column leaves room for the bars */
            size_t to = (size_t)pos[col] - (level && col == n - 1 ? (size_t)level : 0);
            if (cps < to) {
                cf_sb_pad(&line, ' ', to - cps);
                cps = to;
            }
        }
        cf_sb_pad(&line, '|', (size_t)level);
        char *text = cf_sb_take(&line);
        if (text) cf_sb_puts(sb, text);
        cf_free(text);
        cf_sb_puts(sb, "\n");
    }
}

char *cf_report_tf2(const struct cf_graph *g, const struct cf_report_opts *o)
{
    static const double rel65[] = {.45, .85, 1.0}, rel98[] = {.3, .6, .70, 1.0};
    const int seq = g->sequential_like;
    int ncol = seq ? 3 : 4, width = o->line_length > 0 ? o->line_length : seq ? 65 : 98;
    int pos[5];
    for (int i = 0; i < ncol; i++) pos[i] = (int)(width * (seq ? rel65[i] : rel98[i]));
    /* positions given: fractions of the line when the last is at most 1, else columns */
    for (int i = 0; i < o->n_positions && i < 4; i++)
        pos[i] = o->positions[o->n_positions - 1] <= 1 ? (int)(width * o->positions[i]) : (int)o->positions[i];
    /* show_trainable: 11 more columns, the last column "Trainable" */
    if (o->show_trainable) {
        width += 11;
        pos[ncol++] = width;
    }
    struct cf_strbuf sb = {0};
    cf_sb_printf(&sb, "Model: \"%s\"\n", cf_report_model_name(g, CLINFER_STYLE_TF2));
    cf_sb_pad(&sb, '_', (size_t)width);
    cf_sb_puts(&sb, "\n");
    const char *head[] = {"Layer (type)", "Output Shape", "Param #", seq ? "Trainable" : "Connected to", "Trainable"};
    print_row(&sb, head, ncol, pos, 0);
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
        char name[600], shape[300], params[32], conn[MAX_FIELD];
        snprintf(name, sizeof name, "%s (%s)", cf_report_row_name(g, r), cf_report_row_type(g, r));
        /* an InputLayer's output_shape is a list of one */
        int list = r->node >= 0 && strcmp(g->nodes[r->node].type, "InputLayer") == 0;
        if (list) shape[0] = '[';
        cf_report_row_shape(g, r, 1, shape + list, sizeof shape - 2);
        if (list) strcat(shape, "]");
        snprintf(params, sizeof params, "%lld", (long long)cf_report_row_params(g, r));
        /* str() of the list of connections: ['conv2d[0][0]', 'add[0][0]'] */
        char refs[MAX_FIELD];
        int nc = cf_report_row_connections(g, r, refs, sizeof refs);
        size_t cl = (size_t)snprintf(conn, sizeof conn, "[");
        for (int c = 0, at = 0; c < nc && cl < sizeof conn; c++, at += (int)strlen(refs + at) + 1)
            cl += (size_t)snprintf(conn + cl, sizeof conn - cl, "%s'%s'", c ? ", " : "", refs + at);
        if (cl < sizeof conn) snprintf(conn + cl, sizeof conn - cl, "]");
        const char *yn = cf_report_row_trainable(g, r) ? "Y" : "N";
        const char *fields[] = {name, shape, params, seq ? yn : conn, yn};
        print_row(&sb, fields, ncol, pos, r->level);
        if (o->explain && r->node >= 0) cf_report_explain_node(g, r->node, &sb);
        /* expand_nested: a nested model's layers between bars; after its last layer, and after a nested model that
         * was expanded, no blank line (print_summary's is_nested_last) */
        int next = k + 1 < n_rows ? rows[k + 1].level : 0;
        if (next > r->level) {
            cf_sb_pad(&sb, '|', (size_t)next);
            for (int c = 0; c < width - 2 * next; c++) cf_sb_puts(&sb, "\xc2\xaf"); /* ¯ */
            cf_sb_pad(&sb, '|', (size_t)next);
            cf_sb_puts(&sb, "\n");
            continue;
        }
        for (int l = r->level; l > next; l--) { /* the end of a nested model: its last layer, then its bar */
            cf_sb_pad(&sb, '|', (size_t)(l - 1));
            for (int c = 0; c < width - 2 * (l - 1); c++) cf_sb_puts(&sb, "\xc2\xaf");
            cf_sb_pad(&sb, '|', (size_t)(l - 1));
            cf_sb_puts(&sb, "\n");
        }
        if (next == r->level) {
            cf_sb_pad(&sb, '|', (size_t)r->level);
            cf_sb_pad(&sb, ' ', (size_t)(width - 2 * r->level));
            cf_sb_pad(&sb, '|', (size_t)r->level);
            cf_sb_puts(&sb, "\n");
        }
    }
    cf_sb_pad(&sb, '=', (size_t)width);
    cf_sb_puts(&sb, "\n");
    struct cf_report_totals t;
    cf_report_totals(g, &t);
    /* the sizes are of float32 weights, but for tf.keras' Normalization count, an int64 */
    double int64s = 0;
    for (int i = 0; i < g->n_nodes; i++)
        int64s += !g->nodes[i].hidden && g->nodes[i].shares < 0 && g->nodes[i].op == CF_OP_NORMALIZATION;
    cf_free(rows);
    char m0[64], m1[64], m2[64];
    cf_report_memory_size(m0, sizeof m0, 4.0 * (double)(t.trainable + t.non_trainable) + 4.0 * int64s, "Byte");
    cf_report_memory_size(m1, sizeof m1, 4.0 * (double)t.trainable, "Byte");
    cf_report_memory_size(m2, sizeof m2, 4.0 * (double)t.non_trainable + 4.0 * int64s, "Byte");
    cf_sb_printf(&sb, "Total params: %lld (%s)\n", (long long)(t.trainable + t.non_trainable), m0);
    cf_sb_printf(&sb, "Trainable params: %lld (%s)\n", (long long)t.trainable, m1);
    cf_sb_printf(&sb, "Non-trainable params: %lld (%s)\n", (long long)t.non_trainable, m2);
    cf_report_memory_line(&sb, &t, o, "", "Byte");
    if (o->explain) cf_report_explain_totals(&sb, &t, o);
    cf_sb_pad(&sb, '_', (size_t)width);
    cf_sb_puts(&sb, "\n");
    return cf_sb_take(&sb);
}
