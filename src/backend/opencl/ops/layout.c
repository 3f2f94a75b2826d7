/* The data-movement kernels (cl/layout.cl, cl/pad.cl, cl/transpose.cl, cl/depth_to_space.cl, cl/resize.cl):
 * ZeroPadding2D, Concatenate, Transpose, Slice, Pad, DepthToSpace, UpSampling2D; and a Constant copied into the
 * arena. */
#include "../../../ops/ops.h"
#include "../launch.h"

static cl_uint in_off(struct cf_cl *s, const struct cf_node *n, int k) { return cf_cl_off(s->x->plan->offset[n->in[k]]); }

clinfer_status cf_cl_zero_pad2d(struct cf_cl *s, int i, struct cf_diag *d)
{
    const struct cf_node *n = &s->x->g->nodes[i];
    const struct cf_shape *xs = &s->x->g->nodes[n->in[0]].out, *ys = &n->out;
    return CF_CL_LAUNCH(s, "zero_pad2d_f32", n, (size_t)cf_cl_elems(ys), d, A_MEM(s->arena), A_UINT(in_off(s, n, 0)),
                        A_UINT(cf_cl_off(s->x->plan->offset[i])), A_INT(xs->d[0]), A_INT(xs->d[1]), A_INT(xs->d[2]),
                        A_INT(xs->d[3]), A_INT(ys->d[1]), A_INT(ys->d[2]), A_INT(n->a.pads[0]), A_INT(n->a.pads[2]));
}

/* each input copied into its columns of the output */
clinfer_status cf_cl_concat(struct cf_cl *s, int i, struct cf_diag *d)
{
    const struct cf_graph *g = s->x->g;
    const struct cf_node *n = &g->nodes[i];
    const struct cf_shape *ys = &n->out;
    int axis = n->a.axis < 0 ? ys->rank + n->a.axis : n->a.axis;
    int64_t outer, len, inner, at_col = 0;
    cf_cl_axis_split(ys, axis, 0, &outer, &len, &inner);
    for (int k = 0; k < n->n_in; k++) {
        int64_t chunk = g->nodes[n->in[k]].out.d[axis] * inner;
        clinfer_status st = CF_CL_LAUNCH(s, "concat_f32", n, (size_t)(outer * ((chunk + 63) / 64)), d, A_MEM(s->arena),
                                         A_UINT(in_off(s, n, k)), A_UINT(cf_cl_off(s->x->plan->offset[i])), A_INT(outer),
                                         A_INT(chunk), A_INT(len * inner), A_INT(at_col));
        if (st) return st;
        at_col += chunk;
    }
    return CLINFER_OK;
}

clinfer_status cf_cl_constant(struct cf_cl *s, int i, struct cf_diag *d)
{
    const struct cf_node *n = &s->x->g->nodes[i];
    int has;
    cl_mem v = cf_cl_weight(s, i, "value", &has);
    cl_int err = clEnqueueCopyBuffer(s->q, v, s->arena, 0, s->x->plan->offset[i],
                                     sizeof(float) * (size_t)cf_cl_elems(&n->out), 0, NULL, NULL);
    return err == CL_SUCCESS ? CLINFER_OK : cf_cl_fail(d, "clEnqueueCopyBuffer", n->name, err);
}

/* The strided gather of Transpose and Slice (cl/transpose.cl) over output dims od and input strides sv, innermost
 * first: neighbouring axes that continue one run of the input are merged (a size-1 axis dropped), and where the
 * innermost is then contiguous in the input, 16 of its elements a work-item. */
static clinfer_status gather(struct cf_cl *s, const struct cf_node *n, cl_uint xo, cl_uint yo, const cl_int8 *dims,
                             const cl_int8 *strides, struct cf_diag *d)
{
    const cl_int8 od = *dims, sv = *strides;
    cl_uint total = (cl_uint)cf_cl_elems(&n->out);
    cl_int8 m, ms;
    int k = 0;
    m.s[0] = od.s[0], ms.s[0] = sv.s[0];
    for (int a = 1; a < 8; a++) {
        if (od.s[a] == 1) continue;
        if (m.s[k] == 1) { /* (what stands at k is of size 1: the axis takes its place) */
            m.s[k] = od.s[a], ms.s[k] = sv.s[a];
        } else if ((int64_t)ms.s[k] * m.s[k] == sv.s[a]) {
            m.s[k] *= od.s[a];
        } else {
            k++;
            m.s[k] = od.s[a], ms.s[k] = sv.s[a];
        }
    }
    for (int a = k + 1; a < 8; a++) m.s[a] = 1, ms.s[a] = 0;
    if (ms.s[0] != 1 || m.s[0] < 8)
        return CF_CL_LAUNCH(s, "transpose_f32", n, (size_t)total, d, A_MEM(s->arena), A_UINT(xo), A_UINT(yo),
                            A_UINT(total), A_VEC(m), A_VEC(ms));
    cl_uint items = total / (cl_uint)m.s[0] * (cl_uint)((m.s[0] + 15) / 16);
    return CF_CL_LAUNCH(s, "transpose_runs_f32", n, (size_t)items, d, A_MEM(s->arena), A_UINT(xo), A_UINT(yo),
                        A_UINT(items), A_VEC(m), A_VEC(ms));
}

clinfer_status cf_cl_transpose(struct cf_cl *s, int i, struct cf_diag *d)
{
    const struct cf_node *n = &s->x->g->nodes[i];
    const struct cf_shape *xs = &s->x->g->nodes[n->in[0]].out, *ys = &n->out;
    int64_t st[CF_MAX_RANK], src[CF_MAX_RANK];
    cf_cl_strides_of(xs, st);
    for (int ax = 0; ax < ys->rank; ax++) src[ax] = st[n->a.perm[ax]];
    cl_int8 od = cf_cl_inner_first(ys->d, ys->rank, 1), sv = cf_cl_inner_first(src, ys->rank, 0);
    return gather(s, n, in_off(s, n, 0), cf_cl_off(s->x->plan->offset[i]), &od, &sv, d);
}

/* a Slice is the transpose's strided gather: from its first element, each output axis a step of the input's */
clinfer_status cf_cl_slice(struct cf_cl *s, int i, struct cf_diag *d)
{
    const struct cf_node *n = &s->x->g->nodes[i];
    const struct cf_shape *xs = &s->x->g->nodes[n->in[0]].out, *ys = &n->out;
    int64_t st[CF_MAX_RANK], src[CF_MAX_RANK], base = 0, first, count;
    cf_cl_strides_of(xs, st);
    for (int ax = 0; ax < ys->rank; ax++) {
        cf_slice_axis(&n->a, ax, xs->d[ax], &first, &count);
        base += first * st[ax];
        src[ax] = n->a.slice_step[ax] * st[ax];
    }
    cl_int8 od = cf_cl_inner_first(ys->d, ys->rank, 1), sv = cf_cl_inner_first(src, ys->rank, 0);
    return gather(s, n, in_off(s, n, 0) + (cl_uint)base, cf_cl_off(s->x->plan->offset[i]), &od, &sv, d);
}

/* constant, reflect or edge padding (negative pads crop); one work-item a row */
clinfer_status cf_cl_pad(struct cf_cl *s, int i, struct cf_diag *d)
{
    const struct cf_node *n = &s->x->g->nodes[i];
    const struct cf_attrs *at = &n->a;
    const struct cf_shape *xs = &s->x->g->nodes[n->in[0]].out, *ys = &n->out;
    int64_t st[CF_MAX_RANK];
    cf_cl_strides_of(xs, st);
    cl_int8 od = cf_cl_inner_first(ys->d, ys->rank, 1), xd = cf_cl_inner_first(xs->d, xs->rank, 1),
            sv = cf_cl_inner_first(st, xs->rank, 0), bg = cf_cl_inner_first(at->pad_begin, xs->rank, 0);
    int mode = at->pad_mode == CF_PADMODE_CONSTANT ? 0 : at->pad_mode == CF_PADMODE_REFLECT ? 1 : 2;
    int64_t rows = cf_cl_elems(ys) / (ys->rank ? ys->d[ys->rank - 1] : 1);
    return CF_CL_LAUNCH(s, "pad_f32", n, (size_t)rows, d, A_MEM(s->arena), A_UINT(in_off(s, n, 0)),
                        A_UINT(cf_cl_off(s->x->plan->offset[i])), A_UINT(rows), A_VEC(od), A_VEC(xd), A_VEC(sv),
                        A_VEC(bg), A_INT(mode), A_FLT(at->pad_value));
}

clinfer_status cf_cl_depth_to_space(struct cf_cl *s, int i, struct cf_diag *d)
{
    const struct cf_node *n = &s->x->g->nodes[i];
    const struct cf_shape *ys = &n->out;
    return CF_CL_LAUNCH(s, "depth_to_space_f32", n, (size_t)cf_cl_elems(ys), d, A_MEM(s->arena), A_UINT(in_off(s, n, 0)),
                        A_UINT(cf_cl_off(s->x->plan->offset[i])), A_INT(ys->d[0]), A_INT(ys->d[1]), A_INT(ys->d[2]),
                        A_INT(ys->d[3]), A_INT(n->a.blocksize), A_INT(n->a.d2s_crd));
}

clinfer_status cf_cl_resize(struct cf_cl *s, int i, struct cf_diag *d)
{
    const struct cf_graph *g = s->x->g;
    const struct cf_node *n = &g->nodes[i];
    const struct cf_shape *xs = &g->nodes[n->in[0]].out, *ys = &n->out;
    cl_int8 od = {{0}};
    cl_int4 st = {{0}};
    int64_t stride = 1;
    for (int k = 3; k >= 0; k--) {
        od.s[k] = (cl_int)ys->d[k];
        st.s[k] = (cl_int)stride;
        stride *= xs->d[k];
    }
    int ah = cf_axis_h(g), aw = cf_axis_w(g), sized = n->a.resize_to[0] > 0;
    const int64_t *box = n->a.resize_box;
    return CF_CL_LAUNCH(s, "resize_f32", n, (size_t)cf_cl_elems(ys), d, A_MEM(s->arena), A_UINT(in_off(s, n, 0)),
                        A_UINT(cf_cl_off(s->x->plan->offset[i])), A_UINT(cf_cl_elems(ys)), A_VEC(od), A_VEC(st),
                        A_INT(ah), A_INT(aw), A_INT(sized ? 0 : n->a.resize[0]), A_INT(sized ? 0 : n->a.resize[1]),
                        A_INT(sized ? box[2] : xs->d[ah]), A_INT(sized ? box[3] : xs->d[aw]),
                        A_INT(n->a.resize_linear), A_INT(sized ? box[0] : 0), A_INT(sized ? box[1] : 0),
                        A_FLT(sized ? (double)box[2] / (double)ys->d[ah] : 0),
                        A_FLT(sized ? (double)box[3] / (double)ys->d[aw] : 0));
}
