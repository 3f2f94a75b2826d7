/* Dense: acts on the last axis (on rank > 2, the same weights for every leading position).
 *   out    = in[:-1] + (units,)
 *   params = (Cin + 1)·units   (bias when use_bias)
 *   MACs   = (elements of in[1:-1])·Cin·units                          */
#include "ops.h"

clinfer_status dense_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    const struct cf_shape *x = a->in[0];
    char buf[128];
    cf_shape_format(x, buf, sizeof buf);
    if (x->rank < 2) return cf_fail(d, CLINFER_E_MODEL, "Dense needs an input of rank 2 or more, got %s", buf);
    if (x->d[x->rank - 1] < 0)
        return cf_fail(d, CLINFER_E_MODEL, "the last dimension of the input to Dense should be defined, got %s", buf);
    a->n->out = *x;
    a->n->out.d[x->rank - 1] = a->n->a.filters;
    return CLINFER_OK;
}

int dense_weights(const struct cf_op_args *a, struct cf_weight *w)
{
    const struct cf_shape *x = a->in[0];
    w[0] = (struct cf_weight){"kernel", 2, {x->d[x->rank - 1], a->n->a.filters}, 1};
    if (!a->n->a.use_bias) return 1;
    w[1] = (struct cf_weight){"bias", 1, {a->n->a.filters}, 1};
    return 2;
}

int64_t dense_macs(const struct cf_op_args *a)
{
    const struct cf_shape *x = a->in[0];
    int64_t lead = cf_prod(x->d + 1, x->rank - 2);
    int64_t d[] = {lead, x->d[x->rank - 1], a->n->a.filters};
    return cf_prod(d, 3);
}

void dense_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    const struct cf_shape *x = a->in[0];
    long long cin = (long long)x->d[x->rank - 1], u = (long long)a->n->a.filters;
    long long p = (long long)(a->n->params_trainable + a->n->params_non_trainable);
    if (x->rank > 2) cf_explain_line(sb, "acts on the last axis: %lld -> %lld at each of the leading positions", cin, u);
    if (a->n->a.use_bias)
        cf_explain_line(sb, "params = (Cin + 1)·units = (%lld + 1)·%lld = %lld", cin, u, p);
    else
        cf_explain_line(sb, "params = Cin·units = %lld·%lld = %lld (no bias)", cin, u, p);
    char macs[40];
    cf_fmt_commas(macs, a->n->macs);
    if (x->rank > 2) {
        cf_sb_puts(sb, "    MACs = positions·Cin·units = ");
        struct cf_shape lead = *x;
        lead.rank = x->rank - 1;
        cf_sb_dims(sb, &lead);
        cf_sb_printf(sb, "·%lld·%lld = %s\n", cin, u, a->n->macs < 0 ? "unknown" : macs);
    } else {
        cf_explain_line(sb, "MACs = Cin·units = %lld·%lld = %s", cin, u, macs);
    }
}
