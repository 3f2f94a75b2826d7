/* Reference convolutions over NHWC: Conv2D (groups, strides, dilation, same/valid), DepthwiseConv2D,
 * SeparableConv2D, Conv2DTranspose; bias and activation applied as Keras does. */
#include <string.h>

#include "ref.h"

int64_t ref_pad_before(int64_t in, int64_t out, int k, int s, int dil, enum cf_padding p)
{
    if (p == CF_PAD_VALID) return 0;
    int64_t keff = (int64_t)(k - 1) * dil + 1;
    int64_t total = (out - 1) * s + keff - in;
    return total > 0 ? total / 2 : 0;
}

static const float *weight(const struct ref_args *a, const char *name)
{
    const struct cf_tensor *t = cf_weights_get(a->w, a->node, name);
    return t ? t->data : NULL;
}

void ref_conv2d(const struct ref_args *a)
{
    const struct cf_attrs *at = &a->n->a;
    const struct cf_shape *xs = a->in_shape[0], *ys = &a->n->out;
    int64_t N = xs->d[0], H = xs->d[1], W = xs->d[2], C = xs->d[3];
    int64_t Ho = ys->d[1], Wo = ys->d[2], Co = ys->d[3];
    int G = at->groups;
    int64_t cg = C / G, og = Co / G;
    int kh = at->kernel[0], kw = at->kernel[1];
    int64_t pt = ref_pad_before(H, Ho, kh, at->strides[0], at->dilation[0], at->padding);
    int64_t pl = ref_pad_before(W, Wo, kw, at->strides[1], at->dilation[1], at->padding);
    const float *x = a->in[0], *k = weight(a, "kernel"), *b = weight(a, "bias");
    for (int64_t n = 0; n < N; n++)
        for (int64_t oy = 0; oy < Ho; oy++)
            for (int64_t ox = 0; ox < Wo; ox++)
                for (int64_t co = 0; co < Co; co++) {
                    int64_t g = co / og;
                    double acc = b ? b[co] : 0.0;
                    for (int ky = 0; ky < kh; ky++) {
                        int64_t iy = oy * at->strides[0] + (int64_t)ky * at->dilation[0] - pt;
                        if (iy < 0 || iy >= H) continue;
                        for (int kx = 0; kx < kw; kx++) {
                            int64_t ix = ox * at->strides[1] + (int64_t)kx * at->dilation[1] - pl;
                            if (ix < 0 || ix >= W) continue;
                            const float *xp = x + ((n * H + iy) * W + ix) * C + g * cg;
                            const float *kp = k + (((int64_t)ky * kw + kx) * cg) * Co + co;
                            for (int64_t ci = 0; ci < cg; ci++) acc += (double)xp[ci] * kp[ci * Co];
                        }
                    }
                    a->out[((n * Ho + oy) * Wo + ox) * Co + co] = (float)acc;
                }
    ref_apply_act(at, a->out, N * Ho * Wo * Co, Co);
}

/* depthwise stage: out channel c·M + m reads input channel c with kernel [ky][kx][c][m] */
static void depthwise(const struct ref_args *a, const float *x, const float *k, const float *b, float *y)
{
    const struct cf_attrs *at = &a->n->a;
    const struct cf_shape *xs = a->in_shape[0], *ys = &a->n->out;
    int64_t N = xs->d[0], H = xs->d[1], W = xs->d[2], C = xs->d[3], Ho = ys->d[1], Wo = ys->d[2];
    int M = at->depth_multiplier, kh = at->kernel[0], kw = at->kernel[1];
    int64_t pt = ref_pad_before(H, Ho, kh, at->strides[0], at->dilation[0], at->padding);
    int64_t pl = ref_pad_before(W, Wo, kw, at->strides[1], at->dilation[1], at->padding);
    for (int64_t n = 0; n < N; n++)
        for (int64_t oy = 0; oy < Ho; oy++)
            for (int64_t ox = 0; ox < Wo; ox++)
                for (int64_t c = 0; c < C; c++)
                    for (int m = 0; m < M; m++) {
                        double acc = b ? b[c * M + m] : 0.0;
                        for (int ky = 0; ky < kh; ky++) {
                            int64_t iy = oy * at->strides[0] + (int64_t)ky * at->dilation[0] - pt;
                            if (iy < 0 || iy >= H) continue;
                            for (int kx = 0; kx < kw; kx++) {
                                int64_t ix = ox * at->strides[1] + (int64_t)kx * at->dilation[1] - pl;
                                if (ix < 0 || ix >= W) continue;
                                acc += (double)x[((n * H + iy) * W + ix) * C + c] *
                                       k[(((int64_t)ky * kw + kx) * C + c) * M + m];
                            }
                        }
                        y[((n * Ho + oy) * Wo + ox) * C * M + c * M + m] = (float)acc;
                    }
}

void ref_depthwise_conv2d(const struct ref_args *a)
{
    depthwise(a, a->in[0], weight(a, "depthwise_kernel"), weight(a, "bias"), a->out);
    ref_apply_act(&a->n->a, a->out, cf_shape_elems_per_item(&a->n->out) * a->n->out.d[0], a->n->out.d[3]);
}

void ref_separable_conv2d(const struct ref_args *a)
{
    const struct cf_shape *ys = &a->n->out;
    int64_t C = a->in_shape[0]->d[3], M = a->n->a.depth_multiplier, CM = C * M, Co = ys->d[3];
    int64_t pixels = ys->d[0] * ys->d[1] * ys->d[2];
    depthwise(a, a->in[0], weight(a, "depthwise_kernel"), NULL, a->scratch);
    const float *pk = weight(a, "pointwise_kernel"), *b = weight(a, "bias");
    for (int64_t p = 0; p < pixels; p++)
        for (int64_t co = 0; co < Co; co++) {
            double acc = b ? b[co] : 0.0;
            for (int64_t c = 0; c < CM; c++) acc += (double)a->scratch[p * CM + c] * pk[c * Co + co];
            a->out[p * Co + co] = (float)acc;
        }
    ref_apply_act(&a->n->a, a->out, pixels * Co, Co);
}

/* The gradient of a conv: output row oy receives input row iy through tap ky when oy = iy·S + ky·D - pad. */
void ref_conv2d_transpose(const struct ref_args *a)
{
    const struct cf_attrs *at = &a->n->a;
    const struct cf_shape *xs = a->in_shape[0], *ys = &a->n->out;
    int64_t N = xs->d[0], H = xs->d[1], W = xs->d[2], C = xs->d[3], Ho = ys->d[1], Wo = ys->d[2], Co = ys->d[3];
    int kh = at->kernel[0], kw = at->kernel[1], sh = at->strides[0], sw = at->strides[1];
    /* the forward conv maps Ho -> H with this padding */
    int64_t pt = ref_pad_before(Ho, H, kh, sh, at->dilation[0], at->padding);
    int64_t pl = ref_pad_before(Wo, W, kw, sw, at->dilation[1], at->padding);
    const float *x = a->in[0], *k = weight(a, "kernel"), *b = weight(a, "bias");
    for (int64_t n = 0; n < N; n++)
        for (int64_t oy = 0; oy < Ho; oy++)
            for (int64_t ox = 0; ox < Wo; ox++)
                for (int64_t co = 0; co < Co; co++) {
                    double acc = b ? b[co] : 0.0;
                    for (int ky = 0; ky < kh; ky++) {
                        int64_t t = oy + pt - (int64_t)ky * at->dilation[0];
                        if (t < 0 || t % sh) continue;
                        int64_t iy = t / sh;
                        if (iy >= H) continue;
                        for (int kx = 0; kx < kw; kx++) {
                            int64_t u = ox + pl - (int64_t)kx * at->dilation[1];
                            if (u < 0 || u % sw) continue;
                            int64_t ix = u / sw;
                            if (ix >= W) continue;
                            const float *xp = x + ((n * H + iy) * W + ix) * C;
                            const float *kp = k + (((int64_t)ky * kw + kx) * Co + co) * C;
                            for (int64_t ci = 0; ci < C; ci++) acc += (double)xp[ci] * kp[ci];
                        }
                    }
                    a->out[((n * Ho + oy) * Wo + ox) * Co + co] = (float)acc;
                }
    ref_apply_act(at, a->out, N * Ho * Wo * Co, Co);
}
