/* Dense at 1-7 rows shaped for GPUs (cl/gemv_gpu.cl): a split-K GEMV in work-groups of 64 units x 4 lanes, the chunks
 * of KC inputs summed by a second kernel with the bias and the activation. The weights are Keras' [cin][units] as
 * they are (on a CPU device, their memory used in place). */
#include <stdio.h>
#include <string.h>

#include "../../../util/alloc.h"
#include "family.h"

static int fits(const struct cf_exec *x, const struct cf_node *n)
{
    (void)x;
    return n->op == CF_OP_DENSE && n->n_in == 1 && cf_dense_rows(n) < 8;
}

static int candidates(const struct cf_tune_env *E, const struct cf_node *n, int full, struct cf_algo *out)
{
    (void)E, (void)n;
    static const int kcs[] = {128, 256, 512, 1024, 2048};
    int k = 0;
    for (size_t i = 0; i < 5; i++)
        if (full || kcs[i] == 256 || kcs[i] == 1024) out[k++] = (struct cf_algo){CF_ALGO_GEMV_GPU, kcs[i], 1};
    return k;
}

static clinfer_status build(const struct cf_tune_env *E, int node, const struct cf_algo *a, const char *defs,
                            struct cf_tuned *t, struct cf_diag *d)
{
    (void)defs;
    const struct cf_node *n = &E->x->g->nodes[node];
    const struct cf_tensor *k = cf_weights_get(E->x->w, node, "kernel"), *b = cf_weights_get(E->x->w, node, "bias");
    int64_t cin = k->desc.dims[0], units = k->desc.dims[1], chunks = (cin + a->a - 1) / a->a, rows = cf_dense_rows(n);
    if (E->dev->max_wg < 256 || E->dev->max_item[0] < 64 || E->dev->max_item[1] < 4)
        return cf_fail(d, CLINFER_E_UNSUPPORTED, "layer '%s': gemv needs work-groups of 64 x 4; the device takes %zu",
                       n->name, E->dev->max_wg);
    int in_place = (E->dev->type & CL_DEVICE_TYPE_CPU) && (uintptr_t)k->data % 4096 == 0;
    cl_int err, e2 = CL_SUCCESS, e3 = CL_SUCCESS, e4 = CL_SUCCESS;
    t->w = clCreateBuffer(E->ctx, CL_MEM_READ_ONLY | (in_place ? CL_MEM_USE_HOST_PTR : CL_MEM_COPY_HOST_PTR),
                          sizeof(float) * (size_t)(cin * units), (void *)k->data, &err);
    float *bias = cf_calloc((size_t)units + 1, sizeof(float));
    if (!bias) return cf_fail_oom(d);
    if (b) memcpy(bias, b->data, sizeof(float) * (size_t)units);
    if (err == CL_SUCCESS)
        t->b = clCreateBuffer(E->ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, sizeof(float) * (size_t)(units + 1), bias,
                              &e2);
    cf_free(bias);
    if (err == CL_SUCCESS && e2 == CL_SUCCESS)
        t->scratch = clCreateBuffer(E->ctx, CL_MEM_READ_WRITE, sizeof(float) * (size_t)(chunks * rows * units), NULL, &e3);
    if (err == CL_SUCCESS && e2 == CL_SUCCESS && e3 == CL_SUCCESS) t->k2 = clCreateKernel(t->prog, "gemv_gpu_sum_f32", &e4);
    if (err != CL_SUCCESS || e2 != CL_SUCCESS || e3 != CL_SUCCESS || e4 != CL_SUCCESS)
        return cf_cl_fail(d, "clCreateBuffer/clCreateKernel", n->name,
                          err != CL_SUCCESS ? err : e2 != CL_SUCCESS ? e2 : e3 != CL_SUCCESS ? e3 : e4);
    t->gws[0] = (size_t)((units + 63) / 64 * 64); /* units x chunks' lanes x rows */
    t->gws[1] = (size_t)(chunks * 4);
    t->gws[2] = (size_t)rows;
    t->lws[0] = 64, t->lws[1] = 4, t->lws[2] = 1;
    return CLINFER_OK;
}

static clinfer_status launch(const struct cf_tune_env *E, int node, const struct cf_tuned *t, double *ms,
                             struct cf_diag *d)
{
    const struct cf_node *n = &E->x->g->nodes[node];
    cl_int err = clSetKernelArg(t->k, 7, sizeof(cl_mem), &t->scratch); /* (after the standard seven) */
    if (err != CL_SUCCESS) return cf_cl_fail(d, "clSetKernelArg", n->name, err);
    clinfer_status st = cf_tune_launch_std(E, node, t, ms, d);
    if (st) return st;
    cl_uint yo = (cl_uint)(E->x->plan->offset[node] / sizeof(float));
    cl_int rows = (cl_int)cf_dense_rows(n);
    cl_float4 ap = cf_tune_act_params(n);
    size_t local = 64, g = (size_t)((rows * n->a.filters + 63) / 64 * 64);
    err = clSetKernelArg(t->k2, 0, sizeof(cl_mem), &E->arena);
    err |= clSetKernelArg(t->k2, 1, sizeof yo, &yo);
    err |= clSetKernelArg(t->k2, 2, sizeof(cl_mem), &t->b);
    err |= clSetKernelArg(t->k2, 3, sizeof ap, &ap);
    err |= clSetKernelArg(t->k2, 4, sizeof rows, &rows);
    err |= clSetKernelArg(t->k2, 5, sizeof(cl_mem), &t->scratch);
    cl_event ev = NULL;
    if (err == CL_SUCCESS) err = clEnqueueNDRangeKernel(E->q, t->k2, 1, NULL, &g, &local, 0, NULL, ms ? &ev : NULL);
    if (err != CL_SUCCESS) return cf_cl_fail(d, "clEnqueueNDRangeKernel", "gemv_gpu_sum_f32", err);
    if (ms) *ms += cf_cl_event_ms(ev);
    return CLINFER_OK;
}

static void describe(const struct cf_algo *a, const struct cf_node *n, char *out, size_t size)
{
    (void)n;
    snprintf(out, size, "gemv %d", a->a);
}

const struct cf_family cf_family_gemv_gpu = {
    CF_ALGO_GEMV_GPU, "dense", "gemv", 1, {1 << 20, 1},
    "split-K GEMV at 1-7 rows: KC inputs a work-group of 64 units x 4 lanes (GPU-shaped)", 0, "gemv_gpu.cl",
    "gemv_gpu_f32", fits, candidates, NULL, cf_defines_kc, build, launch, describe, 1, {256, 1}, .arg_names = "KC"};
