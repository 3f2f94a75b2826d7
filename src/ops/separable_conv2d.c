/* SeparableConv2D: a depthwise Kh×Kw conv (multiplier M) followed by a 1×1 pointwise conv.
 *   params = Kh·Kw·Cin·M + Cin·M·Cout + Cout   (bias when use_bias)
 *   MACs   = Ho·Wo·Cin·M·(Kh·Kw + Cout)                                */
#include "ops.h"

#include "../util/checked.h"

clinfer_status separable_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    struct cf_node *n = a->n;
    int64_t cin, oh, ow;
    clinfer_status st = cf_require_4d(a, a->in[0], &cin, d);
    if (st || (st = cf_spatial_out(a, "kernel", &oh, &ow, d))) return st;
    n->out = *a->in[0];
    n->out.d[cf_axis_h(a->g)] = oh;
    n->out.d[cf_axis_w(a->g)] = ow;
    n->out.d[cf_axis_c(a->g)] = n->a.filters;
    return CLINFER_OK;
}

int separable_weights(const struct cf_op_args *a, struct cf_weight *w)
{
    const struct cf_attrs *at = &a->n->a;
    int64_t cin = a->in[0]->d[cf_axis_c(a->g)];
    int m = at->depth_multiplier;
    w[0] = (struct cf_weight){"depthwise_kernel", 4, {at->kernel[0], at->kernel[1], cin, m}, 1};
    w[1] = (struct cf_weight){"pointwise_kernel", 4, {1, 1, cin * m, at->filters}, 1};
    if (!at->use_bias) return 2;
    w[2] = (struct cf_weight){"bias", 1, {at->filters}, 1};
    return 3;
}

int64_t separable_macs(const struct cf_op_args *a)
{
    const struct cf_attrs *at = &a->n->a;
    const struct cf_shape *o = &a->n->out;
    int64_t d[] = {o->d[cf_axis_h(a->g)], o->d[cf_axis_w(a->g)], a->in[0]->d[cf_axis_c(a->g)] * at->depth_multiplier,
                   (int64_t)at->kernel[0] * at->kernel[1] + at->filters};
    return cf_prod(d, 4);
}

void separable_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    const struct cf_attrs *at = &a->n->a;
    long long cin = (long long)a->in[0]->d[cf_axis_c(a->g)], cout = (long long)at->filters;
    int m = at->depth_multiplier, kh = at->kernel[0], kw = at->kernel[1];
    const struct cf_shape *o = &a->n->out;
    cf_explain_spatial(a, sb);
    long long p = (long long)(a->n->params_trainable + a->n->params_non_trainable);
    if (at->use_bias)
        cf_explain_line(sb, "params = Kh·Kw·Cin·M + Cin·M·Cout + Cout = %d·%d·%lld·%d + %lld·%d·%lld + %lld = %lld", kh,
                        kw, cin, m, cin, m, cout, cout, p);
    else
        cf_explain_line(sb, "params = Kh·Kw·Cin·M + Cin·M·Cout = %d·%d·%lld·%d + %lld·%d·%lld = %lld (no bias)", kh,
                        kw, cin, m, cin, m, cout, p);
    char macs[40];
    cf_fmt_commas(macs, a->n->macs);
    cf_explain_line(sb, "MACs = Ho·Wo·Cin·M·(Kh·Kw + Cout) = %lld·%lld·%lld·%d·(%d·%d + %lld) = %s",
                    (long long)o->d[cf_axis_h(a->g)], (long long)o->d[cf_axis_w(a->g)], cin, m, kh, kw, cout,
                    a->n->macs < 0 ? "unknown" : macs);
}

/* the depthwise stage's output, between the two stages: N·Ho·Wo·Cin·M */
int64_t separable_scratch(const struct cf_op_args *a)
{
    int64_t cin = a->in[0]->d[cf_axis_c(a->g)];
    const struct cf_shape *s = &a->n->out;
    int64_t d[] = {s->d[0], cf_shape_elems_per_item(s) / a->n->a.filters, cin, a->n->a.depth_multiplier};
    int64_t p = 1;
    for (int i = 0; i < 4; i++)
        if (d[i] < 0 || !cf_mul_ok(p, d[i], &p)) return -1;
    return p;
}
