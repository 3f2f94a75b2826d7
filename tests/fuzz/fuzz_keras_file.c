/* libFuzzer target: the Keras model-file front-end. The first byte picks what is read:
 *   0  a model config (JSON, as a .keras file's config.json or an .h5 file's model_config holds it): config.c
 *   1  a .keras archive's container: the zip directory and each entry inflated (zip.c)
 *   2  a whole .keras or .h5 file, HDF5 included; a model that loads is summarised in each Keras' style.
 * HDF5 itself is libhdf5's to parse, and libhdf5 1.10.8 can spin forever on a corrupted global heap (a mutated
 * vlen string attribute): with CLINFER_FUZZ_NO_HDF5 set (scripts/fuzz's fixed-seed CI run) mode 2 is skipped, so
 * that the run measures clinfer's readers; `scripts/fuzz SECONDS` explores it as well. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "api.h"
#include "frontend/frontend.h"
#include "frontend/keras_file/keras_file.h"
#include "io/zip.h"
#include "report/report.h"
#include "util/alloc.h"

static void summarise(struct cf_graph *g)
{
    struct cf_report_opts o = {.explain = 1};
    char *t = cf_report_keras(g, &o);
    cf_free(t);
    t = cf_report_tf2(g, &o);
    cf_free(t);
    t = cf_report_keras3(g, &o);
    cf_free(t);
    cf_graph_free(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    struct cf_diag d = {0};
    struct cf_graph *g = NULL;
    if (data[0] == 0) {
        if (cf_keras_config_graph("fuzz.json", (const char *)data + 1, size - 1, CLINFER_STYLE_KERAS3, &g, &d) ==
            CLINFER_OK)
            summarise(g);
    } else if (data[0] == 1) {
        struct cf_zip z;
        if (cf_zip_open("fuzz.keras", data + 1, size - 1, &z, &d) == CLINFER_OK) {
            for (int i = 0; i < z.n; i++) {
                const unsigned char *b;
                int owned;
                if (cf_zip_extract("fuzz.keras", &z.e[i], &b, &owned, &d) == CLINFER_OK && owned) cf_free((void *)b);
            }
            cf_zip_close(&z);
        }
    } else if (!getenv("CLINFER_FUZZ_NO_HDF5")) {
        if (cf_keras_file_parse("fuzz.keras", data + 1, size - 1, CLINFER_STYLE_AUTO, &g, &d) == CLINFER_OK)
            summarise(g);
    }
    return 0;
}
