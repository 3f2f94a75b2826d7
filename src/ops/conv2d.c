/* Conv2D: shape rule, weights and MACs.
 *   out rows/cols = conv_output_length(in, K, S, D, padding)  (see spatial.c)
 *   out channels  = filters
 *   params        = (Kh·Kw·Cin/G + 1)·Cout   (the +1 is the bias, when use_bias)
 *   MACs          = Ho·Wo·Cout·Kh·Kw·Cin/G                                          */
#include "ops.h"

#include "../util/checked.h"

clinfer_status conv2d_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    struct cf_node *n = a->n;
    const struct cf_attrs *at = &n->a;
    int64_t cin, oh, ow;
    clinfer_status st = cf_require_4d(a, a->in[0], &cin, d);
    if (st) return st;
    if (at->groups < 1 || cin % at->groups != 0)
        return cf_fail(d, CLINFER_E_MODEL, "the number of input channels (%lld) must be divisible by groups (%d)",
                       (long long)cin, at->groups);
    if (at->filters % at->groups != 0)
        return cf_fail(d, CLINFER_E_MODEL, "the number of filters (%lld) must be divisible by groups (%d)",
                       (long long)at->filters, at->groups);
    if ((st = cf_spatial_out(a, "kernel", &oh, &ow, d))) return st;
    n->out = *a->in[0];
    n->out.d[cf_axis_h(a->g)] = oh;
    n->out.d[cf_axis_w(a->g)] = ow;
    n->out.d[cf_axis_c(a->g)] = at->filters;
    return CLINFER_OK;
}

int conv2d_weights(const struct cf_op_args *a, struct cf_weight *w)
{
    const struct cf_attrs *at = &a->n->a;
    int64_t cin = a->in[0]->d[cf_axis_c(a->g)];
    w[0] = (struct cf_weight){"kernel", 4, {at->kernel[0], at->kernel[1], cin / at->groups, at->filters}, 1};
    if (!at->use_bias) return 1;
    w[1] = (struct cf_weight){"bias", 1, {at->filters}, 1};
    return 2;
}

int64_t conv2d_macs(const struct cf_op_args *a)
{
    const struct cf_attrs *at = &a->n->a;
    const struct cf_shape *o = &a->n->out;
    int64_t d[] = {o->d[cf_axis_h(a->g)], o->d[cf_axis_w(a->g)], at->filters, at->kernel[0], at->kernel[1],
                   a->in[0]->d[cf_axis_c(a->g)] / at->groups};
    return cf_prod(d, 6);
}

void conv2d_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    const struct cf_attrs *at = &a->n->a;
    long long cin = (long long)a->in[0]->d[cf_axis_c(a->g)], cout = (long long)at->filters;
    int kh = at->kernel[0], kw = at->kernel[1], g = at->groups;
    int sq = kh == kw;
    char K[16], k[32], cinf[16], cinv[48];
    snprintf(K, sizeof K, "%s", a->one_d ? "K" : sq ? "K·K" : "Kh·Kw");
    if (a->one_d) snprintf(k, sizeof k, "%d", kw); /* Conv1D: its rows are the one of height 1 */
    else snprintf(k, sizeof k, "%d·%d", kh, kw);
    snprintf(cinf, sizeof cinf, "%s", g > 1 ? "Cin/G" : "Cin");
    if (g > 1) snprintf(cinv, sizeof cinv, "%lld/%d", cin, g);
    else snprintf(cinv, sizeof cinv, "%lld", cin);
    cf_explain_spatial(a, sb);
    int64_t p = a->n->params_trainable + a->n->params_non_trainable;
    if (at->use_bias)
        cf_explain_line(sb, "params = (%s·%s + 1)·Cout = (%s·%s + 1)·%lld = %lld", K, cinf, k, cinv, cout,
                        (long long)p);
    else
        cf_explain_line(sb, "params = %s·%s·Cout = %s·%s·%lld = %lld (no bias)", K, cinf, k, cinv, cout,
                        (long long)p);
    const struct cf_shape *o = &a->n->out;
    char macs[40];
    cf_fmt_commas(macs, a->n->macs);
    if (a->one_d)
        cf_explain_line(sb, "MACs = Wo·Cout·%s·%s = %lld·%lld·%s·%s = %s", K, cinf, (long long)o->d[cf_axis_w(a->g)],
                        cout, k, cinv, a->n->macs < 0 ? "unknown" : macs);
    else
        cf_explain_line(sb, "MACs = Ho·Wo·Cout·%s·%s = %lld·%lld·%lld·%s·%s = %s", K, cinf,
                        (long long)o->d[cf_axis_h(a->g)], (long long)o->d[cf_axis_w(a->g)], cout, k, cinv,
                        a->n->macs < 0 ? "unknown" : macs);
}
