/* Slice (ONNX Slice and Split, Keras' Cropping2D and CenterCrop): along each axis, elements start, start + step, ... before end, as ONNX defines them:
 * a negative start or end counts from the axis' end; both are clamped to the axis (to [0, dim] for a positive step,
 * to [-1, dim - 1] for a negative one); out = max(0, ceil((end - start) / step)). */
#include <stdint.h>

#include "ops.h"

void cf_slice_axis(const struct cf_attrs *a, int axis, int64_t dim, int64_t *first, int64_t *count)
{
    int64_t s = a->slice_start[axis], e = a->slice_end[axis], st = a->slice_step[axis];
    if (s < 0) s = s < -dim ? -1 : s + dim; /* (far past the front: before the first element) */
    if (e < 0) e = e < -dim ? -1 : e + dim;
    int64_t lo = st > 0 ? 0 : -1, hi = st > 0 ? dim : dim - 1;
    s = s < lo ? lo : s > hi ? hi : s;
    e = e < lo ? lo : e > hi ? hi : e;
    *first = s;
    /* ceil(span / |step|) without overflow for any step (s and e are within [-1, dim] now) */
    uint64_t mag = st > 0 ? (uint64_t)st : (uint64_t)0 - (uint64_t)st, span = st > 0 ? (uint64_t)(e > s ? e - s : 0)
                                                                                    : (uint64_t)(s > e ? s - e : 0);
    *count = span ? (int64_t)((span - 1) / mag + 1) : 0;
}

/* whether the slice takes all of an axis, in order */
static int whole(const struct cf_attrs *a, int axis)
{
    return a->slice_start[axis] == 0 && a->slice_end[axis] == CF_SLICE_END && a->slice_step[axis] == 1;
}

/* Keras' CenterCrop: H and W from ((x - h) // 2) for h, once the input's size is known */
static clinfer_status center(const struct cf_op_args *a, struct cf_diag *d)
{
    struct cf_attrs *at = &a->n->a;
    int ax[2] = {cf_axis_h(a->g), cf_axis_w(a->g)};
    for (int i = 0; i < 2; i++) {
        int64_t x = a->in[0]->d[ax[i]], c = at->center_crop[i];
        if (x < 0)
            return cf_fail(d, CLINFER_E_UNSUPPORTED, "CenterCrop of an input whose %s are unknown (None)",
                           i ? "cols" : "rows");
        if (x < c)
            return cf_fail(d, CLINFER_E_UNSUPPORTED,
                           "CenterCrop to %lld %s from %lld: Keras resizes a smaller input, which clinfer does not yet",
                           (long long)c, i ? "cols" : "rows", (long long)x);
        at->slice_start[ax[i]] = (x - c) / 2;
        at->slice_end[ax[i]] = (x - c) / 2 + c;
        at->slice_step[ax[i]] = 1;
    }
    return CLINFER_OK;
}

clinfer_status slice_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    const struct cf_shape *x = a->in[0];
    if (a->n->a.center_crop[0] > 0) {
        clinfer_status st = x->rank == 4 ? center(a, d) : cf_fail(d, CLINFER_E_MODEL, "CenterCrop takes images (rank 4)");
        if (st) return st;
    }
    const struct cf_attrs *at = &a->n->a;
    struct cf_shape *o = &a->n->out;
    *o = *x;
    for (int k = 0; k < x->rank; k++) {
        if (at->slice_step[k] == 0) return cf_fail(d, CLINFER_E_MODEL, "step 0 on axis %d", k);
        if (x->d[k] < 0) {
            if (!whole(at, k))
                return cf_fail(d, CLINFER_E_UNSUPPORTED, "slicing axis %d, whose size is unknown (%s), is not supported",
                               k, k == 0 ? "the batch" : "None");
            continue;
        }
        int64_t first, count;
        cf_slice_axis(at, k, x->d[k], &first, &count);
        if (count == 0) return cf_fail(d, CLINFER_E_UNSUPPORTED, "the slice of axis %d is empty", k);
        o->d[k] = count;
    }
    return CLINFER_OK;
}

void slice_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    const struct cf_shape *x = a->in[0];
    for (int k = 0; k < x->rank; k++) {
        if (whole(&a->n->a, k) || x->d[k] < 0) continue;
        int64_t first, count;
        cf_slice_axis(&a->n->a, k, x->d[k], &first, &count);
        cf_explain_line(sb, "axis %d: %lld of %lld, from %lld in steps of %lld", k, (long long)count,
                        (long long)x->d[k], (long long)first, (long long)a->n->a.slice_step[k]);
    }
    cf_explain_line(sb, "params = 0");
}
