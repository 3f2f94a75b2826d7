/* ReduceMean (cl/reduce_mean.cl): one work-item an output; when the reduced axes are the innermost ones (NCHW's
 * spatial mean) each output's inputs are one run of memory, read as vectors. */
#include "../launch.h"

clinfer_status cf_cl_reduce_mean(struct cf_cl *s, int i, struct cf_diag *d)
{
    const struct cf_node *n = &s->x->g->nodes[i];
    const struct cf_shape *xs = &s->x->g->nodes[n->in[0]].out;
    unsigned axes = n->a.reduce_axes;
    int64_t st[CF_MAX_RANK], od[CF_MAX_RANK], rd[CF_MAX_RANK], count = 1;
    cf_cl_strides_of(xs, st);
    for (int ax = 0; ax < xs->rank; ax++) {
        int red = axes >> ax & 1;
        od[ax] = red ? 1 : xs->d[ax];
        rd[ax] = red ? xs->d[ax] : 1;
        count *= rd[ax];
    }
    int contiguous = 1;
    for (int ax = 0, seen = 0; ax < xs->rank; ax++) {
        int red = axes >> ax & 1;
        if (seen && !red && xs->d[ax] > 1) contiguous = 0;
        seen |= red;
    }
    int64_t total = cf_cl_elems(&n->out);
    cl_int8 odv = cf_cl_inner_first(od, xs->rank, 1), sv = cf_cl_inner_first(st, xs->rank, 0),
            rdv = cf_cl_inner_first(rd, xs->rank, 1);
    return CF_CL_LAUNCH(s, "reduce_mean_f32", n, (size_t)total, d, A_MEM(s->arena),
                        A_UINT(cf_cl_off(s->x->plan->offset[n->in[0]])), A_UINT(cf_cl_off(s->x->plan->offset[i])),
                        A_UINT(total), A_VEC(odv), A_VEC(sv), A_VEC(rdv), A_INT(count), A_INT(contiguous));
}
