/* clinfer compare MODEL [-i IN.npy] [--device DEV] [--against DEV] [--rtol R] [--atol A] [--max-outliers F]
 *                       [--format text|json] [--junit FILE.xml] [--batch N] [--weights W] [--seed S] [--init I]
 * Runs the model on two devices (default: the OpenCL device against ref) and compares every layer
 * (clinfer_compare). Exit codes: 0 within tolerance, 1 past tolerance, 2 a usage error, 3 could not run (a file,
 * the model, a device). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/alloc.h"
#include "../util/strbuf.h"
#include "cli.h"

enum { EXIT_PAST_TOLERANCE = 1, EXIT_COULD_NOT_RUN = 3 };

static const char *const verdict_words[] = {"pass", "recovers", "stays_off", "nonfinite"};

/* a JSON number, or null for NaN and Inf (JSON has neither) */
static void json_num(struct cf_strbuf *sb, double v)
{
    if (isfinite(v)) cf_sb_printf(sb, "%.6g", v);
    else cf_sb_puts(sb, "null");
}

static void json_name(struct cf_strbuf *sb, const clinfer_model *m, int i)
{
    if (i < 0) cf_sb_puts(sb, "null");
    else cf_sb_json_str(sb, clinfer_model_layer_name(m, i));
}

static char *report_json(const clinfer_model *m, const clinfer_comparison *c, const struct cli_run_opts *o)
{
    struct cf_strbuf sb = {0};
    cf_sb_puts(&sb, "{\n  \"model\": ");
    cf_sb_json_str(&sb, o->model);
    cf_sb_puts(&sb, ",\n  \"device\": ");
    cf_sb_json_str(&sb, clinfer_comparison_device(c, 0));
    cf_sb_puts(&sb, ",\n  \"against\": ");
    cf_sb_json_str(&sb, clinfer_comparison_device(c, 1));
    cf_sb_printf(&sb, ",\n  \"batch\": %lld,\n  \"rule\": \"|a - b| <= atol * max|b| + rtol * |b|\",\n  \"max_outliers\": ",
                 (long long)o->batch);
    json_num(&sb, o->max_outliers);
    cf_sb_puts(&sb, ",\n  \"layers\": [");
    int n = clinfer_model_layer_count(m);
    for (int i = 0; i < n; i++) {
        clinfer_compare_layer L;
        clinfer_comparison_layer(c, i, &L);
        cf_sb_puts(&sb, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
        cf_sb_json_str(&sb, clinfer_model_layer_name(m, i));
        cf_sb_puts(&sb, ", \"type\": ");
        cf_sb_json_str(&sb, clinfer_model_layer_type(m, i));
        cf_sb_puts(&sb, ", \"rtol\": ");
        json_num(&sb, L.rtol);
        cf_sb_puts(&sb, ", \"atol\": ");
        json_num(&sb, L.atol);
        cf_sb_printf(&sb, ", \"elements\": %lld, \"past_tolerance\": %lld, \"nonfinite_mismatch\": %lld, "
                          "\"nonfinite\": [%lld, %lld], \"first_bad\": %lld, \"max_abs\": ",
                     (long long)L.elements, (long long)L.past_tolerance, (long long)L.nonfinite_mismatch,
                     (long long)L.nonfinite[0], (long long)L.nonfinite[1], (long long)L.first_bad);
        json_num(&sb, L.max_abs);
        cf_sb_puts(&sb, ", \"max_rel\": ");
        json_num(&sb, L.max_rel);
        cf_sb_puts(&sb, ", \"nmse\": ");
        json_num(&sb, L.nmse);
        cf_sb_puts(&sb, ", \"scale\": ");
        json_num(&sb, L.scale);
        cf_sb_puts(&sb, ", \"worst\": ");
        json_num(&sb, L.worst);
        cf_sb_printf(&sb, ", \"pass\": %s}", L.pass ? "true" : "false");
    }
    cf_sb_puts(&sb, "\n  ],\n  \"first_failure\": ");
    json_name(&sb, m, clinfer_comparison_first_failure(c));
    cf_sb_puts(&sb, ",\n  \"first_nonfinite\": {\"device\": ");
    json_name(&sb, m, clinfer_comparison_first_nonfinite(c, 0));
    cf_sb_puts(&sb, ", \"against\": ");
    json_name(&sb, m, clinfer_comparison_first_nonfinite(c, 1));
    cf_sb_printf(&sb, "},\n  \"verdict\": \"%s\"\n}\n", verdict_words[clinfer_comparison_verdict(c)]);
    return cf_sb_take(&sb);
}

/* XML text: the five entities escaped, control characters dropped, invalid UTF-8 as in JSON (U+FFFD) */
static void xml_text(struct cf_strbuf *sb, const char *s)
{
    struct cf_strbuf j = {0};
    cf_sb_json_str(&j, s); /* valid UTF-8, with JSON's escapes to undo */
    char *t = cf_sb_take(&j);
    if (!t) {
        sb->oom = 1;
        return;
    }
    for (const char *p = t + 1; *p && p[1]; p++) {
        char ch = *p;
        if (ch == '\\') {
            ch = *++p;
            if (ch == 'u') { /* \u00xx control characters, or \ufffd */
                if (strncmp(p + 1, "fffd", 4) == 0) cf_sb_puts(sb, "\xef\xbf\xbd");
                p += 4;
                continue;
            }
            if (ch == 'n' || ch == 't' || ch == 'r') ch = ' ';
        }
        switch (ch) {
        case '<': cf_sb_puts(sb, "&lt;"); break;
        case '>': cf_sb_puts(sb, "&gt;"); break;
        case '&': cf_sb_puts(sb, "&amp;"); break;
        case '"': cf_sb_puts(sb, "&quot;"); break;
        case '\'': cf_sb_puts(sb, "&apos;"); break;
        default: cf_sb_putn(sb, &ch, 1);
        }
    }
    cf_free(t);
}

static char *report_junit(const clinfer_model *m, const clinfer_comparison *c, const struct cli_run_opts *o)
{
    struct cf_strbuf sb = {0};
    int n = clinfer_model_layer_count(m), failures = 0;
    for (int i = 0; i < n; i++) {
        clinfer_compare_layer L;
        clinfer_comparison_layer(c, i, &L);
        failures += !L.pass;
    }
    cf_sb_puts(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"clinfer compare ");
    xml_text(&sb, o->model);
    cf_sb_printf(&sb, "\" tests=\"%d\" failures=\"%d\" errors=\"0\">\n    <properties>\n", n, failures);
    cf_sb_puts(&sb, "      <property name=\"device\" value=\"");
    xml_text(&sb, clinfer_comparison_device(c, 0));
    cf_sb_puts(&sb, "\"/>\n      <property name=\"against\" value=\"");
    xml_text(&sb, clinfer_comparison_device(c, 1));
    cf_sb_printf(&sb, "\"/>\n      <property name=\"verdict\" value=\"%s\"/>\n    </properties>\n",
                 verdict_words[clinfer_comparison_verdict(c)]);
    for (int i = 0; i < n; i++) {
        clinfer_compare_layer L;
        clinfer_comparison_layer(c, i, &L);
        cf_sb_puts(&sb, "    <testcase classname=\"");
        xml_text(&sb, o->model);
        cf_sb_puts(&sb, "\" name=\"");
        xml_text(&sb, clinfer_model_layer_name(m, i));
        cf_sb_puts(&sb, " (");
        xml_text(&sb, clinfer_model_layer_type(m, i));
        cf_sb_puts(&sb, ")\"");
        if (L.pass) {
            cf_sb_puts(&sb, "/>\n");
            continue;
        }
        cf_sb_printf(&sb, ">\n      <failure message=\"%lld of %lld elements past tolerance, %lld non-finite on one side "
                          "only\">max abs err %.3g, max rel err %.3g, NMSE %.3g (rtol %g, atol %g of max|b| %.3g)</failure>\n"
                          "    </testcase>\n",
                     (long long)L.past_tolerance, (long long)L.elements, (long long)L.nonfinite_mismatch, L.max_abs,
                     L.max_rel, L.nmse, L.rtol, L.atol, L.scale);
    }
    cf_sb_puts(&sb, "  </testsuite>\n</testsuites>\n");
    return cf_sb_take(&sb);
}

static void report_text(const clinfer_model *m, const clinfer_comparison *c, const struct cli_run_opts *o)
{
    int n = clinfer_model_layer_count(m), wn = 5, wt = 4;
    for (int i = 0; i < n; i++) {
        int a = (int)strlen(clinfer_model_layer_name(m, i)), b = (int)strlen(clinfer_model_layer_type(m, i));
        if (a > wn) wn = a;
        if (b > wt) wt = b;
    }
    if (wn > 60) wn = 60;
    printf("compare: %s\n against %s\n batch %lld; an element fails when |a - b| > atol*max|b| + rtol*|b|", 
           clinfer_comparison_device(c, 0), clinfer_comparison_device(c, 1), (long long)o->batch);
    if (o->rtol >= 0 && o->atol >= 0) printf(" (rtol %g, atol %g)", o->rtol, o->atol);
    else printf(" (each op's default tolerance)");
    if (o->max_outliers > 0) printf("; a layer may have %g of its elements past it", o->max_outliers);
    printf("\n\n%-*s  %-*s  %11s  %11s  %11s  %9s  %9s\n", wn, "layer", wt, "type", "max abs err", "max rel err",
           "NMSE", "of tol", "past tol");
    for (int i = 0; i < n; i++) {
        clinfer_compare_layer L;
        clinfer_comparison_layer(c, i, &L);
        printf("%-*s  %-*s  %11.3g  %11.3g  %11.3g  %9.3g  %9.3g  ", wn, clinfer_model_layer_name(m, i), wt,
               clinfer_model_layer_type(m, i), L.max_abs, L.max_rel, L.nmse, L.worst,
               L.elements ? (double)L.past_tolerance / (double)L.elements : 0.0);
        if (L.nonfinite_mismatch)
            printf("NON-FINITE ON ONE SIDE (%lld elements; NaN/Inf: %lld here, %lld on the reference)\n",
                   (long long)L.nonfinite_mismatch, (long long)L.nonfinite[0], (long long)L.nonfinite[1]);
        else if (!L.pass)
            printf("PAST TOLERANCE (%lld of %lld elements)\n", (long long)L.past_tolerance, (long long)L.elements);
        else if (L.nonfinite[0])
            printf("ok (%lld NaN/Inf, the same on both)\n", (long long)L.nonfinite[0]);
        else
            printf("ok\n");
    }
    int nf0 = clinfer_comparison_first_nonfinite(c, 0), nf1 = clinfer_comparison_first_nonfinite(c, 1);
    if (nf0 >= 0 || nf1 >= 0) {
        if (nf0 == nf1)
            printf("\nnon-finite values first appear in layer '%s' on both devices\n", clinfer_model_layer_name(m, nf0));
        else
            printf("\nnon-finite values first appear in layer '%s' on %s and in layer '%s' on %s\n",
                   nf0 >= 0 ? clinfer_model_layer_name(m, nf0) : "(none)", "the device",
                   nf1 >= 0 ? clinfer_model_layer_name(m, nf1) : "(none)", "the reference");
    }
    int first = clinfer_comparison_first_failure(c);
    switch (clinfer_comparison_verdict(c)) {
    case CLINFER_VERDICT_PASS: printf("\nall %d layers within tolerance\n", n); break;
    case CLINFER_VERDICT_RECOVERS:
        printf("\nfirst layer past tolerance: %s (%s); the outputs are within tolerance, so later layers recover: "
               "rounding that this layer amplified, not a wrong kernel\n",
               clinfer_model_layer_name(m, first), clinfer_model_layer_type(m, first));
        break;
    case CLINFER_VERDICT_STAYS_OFF:
        printf("\nfirst layer past tolerance: %s (%s); the outputs stay past tolerance from there: a wrong result at "
               "this layer (its kernel, or what it was given)\n",
               clinfer_model_layer_name(m, first), clinfer_model_layer_type(m, first));
        break;
    case CLINFER_VERDICT_NONFINITE:
        printf("\nfirst layer past tolerance: %s (%s); a NaN or Inf on one side only\n", clinfer_model_layer_name(m, first),
               clinfer_model_layer_type(m, first));
        break;
    }
}

static int compare(int argc, char **argv);

const struct cli_command cli_cmd_compare = {
    "compare", compare, 1, "MODEL [-i IN.npy] [--device DEV] [--against DEV] [options]",
    "run on two devices, compare every layer, exit 1 past tolerance (the CPU-vs-GPU check for CI)",
    "-i -q --device --against --rtol --atol --max-outliers --format --junit --batch --weights --seed --init --tune "
    "--algo --max-memory --style",
    "Runs the model on the device (default opencl) and on the reference (default ref) with the same inputs, and\n"
    "compares every layer's output. An element a (the device) against b (the reference) fails when\n"
    "    |a - b| > atol * max|b| + rtol * |b|\n"
    "with max|b| the largest |b| of the layer: the absolute part follows the layer's own scale. By default each\n"
    "layer's rtol = atol is the rounding its op adds (none for data movement, a few float32 roundings for\n"
    "arithmetic, more for exp and tanh, 8·sqrt(K)·2^-24 for a sum of K terms) on top of its inputs' (in\n"
    "quadrature); --rtol and --atol set them for every layer (docs/compare.md). \"of tol\" is the share of its\n"
    "tolerance a layer's worst element takes. A NaN passes only\n"
    "against a NaN and an Inf only against the same Inf; a NaN or Inf on one side only always fails. A layer\n"
    "passes when at most --max-outliers of its elements fail by size. The verdict names the first layer past\n"
    "tolerance, and whether the outputs recover after it (rounding) or stay off (a wrong kernel).\n\n"
    "options:\n"
    "  -i, --input IN.npy    the inputs (default: seeded uniform [0, 1) values)\n"
    "  --device DEV          the device under test (default opencl)\n"
    "  --against DEV         the reference (default ref)\n"
    "  --rtol R, --atol A    the tolerance of every layer (default: each op's)\n"
    "  --max-outliers F      the fraction of a layer's elements allowed past tolerance (default 0)\n"
    "  --format text|json    a table, or one JSON document (devices, tolerances, per-layer errors, verdict)\n"
    "  --junit FILE.xml      also write a JUnit report: one test case per layer\n"
    "  --batch N, --weights FILE, --seed S, --init keras|random, --tune, --algo, --max-memory, --style: as for run\n"
    "exit codes: 0 within tolerance, 1 past tolerance, 2 usage error, 3 could not run (file, model, device)\n"};

static int compare(int argc, char **argv)
{
    struct cli_run_opts o = {0};
    o.rtol = o.atol = -1; /* each op's default */
    int rc = cli_parse(&cli_cmd_compare, argc, argv, &o);
    if (rc) return rc;
    clinfer_context *ctx = NULL;
    clinfer_model *m = NULL;
    clinfer_comparison *c = NULL;
    struct cli_inputs in = {0};
    struct cli_outputs junit;
    const char *reads[CLI_MAX_IO + 2] = {o.model, o.weights};
    for (int k = 0; k < o.n_inputs; k++) reads[2 + k] = o.inputs[k];
    if (o.junit && (rc = cli_outputs_open(&junit, &o.junit, 1, reads, 2 + o.n_inputs))) return rc == 2 ? 2 : EXIT_COULD_NOT_RUN;
    if (clinfer_context_new(&ctx)) return cli_error("out of memory"), EXIT_COULD_NOT_RUN;
    cli_progress_start(ctx, o.quiet);
    rc = EXIT_COULD_NOT_RUN;
    if (clinfer_model_load_styled(ctx, o.model, o.style, &m)) {
        cli_error("%s", clinfer_context_errmsg(ctx));
        goto done;
    }
    if (cli_load_inputs(ctx, m, &o, &in)) goto done;
    clinfer_compare_options co = {
        .session = {.device = o.device ? o.device : "opencl", .batch = o.batch, .seed = o.seed, .init = o.init,
                    .weights = o.weights, .tune = o.tune, .algo = o.algo, .max_memory = o.max_memory},
        .against = o.against ? o.against : "ref",
        .rtol = o.rtol,
        .atol = o.atol,
        .max_outliers = o.max_outliers};
    if (clinfer_compare(ctx, m, &co, in.data, &c)) {
        cli_error("%s", clinfer_context_errmsg(ctx));
        goto done;
    }
    cli_warnings(ctx, o.quiet);
    if (o.json) {
        char *text = report_json(m, c, &o);
        if (!text) {
            cli_error("out of memory");
            goto done;
        }
        fputs(text, stdout);
        cf_free(text);
    } else {
        report_text(m, c, &o);
    }
    if (o.junit) {
        char *xml = report_junit(m, c, &o);
        if (!xml) {
            cli_error("out of memory");
            goto done;
        }
        int bad = cli_outputs_write_text(&junit, 0, xml) || cli_outputs_commit(&junit);
        cf_free(xml);
        if (bad) goto done;
    }
    if (cli_flush_stdout()) goto done;
    rc = clinfer_comparison_verdict(c) == CLINFER_VERDICT_PASS ? 0 : EXIT_PAST_TOLERANCE;
done:
    if (o.junit) cli_outputs_abort(&junit);
    clinfer_comparison_free(c);
    cli_inputs_free(&in);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
    cli_progress_end();
    return rc;
}
