/* The OpenCL backend: one arena buffer for every activation (offsets from the plan), weights uploaded once,
 * one kernel launch per layer (bias and activation inside the conv and dense kernels; softmax, which is not
 * element-wise, as its own pass). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../../util/alloc.h"
#include "../backend.h"
#include "cl.h"
#include "cl_sources.h"
#include "tuned.h"

enum kid { K_CONV2D, K_DEPTHWISE, K_TRANSPOSE, K_POOL, K_GPOOL, K_DENSE, K_ACT, K_SOFTMAX, K_BN, K_ELTWISE,
           K_ZPAD, K_CONCAT, K_MATMUL, K_LRN, K_REDUCE_MEAN, K_PERMUTE, K_PAD, K_D2S, K_BN_FULL, K_POOL16, K_ELTWISE_FLAT,
           K_POOL_NCHW16, K_COUNT };

static const char *const kernel_names[K_COUNT] = {
    "conv2d_direct_f32", "depthwise_conv2d_f32", "conv2d_transpose_f32", "pool2d_f32", "global_pool2d_f32",
    "dense_f32", "activation_f32", "softmax_f32", "batch_norm_f32", "eltwise_f32", "zero_pad2d_f32", "concat_f32",
    "matmul_f32", "lrn_f32", "reduce_mean_f32", "transpose_f32", "pad_f32", "depth_to_space_f32",
    "batch_norm_full_f32", "pool2d_nhwc16_f32", "eltwise_flat_f32", "pool2d_nchw16_f32"};

struct cl_state {
    const struct cf_exec *x;
    struct cf_cl_device dev;
    cl_context ctx;
    cl_command_queue q;
    cl_program *progs; /* per file of cl/: the generic kernels' programs, built when a kernel of theirs is first used */
    cl_kernel k[K_COUNT];
    cl_mem arena;
    void *arena_host; /* on a CPU device: the arena's memory, ours (an allocation PoCL would make lazily, and abort on
                       * when it fails, fails here with a message) */
    cl_mem dummy;
    cl_mem **w;      /* per node, per weight tensor */
    cl_mem *bn;      /* BatchNormalization: bn[i] scale, bn[n + i] shift (C floats each) */
    char desc[768];
    struct cf_tuned *tuned; /* per node: its tuned kernel, or CF_ALGO_GENERIC */
    double *ms;             /* per node: time of the last run (profiling) */
    int current;            /* the node being run */
};

struct karg {
    size_t size;
    const void *ptr;
};
#define A_MEM(m) ((struct karg){sizeof(cl_mem), &(m)})
#define A_INT(v) ((struct karg){sizeof(cl_int), &(cl_int){(cl_int)(v)}})
#define A_UINT(v) ((struct karg){sizeof(cl_uint), &(cl_uint){(cl_uint)(v)}})
#define A_FLT(v) ((struct karg){sizeof(cl_float), &(cl_float){(cl_float)(v)}})
#define A_VEC(v) ((struct karg){sizeof(v), &(v)})

/* Profiling: a launch's time (OpenCL events) adds to its node's. */
static void add_event_time(struct cl_state *s, cl_event ev)
{
    cl_ulong t0 = 0, t1 = 0;
    clWaitForEvents(1, &ev);
    clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_START, sizeof t0, &t0, NULL);
    clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END, sizeof t1, &t1, NULL);
    clReleaseEvent(ev);
    s->ms[s->current] += (double)(t1 - t0) / 1e6;
}

/* A generic kernel, made the first time it is used: its file's program (common.cl and that file: a model builds
 * only the programs of the kernels it runs), from the cache or compiled. */
static clinfer_status kernel(struct cl_state *s, enum kid k, struct cf_diag *d)
{
    if (s->k[k]) return CLINFER_OK;
    const char *file = cf_cl_kernel_file(kernel_names[k]);
    int f = 0;
    while (file && cf_cl_sources[f].name != file) f++;
    if (!file) return cf_fail(d, CLINFER_E_UNSUPPORTED, "no file of cl/ defines the kernel %s", kernel_names[k]);
    if (!s->progs[f]) {
        int cached;
        clinfer_status st = cf_cl_program_file(s->ctx, &s->dev, file, "", &s->progs[f], &cached, d);
        if (st) return st;
    }
    cl_int err;
    s->k[k] = clCreateKernel(s->progs[f], kernel_names[k], &err);
    if (!s->k[k] || err != CL_SUCCESS) {
        s->k[k] = NULL;
        return cf_cl_fail(d, "clCreateKernel", kernel_names[k], err);
    }
    return CLINFER_OK;
}

static clinfer_status launch(struct cl_state *s, enum kid k, const struct cf_node *n, size_t global,
                             const struct karg *args, int nargs, struct cf_diag *d)
{
    clinfer_status st = kernel(s, k, d);
    if (st) return st;
    char what[300];
    snprintf(what, sizeof what, "%s, layer '%s'", kernel_names[k], n->name);
    for (int i = 0; i < nargs; i++) {
        cl_int err = clSetKernelArg(s->k[k], (cl_uint)i, args[i].size, args[i].ptr);
        if (err != CL_SUCCESS) return cf_cl_fail(d, "clSetKernelArg", what, err);
    }
    if (global == 0) return CLINFER_OK;
    size_t g = (global + 63) / 64 * 64;
    cl_event ev = NULL;
    cl_int err = clEnqueueNDRangeKernel(s->q, s->k[k], 1, NULL, &g, NULL, 0, NULL, s->x->profile ? &ev : NULL);
    if (err != CL_SUCCESS) return cf_cl_fail(d, "clEnqueueNDRangeKernel", what, err);
    if (ev) add_event_time(s, ev);
    return CLINFER_OK;
}

static cl_uint elem_off(size_t bytes) { return (cl_uint)(bytes / sizeof(float)); }

static int64_t elems(const struct cf_shape *sh)
{
    int64_t p = 1;
    for (int i = 0; i < sh->rank; i++) p *= sh->d[i];
    return p;
}

static cl_mem weight_buf(struct cl_state *s, int node, const char *name, int *has)
{
    const struct cf_weights *w = s->x->w;
    for (int k = 0; k < w->count[node]; k++)
        if (strcmp(w->t[node][k].desc.name, name) == 0) {
            *has = 1;
            return s->w[node][k];
        }
    *has = 0;
    return s->dummy;
}

/* (N, H, W, C) of a 4-D activation and its element strides (n, h, w, c) in the graph's layout */
static cl_int4 dims4(const struct cf_shape *sh, enum cf_layout l)
{
    cl_int4 v;
    int nhwc = l == CF_LAYOUT_NHWC;
    v.s[0] = (cl_int)sh->d[0];
    v.s[1] = (cl_int)sh->d[nhwc ? 1 : 2];
    v.s[2] = (cl_int)sh->d[nhwc ? 2 : 3];
    v.s[3] = (cl_int)sh->d[nhwc ? 3 : 1];
    return v;
}

static cl_int4 strides4(const struct cf_shape *sh, enum cf_layout l)
{
    cl_int4 d = dims4(sh, l), v;
    if (l == CF_LAYOUT_NHWC) {
        v.s[3] = 1, v.s[2] = d.s[3], v.s[1] = d.s[2] * d.s[3], v.s[0] = d.s[1] * d.s[2] * d.s[3];
    } else {
        v.s[2] = 1, v.s[1] = d.s[2], v.s[3] = d.s[1] * d.s[2], v.s[0] = d.s[3] * d.s[1] * d.s[2];
    }
    return v;
}

static cl_int4 int4v(int a, int b, int c, int e)
{
    cl_int4 v;
    v.s[0] = a, v.s[1] = b, v.s[2] = c, v.s[3] = e;
    return v;
}

static cl_float4 actp(const struct cf_attrs *at)
{
    cl_float4 v;
    v.s[0] = at->alpha, v.s[1] = at->beta, v.s[2] = at->max_value, v.s[3] = at->threshold;
    return v;
}

/* row-major strides of a shape */
static void strides_of(const struct cf_shape *sh, int64_t *st)
{
    int64_t acc = 1;
    for (int i = sh->rank - 1; i >= 0; i--) {
        st[i] = acc;
        acc *= sh->d[i];
    }
}

/* per-axis values, innermost axis first, padded with `pad` */
static cl_int8 inner_first(const int64_t *v, int rank, int pad)
{
    cl_int8 r;
    for (int k = 0; k < 8; k++) r.s[k] = k < rank ? (cl_int)v[rank - 1 - k] : pad;
    return r;
}

/* Softmax over the channels, in place, after a conv or dense kernel that ran with act=linear. */
static clinfer_status softmax_channels(struct cl_state *s, const struct cf_node *n, size_t off, struct cf_diag *d)
{
    const struct cf_shape *o = &n->out;
    int64_t total = elems(o), len, inner;
    if (o->rank == 4 && s->x->g->layout == CF_LAYOUT_NCHW) len = o->d[1], inner = o->d[2] * o->d[3];
    else len = o->d[o->rank - 1], inner = 1;
    struct karg a[] = {A_MEM(s->arena), A_UINT(elem_off(off)), A_UINT(elem_off(off)), A_INT(total / (len * inner)),
                       A_INT(len), A_INT(inner), A_INT(n->a.act == CF_ACT_LOG_SOFTMAX)};
    return launch(s, K_SOFTMAX, n, (size_t)(total / len), a, 7, d);
}

static int is_softmax(enum cf_act a) { return a == CF_ACT_SOFTMAX || a == CF_ACT_LOG_SOFTMAX; }
/* act id for a kernel: softmax runs afterwards as its own pass */
static int kact(const struct cf_attrs *at) { return is_softmax(at->act) ? CF_ACT_LINEAR : (int)at->act; }

static clinfer_status run_conv(struct cl_state *s, int i, struct cf_diag *d)
{
    const struct cf_graph *g = s->x->g;
    const struct cf_plan *p = s->x->plan;
    const struct cf_node *n = &g->nodes[i];
    const struct cf_attrs *at = &n->a;
    const struct cf_shape *xsh = &g->nodes[n->in[0]].out, *ysh = &n->out;
    enum cf_layout l = g->layout;
    int hb, hk;
    cl_uint xo = elem_off(p->offset[n->in[0]]), yo = elem_off(p->offset[i]);
    cl_int4 xd = dims4(xsh, l), xs = strides4(xsh, l), yd = dims4(ysh, l), ys = strides4(ysh, l);
    cl_int4 win = int4v(at->kernel[0], at->kernel[1], at->strides[0], at->strides[1]);
    cl_int4 dp = int4v(at->dilation[0], at->dilation[1], at->pads[0], at->pads[2]);
    cl_float4 ap = actp(at);
    size_t total = (size_t)elems(ysh);
    clinfer_status st;
    if (n->op == CF_OP_CONV2D_TRANSPOSE) {
        cl_mem K = weight_buf(s, i, "kernel", &hk), B = weight_buf(s, i, "bias", &hb);
        struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_MEM(K), A_MEM(B), A_INT(hb), A_VEC(xd), A_VEC(xs),
                           A_VEC(yd), A_VEC(ys), A_VEC(win), A_VEC(dp), A_INT(kact(at)), A_VEC(ap)};
        st = launch(s, K_TRANSPOSE, n, total, a, 14, d);
    } else if (n->op == CF_OP_DEPTHWISE_CONV2D || n->op == CF_OP_SEPARABLE_CONV2D) {
        /* depthwise: straight to the output, or to the scratch buffer before the pointwise stage */
        int sep = n->op == CF_OP_SEPARABLE_CONV2D, M = at->depth_multiplier;
        cl_mem K = weight_buf(s, i, "depthwise_kernel", &hk), B = weight_buf(s, i, "bias", &hb);
        struct cf_shape tsh = *ysh; /* the depthwise stage's output: C·M channels */
        tsh.d[l == CF_LAYOUT_NHWC ? 3 : 1] = xd.s[3] * M;
        cl_int4 td = dims4(&tsh, l), ts = strides4(&tsh, l);
        cl_uint to = sep ? elem_off(p->scratch_offset[i]) : yo;
        cl_float4 lin = ap;
        struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(to), A_MEM(K), A_MEM(B), A_INT(sep ? 0 : hb), A_VEC(xd),
                           A_VEC(xs), A_VEC(td), A_VEC(ts), A_VEC(win), A_VEC(dp), A_INT(M),
                           A_INT(sep ? CF_ACT_LINEAR : kact(at)), A_VEC(lin)};
        if ((st = launch(s, K_DEPTHWISE, n, (size_t)elems(&tsh), a, 15, d)) || !sep) goto done;
        /* pointwise: a 1×1 conv over the scratch buffer */
        K = weight_buf(s, i, "pointwise_kernel", &hk);
        cl_int4 one = int4v(1, 1, 1, 1), nopad = int4v(1, 1, 0, 0);
        struct karg b[] = {A_MEM(s->arena), A_UINT(to), A_UINT(yo), A_MEM(K), A_MEM(B), A_INT(hb), A_VEC(td), A_VEC(ts),
                           A_VEC(yd), A_VEC(ys), A_VEC(one), A_VEC(nopad), A_INT(1), A_INT(kact(at)), A_VEC(ap),
                           A_INT(1)};
        st = launch(s, K_CONV2D, n, total, b, 16, d);
    } else {
        cl_mem K = weight_buf(s, i, "kernel", &hk), B = weight_buf(s, i, "bias", &hb);
        struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_MEM(K), A_MEM(B), A_INT(hb), A_VEC(xd), A_VEC(xs),
                           A_VEC(yd), A_VEC(ys), A_VEC(win), A_VEC(dp), A_INT(at->groups), A_INT(kact(at)), A_VEC(ap),
                           A_INT(at->fused_pool > 1 ? at->fused_pool : 1)};
        st = launch(s, K_CONV2D, n, total, a, 16, d);
    }
done:
    if (st == CLINFER_OK && is_softmax(at->act)) st = softmax_channels(s, n, p->offset[i], d);
    return st;
}

static void axis_split(const struct cf_shape *sh, int axis, int coerce, int64_t *outer, int64_t *len, int64_t *inner)
{
    *outer = *inner = *len = 1;
    for (int k = 0; k < axis; k++) *outer *= sh->d[k];
    if (coerce) {
        for (int k = axis; k < sh->rank; k++) *len *= sh->d[k];
        return;
    }
    *len = sh->d[axis];
    for (int k = axis + 1; k < sh->rank; k++) *inner *= sh->d[k];
}

/* Strides of input `sh` along each output axis (innermost first), 0 where it is broadcast: Keras keeps the batch
 * axis and right-aligns the others; NumPy right-aligns every axis. */
static cl_int8 bcast_strides(const struct cf_shape *o, const struct cf_shape *sh, int numpy)
{
    cl_int8 v;
    memset(&v, 0, sizeof v);
    int64_t st[CF_MAX_RANK];
    strides_of(sh, st);
    for (int k = 0; k < o->rank; k++) {
        int ax = o->rank - 1 - k;
        int sa = (ax == 0 && !numpy) ? 0 : ax - (o->rank - sh->rank);
        if (sa < 0 || (!numpy && ax > 0 && sa < 1)) continue;
        v.s[k] = sh->d[sa] == 1 ? 0 : (cl_int)st[sa];
    }
    return v;
}

/* Weights given at run time (ONNX: inputs after the data) go to the node's weight buffers first. */
static clinfer_status runtime_weights(struct cl_state *s, int i, struct cf_diag *d)
{
    const struct cf_node *n = &s->x->g->nodes[i];
    const struct cf_weights *w = s->x->w;
    for (int k = 0; k < w->count[i] && 1 + k < n->n_in; k++) {
        size_t bytes = sizeof(float);
        for (int r = 0; r < w->t[i][k].desc.rank; r++) bytes *= (size_t)w->t[i][k].desc.dims[r];
        cl_int err = clEnqueueCopyBuffer(s->q, s->arena, s->w[i][k], s->x->plan->offset[n->in[1 + k]], 0, bytes, 0, NULL,
                                         NULL);
        if (err != CL_SUCCESS) return cf_cl_fail(d, "clEnqueueCopyBuffer", n->name, err);
    }
    return CLINFER_OK;
}

static clinfer_status opencl_run_node(void *state, int i, struct cf_diag *d)
{
    struct cl_state *s = state;
    const struct cf_graph *g = s->x->g;
    const struct cf_plan *p = s->x->plan;
    const struct cf_node *n = &g->nodes[i];
    s->current = i;
    s->ms[i] = 0;
    if (s->tuned[i].algo.kind != CF_ALGO_GENERIC) {
        struct cf_tune_env E = {s->ctx, s->q, &s->dev, s->arena, s->x};
        clinfer_status st = cf_tuned_launch(&E, i, &s->tuned[i], s->x->profile ? &s->ms[i] : NULL, d);
        if (st) return st;
        if (is_softmax(n->a.act)) return softmax_channels(s, n, p->offset[i], d);
        return CLINFER_OK;
    }
    if (n->n_in > 1 && (n->op == CF_OP_CONV2D || n->op == CF_OP_CONV2D_TRANSPOSE || n->op == CF_OP_DENSE ||
                        n->op == CF_OP_BATCH_NORM)) {
        clinfer_status st = runtime_weights(s, i, d);
        if (st) return st;
    }
    const struct cf_attrs *at = &n->a;
    const struct cf_shape *ys = &n->out;
    enum cf_layout l = g->layout;
    cl_uint yo = elem_off(p->offset[i]), xo = n->n_in ? elem_off(p->offset[n->in[0]]) : 0;
    const struct cf_shape *xs = n->n_in ? &g->nodes[n->in[0]].out : ys;
    int64_t total = elems(ys);
    int hb, hk;
    switch (n->op) {
    case CF_OP_CONV2D:
    case CF_OP_DEPTHWISE_CONV2D:
    case CF_OP_SEPARABLE_CONV2D:
    case CF_OP_CONV2D_TRANSPOSE:
        return run_conv(s, i, d);
    case CF_OP_MAX_POOL2D:
    case CF_OP_AVG_POOL2D: {
        cl_int4 xd = dims4(xs, l), xst = strides4(xs, l), yd = dims4(ys, l), yst = strides4(ys, l);
        cl_int4 win = int4v(at->kernel[0], at->kernel[1], at->strides[0], at->strides[1]);
        cl_int4 dp = int4v(at->dilation[0], at->dilation[1], at->pads[0], at->pads[2]);
        cl_int4 pe = int4v(at->pads[1], at->pads[3], at->count_include_pad, 0);
        if (l == CF_LAYOUT_NHWC && yd.s[3] % 16 == 0) { /* 16 channels at a time */
            struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_INT(n->op == CF_OP_MAX_POOL2D), A_VEC(xd),
                               A_VEC(yd), A_VEC(win), A_VEC(dp), A_VEC(pe)};
            return launch(s, K_POOL16, n, (size_t)total / 16, a, 9, d);
        }
        if (l == CF_LAYOUT_NCHW && cf_row_windows(at, 2)) { /* 16 outputs of a row at a time */
            struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_INT(n->op == CF_OP_MAX_POOL2D), A_VEC(xd),
                               A_VEC(yd), A_VEC(win), A_VEC(dp), A_VEC(pe)};
            return launch(s, K_POOL_NCHW16, n, (size_t)(total / yd.s[2] * ((yd.s[2] + 15) / 16)), a, 9, d);
        }
        struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_INT(n->op == CF_OP_MAX_POOL2D), A_VEC(xd),
                           A_VEC(xst), A_VEC(yd), A_VEC(yst), A_VEC(win), A_VEC(dp), A_VEC(pe)};
        return launch(s, K_POOL, n, (size_t)(total / ys->d[l == CF_LAYOUT_NCHW ? 3 : 2]), a, 11, d); /* rows */
    }
    case CF_OP_GLOBAL_AVG_POOL2D:
    case CF_OP_GLOBAL_MAX_POOL2D: {
        cl_int4 xd = dims4(xs, l), xst = strides4(xs, l);
        struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_INT(n->op == CF_OP_GLOBAL_MAX_POOL2D), A_VEC(xd),
                           A_VEC(xst)};
        return launch(s, K_GPOOL, n, (size_t)(xd.s[0] * xd.s[3]), a, 6, d);
    }
    case CF_OP_DENSE: {
        int64_t cin = xs->d[xs->rank - 1], rows = total / at->filters;
        cl_mem K = weight_buf(s, i, "kernel", &hk), B = weight_buf(s, i, "bias", &hb);
        cl_float4 ap = actp(at);
        struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_MEM(K), A_MEM(B), A_INT(hb), A_INT(rows),
                           A_INT(cin), A_INT(at->filters), A_INT(kact(at)), A_VEC(ap)};
        clinfer_status st = launch(s, K_DENSE, n, (size_t)total, a, 11, d);
        if (st == CLINFER_OK && is_softmax(at->act)) st = softmax_channels(s, n, p->offset[i], d);
        return st;
    }
    case CF_OP_MATMUL: {
        const struct cf_shape *ws = &g->nodes[n->in[1]].out;
        int64_t M = xs->d[xs->rank - 2], K = xs->d[xs->rank - 1], N = ws->d[ws->rank - 1];
        int lead_rank = ys->rank - 2;
        int64_t lead[CF_MAX_RANK], sx[CF_MAX_RANK], sw[CF_MAX_RANK], accx = 1, accw = 1;
        for (int ax = lead_rank - 1; ax >= 0; ax--) {
            int ix = ax - (ys->rank - xs->rank), iw = ax - (ys->rank - ws->rank);
            lead[ax] = ys->d[ax];
            sx[ax] = ix >= 0 && xs->d[ix] != 1 ? accx : 0;
            sw[ax] = iw >= 0 && ws->d[iw] != 1 ? accw : 0;
            if (ix >= 0) accx *= xs->d[ix];
            if (iw >= 0) accw *= ws->d[iw];
        }
        cl_int8 lv = inner_first(lead, lead_rank, 1), xv = inner_first(sx, lead_rank, 0), wv = inner_first(sw, lead_rank, 0);
        struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(elem_off(p->offset[n->in[1]])), A_UINT(yo), A_INT(M),
                           A_INT(K), A_INT(N), A_INT(total / (M * N)), A_VEC(lv), A_VEC(xv), A_VEC(wv)};
        return launch(s, K_MATMUL, n, (size_t)total, a, 11, d);
    }
    case CF_OP_ACTIVATION: {
        if (is_softmax(at->act)) {
            int axis = at->axis < 0 ? ys->rank + at->axis : at->axis;
            int64_t outer, len, inner;
            axis_split(ys, axis, at->softmax_coerce, &outer, &len, &inner);
            struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_INT(outer), A_INT(len), A_INT(inner),
                               A_INT(at->act == CF_ACT_LOG_SOFTMAX)};
            return launch(s, K_SOFTMAX, n, (size_t)(outer * inner), a, 7, d);
        }
        cl_float4 ap = actp(at);
        struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_UINT(total), A_INT(at->act), A_VEC(ap)};
        return launch(s, K_ACT, n, ((size_t)total + 15) / 16, a, 6, d); /* 16 per work-item */
    }
    case CF_OP_BATCH_NORM: {
        int axis = at->axis < 0 ? ys->rank + at->axis : at->axis;
        int64_t outer, len, inner;
        axis_split(ys, axis, 0, &outer, &len, &inner);
        if (n->n_in > 1) {
            struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_UINT(total), A_INT(len), A_INT(inner),
                               A_MEM(s->w[i][0]), A_MEM(s->w[i][1]), A_MEM(s->w[i][2]), A_MEM(s->w[i][3]),
                               A_FLT(at->epsilon)};
            return launch(s, K_BN_FULL, n, (size_t)total, a, 11, d);
        }
        struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_UINT(total), A_INT(len), A_INT(inner),
                           A_MEM(s->bn[i]), A_MEM(s->bn[g->n_nodes + i])};
        return launch(s, K_BN, n, (size_t)total, a, 8, d);
    }
    case CF_OP_ADD:
    case CF_OP_MULTIPLY:
    case CF_OP_SUB:
    case CF_OP_DIV:
    case CF_OP_PRELU:
    case CF_OP_MAXIMUM:
    case CF_OP_MINIMUM: {
        int numpy = at->broadcast == CF_BCAST_NUMPY;
        static const enum cf_op codes[] = {CF_OP_ADD, CF_OP_MULTIPLY, CF_OP_SUB, CF_OP_DIV, CF_OP_PRELU, CF_OP_MAXIMUM,
                                           CF_OP_MINIMUM};
        int op = 0;
        while (codes[op] != n->op) op++;
        cl_int8 dims = inner_first(ys->d, ys->rank, 1);
        cl_float4 ap = actp(at);
        clinfer_status st = CLINFER_OK;
        for (int k = 1; k < n->n_in && !st; k++) {
            /* y = in0 op in1, then y = y op in_k; a fused activation on the last */
            int act = k == n->n_in - 1 ? (int)at->act : CF_ACT_LINEAR;
            const struct cf_shape *as = k == 1 ? &g->nodes[n->in[0]].out : ys;
            cl_uint ao = k == 1 ? xo : yo, bo = elem_off(p->offset[n->in[k]]);
            const struct cf_shape *bs = &g->nodes[n->in[k]].out;
            if (cf_shape_equal(as, ys) && cf_shape_equal(bs, ys)) { /* no broadcasting: 16 at a time, no index arithmetic */
                struct karg a[] = {A_MEM(s->arena), A_UINT(ao), A_UINT(bo), A_UINT(yo), A_UINT(total), A_INT(op),
                                   A_INT(act), A_VEC(ap)};
                st = launch(s, K_ELTWISE_FLAT, n, ((size_t)total + 15) / 16, a, 8, d);
                continue;
            }
            cl_int8 sa = bcast_strides(ys, as, numpy), sb = bcast_strides(ys, bs, numpy);
            struct karg a[] = {A_MEM(s->arena), A_UINT(ao), A_UINT(bo), A_UINT(yo), A_UINT(total), A_INT(op),
                               A_VEC(dims), A_VEC(sa), A_VEC(sb), A_INT(act), A_VEC(ap)};
            st = launch(s, K_ELTWISE, n, (size_t)total, a, 11, d);
        }
        return st;
    }
    case CF_OP_ZERO_PAD2D: {
        struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_INT(xs->d[0]), A_INT(xs->d[1]),
                           A_INT(xs->d[2]), A_INT(xs->d[3]), A_INT(ys->d[1]), A_INT(ys->d[2]), A_INT(at->pads[0]),
                           A_INT(at->pads[2])};
        return launch(s, K_ZPAD, n, (size_t)total, a, 11, d);
    }
    case CF_OP_CONCAT: {
        int axis = at->axis < 0 ? ys->rank + at->axis : at->axis;
        int64_t outer, len, inner, at_col = 0;
        axis_split(ys, axis, 0, &outer, &len, &inner);
        for (int k = 0; k < n->n_in; k++) {
            int64_t chunk = g->nodes[n->in[k]].out.d[axis] * inner;
            struct karg a[] = {A_MEM(s->arena), A_UINT(elem_off(p->offset[n->in[k]])), A_UINT(yo), A_INT(outer),
                               A_INT(chunk), A_INT(len * inner), A_INT(at_col)};
            clinfer_status st = launch(s, K_CONCAT, n, (size_t)(outer * ((chunk + 63) / 64)), a, 7, d);
            if (st) return st;
            at_col += chunk;
        }
        return CLINFER_OK;
    }
    case CF_OP_CONSTANT: {
        cl_mem v = weight_buf(s, i, "value", &hk);
        cl_int err = clEnqueueCopyBuffer(s->q, v, s->arena, 0, p->offset[i], sizeof(float) * (size_t)total, 0, NULL, NULL);
        return err == CL_SUCCESS ? CLINFER_OK : cf_cl_fail(d, "clEnqueueCopyBuffer", n->name, err);
    }
    case CF_OP_TRANSPOSE: {
        int64_t st[CF_MAX_RANK], src[CF_MAX_RANK];
        strides_of(xs, st);
        for (int ax = 0; ax < ys->rank; ax++) src[ax] = st[at->perm[ax]];
        cl_int8 od = inner_first(ys->d, ys->rank, 1), sv = inner_first(src, ys->rank, 0);
        struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_UINT(total), A_VEC(od), A_VEC(sv)};
        return launch(s, K_PERMUTE, n, (size_t)total, a, 6, d);
    }
    case CF_OP_PAD: {
        int64_t st[CF_MAX_RANK];
        strides_of(xs, st);
        cl_int8 od = inner_first(ys->d, ys->rank, 1), xd = inner_first(xs->d, xs->rank, 1), sv = inner_first(st, xs->rank, 0),
                bg = inner_first(at->pad_begin, xs->rank, 0);
        int mode = at->pad_mode == CF_PADMODE_CONSTANT ? 0 : at->pad_mode == CF_PADMODE_REFLECT ? 1 : 2;
        int64_t rows = total / (ys->rank ? ys->d[ys->rank - 1] : 1);
        struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_UINT(rows), A_VEC(od), A_VEC(xd), A_VEC(sv),
                           A_VEC(bg), A_INT(mode), A_FLT(at->pad_value)};
        return launch(s, K_PAD, n, (size_t)rows, a, 10, d); /* one work-item a row */
    }
    case CF_OP_LRN: {
        int64_t inner = total / (ys->d[0] * ys->d[1]);
        struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_INT(ys->d[0]), A_INT(ys->d[1]), A_INT(inner),
                           A_INT(at->lrn_size), A_FLT(at->alpha), A_FLT(at->beta), A_FLT(at->epsilon)};
        return launch(s, K_LRN, n, (size_t)total, a, 10, d);
    }
    case CF_OP_REDUCE_MEAN: {
        int64_t st[CF_MAX_RANK], od[CF_MAX_RANK], rd[CF_MAX_RANK], count = 1;
        strides_of(xs, st);
        for (int ax = 0; ax < xs->rank; ax++) {
            int red = at->reduce_axes >> ax & 1;
            od[ax] = red ? 1 : xs->d[ax];
            rd[ax] = red ? xs->d[ax] : 1;
            count *= rd[ax];
        }
        /* the reduced axes the innermost ones (NCHW's spatial mean): each output's inputs are one run of memory */
        int contiguous = 1;
        for (int ax = 0, seen = 0; ax < xs->rank; ax++) {
            int red = at->reduce_axes >> ax & 1;
            if (seen && !red && xs->d[ax] > 1) contiguous = 0;
            seen |= red;
        }
        cl_int8 odv = inner_first(od, xs->rank, 1), sv = inner_first(st, xs->rank, 0), rdv = inner_first(rd, xs->rank, 1);
        struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_UINT(total), A_VEC(odv), A_VEC(sv), A_VEC(rdv),
                           A_INT(count), A_INT(contiguous)};
        return launch(s, K_REDUCE_MEAN, n, (size_t)total, a, 9, d);
    }
    case CF_OP_DEPTH_TO_SPACE: {
        struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_INT(ys->d[0]), A_INT(ys->d[1]), A_INT(ys->d[2]),
                           A_INT(ys->d[3]), A_INT(at->blocksize), A_INT(at->d2s_crd)};
        return launch(s, K_D2S, n, (size_t)total, a, 9, d);
    }
    default:
        return cf_fail(d, CLINFER_E_UNSUPPORTED, "layer '%s': the OpenCL backend has no kernel for %s", n->name,
                       cf_op_name(n->op));
    }
}

static void opencl_release(void *state)
{
    struct cl_state *s = state;
    if (!s) return;
    if (s->q) clFinish(s->q);
    int n = s->x->g->n_nodes;
    for (int i = 0; s->tuned && i < n; i++) cf_tuned_release(&s->tuned[i]);
    cf_free(s->tuned);
    cf_free(s->ms);
    for (int i = 0; s->w && i < n; i++) {
        for (int k = 0; s->w[i] && k < s->x->w->count[i]; k++)
            if (s->w[i][k]) clReleaseMemObject(s->w[i][k]);
        cf_free(s->w[i]);
    }
    for (int i = 0; s->bn && i < 2 * n; i++)
        if (s->bn[i]) clReleaseMemObject(s->bn[i]);
    cf_free(s->w);
    cf_free(s->bn);
    for (int k = 0; k < K_COUNT; k++)
        if (s->k[k]) clReleaseKernel(s->k[k]);
    if (s->arena) clReleaseMemObject(s->arena);
    if (s->dummy) clReleaseMemObject(s->dummy);
    for (int f = 0; s->progs && cf_cl_sources[f].name; f++)
        if (s->progs[f]) clReleaseProgram(s->progs[f]);
    cf_free(s->progs);
    if (s->q) clReleaseCommandQueue(s->q);
    if (s->ctx) clReleaseContext(s->ctx);
    cf_free(s->arena_host); /* (after the context: every use of it is done) */
    cf_free(s);
}

static cl_mem upload(struct cl_state *s, const float *data, size_t bytes, const char *what, struct cf_diag *d,
                     clinfer_status *st)
{
    cl_int err;
    cl_mem m = clCreateBuffer(s->ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bytes, (void *)data, &err);
    if (!m || err != CL_SUCCESS) *st = cf_cl_fail(d, "clCreateBuffer", what, err);
    return m;
}

static clinfer_status opencl_prepare(const struct cf_exec *x, const char *spec, void **state, struct cf_diag *d)
{
    struct cl_state *s = cf_calloc(1, sizeof *s);
    if (!s) return cf_fail_oom(d);
    s->x = x;
    clinfer_status st = cf_cl_select(spec, &s->dev, d);
    cl_int err = CL_SUCCESS;
    if (st) goto fail;
    snprintf(s->desc, sizeof s->desc, "opencl:%d %s (%s, driver %s)", s->dev.index, s->dev.name,
             s->dev.platform_name, s->dev.driver);
    s->ctx = clCreateContext(NULL, 1, &s->dev.device, NULL, NULL, &err);
    if (!s->ctx || err != CL_SUCCESS) {
        st = cf_cl_fail(d, "clCreateContext", s->dev.name, err);
        goto fail;
    }
    s->q = clCreateCommandQueue(s->ctx, s->dev.device, CL_QUEUE_PROFILING_ENABLE, &err);
    if (!s->q || err != CL_SUCCESS) {
        st = cf_cl_fail(d, "clCreateCommandQueue", s->dev.name, err);
        goto fail;
    }
    int files = 0;
    while (cf_cl_sources[files].name) files++;
    if (!(s->progs = cf_calloc((size_t)files + 1, sizeof *s->progs))) {
        st = cf_fail_oom(d);
        goto fail;
    }
    /* (the session chose a sub-batch whose arena fits one buffer: opencl_memory) */
    size_t arena = x->plan->arena_bytes ? x->plan->arena_bytes : 64;
    if (cf_cl_host_memory(&s->dev) && !(s->arena_host = cf_malloc_pages(arena))) {
        st = cf_fail(d, CLINFER_E_NOMEM, "out of memory for the arena of %zu bytes", arena);
        goto fail;
    }
    s->arena = clCreateBuffer(s->ctx, CL_MEM_READ_WRITE | (s->arena_host ? CL_MEM_USE_HOST_PTR : 0), arena,
                              s->arena_host, &err);
    if (!s->arena || err != CL_SUCCESS) {
        char what[64];
        snprintf(what, sizeof what, "arena of %zu bytes", arena);
        st = cf_cl_fail(d, "clCreateBuffer", what, err);
        goto fail;
    }
    float zero = 0;
    if (!(s->dummy = upload(s, &zero, sizeof zero, "placeholder", d, &st))) goto fail;
    int n = x->g->n_nodes;
    /* each Conv2D and Dense gets its kernel: timed once per (shape, device), then from the tuning database; a layer
     * with a tuned kernel has its weights in that kernel's layout and none in the generic one */
    s->tuned = cf_calloc((size_t)n + 1, sizeof *s->tuned);
    s->ms = cf_calloc((size_t)n + 1, sizeof *s->ms);
    if (!s->tuned || !s->ms) {
        st = cf_fail_oom(d);
        goto fail;
    }
    {
        struct cf_tune_env E = {s->ctx, s->q, &s->dev, s->arena, x};
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < n; i++) {
            cf_progress(d, "kernels", i, n, x->g->nodes[i].name);
            if ((st = cf_tuned_choose(&E, i, &s->tuned[i], d))) goto fail;
        }
        cf_progress(d, "kernels", n, n, "");
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (x->tune_ms) *x->tune_ms += (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    }
    s->w = cf_calloc((size_t)n + 1, sizeof *s->w);
    s->bn = cf_calloc(2 * (size_t)n + 1, sizeof *s->bn);
    if (!s->w || !s->bn) {
        st = cf_fail_oom(d);
        goto fail;
    }
    for (int i = 0; i < n; i++) {
        const struct cf_node *nd = &x->g->nodes[i];
        if (s->tuned[i].algo.kind != CF_ALGO_GENERIC) continue;
        if (x->w->count[i] && !(s->w[i] = cf_calloc((size_t)x->w->count[i], sizeof(cl_mem)))) {
            st = cf_fail_oom(d);
            goto fail;
        }
        for (int k = 0; k < x->w->count[i]; k++) {
            const struct cf_tensor *t = &x->w->t[i][k];
            size_t bytes = sizeof(float);
            for (int r = 0; r < t->desc.rank; r++) bytes *= (size_t)t->desc.dims[r];
            char what[300];
            snprintf(what, sizeof what, "%s/%s", nd->name, t->desc.name);
            if (!(s->w[i][k] = upload(s, t->data, bytes, what, d, &st))) goto fail;
        }
        if (nd->op == CF_OP_BATCH_NORM && nd->n_in == 1) {
            /* scale = gamma / sqrt(var + eps), shift = beta - mean·scale */
            const struct cf_tensor *gm = cf_weights_get(x->w, i, "gamma"), *bt = cf_weights_get(x->w, i, "beta"),
                                   *mn = cf_weights_get(x->w, i, "moving_mean"),
                                   *vr = cf_weights_get(x->w, i, "moving_variance");
            int64_t c = mn->desc.dims[0];
            float *ss = cf_malloc(sizeof(float) * 2 * (size_t)c);
            if (!ss) {
                st = cf_fail_oom(d);
                goto fail;
            }
            for (int64_t j = 0; j < c; j++) {
                double sc = (gm ? gm->data[j] : 1.0) / sqrt((double)vr->data[j] + nd->a.epsilon);
                ss[j] = (float)sc;
                ss[c + j] = (float)((bt ? bt->data[j] : 0.0) - mn->data[j] * sc);
            }
            s->bn[i] = upload(s, ss, sizeof(float) * (size_t)c, nd->name, d, &st);
            s->bn[n + i] = s->bn[i] ? upload(s, ss + c, sizeof(float) * (size_t)c, nd->name, d, &st) : NULL;
            cf_free(ss);
            if (!s->bn[i] || !s->bn[n + i]) goto fail;
        }
    }
    *state = s;
    return CLINFER_OK;
fail:
    opencl_release(s);
    return st;
}

static clinfer_status opencl_write(void *state, size_t offset, const float *src, size_t bytes, struct cf_diag *d)
{
    struct cl_state *s = state;
    /* not blocking: a wait here costs PoCL a round trip to its threads (~30 us, a third of a small model's run); the
     * pass's last read or finish waits for it */
    cl_int err = clEnqueueWriteBuffer(s->q, s->arena, CL_FALSE, offset, bytes, src, 0, NULL, NULL);
    return err == CL_SUCCESS ? CLINFER_OK : cf_cl_fail(d, "clEnqueueWriteBuffer", "input", err);
}

static clinfer_status opencl_read(void *state, size_t offset, float *dst, size_t bytes, struct cf_diag *d)
{
    struct cl_state *s = state;
    cl_int err = clEnqueueReadBuffer(s->q, s->arena, CL_TRUE, offset, bytes, dst, 0, NULL, NULL);
    return err == CL_SUCCESS ? CLINFER_OK : cf_cl_fail(d, "clEnqueueReadBuffer", "output", err);
}

static clinfer_status opencl_finish(void *state, struct cf_diag *d)
{
    cl_int err = clFinish(((struct cl_state *)state)->q);
    return err == CL_SUCCESS ? CLINFER_OK : cf_cl_fail(d, "clFinish", "the queue", err);
}

static const char *opencl_describe(void *state) { return ((struct cl_state *)state)->desc; }

static void opencl_algo(void *state, int node, char *out, size_t size)
{
    struct cl_state *s = state;
    cf_algo_name(&s->tuned[node].algo, &s->x->g->nodes[node], out, size);
}

static double opencl_node_ms(void *state, int node) { return ((struct cl_state *)state)->ms[node]; }

static clinfer_status opencl_memory(const char *spec, uint64_t *max_buffer, uint64_t *total, int *host,
                                    struct cf_diag *d)
{
    struct cf_cl_device dev;
    clinfer_status st = cf_cl_select(spec, &dev, d);
    if (st) return st;
    *host = cf_cl_host_memory(&dev);
    *max_buffer = dev.max_alloc;
    if (*max_buffer > ((uint64_t)1 << 34) - 64) *max_buffer = ((uint64_t)1 << 34) - 64; /* kernels take 32-bit float offsets */
    *total = dev.global_mem;
    return CLINFER_OK;
}

const struct cf_backend cf_backend_opencl = {"opencl", opencl_prepare, opencl_write, opencl_read, opencl_run_node,
                                             opencl_describe, opencl_algo, opencl_node_ms, opencl_release,
                                             opencl_memory, opencl_finish};
