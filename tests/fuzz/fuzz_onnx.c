/* libFuzzer target: the ONNX loader, the whole path (protobuf, graph building, folding, shape inference) and the
 * summaries. */
#include <stddef.h>
#include <stdint.h>

#include "clinfer.h"
#include "frontend/frontend.h"
#include "passes/passes.h"
#include "report/report.h"
#include "util/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cf_graph *g = NULL;
    struct cf_diag d = {0};
    if (cf_onnx_load("fuzz.onnx", data, size, &g, &d) == CLINFER_OK) {
        struct cf_report_opts o = {.explain = 1};
        char *text = cf_report_keras(g, &o);
        cf_free(text);
        text = cf_report_tf2(g, &o);
        cf_free(text);
        text = cf_report_keras3(g, &o);
        cf_free(text);
        text = cf_report_json(g, 1, 0, NULL);
        cf_free(text);
        cf_graph_free(g);
    }
    return 0;
}
