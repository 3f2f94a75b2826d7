/* The summary table exactly as Keras 2 prints it (keras/utils/layer_utils.py, print_summary):
 * 65 columns at positions 29/55/65 for sequential-like models, 98 columns at 32/53/65/98 with a
 * "Connected to" column otherwise; each field is cut to its column and its last character replaced
 * by a space when the next field follows. */
#include <stdio.h>
#include <string.h>

#include "../util/alloc.h"
#include "report.h"

/* Bytes of the first `cps` code points of a UTF-8 string (Python slices by code point). */
static size_t cp_bytes(const char *s, size_t len, size_t cps)
{
    size_t i = 0;
    while (i < len && cps > 0) {
        i++;
        while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80) i++;
        cps--;
    }
    return i;
}

static size_t cp_count(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* line = ''; for each field: line = line[:-1] + ' ' (after the first); line += field;
 * line = line[:pos]; line += ' ' * (pos - len(line)) */
static void print_row(struct cf_strbuf *sb, const char *const *fields, int n, const int *pos)
{
    char line[1024];
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && len > 0) {
            size_t cps = cp_count(line, len);
            len = cp_bytes(line, len, cps - 1);
            line[len++] = ' ';
        }
        size_t have = cp_count(line, len);
        size_t room = have < (size_t)pos[i] ? (size_t)pos[i] - have : 0;
        size_t flen = strlen(fields[i]);
        size_t take = cp_bytes(fields[i], flen, room);
        if (len + take + 128 > sizeof line) take = 0; /* cannot happen with column widths under 100 */
        memcpy(line + len, fields[i], take);
        len += take;
        len = cp_bytes(line, len, (size_t)pos[i]);
        for (size_t c = cp_count(line, len); c < (size_t)pos[i]; c++) line[len++] = ' ';
    }
    cf_sb_putn(sb, line, len);
    cf_sb_puts(sb, "\n");
}

static int listed(const struct cf_graph *g, int i)
{
    return !g->nodes[i].hidden && (g->list_inputs || !cf_op_has(g->nodes[i].op, CF_T_INPUT));
}

char *cf_report_keras(const struct cf_graph *g, int explain, int64_t batch, const struct cf_report_plan *plan)
{
    static const int pos65[] = {29, 55, 65}, pos98[] = {32, 53, 65, 98};
    const int seq = g->sequential_like;
    const int *pos = seq ? pos65 : pos98;
    const int width = seq ? 65 : 98;
    struct cf_strbuf sb = {0};
    static const char *const head[] = {"Layer (type)", "Output Shape", "Param #", "Connected to"};
    cf_sb_pad(&sb, '_', (size_t)width);
    cf_sb_puts(&sb, "\n");
    print_row(&sb, head, seq ? 3 : 4, pos);
    cf_sb_pad(&sb, '=', (size_t)width);
    cf_sb_puts(&sb, "\n");
    int last = -1;
    for (int i = 0; i < g->n_nodes; i++)
        if (listed(g, i)) last = i;
    int64_t trainable = 0, non_trainable = 0, macs = 0, bytes = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        if (!listed(g, i)) continue;
        const struct cf_node *n = &g->nodes[i];
        char name[512], shape[256], params[32], conn[300] = "";
        snprintf(name, sizeof name, "%s (%s)", n->name, n->type);
        cf_shape_format(&n->out, shape, sizeof shape);
        snprintf(params, sizeof params, "%lld", (long long)(n->params_trainable + n->params_non_trainable));
        /* Keras' "Connected to": the layers it reads (not the constants an ONNX node reads) */
        int first = 1;
        for (int k = 0; k < n->n_in && !seq; k++) {
            if (g->nodes[n->in[k]].hidden) continue;
            snprintf(conn, sizeof conn, "%s[0][0]", g->nodes[n->in[k]].name);
            if (first) {
                const char *fields[] = {name, shape, params, conn};
                print_row(&sb, fields, 4, pos);
            } else {
                const char *more[] = {"", "", "", conn};
                print_row(&sb, more, 4, pos);
            }
            first = 0;
        }
        if (first) {
            conn[0] = '\0';
            const char *fields[] = {name, shape, params, conn};
            print_row(&sb, fields, seq ? 3 : 4, pos);
        }
        if (explain) cf_report_explain_node(g, i, &sb);
        cf_sb_pad(&sb, i == last ? '=' : '_', (size_t)width);
        cf_sb_puts(&sb, "\n");
        trainable += n->params_trainable;
        non_trainable += n->params_non_trainable;
        int64_t e = cf_shape_elems_per_item(&n->out);
        if (macs >= 0) macs = n->macs < 0 ? -1 : macs + n->macs;
        if (bytes >= 0) bytes = e < 0 ? -1 : bytes + 4 * e;
    }
    cf_sb_puts(&sb, "Total params: ");
    cf_sb_int_commas(&sb, trainable + non_trainable);
    cf_sb_puts(&sb, "\nTrainable params: ");
    cf_sb_int_commas(&sb, trainable);
    cf_sb_puts(&sb, "\nNon-trainable params: ");
    cf_sb_int_commas(&sb, non_trainable);
    cf_sb_puts(&sb, "\n");
    if (explain) {
        cf_sb_puts(&sb, "MACs (multiply-accumulates) per image: ");
        if (macs < 0) cf_sb_puts(&sb, "unknown (a dimension is None)");
        else cf_sb_int_commas(&sb, macs);
        cf_sb_puts(&sb, "\nOutput bytes of all layers per image: ");
        if (bytes < 0) cf_sb_puts(&sb, "unknown (a dimension is None)");
        else cf_sb_int_commas(&sb, bytes);
        cf_sb_puts(&sb, "\n");
        if (batch > 0 && macs >= 0 && bytes >= 0) {
            cf_sb_printf(&sb, "For a batch of %lld: ", (long long)batch);
            cf_sb_int_commas(&sb, macs * batch);
            cf_sb_puts(&sb, " MACs, ");
            cf_sb_int_commas(&sb, bytes * batch);
            cf_sb_puts(&sb, " output bytes\n");
        }
        if (plan && plan->have) {
            cf_sb_printf(&sb, "Planned activation memory (batch %lld): ", (long long)plan->batch);
            cf_sb_int_commas(&sb, (int64_t)plan->arena_bytes);
            cf_sb_puts(&sb, " B in one arena; every tensor apart: ");
            cf_sb_int_commas(&sb, (int64_t)plan->naive_bytes);
            cf_sb_puts(&sb, " B\n");
        }
    }
    cf_sb_pad(&sb, '_', (size_t)width);
    cf_sb_puts(&sb, "\n");
    return cf_sb_take(&sb);
}
