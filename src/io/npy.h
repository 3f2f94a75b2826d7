/* NumPy .npy and .npz files: float32, C order, as clinfer reads and writes them. */
#ifndef CF_NPY_H
#define CF_NPY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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
/* Reads a .npy file: its header first, checked against the file's size, then its data. */
clinfer_status cf_npy_read(const char *path, struct cf_array *out, struct cf_diag *d);
/* A .npy file mapped into memory (read-only; the pages are read when touched), or read into memory where it cannot
 * be mapped: its header checked as cf_npy_read checks it, then data points at its floats. */
struct cf_npy_map {
    int rank;
    int64_t dims[CF_NPY_MAX_RANK];
    const float *data;
    void *base; /* the mapping, or NULL */
    size_t len;
    float *owned; /* the copy, when not mapped */
};
clinfer_status cf_npy_map(const char *path, struct cf_npy_map *m, struct cf_diag *d);
void cf_npy_unmap(struct cf_npy_map *m);
/* Reads the pages of [from, from + bytes) of the mapping now; drops those read, so that what the process holds
 * stays bounded by the part in use (a part read again is read again from the file). No-ops for a copy. */
void cf_npy_map_prefetch(const struct cf_npy_map *m, const void *from, size_t bytes);
void cf_npy_map_drop(const struct cf_npy_map *m, const void *from, size_t bytes);
/* Writes a .npy file whole or not at all (a temporary beside it, flushed, renamed over it). */
clinfer_status cf_npy_write(const char *path, const struct cf_array *a, struct cf_diag *d);
/* The bytes before the data of a float32 C-order .npy of these dims (a multiple of 64); 0 when size is too small. */
size_t cf_npy_header(const int64_t *dims, int rank, char *out, size_t size);
/* Writes header and data to a stream; returns 0 on a write error (errno set). */
int cf_npy_write_stream(FILE *f, const struct cf_array *a);

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

#endif
