/* Reshape: the target shape (batch excluded) must hold as many elements as the input; one -1 is inferred. */
#include "ops.h"

clinfer_status reshape_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    const struct cf_shape *x = a->in[0], *t = &a->n->a.target;
    int64_t in = cf_shape_elems_per_item(x), known = 1;
    int unknown = -1;
    char bx[128], bt[128];
    cf_shape_format(x, bx, sizeof bx);
    /* the target as written: -1 stays -1 */
    size_t m = (size_t)snprintf(bt, sizeof bt, "(");
    for (int i = 0; i < t->rank && m < sizeof bt; i++)
        m += (size_t)snprintf(bt + m, sizeof bt - m, "%s%lld", i ? ", " : "", (long long)t->d[i]);
    if (m < sizeof bt) snprintf(bt + m, sizeof bt - m, t->rank == 1 ? ",)" : ")");
    if (t->rank + 1 > CF_MAX_RANK) return cf_fail(d, CLINFER_E_LIMIT, "target shape %s has too many dims", bt);
    for (int i = 0; i < t->rank; i++) {
        if (t->d[i] == -1) {
            if (unknown >= 0) return cf_fail(d, CLINFER_E_MODEL, "can only specify one unknown dimension, got %s", bt);
            unknown = i;
        } else if (t->d[i] <= 0) {
            return cf_fail(d, CLINFER_E_MODEL, "target shape %s has a dimension that is not positive", bt);
        } else {
            known = cf_prod((int64_t[]){known, t->d[i]}, 2);
            if (known < 0) return cf_fail(d, CLINFER_E_LIMIT, "target shape %s is too large", bt);
        }
    }
    struct cf_shape *o = &a->n->out;
    o->rank = t->rank + 1;
    o->d[0] = x->d[0];
    for (int i = 0; i < t->rank; i++) o->d[i + 1] = t->d[i];
    if (in < 0) {
        if (unknown >= 0) o->d[unknown + 1] = CF_DIM_UNKNOWN;
        return CLINFER_OK;
    }
    if (unknown >= 0) {
        if (in % known != 0)
            return cf_fail(d, CLINFER_E_MODEL, "cannot reshape %s (%lld elements per item) into %s", bx,
                           (long long)in, bt);
        o->d[unknown + 1] = in / known;
    } else if (known != in) {
        return cf_fail(d, CLINFER_E_MODEL,
                       "total size of new array must be unchanged: %s holds %lld elements per item, %s holds %lld", bx,
                       (long long)in, bt, (long long)known);
    }
    return CLINFER_OK;
}

void reshape_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    cf_sb_puts(sb, "    elements kept: ");
    cf_sb_dims(sb, a->in[0]);
    cf_sb_puts(sb, " = ");
    cf_sb_dims(sb, &a->n->out);
    cf_sb_printf(sb, " = %lld; params = 0\n", (long long)cf_shape_elems_per_item(&a->n->out));
}
