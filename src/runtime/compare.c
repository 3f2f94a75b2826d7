/* Comparing two devices (include/clinfer.h: clinfer_compare): one session on each, the same inputs, every layer's
 * output compared by the rule of report/compare.h, and a verdict that tells rounding from a wrong kernel. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../api.h"
#include "../report/compare.h"
#include "../util/alloc.h"

struct clinfer_comparison {
    int n;                          /* layers */
    char device[2][768];
    clinfer_compare_layer *layers;
    int first_failure, first_nonfinite[2];
    clinfer_verdict verdict;
};

void clinfer_comparison_free(clinfer_comparison *c)
{
    if (!c) return;
    cf_free(c->layers);
    cf_free(c);
}

const char *clinfer_comparison_device(const clinfer_comparison *c, int which)
{
    return c && (which == 0 || which == 1) ? c->device[which] : "";
}

clinfer_status clinfer_comparison_layer(const clinfer_comparison *c, int i, clinfer_compare_layer *out)
{
    if (!c || !out || i < 0 || i >= c->n) return CLINFER_E_ARG;
    *out = c->layers[i];
    return CLINFER_OK;
}

int clinfer_comparison_first_failure(const clinfer_comparison *c) { return c ? c->first_failure : -1; }
int clinfer_comparison_first_nonfinite(const clinfer_comparison *c, int which)
{
    return c && (which == 0 || which == 1) ? c->first_nonfinite[which] : -1;
}
clinfer_verdict clinfer_comparison_verdict(const clinfer_comparison *c) { return c ? c->verdict : CLINFER_VERDICT_PASS; }

/* The verdict: whether the model's outputs recover from the first failing layer (rounding that one layer amplified,
 * an outlier) or stay off with it (a wrong kernel), or a value went non-finite on one side. */
static clinfer_verdict verdict(const clinfer_comparison *c, const struct cf_graph *g)
{
    if (c->first_failure < 0) return CLINFER_VERDICT_PASS;
    for (int i = 0; i < c->n; i++)
        if (c->layers[i].nonfinite_mismatch) return CLINFER_VERDICT_NONFINITE;
    for (int k = 0; k < g->n_outputs; k++)
        if (!c->layers[g->outputs[k]].pass) return CLINFER_VERDICT_STAYS_OFF;
    return CLINFER_VERDICT_RECOVERS;
}

clinfer_status clinfer_compare(clinfer_context *ctx, const clinfer_model *model, const clinfer_compare_options *opts,
                               const float *const *inputs, clinfer_comparison **out)
{
    if (out) *out = NULL;
    if (cf_api_begin(ctx)) return CLINFER_E_ARG;
    struct cf_diag *d = cf_api_diag(ctx);
    if (!model || !opts || !inputs || !out) return cf_fail(d, CLINFER_E_ARG, "clinfer_compare: NULL argument");
    if (!(opts->max_outliers >= 0 && opts->max_outliers <= 1))
        return cf_fail(d, CLINFER_E_ARG, "clinfer_compare: max_outliers %g is not a fraction in [0, 1]", opts->max_outliers);
    const struct cf_graph *g = cf_api_graph(model);
    clinfer_comparison *c = cf_calloc(1, sizeof *c);
    if (!c) return cf_fail_oom(d);
    c->n = g->n_nodes;
    c->first_failure = c->first_nonfinite[0] = c->first_nonfinite[1] = -1;
    clinfer_session *s[2] = {0};
    float **layers[2] = {0};
    double *tol = NULL;
    clinfer_status st = CLINFER_OK;
    if (!(c->layers = cf_calloc((size_t)c->n + 1, sizeof *c->layers))) goto oom;
    const char *dev[2] = {opts->session.device ? opts->session.device : "opencl", opts->against ? opts->against : "ref"};
    for (int k = 0; k < 2; k++) {
        clinfer_session_options so = opts->session;
        so.device = dev[k];
        if ((st = clinfer_session_new(ctx, model, &so, &s[k]))) goto fail;
        snprintf(c->device[k], sizeof c->device[k], "%s", clinfer_session_device(s[k]));
        if (!(layers[k] = cf_calloc((size_t)c->n + 1, sizeof(float *)))) goto oom;
        for (int i = 0; i < c->n; i++)
            if (!(layers[k][i] = cf_malloc(sizeof(float) * (size_t)clinfer_session_layer_elems(s[k], i) + 1))) goto oom;
        if ((st = clinfer_session_run_layers(ctx, s[k], inputs, layers[k]))) {
            char msg[sizeof d->msg];
            snprintf(msg, sizeof msg, "%s", d->msg);
            cf_fail(d, st, "%s: %s", dev[k], msg);
            goto fail;
        }
    }
    if (!(tol = cf_malloc(sizeof(double) * (size_t)(c->n + 1)))) goto oom;
    cf_compare_default_tols(g, tol);
    for (int i = 0; i < c->n; i++) {
        struct cf_cmp_tol t = {opts->rtol < 0 ? tol[i] : opts->rtol, opts->atol < 0 ? tol[i] : opts->atol,
                               opts->max_outliers};
        struct cf_cmp_stats x;
        int64_t n = clinfer_session_layer_elems(s[0], i);
        /* an element-wise merge (a - b, a + b) carries its inputs' errors at their scale: when they cancel to a
         * smaller output, its absolute floor is its inputs' */
        const struct cf_node *nd = &g->nodes[i];
        if (opts->atol < 0 && cf_op_has(nd->op, CF_T_MERGE)) {
            double in_scale = 0, out_scale = 0;
            for (int k = 0; k < nd->n_in; k++)
                if (c->layers[nd->in[k]].scale > in_scale) in_scale = c->layers[nd->in[k]].scale;
            for (int64_t j = 0; j < n; j++)
                if (isfinite(layers[1][i][j]) && fabs(layers[1][i][j]) > out_scale) out_scale = fabs(layers[1][i][j]);
            if (out_scale > 0 && in_scale > out_scale) t.atol *= in_scale / out_scale;
        }
        cf_compare_values(layers[0][i], layers[1][i], n, &t, &x);
        c->layers[i] = (clinfer_compare_layer){t.rtol,     t.atol,      x.n,       x.bad,     x.one_sided,
                                               {x.nonfinite_a, x.nonfinite_b}, x.first_bad, x.max_abs, x.max_rel,
                                               x.nmse,     x.scale,     x.worst,   x.pass};
        if (!x.pass && c->first_failure < 0) c->first_failure = i;
        if (x.nonfinite_a && c->first_nonfinite[0] < 0) c->first_nonfinite[0] = i;
        if (x.nonfinite_b && c->first_nonfinite[1] < 0) c->first_nonfinite[1] = i;
    }
    c->verdict = verdict(c, g);
    goto done;
oom:
    st = cf_fail_oom(d);
fail:
    clinfer_comparison_free(c);
    c = NULL;
done:
    for (int k = 0; k < 2; k++) {
        for (int i = 0; layers[k] && i < g->n_nodes; i++) cf_free(layers[k][i]);
        cf_free(layers[k]);
        clinfer_session_free(s[k]);
    }
    cf_free(tol);
    *out = c;
    return st;
}
