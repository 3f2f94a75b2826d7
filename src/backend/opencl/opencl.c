/* The OpenCL backend: one arena buffer for every activation (offsets from the plan), weights uploaded once,
 * one kernel launch per layer (bias and activation inside the conv and dense kernels; softmax, which is not
 * element-wise, as its own pass). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../util/alloc.h"
#include "../backend.h"
#include "../ref/ref.h"
#include "cl.h"

enum kid { K_CONV2D, K_DEPTHWISE, K_TRANSPOSE, K_POOL, K_GPOOL, K_DENSE, K_ACT, K_SOFTMAX, K_BN, K_ELTWISE,
           K_ZPAD, K_CONCAT, K_COUNT };

static const char *const kernel_names[K_COUNT] = {
    "conv2d_direct_f32", "depthwise_conv2d_f32", "conv2d_transpose_f32", "pool2d_f32", "global_pool2d_f32",
    "dense_f32", "activation_f32", "softmax_f32", "batch_norm_f32", "eltwise_f32", "zero_pad2d_f32", "concat_f32"};

struct cl_state {
    const struct cf_exec *x;
    struct cf_cl_device dev;
    cl_context ctx;
    cl_command_queue q;
    cl_program prog;
    cl_kernel k[K_COUNT];
    cl_mem arena;
    cl_mem dummy;
    cl_mem **w;      /* per node, per weight tensor */
    cl_mem *bn;      /* BatchNormalization: bn[i] scale, bn[n + i] shift (C floats each) */
    int from_cache;
    char desc[768];
};

struct karg {
    size_t size;
    const void *ptr;
};
#define A_MEM(m) ((struct karg){sizeof(cl_mem), &(m)})
#define A_INT(v) ((struct karg){sizeof(cl_int), &(cl_int){(cl_int)(v)}})
#define A_UINT(v) ((struct karg){sizeof(cl_uint), &(cl_uint){(cl_uint)(v)}})
#define A_FLT(v) ((struct karg){sizeof(cl_float), &(cl_float){(cl_float)(v)}})

static clinfer_status launch(struct cl_state *s, enum kid k, const struct cf_node *n, size_t global,
                             const struct karg *args, int nargs, struct cf_diag *d)
{
    char what[300];
    snprintf(what, sizeof what, "%s, layer '%s'", kernel_names[k], n->name);
    for (int i = 0; i < nargs; i++) {
        cl_int err = clSetKernelArg(s->k[k], (cl_uint)i, args[i].size, args[i].ptr);
        if (err != CL_SUCCESS) return cf_cl_fail(d, "clSetKernelArg", what, err);
    }
    if (global == 0) return CLINFER_OK;
    size_t g = (global + 63) / 64 * 64;
    cl_int err = clEnqueueNDRangeKernel(s->q, s->k[k], 1, NULL, &g, NULL, 0, NULL, NULL);
    return err == CL_SUCCESS ? CLINFER_OK : cf_cl_fail(d, "clEnqueueNDRangeKernel", what, err);
}

static cl_uint elem_off(size_t bytes) { return (cl_uint)(bytes / sizeof(float)); }

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

/* Softmax over the last axis, in place, after a conv or dense kernel that ran with act=linear. */
static clinfer_status softmax_rows(struct cl_state *s, const struct cf_node *n, size_t off, struct cf_diag *d)
{
    int64_t total = cf_shape_elems_per_item(&n->out) * n->out.d[0], len = n->out.d[n->out.rank - 1];
    struct karg a[] = {A_MEM(s->arena), A_UINT(elem_off(off)), A_UINT(elem_off(off)), A_INT(total / len), A_INT(len),
                       A_INT(1)};
    return launch(s, K_SOFTMAX, n, (size_t)(total / len), a, 6, d);
}

/* act id for a kernel: softmax runs afterwards as its own pass */
static int kact(const struct cf_attrs *at) { return at->act == CF_ACT_SOFTMAX ? CF_ACT_LINEAR : (int)at->act; }

static clinfer_status run_conv(struct cl_state *s, int i, struct cf_diag *d)
{
    const struct cf_graph *g = s->x->g;
    const struct cf_plan *p = s->x->plan;
    const struct cf_node *n = &g->nodes[i];
    const struct cf_attrs *at = &n->a;
    const struct cf_shape *xs = &g->nodes[n->in[0]].out, *ys = &n->out;
    int hb, hk;
    cl_uint xo = elem_off(p->offset[n->in[0]]), yo = elem_off(p->offset[i]);
    int H = (int)xs->d[1], W = (int)xs->d[2], C = (int)xs->d[3], Ho = (int)ys->d[1], Wo = (int)ys->d[2];
    int N = (int)xs->d[0], Co = (int)ys->d[3];
    size_t total = (size_t)N * Ho * Wo * Co;
    clinfer_status st;
    if (n->op == CF_OP_CONV2D_TRANSPOSE) {
        int pt = (int)ref_pad_before(Ho, H, at->kernel[0], at->strides[0], at->dilation[0], at->padding);
        int pl = (int)ref_pad_before(Wo, W, at->kernel[1], at->strides[1], at->dilation[1], at->padding);
        cl_mem K = weight_buf(s, i, "kernel", &hk), B = weight_buf(s, i, "bias", &hb);
        struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_MEM(K), A_MEM(B), A_INT(hb), A_INT(N),
                           A_INT(H), A_INT(W), A_INT(C), A_INT(Ho), A_INT(Wo), A_INT(Co), A_INT(at->kernel[0]),
                           A_INT(at->kernel[1]), A_INT(at->strides[0]), A_INT(at->strides[1]),
                           A_INT(at->dilation[0]), A_INT(at->dilation[1]), A_INT(pt), A_INT(pl), A_INT(kact(at)),
                           A_FLT(at->alpha), A_FLT(at->max_value), A_FLT(at->threshold)};
        st = launch(s, K_TRANSPOSE, n, total, a, 25, d);
    } else {
        int pt = (int)ref_pad_before(H, Ho, at->kernel[0], at->strides[0], at->dilation[0], at->padding);
        int pl = (int)ref_pad_before(W, Wo, at->kernel[1], at->strides[1], at->dilation[1], at->padding);
        int dw_stage = n->op == CF_OP_DEPTHWISE_CONV2D || n->op == CF_OP_SEPARABLE_CONV2D;
        if (dw_stage) {
            /* depthwise: straight to the output, or to the scratch buffer before the pointwise stage */
            int sep = n->op == CF_OP_SEPARABLE_CONV2D;
            cl_mem K = weight_buf(s, i, "depthwise_kernel", &hk), B = weight_buf(s, i, "bias", &hb);
            cl_uint to = sep ? elem_off(p->scratch_offset[i]) : yo;
            int M = at->depth_multiplier;
            struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(to), A_MEM(K), A_MEM(B), A_INT(sep ? 0 : hb),
                               A_INT(N), A_INT(H), A_INT(W), A_INT(C), A_INT(Ho), A_INT(Wo), A_INT(M),
                               A_INT(at->kernel[0]), A_INT(at->kernel[1]), A_INT(at->strides[0]),
                               A_INT(at->strides[1]), A_INT(at->dilation[0]), A_INT(at->dilation[1]), A_INT(pt),
                               A_INT(pl), A_INT(sep ? CF_ACT_LINEAR : kact(at)), A_FLT(at->alpha),
                               A_FLT(at->max_value), A_FLT(at->threshold)};
            if ((st = launch(s, K_DEPTHWISE, n, (size_t)N * Ho * Wo * C * M, a, 25, d)) || !sep) goto done;
            /* pointwise: a 1×1 conv over the scratch buffer */
            K = weight_buf(s, i, "pointwise_kernel", &hk);
            struct karg b[] = {A_MEM(s->arena), A_UINT(to), A_UINT(yo), A_MEM(K), A_MEM(B), A_INT(hb), A_INT(N),
                               A_INT(Ho), A_INT(Wo), A_INT(C * M), A_INT(Ho), A_INT(Wo), A_INT(Co), A_INT(1), A_INT(1),
                               A_INT(1), A_INT(1), A_INT(1), A_INT(1), A_INT(0), A_INT(0), A_INT(1), A_INT(kact(at)),
                               A_FLT(at->alpha), A_FLT(at->max_value), A_FLT(at->threshold)};
            st = launch(s, K_CONV2D, n, total, b, 26, d);
        } else {
            cl_mem K = weight_buf(s, i, "kernel", &hk), B = weight_buf(s, i, "bias", &hb);
            struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_MEM(K), A_MEM(B), A_INT(hb), A_INT(N),
                               A_INT(H), A_INT(W), A_INT(C), A_INT(Ho), A_INT(Wo), A_INT(Co), A_INT(at->kernel[0]),
                               A_INT(at->kernel[1]), A_INT(at->strides[0]), A_INT(at->strides[1]),
                               A_INT(at->dilation[0]), A_INT(at->dilation[1]), A_INT(pt), A_INT(pl),
                               A_INT(at->groups), A_INT(kact(at)), A_FLT(at->alpha), A_FLT(at->max_value),
                               A_FLT(at->threshold)};
            st = launch(s, K_CONV2D, n, total, a, 26, d);
        }
    }
done:
    if (st == CLINFER_OK && at->act == CF_ACT_SOFTMAX) st = softmax_rows(s, n, p->offset[i], d);
    return st;
}

static void axis_split(const struct cf_shape *sh, int axis, int64_t *outer, int64_t *len, int64_t *inner)
{
    *outer = *inner = 1;
    for (int k = 0; k < axis; k++) *outer *= sh->d[k];
    *len = sh->d[axis];
    for (int k = axis + 1; k < sh->rank; k++) *inner *= sh->d[k];
}

/* Strides of input `s` along each output axis (last axis first), 0 where it is broadcast (Keras' _Merge:
 * the batch matches the batch, the other axes are right-aligned). */
static cl_int8 merge_strides(const struct cf_shape *o, const struct cf_shape *s)
{
    cl_int8 v;
    memset(&v, 0, sizeof v);
    int64_t in_stride[CF_MAX_RANK];
    int64_t acc = 1;
    for (int a = s->rank - 1; a >= 0; a--) {
        in_stride[a] = acc;
        acc *= s->d[a];
    }
    for (int k = 0; k < o->rank; k++) {
        int ax = o->rank - 1 - k;
        int sa = ax == 0 ? 0 : ax - (o->rank - s->rank);
        if (ax > 0 && sa < 1) continue;
        v.s[k] = s->d[sa] == 1 ? 0 : (cl_int)in_stride[sa];
    }
    return v;
}

static clinfer_status opencl_run_node(void *state, int i, struct cf_diag *d)
{
    struct cl_state *s = state;
    const struct cf_graph *g = s->x->g;
    const struct cf_plan *p = s->x->plan;
    const struct cf_node *n = &g->nodes[i];
    const struct cf_attrs *at = &n->a;
    const struct cf_shape *ys = &n->out;
    cl_uint yo = elem_off(p->offset[i]), xo = n->n_in ? elem_off(p->offset[n->in[0]]) : 0;
    const struct cf_shape *xs = n->n_in ? &g->nodes[n->in[0]].out : ys;
    int64_t total = cf_shape_elems_per_item(ys) * ys->d[0];
    int hb, hk;
    switch (n->op) {
    case CF_OP_CONV2D:
    case CF_OP_DEPTHWISE_CONV2D:
    case CF_OP_SEPARABLE_CONV2D:
    case CF_OP_CONV2D_TRANSPOSE:
        return run_conv(s, i, d);
    case CF_OP_MAX_POOL2D:
    case CF_OP_AVG_POOL2D: {
        int pt = (int)ref_pad_before(xs->d[1], ys->d[1], at->kernel[0], at->strides[0], 1, at->padding);
        int pl = (int)ref_pad_before(xs->d[2], ys->d[2], at->kernel[1], at->strides[1], 1, at->padding);
        struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_INT(n->op == CF_OP_MAX_POOL2D),
                           A_INT(xs->d[0]), A_INT(xs->d[1]), A_INT(xs->d[2]), A_INT(xs->d[3]), A_INT(ys->d[1]),
                           A_INT(ys->d[2]), A_INT(at->kernel[0]), A_INT(at->kernel[1]), A_INT(at->strides[0]),
                           A_INT(at->strides[1]), A_INT(pt), A_INT(pl)};
        return launch(s, K_POOL, n, (size_t)total, a, 16, d);
    }
    case CF_OP_GLOBAL_AVG_POOL2D:
    case CF_OP_GLOBAL_MAX_POOL2D: {
        struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_INT(n->op == CF_OP_GLOBAL_MAX_POOL2D),
                           A_INT(xs->d[0]), A_INT(xs->d[1] * xs->d[2]), A_INT(xs->d[3])};
        return launch(s, K_GPOOL, n, (size_t)(xs->d[0] * xs->d[3]), a, 7, d);
    }
    case CF_OP_DENSE: {
        int64_t cin = xs->d[xs->rank - 1], rows = total / at->filters;
        cl_mem K = weight_buf(s, i, "kernel", &hk), B = weight_buf(s, i, "bias", &hb);
        struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_MEM(K), A_MEM(B), A_INT(hb), A_INT(rows),
                           A_INT(cin), A_INT(at->filters), A_INT(kact(at)), A_FLT(at->alpha), A_FLT(at->max_value),
                           A_FLT(at->threshold)};
        clinfer_status st = launch(s, K_DENSE, n, (size_t)total, a, 13, d);
        if (st == CLINFER_OK && at->act == CF_ACT_SOFTMAX) st = softmax_rows(s, n, p->offset[i], d);
        return st;
    }
    case CF_OP_ACTIVATION: {
        if (at->act == CF_ACT_SOFTMAX) {
            int axis = at->axis < 0 ? ys->rank + at->axis : at->axis;
            int64_t outer, len, inner;
            axis_split(ys, axis, &outer, &len, &inner);
            struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_INT(outer), A_INT(len), A_INT(inner)};
            return launch(s, K_SOFTMAX, n, (size_t)(outer * inner), a, 6, d);
        }
        struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_UINT(total), A_INT(at->act),
                           A_FLT(at->alpha), A_FLT(at->max_value), A_FLT(at->threshold)};
        return launch(s, K_ACT, n, (size_t)total, a, 8, d);
    }
    case CF_OP_BATCH_NORM: {
        int axis = at->axis < 0 ? ys->rank + at->axis : at->axis;
        int64_t outer, len, inner;
        axis_split(ys, axis, &outer, &len, &inner);
        struct karg a[] = {A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_UINT(total), A_INT(len), A_INT(inner),
                           A_MEM(s->bn[i]), A_MEM(s->bn[g->n_nodes + i])};
        return launch(s, K_BN, n, (size_t)total, a, 8, d);
    }
    case CF_OP_ADD:
    case CF_OP_MULTIPLY: {
        cl_int8 dims;
        for (int k = 0; k < 8; k++) dims.s[k] = k < ys->rank ? (cl_int)ys->d[ys->rank - 1 - k] : 1;
        clinfer_status st = CLINFER_OK;
        for (int k = 1; k < n->n_in && !st; k++) {
            /* y = in0 op in1, then y = y op in_k */
            const struct cf_shape *as = k == 1 ? &g->nodes[n->in[0]].out : ys;
            cl_uint ao = k == 1 ? xo : yo, bo = elem_off(p->offset[n->in[k]]);
            cl_int8 sa = merge_strides(ys, as), sb = merge_strides(ys, &g->nodes[n->in[k]].out);
            struct karg a[] = {A_MEM(s->arena), A_UINT(ao), A_UINT(bo), A_UINT(yo), A_UINT(total),
                               A_INT(n->op == CF_OP_MULTIPLY), {sizeof dims, &dims}, {sizeof sa, &sa},
                               {sizeof sb, &sb}};
            st = launch(s, K_ELTWISE, n, (size_t)total, a, 9, d);
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
        axis_split(ys, axis, &outer, &len, &inner);
        for (int k = 0; k < n->n_in; k++) {
            int64_t chunk = g->nodes[n->in[k]].out.d[axis] * inner;
            struct karg a[] = {A_MEM(s->arena), A_UINT(elem_off(p->offset[n->in[k]])), A_UINT(yo), A_INT(outer),
                               A_INT(chunk), A_INT(len * inner), A_INT(at_col)};
            clinfer_status st = launch(s, K_CONCAT, n, (size_t)(outer * chunk), a, 7, d);
            if (st) return st;
            at_col += chunk;
        }
        return CLINFER_OK;
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
    if (s->prog) clReleaseProgram(s->prog);
    if (s->q) clReleaseCommandQueue(s->q);
    if (s->ctx) clReleaseContext(s->ctx);
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
    if (x->g->layout != CF_LAYOUT_NHWC) {
        st = cf_fail(d, CLINFER_E_UNSUPPORTED, "the OpenCL backend runs NHWC graphs");
        goto fail;
    }
    snprintf(s->desc, sizeof s->desc, "opencl:%d %s (%s, driver %s)", s->dev.index, s->dev.name,
             s->dev.platform_name, s->dev.driver);
    s->ctx = clCreateContext(NULL, 1, &s->dev.device, NULL, NULL, &err);
    if (!s->ctx || err != CL_SUCCESS) {
        st = cf_cl_fail(d, "clCreateContext", s->dev.name, err);
        goto fail;
    }
    s->q = clCreateCommandQueue(s->ctx, s->dev.device, 0, &err);
    if (!s->q || err != CL_SUCCESS) {
        st = cf_cl_fail(d, "clCreateCommandQueue", s->dev.name, err);
        goto fail;
    }
    if ((st = cf_cl_program(s->ctx, &s->dev, &s->prog, &s->from_cache, d))) goto fail;
    for (int k = 0; k < K_COUNT; k++) {
        s->k[k] = clCreateKernel(s->prog, kernel_names[k], &err);
        if (!s->k[k] || err != CL_SUCCESS) {
            st = cf_cl_fail(d, "clCreateKernel", kernel_names[k], err);
            goto fail;
        }
    }
    size_t arena = x->plan->arena_bytes ? x->plan->arena_bytes : 64;
    if (arena / sizeof(float) >= ((size_t)1 << 32)) {
        st = cf_fail(d, CLINFER_E_LIMIT, "the activations need %zu MiB, more than the 16 GiB kernels can address",
                     arena >> 20);
        goto fail;
    }
    if (arena > s->dev.max_alloc) {
        st = cf_fail(d, CLINFER_E_NOMEM,
                     "the activations need %zu MiB in one buffer; %s allows at most %llu MiB per buffer (try a "
                     "smaller batch)",
                     arena >> 20, s->dev.name, (unsigned long long)(s->dev.max_alloc >> 20));
        goto fail;
    }
    s->arena = clCreateBuffer(s->ctx, CL_MEM_READ_WRITE, arena, NULL, &err);
    if (!s->arena || err != CL_SUCCESS) {
        char what[64];
        snprintf(what, sizeof what, "arena of %zu bytes", arena);
        st = cf_cl_fail(d, "clCreateBuffer", what, err);
        goto fail;
    }
    float zero = 0;
    if (!(s->dummy = upload(s, &zero, sizeof zero, "placeholder", d, &st))) goto fail;
    int n = x->g->n_nodes;
    s->w = cf_calloc((size_t)n + 1, sizeof *s->w);
    s->bn = cf_calloc(2 * (size_t)n + 1, sizeof *s->bn);
    if (!s->w || !s->bn) {
        st = cf_fail_oom(d);
        goto fail;
    }
    for (int i = 0; i < n; i++) {
        const struct cf_node *nd = &x->g->nodes[i];
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
        if (nd->op == CF_OP_BATCH_NORM) {
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
    cl_int err = clEnqueueWriteBuffer(s->q, s->arena, CL_TRUE, offset, bytes, src, 0, NULL, NULL);
    return err == CL_SUCCESS ? CLINFER_OK : cf_cl_fail(d, "clEnqueueWriteBuffer", "input", err);
}

static clinfer_status opencl_read(void *state, size_t offset, float *dst, size_t bytes, struct cf_diag *d)
{
    struct cl_state *s = state;
    cl_int err = clEnqueueReadBuffer(s->q, s->arena, CL_TRUE, offset, bytes, dst, 0, NULL, NULL);
    return err == CL_SUCCESS ? CLINFER_OK : cf_cl_fail(d, "clEnqueueReadBuffer", "output", err);
}

static const char *opencl_describe(void *state) { return ((struct cl_state *)state)->desc; }

const struct cf_backend cf_backend_opencl = {"opencl", opencl_prepare, opencl_write, opencl_read, opencl_run_node,
                                             opencl_describe, opencl_release};
