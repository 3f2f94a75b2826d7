/* Conv2DTranspose (Keras) and ConvTranspose (ONNX), K dilated first (K = k + (k - 1)(D - 1)):
 *   Keras, output_padding None:  valid: O = W·S + max(K - S, 0)     same: O = W·S
 *   Keras, output_padding p:     O = (W - 1)·S + K - 2·(K/2 or 0) + p
 *   explicit pads (ONNX):        O = (W - 1)·S + p + K - Pb - Pe; or output_shape given, pads derived from it
 * The pads before (pads[0], pads[2]) are those of the forward conv from O back to W, which the kernels read.
 *   params = (Kh·Kw·Cin + 1)·Cout;  kernel shape (Kh, Kw, Cout, Cin)
 *   MACs   = Hin·Win·Cin·Kh·Kw·Cout                                                  */
#include "ops.h"

/* One axis: sets *out and the pads. */
static void deconv_axis(const struct cf_attrs *at, int i, int64_t in, int64_t *out, int *pb, int *pe)
{
    int64_t s = at->strides[i], K = (int64_t)at->kernel[i] + (int64_t)(at->kernel[i] - 1) * (at->dilation[i] - 1);
    int64_t op = at->output_padding[i] < 0 ? 0 : at->output_padding[i], o, total;
    if (in < 0) {
        *out = -1;
        return;
    }
    if (at->onnx) {
        /* ONNX: explicit pads give the size; output_shape or auto_pad SAME give the pads, the odd one at the end
         * for SAME_UPPER, at the start otherwise */
        if (at->output_shape[i] < 0 && at->padding == CF_PAD_EXPLICIT) {
            *out = (in - 1) * s + op + K - *pb - *pe;
            return;
        }
        o = at->output_shape[i] >= 0 ? at->output_shape[i] : in * s;
        total = (in - 1) * s + op + K - o;
        int64_t half = total >= 0 ? total / 2 : -((1 - total) / 2); /* floor(total / 2): negative pads extend */
        *pb = (int)(at->padding == CF_PAD_SAME ? half : total - half);
        *pe = (int)(total - *pb);
        *out = o;
        return;
    }
    if (at->output_shape[i] >= 0 || at->padding != CF_PAD_EXPLICIT) {
        if (at->output_shape[i] >= 0) o = at->output_shape[i];
        else if (at->output_padding[i] >= 0 && at->padding != CF_PAD_SAME_LOWER) /* Keras with output_padding */
            o = (in - 1) * s + K - 2 * (at->padding == CF_PAD_SAME ? K / 2 : 0) + op;
        else if (at->padding == CF_PAD_VALID) o = in * s + (K - s > 0 ? K - s : 0);
        else o = in * s;
        total = (in - 1) * s + op + K - o;
        if (at->padding == CF_PAD_VALID && at->output_shape[i] < 0) total = 0; /* extra rows at the end: bias only */
        /* TensorFlow (and Keras 3, which follows it) takes the leading pad from the forward 'same' convolution from O
         * back to W alone: half of max((W - 1)·S + K - O, 0), rounded down; output_padding only adds at the end */
        int64_t fwd = (in - 1) * s + K - o;
        *pb = (int)(at->padding == CF_PAD_SAME ? (fwd > 0 ? fwd / 2 : 0) : total - total / 2);
        if (total < 0) *pb = 0;
        *pe = (int)(total - *pb);
        *out = o;
        return;
    }
    *out = (in - 1) * s + op + K - *pb - *pe;
}

clinfer_status conv2d_transpose_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    struct cf_node *n = a->n;
    struct cf_attrs *at = &n->a;
    int64_t cin;
    clinfer_status st = cf_require_4d(a, a->in[0], &cin, d);
    if (st) return st;
    for (int i = 0; i < 2; i++)
        if (at->output_padding[i] >= 0 && at->output_padding[i] >= at->strides[i] &&
            at->output_padding[i] >= at->dilation[i])
            return cf_fail(d, CLINFER_E_MODEL, "strides (%d, %d) must be greater than output_padding (%d, %d)",
                           at->strides[0], at->strides[1], at->output_padding[0], at->output_padding[1]);
    int ax[2] = {cf_axis_h(a->g), cf_axis_w(a->g)};
    n->out = *a->in[0];
    for (int i = 0; i < 2; i++) {
        int64_t o;
        deconv_axis(at, i, a->in[0]->d[ax[i]], &o, &at->pads[2 * i], &at->pads[2 * i + 1]);
        if (o == 0 || o < -1)
            return cf_fail(d, CLINFER_E_MODEL, "the output would have %lld %s", (long long)o, i ? "cols" : "rows");
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
        int op = at->output_padding[i] < 0 ? 0 : at->output_padding[i];
        if (in < 0) {
            cf_explain_line(sb, "%s: O = None (the input dimension is None)", label[i]);
        } else if (at->padding == CF_PAD_EXPLICIT && at->output_shape[i] < 0) {
            cf_explain_line(sb, "%s: O = (W - 1)·S + output_padding + K - Pb - Pe = (%lld - 1)·%d + %d + %d - %d - %d = %lld",
                            label[i], in, s, op, K, at->pads[2 * i], at->pads[2 * i + 1], out);
        } else if (at->output_shape[i] >= 0) {
            cf_explain_line(sb, "%s: O = output_shape = %lld (pads %d before, %d after)", label[i], out, at->pads[2 * i],
                            at->pads[2 * i + 1]);
        } else if (at->output_padding[i] < 0 && at->padding == CF_PAD_VALID) {
            cf_explain_line(sb, "%s: O = W·S + max(K - S, 0) = %lld·%d + max(%d - %d, 0) = %lld", label[i], in, s, K, s,
                            out);
        } else if (at->output_padding[i] < 0) {
            cf_explain_line(sb, "%s: O = W·S = %lld·%d = %lld ('same')", label[i], in, s, out);
        } else {
            int pad = at->padding == CF_PAD_SAME ? K / 2 : 0;
            cf_explain_line(sb, "%s: O = (W - 1)·S + K - 2·pad + output_padding = (%lld - 1)·%d + %d - 2·%d + %d = %lld",
                            label[i], in, s, K, pad, op, out);
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
