/* A session's insides, shared by session.c (one device) and multi.c (several devices, one session each). */
#ifndef CF_SESSION_H
#define CF_SESSION_H

#include "../api.h"
#include "../backend/backend.h"
#include "../passes/plan.h"
#include "weights.h"

struct clinfer_session {
    struct cf_graph *g;
    struct cf_plan plan;
    struct cf_weights w;
    struct cf_exec exec;
    const struct cf_backend *be;
    void *state;
    double setup_ms, tune_ms;
    int tune_left; /* layers --tune fast's budget left to the rule of thumb (a later session tunes them) */
    int64_t batch, sub; /* the batch; the images one pass runs (smaller when the batch does not fit) */
    int n_layers;       /* the model's */
    int *layer_node;    /* model layer i runs as node layer_node[i] of g (1-D layers are lowered to 2-D ones) */
    int *node_layer;    /* the layer node j is; -1 for a view the lowering added */
    int64_t ran;        /* the images the last run ran */
    /* On several devices (multi.c): this session runs on the first, peer[k] (a session of its own) on device k + 1;
     * a run gives each device a contiguous share of the images in proportion to its speed. */
    int n_peers;
    clinfer_session **peer;
    double *speed;    /* images per ms of each device (0: this session's), measured, then updated by each run */
    int64_t *images;  /* the images each device ran in the last run */
    char *devices;    /* every device, described, one per line */
};

/* A monotonic clock, in ms (session.c). */
double cf_now_ms(void);

/* One device's session (spec names one device). */
clinfer_status cf_session_new_one(const clinfer_model *model, const clinfer_session_options *opts, const char *spec,
                                  clinfer_session **out, struct cf_diag *d);
/* The bytes of the weights the session holds (after its folds: BatchNormalization in the Conv's, ...). */
uint64_t cf_session_weight_bytes(const clinfer_session *s);
/* Whether every input and output of s (bound at sub) carries the batch first: images can run in any groups. */
int cf_session_splittable(const clinfer_session *s, int64_t sub);
/* Runs images [first, first + count) of the caller's batch (inputs[k], outputs[k] point at its image 0) on this
 * session's device alone, in passes of its sub-batch; outputs and layers may be NULL. */
clinfer_status cf_session_span(clinfer_session *s, int64_t first, int64_t count, const float *const *inputs,
                               float *const *outputs, float *const *layers, struct cf_diag *d);

/* multi.c: whether spec names several devices ("opencl:0,opencl:1", "all"); the session over them; a run of images
 * [first, first + count) shared among them. */
int cf_multi_spec(const char *spec);
clinfer_status cf_multi_new(const clinfer_model *model, const clinfer_session_options *opts, clinfer_session **out,
                            struct cf_diag *d);
clinfer_status cf_multi_span(clinfer_session *s, int64_t first, int64_t count, const float *const *inputs,
                             float *const *outputs, struct cf_diag *d);
void cf_multi_free(clinfer_session *s);

#endif
