/* clinfer compare MODEL [-i IN.npy] [--device DEV] [--against DEV] [--rtol R] [--atol A] [--batch N]
 *                       [--weights W.npz] [--seed S] [--init keras|random]
 * Runs the model on two devices (default: the OpenCL device against ref) and prints, per layer, the largest
 * absolute and relative error; exits 1 when any output is past tolerance (|a - b| > atol + rtol·|b|). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_compare(int argc, char **argv)
{
    struct cli_run_opts o = {0};
    o.rtol = 1e-4;
    o.atol = 1e-5;
    int rc = cli_parse_run_opts("compare", argc, argv,
                                "-i --device --against --rtol --atol --batch --weights --seed --init --tune --algo --max-memory",
                                &o);
    if (rc) return rc;
    const char *dev[2] = {o.device ? o.device : "opencl", o.against ? o.against : "ref"};
    clinfer_context *ctx = NULL;
    clinfer_model *m = NULL;
    clinfer_session *s[2] = {0};
    float *in[8] = {0}, **layers[2] = {0};
    if (clinfer_context_new(&ctx)) return cli_error("out of memory"), 1;
    rc = 1;
    int n = 0;
    if (clinfer_model_load(ctx, o.model, &m)) {
        cli_error("%s", clinfer_context_errmsg(ctx));
        goto done;
    }
    if (cli_load_inputs(ctx, m, &o, in)) goto done;
    n = clinfer_model_layer_count(m);
    for (int k = 0; k < 2; k++) {
        clinfer_session_options so = {dev[k], o.batch, o.seed, o.init, o.weights, o.tune, o.algo, o.max_memory};
        if (clinfer_session_new(ctx, m, &so, &s[k])) {
            cli_error("%s", clinfer_context_errmsg(ctx));
            goto done;
        }
        if (!(layers[k] = calloc((size_t)n, sizeof(float *)))) goto oom;
        for (int i = 0; i < n; i++)
            if (!(layers[k][i] = malloc(sizeof(float) * (size_t)clinfer_session_layer_elems(s[k], i)))) goto oom;
        if (clinfer_session_run_layers(ctx, s[k], (const float *const *)in, layers[k])) {
            cli_error("%s: %s", dev[k], clinfer_context_errmsg(ctx));
            goto done;
        }
    }
    printf("compare: %s\n against %s\n batch %lld, rtol %g, atol %g (an element fails when |a - b| > atol + "
           "rtol*|b|)\n\n",
           clinfer_session_device(s[0]), clinfer_session_device(s[1]), (long long)o.batch, o.rtol, o.atol);
    printf("%-32s %-22s %12s %12s\n", "layer", "type", "max abs err", "max rel err");
    int first_bad = -1;
    for (int i = 0; i < n; i++) {
        int64_t cnt = clinfer_session_layer_elems(s[0], i), bad = 0;
        double max_abs = 0, max_rel = 0;
        for (int64_t j = 0; j < cnt; j++) {
            double a = layers[0][i][j], b = layers[1][i][j], e = fabs(a - b);
            if (!(e <= o.atol + o.rtol * fabs(b))) bad++; /* NaN fails too */
            if (e > max_abs || e != e) max_abs = e;
            double r = e / fmax(fabs(b), o.atol > 0 ? o.atol : 1e-30);
            if (r > max_rel || r != r) max_rel = r;
        }
        if (bad && first_bad < 0) first_bad = i;
        printf("%-32s %-22s %12.3g %12.3g  %s", clinfer_model_layer_name(m, i), clinfer_model_layer_type(m, i), max_abs,
               max_rel, bad ? "PAST TOLERANCE" : "ok");
        if (bad) printf(" (%lld of %lld elements)", (long long)bad, (long long)cnt);
        printf("\n");
    }
    if (first_bad >= 0) {
        printf("\nfirst layer past tolerance: %s (%s)\n", clinfer_model_layer_name(m, first_bad),
               clinfer_model_layer_type(m, first_bad));
    } else {
        printf("\nall %d layers within tolerance\n", n);
        rc = 0;
    }
    goto done;
oom:
    cli_error("out of memory");
done:
    for (int k = 0; k < 2; k++) {
        for (int i = 0; layers[k] && i < n; i++) free(layers[k][i]);
        free(layers[k]);
        clinfer_session_free(s[k]);
    }
    for (int k = 0; k < 8; k++) free(in[k]);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
    return rc;
}
