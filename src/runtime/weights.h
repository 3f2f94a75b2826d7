/* A model's weights: every layer's tensors (kernel, bias, gamma, ...) in Keras' layouts, made by Keras'
 * default initialisers from a seed, or loaded from an .npz saved from Keras. */
#ifndef CF_WEIGHTS_H
#define CF_WEIGHTS_H

#include "../ir/graph.h"

enum cf_init {
    CF_INIT_KERAS = 0, /* glorot_uniform kernels, zero biases; BatchNormalization gamma 1, beta 0, mean 0, var 1 */
    CF_INIT_RANDOM = 1 /* every tensor random (biases and statistics too): for comparing devices */
};

struct cf_weights {
    int n_nodes;
    int *count;               /* per node */
    struct cf_tensor **t;     /* per node: count[i] tensors */
};

clinfer_status cf_weights_init(const struct cf_graph *g, enum cf_init mode, uint64_t seed, struct cf_weights *out,
                               struct cf_diag *d);
/* Replaces the weights with the arrays of an .npz saved as np.savez(path, **{w.name: w.numpy() ...}),
 * names like 'conv2d_1/kernel:0'. Missing, extra and wrongly shaped arrays are errors. */
clinfer_status cf_weights_load_npz(const struct cf_graph *g, const char *path, struct cf_weights *w,
                                   struct cf_diag *d);
void cf_weights_free(struct cf_weights *w);
/* The tensor of a node by name ("kernel"), or NULL. */
const struct cf_tensor *cf_weights_get(const struct cf_weights *w, int node, const char *name);

/* A small deterministic generator (splitmix64), shared by weights and seeded inputs. */
uint64_t cf_rng_next(uint64_t *state);
float cf_rng_uniform(uint64_t *state, float lo, float hi);
uint64_t cf_rng_seed(uint64_t seed, const char *a, const char *b);

#endif
