/* NumPy .npy and .npz files: float32, C order, as clinfer reads and writes them. */
#ifndef CF_NPY_H
#define CF_NPY_H

#include <stddef.h>
#include <stdint.h>

#include "../util/diag.h"

#define CF_NPY_MAX_RANK 8

struct cf_array {
    int rank;
    int64_t dims[CF_NPY_MAX_RANK];
    float *data; /* owned; freed by cf_array_free */
};

void cf_array_free(struct cf_array *a);
int64_t cf_array_elems(const struct cf_array *a);

/* Parses a .npy image; `name` is used in messages. Only '<f4' C-order arrays are accepted. */
clinfer_status cf_npy_parse(const char *name, const unsigned char *buf, size_t len, struct cf_array *out,
                            struct cf_diag *d);
clinfer_status cf_npy_read(const char *path, struct cf_array *out, struct cf_diag *d);
clinfer_status cf_npy_write(const char *path, const struct cf_array *a, struct cf_diag *d);

/* The arrays of an .npz archive (np.savez or np.savez_compressed), by their names without ".npy". */
struct cf_npz {
    int n;
    char **names;
    struct cf_array *arrays;
};
clinfer_status cf_npz_read(const char *path, struct cf_npz *out, struct cf_diag *d);
/* Parses an .npz image held in memory. */
clinfer_status cf_npz_parse(const char *name, const unsigned char *buf, size_t len, struct cf_npz *out,
                            struct cf_diag *d);
void cf_npz_free(struct cf_npz *z);

/* Reads a whole file (at most max bytes). */
clinfer_status cf_read_file(const char *path, size_t max, unsigned char **buf, size_t *len, struct cf_diag *d);

#endif
