/* LRN over the channels (axis 1): y = x / (bias + alpha/size·sum of x^2 over `size` channels)^beta. */
#include "ops.h"

clinfer_status lrn_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    if (a->in[0]->rank < 3) return cf_fail(d, CLINFER_E_MODEL, "LRN needs an input with channels and spatial axes");
    a->n->out = *a->in[0];
    return CLINFER_OK;
}
