/* Reference data movement: ZeroPadding2D, Concatenate, Transpose, Slice, Pad, DepthToSpace, UpSampling2D, Constant, and views
 * (Input, Flatten, Reshape, Dropout, Identity share their input's buffer, so there is nothing to do). */
#include <math.h>
#include <string.h>

#include "../../ops/ops.h"
#include "ref.h"

void ref_view(const struct ref_args *a)
{
    /* a view shares its input's buffer; with a naive plan (own buffers) it copies */
    if (a->n->n_in == 1 && a->out != a->in[0]) memcpy(a->out, a->in[0], sizeof(float) * (size_t)ref_elems(&a->n->out));
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

void ref_constant(const struct ref_args *a)
{
    const struct cf_tensor *t = cf_weights_get(a->w, a->node, "value");
    memcpy(a->out, t->data, sizeof(float) * (size_t)ref_elems(&a->n->out));
}

/* strides of a row-major shape */
static void strides_of(const struct cf_shape *s, int64_t *st)
{
    int64_t acc = 1;
    for (int i = s->rank - 1; i >= 0; i--) {
        st[i] = acc;
        acc *= s->d[i];
    }
}

void ref_transpose(const struct ref_args *a)
{
    const struct cf_shape *x = a->in_shape[0], *o = &a->n->out;
    int64_t xs[CF_MAX_RANK], total = ref_elems(o);
    strides_of(x, xs);
    for (int64_t i = 0; i < total; i++) {
        int64_t rem = i, src = 0;
        for (int ax = o->rank - 1; ax >= 0; ax--) {
            src += (rem % o->d[ax]) * xs[a->n->a.perm[ax]];
            rem /= o->d[ax];
        }
        a->out[i] = a->in[0][src];
    }
}

void ref_slice(const struct ref_args *a)
{
    const struct cf_shape *x = a->in_shape[0], *o = &a->n->out;
    int64_t xs[CF_MAX_RANK], first[CF_MAX_RANK], count, total = ref_elems(o);
    strides_of(x, xs);
    for (int ax = 0; ax < x->rank; ax++) cf_slice_axis(&a->n->a, ax, x->d[ax], &first[ax], &count);
    for (int64_t i = 0; i < total; i++) {
        int64_t rem = i, src = 0;
        for (int ax = o->rank - 1; ax >= 0; ax--) {
            src += (first[ax] + (rem % o->d[ax]) * a->n->a.slice_step[ax]) * xs[ax];
            rem /= o->d[ax];
        }
        a->out[i] = a->in[0][src];
    }
}

void ref_pad(const struct ref_args *a)
{
    const struct cf_attrs *at = &a->n->a;
    const struct cf_shape *x = a->in_shape[0], *o = &a->n->out;
    int64_t xs[CF_MAX_RANK], total = ref_elems(o);
    strides_of(x, xs);
    for (int64_t i = 0; i < total; i++) {
        int64_t rem = i, src = 0;
        int outside = 0;
        for (int ax = o->rank - 1; ax >= 0; ax--) {
            int64_t c = rem % o->d[ax] - at->pad_begin[ax], n = x->d[ax];
            rem /= o->d[ax];
            if (c < 0 || c >= n) {
                if (at->pad_mode == CF_PADMODE_CONSTANT) outside = 1;
                else if (at->pad_mode == CF_PADMODE_EDGE) c = c < 0 ? 0 : n - 1;
                else c = c < 0 ? -c : 2 * (n - 1) - c; /* reflect, without repeating the edge */
            }
            src += c * xs[ax];
        }
        a->out[i] = outside ? at->pad_value : a->in[0][src];
    }
}

void ref_depth_to_space(const struct ref_args *a)
{
    const struct cf_shape *o = &a->n->out;
    int64_t N = o->d[0], C = o->d[1], H = o->d[2], W = o->d[3], b = a->n->a.blocksize;
    int64_t Hi = H / b, Wi = W / b, Ci = C * b * b;
    for (int64_t n = 0; n < N; n++)
        for (int64_t c = 0; c < C; c++)
            for (int64_t y = 0; y < H; y++)
                for (int64_t x = 0; x < W; x++) {
                    int64_t i = y % b, j = x % b;
                    int64_t ci = a->n->a.d2s_crd ? c * b * b + i * b + j : (i * b + j) * C + c;
                    a->out[((n * C + c) * H + y) * W + x] = a->in[0][((n * Ci + ci) * Hi + y / b) * Wi + x / b];
                }
}

/* one axis of a resize: the two source indices and the weight of the second */
static void resize_src(int64_t o, int s, int64_t n, int linear, int64_t *i0, int64_t *i1, double *t)
{
    if (!linear) {
        *i0 = *i1 = o / s;
        *t = 0;
        return;
    }
    double x = linear == CF_RESIZE_HALF_PIXEL      ? ((double)o + 0.5) / s - 0.5
               : linear == CF_RESIZE_ALIGN_CORNERS ? (n * s > 1 ? (double)o * (double)(n - 1) / (double)(n * s - 1) : 0)
                                                   : (double)o / s;
    if (x < 0) x = 0;
    int64_t lo = (int64_t)x;
    *i0 = lo < n - 1 ? lo : n - 1;
    *i1 = lo + 1 < n - 1 ? lo + 1 : n - 1;
    *t = x - (double)lo;
}

/* a size: the source of output o (of no) over the region [off, off + n) of an axis, half-pixel centres */
static void resize_to_src(int64_t o, int64_t no, int64_t off, int64_t n, int linear, int64_t *i0, int64_t *i1,
                          double *t)
{
    double scale = (double)n / (double)no;
    if (!linear) {
        int64_t i = (int64_t)floor(((double)o + 0.5) * scale);
        *i0 = *i1 = off + (i < n - 1 ? i : n - 1);
        *t = 0;
        return;
    }
    double x = ((double)o + 0.5) * scale - 0.5;
    if (x < 0) x = 0;
    int64_t lo = (int64_t)x;
    *i0 = off + (lo < n - 1 ? lo : n - 1);
    *i1 = off + (lo + 1 < n - 1 ? lo + 1 : n - 1);
    *t = x - (double)lo;
}

void ref_resize(const struct ref_args *a)
{
    const struct cf_shape *xs = a->in_shape[0], *o = &a->n->out;
    int ah = cf_axis_h(a->g), aw = cf_axis_w(a->g), ac = cf_axis_c(a->g);
    int64_t st[4] = {1, 1, 1, 1};
    for (int k = 2; k >= 0; k--) st[k] = st[k + 1] * xs->d[k + 1];
    int64_t H = xs->d[ah], W = xs->d[aw], idx[4];
    const struct cf_attrs *at = &a->n->a;
    for (int64_t i = 0, n = cf_shape_elems_per_item(o) * o->d[0]; i < n; i++) {
        int64_t r = i;
        for (int k = 3; k >= 0; k--) idx[k] = r % o->d[k], r /= o->d[k];
        int64_t y0, y1, x0, x1;
        double ty, tx;
        if (at->resize_to[0] > 0) {
            resize_to_src(idx[ah], o->d[ah], at->resize_box[0], at->resize_box[2], at->resize_linear, &y0, &y1, &ty);
            resize_to_src(idx[aw], o->d[aw], at->resize_box[1], at->resize_box[3], at->resize_linear, &x0, &x1, &tx);
        } else {
            resize_src(idx[ah], at->resize[0], H, at->resize_linear, &y0, &y1, &ty);
            resize_src(idx[aw], at->resize[1], W, at->resize_linear, &x0, &x1, &tx);
        }
        int64_t base = idx[0] * st[0] + idx[ac] * st[ac];
        const float *x = a->in[0] + base;
        double v00 = x[y0 * st[ah] + x0 * st[aw]], v01 = x[y0 * st[ah] + x1 * st[aw]];
        double v10 = x[y1 * st[ah] + x0 * st[aw]], v11 = x[y1 * st[ah] + x1 * st[aw]];
        double top = v00 + (v01 - v00) * tx, bottom = v10 + (v11 - v10) * tx;
        a->out[i] = at->resize_linear ? (float)(top + (bottom - top) * ty) : (float)v00;
    }
}
