/* Passes over the graph IR: pure functions with plain results, testable with no device. */
#ifndef CF_PASSES_H
#define CF_PASSES_H

#include "../ir/graph.h"

/* Shape inference in node order (a topological order). batch > 0 binds an unknown batch dimension.
 * A failure names the layer and its place in the model file. */
clinfer_status cf_infer_shapes(struct cf_graph *g, int64_t batch, struct cf_diag *d);

/* Shape rule of one node from its inputs' shapes (used by front-ends at layer-call time too). */
clinfer_status cf_infer_node(struct cf_graph *g, int idx, struct cf_diag *d);

/* Trainable and non-trainable parameters and MACs of every node (after shape inference). */
void cf_count(struct cf_graph *g);

/* Totals over the graph; MACs and bytes are per image (batch 1), -1 where unknown. */
struct cf_totals {
    int64_t trainable, non_trainable, macs, output_bytes;
};
void cf_totals(const struct cf_graph *g, struct cf_totals *t);

struct cf_weights;
/* Folds each BatchNormalization that directly follows a Conv2D, DepthwiseConv2D or Dense (its only reader,
 * linear) into that layer's weights and makes it a view (Identity). Returns how many, -1 out of memory. */
int cf_fold_batch_norm(struct cf_graph *g, struct cf_weights *w);
/* A Pad whose pads are all zero (PyTorch exports one before a ceil-mode pool) and a Transpose that keeps the axes
 * in order become views (Identity); returns how many. */
int cf_fold_noops(struct cf_graph *g);
/* An activation layer after a Conv2D, DepthwiseConv2D, Dense or binary element-wise op (Add, Multiply, ...; its only
 * reader) becomes that layer's activation and a view; returns how many, -1 when out of memory. */
int cf_fold_activation(struct cf_graph *g);
/* x · Sigmoid(x) becomes one SiLU (swish), and x · HardSigmoid(x) with PyTorch's constants (alpha 1/6, beta 1/2: how
 * ONNX before opset 14 writes Hardswish) one HardSwish, which the activation fold may then put into x's producer;
 * returns how many, -1 out of memory. */
int cf_fold_gates(struct cf_graph *g);
/* In an NHWC graph, a k x k, stride-k, unpadded MaxPooling2D after a Conv2D (its only reader, through views) goes
 * into the conv's epilogue (attrs.fused_pool = k; the conv and the views take the pooled shape); returns how many, -1
 * out of memory. */
int cf_fold_pool(struct cf_graph *g);

/* Replaces each 1-D layer (CF_T_1D) by its 2-D op of height 1 between two hidden views, in a new graph that takes
 * g's place (g is freed) with the weights moved to its nodes; layer_node[i] (g's node count of them) receives the
 * node old node i became. Shapes must be inferred again after. On failure (out of memory) *gp and w are only for
 * freeing. */
clinfer_status cf_lower_1d(struct cf_graph **gp, struct cf_weights *w, int *layer_node, struct cf_diag *d);

/* Rescaling and Normalization (CF_T_AS_BN) become BatchNormalizations in place, w's tensors for them computed
 * (lower_affine.c). */
clinfer_status cf_lower_affine(struct cf_graph *g, struct cf_weights *w, struct cf_diag *d);

/* Keras' test for the 65-column layout: no depth (longest path to an output) holds two layers and no layer reads
 * two; hidden nodes (constants) do not count. */
int cf_sequential_like(const struct cf_graph *g);

#endif
