/* Reshape: the target shape (batch excluded) must hold as many elements as the input; one -1 is inferred. */
#include "ops.h"

clinfer_status reshape_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    const struct cf_shape *x = a->in[0], *t = &a->n->a.target;
    int full = a->n->a.target_full;
    char bx[128], bt[128];
    cf_shape_format(x, bx, sizeof bx);
    /* the target as written: -1 stays -1 */
    size_t m = (size_t)snprintf(bt, sizeof bt, "(");
    for (int i = 0; i < t->rank && m < sizeof bt; i++) {
        if (t->d[i] == CF_DIM_BATCH) m += (size_t)snprintf(bt + m, sizeof bt - m, "%sbatch", i ? ", " : "");
        else m += (size_t)snprintf(bt + m, sizeof bt - m, "%s%lld", i ? ", " : "", (long long)t->d[i]);
    }
    if (m < sizeof bt) snprintf(bt + m, sizeof bt - m, t->rank == 1 ? ",)" : ")");
    if (t->rank + !full > CF_MAX_RANK) return cf_fail(d, CLINFER_E_LIMIT, "target shape %s has too many dims", bt);
    struct cf_shape *o = &a->n->out;
    /* the output, with dims that follow the input (0: the same axis, batch) resolved */
    o->rank = t->rank + !full;
    if (!full) o->d[0] = x->d[0];
    int unknown = -1;
    for (int i = 0; i < t->rank; i++) {
        int64_t v = t->d[i];
        if (full && v == 0) {
            if (i >= x->rank) return cf_fail(d, CLINFER_E_MODEL, "target %s copies axis %d, which %s lacks", bt, i, bx);
            v = x->d[i];
        } else if (v == CF_DIM_BATCH) {
            v = x->d[0];
        } else if (v == -1) {
            if (unknown >= 0) return cf_fail(d, CLINFER_E_MODEL, "can only specify one unknown dimension, got %s", bt);
            unknown = i + !full;
        } else if (v <= 0) {
            return cf_fail(d, CLINFER_E_MODEL, "target shape %s has a dimension that is not positive", bt);
        }
        o->d[i + !full] = v;
    }
    /* elements on both sides, leaving out what is unknown on both (the batch) */
    int64_t in = 1, known = 1;
    int in_unknown = 0, out_unknown = 0;
    for (int i = 0; i < x->rank; i++) {
        if (x->d[i] < 0) in_unknown++;
        else if ((in = cf_prod((int64_t[]){in, x->d[i]}, 2)) < 0) return cf_fail(d, CLINFER_E_LIMIT, "%s is too large", bx);
    }
    for (int i = 0; i < o->rank; i++) {
        if (i == unknown) continue;
        if (o->d[i] < 0) out_unknown++;
        else if ((known = cf_prod((int64_t[]){known, o->d[i]}, 2)) < 0)
            return cf_fail(d, CLINFER_E_LIMIT, "target shape %s is too large", bt);
    }
    /* (N, ...) into (-1, rest) with the rest all of an item: the -1 is the batch, which stays where it is */
    if (in_unknown == 1 && x->d[0] < 0 && out_unknown == 0 && unknown == 0 && known == in) {
        o->d[0] = x->d[0];
        return CLINFER_OK;
    }
    if (in_unknown != out_unknown) {
        if (unknown >= 0) o->d[unknown] = CF_DIM_UNKNOWN;
        if (in_unknown > out_unknown || unknown < 0)
            return cf_fail(d, CLINFER_E_UNSUPPORTED, "cannot reshape %s into %s: the unknown batch would move", bx, bt);
        return CLINFER_OK;
    }
    if (unknown >= 0) {
        if (known == 0 || in % known != 0)
            return cf_fail(d, CLINFER_E_MODEL, "cannot reshape %s (%lld elements per item) into %s", bx,
                           (long long)(x->d[0] > 0 ? in / x->d[0] : in), bt);
        o->d[unknown] = in / known;
    } else if (known != in) {
        int64_t per_in = x->d[0] > 0 ? in / x->d[0] : in, per_out = o->d[0] > 0 ? known / o->d[0] : known;
        return cf_fail(d, CLINFER_E_MODEL,
                       "total size of new array must be unchanged: %s holds %lld elements per item, %s holds %lld", bx,
                       (long long)per_in, bt, (long long)per_out);
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
