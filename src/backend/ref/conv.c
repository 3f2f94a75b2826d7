/* Reference convolutions over NHWC or NCHW: Conv2D (groups, strides, dilation, pads), DepthwiseConv2D,
 * SeparableConv2D, Conv2DTranspose; bias and activation applied as Keras does. Kernels in Keras' layouts:
 * [KH][KW][Cin/G][Cout], depthwise [KH][KW][C][M], transpose [KH][KW][Cout][Cin]. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "ref.h"


/* the activation of a 4-D output, whichever its layout (softmax runs along the channels) */
static void act4(const struct ref_args *a, float *y)
{
    const struct cf_attrs *at = &a->n->a;
    if (at->act == CF_ACT_LINEAR) return;
    struct dims4 o = ref_dims4(&a->n->out, a->g->layout);
    if (at->act != CF_ACT_SOFTMAX && at->act != CF_ACT_LOG_SOFTMAX) {
        ref_apply_act(at, y, o.n * o.h * o.w * o.c, o.c);
        return;
    }
    int nhwc = a->g->layout == CF_LAYOUT_NHWC;
    ref_softmax(y, nhwc ? o.n * o.h * o.w : o.n, o.c, nhwc ? 1 : o.h * o.w, at->act == CF_ACT_LOG_SOFTMAX);
}

/* one output of the convolution, bias included, before the activation */
static double conv_at(const struct ref_args *a, const float *k, const float *b, struct dims4 x, struct dims4 y, int64_t n,
                      int64_t oy, int64_t ox, int64_t co)
{
    const struct cf_attrs *at = &a->n->a;
    int64_t cg = x.c / at->groups, g = co / (y.c / at->groups);
    int kh = at->kernel[0], kw = at->kernel[1];
    const float *xd = a->in[0];
    double acc = b ? b[co] : 0.0;
    for (int ky = 0; ky < kh; ky++) {
        int64_t iy = oy * at->strides[0] + (int64_t)ky * at->dilation[0] - at->pads[0];
        if (iy < 0 || iy >= x.h) continue;
        for (int kx = 0; kx < kw; kx++) {
            int64_t ix = ox * at->strides[1] + (int64_t)kx * at->dilation[1] - at->pads[2];
            if (ix < 0 || ix >= x.w) continue;
            const float *kp = k + (((int64_t)ky * kw + kx) * cg) * y.c + co;
            for (int64_t ci = 0; ci < cg; ci++) acc += (double)xd[AT4(x, n, iy, ix, g * cg + ci)] * kp[ci * y.c];
        }
    }
    return acc;
}

void ref_conv2d(const struct ref_args *a)
{
    const struct cf_attrs *at = &a->n->a;
    struct dims4 x = ref_dims4(a->in_shape[0], a->g->layout), y = ref_dims4(&a->n->out, a->g->layout);
    int pk = at->fused_pool > 1 ? at->fused_pool : 1;
    const float *k = ref_weight(a, "kernel"), *b = ref_weight(a, "bias");
    for (int64_t n = 0; n < y.n; n++)
        for (int64_t oy = 0; oy < y.h; oy++)
            for (int64_t ox = 0; ox < y.w; ox++)
                for (int64_t co = 0; co < y.c; co++) {
                    if (pk == 1) {
                        a->out[AT4(y, n, oy, ox, co)] = (float)conv_at(a, k, b, x, y, n, oy, ox, co);
                        continue;
                    }
                    /* fused max pool: the activation of each pixel of the window, then their maximum */
                    double m = -INFINITY;
                    for (int py = 0; py < pk; py++)
                        for (int px = 0; px < pk; px++) {
                            double v = cf_act_apply(at->act, (float)conv_at(a, k, b, x, y, n, oy * pk + py, ox * pk + px, co),
                                                    at);
                            m = ref_max(m, v);
                        }
                    a->out[AT4(y, n, oy, ox, co)] = (float)m;
                }
    if (pk == 1) act4(a, a->out);
}

/* depthwise stage: out channel c·M + m reads input channel c with kernel [ky][kx][c][m] */
static void depthwise(const struct ref_args *a, const float *xd, const float *k, const float *b, float *yd,
                      struct dims4 y)
{
    const struct cf_attrs *at = &a->n->a;
    struct dims4 x = ref_dims4(a->in_shape[0], a->g->layout);
    int M = at->depth_multiplier, kh = at->kernel[0], kw = at->kernel[1];
    for (int64_t n = 0; n < y.n; n++)
        for (int64_t oy = 0; oy < y.h; oy++)
            for (int64_t ox = 0; ox < y.w; ox++)
                for (int64_t c = 0; c < x.c; c++)
                    for (int m = 0; m < M; m++) {
                        double acc = b ? b[c * M + m] : 0.0;
                        for (int ky = 0; ky < kh; ky++) {
                            int64_t iy = oy * at->strides[0] + (int64_t)ky * at->dilation[0] - at->pads[0];
                            if (iy < 0 || iy >= x.h) continue;
                            for (int kx = 0; kx < kw; kx++) {
                                int64_t ix = ox * at->strides[1] + (int64_t)kx * at->dilation[1] - at->pads[2];
                                if (ix < 0 || ix >= x.w) continue;
                                acc += (double)xd[AT4(x, n, iy, ix, c)] * k[(((int64_t)ky * kw + kx) * x.c + c) * M + m];
                            }
                        }
                        yd[AT4(y, n, oy, ox, c * M + m)] = (float)acc;
                    }
}

void ref_depthwise_conv2d(const struct ref_args *a)
{
    depthwise(a, a->in[0], ref_weight(a, "depthwise_kernel"), ref_weight(a, "bias"), a->out,
              ref_dims4(&a->n->out, a->g->layout));
    act4(a, a->out);
}

void ref_separable_conv2d(const struct ref_args *a)
{
    struct dims4 y = ref_dims4(&a->n->out, a->g->layout), x = ref_dims4(a->in_shape[0], a->g->layout);
    int64_t CM = x.c * a->n->a.depth_multiplier;
    struct cf_shape ts = a->n->out; /* the depthwise stage's output: CM channels */
    ts.d[a->g->layout == CF_LAYOUT_NHWC ? 3 : 1] = CM;
    struct dims4 t = ref_dims4(&ts, a->g->layout);
    depthwise(a, a->in[0], ref_weight(a, "depthwise_kernel"), NULL, a->scratch, t);
    const float *pk = ref_weight(a, "pointwise_kernel"), *b = ref_weight(a, "bias");
    for (int64_t n = 0; n < y.n; n++)
        for (int64_t oy = 0; oy < y.h; oy++)
            for (int64_t ox = 0; ox < y.w; ox++)
                for (int64_t co = 0; co < y.c; co++) {
                    double acc = b ? b[co] : 0.0;
                    for (int64_t c = 0; c < CM; c++) acc += (double)a->scratch[AT4(t, n, oy, ox, c)] * pk[c * y.c + co];
                    a->out[AT4(y, n, oy, ox, co)] = (float)acc;
                }
    act4(a, a->out);
}

/* The gradient of a conv: output row oy receives input row iy through tap ky when oy + Pb - ky·D = iy·S. */
void ref_conv2d_transpose(const struct ref_args *a)
{
    const struct cf_attrs *at = &a->n->a;
    struct dims4 x = ref_dims4(a->in_shape[0], a->g->layout), y = ref_dims4(&a->n->out, a->g->layout);
    int kh = at->kernel[0], kw = at->kernel[1], sh = at->strides[0], sw = at->strides[1];
    const float *xd = a->in[0], *k = ref_weight(a, "kernel"), *b = ref_weight(a, "bias");
    for (int64_t n = 0; n < y.n; n++)
        for (int64_t oy = 0; oy < y.h; oy++)
            for (int64_t ox = 0; ox < y.w; ox++)
                for (int64_t co = 0; co < y.c; co++) {
                    double acc = b ? b[co] : 0.0;
                    for (int ky = 0; ky < kh; ky++) {
                        int64_t t = oy + at->pads[0] - (int64_t)ky * at->dilation[0];
                        if (t < 0 || t % sh) continue;
                        int64_t iy = t / sh;
                        if (iy >= x.h) continue;
                        for (int kx = 0; kx < kw; kx++) {
                            int64_t u = ox + at->pads[2] - (int64_t)kx * at->dilation[1];
                            if (u < 0 || u % sw) continue;
                            int64_t ix = u / sw;
                            if (ix >= x.w) continue;
                            const float *kp = k + (((int64_t)ky * kw + kx) * y.c + co) * x.c;
                            for (int64_t ci = 0; ci < x.c; ci++) acc += (double)xd[AT4(x, n, iy, ix, ci)] * kp[ci];
                        }
                    }
                    a->out[AT4(y, n, oy, ox, co)] = (float)acc;
                }
    act4(a, a->out);
}
