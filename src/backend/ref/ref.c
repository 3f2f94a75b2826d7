/* The reference backend: its dispatch table and its arena in host memory. */
#include "ref.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../../util/alloc.h"

static const ref_fn ref_ops[CF_OP_COUNT] = {
    [CF_OP_INPUT] = ref_view,
    [CF_OP_CONV2D] = ref_conv2d,
    [CF_OP_DEPTHWISE_CONV2D] = ref_depthwise_conv2d,
    [CF_OP_SEPARABLE_CONV2D] = ref_separable_conv2d,
    [CF_OP_CONV2D_TRANSPOSE] = ref_conv2d_transpose,
    [CF_OP_MAX_POOL2D] = ref_pool2d,
    [CF_OP_AVG_POOL2D] = ref_pool2d,
    [CF_OP_GLOBAL_AVG_POOL2D] = ref_global_pool2d,
    [CF_OP_GLOBAL_MAX_POOL2D] = ref_global_pool2d,
    [CF_OP_FLATTEN] = ref_view,
    [CF_OP_DENSE] = ref_dense,
    [CF_OP_DROPOUT] = ref_view,
    [CF_OP_BATCH_NORM] = ref_batch_norm,
    [CF_OP_LAYER_NORM] = ref_layer_norm,
    [CF_OP_ACTIVATION] = ref_activation,
    [CF_OP_ZERO_PAD2D] = ref_zero_pad2d,
    [CF_OP_RESHAPE] = ref_view,
    [CF_OP_ADD] = ref_merge,
    [CF_OP_MULTIPLY] = ref_merge,
    [CF_OP_CONCAT] = ref_concat,
    [CF_OP_SUB] = ref_merge,
    [CF_OP_DIV] = ref_merge,
    [CF_OP_PRELU] = ref_merge,
    [CF_OP_MAXIMUM] = ref_merge,
    [CF_OP_MINIMUM] = ref_merge,
    [CF_OP_CONSTANT] = ref_constant,
    [CF_OP_IDENTITY] = ref_view,
    [CF_OP_MATMUL] = ref_matmul,
    [CF_OP_TRANSPOSE] = ref_transpose,
    [CF_OP_SLICE] = ref_slice,
    [CF_OP_PAD] = ref_pad,
    [CF_OP_LRN] = ref_lrn,
    [CF_OP_REDUCE_MEAN] = ref_reduce_mean,
    [CF_OP_DEPTH_TO_SPACE] = ref_depth_to_space,
    [CF_OP_RESIZE] = ref_resize,
};

ref_fn ref_op(enum cf_op op) { return (unsigned)op < CF_OP_COUNT ? ref_ops[op] : NULL; }

const float *ref_weight(const struct ref_args *a, const char *name)
{
    const struct cf_weights *w = a->w;
    for (int k = 0; k < w->count[a->node]; k++)
        if (strcmp(w->t[a->node][k].desc.name, name) == 0)
            return a->n->n_in > 1 + k ? a->in[1 + k] : w->t[a->node][k].data;
    return NULL;
}

struct ref_state {
    const struct cf_exec *x;
    unsigned char *arena;
    double *ms; /* per node: wall time of the last run */
};

static clinfer_status ref_prepare(const struct cf_exec *x, const char *spec, void **state, struct cf_diag *d)
{
    (void)spec;
    for (int i = 0; i < x->g->n_nodes; i++)
        if (!ref_ops[x->g->nodes[i].op])
            return cf_fail(d, CLINFER_E_UNSUPPORTED, "the reference backend has no %s", cf_op_name(x->g->nodes[i].op));
    struct ref_state *s = cf_calloc(1, sizeof *s);
    if (!s) return cf_fail_oom(d);
    s->x = x;
    if (!(s->ms = cf_calloc((size_t)x->g->n_nodes + 1, sizeof(double))) ||
        !(s->arena = cf_calloc(x->plan->arena_bytes ? x->plan->arena_bytes : 1, 1))) {
        cf_free(s->ms);
        cf_free(s);
        return cf_fail(d, CLINFER_E_NOMEM, "out of memory: the arena needs %zu bytes", x->plan->arena_bytes);
    }
    *state = s;
    return CLINFER_OK;
}

static clinfer_status ref_write(void *state, size_t offset, const float *src, size_t bytes, struct cf_diag *d)
{
    (void)d;
    memcpy(((struct ref_state *)state)->arena + offset, src, bytes);
    return CLINFER_OK;
}

static clinfer_status ref_read(void *state, size_t offset, float *dst, size_t bytes, struct cf_diag *d)
{
    (void)d;
    memcpy(dst, ((struct ref_state *)state)->arena + offset, bytes);
    return CLINFER_OK;
}

static clinfer_status ref_run_node(void *state, int i, struct cf_diag *d)
{
    struct ref_state *s = state;
    const struct cf_graph *g = s->x->g;
    const struct cf_plan *p = s->x->plan;
    const struct cf_node *n = &g->nodes[i];
    const float *small_in[4];
    const struct cf_shape *small_sh[4];
    const float **in = small_in;
    const struct cf_shape **sh = small_sh;
    if (n->n_in > 4) {
        in = cf_malloc(sizeof *in * (size_t)n->n_in);
        sh = cf_malloc(sizeof *sh * (size_t)n->n_in);
        if (!in || !sh) {
            cf_free(in);
            cf_free(sh);
            return cf_fail_oom(d);
        }
    }
    for (int k = 0; k < n->n_in; k++) {
        in[k] = (const float *)(s->arena + p->offset[n->in[k]]);
        sh[k] = &g->nodes[n->in[k]].out;
    }
    struct ref_args a = {g, n, in, sh, (float *)(s->arena + p->offset[i]),
                         p->scratch_bytes[i] ? (float *)(s->arena + p->scratch_offset[i]) : NULL, s->x->w, i};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ref_ops[n->op](&a);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    s->ms[i] = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    if (in != small_in) {
        cf_free(in);
        cf_free(sh);
    }
    return CLINFER_OK;
}

static const char *ref_describe(void *state)
{
    (void)state;
    return "ref (plain C reference loops)";
}

static void ref_algo(void *state, int node, char *out, size_t size)
{
    (void)state;
    (void)node;
    snprintf(out, size, "reference");
}

static double ref_node_ms(void *state, int node) { return ((struct ref_state *)state)->ms[node]; }

static void ref_release(void *state)
{
    struct ref_state *s = state;
    if (!s) return;
    cf_free(s->ms);
    cf_free(s->arena);
    cf_free(s);
}

const struct cf_backend cf_backend_ref = {"ref",        ref_prepare,  ref_write,   ref_read,   ref_run_node,
                                          ref_describe, ref_algo,     ref_node_ms, ref_release,
                                          NULL,         NULL};
