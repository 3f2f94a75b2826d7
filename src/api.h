/* What the parts of the public API share: the context's diagnostic and a model's graph. */
#ifndef CF_API_H
#define CF_API_H

#include "clinfer.h"
#include "ir/graph.h"

/* Clears the context's last error; CLINFER_E_ARG for a NULL context. */
clinfer_status cf_api_begin(clinfer_context *ctx);
struct cf_diag *cf_api_diag(clinfer_context *ctx);
const struct cf_graph *cf_api_graph(const clinfer_model *m);

#endif
