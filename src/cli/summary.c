/* clinfer summary MODEL [--explain] [--format keras|json] [--batch N] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clinfer.h"
#include "cli.h"

int cli_summary(int argc, char **argv)
{
    const char *path = NULL;
    clinfer_summary_options o = {CLINFER_FORMAT_KERAS, 0, 0};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--explain") == 0) {
            o.explain = 1;
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
        cli_error("usage: clinfer summary MODEL [--explain] [--format keras|json] [--batch N]");
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
    }
    clinfer_free(text);
    clinfer_model_free(m);
    clinfer_context_free(ctx);
    return rc;
}
