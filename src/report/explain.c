/* The arithmetic behind one layer's row: the op's own explanation, its activation and its output bytes. */
#include "../ops/ops.h"
#include "../util/alloc.h"
#include "report.h"

void cf_report_explain_node(const struct cf_graph *g, int idx, struct cf_strbuf *sb)
{
    struct cf_node *n = &g->nodes[idx];
    const struct cf_shape *small[4];
    const struct cf_shape **in = small;
    if (n->n_in > 4 && !(in = cf_malloc(sizeof *in * (size_t)n->n_in))) {
        sb->oom = 1;
        return;
    }
    for (int i = 0; i < n->n_in; i++) in[i] = &g->nodes[n->in[i]].out;
    struct cf_op_args args = {g, n, in, n->n_in};
    cf_op_verbs(n->op)->explain(&args, sb);
    if (in != small) cf_free((void *)in);
    if (n->a.act != CF_ACT_LINEAR && !cf_op_has(n->op, CF_T_ACT))
        cf_explain_line(sb, "then activation '%s' (element-wise, no parameters)", cf_act_name(n->a.act));
    if (cf_op_has(n->op, CF_T_ACT)) cf_explain_line(sb, "activation '%s'", cf_act_name(n->a.act));
    if (!n->trainable && n->params_non_trainable)
        cf_explain_line(sb, "trainable=False: its %lld parameters count as non-trainable",
                        (long long)n->params_non_trainable);
    int64_t e = cf_shape_elems_per_item(&n->out);
    if (e < 0) {
        cf_explain_line(sb, "output bytes per image: unknown (a dimension is None)");
        return;
    }
    char elems[40], bytes[40];
    cf_fmt_commas(elems, e);
    cf_fmt_commas(bytes, e * 4);
    cf_sb_puts(sb, "    output = ");
    if (n->out.rank > 2) {
        cf_sb_dims(sb, &n->out);
        cf_sb_puts(sb, " = ");
    }
    cf_sb_printf(sb, "%s floats × 4 B = %s B per image\n", elems, bytes);
}
