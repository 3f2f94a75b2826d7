/* Launching generic kernels: each made the first time it is used (its file's program with common.cl, from the cache or
 * compiled: a model builds only the programs of the kernels it runs), its arguments set, enqueued, timed. And the
 * shapes as the kernels take them. */
#include <stdio.h>
#include <string.h>

#include "../../util/alloc.h"
#include "cl_sources.h"
#include "launch.h"

void cf_cl_add_event_time(struct cf_cl *s, cl_event ev)
{
    cl_ulong t0 = 0, t1 = 0;
    clWaitForEvents(1, &ev);
    clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_START, sizeof t0, &t0, NULL);
    clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END, sizeof t1, &t1, NULL);
    clReleaseEvent(ev);
    s->ms[s->current] += (double)(t1 - t0) / 1e6;
}

static clinfer_status kernel(struct cf_cl *s, const char *name, cl_kernel *out, struct cf_diag *d)
{
    for (int i = 0; i < s->n_kernels; i++)
        if (s->kernels[i].name == name || strcmp(s->kernels[i].name, name) == 0) {
            *out = s->kernels[i].k;
            return CLINFER_OK;
        }
    if (s->n_kernels == CF_CL_MAX_KERNELS)
        return cf_fail(d, CLINFER_E_LIMIT, "more than %d generic kernels in one session", CF_CL_MAX_KERNELS);
    const char *file = cf_cl_kernel_file(name);
    if (!file) return cf_fail(d, CLINFER_E_UNSUPPORTED, "no file of cl/ defines the kernel %s", name);
    int f = 0;
    while (cf_cl_sources[f].name != file) f++;
    if (!s->progs[f]) {
        int cached;
        clinfer_status st = cf_cl_program_file(s->ctx, &s->dev, file, "", &s->progs[f], &cached, d);
        if (st) return st;
    }
    cl_int err;
    cl_kernel k = clCreateKernel(s->progs[f], name, &err);
    if (!k || err != CL_SUCCESS) return cf_cl_fail(d, "clCreateKernel", name, err);
    s->kernels[s->n_kernels].name = name;
    s->kernels[s->n_kernels++].k = k;
    *out = k;
    return CLINFER_OK;
}

clinfer_status cf_cl_launch(struct cf_cl *s, const char *name, const struct cf_node *n, size_t global,
                            const struct cf_karg *args, int nargs, struct cf_diag *d)
{
    cl_kernel k = NULL;
    clinfer_status st = kernel(s, name, &k, d);
    if (st) return st;
    char what[300];
    snprintf(what, sizeof what, "%s, layer '%s'", name, n->name);
    for (int i = 0; i < nargs; i++) {
        cl_int err = clSetKernelArg(k, (cl_uint)i, args[i].size, args[i].ptr);
        if (err != CL_SUCCESS) return cf_cl_fail(d, "clSetKernelArg", what, err);
    }
    if (global == 0) return CLINFER_OK;
    /* work-groups of 64 on every device that takes them: on a GPU two warps; on PoCL one work-group function per
     * kernel (left to choose, PoCL picks a size per global size and compiles the kernel again for each) */
    size_t g = (global + 63) / 64 * 64, local = 64;
    int fixed = s->dev.max_wg >= 64;
    cl_event ev = NULL;
    cl_int err = clEnqueueNDRangeKernel(s->q, k, 1, NULL, &g, fixed ? &local : NULL, 0, NULL, s->x->profile || s->timing ? &ev : NULL);
    if (err != CL_SUCCESS) return cf_cl_fail(d, "clEnqueueNDRangeKernel", what, err);
    if (ev) cf_cl_add_event_time(s, ev);
    if (s->shape) {
        size_t(*sh)[3] = s->shape[s->current];
        sh[0][0] = g, sh[0][1] = sh[0][2] = 1;
        sh[1][0] = fixed ? local : 0, sh[1][1] = sh[1][2] = (size_t)fixed;
    }
    return CLINFER_OK;
}

int64_t cf_cl_elems(const struct cf_shape *sh)
{
    int64_t p = 1;
    for (int i = 0; i < sh->rank; i++) p *= sh->d[i];
    return p;
}

cl_mem cf_cl_weight(struct cf_cl *s, int node, const char *name, int *has)
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

cl_int4 cf_cl_dims4(const struct cf_shape *sh, enum cf_layout l)
{
    cl_int4 v;
    int nhwc = l == CF_LAYOUT_NHWC;
    v.s[0] = (cl_int)sh->d[0];
    v.s[1] = (cl_int)sh->d[nhwc ? 1 : 2];
    v.s[2] = (cl_int)sh->d[nhwc ? 2 : 3];
    v.s[3] = (cl_int)sh->d[nhwc ? 3 : 1];
    return v;
}

cl_int4 cf_cl_strides4(const struct cf_shape *sh, enum cf_layout l)
{
    cl_int4 d = cf_cl_dims4(sh, l), v;
    if (l == CF_LAYOUT_NHWC) {
        v.s[3] = 1, v.s[2] = d.s[3], v.s[1] = d.s[2] * d.s[3], v.s[0] = d.s[1] * d.s[2] * d.s[3];
    } else {
        v.s[2] = 1, v.s[1] = d.s[2], v.s[3] = d.s[1] * d.s[2], v.s[0] = d.s[3] * d.s[1] * d.s[2];
    }
    return v;
}

cl_int4 cf_cl_int4(int a, int b, int c, int e)
{
    cl_int4 v;
    v.s[0] = a, v.s[1] = b, v.s[2] = c, v.s[3] = e;
    return v;
}

cl_float4 cf_cl_actp(const struct cf_attrs *at)
{
    cl_float4 v;
    v.s[0] = at->alpha, v.s[1] = at->beta, v.s[2] = at->max_value, v.s[3] = at->threshold;
    return v;
}

void cf_cl_strides_of(const struct cf_shape *sh, int64_t *st)
{
    int64_t acc = 1;
    for (int i = sh->rank - 1; i >= 0; i--) {
        st[i] = acc;
        acc *= sh->d[i];
    }
}

cl_int8 cf_cl_inner_first(const int64_t *v, int rank, int pad)
{
    cl_int8 r;
    for (int k = 0; k < 8; k++) r.s[k] = k < rank ? (cl_int)v[rank - 1 - k] : pad;
    return r;
}

void cf_cl_axis_split(const struct cf_shape *sh, int axis, int coerce, int64_t *outer, int64_t *len, int64_t *inner)
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

/* softmax over the channels, in place, after a conv or dense kernel that ran with a linear activation */
clinfer_status cf_cl_softmax_channels(struct cf_cl *s, const struct cf_node *n, size_t off, struct cf_diag *d)
{
    const struct cf_shape *o = &n->out;
    int64_t total = cf_cl_elems(o), len, inner;
    if (o->rank == 4 && s->x->g->layout == CF_LAYOUT_NCHW) len = o->d[1], inner = o->d[2] * o->d[3];
    else len = o->d[o->rank - 1], inner = 1;
    return CF_CL_LAUNCH(s, "softmax_f32", n, (size_t)(total / len), d, A_MEM(s->arena), A_UINT(cf_cl_off(off)),
                        A_UINT(cf_cl_off(off)), A_INT(total / (len * inner)), A_INT(len), A_INT(inner),
                        A_INT(n->a.act == CF_ACT_LOG_SOFTMAX));
}
