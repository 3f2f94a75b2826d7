/* The tuning database (tunedb.c): a layer's chosen family and block sizes, by the layer's key, per device. */
#ifndef CF_TUNEDB_H
#define CF_TUNEDB_H

#include "../tuned.h"

int cf_tunedb_lookup(const struct cf_cl_device *dev, const char *key, struct cf_algo *out);
void cf_tunedb_store(const struct cf_cl_device *dev, const char *key, const struct cf_algo *a);

#endif
