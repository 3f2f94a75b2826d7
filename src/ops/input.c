/* Input: the declared shape; the batch is None unless the input declares it or the caller binds it. */
#include "ops.h"

clinfer_status input_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    (void)d;
    a->n->out = a->n->a.target;
    return CLINFER_OK;
}

void input_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    cf_sb_puts(sb, "    declared shape ");
    char buf[128];
    cf_shape_format(&a->n->out, buf, sizeof buf);
    cf_sb_printf(sb, "%s (the first dimension is the batch); params = 0\n", buf);
}
