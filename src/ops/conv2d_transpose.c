/* Conv2DTranspose: Keras' deconv_length, with K dilated first (K = k + (k - 1)(D - 1)):
 *   output_padding None:  valid: O = W·S + max(K - S, 0)     same: O = W·S
 *   output_padding p:     O = (W - 1)·S + K - 2·pad + p,  pad = K/2 (same) or 0 (valid)
 *   params = (Kh·Kw·Cin + 1)·Cout;  kernel shape (Kh, Kw, Cout, Cin)
 *   MACs   = Hin·Win·Cin·Kh·Kw·Cout                                                  */
#include "ops.h"

static int64_t deconv_len(int64_t in, int k, int s, int dil, enum cf_padding p, int outpad)
{
    if (in < 0) return -1;
    int64_t K = (int64_t)k + (int64_t)(k - 1) * (dil - 1);
    if (outpad < 0) {
        if (p == CF_PAD_VALID) return in * s + (K - s > 0 ? K - s : 0);
        return in * s;
    }
    int64_t pad = p == CF_PAD_SAME ? K / 2 : 0;
    return (in - 1) * s + K - 2 * pad + outpad;
}

clinfer_status conv2d_transpose_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    struct cf_node *n = a->n;
    const struct cf_attrs *at = &n->a;
    int64_t cin;
    clinfer_status st = cf_require_4d(a, a->in[0], &cin, d);
    if (st) return st;
    for (int i = 0; i < 2; i++)
        if (at->output_padding[i] >= 0 && at->output_padding[i] >= at->strides[i])
            return cf_fail(d, CLINFER_E_MODEL, "strides (%d, %d) must be greater than output_padding (%d, %d)",
                           at->strides[0], at->strides[1], at->output_padding[0], at->output_padding[1]);
    int ax[2] = {cf_axis_h(a->g), cf_axis_w(a->g)};
    n->out = *a->in[0];
    for (int i = 0; i < 2; i++) {
        int64_t o = deconv_len(a->in[0]->d[ax[i]], at->kernel[i], at->strides[i], at->dilation[i], at->padding,
                               at->output_padding[i]);
        if (o == 0 || o < -1) return cf_fail(d, CLINFER_E_MODEL, "the output would have %lld %s", (long long)o,
                                             i ? "cols" : "rows");
        n->out.d[ax[i]] = o;
    }
    n->out.d[cf_axis_c(a->g)] = at->filters;
    return CLINFER_OK;
}

int conv2d_transpose_weights(const struct cf_op_args *a, struct cf_weight *w)
{
    const struct cf_attrs *at = &a->n->a;
    int64_t cin = a->in[0]->d[cf_axis_c(a->g)];
    w[0] = (struct cf_weight){"kernel", 4, {at->kernel[0], at->kernel[1], at->filters, cin}, 1};
    if (!at->use_bias) return 1;
    w[1] = (struct cf_weight){"bias", 1, {at->filters}, 1};
    return 2;
}

int64_t conv2d_transpose_macs(const struct cf_op_args *a)
{
    const struct cf_attrs *at = &a->n->a;
    const struct cf_shape *x = a->in[0];
    int64_t d[] = {x->d[cf_axis_h(a->g)], x->d[cf_axis_w(a->g)], x->d[cf_axis_c(a->g)], at->kernel[0], at->kernel[1],
                   at->filters};
    return cf_prod(d, 6);
}

void conv2d_transpose_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    const struct cf_attrs *at = &a->n->a;
    const struct cf_shape *x = a->in[0];
    int ax[2] = {cf_axis_h(a->g), cf_axis_w(a->g)};
    const char *label[2] = {"rows", "cols"};
    for (int i = 0; i < 2; i++) {
        long long in = (long long)x->d[ax[i]], out = (long long)a->n->out.d[ax[i]];
        int k = at->kernel[i], s = at->strides[i];
        int K = k + (k - 1) * (at->dilation[i] - 1);
        if (in < 0) {
            cf_explain_line(sb, "%s: O = None (the input dimension is None)", label[i]);
        } else if (at->output_padding[i] < 0 && at->padding == CF_PAD_VALID) {
            cf_explain_line(sb, "%s: O = W·S + max(K - S, 0) = %lld·%d + max(%d - %d, 0) = %lld", label[i], in, s, K, s,
                            out);
        } else if (at->output_padding[i] < 0) {
            cf_explain_line(sb, "%s: O = W·S = %lld·%d = %lld ('same')", label[i], in, s, out);
        } else {
            int pad = at->padding == CF_PAD_SAME ? K / 2 : 0;
            cf_explain_line(sb, "%s: O = (W - 1)·S + K - 2·pad + output_padding = (%lld - 1)·%d + %d - 2·%d + %d = %lld",
                            label[i], in, s, K, pad, at->output_padding[i], out);
        }
    }
    long long cin = (long long)x->d[cf_axis_c(a->g)], cout = (long long)at->filters;
    long long p = (long long)(a->n->params_trainable + a->n->params_non_trainable);
    if (at->use_bias)
        cf_explain_line(sb, "params = Kh·Kw·Cin·Cout + Cout = %d·%d·%lld·%lld + %lld = %lld", at->kernel[0],
                        at->kernel[1], cin, cout, cout, p);
    else
        cf_explain_line(sb, "params = Kh·Kw·Cin·Cout = %d·%d·%lld·%lld = %lld (no bias)", at->kernel[0], at->kernel[1],
                        cin, cout, p);
    char macs[40];
    cf_fmt_commas(macs, a->n->macs);
    cf_explain_line(sb, "MACs = Hin·Win·Cin·Kh·Kw·Cout = %lld·%lld·%lld·%d·%d·%lld = %s", (long long)x->d[ax[0]],
                    (long long)x->d[ax[1]], cin, at->kernel[0], at->kernel[1], cout,
                    a->n->macs < 0 ? "unknown" : macs);
}
