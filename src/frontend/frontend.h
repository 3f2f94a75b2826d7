/* Front-ends: each reads one model format and emits the graph IR, nothing else. */
#ifndef CF_FRONTEND_H
#define CF_FRONTEND_H

#include <stddef.h>

#include "../ir/graph.h"

/* Keras script (the Python code that defines a Keras model). `file` names the source in messages.
 * On success *out is a graph with shapes inferred and parameters counted. */
clinfer_status cf_keras_load(const char *file, const char *text, size_t len, struct cf_graph **out,
                             struct cf_diag *d);

/* ONNX (a .onnx file's bytes; `path` names it in messages and locates external data). The graph is NCHW. */
clinfer_status cf_onnx_load(const char *path, const unsigned char *buf, size_t len, struct cf_graph **out,
                            struct cf_diag *d);

struct cf_array;
/* A serialized ONNX TensorProto file (test_data_set_0/input_0.pb) as a float32 array; other types are
 * CLINFER_E_UNSUPPORTED. A scalar reads as shape (1,). */
clinfer_status cf_onnx_read_tensor(const char *path, struct cf_array *out, struct cf_diag *d);

#endif
