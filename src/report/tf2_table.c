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
static void print_row(struct cf_strbuf *sb, const char *const *fields, int n, const int *pos)
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
            long cutoff = end - start - space - (col != n - 1 ? 1 : 0);
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
                cf_sb_puts(&line, " ");
                cps++;
            }
            cf_sb_putn(&line, left[col], fit);
            cps += cf_utf8_len(left[col], fit);
            cf_sb_pad(&line, ' ', (size_t)space);
            cps += (size_t)space;
            left[col] += fit;
            rem[col] -= fit;
            if (cps < (size_t)pos[col]) {
                cf_sb_pad(&line, ' ', (size_t)pos[col] - cps);
                cps = (size_t)pos[col];
            }
        }
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
    print_row(&sb, head, ncol, pos);
    cf_sb_pad(&sb, '=', (size_t)width);
    cf_sb_puts(&sb, "\n");
    for (int i = 0, row = -1; i < g->n_nodes; i++) {
        if (!cf_report_listed(g, i) || !cf_report_row_in_range(o, ++row)) continue;
        const struct cf_node *n = &g->nodes[i];
        char name[600], shape[300], params[32], conn[MAX_FIELD];
        snprintf(name, sizeof name, "%s (%s)", n->name, n->type);
        /* an InputLayer's output_shape is a list of one */
        int list = cf_op_has(n->op, CF_T_INPUT);
        if (list) shape[0] = '[';
        cf_shape_format(&n->out, shape + list, sizeof shape - 2);
        if (list) strcat(shape, "]");
        snprintf(params, sizeof params, "%lld", (long long)(n->params_trainable + n->params_non_trainable));
        /* str() of the list of connections: ['conv2d[0][0]', 'add[0][0]'] */
        size_t cl = (size_t)snprintf(conn, sizeof conn, "[");
        int first = 1;
        for (int k = 0; k < n->n_in && cl < sizeof conn; k++) {
            if (g->nodes[n->in[k]].hidden) continue;
            cl += (size_t)snprintf(conn + cl, sizeof conn - cl, "%s'%s[0][0]'", first ? "" : ", ",
                                   g->nodes[n->in[k]].name);
            first = 0;
        }
        if (cl < sizeof conn) snprintf(conn + cl, sizeof conn - cl, "]");
        const char *yn = n->trainable ? "Y" : "N";
        const char *fields[] = {name, shape, params, seq ? yn : conn, yn};
        print_row(&sb, fields, ncol, pos);
        if (o->explain) cf_report_explain_node(g, i, &sb);
        cf_sb_pad(&sb, ' ', (size_t)width);
        cf_sb_puts(&sb, "\n");
    }
    cf_sb_pad(&sb, '=', (size_t)width);
    cf_sb_puts(&sb, "\n");
    struct cf_report_totals t;
    cf_report_totals(g, &t);
    /* the sizes are of float32 weights, but for tf.keras' Normalization count, an int64 */
    double int64s = 0;
    for (int i = 0; i < g->n_nodes; i++) int64s += cf_report_listed(g, i) && g->nodes[i].op == CF_OP_NORMALIZATION;
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
