/* NumPy .npz: a zip archive of .npy files, stored (np.savez) or deflated (np.savez_compressed). The archive is
 * read by zip.c. */
#include <stdio.h>
#include <string.h>

#include <unistd.h>

#include "../util/alloc.h"
#include "../util/files.h"
#include "npy.h"
#include "zip.h"

void cf_npz_free(struct cf_npz *z)
{
    if (!z) return;
    for (int i = 0; i < z->n; i++) {
        cf_free(z->names[i]);
        cf_array_free(&z->arrays[i]);
    }
    cf_free(z->names);
    cf_free(z->arrays);
    memset(z, 0, sizeof *z);
}

clinfer_status cf_npz_parse(const char *name, const unsigned char *buf, size_t len, struct cf_npz *out,
                            struct cf_diag *d)
{
    memset(out, 0, sizeof *out);
    struct cf_zip z;
    clinfer_status st = cf_zip_open(name, buf, len, &z, d);
    if (st) {
        if (strstr(d->msg, "not a zip archive")) cf_fail(d, CLINFER_E_PARSE, "%s: not an .npz (zip) file", name);
        return st;
    }
    out->names = cf_calloc((size_t)z.n + 1, sizeof *out->names);
    out->arrays = cf_calloc((size_t)z.n + 1, sizeof *out->arrays);
    if (!out->names || !out->arrays) {
        cf_zip_close(&z);
        cf_npz_free(out);
        return cf_fail_oom(d);
    }
    for (int e = 0; e < z.n && !st; e++) {
        const char *entry = z.e[e].name;
        const unsigned char *npy;
        int owned;
        if ((st = cf_zip_extract(name, &z.e[e], &npy, &owned, d))) break;
        char where[600];
        snprintf(where, sizeof where, "%s: '%s'", name, entry);
        st = cf_npy_parse(where, npy, (size_t)z.e[e].usize, &out->arrays[out->n], d);
        if (owned) cf_free((void *)npy);
        if (st) break;
        size_t el = strlen(entry);
        if (el > 4 && strcmp(entry + el - 4, ".npy") == 0) el -= 4;
        if (!(out->names[out->n] = cf_strndup(entry, el))) {
            cf_array_free(&out->arrays[out->n]);
            st = cf_fail_oom(d);
            break;
        }
        out->n++;
    }
    cf_zip_close(&z);
    if (st) cf_npz_free(out);
    return st;
}

clinfer_status cf_npz_read(const char *path, struct cf_npz *out, struct cf_diag *d)
{
    unsigned char *buf;
    size_t len;
    memset(out, 0, sizeof *out);
    /* the magic first: a file that is not a zip is refused before it is read */
    int fd;
    uint64_t size;
    unsigned char magic[4] = {0};
    clinfer_status st = cf_file_open_read(path, ".npz file", &fd, &size, d);
    if (st) return st;
    st = cf_file_read_at(fd, path, 0, magic, size < 4 ? (size_t)size : 4, d);
    close(fd);
    if (st) return st;
    if (size < 22 || magic[0] != 'P' || magic[1] != 'K')
        return cf_fail(d, CLINFER_E_PARSE, "%s: not an .npz (zip) file", path);
    if ((st = cf_read_file(path, ".npz file", (size_t)1 << 34, &buf, &len, d))) return st;
    st = cf_npz_parse(path, buf, len, out, d);
    cf_free(buf);
    return st;
}
