/* Layers with a tuned kernel: Conv2D (NHWC and NCHW: register-blocked direct, 1x1 as a GEMM, 3x3 stride 1 by
 * Winograd F(2x2,3x3), CLBlast's GEMM; NCHW: direct with vectors of pixels), depthwise convolution and Dense (GEMV,
 * split-K GEMV on the weights in place, tiled, CLBlast) and NCHW pooling, each a program of its own with the layer's
 * sizes as -D constants, or (the conv, depthwise and pooling families) a shape class's program that layers alike but for
 * their sizes share. The families are rows of tune/families.c, one file each; the algorithm and block sizes are
 * chosen per (layer shape, device) by tune/tuner.c, timing the candidates that match ref, and remembered in a tuning
 * database beside the program cache (tune/tunedb.c). */
#ifndef CF_TUNED_H
#define CF_TUNED_H

#include "../backend.h"
#include "cl.h"

/* (the numbers are stored in the tuning database: new kinds go last) */
enum cf_algo_kind {
    CF_ALGO_GENERIC,
    CF_ALGO_CONV_BLOCKED,
    CF_ALGO_DENSE_TILED,
    CF_ALGO_DEPTHWISE,
    CF_ALGO_GEMM1X1,
    CF_ALGO_WINOGRAD,
    CF_ALGO_CLBLAST,
    CF_ALGO_CONV_ROWS,
    CF_ALGO_DENSE_SPLITK,
    CF_ALGO_POOL_ROWS,
    CF_ALGO_GEMM_TILED,
    CF_ALGO_GEMV_GPU,
    CF_ALGO_DEPTHWISE_GPU,
    CF_ALGO_POOL_GPU,
    CF_ALGO_COUNT
};

struct cf_algo {
    enum cf_algo_kind kind;
    int a, b; /* conv: P pixels x V float16 vectors; dense: R units x MR rows; depthwise: P pixels (NHWC, b = 1) or
               * P rows (NCHW, b = 2); 1x1 GEMM: P pixels x V vectors of channels (NHWC), P channels x V vectors of
               * pixels (NCHW); Winograd: P tiles x V vectors of channels; CLBlast: 1 1; rows (NCHW, stride 1
               * along the row): P channels x V vectors of pixels; split-K GEMV: KC inputs x V vectors of units;
               * pooling (NCHW, stride 1 or 2 along the row): P rows, b = 1 */
};

struct cf_tuned {
    struct cf_algo algo;
    cl_program prog;
    cl_kernel k;
    cl_mem w, b;   /* the weights in the layout the kernel wants */
    cl_kernel k2;  /* CLBlast: bias and activation after the GEMM (k: im2col before it, or none); split-K: the sum */
    cl_mem scratch; /* CLBlast: im2col's output; split-K: the chunks' partial rows */
    float *host_w;  /* the memory w uses in place, when it is ours (large weights on a CPU device) */
    size_t gws[3];
    size_t lws[3]; /* the work-group shape (0: one work-item, the CPU-shaped families') */
    int shape_class; /* prog is a shape class's, shared: the layer's sizes go in its kernel's last argument, sz */
    cl_int sz[16];
};

struct cf_tune_env {
    cl_context ctx;
    cl_command_queue q; /* with profiling enabled */
    const struct cf_cl_device *dev;
    cl_mem arena;
    const struct cf_exec *x;
    struct cf_cl_programs *progs; /* the session's specialized programs, shared by the layers that want one */
    double *timing_ms; /* the session's time spent timing candidates so far (--tune fast's budget), or NULL */
    /* runs node i's generic kernel once (its weights made when first asked) and gives its time: the generic candidate
     * of a GPU's tuning; NULL where there is none (a session's run) */
    clinfer_status (*generic_ms)(void *ctx, int node, double *ms, struct cf_diag *d);
    void *generic_ctx;
};

/* Whether the NCHW row kernels (rows conv, depthwise, pooling) can cut a layer's taps from the vectors around a
 * block: a stride of 1 up to max_stride along the row, every tap within 16 columns of it */
int cf_row_windows(const struct cf_attrs *a, int max_stride);
/* Chooses and builds the kernel of node i: forced by x->algo, else the tuning database, else by timing
 * (x->tune fast or full; none: a rule of thumb). Nodes without a tuned kernel get CF_ALGO_GENERIC. */
clinfer_status cf_tuned_choose(const struct cf_tune_env *E, int node, struct cf_tuned *out, struct cf_diag *d);
/* Enqueues the layer; with ms, waits and adds the time of every command it enqueued (OpenCL events). */
clinfer_status cf_tuned_launch(const struct cf_tune_env *E, int node, const struct cf_tuned *t, double *ms,
                               struct cf_diag *d);
void cf_tuned_release(struct cf_tuned *t);
/* waits for an event and gives its time in ms, releasing it */
double cf_cl_event_ms(cl_event ev);
/* "direct", "blocked 8px x 2v", "gemm1x1 8px x 2v", "winograd 2t x 2v", "depthwise 8px", "depthwise 4 rows",
 * "gemv 4u", "splitk 256 x 32v", "tiled 4r x 4u", "clblast gemm", "clblast im2col+gemm", "rows 8 x 2v",
 * "pool 16 rows" */
void cf_algo_name(const struct cf_algo *a, const struct cf_node *n, char *out, size_t size);

#endif
