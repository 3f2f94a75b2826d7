/* The OpenCL backend: the device and its context, one arena buffer for every activation (offsets from the plan), the
 * weights uploaded once, each layer's kernel chosen (tuned.c) or its op's generic launch (ops.c: bias and activation
 * inside the conv and dense kernels; softmax, which is not element-wise, as its own pass), reads and writes. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../../util/alloc.h"
#include "cl_sources.h"
#include "launch.h"

/* Weights given at run time (ONNX: inputs after the data) go to the node's weight buffers first. */
static clinfer_status runtime_weights(struct cf_cl *s, int i, struct cf_diag *d)
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

/* A node: its tuned kernel when it has one, else its op's generic launch (ops.c) */
static clinfer_status opencl_run_node(void *state, int i, struct cf_diag *d)
{
    struct cf_cl *s = state;
    const struct cf_node *n = &s->x->g->nodes[i];
    s->current = i;
    s->ms[i] = 0;
    if (s->tuned[i].algo.kind != CF_ALGO_GENERIC) {
        struct cf_tune_env E = {s->ctx, s->q, &s->dev, s->arena, s->x, NULL, NULL};
        clinfer_status st = cf_tuned_launch(&E, i, &s->tuned[i], s->x->profile ? &s->ms[i] : NULL, d);
        if (st == CLINFER_OK && cf_cl_is_softmax(n->a.act)) st = cf_cl_softmax_channels(s, n, s->x->plan->offset[i], d);
        return st;
    }
    if (n->n_in > 1 && cf_op_has(n->op, CF_T_RUNTIME_WEIGHTS)) {
        clinfer_status st = runtime_weights(s, i, d);
        if (st) return st;
    }
    cf_cl_run_fn run = cf_cl_op(n->op);
    if (!run)
        return cf_fail(d, CLINFER_E_UNSUPPORTED, "layer '%s': the OpenCL backend has no kernel for %s", n->name,
                       cf_op_name(n->op));
    return run(s, i, d);
}

static void opencl_release(void *state)
{
    struct cf_cl *s = state;
    if (!s) return;
    if (s->q) clFinish(s->q);
    cf_cl_stage_release(s);
    int n = s->x->g->n_nodes;
    for (int i = 0; s->tuned && i < n; i++) cf_tuned_release(&s->tuned[i]);
    cf_free(s->tuned);
    cf_free(s->ms);
    cf_free(s->shape);
    for (int i = 0; s->w && i < n; i++) {
        for (int k = 0; s->w[i] && k < s->x->w->count[i]; k++)
            if (s->w[i][k]) clReleaseMemObject(s->w[i][k]);
        cf_free(s->w[i]);
    }
    for (int i = 0; s->bn && i < 2 * n; i++)
        if (s->bn[i]) clReleaseMemObject(s->bn[i]);
    cf_free(s->w);
    cf_free(s->bn);
    for (int k = 0; k < s->n_kernels; k++) clReleaseKernel(s->kernels[k].k);
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

static cl_mem upload(struct cf_cl *s, const float *data, size_t bytes, const char *what, struct cf_diag *d,
                     clinfer_status *st)
{
    cl_int err;
    cl_mem m = clCreateBuffer(s->ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bytes, (void *)data, &err);
    if (!m || err != CL_SUCCESS) *st = cf_cl_fail(d, "clCreateBuffer", what, err);
    return m;
}

/* Node i's weights as its generic kernel takes them (each tensor a buffer; BatchNormalization's scale and shift), once */
static clinfer_status generic_weights(struct cf_cl *s, int i, struct cf_diag *d)
{
    const struct cf_exec *x = s->x;
    const struct cf_node *nd = &x->g->nodes[i];
    int n = x->g->n_nodes;
    clinfer_status st = CLINFER_OK;
    if (s->w[i] || s->bn[i]) return CLINFER_OK;
    if (x->w->count[i] && !(s->w[i] = cf_calloc((size_t)x->w->count[i], sizeof(cl_mem)))) return cf_fail_oom(d);
    for (int k = 0; k < x->w->count[i]; k++) {
        const struct cf_tensor *t = &x->w->t[i][k];
        size_t bytes = sizeof(float);
        for (int r = 0; r < t->desc.rank; r++) bytes *= (size_t)t->desc.dims[r];
        char what[300];
        snprintf(what, sizeof what, "%s/%s", nd->name, t->desc.name);
        if (!(s->w[i][k] = upload(s, t->data, bytes, what, d, &st))) return st;
    }
    if (nd->op == CF_OP_BATCH_NORM && nd->n_in == 1) {
        /* scale = gamma / sqrt(var + eps), shift = beta - mean·scale */
        const struct cf_tensor *gm = cf_weights_get(x->w, i, "gamma"), *bt = cf_weights_get(x->w, i, "beta"),
                               *mn = cf_weights_get(x->w, i, "moving_mean"),
                               *vr = cf_weights_get(x->w, i, "moving_variance");
        int64_t c = mn->desc.dims[0];
        float *ss = cf_malloc(sizeof(float) * 2 * (size_t)c);
        if (!ss) return cf_fail_oom(d);
        for (int64_t j = 0; j < c; j++) {
            double sc = (gm ? gm->data[j] : 1.0) / sqrt((double)vr->data[j] + nd->a.epsilon);
            ss[j] = (float)sc;
            ss[c + j] = (float)((bt ? bt->data[j] : 0.0) - mn->data[j] * sc);
        }
        s->bn[i] = upload(s, ss, sizeof(float) * (size_t)c, nd->name, d, &st);
        s->bn[n + i] = s->bn[i] ? upload(s, ss + c, sizeof(float) * (size_t)c, nd->name, d, &st) : NULL;
        cf_free(ss);
    }
    return st;
}

static void release_generic_weights(struct cf_cl *s, int i)
{
    for (int k = 0; s->w[i] && k < s->x->w->count[i]; k++)
        if (s->w[i][k]) clReleaseMemObject(s->w[i][k]);
    cf_free(s->w[i]);
    s->w[i] = NULL;
}

/* The tuner's generic candidate (tuned.h, cf_tune_env.generic_ms): node i's generic kernel run once, timed by its
 * events */
static clinfer_status generic_ms(void *state, int i, double *ms, struct cf_diag *d)
{
    struct cf_cl *s = state;
    const struct cf_node *n = &s->x->g->nodes[i];
    cf_cl_run_fn run = cf_cl_op(n->op);
    if (!run) return cf_fail(d, CLINFER_E_UNSUPPORTED, "layer '%s': no generic kernel for %s", n->name, cf_op_name(n->op));
    clinfer_status st = generic_weights(s, i, d);
    if (st) return st;
    s->current = i;
    s->ms[i] = 0;
    s->timing = 1;
    st = run(s, i, d);
    s->timing = 0;
    if (!st && clFinish(s->q) != CL_SUCCESS) st = cf_fail(d, CLINFER_E_DEVICE, "layer '%s': clFinish failed", n->name);
    *ms = s->ms[i];
    return st;
}

static clinfer_status opencl_prepare(const struct cf_exec *x, const char *spec, void **state, struct cf_diag *d)
{
    struct cf_cl *s = cf_calloc(1, sizeof *s);
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
    s->stage_cap = cf_cl_stage_cap(&s->dev); /* (inputs and outputs through pinned memory off the host's) */
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
    s->shape = cf_calloc((size_t)n + 1, sizeof *s->shape);
    if (!s->tuned || !s->ms) {
        st = cf_fail_oom(d);
        goto fail;
    }
    s->w = cf_calloc((size_t)n + 1, sizeof *s->w);
    s->bn = cf_calloc(2 * (size_t)n + 1, sizeof *s->bn);
    if (!s->w || !s->bn) {
        st = cf_fail_oom(d);
        goto fail;
    }
    {
        /* the layers of one shape class share its program: built or loaded once (each layer keeps a reference) */
        struct cf_cl_programs progs = {0};
        double timing_ms = 0;
        struct cf_tune_env E = {s->ctx, s->q, &s->dev, s->arena, x, &progs, &timing_ms, generic_ms, s};
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < n && !st; i++) {
            cf_progress(d, "kernels", i, n, x->g->nodes[i].name);
            st = cf_tuned_choose(&E, i, &s->tuned[i], d);
        }
        cf_cl_programs_release(&progs);
        if (st) goto fail;
        cf_progress(d, "kernels", n, n, "");
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (x->tune_ms) *x->tune_ms += (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    }
    for (int i = 0; i < n && !st; i++) {
        if (s->tuned[i].algo.kind == CF_ALGO_GENERIC) st = generic_weights(s, i, d);
        else release_generic_weights(s, i); /* (uploaded to time the generic kernel against the tuned ones) */
    }
    if (st) goto fail;
    *state = s;
    return CLINFER_OK;
fail:
    opencl_release(s);
    return st;
}

static clinfer_status opencl_write(void *state, size_t offset, const float *src, size_t bytes, struct cf_diag *d)
{
    struct cf_cl *s = state;
    if (s->stage_cap) return cf_cl_stage_write(s, offset, src, bytes, d);
    /* not blocking: a wait here costs PoCL a round trip to its threads (~30 us, a third of a small model's run); the
     * pass's last read or finish waits for it */
    cl_int err = clEnqueueWriteBuffer(s->q, s->arena, CL_FALSE, offset, bytes, src, 0, NULL, NULL);
    return err == CL_SUCCESS ? CLINFER_OK : cf_cl_fail(d, "clEnqueueWriteBuffer", "input", err);
}

static clinfer_status opencl_read(void *state, size_t offset, float *dst, size_t bytes, struct cf_diag *d)
{
    struct cf_cl *s = state;
    if (s->stage_cap) return cf_cl_stage_read(s, offset, dst, bytes, d);
    cl_int err = clEnqueueReadBuffer(s->q, s->arena, CL_TRUE, offset, bytes, dst, 0, NULL, NULL);
    return err == CL_SUCCESS ? CLINFER_OK : cf_cl_fail(d, "clEnqueueReadBuffer", "output", err);
}

static clinfer_status opencl_finish(void *state, struct cf_diag *d)
{
    cl_int err = clFinish(((struct cf_cl *)state)->q);
    return err == CL_SUCCESS ? CLINFER_OK : cf_cl_fail(d, "clFinish", "the queue", err);
}

static const char *opencl_describe(void *state) { return ((struct cf_cl *)state)->desc; }

static void opencl_algo(void *state, int node, char *out, size_t size)
{
    struct cf_cl *s = state;
    cf_algo_name(&s->tuned[node].algo, &s->x->g->nodes[node], out, size);
}

static double opencl_node_ms(void *state, int node) { return ((struct cf_cl *)state)->ms[node]; }

static int opencl_launch(void *state, int node, size_t global[3], size_t local[3])
{
    const struct cf_cl *s = state;
    const struct cf_tuned *t = &s->tuned[node];
    const size_t one[3] = {1, 1, 1};
    const size_t *g = t->algo.kind != CF_ALGO_GENERIC ? t->gws : s->shape[node][0];
    const size_t *l = t->algo.kind != CF_ALGO_GENERIC ? (t->lws[0] ? t->lws : one) : s->shape[node][1];
    for (int k = 0; k < 3; k++) global[k] = g[k], local[k] = l[k];
    return g[0] != 0;
}

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
                                             opencl_memory, opencl_finish, opencl_launch};
