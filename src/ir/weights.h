/* A graph's weights: every node's tensors (kernel, bias, gamma, ...) in Keras' layouts. Made by the runtime
 * (runtime/weights.c: initialisers, .npz), rewritten by passes (BatchNormalization folding), read by backends. */
#ifndef CF_IR_WEIGHTS_H
#define CF_IR_WEIGHTS_H

#include "graph.h"

struct cf_weights {
    int n_nodes;
    int *count;               /* per node */
    struct cf_tensor **t;     /* per node: count[i] tensors, in the order of the op's weight descriptors */
};

void cf_weights_free(struct cf_weights *w);
/* The tensor of a node by name ("kernel"), or NULL. */
const struct cf_tensor *cf_weights_get(const struct cf_weights *w, int node, const char *name);

#endif
