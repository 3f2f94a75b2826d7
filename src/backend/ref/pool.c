/* Reference pooling over NHWC: max and average windows (average with 'same' counts only the positions inside
 * the input, as Keras does), and global pooling. */
#include <float.h>

#include "ref.h"

void ref_pool2d(const struct ref_args *a)
{
    const struct cf_attrs *at = &a->n->a;
    const struct cf_shape *xs = a->in_shape[0], *ys = &a->n->out;
    int64_t N = xs->d[0], H = xs->d[1], W = xs->d[2], C = xs->d[3], Ho = ys->d[1], Wo = ys->d[2];
    int is_max = a->n->op == CF_OP_MAX_POOL2D;
    int64_t pt = ref_pad_before(H, Ho, at->kernel[0], at->strides[0], 1, at->padding);
    int64_t pl = ref_pad_before(W, Wo, at->kernel[1], at->strides[1], 1, at->padding);
    for (int64_t n = 0; n < N; n++)
        for (int64_t oy = 0; oy < Ho; oy++)
            for (int64_t ox = 0; ox < Wo; ox++)
                for (int64_t c = 0; c < C; c++) {
                    double acc = is_max ? -FLT_MAX : 0.0;
                    int count = 0;
                    for (int ky = 0; ky < at->kernel[0]; ky++) {
                        int64_t iy = oy * at->strides[0] + ky - pt;
                        if (iy < 0 || iy >= H) continue;
                        for (int kx = 0; kx < at->kernel[1]; kx++) {
                            int64_t ix = ox * at->strides[1] + kx - pl;
                            if (ix < 0 || ix >= W) continue;
                            float v = a->in[0][((n * H + iy) * W + ix) * C + c];
                            if (is_max) acc = v > acc ? v : acc;
                            else acc += v;
                            count++;
                        }
                    }
                    a->out[((n * Ho + oy) * Wo + ox) * C + c] = (float)(is_max ? acc : acc / count);
                }
}

void ref_global_pool2d(const struct ref_args *a)
{
    const struct cf_shape *xs = a->in_shape[0];
    int64_t N = xs->d[0], HW = xs->d[1] * xs->d[2], C = xs->d[3];
    int is_max = a->n->op == CF_OP_GLOBAL_MAX_POOL2D;
    for (int64_t n = 0; n < N; n++)
        for (int64_t c = 0; c < C; c++) {
            double acc = is_max ? -FLT_MAX : 0.0;
            for (int64_t p = 0; p < HW; p++) {
                float v = a->in[0][(n * HW + p) * C + c];
                if (is_max) acc = v > acc ? v : acc;
                else acc += v;
            }
            a->out[n * C + c] = (float)(is_max ? acc : acc / (double)HW);
        }
}
