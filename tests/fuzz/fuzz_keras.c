/* libFuzzer target: the Keras-script front-end (lexer, parser, evaluator, shape inference) and the summaries. */
#include <stddef.h>
#include <stdint.h>

#include "clinfer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    clinfer_context *ctx;
    if (clinfer_context_new(&ctx)) return 0;
    clinfer_model *m = NULL;
    if (clinfer_model_load_keras(ctx, "fuzz.py", (const char *)data, size, &m) == CLINFER_OK) {
        for (int f = 0; f < 2; f++) {
            clinfer_summary_options o = {(clinfer_format)f, 1, f ? 3 : 0};
            char *text = NULL;
            if (clinfer_model_summary(ctx, m, &o, &text) == CLINFER_OK) clinfer_free(text);
        }
    }
    clinfer_model_free(m);
    clinfer_context_free(ctx);
    return 0;
}
