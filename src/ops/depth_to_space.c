/* DepthToSpace (NCHW): (N, C, H, W) -> (N, C/b², H·b, W·b), DCR or CRD order. */
#include "ops.h"

clinfer_status depth_to_space_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    const struct cf_shape *x = a->in[0];
    int64_t b = a->n->a.blocksize;
    if (x->rank != 4 || b < 1 || x->d[1] < 0 || x->d[1] % (b * b))
        return cf_fail(d, CLINFER_E_MODEL, "DepthToSpace needs a 4-D input whose channels divide by blocksize² = %lld",
                       (long long)(b * b));
    a->n->out = *x;
    a->n->out.d[1] = x->d[1] / (b * b);
    a->n->out.d[2] = x->d[2] < 0 ? -1 : x->d[2] * b;
    a->n->out.d[3] = x->d[3] < 0 ? -1 : x->d[3] * b;
    return CLINFER_OK;
}

void depth_to_space_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    cf_explain_line(sb, "channels / %d², rows and cols × %d (%s order); params = 0", a->n->a.blocksize,
                    a->n->a.blocksize, a->n->a.d2s_crd ? "CRD" : "DCR");
}
