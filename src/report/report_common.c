/* What the three Keras tables share: which nodes are rows, the totals, the --explain footer, the model's name. */
#include <regex.h>
#include <stdlib.h>
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
    const struct cf_node *n = &g->nodes[i];
    return !n->hidden && n->shares < 0 && n->nest < 0 && (g->list_inputs || !cf_op_has(n->op, CF_T_INPUT));
}

/* the rows of one level (a nest's layers, or the model's: nest -1), by rank */
static int cmp_rank(const void *a, const void *b)
{
    const int *x = a, *y = b;
    return (x[0] > y[0]) - (x[0] < y[0]);
}

static int level_rows(const struct cf_graph *g, int nest, struct cf_report_row *out, int level)
{
    int n = 0;
    int (*key)[3] = cf_malloc(sizeof *key * (size_t)(g->n_nodes + g->n_nests + 1));
    if (!key) return -1;
    for (int i = 0; i < g->n_nodes; i++) {
        const struct cf_node *v = &g->nodes[i];
        if (v->nest != nest || v->hidden || v->shares >= 0) continue;
        if (nest < 0 && !cf_report_listed(g, i)) continue;
        key[n][0] = v->rank, key[n][1] = i, key[n][2] = -1, n++;
    }
    for (int t = 0; t < g->n_nests; t++)
        if (g->nests[t].parent == nest && g->nests[t].shares < 0)
            key[n][0] = g->nests[t].rank, key[n][1] = -1, key[n][2] = t, n++;
    qsort(key, (size_t)n, sizeof *key, cmp_rank);
    for (int k = 0; k < n; k++) out[k] = (struct cf_report_row){key[k][1], key[k][2], level};
    cf_free(key);
    return n;
}

static int expand(const struct cf_graph *g, const struct cf_report_row *r, struct cf_report_row *out, int at)
{
    out[at++] = *r;
    if (r->nest < 0) return at;
    struct cf_report_row *kids = cf_malloc(sizeof *kids * (size_t)(g->n_nodes + g->n_nests + 1));
    int n = kids ? level_rows(g, r->nest, kids, r->level + 1) : -1;
    for (int k = 0; k < n && at >= 0; k++) at = expand(g, &kids[k], out, at);
    cf_free(kids);
    return n < 0 ? -1 : at;
}

int cf_report_rows(const struct cf_graph *g, const struct cf_report_opts *o, struct cf_report_row **rows)
{
    size_t cap = (size_t)(g->n_nodes + g->n_nests + 1);
    struct cf_report_row *top = cf_malloc(sizeof *top * cap), *all = cf_malloc(sizeof *all * cap);
    int n = top && all ? level_rows(g, -1, top, 0) : -1, at = 0;
    for (int k = 0; k < n && at >= 0; k++) {
        if (!cf_report_row_in_range(o, k)) continue;
        if (o->expand_nested) at = expand(g, &top[k], all, at);
        else all[at++] = top[k];
    }
    cf_free(top);
    if (n < 0 || at < 0) {
        cf_free(all);
        return -1;
    }
    *rows = all;
    return at;
}

const char *cf_report_row_name(const struct cf_graph *g, const struct cf_report_row *r)
{
    return r->node >= 0 ? g->nodes[r->node].name : g->nests[r->nest].name;
}

const char *cf_report_row_type(const struct cf_graph *g, const struct cf_report_row *r)
{
    return r->node >= 0 ? g->nodes[r->node].type : g->nests[r->nest].type;
}

/* is node i inside nest t (at any depth)? */
static int inside(const struct cf_graph *g, int i, int t)
{
    for (int k = g->nodes[i].nest; k >= 0; k = g->nests[k].parent)
        if (k == t) return 1;
    return 0;
}

int64_t cf_report_row_params(const struct cf_graph *g, const struct cf_report_row *r)
{
    if (r->node >= 0) return g->nodes[r->node].params_trainable + g->nodes[r->node].params_non_trainable;
    int64_t p = 0;
    for (int i = 0; i < g->n_nodes; i++)
        if (g->nodes[i].shares < 0 && inside(g, i, r->nest))
            p += g->nodes[i].params_trainable + g->nodes[i].params_non_trainable;
    return p;
}

int cf_report_row_trainable(const struct cf_graph *g, const struct cf_report_row *r)
{
    return r->node >= 0 ? g->nodes[r->node].trainable : g->nests[r->nest].trainable;
}

/* a row's calls at level 0 (its first and the later ones), by call */
static int calls_of(const struct cf_graph *g, const struct cf_report_row *r, int *out, int max)
{
    int n = 0;
    if (r->node >= 0) {
        for (int i = 0; i < g->n_nodes && n < max; i++)
            if (i == r->node || (g->nodes[i].shares == r->node && g->nodes[i].nest == g->nodes[r->node].nest))
                out[n++] = i;
    } else {
        for (int t = 0; t < g->n_nests && n < max; t++)
            if (t == r->nest || g->nests[t].shares == r->nest) out[n++] = t;
    }
    for (int a = 1; a < n; a++) /* (few: an insertion sort) */
        for (int b = a; b > 0; b--) {
            int ca = r->node >= 0 ? g->nodes[out[b - 1]].call : g->nests[out[b - 1]].call;
            int cb = r->node >= 0 ? g->nodes[out[b]].call : g->nests[out[b]].call;
            if (ca <= cb) break;
            int x = out[b];
            out[b] = out[b - 1];
            out[b - 1] = x;
        }
    return n;
}

#define MAX_CALLS 256

void cf_report_row_shape(const struct cf_graph *g, const struct cf_report_row *r, int multiple, char *out,
                         size_t size)
{
    int calls[MAX_CALLS], n = r->level == 0 ? calls_of(g, r, calls, MAX_CALLS) : 0;
    if (n == 0) calls[n++] = r->node >= 0 ? r->node : r->nest;
    const struct cf_shape *s[MAX_CALLS];
    for (int k = 0; k < n; k++) s[k] = &g->nodes[r->node >= 0 ? calls[k] : g->nests[calls[k]].out].out;
    for (int k = 1; k < n && multiple; k++)
        if (!cf_shape_equal(s[0], s[k])) {
            snprintf(out, size, "multiple");
            return;
        }
    cf_shape_format(s[multiple ? 0 : n - 1], out, size);
}

int cf_report_row_connections(const struct cf_graph *g, const struct cf_report_row *r, char *out, size_t size)
{
    if (r->level > 0) return 0;
    int calls[MAX_CALLS], n = calls_of(g, r, calls, MAX_CALLS), count = 0;
    size_t at = 0;
    for (int c = 0; c < n; c++) {
        int n_in = r->node >= 0 ? g->nodes[calls[c]].n_in : g->nests[calls[c]].n_in;
        for (int k = 0; k < n_in; k++) {
            int q = r->node >= 0 ? g->nodes[calls[c]].in[k] : g->nests[calls[c]].in[k];
            if (g->nodes[q].hidden) continue;
            int t = cf_graph_nest_at(g, q, -1);
            const char *name = t < 0 ? g->nodes[q].name : g->nests[t].name;
            int call = t < 0 ? g->nodes[q].call : g->nests[t].call;
            int w = snprintf(out + at, size - at, "%s[%d][0]", name, call);
            if (w < 0 || (size_t)w + 1 >= size - at) return count;
            at += (size_t)w + 1;
            count++;
        }
    }
    return count;
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
    struct cf_report_opts all = {0};
    struct cf_report_row *rows = NULL;
    int n_rows = cf_report_rows(g, &all, &rows);
    for (int k = 0; k < n_rows; k++) {
        const char *name = cf_report_row_name(g, &rows[k]);
        if (regexec(&re[0], name, 0, NULL, 0) == 0) {
            if (lower_min < 0) lower_min = row;
            lower_max = row;
        }
        if (regexec(&re[1], name, 0, NULL, 0) == 0) {
            if (upper_min < 0) upper_min = row;
            upper_max = row;
        }
        row++;
    }
    cf_free(rows);
    regfree(&re[0]);
    regfree(&re[1]);
    if (n_rows < 0) {
        snprintf(err, size, "out of memory");
        return -1;
    }
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
        const struct cf_node *n = &g->nodes[i];
        /* every call's work, each layer's weights once; a nested model's input is a view, not a layer's output */
        if (n->hidden || (n->nest < 0 && !g->list_inputs && cf_op_has(n->op, CF_T_INPUT))) continue;
        if (n->nest >= 0 && n->op == CF_OP_IDENTITY && strcmp(n->type, "InputLayer") == 0) continue;
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
