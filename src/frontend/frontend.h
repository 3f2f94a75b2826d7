/* Front-ends: each reads one model format and emits the graph IR, nothing else. */
#ifndef CF_FRONTEND_H
#define CF_FRONTEND_H

#include <stddef.h>

#include "../ir/graph.h"

/* Keras script (the Python code that defines a Keras model). `file` names the source in messages.
 * On success *out is a graph with shapes inferred and parameters counted. */
clinfer_status cf_keras_load(const char *file, const char *text, size_t len, struct cf_graph **out,
                             struct cf_diag *d);

#endif
