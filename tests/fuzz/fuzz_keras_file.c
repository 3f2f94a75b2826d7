/* libFuzzer target: the Keras model-file front-end. The first byte picks the reader: 0 a model config (JSON, as a
 * .keras file's config.json or an .h5 file's model_config holds it), else a whole .keras (zip) or .h5 (HDF5) file;
 * a model that loads is summarised in each Keras' style. (HDF5 itself is libhdf5's to parse.) */
#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "frontend/frontend.h"
#include "frontend/keras_file/keras_file.h"
#include "report/report.h"
#include "util/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    struct cf_diag d = {0};
    struct cf_graph *g = NULL;
    clinfer_status st = data[0] == 0 ? cf_keras_config_graph("fuzz.json", (const char *)data + 1, size - 1,
                                                             CLINFER_STYLE_KERAS3, &g, &d)
                                     : cf_keras_file_parse("fuzz.keras", data + 1, size - 1, CLINFER_STYLE_AUTO, &g, &d);
    if (st == CLINFER_OK) {
        struct cf_report_opts o = {.explain = 1};
        char *t = cf_report_keras(g, &o);
        cf_free(t);
        t = cf_report_tf2(g, &o);
        cf_free(t);
        t = cf_report_keras3(g, &o);
        cf_free(t);
        cf_graph_free(g);
    }
    return 0;
}
