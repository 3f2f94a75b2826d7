/* ZeroPadding2D: rows + top + bottom, cols + left + right. */
#include "ops.h"

clinfer_status zero_pad2d_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    int64_t cin;
    clinfer_status st = cf_require_4d(a, a->in[0], &cin, d);
    if (st) return st;
    const int *p = a->n->a.pads;
    a->n->out = *a->in[0];
    int64_t *h = &a->n->out.d[cf_axis_h(a->g)], *w = &a->n->out.d[cf_axis_w(a->g)];
    if (*h >= 0) *h += p[0] + p[1];
    if (*w >= 0) *w += p[2] + p[3];
    return CLINFER_OK;
}

void zero_pad2d_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    const int *p = a->n->a.pads;
    const struct cf_shape *x = a->in[0], *o = &a->n->out;
    int h = cf_axis_h(a->g), w = cf_axis_w(a->g);
    cf_explain_line(sb, "rows = H + top + bottom = %lld + %d + %d = %lld; cols = W + left + right = %lld + %d + %d = %lld",
                    (long long)x->d[h], p[0], p[1], (long long)o->d[h], (long long)x->d[w], p[2], p[3],
                    (long long)o->d[w]);
    cf_explain_line(sb, "params = 0");
}
