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
/* elementwise.c */
void ref_activation(const struct ref_args *a);
void ref_batch_norm(const struct ref_args *a);
void ref_merge(const struct ref_args *a);
/* layout.c */
void ref_zero_pad2d(const struct ref_args *a);
void ref_concat(const struct ref_args *a);
void ref_view(const struct ref_args *a);

/* Keras/TensorFlow 'same' padding before the first row: max((O - 1)·S + K - W, 0) / 2. */
int64_t ref_pad_before(int64_t in, int64_t out, int k, int s, int dil, enum cf_padding p);
/* Applies the node's activation (softmax along the last axis) to n values laid out as rows of `row`. */
void ref_apply_act(const struct cf_attrs *at, float *y, int64_t n, int64_t row);

#endif
