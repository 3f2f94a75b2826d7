/* clinfer devices: every OpenCL platform and device. */
#include <stdio.h>

#include "cli.h"

static int devices(int argc, char **argv);

const struct cli_command cli_cmd_devices = {
    "devices", devices, 0, "[--format text|json]", "list the OpenCL platforms and devices", "--format -q",
    "Lists ref and every OpenCL device (index, name, vendor, type, compute units, memory, versions), as --device\n"
    "names them: opencl:N, or opencl:<part of a name>.\n\n"
    "options:\n"
    "  --format text|json    text, or one JSON document\n"};

static int devices(int argc, char **argv)
{
    struct cli_run_opts o = {0};
    int rc = cli_parse(&cli_cmd_devices, argc, argv, &o);
    if (rc) return rc;
    if (o.model) {
        cli_error("devices takes no arguments, got '%s'", o.model);
        return 2;
    }
    clinfer_context *ctx;
    if (clinfer_context_new(&ctx)) return cli_error("out of memory"), 1;
    char *text = NULL;
    if ((o.json ? clinfer_devices_json(ctx, &text) : clinfer_devices(ctx, &text))) {
        cli_error("%s", clinfer_context_errmsg(ctx));
        rc = 1;
    } else {
        cli_warnings(ctx, o.quiet);
        if (o.json) fputs(text, stdout);
        else printf("ref  the C reference backend (plain loops, the oracle)\n%s", text);
    }
    clinfer_free(text);
    clinfer_context_free(ctx);
    return rc;
}
