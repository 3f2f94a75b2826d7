/* The generic pooling kernels (cl/pool2d.cl): NHWC 16 channels at a time, NCHW 16 outputs of a row at a time when the
 * window steps by 1 or 2 along the row, else a row per work-item; and global pooling. */
#include "../launch.h"

clinfer_status cf_cl_pool2d(struct cf_cl *s, int i, struct cf_diag *d)
{
    const struct cf_graph *g = s->x->g;
    const struct cf_node *n = &g->nodes[i];
    const struct cf_attrs *at = &n->a;
    const struct cf_shape *xs = &g->nodes[n->in[0]].out, *ys = &n->out;
    enum cf_layout l = g->layout;
    cl_uint xo = cf_cl_off(s->x->plan->offset[n->in[0]]), yo = cf_cl_off(s->x->plan->offset[i]);
    cl_int4 xd = cf_cl_dims4(xs, l), xst = cf_cl_strides4(xs, l), yd = cf_cl_dims4(ys, l), yst = cf_cl_strides4(ys, l);
    cl_int4 win = cf_cl_int4(at->kernel[0], at->kernel[1], at->strides[0], at->strides[1]);
    cl_int4 dp = cf_cl_int4(at->dilation[0], at->dilation[1], at->pads[0], at->pads[2]);
    cl_int4 pe = cf_cl_int4(at->pads[1], at->pads[3], at->count_include_pad, 0);
    int is_max = n->op == CF_OP_MAX_POOL2D;
    int64_t total = cf_cl_elems(ys);
    if (l == CF_LAYOUT_NHWC && yd.s[3] % 16 == 0)
        return CF_CL_LAUNCH(s, "pool2d_nhwc16_f32", n, (size_t)total / 16, d, A_MEM(s->arena), A_UINT(xo), A_UINT(yo),
                            A_INT(is_max), A_VEC(xd), A_VEC(yd), A_VEC(win), A_VEC(dp), A_VEC(pe));
    if (l == CF_LAYOUT_NCHW && cf_row_windows(at, 2))
        return CF_CL_LAUNCH(s, "pool2d_nchw16_f32", n, (size_t)(total / yd.s[2] * ((yd.s[2] + 15) / 16)), d,
                            A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_INT(is_max), A_VEC(xd), A_VEC(yd), A_VEC(win),
                            A_VEC(dp), A_VEC(pe));
    return CF_CL_LAUNCH(s, "pool2d_f32", n, (size_t)(total / ys->d[l == CF_LAYOUT_NCHW ? 3 : 2]), d, /* rows */
                        A_MEM(s->arena), A_UINT(xo), A_UINT(yo), A_INT(is_max), A_VEC(xd), A_VEC(xst), A_VEC(yd),
                        A_VEC(yst), A_VEC(win), A_VEC(dp), A_VEC(pe));
}

clinfer_status cf_cl_global_pool2d(struct cf_cl *s, int i, struct cf_diag *d)
{
    const struct cf_graph *g = s->x->g;
    const struct cf_node *n = &g->nodes[i];
    const struct cf_shape *xs = &g->nodes[n->in[0]].out;
    cl_int4 xd = cf_cl_dims4(xs, g->layout), xst = cf_cl_strides4(xs, g->layout);
    return CF_CL_LAUNCH(s, "global_pool2d_f32", n, (size_t)(xd.s[0] * xd.s[3]), d, A_MEM(s->arena),
                        A_UINT(cf_cl_off(s->x->plan->offset[n->in[0]])), A_UINT(cf_cl_off(s->x->plan->offset[i])),
                        A_INT(n->op == CF_OP_GLOBAL_MAX_POOL2D), A_VEC(xd), A_VEC(xst));
}
