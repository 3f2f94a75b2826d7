/* Shape-preserving ops: Activation (and ReLU, LeakyReLU, Softmax, the ONNX activations), Dropout, Identity. */
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
    if ((a->n->a.act == CF_ACT_SOFTMAX || a->n->a.act == CF_ACT_LOG_SOFTMAX) && (ax < 0 || ax >= x->rank ||
                                                                              (ax == 0 && x->d[0] < 0))) {
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
