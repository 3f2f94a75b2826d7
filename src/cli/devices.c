/* clinfer devices: every OpenCL platform and device. */
#include <stdio.h>

#include "cli.h"

int cli_devices(int argc, char **argv)
{
    (void)argv;
    if (argc > 0) {
        cli_error("devices takes no arguments");
        return 2;
    }
    clinfer_context *ctx;
    if (clinfer_context_new(&ctx)) return cli_error("out of memory"), 1;
    char *text = NULL;
    int rc = 0;
    if (clinfer_devices(ctx, &text)) {
        cli_error("%s", clinfer_context_errmsg(ctx));
        rc = 1;
    } else {
        printf("ref  the C reference backend (plain loops, the oracle)\n%s", text);
    }
    clinfer_free(text);
    clinfer_context_free(ctx);
    return rc;
}
