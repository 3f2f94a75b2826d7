/* Shape-preserving ops: Activation (and ReLU, LeakyReLU, Softmax), Dropout. */
#include "ops.h"

clinfer_status same_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    (void)d;
    a->n->out = *a->in[0];
    return CLINFER_OK;
}

clinfer_status activation_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    const struct cf_shape *x = a->in[0];
    int ax = a->n->a.axis < 0 ? x->rank + a->n->a.axis : a->n->a.axis;
    if (a->n->a.act == CF_ACT_SOFTMAX && (ax < 1 || ax >= x->rank)) {
        char buf[128];
        cf_shape_format(x, buf, sizeof buf);
        return cf_fail(d, CLINFER_E_MODEL, "softmax axis %d is out of range for an input of shape %s", a->n->a.axis,
                       buf);
    }
    a->n->out = *x;
    return CLINFER_OK;
}

void same_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    (void)a;
    cf_explain_line(sb, "shape unchanged; params = 0");
}
