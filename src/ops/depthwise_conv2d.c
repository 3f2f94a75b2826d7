/* DepthwiseConv2D: one Kh×Kw filter per input channel and per depth multiplier.
 *   out channels = Cin·M
 *   params       = Kh·Kw·Cin·M + Cin·M   (bias when use_bias)
 *   MACs         = Ho·Wo·Cin·M·Kh·Kw                               */
#include "ops.h"

clinfer_status depthwise_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    struct cf_node *n = a->n;
    int64_t cin, oh, ow;
    clinfer_status st = cf_require_4d(a, a->in[0], &cin, d);
    if (st || (st = cf_spatial_out(a, "kernel", &oh, &ow, d))) return st;
    n->out = *a->in[0];
    n->out.d[cf_axis_h(a->g)] = oh;
    n->out.d[cf_axis_w(a->g)] = ow;
    n->out.d[cf_axis_c(a->g)] = cin * n->a.depth_multiplier;
    return CLINFER_OK;
}

int depthwise_weights(const struct cf_op_args *a, struct cf_weight *w)
{
    const struct cf_attrs *at = &a->n->a;
    int64_t cin = a->in[0]->d[cf_axis_c(a->g)];
    w[0] = (struct cf_weight){"depthwise_kernel", 4, {at->kernel[0], at->kernel[1], cin, at->depth_multiplier}, 1};
    if (!at->use_bias) return 1;
    w[1] = (struct cf_weight){"bias", 1, {cin * at->depth_multiplier}, 1};
    return 2;
}

int64_t depthwise_macs(const struct cf_op_args *a)
{
    const struct cf_attrs *at = &a->n->a;
    const struct cf_shape *o = &a->n->out;
    int64_t d[] = {o->d[cf_axis_h(a->g)], o->d[cf_axis_w(a->g)], o->d[cf_axis_c(a->g)], at->kernel[0],
                   at->kernel[1]};
    return cf_prod(d, 5);
}

void depthwise_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    const struct cf_attrs *at = &a->n->a;
    long long cin = (long long)a->in[0]->d[cf_axis_c(a->g)];
    int m = at->depth_multiplier;
    const struct cf_shape *o = &a->n->out;
    cf_explain_spatial(a, sb);
    cf_explain_line(sb, "channels = Cin·M = %lld·%d = %lld", cin, m, cin * m);
    long long p = (long long)(a->n->params_trainable + a->n->params_non_trainable);
    if (at->use_bias)
        cf_explain_line(sb, "params = (Kh·Kw + 1)·Cin·M = (%d·%d + 1)·%lld·%d = %lld", at->kernel[0], at->kernel[1],
                        cin, m, p);
    else
        cf_explain_line(sb, "params = Kh·Kw·Cin·M = %d·%d·%lld·%d = %lld (no bias)", at->kernel[0], at->kernel[1],
                        cin, m, p);
    char macs[40];
    cf_fmt_commas(macs, a->n->macs);
    cf_explain_line(sb, "MACs = Ho·Wo·Cin·M·Kh·Kw = %lld·%lld·%lld·%d·%d·%d = %s", (long long)o->d[cf_axis_h(a->g)],
                    (long long)o->d[cf_axis_w(a->g)], cin, m, at->kernel[0], at->kernel[1],
                    a->n->macs < 0 ? "unknown" : macs);
}
