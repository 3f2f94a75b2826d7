/* Dense at one row as a split-K GEMV on the Keras weights in place (cl/dense_splitk.cl): each work-item multiplies KC
 * inputs by V float16 vectors of units, a block of all the units reading one contiguous piece of the weights; a
 * second kernel adds the chunks, the bias and the activation (with one chunk, the first kernel does). A shape class:
 * the inputs and units at run time, so that a network's dense layers share a program. */
#include <stdio.h>
#include <string.h>

#include "../../../util/alloc.h"
#include "family.h"

static int fits(const struct cf_exec *x, const struct cf_node *n)
{
    (void)x;
    return n->op == CF_OP_DENSE && n->n_in == 1 && cf_dense_rows(n) == 1;
}

/* a block of all the units is up to 32 vectors */
static int candidates(const struct cf_tune_env *E, const struct cf_node *n, int full, struct cf_algo *out)
{
    (void)E;
    int64_t nvt = (n->a.filters + 15) / 16;
    static const int kcs[] = {64, 128, 256, 512, 1024};
    static const int vs[] = {4, 8, 16, 32};
    int k = 0;
    for (size_t vi = 0; vi < 4; vi++) {
        int v = vs[vi];
        if (vi > 0 && vs[vi - 1] >= nvt) break;
        for (size_t ki = 0; ki < 5; ki++) {
            int kc = kcs[ki];
            if (!full && !((kc == 256 || kc == 512) && (v == 8 || v >= nvt || v == 32))) continue;
            out[k++] = (struct cf_algo){CF_ALGO_DENSE_SPLITK, kc, v};
        }
    }
    return k;
}

static void defines(const struct cf_algo *a, char *out, size_t size) { snprintf(out, size, "-DKC=%d -DV=%d", a->a, a->b); }

/* The weights [cin][units] themselves (on a CPU device, their memory used in place when it is page-aligned, as large
 * weights are), the bias padded to whole vectors, the partial rows; and the kernel that sums them, unless there is
 * one chunk. */
static clinfer_status build(const struct cf_tune_env *E, int node, const struct cf_algo *a, const char *defs,
                            struct cf_tuned *t, struct cf_diag *d)
{
    (void)defs;
    const struct cf_node *n = &E->x->g->nodes[node];
    const struct cf_tensor *k = cf_weights_get(E->x->w, node, "kernel"), *b = cf_weights_get(E->x->w, node, "bias");
    int64_t cin = k->desc.dims[0], units = k->desc.dims[1], nvt = (units + 15) / 16, chunks = (cin + a->a - 1) / a->a;
    size_t bytes = sizeof(float) * (size_t)(cin * units);
    int in_place = (E->dev->type & CL_DEVICE_TYPE_CPU) && (uintptr_t)k->data % 4096 == 0;
    cl_int err, e2 = CL_SUCCESS, e3 = CL_SUCCESS, e4 = CL_SUCCESS;
    t->w = clCreateBuffer(E->ctx, CL_MEM_READ_ONLY | (in_place ? CL_MEM_USE_HOST_PTR : CL_MEM_COPY_HOST_PTR), bytes,
                          (void *)k->data, &err);
    float *bias = cf_calloc((size_t)(nvt * 16), sizeof(float));
    if (!bias) return cf_fail_oom(d);
    if (b) memcpy(bias, b->data, sizeof(float) * (size_t)units);
    if (err == CL_SUCCESS)
        t->b = clCreateBuffer(E->ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, sizeof(float) * (size_t)(nvt * 16), bias, &e2);
    cf_free(bias);
    if (err == CL_SUCCESS && e2 == CL_SUCCESS)
        t->scratch = clCreateBuffer(E->ctx, CL_MEM_READ_WRITE, sizeof(float) * (size_t)(chunks * nvt * 16), NULL, &e3);
    if (err == CL_SUCCESS && e2 == CL_SUCCESS && e3 == CL_SUCCESS && chunks > 1) /* (one chunk: one kernel) */
        t->k2 = clCreateKernel(t->prog, "dense_splitk_sum_f32", &e4);
    if (err != CL_SUCCESS || e2 != CL_SUCCESS || e3 != CL_SUCCESS || e4 != CL_SUCCESS)
        return cf_cl_fail(d, "clCreateBuffer/clCreateKernel", n->name,
                          err != CL_SUCCESS ? err : e2 != CL_SUCCESS ? e2 : e3 != CL_SUCCESS ? e3 : e4);
    t->gws[0] = (size_t)((nvt + a->b - 1) / a->b); /* vector blocks x chunks of the inputs */
    t->gws[1] = (size_t)chunks;
    t->gws[2] = 1;
    return CLINFER_OK;
}

static clinfer_status launch(const struct cf_tune_env *E, int node, const struct cf_tuned *t, double *ms,
                             struct cf_diag *d)
{
    const struct cf_node *n = &E->x->g->nodes[node];
    /* (after the standard seven and the shape class's sizes) */
    cl_int err = clSetKernelArg(t->k, t->shape_class ? 8 : 7, sizeof(cl_mem), &t->scratch);
    if (err != CL_SUCCESS) return cf_cl_fail(d, "clSetKernelArg", n->name, err);
    clinfer_status st = cf_tune_launch_std(E, node, t, ms, d);
    if (st || !t->k2) return st;
    /* the sum over the chunks: a vector of units each */
    cl_uint yo = (cl_uint)(E->x->plan->offset[node] / sizeof(float));
    cl_float4 ap = cf_tune_act_params(n);
    size_t g = (size_t)(n->a.filters + 15) / 16, local = 1;
    err = clSetKernelArg(t->k2, 0, sizeof(cl_mem), &E->arena);
    err |= clSetKernelArg(t->k2, 1, sizeof yo, &yo);
    err |= clSetKernelArg(t->k2, 2, sizeof(cl_mem), &t->b);
    err |= clSetKernelArg(t->k2, 3, sizeof ap, &ap);
    err |= clSetKernelArg(t->k2, 4, sizeof(cl_mem), &t->scratch);
    if (t->shape_class) err |= clSetKernelArg(t->k2, 5, sizeof t->sz, t->sz);
    cl_event ev = NULL;
    if (err == CL_SUCCESS) err = clEnqueueNDRangeKernel(E->q, t->k2, 1, NULL, &g, &local, 0, NULL, ms ? &ev : NULL);
    if (err != CL_SUCCESS) return cf_cl_fail(d, "clEnqueueNDRangeKernel", "dense_splitk_sum_f32", err);
    if (ms) *ms += cf_cl_event_ms(ev);
    return CLINFER_OK;
}

static void describe(const struct cf_algo *a, const struct cf_node *n, char *out, size_t size)
{
    (void)n;
    snprintf(out, size, "splitk %d x %dv", a->a, a->b);
}

const struct cf_family cf_family_dense_splitk = {
    CF_ALGO_DENSE_SPLITK, "dense", "splitk", 2, {1 << 20, 32}, "split-K GEMV at one row: KC inputs x V vectors a work-item",
    0, "dense_splitk.cl", "dense_splitk_f32", fits, candidates, NULL, defines, build, launch, describe, .class_fixed = "",
    .arg_names = "KC:V"};
