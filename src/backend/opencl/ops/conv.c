/* The generic convolution kernels (cl/conv2d.cl, cl/depthwise_conv2d.cl, cl/conv2d_transpose.cl): one work-item per
 * output element, for the layers no tuned family takes (groups, weights given at run time, ...). */
#include "../launch.h"

/* what every conv kernel takes: the arena, input and output offsets, dims and strides, window and dilation/pads */
struct conv_geom {
    cl_uint xo, yo;
    cl_int4 xd, xs, yd, ys, win, dp;
    cl_float4 ap;
};

static struct conv_geom geom(struct cf_cl *s, const struct cf_node *n, int i)
{
    const struct cf_graph *g = s->x->g;
    const struct cf_attrs *at = &n->a;
    const struct cf_shape *xsh = &g->nodes[n->in[0]].out;
    struct conv_geom c;
    c.xo = cf_cl_off(s->x->plan->offset[n->in[0]]);
    c.yo = cf_cl_off(s->x->plan->offset[i]);
    c.xd = cf_cl_dims4(xsh, g->layout), c.xs = cf_cl_strides4(xsh, g->layout);
    c.yd = cf_cl_dims4(&n->out, g->layout), c.ys = cf_cl_strides4(&n->out, g->layout);
    c.win = cf_cl_int4(at->kernel[0], at->kernel[1], at->strides[0], at->strides[1]);
    c.dp = cf_cl_int4(at->dilation[0], at->dilation[1], at->pads[0], at->pads[2]);
    c.ap = cf_cl_actp(at);
    return c;
}

static clinfer_status softmax_after(struct cf_cl *s, const struct cf_node *n, int i, clinfer_status st, struct cf_diag *d)
{
    return st == CLINFER_OK && cf_cl_is_softmax(n->a.act) ? cf_cl_softmax_channels(s, n, s->x->plan->offset[i], d) : st;
}

/* Conv2D with groups, strides, dilation, pads, bias, activation and (pool > 1) a fused max pool */
clinfer_status cf_cl_conv2d(struct cf_cl *s, int i, struct cf_diag *d)
{
    const struct cf_node *n = &s->x->g->nodes[i];
    const struct cf_attrs *at = &n->a;
    struct conv_geom c = geom(s, n, i);
    int hb, hk;
    cl_mem K = cf_cl_weight(s, i, "kernel", &hk), B = cf_cl_weight(s, i, "bias", &hb);
    clinfer_status st = CF_CL_LAUNCH(s, "conv2d_direct_f32", n, (size_t)cf_cl_elems(&n->out), d, A_MEM(s->arena),
                                     A_UINT(c.xo), A_UINT(c.yo), A_MEM(K), A_MEM(B), A_INT(hb), A_VEC(c.xd), A_VEC(c.xs),
                                     A_VEC(c.yd), A_VEC(c.ys), A_VEC(c.win), A_VEC(c.dp), A_INT(at->groups),
                                     A_INT(cf_cl_kact(at)), A_VEC(c.ap), A_INT(at->fused_pool > 1 ? at->fused_pool : 1));
    return softmax_after(s, n, i, st, d);
}

/* DepthwiseConv2D; and SeparableConv2D: the depthwise stage into the scratch buffer, then a 1x1 conv over it */
clinfer_status cf_cl_depthwise(struct cf_cl *s, int i, struct cf_diag *d)
{
    const struct cf_graph *g = s->x->g;
    const struct cf_node *n = &g->nodes[i];
    const struct cf_attrs *at = &n->a;
    struct conv_geom c = geom(s, n, i);
    int sep = n->op == CF_OP_SEPARABLE_CONV2D, M = at->depth_multiplier, hb, hk;
    cl_mem K = cf_cl_weight(s, i, "depthwise_kernel", &hk), B = cf_cl_weight(s, i, "bias", &hb);
    struct cf_shape tsh = n->out; /* the depthwise stage's output: C·M channels */
    tsh.d[g->layout == CF_LAYOUT_NHWC ? 3 : 1] = c.xd.s[3] * M;
    cl_int4 td = cf_cl_dims4(&tsh, g->layout), ts = cf_cl_strides4(&tsh, g->layout);
    cl_uint to = sep ? cf_cl_off(s->x->plan->scratch_offset[i]) : c.yo;
    clinfer_status st = CF_CL_LAUNCH(s, "depthwise_conv2d_f32", n, (size_t)cf_cl_elems(&tsh), d, A_MEM(s->arena),
                                     A_UINT(c.xo), A_UINT(to), A_MEM(K), A_MEM(B), A_INT(sep ? 0 : hb), A_VEC(c.xd),
                                     A_VEC(c.xs), A_VEC(td), A_VEC(ts), A_VEC(c.win), A_VEC(c.dp), A_INT(M),
                                     A_INT(sep ? CF_ACT_LINEAR : cf_cl_kact(at)), A_VEC(c.ap));
    if (st || !sep) return softmax_after(s, n, i, st, d);
    K = cf_cl_weight(s, i, "pointwise_kernel", &hk);
    cl_int4 one = cf_cl_int4(1, 1, 1, 1), nopad = cf_cl_int4(1, 1, 0, 0);
    st = CF_CL_LAUNCH(s, "conv2d_direct_f32", n, (size_t)cf_cl_elems(&n->out), d, A_MEM(s->arena), A_UINT(to),
                      A_UINT(c.yo), A_MEM(K), A_MEM(B), A_INT(hb), A_VEC(td), A_VEC(ts), A_VEC(c.yd), A_VEC(c.ys),
                      A_VEC(one), A_VEC(nopad), A_INT(1), A_INT(cf_cl_kact(at)), A_VEC(c.ap), A_INT(1));
    return softmax_after(s, n, i, st, d);
}

/* Conv2DTranspose as a gather */
clinfer_status cf_cl_conv2d_transpose(struct cf_cl *s, int i, struct cf_diag *d)
{
    const struct cf_node *n = &s->x->g->nodes[i];
    struct conv_geom c = geom(s, n, i);
    int hb, hk;
    cl_mem K = cf_cl_weight(s, i, "kernel", &hk), B = cf_cl_weight(s, i, "bias", &hb);
    clinfer_status st = CF_CL_LAUNCH(s, "conv2d_transpose_f32", n, (size_t)cf_cl_elems(&n->out), d, A_MEM(s->arena),
                                     A_UINT(c.xo), A_UINT(c.yo), A_MEM(K), A_MEM(B), A_INT(hb), A_VEC(c.xd), A_VEC(c.xs),
                                     A_VEC(c.yd), A_VEC(c.ys), A_VEC(c.win), A_VEC(c.dp), A_INT(cf_cl_kact(&n->a)),
                                     A_VEC(c.ap));
    return softmax_after(s, n, i, st, d);
}
