/* The reference backend: plain C loops over NHWC tensors, written for obvious correctness. The oracle. */
#ifndef CF_REF_H
#define CF_REF_H

#include "../backend.h"

struct ref_args {
    const struct cf_graph *g;
    const struct cf_node *n;
    const float *const *in;              /* input tensors */
    const struct cf_shape *const *in_shape;
    float *out;
    float *scratch;                      /* plan's temporary buffer for this node, or NULL */
    const struct cf_weights *w;
    int node;
};

typedef void (*ref_fn)(const struct ref_args *a);

/* The reference function of an op, from ref's op table (ref.c); NULL for an op ref does not run. */
ref_fn ref_op(enum cf_op op);

/* A weight of the node by name: from the weights, or (ONNX) from the run-time input that carries it. */
const float *ref_weight(const struct ref_args *a, const char *name);

/* conv.c */
void ref_conv2d(const struct ref_args *a);
void ref_depthwise_conv2d(const struct ref_args *a);
void ref_separable_conv2d(const struct ref_args *a);
void ref_conv2d_transpose(const struct ref_args *a);
/* pool.c */
void ref_pool2d(const struct ref_args *a);
void ref_global_pool2d(const struct ref_args *a);
/* dense.c */
void ref_dense(const struct ref_args *a);
void ref_matmul(const struct ref_args *a);
/* elementwise.c */
void ref_activation(const struct ref_args *a);
void ref_batch_norm(const struct ref_args *a);
void ref_merge(const struct ref_args *a);
void ref_lrn(const struct ref_args *a);
void ref_layer_norm(const struct ref_args *a);
/* pool.c */
void ref_reduce_mean(const struct ref_args *a);
/* layout.c */
void ref_zero_pad2d(const struct ref_args *a);
void ref_concat(const struct ref_args *a);
void ref_view(const struct ref_args *a);
void ref_constant(const struct ref_args *a);
void ref_transpose(const struct ref_args *a);
void ref_slice(const struct ref_args *a);
void ref_resize(const struct ref_args *a);
void ref_pad(const struct ref_args *a);
void ref_depth_to_space(const struct ref_args *a);

/* softmax (or log-softmax) over groups of `len` values spaced `inner` apart */
void ref_softmax(float *y, int64_t outer, int64_t len, int64_t inner, int log);
/* Total elements of a shape (batch included). */
/* NumPy's maximum and minimum: a NaN in either gives NaN (IEEE-754's maximum, not C's fmax) */
static inline double ref_max(double a, double b) { return a > b || a != a ? a : b; }
static inline double ref_min(double a, double b) { return a < b || a != a ? a : b; }

static inline int64_t ref_elems(const struct cf_shape *s)
{
    int64_t p = 1;
    for (int i = 0; i < s->rank; i++) p *= s->d[i];
    return p;
}

/* A 4-D activation's sizes and element strides in its layout (NHWC or NCHW). */
struct dims4 {
    int64_t n, h, w, c;
    int64_t sn, sh, sw, sc;
};
static inline struct dims4 ref_dims4(const struct cf_shape *s, enum cf_layout l)
{
    struct dims4 d;
    if (l == CF_LAYOUT_NHWC) {
        d.n = s->d[0], d.h = s->d[1], d.w = s->d[2], d.c = s->d[3];
        d.sc = 1, d.sw = d.c, d.sh = d.w * d.c, d.sn = d.h * d.w * d.c;
    } else {
        d.n = s->d[0], d.c = s->d[1], d.h = s->d[2], d.w = s->d[3];
        d.sw = 1, d.sh = d.w, d.sc = d.h * d.w, d.sn = d.c * d.h * d.w;
    }
    return d;
}
#define AT4(d, n_, y_, x_, c_) ((n_) * (d).sn + (y_) * (d).sh + (x_) * (d).sw + (c_) * (d).sc)
/* Applies the node's activation (softmax along the last axis) to n values laid out as rows of `row`. */
void ref_apply_act(const struct cf_attrs *at, float *y, int64_t n, int64_t row);

#endif
