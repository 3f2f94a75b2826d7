/* Front-ends: each reads one model format and emits the graph IR, nothing else. */
#ifndef CF_FRONTEND_H
#define CF_FRONTEND_H

#include <stddef.h>

#include "../ir/graph.h"

/* Keras script (the Python code that defines a Keras model). `file` names the source in messages.
 * On success *out is a graph with shapes inferred and parameters counted. */
clinfer_status cf_keras_load(const char *file, const char *text, size_t len, clinfer_style style,
                             struct cf_graph **out, struct cf_diag *d);

/* A Keras model file: .keras (Keras 3: a zip of config.json, metadata.json and model.weights.h5) or .h5 (tf.keras 2 /
 * Keras 2: HDF5 with the model_config attribute and the model_weights group). The architecture from the JSON config,
 * the weights (as node values) from HDF5; the graph's style is the saving Keras' (style AUTO) or the one asked. */
clinfer_status cf_keras_file_load(const char *path, clinfer_style style, struct cf_graph **out, struct cf_diag *d);
/* The same from a file's bytes held in memory (`name` in messages). */
clinfer_status cf_keras_file_parse(const char *name, const unsigned char *buf, size_t len, clinfer_style style,
                                   struct cf_graph **out, struct cf_diag *d);

/* A generated Keras layer name as the other naming counts it: to_zero_based, Keras 2.2's conv2d_1, conv2d_2 as
 * tf.keras 2 and Keras 3 name them (conv2d, conv2d_1); else the reverse. A name the model gave is itself. */
void cf_keras_renumber(const struct cf_node *n, int to_zero_based, char *out, size_t size);

struct cf_weights;
/* The weights of a Keras file (.keras, .weights.h5, an .h5 model or save_weights file) into w (made for g: every
 * node's descriptors and buffers), matched to g's layers by name. */
clinfer_status cf_keras_weights_load(const struct cf_graph *g, const char *path, struct cf_weights *w,
                                     struct cf_diag *d);

/* ONNX (a .onnx file's bytes; `path` names it in messages and locates external data). The graph is NCHW. */
clinfer_status cf_onnx_load(const char *path, const unsigned char *buf, size_t len, struct cf_graph **out,
                            struct cf_diag *d);

struct cf_array;
/* A serialized ONNX TensorProto file (test_data_set_0/input_0.pb) as a float32 array; other types are
 * CLINFER_E_UNSUPPORTED. A scalar reads as shape (1,). */
clinfer_status cf_onnx_read_tensor(const char *path, struct cf_array *out, struct cf_diag *d);

#endif
