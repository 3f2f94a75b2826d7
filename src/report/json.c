/* The summary's facts as one JSON document, for machines. */
#include <string.h>

#include "../util/alloc.h"
#include "report.h"

static void json_int_or_null(struct cf_strbuf *sb, int64_t v)
{
    if (v < 0) cf_sb_puts(sb, "null");
    else cf_sb_printf(sb, "%lld", (long long)v);
}

/* Explain text lines as a JSON array of strings, without their indent. */
static void json_lines(struct cf_strbuf *sb, const char *text)
{
    cf_sb_puts(sb, "[");
    int first = 1;
    while (text && *text) {
        const char *nl = strchr(text, '\n');
        size_t len = nl ? (size_t)(nl - text) : strlen(text);
        while (len > 0 && *text == ' ') text++, len--;
        char *line = cf_strndup(text, len);
        if (!line) {
            sb->oom = 1;
            return;
        }
        cf_sb_puts(sb, first ? "" : ", ");
        cf_sb_json_str(sb, line);
        cf_free(line);
        first = 0;
        text = nl ? nl + 1 : text + len;
    }
    cf_sb_puts(sb, "]");
}

char *cf_report_json(const struct cf_graph *g, int explain, int64_t batch, const struct cf_report_plan *plan)
{
    struct cf_strbuf sb = {0};
    cf_sb_puts(&sb, "{\n  \"model\": ");
    cf_sb_json_str(&sb, g->name ? g->name : "");
    cf_sb_puts(&sb, ",\n  \"file\": ");
    cf_sb_json_str(&sb, g->file ? g->file : "");
    cf_sb_printf(&sb, ",\n  \"layout\": \"%s\",\n  \"batch\": ", g->layout == CF_LAYOUT_NHWC ? "NHWC" : "NCHW");
    if (batch > 0) cf_sb_printf(&sb, "%lld", (long long)batch);
    else cf_sb_puts(&sb, "null");
    cf_sb_puts(&sb, ",\n  \"macs_are\": \"multiply-accumulates per image\",\n  \"layers\": [");
    int64_t trainable = 0, non_trainable = 0, macs = 0, bytes = 0;
    int first = 1;
    for (int i = 0; i < g->n_nodes; i++) {
        const struct cf_node *n = &g->nodes[i];
        if ((!g->list_inputs && cf_op_has(n->op, CF_T_INPUT)) || n->hidden) continue;
        cf_sb_puts(&sb, first ? "\n    {" : ",\n    {");
        first = 0;
        cf_sb_puts(&sb, "\"name\": ");
        cf_sb_json_str(&sb, n->name);
        cf_sb_puts(&sb, ", \"type\": ");
        cf_sb_json_str(&sb, n->type);
        cf_sb_puts(&sb, ", \"inputs\": [");
        for (int k = 0, first_in = 1; k < n->n_in; k++) {
            if (g->nodes[n->in[k]].hidden) continue;
            cf_sb_puts(&sb, first_in ? "" : ", ");
            cf_sb_json_str(&sb, g->nodes[n->in[k]].name);
            first_in = 0;
        }
        cf_sb_puts(&sb, "], \"output_shape\": [");
        for (int k = 0; k < n->out.rank; k++) {
            cf_sb_puts(&sb, k ? ", " : "");
            json_int_or_null(&sb, n->out.d[k]);
        }
        int64_t e = cf_shape_elems_per_item(&n->out);
        cf_sb_printf(&sb, "], \"trainable_params\": %lld, \"non_trainable_params\": %lld, \"macs\": ",
                     (long long)n->params_trainable, (long long)n->params_non_trainable);
        json_int_or_null(&sb, n->macs);
        cf_sb_puts(&sb, ", \"output_bytes\": ");
        json_int_or_null(&sb, e < 0 ? -1 : e * 4);
        if (n->a.act != CF_ACT_LINEAR) cf_sb_printf(&sb, ", \"activation\": \"%s\"", cf_act_name(n->a.act));
        /* every call of a shared layer and of a nested model's layers is a node: which call, whose weights, in what */
        if (n->shares >= 0 || n->call > 0) cf_sb_printf(&sb, ", \"call\": %d", n->call);
        if (n->shares >= 0) {
            cf_sb_puts(&sb, ", \"weights_of\": ");
            cf_sb_json_str(&sb, g->nodes[n->shares].name);
        }
        if (n->nest >= 0) {
            cf_sb_puts(&sb, ", \"nested_in\": ");
            cf_sb_json_str(&sb, g->nests[n->nest].name);
            cf_sb_printf(&sb, ", \"nested_call\": %d", g->nests[n->nest].call);
        }
        if (explain) {
            struct cf_strbuf ex = {0};
            cf_report_explain_node(g, i, &ex);
            char *text = cf_sb_take(&ex);
            if (!text) sb.oom = 1;
            cf_sb_puts(&sb, ", \"explain\": ");
            json_lines(&sb, text);
            cf_free(text);
        }
        cf_sb_puts(&sb, "}");
        trainable += n->params_trainable;
        non_trainable += n->params_non_trainable;
        if (macs >= 0) macs = n->macs < 0 ? -1 : macs + n->macs;
        if (bytes >= 0) bytes = e < 0 ? -1 : bytes + 4 * e;
    }
    cf_sb_printf(&sb, "\n  ],\n  \"total_params\": %lld,\n  \"trainable_params\": %lld,\n"
                      "  \"non_trainable_params\": %lld,\n  \"total_macs\": ",
                 (long long)(trainable + non_trainable), (long long)trainable, (long long)non_trainable);
    json_int_or_null(&sb, macs);
    cf_sb_puts(&sb, ",\n  \"total_output_bytes\": ");
    json_int_or_null(&sb, bytes);
    if (plan && plan->have)
        cf_sb_printf(&sb, ",\n  \"plan\": {\"batch\": %lld, \"arena_bytes\": %zu, \"naive_bytes\": %zu}",
                     (long long)plan->batch, plan->arena_bytes, plan->naive_bytes);
    cf_sb_puts(&sb, "\n}\n");
    return cf_sb_take(&sb);
}
