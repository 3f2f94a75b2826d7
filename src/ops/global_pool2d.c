/* GlobalAveragePooling2D and GlobalMaxPooling2D: (N, H, W, C) -> (N, C), or (N, 1, 1, C) with keepdims. */
#include "ops.h"

clinfer_status global_pool2d_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    int64_t cin;
    clinfer_status st = cf_require_4d(a, a->in[0], &cin, d);
    if (st) return st;
    struct cf_shape *o = &a->n->out;
    if (a->n->a.keepdims) {
        *o = *a->in[0];
        o->d[cf_axis_h(a->g)] = o->d[cf_axis_w(a->g)] = 1;
    } else {
        o->rank = 2;
        o->d[0] = a->in[0]->d[0];
        o->d[1] = cin;
    }
    return CLINFER_OK;
}

void global_pool2d_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    const struct cf_shape *x = a->in[0];
    long long h = (long long)x->d[cf_axis_h(a->g)], w = (long long)x->d[cf_axis_w(a->g)];
    const char *how = cf_op_as_2d(a->n->op) == CF_OP_GLOBAL_AVG_POOL2D ? "averages" : "takes the maximum of";
    if (a->one_d && w >= 0)
        cf_explain_line(sb, "%s all %lld steps of each of the %lld channels; params = 0", how, w,
                        (long long)x->d[cf_axis_c(a->g)]);
    else if (a->one_d)
        cf_explain_line(sb, "%s all steps of each of the %lld channels; params = 0", how, (long long)x->d[cf_axis_c(a->g)]);
    else if (h < 0 || w < 0)
        cf_explain_line(sb, "%s all rows·cols positions of each of the %lld channels; params = 0", how,
                        (long long)x->d[cf_axis_c(a->g)]);
    else
        cf_explain_line(sb, "%s all %lld·%lld = %lld positions of each of the %lld channels; params = 0", how, h, w,
                        h * w, (long long)x->d[cf_axis_c(a->g)]);
}
