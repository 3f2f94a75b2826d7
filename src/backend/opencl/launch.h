/* What the OpenCL backend's op files share: the backend's state, the generic kernels (each made the first time it is
 * used), one launch helper that counts its arguments, and the shapes as kernels take them. Each op's launch is in
 * ops/ (conv.c, pool.c, dense.c, eltwise.c, layout.c, reduce.c); ops.c is the table from op to launch. */
#ifndef CF_CL_LAUNCH_H
#define CF_CL_LAUNCH_H

#include "../backend.h"
#include "cl.h"
#include "tuned.h"

#define CF_CL_MAX_KERNELS 32 /* generic kernels one session uses at most */

struct cf_cl {
    const struct cf_exec *x;
    struct cf_cl_device dev;
    cl_context ctx;
    cl_command_queue q;
    cl_program *progs; /* per file of cl/: the generic kernels' programs, built when a kernel of theirs is first used */
    struct {
        const char *name;
        cl_kernel k;
    } kernels[CF_CL_MAX_KERNELS]; /* the generic kernels made so far */
    int n_kernels;
    cl_mem arena;
    void *arena_host; /* on a CPU device: the arena's memory, ours (an allocation PoCL would make lazily, and abort on
                       * when it fails, fails here with a message) */
    cl_mem dummy;
    cl_mem **w;      /* per node, per weight tensor */
    cl_mem *bn;      /* BatchNormalization: bn[i] scale, bn[n + i] shift (C floats each) */
    char desc[768];
    struct cf_tuned *tuned; /* per node: its tuned kernel, or CF_ALGO_GENERIC */
    double *ms;             /* per node: time of the last run (profiling) */
    size_t (*shape)[2][3];  /* per node: its last launch's global and local sizes */
    int current;            /* the node being run */
    int timing;             /* the tuner times a generic kernel: its launches record events, as when profiling */
    /* inputs and outputs through pinned host memory (staging.c): the cap (0: none, a device in host memory), the
     * stage made so far, mapped, and its size */
    size_t stage_cap;
    cl_mem stage;
    void *stage_ptr;
    size_t stage_bytes;
};

/* staging.c: the stage's cap on a device ($CLINFER_CL_STAGING, else none in host memory, 64 MiB elsewhere); the
 * arena written and read through the stage; the stage released */
size_t cf_cl_stage_cap(const struct cf_cl_device *dev);
clinfer_status cf_cl_stage_write(struct cf_cl *s, size_t offset, const float *src, size_t bytes, struct cf_diag *d);
clinfer_status cf_cl_stage_read(struct cf_cl *s, size_t offset, float *dst, size_t bytes, struct cf_diag *d);
void cf_cl_stage_release(struct cf_cl *s);

/* One launch of a generic op: what it runs, from the op table (ops.c); NULL where the op never reaches a kernel. */
typedef clinfer_status (*cf_cl_run_fn)(struct cf_cl *s, int node, struct cf_diag *d);
cf_cl_run_fn cf_cl_op(enum cf_op op);

/* A kernel argument */
struct cf_karg {
    size_t size;
    const void *ptr;
};
#define A_MEM(m) ((struct cf_karg){sizeof(cl_mem), &(m)})
#define A_INT(v) ((struct cf_karg){sizeof(cl_int), &(cl_int){(cl_int)(v)}})
#define A_UINT(v) ((struct cf_karg){sizeof(cl_uint), &(cl_uint){(cl_uint)(v)}})
#define A_FLT(v) ((struct cf_karg){sizeof(cl_float), &(cl_float){(cl_float)(v)}})
#define A_VEC(v) ((struct cf_karg){sizeof(v), &(v)})

/* Sets the arguments of the generic kernel `kernel` and enqueues it over `global` work-items (rounded up to 64; the
 * kernels guard their edges; 0: arguments only) for node n, timing it when profiling. */
clinfer_status cf_cl_launch(struct cf_cl *s, const char *kernel, const struct cf_node *n, size_t global,
                            const struct cf_karg *args, int nargs, struct cf_diag *d);
/* The same with the arguments listed, counted by the compiler: CF_CL_LAUNCH(s, "pool2d_f32", n, g, d, A_MEM(..), ...) */
#define CF_CL_LAUNCH(s, kernel, n, global, d, ...)                                                                  \
    cf_cl_launch(s, kernel, n, global, (const struct cf_karg[]){__VA_ARGS__},                                      \
                 (int)(sizeof((const struct cf_karg[]){__VA_ARGS__}) / sizeof(struct cf_karg)), d)

/* Profiling: an event's time adds to the node's being run. */
void cf_cl_add_event_time(struct cf_cl *s, cl_event ev);

/* Shapes and parameters as the kernels take them. */
static inline cl_uint cf_cl_off(size_t bytes) { return (cl_uint)(bytes / sizeof(float)); }
int64_t cf_cl_elems(const struct cf_shape *sh);
/* (N, H, W, C) of a 4-D activation, and its element strides (n, h, w, c), in the graph's layout */
cl_int4 cf_cl_dims4(const struct cf_shape *sh, enum cf_layout l);
cl_int4 cf_cl_strides4(const struct cf_shape *sh, enum cf_layout l);
cl_int4 cf_cl_int4(int a, int b, int c, int e);
/* an activation's parameters: (alpha, beta, max_value, threshold) */
cl_float4 cf_cl_actp(const struct cf_attrs *at);
/* row-major strides of a shape, and per-axis values innermost first (padded with pad) */
void cf_cl_strides_of(const struct cf_shape *sh, int64_t *st);
cl_int8 cf_cl_inner_first(const int64_t *v, int rank, int pad);
/* the outer, axis and inner extents of a shape around an axis (coerce: everything from the axis on is one row) */
void cf_cl_axis_split(const struct cf_shape *sh, int axis, int coerce, int64_t *outer, int64_t *len, int64_t *inner);
/* a node's weight buffer by name (has: whether it has one; else a placeholder buffer) */
cl_mem cf_cl_weight(struct cf_cl *s, int node, const char *name, int *has);

/* Softmax is not element-wise: kernels that end in one run with a linear activation, then softmax_channels runs over
 * the channels in place. */
static inline int cf_cl_is_softmax(enum cf_act a) { return a == CF_ACT_SOFTMAX || a == CF_ACT_LOG_SOFTMAX; }
static inline int cf_cl_kact(const struct cf_attrs *at) { return cf_cl_is_softmax(at->act) ? CF_ACT_LINEAR : (int)at->act; }
clinfer_status cf_cl_softmax_channels(struct cf_cl *s, const struct cf_node *n, size_t off, struct cf_diag *d);

/* the op files' launches (ops/) */
clinfer_status cf_cl_conv2d(struct cf_cl *s, int i, struct cf_diag *d);
clinfer_status cf_cl_depthwise(struct cf_cl *s, int i, struct cf_diag *d);
clinfer_status cf_cl_conv2d_transpose(struct cf_cl *s, int i, struct cf_diag *d);
clinfer_status cf_cl_pool2d(struct cf_cl *s, int i, struct cf_diag *d);
clinfer_status cf_cl_global_pool2d(struct cf_cl *s, int i, struct cf_diag *d);
clinfer_status cf_cl_dense(struct cf_cl *s, int i, struct cf_diag *d);
clinfer_status cf_cl_matmul(struct cf_cl *s, int i, struct cf_diag *d);
clinfer_status cf_cl_activation(struct cf_cl *s, int i, struct cf_diag *d);
clinfer_status cf_cl_batch_norm(struct cf_cl *s, int i, struct cf_diag *d);
clinfer_status cf_cl_merge(struct cf_cl *s, int i, struct cf_diag *d);
clinfer_status cf_cl_lrn(struct cf_cl *s, int i, struct cf_diag *d);
clinfer_status cf_cl_zero_pad2d(struct cf_cl *s, int i, struct cf_diag *d);
clinfer_status cf_cl_concat(struct cf_cl *s, int i, struct cf_diag *d);
clinfer_status cf_cl_constant(struct cf_cl *s, int i, struct cf_diag *d);
clinfer_status cf_cl_transpose(struct cf_cl *s, int i, struct cf_diag *d);
clinfer_status cf_cl_slice(struct cf_cl *s, int i, struct cf_diag *d);
clinfer_status cf_cl_pad(struct cf_cl *s, int i, struct cf_diag *d);
clinfer_status cf_cl_depth_to_space(struct cf_cl *s, int i, struct cf_diag *d);
clinfer_status cf_cl_resize(struct cf_cl *s, int i, struct cf_diag *d);
clinfer_status cf_cl_layer_norm(struct cf_cl *s, int i, struct cf_diag *d);
clinfer_status cf_cl_reduce_mean(struct cf_cl *s, int i, struct cf_diag *d);

#endif
