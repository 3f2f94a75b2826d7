/* The Keras model-file front-end's parts: config.c (the JSON config as graph IR), h5.c (HDF5: attributes, datasets,
 * the weights of both layouts), keras_file.c (the .keras zip and the .h5 file: cf_keras_file_load). */
#ifndef CF_KERAS_FILE_H
#define CF_KERAS_FILE_H

#include <stddef.h>

#include <hdf5.h>

#include "../../ir/weights.h"
#include "../frontend.h"

/* A model config (JSON text of len bytes; `where` names it in messages: "model.keras (config.json)") as a graph
 * with shapes and counts, its layers named and ordered as the file has them. */
clinfer_status cf_keras_config_graph(const char *where, const char *json, size_t len, clinfer_style style,
                                     struct cf_graph **out, struct cf_diag *d);

/* HDF5 through libhdf5, its own error printing off. An HDF5 image in memory (a .keras file's model.weights.h5) or a
 * file; H5Fclose the result. */
clinfer_status cf_h5_open_image(const char *name, const unsigned char *buf, size_t len, hid_t *out, struct cf_diag *d);
clinfer_status cf_h5_open_file(const char *path, hid_t *out, struct cf_diag *d);
/* A string attribute (variable or fixed length) of obj, NUL-terminated, to cf_free; *out NULL when absent. */
clinfer_status cf_h5_attr_string(const char *name, hid_t obj, const char *attr, char **out, struct cf_diag *d);

/* Fills w's tensors (their descriptors and buffers made already, one array per node of g in the op's order) from
 * Keras weights under root: Keras 3's layout (layers/NAME/vars/0, 1, ...; model.weights.h5 and *.weights.h5) or
 * Keras 2's (NAME/ with its weight_names attribute; the model_weights group of a full .h5 file, or a save_weights
 * .h5). Missing, extra and wrongly shaped arrays are errors naming the layer and both shapes. */
clinfer_status cf_h5_keras_weights(const char *name, hid_t root, const struct cf_graph *g, struct cf_weights *w,
                                   struct cf_diag *d);

#endif
