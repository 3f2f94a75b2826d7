/* The generic dense and matmul kernels (cl/dense.cl, cl/matmul.cl): one work-item per output element. */
#include "../launch.h"

clinfer_status cf_cl_dense(struct cf_cl *s, int i, struct cf_diag *d)
{
    const struct cf_graph *g = s->x->g;
    const struct cf_node *n = &g->nodes[i];
    const struct cf_attrs *at = &n->a;
    const struct cf_shape *xs = &g->nodes[n->in[0]].out;
    int64_t total = cf_cl_elems(&n->out), cin = xs->d[xs->rank - 1], rows = total / at->filters;
    int hb, hk;
    cl_mem K = cf_cl_weight(s, i, "kernel", &hk), B = cf_cl_weight(s, i, "bias", &hb);
    cl_float4 ap = cf_cl_actp(at);
    clinfer_status st = CF_CL_LAUNCH(s, "dense_f32", n, (size_t)total, d, A_MEM(s->arena),
                                     A_UINT(cf_cl_off(s->x->plan->offset[n->in[0]])),
                                     A_UINT(cf_cl_off(s->x->plan->offset[i])), A_MEM(K), A_MEM(B), A_INT(hb),
                                     A_INT(rows), A_INT(cin), A_INT(at->filters), A_INT(cf_cl_kact(at)), A_VEC(ap));
    if (st == CLINFER_OK && cf_cl_is_softmax(at->act)) st = cf_cl_softmax_channels(s, n, s->x->plan->offset[i], d);
    return st;
}

/* MatMul with NumPy broadcasting over the leading axes */
clinfer_status cf_cl_matmul(struct cf_cl *s, int i, struct cf_diag *d)
{
    const struct cf_graph *g = s->x->g;
    const struct cf_node *n = &g->nodes[i];
    const struct cf_shape *xs = &g->nodes[n->in[0]].out, *ws = &g->nodes[n->in[1]].out, *ys = &n->out;
    int64_t M = xs->d[xs->rank - 2], K = xs->d[xs->rank - 1], N = ws->d[ws->rank - 1], total = cf_cl_elems(ys);
    int lead_rank = ys->rank - 2;
    int64_t lead[CF_MAX_RANK], sx[CF_MAX_RANK], sw[CF_MAX_RANK], accx = 1, accw = 1;
    for (int ax = lead_rank - 1; ax >= 0; ax--) {
        int ix = ax - (ys->rank - xs->rank), iw = ax - (ys->rank - ws->rank);
        lead[ax] = ys->d[ax];
        sx[ax] = ix >= 0 && xs->d[ix] != 1 ? accx : 0;
        sw[ax] = iw >= 0 && ws->d[iw] != 1 ? accw : 0;
        if (ix >= 0) accx *= xs->d[ix];
        if (iw >= 0) accw *= ws->d[iw];
    }
    cl_int8 lv = cf_cl_inner_first(lead, lead_rank, 1), xv = cf_cl_inner_first(sx, lead_rank, 0),
            wv = cf_cl_inner_first(sw, lead_rank, 0);
    return CF_CL_LAUNCH(s, "matmul_f32", n, (size_t)total, d, A_MEM(s->arena),
                        A_UINT(cf_cl_off(s->x->plan->offset[n->in[0]])), A_UINT(cf_cl_off(s->x->plan->offset[n->in[1]])),
                        A_UINT(cf_cl_off(s->x->plan->offset[i])), A_INT(M), A_INT(K), A_INT(N), A_INT(total / (M * N)),
                        A_VEC(lv), A_VEC(xv), A_VEC(wv));
}
