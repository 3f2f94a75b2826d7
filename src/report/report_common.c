/* What the three Keras tables share: which nodes are rows, the totals, the --explain footer, the model's name. */
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "../util/alloc.h"
#include "report.h"

size_t cf_utf8_prefix(const char *s, size_t len, size_t cps)
{
    size_t i = 0;
    while (i < len && cps > 0) {
        i++;
        while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80) i++;
        cps--;
    }
    return i;
}

size_t cf_utf8_len(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

int cf_report_listed(const struct cf_graph *g, int i)
{
    return !g->nodes[i].hidden && (g->list_inputs || !cf_op_has(g->nodes[i].op, CF_T_INPUT));
}

int cf_report_layer_range(const struct cf_graph *g, const char *first, const char *last, int *lo, int *hi, char *err,
                          size_t size)
{
    regex_t re[2];
    const char *pat[2] = {first, last};
    for (int k = 0; k < 2; k++) {
        /* re.match: a match from the name's start */
        size_t n = strlen(pat[k]) + 8;
        char *anchored = cf_malloc(n);
        int bad = !anchored;
        if (anchored) {
            snprintf(anchored, n, "^(%s)", pat[k]);
            bad = regcomp(&re[k], anchored, REG_EXTENDED | REG_NOSUB) != 0;
            cf_free(anchored);
        }
        if (bad) {
            if (k) regfree(&re[0]);
            snprintf(err, size, "layer_range: '%s' is not a regular expression", pat[k]);
            return -1;
        }
    }
    int lower_min = -1, lower_max = -1, upper_min = -1, upper_max = -1, row = 0;
    for (int i = 0; i < g->n_nodes; i++) {
        if (!cf_report_listed(g, i)) continue;
        if (regexec(&re[0], g->nodes[i].name, 0, NULL, 0) == 0) {
            if (lower_min < 0) lower_min = row;
            lower_max = row;
        }
        if (regexec(&re[1], g->nodes[i].name, 0, NULL, 0) == 0) {
            if (upper_min < 0) upper_min = row;
            upper_max = row;
        }
        row++;
    }
    regfree(&re[0]);
    regfree(&re[1]);
    if (lower_min < 0 || upper_min < 0) {
        snprintf(err, size, "layer_range: '%s' and '%s' do not both match names of the model's layers", first, last);
        return -1;
    }
    /* Keras: [min(lower), max(upper) + 1], or the other way round when the first match comes after the last */
    if (lower_min > upper_max) *lo = upper_min, *hi = lower_max + 1;
    else *lo = lower_min, *hi = upper_max + 1;
    return 0;
}

int cf_report_row_in_range(const struct cf_report_opts *o, int row)
{
    return o->row_hi <= 0 || (row >= o->row_lo && row < o->row_hi);
}

void cf_report_totals(const struct cf_graph *g, struct cf_report_totals *t)
{
    *t = (struct cf_report_totals){0};
    for (int i = 0; i < g->n_nodes; i++) {
        if (!cf_report_listed(g, i)) continue;
        const struct cf_node *n = &g->nodes[i];
        t->trainable += n->params_trainable;
        t->non_trainable += n->params_non_trainable;
        int64_t e = cf_shape_elems_per_item(&n->out);
        if (t->macs >= 0) t->macs = n->macs < 0 ? -1 : t->macs + n->macs;
        if (t->bytes >= 0) t->bytes = e < 0 ? -1 : t->bytes + 4 * e;
    }
}

void cf_report_explain_totals(struct cf_strbuf *sb, const struct cf_report_totals *t, const struct cf_report_opts *o)
{
    cf_sb_puts(sb, "MACs (multiply-accumulates) per image: ");
    if (t->macs < 0) cf_sb_puts(sb, "unknown (a dimension is None)");
    else cf_sb_int_commas(sb, t->macs);
    cf_sb_puts(sb, "\nOutput bytes of all layers per image: ");
    if (t->bytes < 0) cf_sb_puts(sb, "unknown (a dimension is None)");
    else cf_sb_int_commas(sb, t->bytes);
    cf_sb_puts(sb, "\n");
    if (o->batch > 0 && t->macs >= 0 && t->bytes >= 0) {
        cf_sb_printf(sb, "For a batch of %lld: ", (long long)o->batch);
        cf_sb_int_commas(sb, t->macs * o->batch);
        cf_sb_puts(sb, " MACs, ");
        cf_sb_int_commas(sb, t->bytes * o->batch);
        cf_sb_puts(sb, " output bytes\n");
    }
    if (o->plan && o->plan->have) {
        cf_sb_printf(sb, "Planned activation memory (batch %lld): ", (long long)o->plan->batch);
        cf_sb_int_commas(sb, (int64_t)o->plan->arena_bytes);
        cf_sb_puts(sb, " B in one arena; every tensor apart: ");
        cf_sb_int_commas(sb, (int64_t)o->plan->naive_bytes);
        cf_sb_puts(sb, " B\n");
    }
}

void cf_report_memory_line(struct cf_strbuf *sb, const struct cf_report_totals *t, const struct cf_report_opts *o,
                           const char *lead, const char *unit)
{
    (void)t;
    if (!o->memory) return;
    if (!o->mem_batch) {
        cf_sb_printf(sb, "%sDevice memory: unknown (the model cannot be set up at a batch: a dimension besides the "
                         "batch is None)\n",
                     lead);
        return;
    }
    double w = (double)o->mem_weights, a = (double)o->mem_arena;
    char all[64], weights[64], acts[64];
    cf_report_memory_size(all, sizeof all, w + a, unit);
    cf_report_memory_size(weights, sizeof weights, w, unit);
    cf_report_memory_size(acts, sizeof acts, a, unit);
    cf_sb_printf(sb, "%sDevice memory at batch %lld: %s (weights %s + activations %s, the planned arena)\n", lead,
                 (long long)o->mem_batch, all, weights, acts);
}

/* Keras' readable_memory_size: "{:.2f} {}" over Byte, KB, MB, ... (powers of 1024) */
void cf_report_memory_size(char *out, size_t size, double bytes, const char *unit0)
{
    static const char *const units[] = {"", "KB", "MB", "GB", "TB", "PB"};
    int u = 0;
    while (u < 5 && !(bytes / 1024 < 1)) bytes /= 1024, u++;
    snprintf(out, size, "%.2f %s", bytes, u ? units[u] : unit0);
}

const char *cf_report_model_name(const struct cf_graph *g, clinfer_style style)
{
    if (g->name && g->name[0]) return g->name;
    if (g->sequential_like && g->list_inputs == 0) return "sequential";
    return style == CLINFER_STYLE_KERAS3 ? "functional" : "model";
}
