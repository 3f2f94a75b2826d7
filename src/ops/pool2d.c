/* MaxPooling2D and AveragePooling2D: the conv output-length rule with the pool as kernel
 * (strides default to the pool size); channels unchanged; nothing learned. */
#include "ops.h"

clinfer_status pool2d_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    int64_t cin, oh, ow;
    clinfer_status st = cf_require_4d(a, a->in[0], &cin, d);
    if (st || (st = cf_spatial_out(a, "pool", &oh, &ow, d))) return st;
    a->n->out = *a->in[0];
    a->n->out.d[cf_axis_h(a->g)] = oh;
    a->n->out.d[cf_axis_w(a->g)] = ow;
    return CLINFER_OK;
}

void pool2d_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    cf_explain_spatial(a, sb);
    cf_explain_line(sb, "channels unchanged = %lld; params = 0", (long long)a->n->out.d[cf_axis_c(a->g)]);
}
