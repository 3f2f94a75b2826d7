/* What the tuned families share: the layer's sizes as -D constants, the weights written into a kernel's layout, the
 * standard launch, and the table's lookups. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../../util/alloc.h"
#include "../../../util/strbuf.h"
#include "family.h"

int64_t cf_dense_rows(const struct cf_node *n)
{
    int64_t rows = 1;
    for (int k = 0; k < n->out.rank - 1; k++) rows *= n->out.d[k];
    return rows;
}

int64_t cf_conv_wo(const struct cf_exec *x, const struct cf_node *n)
{
    return n->out.d[x->g->layout == CF_LAYOUT_NCHW ? 3 : 2] * cf_pool_of(n);
}

int64_t cf_conv_co(const struct cf_exec *x, const struct cf_node *n) { return n->out.d[x->g->layout == CF_LAYOUT_NCHW ? 1 : 3]; }
int64_t cf_conv_ci(const struct cf_exec *x, const struct cf_node *n)
{
    return x->g->nodes[n->in[0]].out.d[x->g->layout == CF_LAYOUT_NCHW ? 1 : 3];
}

int cf_pointwise(const struct cf_attrs *a)
{
    return a->kernel[0] == 1 && a->kernel[1] == 1 && a->strides[0] == 1 && a->strides[1] == 1 && !a->pads[0] &&
           !a->pads[1] && !a->pads[2] && !a->pads[3];
}

int cf_plain_conv(const struct cf_node *n) { return n->op == CF_OP_CONV2D && n->n_in == 1 && n->a.groups == 1; }
int cf_plain_conv_nopool(const struct cf_node *n) { return cf_plain_conv(n) && n->a.fused_pool <= 1; }

const struct cf_family *cf_family_of(enum cf_algo_kind kind)
{
    for (int i = 0; cf_families[i]; i++)
        if (cf_families[i]->kind == kind) return cf_families[i];
    return NULL;
}

const struct cf_family *cf_family_main(const struct cf_exec *x, const struct cf_node *n)
{
    if (n->n_in != 1) return NULL; /* weights given at run time */
    for (int i = 0; cf_families[i]; i++)
        if (cf_families[i]->primary && cf_families[i]->fits(x, n)) return cf_families[i];
    return NULL;
}

const char *cf_family_layer(const struct cf_exec *x, const struct cf_node *n)
{
    const struct cf_shape *xs = n->n_in ? &x->g->nodes[n->in[0]].out : NULL;
    int64_t c = xs && xs->rank == 4 ? xs->d[x->g->layout == CF_LAYOUT_NCHW ? 1 : 3] : -1;
    switch (n->op) {
    case CF_OP_CONV2D: return n->a.groups > 1 && n->a.groups == c ? "depthwise" : "conv";
    case CF_OP_DEPTHWISE_CONV2D: return "depthwise";
    case CF_OP_DENSE: return "dense";
    case CF_OP_MAX_POOL2D:
    case CF_OP_AVG_POOL2D: return "pool";
    default: return NULL;
    }
}

/* The layer's sizes as -D constants, without the batch: the program's constants, so that one program serves every
 * batch (the kernels take it at run time, the standard launch's `rows`), and with the batch's class the tuning
 * database's key (tuner.c). */
void cf_layer_defines(const struct cf_exec *x, const struct cf_node *n, char *sig, size_t size)
{
    const struct cf_shape *xs = &x->g->nodes[n->in[0]].out, *ys = &n->out;
    const struct cf_attrs *at = &n->a;
    int act = cf_tune_act(n);
    const char *layer = cf_family_layer(x, n);
    if (strcmp(layer, "pool") == 0) {
        int nchw = x->g->layout == CF_LAYOUT_NCHW, h = nchw ? 2 : 1, w = nchw ? 3 : 2, c = nchw ? 1 : 3;
        snprintf(sig, size,
                 "-DNCHW=%d -DC=%lld -DH=%lld -DW=%lld -DHO=%lld -DWO=%lld -DKH=%d -DKW=%d -DSH=%d -DSW=%d -DDH=%d "
                 "-DDW=%d -DPT=%d -DPB=%d -DPL=%d -DPR=%d -DIS_MAX=%d -DINCLUDE_PAD=%d",
                 nchw, (long long)xs->d[c], (long long)xs->d[h], (long long)xs->d[w], (long long)ys->d[h],
                 (long long)ys->d[w], at->kernel[0], at->kernel[1], at->strides[0], at->strides[1], at->dilation[0],
                 at->dilation[1], at->pads[0], at->pads[1], at->pads[2], at->pads[3], n->op == CF_OP_MAX_POOL2D,
                 at->count_include_pad);
    } else if (strcmp(layer, "dense") != 0) {
        int nchw = x->g->layout == CF_LAYOUT_NCHW, h = nchw ? 2 : 1, w = nchw ? 3 : 2, c = nchw ? 1 : 3;
        int dw = strcmp(layer, "depthwise") == 0, pool = cf_pool_of(n);
        /* HO x WO: the conv pixels computed; HP x WP: the output, pooled when a max pool is fused */
        snprintf(sig, size,
                 "-DNCHW=%d -DH=%lld -DW=%lld -DC=%lld -DHO=%lld -DWO=%lld -DCO=%lld -DCO16=%lld -DKH=%d -DKW=%d "
                 "-DSH=%d -DSW=%d -DDH=%d -DDW=%d -DPT=%d -DPL=%d -DHAS_BIAS=%d -DACT=%d -DM=%lld -DPOOL=%d -DHP=%lld "
                 "-DWP=%lld -DG=%lld",
                 nchw, (long long)xs->d[h], (long long)xs->d[w], (long long)xs->d[c],
                 (long long)ys->d[h] * pool, (long long)ys->d[w] * pool, (long long)ys->d[c],
                 (long long)cf_round16(ys->d[c]), at->kernel[0], at->kernel[1], at->strides[0], at->strides[1],
                 at->dilation[0], at->dilation[1], at->pads[0], at->pads[2], at->use_bias, act,
                 dw ? (long long)(ys->d[c] / xs->d[c]) : 0LL, pool, (long long)ys->d[h], (long long)ys->d[w],
                 dw ? (long long)xs->d[c] : (long long)(at->groups > 1 ? at->groups : 1));
    } else {
        snprintf(sig, size, "-DCIN=%lld -DUNITS=%lld -DHAS_BIAS=%d -DACT=%d",
                 (long long)xs->d[xs->rank - 1], (long long)at->filters, at->use_bias, act);
    }
}

/* a shape class's sizes at run time, in the slots of the kernel's `sz` (cl/common.cl) */
static const char *const class_sizes[] = {"H", "W", "C", "HO", "WO", "CO", "CO16", "HP", "WP", "M", "G", "CIN", "UNITS", NULL};

void cf_layer_sizes(const struct cf_exec *x, const struct cf_node *n, const struct cf_family *f,
                    struct cf_layer_sizes *out)
{
    char all[768];
    cf_layer_defines(x, n, all, sizeof all);
    memset(out, 0, sizeof *out);
    size_t len = 0;
    /* each "-DNAME=value" of the layer's: a constant of the program, or a slot of sz */
    char *save = NULL;
    for (char *tok = strtok_r(all, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        char name[32] = "";
        long long v = 0;
        int slot = -1;
        if (f && f->class_fixed && sscanf(tok, "-D%31[A-Z0-9_]=%lld", name, &v) == 2 &&
            !cf_word_listed(f->class_fixed, name))
            for (int k = 0; class_sizes[k]; k++)
                if (strcmp(class_sizes[k], name) == 0) slot = k;
        if (slot >= 0) {
            out->sz[slot] = (cl_int)v;
            out->shape_class = 1;
        } else {
            len += (size_t)snprintf(out->defs + len, sizeof out->defs - len, "%s%s", len ? " " : "", tok);
        }
        if (len >= sizeof out->defs) len = sizeof out->defs - 1;
    }
    if (out->shape_class) snprintf(out->defs + len, sizeof out->defs - len, "%s-DSHAPE_CLASS=1", len ? " " : "");
}

void cf_defines_pv(const struct cf_algo *a, char *out, size_t size) { snprintf(out, size, "-DP=%d -DV=%d", a->a, a->b); }
void cf_defines_p(const struct cf_algo *a, char *out, size_t size) { snprintf(out, size, "-DP=%d", a->a); }
void cf_defines_kc(const struct cf_algo *a, char *out, size_t size) { snprintf(out, size, "-DKC=%d", a->a); }

/* Memory to write count floats of weights into, for a read-only buffer that weights_end makes: on a CPU device,
 * large weights are host memory of our own (cf_malloc: its pages made in one call) that the buffer then uses in
 * place; elsewhere a new buffer, mapped. NULL (and *err) when a step fails. */
static float *weights_begin(const struct cf_tune_env *E, size_t count, cl_mem *m, float **host, cl_int *err)
{
    *m = NULL;
    *host = NULL;
    if ((E->dev->type & CL_DEVICE_TYPE_CPU) && count * sizeof(float) >= ((size_t)4 << 20)) {
        *host = cf_malloc(sizeof(float) * count);
        *err = *host ? CL_SUCCESS : CL_OUT_OF_HOST_MEMORY;
        return *host;
    }
    *m = clCreateBuffer(E->ctx, CL_MEM_READ_ONLY, sizeof(float) * count, NULL, err);
    if (!*m || *err != CL_SUCCESS) return NULL;
    float *p = clEnqueueMapBuffer(E->q, *m, CL_TRUE, CL_MAP_WRITE_INVALIDATE_REGION, 0, sizeof(float) * count, 0, NULL,
                                  NULL, err);
    return p && *err == CL_SUCCESS ? p : NULL;
}

static cl_int weights_end(const struct cf_tune_env *E, size_t count, cl_mem *m, float *host, float *p)
{
    cl_int err = CL_SUCCESS;
    if (host) *m = clCreateBuffer(E->ctx, CL_MEM_READ_ONLY | CL_MEM_USE_HOST_PTR, sizeof(float) * count, host, &err);
    else if (p) err = clEnqueueUnmapMemObject(E->q, *m, p, 0, NULL, NULL);
    return err;
}

clinfer_status cf_tune_pack(const struct cf_tune_env *E, int node, size_t count, cf_fill_fn fill, const void *ctx,
                            int64_t co, int64_t co16, struct cf_tuned *t, struct cf_diag *d)
{
    const struct cf_node *n = &E->x->g->nodes[node];
    const struct cf_tensor *b = cf_weights_get(E->x->w, node, "bias");
    size_t bn = (size_t)co16 + 16;
    cl_int err;
    /* written straight into the device's buffers (mapped: no host copy on a CPU device) */
    float *bhost = NULL, *wbuf = weights_begin(E, count, &t->w, &t->host_w, &err),
          *bbuf = wbuf ? weights_begin(E, bn, &t->b, &bhost, &err) : NULL;
    if (!wbuf || !bbuf) {
        weights_end(E, count, &t->w, t->host_w, wbuf);
        return cf_cl_fail(d, "clCreateBuffer/clEnqueueMapBuffer", n->name, err);
    }
    memset(wbuf + count - 16, 0, 16 * sizeof(float));
    fill(ctx, wbuf);
    memset(bbuf, 0, bn * sizeof(float));
    if (b) memcpy(bbuf, b->data, sizeof(float) * (size_t)co);
    err = weights_end(E, count, &t->w, t->host_w, wbuf);
    cl_int err2 = weights_end(E, bn, &t->b, bhost, bbuf); /* (the bias is small: always a mapped buffer) */
    if (err != CL_SUCCESS || err2 != CL_SUCCESS)
        return cf_cl_fail(d, "clCreateBuffer/clEnqueueUnmapMemObject", n->name, err != CL_SUCCESS ? err : err2);
    return CLINFER_OK;
}

void cf_fill_rows16(const void *ctx, float *w)
{
    const struct cf_rows16 *r = ctx;
    for (int64_t i = 0; i < r->rows; i++) {
        memcpy(w + i * r->co16, r->k + i * r->co, sizeof(float) * (size_t)r->co);
        memset(w + i * r->co16 + r->co, 0, sizeof(float) * (size_t)(r->co16 - r->co));
    }
}

static int is_linear(const struct cf_node *n)
{
    return n->a.act == CF_ACT_LINEAR || n->a.act == CF_ACT_SOFTMAX || n->a.act == CF_ACT_LOG_SOFTMAX;
}

int cf_tune_act(const struct cf_node *n) { return is_linear(n) ? CF_ACT_RELU : (int)n->a.act; }

cl_float4 cf_tune_act_params(const struct cf_node *n)
{
    cl_float4 ap;
    if (is_linear(n)) ap.s[0] = 0.0f, ap.s[1] = 0.0f, ap.s[2] = -1.0f, ap.s[3] = -INFINITY;
    else ap.s[0] = n->a.alpha, ap.s[1] = n->a.beta, ap.s[2] = n->a.max_value, ap.s[3] = n->a.threshold;
    return ap;
}

clinfer_status cf_tune_lanes(const struct cf_tune_env *E, int node, int lanes, int r, struct cf_tuned *t,
                             struct cf_diag *d)
{
    const struct cf_node *n = &E->x->g->nodes[node];
    size_t kernel_wg = 0, l = (size_t)lanes;
    clGetKernelWorkGroupInfo(t->k, E->dev->device, CL_KERNEL_WORK_GROUP_SIZE, sizeof kernel_wg, &kernel_wg, NULL);
    if (l > E->dev->max_wg || l > E->dev->max_item[0] || (kernel_wg && l > kernel_wg))
        return cf_fail(d, CLINFER_E_UNSUPPORTED,
                       "layer '%s': %s needs work-groups of %zu; the device takes %zu work-items a group (%zu along "
                       "the first axis, this kernel %zu)",
                       n->name, cf_family_of(t->algo.kind)->kernel, l, E->dev->max_wg, E->dev->max_item[0], kernel_wg);
    int64_t total = 1;
    for (int k = 0; k < n->out.rank; k++) total *= n->out.d[k];
    const int64_t per_group = (int64_t)lanes * r;
    t->gws[0] = (size_t)((total + per_group - 1) / per_group) * l;
    t->gws[1] = t->gws[2] = 1;
    t->lws[0] = l;
    t->lws[1] = t->lws[2] = 1;
    return CLINFER_OK;
}

static const int lane_shapes[][2] = {{64, 1}, {64, 2}, {64, 4}, {128, 1}, {128, 2}, {256, 1}, {256, 2}};

int cf_lanes_candidates(enum cf_algo_kind kind, int full, struct cf_algo *out)
{
    int k = 0;
    for (size_t i = 0; i < sizeof lane_shapes / sizeof lane_shapes[0]; i++)
        if (full || lane_shapes[i][1] == 1) out[k++] = (struct cf_algo){kind, lane_shapes[i][0], lane_shapes[i][1]};
    return k;
}

int cf_lanes_valid(const struct cf_exec *x, const struct cf_node *n, const struct cf_algo *a)
{
    (void)x, (void)n;
    return a->a >= 16 && (a->a & (a->a - 1)) == 0;
}

void cf_lanes_defines(const struct cf_algo *a, char *out, size_t size) { snprintf(out, size, "-DL=%d -DR=%d", a->a, a->b); }

clinfer_status cf_tune_launch_std(const struct cf_tune_env *E, int node, const struct cf_tuned *t, double *ms,
                                  struct cf_diag *d)
{
    const struct cf_node *n = &E->x->g->nodes[node];
    cl_uint xo = (cl_uint)(E->x->plan->offset[n->in[0]] / sizeof(float)), yo = (cl_uint)(E->x->plan->offset[node] / sizeof(float));
    cl_float4 ap = cf_tune_act_params(n);
    cl_int err = clSetKernelArg(t->k, 0, sizeof(cl_mem), &E->arena);
    err |= clSetKernelArg(t->k, 1, sizeof xo, &xo);
    err |= clSetKernelArg(t->k, 2, sizeof yo, &yo);
    err |= clSetKernelArg(t->k, 3, sizeof(cl_mem), &t->w);
    err |= clSetKernelArg(t->k, 4, sizeof(cl_mem), &t->b);
    err |= clSetKernelArg(t->k, 5, sizeof ap, &ap);
    /* the batch-dependent count the kernels take at run time: a dense layer's rows, else the images */
    const char *layer = cf_family_layer(E->x, n);
    cl_int rows = (cl_int)(layer && strcmp(layer, "dense") == 0 ? cf_dense_rows(n) : n->out.d[0]);
    err |= clSetKernelArg(t->k, 6, sizeof rows, &rows);
    if (t->shape_class) err |= clSetKernelArg(t->k, 7, sizeof t->sz, t->sz);
    if (err != CL_SUCCESS) return cf_cl_fail(d, "clSetKernelArg", n->name, err);
    size_t one[3] = {1, 1, 1};
    cl_event ev = NULL;
    err = clEnqueueNDRangeKernel(E->q, t->k, 3, NULL, t->gws, t->lws[0] ? t->lws : one, 0, NULL, ms ? &ev : NULL);
    if (err != CL_SUCCESS) {
        char what[300];
        snprintf(what, sizeof what, "%s, layer '%s'", cf_family_of(t->algo.kind)->kernel, n->name);
        return cf_cl_fail(d, "clEnqueueNDRangeKernel", what, err);
    }
    if (ms) *ms += cf_cl_event_ms(ev);
    return CLINFER_OK;
}
