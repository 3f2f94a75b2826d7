/* Reference element-wise ops: activations (softmax and log-softmax along an axis), BatchNormalization,
 * binary ops with broadcasting (Add, Multiply, Sub, Div, PRelu), LRN. */
#include <math.h>
#include <string.h>

#include "ref.h"

void ref_softmax(float *y, int64_t outer, int64_t len, int64_t inner, int is_log)
{
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            float *p = y + o * len * inner + i;
            float m = p[0];
            for (int64_t k = 1; k < len; k++) m = (float)ref_max(m, p[k * inner]);
            double s = 0;
            for (int64_t k = 0; k < len; k++) s += exp((double)p[k * inner] - m);
            for (int64_t k = 0; k < len; k++)
                p[k * inner] = is_log ? (float)((double)p[k * inner] - m - log(s))
                                      : (float)(exp((double)p[k * inner] - m) / s);
        }
}

void ref_apply_act(const struct cf_attrs *at, float *y, int64_t n, int64_t row)
{
    if (at->act == CF_ACT_SOFTMAX || at->act == CF_ACT_LOG_SOFTMAX) {
        ref_softmax(y, n / row, row, 1, at->act == CF_ACT_LOG_SOFTMAX);
        return;
    }
    if (at->act == CF_ACT_LINEAR) return;
    for (int64_t i = 0; i < n; i++) y[i] = cf_act_apply(at->act, y[i], at);
}

static void axis_split(const struct cf_shape *s, int axis, int coerce, int64_t *outer, int64_t *len, int64_t *inner)
{
    *outer = *inner = *len = 1;
    for (int i = 0; i < axis; i++) *outer *= s->d[i];
    if (coerce) { /* ONNX opset < 13: everything from the axis on is one row */
        for (int i = axis; i < s->rank; i++) *len *= s->d[i];
        return;
    }
    *len = s->d[axis];
    for (int i = axis + 1; i < s->rank; i++) *inner *= s->d[i];
}

void ref_activation(const struct ref_args *a)
{
    const struct cf_shape *s = &a->n->out;
    int64_t total = ref_elems(s);
    if (a->out != a->in[0]) memmove(a->out, a->in[0], sizeof(float) * (size_t)total);
    if (a->n->a.act == CF_ACT_SOFTMAX || a->n->a.act == CF_ACT_LOG_SOFTMAX) {
        int axis = a->n->a.axis < 0 ? s->rank + a->n->a.axis : a->n->a.axis;
        int64_t outer, len, inner;
        axis_split(s, axis, a->n->a.softmax_coerce, &outer, &len, &inner);
        ref_softmax(a->out, outer, len, inner, a->n->a.act == CF_ACT_LOG_SOFTMAX);
        return;
    }
    ref_apply_act(&a->n->a, a->out, total, s->d[s->rank - 1]);
}

void ref_batch_norm(const struct ref_args *a)
{
    const struct cf_shape *s = &a->n->out;
    int axis = a->n->a.axis < 0 ? s->rank + a->n->a.axis : a->n->a.axis;
    int64_t outer, len, inner;
    axis_split(s, axis, 0, &outer, &len, &inner);
    const float *g = ref_weight(a, "gamma"), *b = ref_weight(a, "beta"), *m = ref_weight(a, "moving_mean"),
                *v = ref_weight(a, "moving_variance");
    for (int64_t o = 0; o < outer; o++)
        for (int64_t c = 0; c < len; c++)
            for (int64_t i = 0; i < inner; i++) {
                int64_t idx = (o * len + c) * inner + i;
                double y = ((double)a->in[0][idx] - m[c]) / sqrt((double)v[c] + a->n->a.epsilon);
                if (g) y *= g[c];
                if (b) y += b[c];
                a->out[idx] = (float)y;
            }
    ref_apply_act(&a->n->a, a->out, outer * len * inner, s->d[s->rank - 1]); /* (an activation fused into it) */
}

/* Element index of input k for output element i: Keras keeps the batch axis and right-aligns the others,
 * NumPy right-aligns every axis; size-1 axes are read with stride 0. */
static int64_t bcast_index(const struct cf_shape *o, const struct cf_shape *s, int numpy, int64_t i)
{
    int64_t rem = i, idx = 0, stride = 1;
    for (int ax = o->rank - 1; ax >= 0; ax--) {
        int64_t coord = rem % o->d[ax];
        rem /= o->d[ax];
        int sa = (ax == 0 && !numpy) ? 0 : ax - (o->rank - s->rank);
        if (sa < 0 || (!numpy && ax > 0 && sa < 1)) continue;
        int64_t dim = s->d[sa];
        idx += (dim == 1 ? 0 : coord) * stride;
        stride *= dim;
    }
    return idx;
}

void ref_merge(const struct ref_args *a)
{
    const struct cf_shape *o = &a->n->out;
    int numpy = a->n->a.broadcast == CF_BCAST_NUMPY;
    enum cf_op op = a->n->op;
    int64_t total = ref_elems(o);
    for (int64_t i = 0; i < total; i++) {
        double acc = a->in[0][bcast_index(o, a->in_shape[0], numpy, i)];
        for (int k = 1; k < a->n->n_in; k++) {
            double v = a->in[k][bcast_index(o, a->in_shape[k], numpy, i)];
            switch (op) {
            case CF_OP_ADD: acc += v; break;
            case CF_OP_MULTIPLY: acc *= v; break;
            case CF_OP_SUB: acc -= v; break;
            case CF_OP_DIV: acc /= v; break;
            case CF_OP_MAXIMUM: acc = ref_max(acc, v); break;
            case CF_OP_MINIMUM: acc = ref_min(acc, v); break;
            default: acc = acc < 0 ? v * acc : acc; break; /* PRelu: the second input is the slope */
            }
            acc = (float)acc; /* each step rounds to float, as the kernels do */
        }
        a->out[i] = a->n->a.act == CF_ACT_LINEAR ? (float)acc : cf_act_apply(a->n->a.act, (float)acc, &a->n->a);
    }
}

/* LRN across channels (axis 1): window [c - floor((size-1)/2), c + ceil((size-1)/2)] */
void ref_lrn(const struct ref_args *a)
{
    const struct cf_shape *s = &a->n->out;
    int64_t N = s->d[0], C = s->d[1], inner = ref_elems(s) / (N * C);
    int size = a->n->a.lrn_size, lo = (size - 1) / 2, hi = size - 1 - lo;
    for (int64_t n = 0; n < N; n++)
        for (int64_t c = 0; c < C; c++)
            for (int64_t i = 0; i < inner; i++) {
                double sq = 0;
                for (int64_t k = c - lo; k <= c + hi; k++)
                    if (k >= 0 && k < C) {
                        double v = a->in[0][(n * C + k) * inner + i];
                        sq += v * v;
                    }
                double den = pow(a->n->a.epsilon + a->n->a.alpha / size * sq, a->n->a.beta);
                a->out[(n * C + c) * inner + i] = (float)(a->in[0][(n * C + c) * inner + i] / den);
            }
}

void ref_layer_norm(const struct ref_args *a)
{
    const struct cf_shape *s = &a->n->out;
    int64_t c = s->d[s->rank - 1], rows = ref_elems(s) / c;
    const float *g = ref_weight(a, "gamma"), *b = ref_weight(a, "beta");
    for (int64_t r = 0; r < rows; r++) {
        const float *x = a->in[0] + r * c;
        double mean = 0, var = 0;
        for (int64_t k = 0; k < c; k++) mean += x[k];
        mean /= (double)c;
        for (int64_t k = 0; k < c; k++) var += ((double)x[k] - mean) * ((double)x[k] - mean);
        var /= (double)c;
        double inv = 1.0 / sqrt(var + a->n->a.epsilon);
        for (int64_t k = 0; k < c; k++) {
            double y = ((double)x[k] - mean) * inv;
            if (g) y *= g[k];
            if (b) y += b[k];
            a->out[r * c + k] = (float)y;
        }
    }
}
