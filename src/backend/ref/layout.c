/* Reference data movement: ZeroPadding2D, Concatenate, and views (Input, Flatten, Reshape, Dropout share
 * their input's buffer, so there is nothing to do). */
#include <string.h>

#include "ref.h"

void ref_view(const struct ref_args *a)
{
    /* a view shares its input's buffer; with a naive plan (own buffers) it copies */
    if (a->n->n_in == 1 && a->out != a->in[0])
        memcpy(a->out, a->in[0], sizeof(float) * (size_t)(cf_shape_elems_per_item(&a->n->out) * a->n->out.d[0]));
}

void ref_zero_pad2d(const struct ref_args *a)
{
    const struct cf_shape *xs = a->in_shape[0], *ys = &a->n->out;
    int64_t N = xs->d[0], H = xs->d[1], W = xs->d[2], C = xs->d[3], Ho = ys->d[1], Wo = ys->d[2];
    const int *p = a->n->a.pads;
    memset(a->out, 0, sizeof(float) * (size_t)(N * Ho * Wo * C));
    for (int64_t n = 0; n < N; n++)
        for (int64_t y = 0; y < H; y++)
            memcpy(a->out + ((n * Ho + y + p[0]) * Wo + p[2]) * C, a->in[0] + ((n * H + y) * W) * C,
                   sizeof(float) * (size_t)(W * C));
}

void ref_concat(const struct ref_args *a)
{
    const struct cf_shape *o = &a->n->out;
    int axis = a->n->a.axis < 0 ? o->rank + a->n->a.axis : a->n->a.axis;
    int64_t outer = 1, inner = 1;
    for (int i = 0; i < axis; i++) outer *= o->d[i];
    for (int i = axis + 1; i < o->rank; i++) inner *= o->d[i];
    int64_t out_row = o->d[axis] * inner, at = 0;
    for (int k = 0; k < a->n->n_in; k++) {
        int64_t chunk = a->in_shape[k]->d[axis] * inner;
        for (int64_t r = 0; r < outer; r++)
            memcpy(a->out + r * out_row + at, a->in[k] + r * chunk, sizeof(float) * (size_t)chunk);
        at += chunk;
    }
}
