/* The 1-D layers (Conv1D, MaxPooling1D, AveragePooling1D, GlobalAveragePooling1D, GlobalMaxPooling1D): a
 * (batch, steps, channels) activation is, in memory, the 2-D one (batch, 1, steps, channels) of height 1, and a 1-D
 * layer is its 2-D op with a kernel, strides and dilation of 1 over the rows (the front-end sets them). So its verbs
 * are the 2-D op's over the lifted shapes, with the result squeezed back; explain speaks of steps. Sessions run the
 * 2-D op itself (passes/lower_1d.c), so no backend knows these ops.
 *   out steps = conv_output_length(steps, K, S, D, padding)     params = (K·Cin/G + 1)·Cout (Conv1D)
 *   MACs      = Wo·Cout·K·Cin/G (Conv1D)                        kernel = (K, Cin/G, Cout), as Keras makes it */
#include "ops.h"

#include <string.h>

/* A row per 1-D op: the 2-D op it is. */
static const struct {
    enum cf_op one_d, two_d;
} as_2d[] = {
    {CF_OP_CONV1D, CF_OP_CONV2D},
    {CF_OP_MAX_POOL1D, CF_OP_MAX_POOL2D},
    {CF_OP_AVG_POOL1D, CF_OP_AVG_POOL2D},
    {CF_OP_GLOBAL_AVG_POOL1D, CF_OP_GLOBAL_AVG_POOL2D},
    {CF_OP_GLOBAL_MAX_POOL1D, CF_OP_GLOBAL_MAX_POOL2D},
};

enum cf_op cf_op_as_2d(enum cf_op op)
{
    for (size_t k = 0; k < sizeof as_2d / sizeof as_2d[0]; k++)
        if (as_2d[k].one_d == op) return as_2d[k].two_d;
    return op;
}

struct cf_shape cf_shape_lift_1d(const struct cf_graph *g, const struct cf_shape *s)
{
    struct cf_shape r = *s;
    if (s->rank != 3) return r;
    int h = cf_axis_h(g); /* NWC -> N1WC, NCW -> NC1W */
    r.rank = 4;
    for (int k = 3; k > h; k--) r.d[k] = s->d[k - 1];
    r.d[h] = 1;
    return r;
}

struct cf_shape cf_shape_squeeze_1d(const struct cf_graph *g, const struct cf_shape *s)
{
    struct cf_shape r = *s;
    if (s->rank != 4) return r;
    int h = cf_axis_h(g);
    r.rank = 3;
    for (int k = h; k < 3; k++) r.d[k] = s->d[k + 1];
    return r;
}

/* The 2-D op's view of a 1-D node: the node as its 2-D op, its data input lifted (the other inputs as they are). */
struct lifted {
    struct cf_node n;
    struct cf_shape x;
    const struct cf_shape *in[8];
    struct cf_op_args a;
};

static void lift(const struct cf_op_args *a, struct lifted *l)
{
    l->n = *a->n;
    l->n.op = cf_op_as_2d(a->n->op);
    l->n.out = cf_shape_lift_1d(a->g, &a->n->out);
    l->x = cf_shape_lift_1d(a->g, a->in[0]);
    int k = 0;
    l->in[k++] = &l->x;
    for (; k < a->n_in && k < (int)(sizeof l->in / sizeof l->in[0]); k++) l->in[k] = a->in[k];
    l->a = (struct cf_op_args){.g = a->g, .n = &l->n, .in = l->in, .n_in = k, .one_d = 1};
}

clinfer_status one_d_infer(const struct cf_op_args *a, struct cf_diag *d)
{
    if (a->in[0]->rank != 3) {
        char buf[128];
        cf_shape_format(a->in[0], buf, sizeof buf);
        return cf_fail(d, CLINFER_E_MODEL, "expected a 3-D input (batch, steps, channels), got %s", buf);
    }
    struct lifted l;
    lift(a, &l);
    clinfer_status st = cf_op_verbs(l.n.op)->infer(&l.a, d);
    if (st) return st;
    memcpy(a->n->a.pads, l.n.a.pads, sizeof a->n->a.pads); /* the pads 'same' implies */
    a->n->out = cf_shape_squeeze_1d(a->g, &l.n.out);
    return CLINFER_OK;
}

int one_d_weights(const struct cf_op_args *a, struct cf_weight *w)
{
    struct lifted l;
    lift(a, &l);
    int n = cf_op_verbs(l.n.op)->weights(&l.a, w);
    for (int k = 0; k < n; k++)
        if (w[k].rank == 4) { /* a kernel (1, K, Cin/G, Cout) is (K, Cin/G, Cout) */
            w[k].rank = 3;
            memmove(w[k].dims, w[k].dims + 1, 3 * sizeof w[k].dims[0]);
        }
    return n;
}

int64_t one_d_macs(const struct cf_op_args *a)
{
    struct lifted l;
    lift(a, &l);
    return cf_op_verbs(l.n.op)->macs(&l.a);
}

void one_d_explain(const struct cf_op_args *a, struct cf_strbuf *sb)
{
    struct lifted l;
    lift(a, &l);
    cf_op_verbs(l.n.op)->explain(&l.a, sb);
}
