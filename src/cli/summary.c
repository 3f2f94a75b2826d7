/* clinfer summary MODEL [--explain [--device DEV]] [--format keras|json] [--batch N]
 * --explain also names the kernel each layer would run on the device (the tuning database's choice, else the rule
 * of thumb, as `clinfer run` chooses), from a session made for that purpose. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinfer.h"
#include "cli.h"

/* the kernel of each layer on the device; a device that cannot be used is said, and is no error of summary's */
static void print_kernels(clinfer_context *ctx, const clinfer_model *m, const char *device, int64_t batch)
{
    clinfer_session_options so = {device, batch, 0, CLINFER_INIT_KERAS, NULL, CLINFER_TUNE_NONE, NULL, 0};
    clinfer_session *s = NULL;
    if (clinfer_session_new(ctx, m, &so, &s)) {
        printf("\nKernels: none chosen (%s)\n", clinfer_context_errmsg(ctx));
        return;
    }
    printf("\nKernels on %s, batch %lld (the tuning database's choice, else the rule of thumb; `clinfer profile` "
           "times them):\n",
           clinfer_session_device(s), (long long)batch);
    for (int i = 0; i < clinfer_model_layer_count(m); i++) {
        char algo[64];
        clinfer_session_layer_algo(s, i, algo, sizeof algo);
        printf("  %-32s %-20s %s\n", clinfer_model_layer_name(m, i), clinfer_model_layer_type(m, i), algo);
    }
    clinfer_session_free(s);
}

int cli_summary(int argc, char **argv)
{
    const char *path = NULL, *device = "opencl";
    clinfer_summary_options o = {CLINFER_FORMAT_KERAS, 0, 0};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--explain") == 0) {
            o.explain = 1;
        } else if (strcmp(a, "--device") == 0) {
            if (i + 1 >= argc) {
                cli_error("%s needs a value", a);
                return 2;
            }
            device = argv[++i];
        } else if (strcmp(a, "--format") == 0 || strcmp(a, "--batch") == 0) {
            if (i + 1 >= argc) {
                cli_error("%s needs a value", a);
                return 2;
            }
            const char *v = argv[++i];
            if (a[2] == 'f') {
                if (strcmp(v, "keras") == 0) o.format = CLINFER_FORMAT_KERAS;
                else if (strcmp(v, "json") == 0) o.format = CLINFER_FORMAT_JSON;
                else {
                    cli_error("--format takes keras or json, got '%s'", v);
                    return 2;
                }
            } else {
                char *end;
                long long b = strtoll(v, &end, 10);
                if (*end || b < 1 || b > (1LL << 31)) {
                    cli_error("--batch takes a positive integer, got '%s'", v);
                    return 2;
                }
                o.batch = b;
            }
        } else if (a[0] == '-' && a[1]) {
            cli_error("summary: unknown option '%s'", a);
            return 2;
        } else if (path) {
            cli_error("summary takes one model, got '%s' and '%s'", path, a);
            return 2;
        } else {
            path = a;
        }
    }
    if (!path) {
        cli_error("usage: clinfer summary MODEL [--explain [--device DEV]] [--format keras|json] [--batch N]");
        return 2;
    }
    clinfer_context *ctx;
    if (clinfer_context_new(&ctx)) {
        cli_error("out of memory");
        return 1;
    }
    clinfer_model *m = NULL;
    char *text = NULL;
    int rc = 0;
    if (clinfer_model_load(ctx, path, &m) || clinfer_model_summary(ctx, m, &o, &text)) {
        cli_error("%s", clinfer_context_errmsg(ctx));
        rc = 1;
    } else {
        fputs(text, stdout);
        if (o.explain && o.format == CLINFER_FORMAT_KERAS) print_kernels(ctx, m, device, o.batch ? o.batch : 1);
    }
    clinfer_free(text);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
    return rc;
}
