/* The interface every backend implements: prepare a plan, write inputs, run one node, read back. */
#ifndef CF_BACKEND_H
#define CF_BACKEND_H

#include <stddef.h>

#include "../passes/plan.h"
#include "../ir/weights.h"

/* What a backend runs: a graph with its batch bound, its buffer plan and its weights. */
struct cf_exec {
    const struct cf_graph *g;
    const struct cf_plan *plan;
    const struct cf_weights *w;
    int tune;          /* per-layer kernels: 0 a rule of thumb, 1 time a few candidates, 2 time many */
    const char *algo;  /* forced kernels ("conv=blocked:8:2,dense=tiled:4:4"), or NULL */
    int profile;       /* record each node's time (OpenCL events) */
    double *tune_ms;   /* where the backend adds the time it spends choosing kernels, or NULL */
    int *tune_left;    /* where it counts the layers --tune fast's budget left to the rule of thumb, or NULL */
};

struct cf_backend {
    const char *name;
    /* Makes the state for one plan on the device `spec` names (buffers, programs, weights uploaded). */
    clinfer_status (*prepare)(const struct cf_exec *x, const char *spec, void **state, struct cf_diag *d);
    /* Copies host floats into the arena at a byte offset, and back. write may return before it has read src (finish
     * waits for it); read has written dst when it returns. */
    clinfer_status (*write)(void *state, size_t offset, const float *src, size_t bytes, struct cf_diag *d);
    clinfer_status (*read)(void *state, size_t offset, float *dst, size_t bytes, struct cf_diag *d);
    /* Runs node i (queued; read waits for it). */
    clinfer_status (*run_node)(void *state, int node, struct cf_diag *d);
    /* A line naming the device ("ref (C reference loops)", "opencl:0 Portable Computing Language ..."). */
    const char *(*describe)(void *state);
    /* The kernel a node runs ("blocked 8px x 2v", "direct"), and its time in the last run (with profile), ms. */
    void (*algo)(void *state, int node, char *out, size_t size);
    double (*node_ms)(void *state, int node);
    void (*release)(void *state);
    /* The memory of the device `spec` names: the largest buffer and the whole (bytes), and whether it is the host's
     * (a CPU device: the arena and copies of the weights then come out of the host's memory); NULL: the host's,
     * unbounded but for the process's limits, and the weights used where they are. */
    clinfer_status (*memory)(const char *spec, uint64_t *max_buffer, uint64_t *total, int *host, struct cf_diag *d);
    /* Waits until everything queued is done (the end of every pass, whatever happened); NULL: nothing is queued. */
    clinfer_status (*finish)(void *state, struct cf_diag *d);
    /* The global and local sizes of node i's last launch (local 0: the implementation's choice); 0 when it launches
     * nothing (NULL: a backend without launches). */
    int (*launch)(void *state, int node, size_t global[3], size_t local[3]);
};

extern const struct cf_backend cf_backend_ref;
extern const struct cf_backend cf_backend_opencl;

/* Every OpenCL device as a device list ("opencl:0,opencl:1"): the GPUs when there are any, else all of them. */
clinfer_status cf_opencl_all(char *out, size_t size, struct cf_diag *d);

/* Checks a forced-kernels spec ("conv=blocked:8:2,dense=splitk:256:32") against every form the kernels take
 * (opencl/algo_spec.c); the message lists them. NULL is no spec. */
clinfer_status cf_algo_spec_check(const char *spec, struct cf_diag *d);

/* Activation functions as Keras defines them, for the reference backend (softmax is not element-wise). */
float cf_act_apply(enum cf_act act, float x, const struct cf_attrs *a);

#endif
