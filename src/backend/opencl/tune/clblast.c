/* A conv or dense layer as CLBlast's SGEMM, one of the tuner's families: im2col into a scratch buffer
 * (none for a 1x1 stride-1 unpadded conv, whose input already is the matrix), the GEMM on the arena, then bias and
 * activation (cl/gemm_glue.cl). The weights stay HWIO, which is the GEMM's [K][CO] matrix:
 *   NHWC conv:  Y[pixels of the chunk][CO] = col[pixels][K] . W[K][CO]   (one GEMM per chunk of images)
 *   NCHW conv:  Y[n][CO][HO*WO] = W^T . col[n][K][HO*WO]                 (a strided batch over the chunk)
 *   Dense:      Y[rows][units] = X[rows][cin] . W[cin][units]             (one GEMM) */
#include <clblast_c.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../../../util/alloc.h"
#include "family.h"

#define SCRATCH_BYTES ((size_t)64 << 20) /* im2col's buffer: as many images as fit, at least one */

struct gemm_shape {
    int dense, nchw, direct; /* direct: the input is the GEMM's matrix (no im2col) */
    size_t n, hw, k, co, c;  /* images (rows for dense), output pixels, K, output channels, input channels */
};

static void shape_of(const struct cf_exec *x, const struct cf_node *n, struct gemm_shape *s)
{
    memset(s, 0, sizeof *s);
    const struct cf_shape *xs = &x->g->nodes[n->in[0]].out, *ys = &n->out;
    if (n->op == CF_OP_DENSE) {
        s->dense = s->direct = 1;
        s->n = 1;
        for (int r = 0; r < ys->rank - 1; r++) s->n *= (size_t)ys->d[r];
        s->k = (size_t)xs->d[xs->rank - 1];
        s->co = (size_t)n->a.filters;
        return;
    }
    const struct cf_attrs *a = &n->a;
    s->nchw = x->g->layout == CF_LAYOUT_NCHW;
    s->n = (size_t)ys->d[0];
    s->hw = (size_t)(ys->d[s->nchw ? 2 : 1] * ys->d[s->nchw ? 3 : 2]);
    s->c = (size_t)xs->d[s->nchw ? 1 : 3];
    s->co = (size_t)ys->d[s->nchw ? 1 : 3];
    s->k = (size_t)a->kernel[0] * (size_t)a->kernel[1] * s->c;
    s->direct = a->kernel[0] == 1 && a->kernel[1] == 1 && a->strides[0] == 1 && a->strides[1] == 1 && !a->pads[0] &&
                !a->pads[1] && !a->pads[2] && !a->pads[3];
}

/* images per im2col chunk */
static size_t chunk_of(const struct gemm_shape *s)
{
    if (s->dense || s->direct) return s->n;
    size_t per = s->hw * s->k * sizeof(float), c = SCRATCH_BYTES / per;
    return c < 1 ? 1 : c > s->n ? s->n : c;
}

static int fits(const struct cf_exec *x, const struct cf_node *n)
{
    (void)x;
    return (n->op == CF_OP_DENSE && n->n_in == 1) || cf_plain_conv_nopool(n);
}

static int candidates(const struct cf_tune_env *E, const struct cf_node *n, int full, struct cf_algo *out)
{
    (void)n;
    /* --tune fast on a CPU leaves it out: PoCL compiled its kernels for 9.1 s at vgg11_bn's first conv (60% of the
     * budget), where it ran 24 ms against the rows kernel's 0.7 */
    if (!full && cf_cl_host_memory(E->dev)) return 0;
    out[0] = (struct cf_algo){CF_ALGO_CLBLAST, 1, 1};
    return 1;
}

static int valid(const struct cf_exec *x, const struct cf_node *n, const struct cf_algo *a)
{
    (void)x;
    (void)n;
    return a->a == 1 && a->b == 1;
}

static void defines(const struct cf_algo *a, char *out, size_t size)
{
    (void)a;
    if (size) out[0] = '\0';
}

static clinfer_status build(const struct cf_tune_env *E, int node, const struct cf_algo *a, const char *defs,
                            struct cf_tuned *t, struct cf_diag *d)
{
    (void)a;
    const struct cf_exec *x = E->x;
    const struct cf_node *n = &x->g->nodes[node];
    struct gemm_shape s;
    shape_of(x, n, &s);
    int cached;
    clinfer_status st = cf_cl_program_file(E->ctx, E->dev, "gemm_glue.cl", defs, &t->prog, &cached, d);
    if (st) return st;
    cl_int err = CL_SUCCESS;
    if (!s.direct) t->k = clCreateKernel(t->prog, "im2col_f32", &err);
    if (err == CL_SUCCESS && (n->a.use_bias || n->a.act != CF_ACT_LINEAR)) t->k2 = clCreateKernel(t->prog, "bias_act_f32", &err);
    if (err != CL_SUCCESS) return cf_cl_fail(d, "clCreateKernel", "gemm_glue.cl", err);
    /* the weights as they are (HWIO, [cin][units]), the bias padded to 16 */
    const struct cf_tensor *k = cf_weights_get(x->w, node, "kernel"), *b = cf_weights_get(x->w, node, "bias");
    t->w = clCreateBuffer(E->ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, sizeof(float) * s.k * s.co, k->data, &err);
    if (err == CL_SUCCESS) t->b = clCreateBuffer(E->ctx, CL_MEM_READ_ONLY, sizeof(float) * (s.co + 16), NULL, &err);
    if (err == CL_SUCCESS && b)
        err = clEnqueueWriteBuffer(E->q, t->b, CL_TRUE, 0, sizeof(float) * s.co, b->data, 0, NULL, NULL);
    if (err == CL_SUCCESS && t->k)
        t->scratch = clCreateBuffer(E->ctx, CL_MEM_READ_WRITE, sizeof(float) * s.hw * s.k * chunk_of(&s), NULL, &err);
    if (err != CL_SUCCESS) return cf_cl_fail(d, "clCreateBuffer", n->name, err);
    return CLINFER_OK;
}

static double wall_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static clinfer_status gemm_fail(struct cf_diag *d, const struct cf_node *n, CLBlastStatusCode code)
{
    return cf_fail(d, CLINFER_E_DEVICE, "layer '%s': CLBlast's SGEMM failed with status %d", n->name, (int)code);
}

static clinfer_status launch(const struct cf_tune_env *E, int node, const struct cf_tuned *t, double *ms,
                             struct cf_diag *d)
{
    const struct cf_exec *x = E->x;
    const struct cf_node *n = &x->g->nodes[node];
    struct gemm_shape s;
    shape_of(x, n, &s);
    size_t xo = x->plan->offset[n->in[0]] / sizeof(float), yo = x->plan->offset[node] / sizeof(float);
    cl_command_queue q = E->q;
    /* timed by the wall clock between two waits on the queue: the event CLBlast gives back is its last kernel's
     * (an unaligned GEMM pads, multiplies and copies back), which once made the seed model's Dense 18496->512 at
     * batch 32 look like 0.05 ms and win the tuning; it runs 75 ms on PoCL */
    double t0 = 0;
    if (ms) {
        clFinish(q);
        t0 = wall_ms();
    }
    if (s.dense) {
        CLBlastStatusCode c = CLBlastSgemm(CLBlastLayoutRowMajor, CLBlastTransposeNo, CLBlastTransposeNo, s.n, s.co, s.k,
                                           1.0f, E->arena, xo, s.k, t->w, 0, s.co, 0.0f, E->arena, yo, s.co, &q, NULL);
        if (c != CLBlastSuccess) return gemm_fail(d, n, c);
    } else {
        size_t chunk = chunk_of(&s);
        for (size_t n0 = 0; n0 < s.n; n0 += chunk) {
            size_t imgs = s.n - n0 < chunk ? s.n - n0 : chunk;
            cl_mem src = E->arena;
            size_t src_off = xo + n0 * s.hw * s.c; /* direct: the input; else im2col's output */
            if (!s.direct) {
                cl_uint xo32 = (cl_uint)xo, n032 = (cl_uint)n0;
                cl_int err = clSetKernelArg(t->k, 0, sizeof(cl_mem), &E->arena);
                err |= clSetKernelArg(t->k, 1, sizeof xo32, &xo32);
                err |= clSetKernelArg(t->k, 2, sizeof(cl_mem), &t->scratch);
                err |= clSetKernelArg(t->k, 3, sizeof n032, &n032);
                size_t g[3] = {s.nchw ? s.hw : s.k, s.nchw ? s.k : s.hw, imgs};
                if (err == CL_SUCCESS) err = clEnqueueNDRangeKernel(q, t->k, 3, NULL, g, NULL, 0, NULL, NULL);
                if (err != CL_SUCCESS) return cf_cl_fail(d, "clEnqueueNDRangeKernel", "im2col_f32", err);
                src = t->scratch;
                src_off = 0;
            }
            CLBlastStatusCode c;
            if (s.nchw)
                c = CLBlastSgemmStridedBatched(CLBlastLayoutRowMajor, CLBlastTransposeYes, CLBlastTransposeNo, s.co, s.hw,
                                               s.k, 1.0f, t->w, 0, s.co, 0, src, src_off, s.hw, s.k * s.hw, 0.0f,
                                               E->arena, yo + n0 * s.co * s.hw, s.hw, s.co * s.hw, imgs, &q, NULL);
            else
                c = CLBlastSgemm(CLBlastLayoutRowMajor, CLBlastTransposeNo, CLBlastTransposeNo, imgs * s.hw, s.co, s.k,
                                 1.0f, src, src_off, s.k, t->w, 0, s.co, 0.0f, E->arena, yo + n0 * s.hw * s.co, s.co,
                                 &q, NULL);
            if (c != CLBlastSuccess) return gemm_fail(d, n, c);
        }
    }
    if (t->k2) {
        cl_uint yo32 = (cl_uint)yo;
        cl_float4 ap = cf_tune_act_params(n);
        cl_int err = clSetKernelArg(t->k2, 0, sizeof(cl_mem), &E->arena);
        err |= clSetKernelArg(t->k2, 1, sizeof yo32, &yo32);
        err |= clSetKernelArg(t->k2, 2, sizeof(cl_mem), &t->b);
        err |= clSetKernelArg(t->k2, 3, sizeof ap, &ap);
        cl_ulong total = (cl_ulong)s.n * s.co * (s.dense ? 1 : s.hw);
        err |= clSetKernelArg(t->k2, 4, sizeof total, &total);
        size_t g = (size_t)(total + 63) / 64 * 64;
        if (err == CL_SUCCESS) err = clEnqueueNDRangeKernel(q, t->k2, 1, NULL, &g, NULL, 0, NULL, NULL);
        if (err != CL_SUCCESS) return cf_cl_fail(d, "clEnqueueNDRangeKernel", "bias_act_f32", err);
    }
    if (ms) {
        clFinish(q);
        *ms += wall_ms() - t0;
    }
    return CLINFER_OK;
}

static void describe(const struct cf_algo *a, const struct cf_node *n, char *out, size_t size)
{
    (void)a;
    snprintf(out, size, "%s", n->op == CF_OP_DENSE || cf_pointwise(&n->a) ? "clblast gemm" : "clblast im2col+gemm");
}

const struct cf_family cf_family_clblast = {
    CF_ALGO_CLBLAST, "conv dense", "clblast", 0, {0, 0}, "CLBlast's GEMM (im2col for k x k)", 0, "gemm_glue.cl", NULL,
    fits, candidates, valid, defines, build, launch, describe};
