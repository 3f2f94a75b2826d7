/* Reference element-wise ops: activations (softmax along an axis), BatchNormalization, Add and Multiply with
 * broadcasting. */
#include <math.h>
#include <string.h>

#include "ref.h"

/* softmax over groups of `len` values spaced `inner` apart */
static void softmax(float *y, int64_t outer, int64_t len, int64_t inner)
{
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            float *p = y + o * len * inner + i;
            float m = p[0];
            for (int64_t k = 1; k < len; k++) m = p[k * inner] > m ? p[k * inner] : m;
            double s = 0;
            for (int64_t k = 0; k < len; k++) s += exp((double)p[k * inner] - m);
            for (int64_t k = 0; k < len; k++) p[k * inner] = (float)(exp((double)p[k * inner] - m) / s);
        }
}

void ref_apply_act(const struct cf_attrs *at, float *y, int64_t n, int64_t row)
{
    if (at->act == CF_ACT_SOFTMAX) {
        softmax(y, n / row, row, 1);
        return;
    }
    if (at->act == CF_ACT_LINEAR) return;
    for (int64_t i = 0; i < n; i++) y[i] = cf_act_apply(at->act, y[i], at);
}

static void axis_split(const struct cf_shape *s, int axis, int64_t *outer, int64_t *len, int64_t *inner)
{
    *outer = *inner = 1;
    for (int i = 0; i < axis; i++) *outer *= s->d[i];
    *len = s->d[axis];
    for (int i = axis + 1; i < s->rank; i++) *inner *= s->d[i];
}

void ref_activation(const struct ref_args *a)
{
    const struct cf_shape *s = &a->n->out;
    int64_t total = cf_shape_elems_per_item(s) * s->d[0];
    if (a->out != a->in[0]) memmove(a->out, a->in[0], sizeof(float) * (size_t)total);
    if (a->n->a.act == CF_ACT_SOFTMAX) {
        int axis = a->n->a.axis < 0 ? s->rank + a->n->a.axis : a->n->a.axis;
        int64_t outer, len, inner;
        axis_split(s, axis, &outer, &len, &inner);
        softmax(a->out, outer, len, inner);
        return;
    }
    ref_apply_act(&a->n->a, a->out, total, s->d[s->rank - 1]);
}

void ref_batch_norm(const struct ref_args *a)
{
    const struct cf_shape *s = &a->n->out;
    int axis = a->n->a.axis < 0 ? s->rank + a->n->a.axis : a->n->a.axis;
    int64_t outer, len, inner;
    axis_split(s, axis, &outer, &len, &inner);
    const struct cf_tensor *g = cf_weights_get(a->w, a->node, "gamma"), *b = cf_weights_get(a->w, a->node, "beta"),
                           *m = cf_weights_get(a->w, a->node, "moving_mean"),
                           *v = cf_weights_get(a->w, a->node, "moving_variance");
    for (int64_t o = 0; o < outer; o++)
        for (int64_t c = 0; c < len; c++)
            for (int64_t i = 0; i < inner; i++) {
                int64_t idx = (o * len + c) * inner + i;
                double y = ((double)a->in[0][idx] - m->data[c]) / sqrt((double)v->data[c] + a->n->a.epsilon);
                if (g) y *= g->data[c];
                if (b) y += b->data[c];
                a->out[idx] = (float)y;
            }
}

/* Each input keeps its batch axis and is right-aligned against the output in the others (Keras' _Merge);
 * it is read with stride 0 along its size-1 axes. */
void ref_merge(const struct ref_args *a)
{
    const struct cf_shape *o = &a->n->out;
    int64_t total = cf_shape_elems_per_item(o) * o->d[0];
    for (int64_t i = 0; i < total; i++) {
        double acc = a->n->op == CF_OP_ADD ? 0.0 : 1.0;
        for (int k = 0; k < a->n->n_in; k++) {
            const struct cf_shape *s = a->in_shape[k];
            int64_t rem = i, idx = 0, stride = 1;
            for (int ax = o->rank - 1; ax >= 0; ax--) {
                int64_t coord = rem % o->d[ax];
                rem /= o->d[ax];
                /* the batch axis matches the batch; the other axes are right-aligned */
                int sa = ax == 0 ? 0 : ax - (o->rank - s->rank);
                if (ax > 0 && sa < 1) continue;
                int64_t dim = s->d[sa];
                idx += (dim == 1 ? 0 : coord) * stride;
                stride *= dim;
            }
            if (a->n->op == CF_OP_ADD) acc += a->in[k][idx];
            else acc *= a->in[k][idx];
        }
        a->out[i] = (float)acc;
    }
}
