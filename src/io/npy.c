/* NumPy .npy: a magic string, a version, a Python-literal header, then the raw data. */
#include "npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/alloc.h"
#include "../util/checked.h"

void cf_array_free(struct cf_array *a)
{
    if (!a) return;
    cf_free(a->data);
    a->data = NULL;
    a->rank = 0;
}

int64_t cf_array_elems(const struct cf_array *a)
{
    int64_t p = 1;
    for (int i = 0; i < a->rank; i++)
        if (!cf_mul_ok(p, a->dims[i], &p)) return -1;
    return p;
}

clinfer_status cf_read_file(const char *path, size_t max, unsigned char **buf, size_t *len, struct cf_diag *d)
{
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return cf_fail(d, CLINFER_E_IO, "%s: cannot open the file", path);
    unsigned char *b = NULL;
    size_t n = 0, cap = 0;
    clinfer_status st = CLINFER_OK;
    for (;;) {
        if (n == cap) {
            if (cap >= max) {
                st = cf_fail(d, CLINFER_E_LIMIT, "%s: the file is larger than %zu MiB", path, max >> 20);
                break;
            }
            cap = cap ? cap * 2 : 65536;
            if (cap > max) cap = max;
            unsigned char *p = cf_realloc(b, cap + 1);
            if (!p) {
                st = cf_fail_oom(d);
                break;
            }
            b = p;
        }
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) st = cf_fail(d, CLINFER_E_IO, "%s: read error", path);
            break;
        }
    }
    fclose(f);
    if (st) {
        cf_free(b);
        return st;
    }
    *buf = b;
    *len = n;
    return CLINFER_OK;
}

/* Finds 'key': in the header dict and returns the text after the colon. */
static const char *header_value(const char *h, const char *key)
{
    char pat[32];
    snprintf(pat, sizeof pat, "'%s'", key);
    const char *p = strstr(h, pat);
    if (!p) {
        snprintf(pat, sizeof pat, "\"%s\"", key);
        if (!(p = strstr(h, pat))) return NULL;
    }
    p += strlen(pat);
    while (*p == ' ') p++;
    if (*p != ':') return NULL;
    p++;
    while (*p == ' ') p++;
    return p;
}

clinfer_status cf_npy_parse(const char *name, const unsigned char *buf, size_t len, struct cf_array *out,
                            struct cf_diag *d)
{
    memset(out, 0, sizeof *out);
    if (len < 10 || memcmp(buf, "\x93NUMPY", 6) != 0)
        return cf_fail(d, CLINFER_E_PARSE, "%s: not a NumPy .npy file (bad magic)", name);
    int major = buf[6];
    size_t hlen, hstart;
    if (major == 1) {
        hlen = (size_t)buf[8] | (size_t)buf[9] << 8;
        hstart = 10;
    } else if (major == 2 || major == 3) {
        if (len < 12) return cf_fail(d, CLINFER_E_PARSE, "%s: truncated .npy header", name);
        hlen = (size_t)buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 | (size_t)buf[11] << 24;
        hstart = 12;
    } else {
        return cf_fail(d, CLINFER_E_UNSUPPORTED, "%s: .npy format version %d is not supported", name, major);
    }
    if (hlen > len - hstart || hlen > 65536) return cf_fail(d, CLINFER_E_PARSE, "%s: truncated .npy header", name);
    char *h = cf_strndup((const char *)buf + hstart, hlen);
    if (!h) return cf_fail_oom(d);
    clinfer_status st = CLINFER_OK;
    const char *descr = header_value(h, "descr"), *fo = header_value(h, "fortran_order"),
               *shape = header_value(h, "shape");
    if (!descr || !fo || !shape) {
        st = cf_fail(d, CLINFER_E_PARSE, "%s: the .npy header lacks descr, fortran_order or shape", name);
        goto done;
    }
    if (strncmp(descr, "'<f4'", 5) != 0 && strncmp(descr, "\"<f4\"", 5) != 0) {
        char dt[16] = "";
        sscanf(descr, "'%15[^']", dt);
        st = cf_fail(d, CLINFER_E_UNSUPPORTED,
                     "%s: dtype '%s' is not float32 ('<f4'); convert it with x.astype(np.float32)", name, dt);
        goto done;
    }
    if (strncmp(fo, "False", 5) != 0) {
        st = cf_fail(d, CLINFER_E_UNSUPPORTED,
                     "%s: the array is in Fortran order; save np.ascontiguousarray(x) instead", name);
        goto done;
    }
    if (*shape != '(') {
        st = cf_fail(d, CLINFER_E_PARSE, "%s: bad shape in the .npy header", name);
        goto done;
    }
    const char *p = shape + 1;
    for (;;) {
        while (*p == ' ' || *p == ',') p++;
        if (*p == ')') break;
        char *end;
        long long v = strtoll(p, &end, 10);
        if (end == p || v < 0) {
            st = cf_fail(d, CLINFER_E_PARSE, "%s: bad shape in the .npy header", name);
            goto done;
        }
        if (out->rank == CF_NPY_MAX_RANK) {
            st = cf_fail(d, CLINFER_E_LIMIT, "%s: more than %d dimensions", name, CF_NPY_MAX_RANK);
            goto done;
        }
        out->dims[out->rank++] = v;
        p = end;
        while (*p == 'L') p++;
    }
    int64_t n = cf_array_elems(out);
    if (n < 0) {
        st = cf_fail(d, CLINFER_E_LIMIT, "%s: the array has more than 2^50 elements", name);
        goto done;
    }
    size_t data_off = hstart + hlen;
    if (len - data_off != (size_t)n * 4) {
        st = cf_fail(d, CLINFER_E_PARSE, "%s: the shape holds %lld floats (%lld bytes) but the file has %zu data bytes",
                     name, (long long)n, (long long)n * 4, len - data_off);
        goto done;
    }
    if (!(out->data = cf_malloc((size_t)n * 4))) {
        st = cf_fail_oom(d);
        goto done;
    }
    memcpy(out->data, buf + data_off, (size_t)n * 4); /* little-endian hosts only, as '<f4' */
done:
    cf_free(h);
    if (st) cf_array_free(out);
    return st;
}

clinfer_status cf_npy_read(const char *path, struct cf_array *out, struct cf_diag *d)
{
    unsigned char *buf;
    size_t len;
    memset(out, 0, sizeof *out);
    clinfer_status st = cf_read_file(path, (size_t)1 << 34, &buf, &len, d);
    if (st) return st;
    st = cf_npy_parse(path, buf, len, out, d);
    cf_free(buf);
    return st;
}

clinfer_status cf_npy_write(const char *path, const struct cf_array *a, struct cf_diag *d)
{
    char h[256];
    int n = snprintf(h, sizeof h, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
    for (int i = 0; i < a->rank; i++) n += snprintf(h + n, sizeof h - (size_t)n, "%lld, ", (long long)a->dims[i]);
    if (a->rank > 1) n -= 2; /* (3,) keeps its comma, (3, 4) does not */
    n += snprintf(h + n, sizeof h - (size_t)n, "), }");
    /* pad with spaces and a newline so the data starts on a 64-byte boundary */
    int total = 10 + n + 1;
    int pad = (64 - total % 64) % 64;
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0};
    int hlen = n + pad + 1;
    pre[8] = (unsigned char)(hlen & 0xff);
    pre[9] = (unsigned char)(hlen >> 8);
    FILE *f = fopen(path, "wb");
    if (!f) return cf_fail(d, CLINFER_E_IO, "%s: cannot create the file", path);
    int64_t elems = cf_array_elems(a);
    int ok = fwrite(pre, 1, 10, f) == 10 && fwrite(h, 1, (size_t)n, f) == (size_t)n;
    for (int i = 0; ok && i < pad; i++) ok = fputc(' ', f) != EOF;
    ok = ok && fputc('\n', f) != EOF;
    ok = ok && fwrite(a->data, 4, (size_t)elems, f) == (size_t)elems;
    ok = (fclose(f) == 0) && ok;
    return ok ? CLINFER_OK : cf_fail(d, CLINFER_E_IO, "%s: write error", path);
}
