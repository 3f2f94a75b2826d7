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

/* How a table is asked for. `batch` > 0: shapes were inferred with that batch, and totals are given for it too. */
struct cf_report_opts {
    int explain;
    int64_t batch;
    const struct cf_report_plan *plan;
    int line_length; /* 0: the Keras' default */
    int show_trainable;                  /* tf.keras' and Keras 3's show_trainable: a "Trainable" column */
    int row_lo, row_hi;                  /* layer_range: the rows [lo, hi) of the listed layers (hi 0: all) */
    int memory;                          /* the device-memory line under the totals: */
    int64_t mem_batch;                   /* (0: the model could not be set up at a batch) */
    uint64_t mem_weights, mem_arena;     /* a ref session's weights (after its folds) and planned arena */
    const double *positions;             /* Keras' positions, one per column (n_positions 0: the defaults) */
    int n_positions;
    int expand_nested;                   /* a nested model's layers under its row */
};

/* A row of the summary: a layer (its first call's node) or a nested model (its first call's nest), at a depth of
 * nesting (0: a layer of the model; 1: of a model nested in it, shown with expand_nested; ...). */
struct cf_report_row {
    int node, nest; /* one of them >= 0 */
    int level;
};
/* The rows in Keras' order, layer_range applied to the model's own (level 0) rows, nested models' layers under them
 * when expand_nested; returns their count, or -1 out of memory (*rows freed with cf_free). */
int cf_report_rows(const struct cf_graph *g, const struct cf_report_opts *o, struct cf_report_row **rows);
/* A row's facts: its name and class, its parameters, whether it is trainable */
const char *cf_report_row_name(const struct cf_graph *g, const struct cf_report_row *r);
const char *cf_report_row_type(const struct cf_graph *g, const struct cf_report_row *r);
int64_t cf_report_row_params(const struct cf_graph *g, const struct cf_report_row *r);
int cf_report_row_trainable(const struct cf_graph *g, const struct cf_report_row *r);
/* its output shape as that Keras prints it: a layer called on several shapes is "multiple" in tf.keras (multiple
 * != 0), the last call's shape in Keras 3 */
void cf_report_row_shape(const struct cf_graph *g, const struct cf_report_row *r, int multiple, char *out,
                         size_t size);
/* Its "Connected to" entries (level 0 only: the tensors each of its calls reads, as name[call][tensor]), one after
 * another in `out`, each NUL-terminated; returns how many. */
int cf_report_row_connections(const struct cf_graph *g, const struct cf_report_row *r, char *out, size_t size);

/* Each returns text to free with cf_free, or NULL when out of memory: the tables of Keras 2.2 (keras_table.c),
 * tf.keras 2 (tf2_table.c) and Keras 3 (keras3_table.c), and JSON. */
char *cf_report_keras(const struct cf_graph *g, const struct cf_report_opts *o);
char *cf_report_tf2(const struct cf_graph *g, const struct cf_report_opts *o);
char *cf_report_keras3(const struct cf_graph *g, const struct cf_report_opts *o);
char *cf_report_json(const struct cf_graph *g, int explain, int64_t batch, const struct cf_report_plan *plan);

/* What the three tables share (report_common.c). Python slices strings by code point: */
/* the bytes of the first `cps` code points of s[0..len), and how many code points it holds */
size_t cf_utf8_prefix(const char *s, size_t len, size_t cps);
size_t cf_utf8_len(const char *s, size_t len);
/* Is node i a row of the model's own (level 0): not hidden, not a later call of a shared layer, not a layer of a
 * nested model, an InputLayer only where the model lists its inputs? */
int cf_report_listed(const struct cf_graph *g, int i);
/* Keras' layer_range: the first listed row whose name matches `first` (Python's re.match: at its start; here a POSIX
 * extended regular expression) to the last that matches `last`, as rows [*lo, *hi); -1 with the reason in err when
 * none matches or an expression is not one. */
int cf_report_layer_range(const struct cf_graph *g, const char *first, const char *last, int *lo, int *hi, char *err,
                          size_t size);
/* The listed rows' count, and whether listed row number r (0-based, of the listed ones) is node i's */
int cf_report_row_in_range(const struct cf_report_opts *o, int row);
/* The totals of the listed rows; macs / bytes -1 when a dimension is None. */
struct cf_report_totals {
    int64_t trainable, non_trainable, macs, bytes;
};
void cf_report_totals(const struct cf_graph *g, struct cf_report_totals *t);
/* The line Keras never printed, under the totals: the memory a batch takes on the device, the weights and the
 * planned arena of a session at that batch ("B" or "Byte": the style's unit, lead: " " in Keras 3's). */
void cf_report_memory_line(struct cf_strbuf *sb, const struct cf_report_totals *t, const struct cf_report_opts *o,
                           const char *lead, const char *unit);
/* The footer --explain adds (MACs, output bytes, the planned memory). */
void cf_report_explain_totals(struct cf_strbuf *sb, const struct cf_report_totals *t, const struct cf_report_opts *o);
/* Keras' readable_memory_size: "%.2f UNIT" in powers of 1024, unit0 for bytes ("Byte" in tf.keras, "B" in Keras 3). */
void cf_report_memory_size(char *out, size_t size, double bytes, const char *unit0);
/* The model name Keras prints in 'Model: "..."' (the graph's, else the style's default for a file without one). */
const char *cf_report_model_name(const struct cf_graph *g, clinfer_style style);

/* The explain lines of one node (shape and parameter arithmetic, MACs, activation, output bytes). */
void cf_report_explain_node(const struct cf_graph *g, int idx, struct cf_strbuf *sb);

#endif
