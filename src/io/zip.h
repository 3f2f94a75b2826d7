/* Zip archives (.npz, .keras): the central directory read here, stored and deflated entries (zlib's inflate). */
#ifndef CF_ZIP_H
#define CF_ZIP_H

#include <stddef.h>
#include <stdint.h>

#include "../util/diag.h"

struct cf_zip_entry {
    char name[512];
    const unsigned char *data; /* inside the archive's buffer */
    uint32_t method;           /* 0 stored, 8 deflated */
    uint64_t csize, usize;
};

struct cf_zip {
    int n;
    struct cf_zip_entry *e;
};

/* Reads the directory of an archive held in memory (`name` in messages); entries point into buf. Sizes are
 * checked against the buffer, hostile compression ratios and entries over 16 GiB refused. */
clinfer_status cf_zip_open(const char *name, const unsigned char *buf, size_t len, struct cf_zip *out,
                           struct cf_diag *d);
void cf_zip_close(struct cf_zip *z);
/* The entry called `entry`, or NULL. */
const struct cf_zip_entry *cf_zip_find(const struct cf_zip *z, const char *entry);
/* An entry's bytes: *out is entry's data when stored (*owned 0) or a buffer to cf_free (*owned 1). */
clinfer_status cf_zip_extract(const char *name, const struct cf_zip_entry *e, const unsigned char **out,
                              int *owned, struct cf_diag *d);

#endif
