/* The element-wise kernels (cl/activation.cl, cl/batch_norm.cl, cl/eltwise.cl, cl/lrn.cl): activations applied alone
 * and softmax along an axis, BatchNormalization, the binary ops with broadcasting (and an activation fused after
 * them), LRN. */
#include <string.h>

#include "../launch.h"

clinfer_status cf_cl_activation(struct cf_cl *s, int i, struct cf_diag *d)
{
    const struct cf_node *n = &s->x->g->nodes[i];
    const struct cf_attrs *at = &n->a;
    const struct cf_shape *ys = &n->out;
    cl_uint xo = cf_cl_off(s->x->plan->offset[n->in[0]]), yo = cf_cl_off(s->x->plan->offset[i]);
    int64_t total = cf_cl_elems(ys);
    if (cf_cl_is_softmax(at->act)) {
        int axis = at->axis < 0 ? ys->rank + at->axis : at->axis;
        int64_t outer, len, inner;
        cf_cl_axis_split(ys, axis, at->softmax_coerce, &outer, &len, &inner);
        return CF_CL_LAUNCH(s, "softmax_f32", n, (size_t)(outer * inner), d, A_MEM(s->arena), A_UINT(xo), A_UINT(yo),
                            A_INT(outer), A_INT(len), A_INT(inner), A_INT(at->act == CF_ACT_LOG_SOFTMAX));
    }
    cl_float4 ap = cf_cl_actp(at);
    return CF_CL_LAUNCH(s, "activation_f32", n, ((size_t)total + 15) / 16, d, /* 16 per work-item */
                        A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_UINT(total), A_INT(at->act), A_VEC(ap));
}

clinfer_status cf_cl_batch_norm(struct cf_cl *s, int i, struct cf_diag *d)
{
    const struct cf_graph *g = s->x->g;
    const struct cf_node *n = &g->nodes[i];
    const struct cf_attrs *at = &n->a;
    const struct cf_shape *ys = &n->out;
    cl_uint xo = cf_cl_off(s->x->plan->offset[n->in[0]]), yo = cf_cl_off(s->x->plan->offset[i]);
    int64_t total = cf_cl_elems(ys), outer, len, inner;
    int axis = at->axis < 0 ? ys->rank + at->axis : at->axis;
    cf_cl_axis_split(ys, axis, 0, &outer, &len, &inner);
    if (n->n_in > 1) /* the statistics given at run time: the whole formula */
        return CF_CL_LAUNCH(s, "batch_norm_full_f32", n, (size_t)total, d, A_MEM(s->arena), A_UINT(xo), A_UINT(yo),
                            A_UINT(total), A_INT(len), A_INT(inner), A_MEM(s->w[i][0]), A_MEM(s->w[i][1]),
                            A_MEM(s->w[i][2]), A_MEM(s->w[i][3]), A_FLT(at->epsilon));
    cl_float4 ap = cf_cl_actp(at);
    int64_t items = outer * len * ((inner + 15) / 16); /* (16 values of a channel's run a work-item) */
    return CF_CL_LAUNCH(s, "batch_norm_f32", n, (size_t)items, d, A_MEM(s->arena), A_UINT(xo), A_UINT(yo),
                        A_UINT(items), A_INT(len), A_INT(inner), A_MEM(s->bn[i]), A_MEM(s->bn[g->n_nodes + i]),
                        A_INT(at->act), A_VEC(ap));
}

/* gamma and beta, when the layer has them, in the op's weight order; absent ones read nothing (the arena stands in) */
clinfer_status cf_cl_layer_norm(struct cf_cl *s, int i, struct cf_diag *d)
{
    const struct cf_graph *g = s->x->g;
    const struct cf_node *n = &g->nodes[i];
    const struct cf_shape *ys = &n->out;
    int64_t c = ys->d[ys->rank - 1], rows = cf_cl_elems(ys) / c;
    int k = 0, has_g = n->a.scale, has_b = n->a.center;
    cl_mem gm = has_g ? s->w[i][k++] : s->arena, bm = has_b ? s->w[i][k] : s->arena;
    return CF_CL_LAUNCH(s, "layer_norm_f32", n, (size_t)rows, d, A_MEM(s->arena),
                        A_UINT(cf_cl_off(s->x->plan->offset[n->in[0]])), A_UINT(cf_cl_off(s->x->plan->offset[i])),
                        A_UINT(rows), A_INT(c), A_FLT(n->a.epsilon), A_MEM(gm), A_MEM(bm), A_INT(has_g), A_INT(has_b));
}

/* Strides of input `sh` along each output axis (innermost first), 0 where it is broadcast: Keras keeps the batch
 * axis and right-aligns the others; NumPy right-aligns every axis. */
static cl_int8 bcast_strides(const struct cf_shape *o, const struct cf_shape *sh, int numpy)
{
    cl_int8 v;
    memset(&v, 0, sizeof v);
    int64_t st[CF_MAX_RANK];
    cf_cl_strides_of(sh, st);
    for (int k = 0; k < o->rank; k++) {
        int ax = o->rank - 1 - k;
        int sa = (ax == 0 && !numpy) ? 0 : ax - (o->rank - sh->rank);
        if (sa < 0 || (!numpy && ax > 0 && sa < 1)) continue;
        v.s[k] = sh->d[sa] == 1 ? 0 : (cl_int)st[sa];
    }
    return v;
}

/* the extent of output axis k, innermost first */
static int64_t dim_in(const struct cf_shape *y, int k) { return y->d[y->rank - 1 - k]; }

/* whether strides s (bcast_strides') read the output's elements in order: the operand is whole */
static int whole(const cl_int8 *s, const struct cf_shape *y)
{
    int64_t e = 1;
    for (int k = 0; k < y->rank; e *= dim_in(y, k), k++)
        if (dim_in(y, k) > 1 && s->s[k] != e) return 0;
    return 1;
}

/* whether strides s read element (i / inner) % mid of the operand at output i: broadcast along the innermost axes,
 * then in order along a run of axes, then broadcast along the rest (eltwise_inner_f32) */
static int inner_run(const cl_int8 *s, const struct cf_shape *y, int64_t *inner, int64_t *mid)
{
    int k = 0;
    *inner = *mid = 1;
    for (; k < y->rank && (dim_in(y, k) == 1 || s->s[k] == 0); k++) *inner *= dim_in(y, k);
    for (; k < y->rank && (dim_in(y, k) == 1 || s->s[k] == *mid); k++) *mid *= dim_in(y, k);
    for (; k < y->rank; k++)
        if (dim_in(y, k) > 1 && s->s[k] != 0) return 0;
    return 1;
}

/* the kernels' op codes (cl/eltwise.cl) */
static int eltwise_code(enum cf_op op)
{
    switch (op) {
    case CF_OP_ADD: return 0;
    case CF_OP_MULTIPLY: return 1;
    case CF_OP_SUB: return 2;
    case CF_OP_DIV: return 3;
    case CF_OP_PRELU: return 4;
    case CF_OP_MAXIMUM: return 5;
    default: return 6; /* CF_OP_MINIMUM */
    }
}

/* y = in0 op in1, then y = y op in_k; a fused activation on the last step */
clinfer_status cf_cl_merge(struct cf_cl *s, int i, struct cf_diag *d)
{
    const struct cf_graph *g = s->x->g;
    const struct cf_plan *p = s->x->plan;
    const struct cf_node *n = &g->nodes[i];
    const struct cf_attrs *at = &n->a;
    const struct cf_shape *ys = &n->out;
    int numpy = at->broadcast == CF_BCAST_NUMPY, op = eltwise_code(n->op);
    int64_t total = cf_cl_elems(ys);
    cl_uint yo = cf_cl_off(p->offset[i]);
    cl_int8 dims = cf_cl_inner_first(ys->d, ys->rank, 1);
    cl_float4 ap = cf_cl_actp(at);
    clinfer_status st = CLINFER_OK;
    for (int k = 1; k < n->n_in && !st; k++) {
        int act = k == n->n_in - 1 ? (int)at->act : CF_ACT_LINEAR;
        const struct cf_shape *as = k == 1 ? &g->nodes[n->in[0]].out : ys, *bs = &g->nodes[n->in[k]].out;
        cl_uint ao = k == 1 ? cf_cl_off(p->offset[n->in[0]]) : yo, bo = cf_cl_off(p->offset[n->in[k]]);
        if (cf_shape_equal(as, ys) && cf_shape_equal(bs, ys)) { /* no broadcasting: 16 at a time, no index arithmetic */
            st = CF_CL_LAUNCH(s, "eltwise_flat_f32", n, ((size_t)total + 15) / 16, d, A_MEM(s->arena), A_UINT(ao),
                              A_UINT(bo), A_UINT(yo), A_UINT(total), A_INT(op), A_INT(act), A_VEC(ap));
            continue;
        }
        cl_int8 sa = bcast_strides(ys, as, numpy), sb = bcast_strides(ys, bs, numpy);
        int64_t inner, mid;
        int swap = !whole(&sa, ys);
        if (whole(swap ? &sb : &sa, ys) && inner_run(swap ? &sa : &sb, ys, &inner, &mid)) {
            cl_uint fo = swap ? bo : ao, ro = swap ? ao : bo;
            st = CF_CL_LAUNCH(s, "eltwise_inner_f32", n, ((size_t)total + 15) / 16, d, A_MEM(s->arena), A_UINT(fo),
                              A_UINT(ro), A_UINT(yo), A_UINT(total), A_INT(op), A_UINT(inner), A_UINT(mid),
                              A_INT(swap), A_INT(act), A_VEC(ap));
            continue;
        }
        st = CF_CL_LAUNCH(s, "eltwise_f32", n, (size_t)total, d, A_MEM(s->arena), A_UINT(ao), A_UINT(bo), A_UINT(yo),
                          A_UINT(total), A_INT(op), A_VEC(dims), A_VEC(sa), A_VEC(sb), A_INT(act), A_VEC(ap));
    }
    return st;
}

clinfer_status cf_cl_lrn(struct cf_cl *s, int i, struct cf_diag *d)
{
    const struct cf_node *n = &s->x->g->nodes[i];
    const struct cf_attrs *at = &n->a;
    const struct cf_shape *ys = &n->out;
    int64_t inner = cf_cl_elems(ys) / (ys->d[0] * ys->d[1]);
    return CF_CL_LAUNCH(s, "lrn_f32", n, (size_t)cf_cl_elems(ys), d, A_MEM(s->arena),
                        A_UINT(cf_cl_off(s->x->plan->offset[n->in[0]])), A_UINT(cf_cl_off(s->x->plan->offset[i])),
                        A_INT(ys->d[0]), A_INT(ys->d[1]), A_INT(inner), A_INT(at->lrn_size), A_FLT(at->alpha),
                        A_FLT(at->beta), A_FLT(at->epsilon));
}
