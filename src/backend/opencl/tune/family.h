/* The tuner's algorithm families, as rows of one table (families.c), one file each: a kernel file of cl/ built with the
 * block sizes and the layer's sizes as -D constants (or those of its shape class: class_fixed), and what the tuner (tuner.c) asks of it:
 * whether it can run a layer, its candidate block sizes, whether a block size is valid, its -D values, its weights in
 * the layout its kernel wants (and its global size), its launch, and its name in words. A new family is a new file
 * and a row; the tuning loop, the tuning database (tunedb.c) and --algo (algo_spec.c) take it from the table. */
#ifndef CF_TUNE_FAMILY_H
#define CF_TUNE_FAMILY_H

#include "../tuned.h"

struct cf_family {
    enum cf_algo_kind kind; /* (the number the tuning database stores) */
    const char *layer;      /* the layers --algo names it for: "conv", "depthwise", "dense" or "pool" */
    const char *name;       /* its name in --algo: conv=blocked:P:V */
    int n_args;             /* the numbers after the name (0 to 2) ... */
    int max[2];             /* ... each from 1 to max */
    const char *args_help;  /* "P pixels x V float16 vectors of channels a work-item" */
    int primary;            /* a layer's main family (the others join its candidates) */
    const char *file, *kernel; /* cl/ file and kernel (NULL kernel: build makes what it needs) */
    /* whether it can run the layer at all */
    int (*fits)(const struct cf_exec *x, const struct cf_node *n);
    /* its candidates (at most 64): full, or the shortlist that won on the kind of device E's is */
    int (*candidates)(const struct cf_tune_env *E, const struct cf_node *n, int full, struct cf_algo *out);
    /* whether a block size can run the layer (given that it fits) */
    int (*valid)(const struct cf_exec *x, const struct cf_node *n, const struct cf_algo *a);
    /* the block's -D values ("-DP=8 -DV=2"), before the layer's */
    void (*defines)(const struct cf_algo *a, char *out, size_t size);
    /* after its program and kernel are made (t->prog, t->k): the weights in its layout and t->gws; with no kernel,
     * everything (defs: the layer's -D sizes) */
    clinfer_status (*build)(const struct cf_tune_env *E, int node, const struct cf_algo *a, const char *defs,
                            struct cf_tuned *t, struct cf_diag *d);
    /* NULL: cf_tune_launch_std (arena, x, y, weights, bias, activation; the 3-D global size) */
    clinfer_status (*launch)(const struct cf_tune_env *E, int node, const struct cf_tuned *t, double *ms,
                             struct cf_diag *d);
    void (*describe)(const struct cf_algo *a, const struct cf_node *n, char *out, size_t size);
    int gpu; /* shaped for GPUs (work-groups, local memory): a candidate on devices that are not CPUs, and --algo gpu's */
    int gpu_default[2]; /* its numbers when nothing is timed (--algo gpu, --tune none on a GPU) */
    /* A family whose programs are shape classes: the layer sizes it keeps as -D constants ("W WO": they size its
     * registers; "": none), the others its kernel's argument `sz` (cl/common.cl), so that layers alike but for those
     * sizes share one program. NULL: every size a -D constant (a program per layer shape). */
    const char *class_fixed;
    const char *arg_names; /* its numbers' names in --algo's help ("T:R"); NULL: "P" or "P:V" */
};

/* Every family, in the order the tuner gathers candidates; NULL-terminated. */
extern const struct cf_family *const cf_families[];
const struct cf_family *cf_family_of(enum cf_algo_kind kind);
/* the layer's main family (the first primary one that fits), or NULL: the generic kernel */
const struct cf_family *cf_family_main(const struct cf_exec *x, const struct cf_node *n);
/* --algo's name for a layer's kind: "conv", "depthwise", "dense", "pool", or NULL */
const char *cf_family_layer(const struct cf_exec *x, const struct cf_node *n);

/* --- what the families share (common.c) --- */

static inline int64_t cf_round16(int64_t v) { return (v + 15) / 16 * 16; }
/* a dense layer's rows: the product of its output's leading dimensions (the batch) */
int64_t cf_dense_rows(const struct cf_node *n);
/* a fused max pool's size (1: none) */
static inline int cf_pool_of(const struct cf_node *n) { return n->a.fused_pool > 1 ? n->a.fused_pool : 1; }
/* the conv pixels a row computes (before a fused pool), and the output channels, in the graph's layout */
int64_t cf_conv_wo(const struct cf_exec *x, const struct cf_node *n);
int64_t cf_conv_co(const struct cf_exec *x, const struct cf_node *n);
int64_t cf_conv_ci(const struct cf_exec *x, const struct cf_node *n); /* its input's channels */
/* a 1x1 window at stride 1, unpadded: the input is already the GEMM's matrix */
int cf_pointwise(const struct cf_attrs *a);
/* a plain Conv2D with its weights at load (no groups); and with no fused pool */
int cf_plain_conv(const struct cf_node *n);
int cf_plain_conv_nopool(const struct cf_node *n);
/* the layer's sizes as -D constants, without the batch: with the batch's class the tuning database's key */
void cf_layer_defines(const struct cf_exec *x, const struct cf_node *n, char *defs, size_t size);
/* ... and as family f's program takes them: its -D constants (every size, or a shape class's; never the batch: one
 * program serves every batch) and, for a shape class, the sizes its kernel takes in `sz` */
struct cf_layer_sizes {
    char defs[768];
    cl_int sz[16];
    int shape_class;
};
void cf_layer_sizes(const struct cf_exec *x, const struct cf_node *n, const struct cf_family *f,
                    struct cf_layer_sizes *out);
/* "-DP=a -DV=b", "-DP=a" */
void cf_defines_pv(const struct cf_algo *a, char *out, size_t size);
void cf_defines_p(const struct cf_algo *a, char *out, size_t size);
void cf_defines_kc(const struct cf_algo *a, char *out, size_t size); /* "-DKC=a" */

/* The weights in a kernel's layout: fill writes `count` floats (the last 16 of them zero padding it need not write);
 * the bias is padded to co16 + 16 floats of zeros past co. Large weights on a CPU device are host memory of our own
 * that the buffer uses in place; elsewhere a new buffer, mapped and written. */
typedef void (*cf_fill_fn)(const void *ctx, float *w);
clinfer_status cf_tune_pack(const struct cf_tune_env *E, int node, size_t count, cf_fill_fn fill, const void *ctx,
                            int64_t co, int64_t co16, struct cf_tuned *t, struct cf_diag *d);
/* conv weights HWIO with the output channels padded: [rows][CO16] from [rows][CO] */
struct cf_rows16 {
    const float *k;
    int64_t rows, co, co16;
};
void cf_fill_rows16(const void *ctx, float *w);

/* The activation a tuned kernel is built with (its -DACT) and its parameters as the kernels take them (alpha, beta,
 * max_value, threshold). No activation is built as a ReLU that keeps every value (no max, threshold -inf: x >= -inf,
 * NaN kept), so that a layer without an activation and one with a ReLU share a program (resnet18: 17 -> 13 programs);
 * softmax is a pass of its own after a linear kernel. */
int cf_tune_act(const struct cf_node *n);
cl_float4 cf_tune_act_params(const struct cf_node *n);
/* A 1-D launch of one output per work-item, r of them a work-item, in work-groups of `lanes`: the global size (whole
 * work-groups over the layer's outputs) and the local one, once the device and the built kernel are known to take it. */
clinfer_status cf_tune_lanes(const struct cf_tune_env *E, int node, int lanes, int r, struct cf_tuned *t,
                             struct cf_diag *d);
/* What the families of that launch (L work-items a group, R outputs each: depthwise_gpu, pool_gpu) share: their
 * candidates (L 64-256, R 1-4; the shortlist R 1), their valid sizes (L a power of two from 16: the tests' and
 * Oclgrind's) and their -D values ("-DL=128 -DR=1"). */
int cf_lanes_candidates(enum cf_algo_kind kind, int full, struct cf_algo *out);
int cf_lanes_valid(const struct cf_exec *x, const struct cf_node *n, const struct cf_algo *a);
void cf_lanes_defines(const struct cf_algo *a, char *out, size_t size);
clinfer_status cf_tune_launch_std(const struct cf_tune_env *E, int node, const struct cf_tuned *t, double *ms,
                                  struct cf_diag *d);

#endif
