/* clinfer summary MODEL [--style keras2|tf2|keras3] [--line-length N] [--explain [--device DEV]] [--format text|json]
 * [--batch N]
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
    clinfer_session_options so = {.device = device, .batch = batch};
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

static int summary(int argc, char **argv);

const struct cli_command cli_cmd_summary = {
    "summary", summary, 1,
    "MODEL [--style keras2|tf2|keras3] [--line-length N] [--explain [--device DEV]] [--format text|json] [--batch N]",
    "print the layer table Keras prints, and with --explain the arithmetic behind it",
    "--style --line-length --explain --device --format --batch -q --show-trainable --expand-nested --layer-range --positions --memory",
    "The table is the one the model's Keras prints: a .keras or .h5 file's, the Keras that saved it; a script's,\n"
    "Keras 2.2's (65 columns; 98 with Connected to, for models with branches). --style picks another: tf2\n"
    "(tf.keras 2.x: 65 / 98 columns, long fields wrapped) or keras3 (Keras 3's box table, 88 / 108 columns); a\n"
    "script is then read as that Keras (its layer names: conv2d, conv2d_1 rather than conv2d_1, conv2d_2).\n"
    "--explain adds under every layer the arithmetic of its output shape, its parameter count and its MACs, and\n"
    "after the table the kernel each layer would run on the device.\n\n"
    "options:\n"
    "  --style S             keras2, tf2 or keras3: the summary of that Keras, and a script read as that Keras\n"
    "  --line-length N       Keras' line_length: the table N columns wide\n"
    "  --show-trainable      Keras' show_trainable: a Trainable column (styles tf2 and keras3)\n"
    "  --expand-nested       Keras' expand_nested: a nested model's layers under its row (styles tf2 and keras3)\n"
    "  --layer-range A B     Keras' layer_range: the rows from the first layer whose name matches A to the last\n"
    "                        that matches B (regular expressions from the name's start; also A,B)\n"
    "  --positions P,P,P[,P] Keras' positions: where each column ends (fractions of the line, or columns)\n"
    "  --memory              a line under the totals: the device memory of a batch (--batch N, else 1): the\n"
    "                        weights and the planned arena of activations\n"
    "  --explain             the arithmetic behind every shape and count, and each layer's kernel\n"
    "  --device DEV          the device whose kernels --explain names (default opencl)\n"
    "  --format text|json    the table (text; keras is a synonym), or the same facts as one JSON document\n"
    "  --batch N             bind the batch dimension: shapes print N instead of None, totals are for N\n"
    "  -q, --quiet           no warnings\n"};

static int summary(int argc, char **argv)
{
    struct cli_run_opts ro = {0};
    int rc = cli_parse(&cli_cmd_summary, argc, argv, &ro);
    if (rc) return rc;
    const char *path = ro.model, *device = ro.device ? ro.device : "opencl";
    clinfer_summary_options o = {.format = ro.json ? CLINFER_FORMAT_JSON : CLINFER_FORMAT_KERAS, .explain = ro.explain,
                                 .batch = ro.batch, .style = ro.style, .line_length = ro.line_length,
                                 .show_trainable = ro.show_trainable,
                                 .layer_range = {ro.layer_range[0], ro.layer_range[1]},
                                 .positions = ro.positions, .n_positions = ro.n_positions, .memory = ro.memory,
                                 .expand_nested = ro.expand_nested};
    clinfer_context *ctx;
    if (clinfer_context_new(&ctx)) {
        cli_error("out of memory");
        return 1;
    }
    clinfer_model *m = NULL;
    char *text = NULL;
    if (clinfer_model_load_styled(ctx, path, ro.style, &m) || clinfer_model_summary(ctx, m, &o, &text)) {
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
