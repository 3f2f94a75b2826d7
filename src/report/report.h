/* Reports of a compiled graph: the table Keras 2 prints (with --explain, the arithmetic behind it) and JSON. */
#ifndef CF_REPORT_H
#define CF_REPORT_H

#include "../ir/graph.h"

/* The buffer plan's figures, for the batch they were planned at. */
struct cf_report_plan {
    int have;          /* 0: the model could not be planned (an input dimension besides the batch is None) */
    int64_t batch;
    size_t arena_bytes, naive_bytes;
};

/* Both return text to free with cf_free, or NULL when out of memory. `batch` > 0: shapes were inferred
 * with that batch, and totals are given for it too. */
char *cf_report_keras(const struct cf_graph *g, int explain, int64_t batch, const struct cf_report_plan *plan);
char *cf_report_json(const struct cf_graph *g, int explain, int64_t batch, const struct cf_report_plan *plan);

/* The explain lines of one node (shape and parameter arithmetic, MACs, activation, output bytes). */
void cf_report_explain_node(const struct cf_graph *g, int idx, struct cf_strbuf *sb);

#endif
