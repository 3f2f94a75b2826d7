/* Reference pooling over NHWC or NCHW: max and average windows with pads, dilation (max) and ceil_mode;
 * an average divides by the positions inside the input (Keras; ONNX's default), or inside the padded input
 * with count_include_pad. And global pooling. */
#include <math.h>
#include <stdlib.h>

#include "ref.h"

void ref_pool2d(const struct ref_args *a)
{
    const struct cf_attrs *at = &a->n->a;
    struct dims4 x = ref_dims4(a->in_shape[0], a->g->layout), y = ref_dims4(&a->n->out, a->g->layout);
    int is_max = a->n->op == CF_OP_MAX_POOL2D;
    for (int64_t n = 0; n < y.n; n++)
        for (int64_t oy = 0; oy < y.h; oy++)
            for (int64_t ox = 0; ox < y.w; ox++)
                for (int64_t c = 0; c < y.c; c++) {
                    double acc = is_max ? -INFINITY : 0.0;
                    int count = 0, padded = 0;
                    for (int ky = 0; ky < at->kernel[0]; ky++) {
                        int64_t iy = oy * at->strides[0] + (int64_t)ky * at->dilation[0] - at->pads[0];
                        for (int kx = 0; kx < at->kernel[1]; kx++) {
                            int64_t ix = ox * at->strides[1] + (int64_t)kx * at->dilation[1] - at->pads[2];
                            if (iy < x.h + at->pads[1] && ix < x.w + at->pads[3]) padded++;
                            if (iy < 0 || iy >= x.h || ix < 0 || ix >= x.w) continue;
                            float v = a->in[0][AT4(x, n, iy, ix, c)];
                            if (is_max) acc = ref_max(acc, v);
                            else acc += v;
                            count++;
                        }
                    }
                    int div = at->count_include_pad ? padded : count;
                    a->out[AT4(y, n, oy, ox, c)] = (float)(is_max ? acc : acc / (div ? div : 1));
                }
}

void ref_global_pool2d(const struct ref_args *a)
{
    struct dims4 x = ref_dims4(a->in_shape[0], a->g->layout);
    int is_max = a->n->op == CF_OP_GLOBAL_MAX_POOL2D;
    for (int64_t n = 0; n < x.n; n++)
        for (int64_t c = 0; c < x.c; c++) {
            double acc = is_max ? -INFINITY : 0.0;
            for (int64_t yy = 0; yy < x.h; yy++)
                for (int64_t xx = 0; xx < x.w; xx++) {
                    float v = a->in[0][AT4(x, n, yy, xx, c)];
                    if (is_max) acc = ref_max(acc, v);
                    else acc += v;
                }
            /* (N, C) or (N, 1, 1, C) / (N, C, 1, 1): channel c of image n is element n·C + c either way */
            a->out[n * x.c + c] = (float)(is_max ? acc : acc / (double)(x.h * x.w));
        }
}

void ref_reduce_mean(const struct ref_args *a)
{
    const struct cf_shape *x = a->in_shape[0];
    unsigned axes = a->n->a.reduce_axes;
    int64_t total = ref_elems(x), count = 1, out_n = ref_elems(&a->n->out);
    for (int i = 0; i < x->rank; i++)
        if (axes >> i & 1) count *= x->d[i];
    double *acc = calloc((size_t)out_n, sizeof *acc);
    if (!acc) return; /* cannot happen for the sizes the planner allows; the output stays as it was */
    for (int64_t e = 0; e < total; e++) {
        /* the output index: the input's coordinates with the reduced axes dropped */
        int64_t rem = e, o = 0, stride = 1;
        for (int ax = x->rank - 1; ax >= 0; ax--) {
            int64_t c = rem % x->d[ax];
            rem /= x->d[ax];
            if (axes >> ax & 1) continue;
            o += c * stride;
            stride *= x->d[ax];
        }
        acc[o] += a->in[0][e];
    }
    for (int64_t o = 0; o < out_n; o++) a->out[o] = (float)(acc[o] / (double)count);
    free(acc);
}
