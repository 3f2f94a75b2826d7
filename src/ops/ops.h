/* The verbs every op implements (one file per op in this folder), declared from the op table. */
#ifndef CF_OPS_H
#define CF_OPS_H

#include <stdio.h>

#include "../ir/graph.h"

/* What an op's verbs see: the graph (for its layout and batch), the node, and its input shapes. */
struct cf_op_args {
    const struct cf_graph *g;
    struct cf_node *n;
    const struct cf_shape *const *in;
    int n_in;
    int one_d; /* a 1-D layer's verbs calling its 2-D op's over height 1 (one_d.c): explain says "steps" */
};

/* Shape rule: sets a->n->out, or records why it cannot (message without location; the pass adds it). */
typedef clinfer_status (*cf_infer_fn)(const struct cf_op_args *a, struct cf_diag *d);
/* The layer's weight tensors, as Keras creates them; returns how many (at most CF_MAX_WEIGHTS). */
typedef int (*cf_weights_fn)(const struct cf_op_args *a, struct cf_weight *w);
/* Multiply-accumulates per image; -1 when a dimension is unknown. */
typedef int64_t (*cf_macs_fn)(const struct cf_op_args *a);
/* The arithmetic behind the output shape, the parameter count and the MACs, one indented line each. */
typedef void (*cf_explain_fn)(const struct cf_op_args *a, struct cf_strbuf *sb);
/* The floats of the temporary buffer its kernels need (at the bound batch); -1 past the element limit. */
typedef int64_t (*cf_scratch_fn)(const struct cf_op_args *a);

struct cf_op_verbs {
    cf_infer_fn infer;
    cf_weights_fn weights;
    cf_macs_fn macs;
    cf_explain_fn explain;
    cf_scratch_fn scratch;
};
const struct cf_op_verbs *cf_op_verbs(enum cf_op op);

#define OP(id, name, infer, weights, macs, explain, scratch, traits, num)    \
    clinfer_status infer(const struct cf_op_args *a, struct cf_diag *d); \
    int weights(const struct cf_op_args *a, struct cf_weight *w);         \
    int64_t macs(const struct cf_op_args *a);                             \
    void explain(const struct cf_op_args *a, struct cf_strbuf *sb);       \
    int64_t scratch(const struct cf_op_args *a);
#include "../ir/ops.def"
#undef OP

/* The 2-D op a 1-D op runs as (Conv1D -> Conv2D, ...); the op itself for any other. */
enum cf_op cf_op_as_2d(enum cf_op op);
/* A 1-D activation (batch, steps, channels) as the 2-D one of height 1 it is in memory, and back. */
struct cf_shape cf_shape_lift_1d(const struct cf_graph *g, const struct cf_shape *s);
struct cf_shape cf_shape_squeeze_1d(const struct cf_graph *g, const struct cf_shape *s);

/* A Slice's first element and length along one axis of size dim (slice.c: ONNX's rules). */
void cf_slice_axis(const struct cf_attrs *a, int axis, int64_t dim, int64_t *first, int64_t *count);

/* A node's scratch floats (its op's scratch verb, over its inputs' shapes in g). */
int64_t cf_op_scratch(const struct cf_graph *g, struct cf_node *n);

/* Node i's weight descriptors (its op's weights verb over its inputs' shapes in g); returns how many. */
int cf_node_weights(const struct cf_graph *g, int i, struct cf_weight *w);

/* --- helpers shared by the spatial ops (spatial.c) --- */

/* Axes of a 4-D activation in the graph's layout. */
int cf_axis_h(const struct cf_graph *g);
int cf_axis_w(const struct cf_graph *g);
int cf_axis_c(const struct cf_graph *g);

/* Checks that an input is 4-D with a known channel count; on success *cin is that count. */
clinfer_status cf_require_4d(const struct cf_op_args *a, const struct cf_shape *s, int64_t *cin, struct cf_diag *d);

/* The output length of a window op (conv, pooling) along one axis, with K = k + (k - 1)(d - 1):
 *   valid: O = floor((W - K)/S) + 1                   same: O = ceil(W/S), pads max((O - 1)S + K - W, 0)
 *   explicit: O = floor((W + Pb + Pe - K)/S) + 1      (ceil with ceil_mode, the last window starting inside)
 * Writes the pads it implies into *pb, *pe (reads them for explicit). Returns -1 for an unknown input and 0
 * when the kernel does not fit. */
int64_t cf_window_out(int64_t in, int k, int s, int dil, enum cf_padding p, int ceil_mode, int *pb, int *pe);

/* Output spatial dims of a conv-like op (conv, depthwise, separable, pooling): fills out h, w and the node's
 * pads, or fails with a message naming the kernel, the input and the padding. */
clinfer_status cf_spatial_out(const struct cf_op_args *a, const char *what, int64_t *oh, int64_t *ow,
                              struct cf_diag *d);

/* Explains the output rows and cols of a conv-like op with the layer's own numbers. */
void cf_explain_spatial(const struct cf_op_args *a, struct cf_strbuf *sb);

/* "148·148·16": the non-batch dims of a shape joined with a middle dot. */
void cf_sb_dims(struct cf_strbuf *sb, const struct cf_shape *s);

/* Writes an indented explain line. */
void cf_explain_line(struct cf_strbuf *sb, const char *fmt, ...) CF_PRINTF(2, 3);

/* Product of known dims; -1 when any is unknown or the product passes the element limit. */
int64_t cf_prod(const int64_t *d, int n);

#endif
