/* Buffer planning: every tensor gets an offset in one arena from its liveness. */
#ifndef CF_PLAN_H
#define CF_PLAN_H

#include <stddef.h>

#include "../ir/graph.h"

struct cf_plan {
    int n_nodes;
    size_t align;
    int *storage;          /* per node: the node whose buffer holds its output (itself, or the root of a view
                            * or of an in-place chain) */
    int *in_place;         /* per node: 1 when it writes over its input (an activation applied alone) */
    size_t *offset;        /* per node: byte offset of its output in the arena */
    size_t *bytes;         /* per node: bytes of its output */
    size_t *scratch_offset;/* per node: a temporary buffer alive only while it runs (SeparableConv2D) */
    size_t *scratch_bytes;
    int *last;             /* per storage root: the last step that reads it; n_nodes for pinned buffers */
    size_t arena_bytes;    /* peak: the arena's size */
    size_t naive_bytes;    /* every output and scratch buffer side by side */
};

/* Plans the graph's buffers; every shape must be fully known (the batch bound). `align` is a power of two.
 * naive != 0 gives every buffer its own place (for debugging and comparison). */
clinfer_status cf_plan_buffers(const struct cf_graph *g, size_t align, int naive, struct cf_plan *out,
                               struct cf_diag *d);
void cf_plan_free(struct cf_plan *p);

#endif
