/* libFuzzer target: the .npy and .npz readers (the first byte picks which). */
#include <stddef.h>
#include <stdint.h>

#include "io/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    struct cf_diag d = {0};
    if (data[0] & 1) {
        struct cf_array a;
        if (cf_npy_parse("fuzz.npy", data + 1, size - 1, &a, &d) == CLINFER_OK) cf_array_free(&a);
    } else {
        struct cf_npz z;
        if (cf_npz_parse("fuzz.npz", data + 1, size - 1, &z, &d) == CLINFER_OK) cf_npz_free(&z);
    }
    return 0;
}
