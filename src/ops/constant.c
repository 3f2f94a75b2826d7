/* Constant: a tensor the model file gives (an ONNX initializer that feeds an op as an input). Its values are
 * its one weight, "value"; it is not a row of the summary: its elements count as the parameters of the node
 * that reads it. */
#include "ops.h"

clinfer_status constant_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    (void)d;
    a->n->out = a->n->a.target;
    return CLINFER_OK;
}

int constant_weights(const struct cf_op_args *a, struct cf_weight *w)
{
    const struct cf_shape *s = &a->n->a.target;
    w[0] = (struct cf_weight){"value", s->rank, {0}, 1};
    for (int i = 0; i < s->rank; i++) w[0].dims[i] = s->d[i];
    return 1;
}

void constant_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    cf_sb_puts(sb, "    a constant of ");
    cf_sb_dims(sb, &a->n->out);
    cf_sb_puts(sb, " values\n");
}
