/* A model's weights: every layer's tensors (kernel, bias, gamma, ...) in Keras' layouts, made by Keras'
 * default initialisers from a seed, or loaded from an .npz saved from Keras. */
#ifndef CF_WEIGHTS_H
#define CF_WEIGHTS_H

#include "../ir/weights.h"
#include "../util/rng.h"

enum cf_init {
    CF_INIT_KERAS = 0, /* glorot_uniform kernels, zero biases; BatchNormalization gamma 1, beta 0, mean 0, var 1 */
    CF_INIT_RANDOM = 1 /* every tensor random (biases and statistics too): for comparing devices */
};

clinfer_status cf_weights_init(const struct cf_graph *g, enum cf_init mode, uint64_t seed, struct cf_weights *out,
                               struct cf_diag *d);
/* The same with the values the model file gives (ONNX initializers) from `given`, a graph of g's nodes in g's order
 * (the model's, where g is its clone without values) */
clinfer_status cf_weights_init_from(const struct cf_graph *g, const struct cf_graph *given, enum cf_init mode,
                                    uint64_t seed, struct cf_weights *out, struct cf_diag *d);
/* Replaces the weights with a file's: an .npz (below), else a Keras file (.keras, .h5, .weights.h5: the Keras
 * front-end reads it). */
clinfer_status cf_weights_load(const struct cf_graph *g, const char *path, struct cf_weights *w, struct cf_diag *d);
/* Replaces the weights with the arrays of an .npz saved as np.savez(path, **{w.name: w.numpy() ...}),
 * names like 'conv2d_1/kernel:0'. Missing, extra and wrongly shaped arrays are errors. */
clinfer_status cf_weights_load_npz(const struct cf_graph *g, const char *path, struct cf_weights *w,
                                   struct cf_diag *d);

#endif
