/* NumPy .npy: a magic string, a version, a header that is a Python dict literal, then the raw data. The header is
 * parsed as the literal it is (NumPy reads it with ast.literal_eval): the three keys once each, nothing else, and
 * only spaces and a newline after the dict. A file's size is checked against what its header claims before its
 * data is read. */
#define _DEFAULT_SOURCE /* madvise */
#include "npy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../util/alloc.h"
#include "../util/checked.h"
#include "../util/files.h"

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

/* --- the header: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } --- */

struct lit {
    const char *p, *end, *name;
    struct cf_diag *d;
};

static void skip_ws(struct lit *L)
{
    while (L->p < L->end && (*L->p == ' ' || *L->p == '\t' || *L->p == '\n' || *L->p == '\r')) L->p++;
}

static int lit_char(struct lit *L, char c)
{
    skip_ws(L);
    if (L->p < L->end && *L->p == c) {
        L->p++;
        return 1;
    }
    return 0;
}

/* A quoted string without escapes, copied into out. */
static int lit_string(struct lit *L, char *out, size_t size)
{
    skip_ws(L);
    if (L->p >= L->end || (*L->p != '\'' && *L->p != '"')) return 0;
    char q = *L->p++;
    size_t n = 0;
    while (L->p < L->end && *L->p != q) {
        if (*L->p == '\\' || *L->p == '\n' || n + 1 >= size) return 0;
        out[n++] = *L->p++;
    }
    if (L->p >= L->end) return 0;
    L->p++;
    out[n] = '\0';
    return 1;
}

static int lit_word(struct lit *L, const char *w)
{
    skip_ws(L);
    size_t n = strlen(w);
    if ((size_t)(L->end - L->p) < n || memcmp(L->p, w, n) != 0) return 0;
    const char *after = L->p + n;
    if (after < L->end && (*after == '_' || (*after >= '0' && *after <= '9') || ((*after | 32) >= 'a' && (*after | 32) <= 'z')))
        return 0;
    L->p = after;
    return 1;
}

/* (2, 3) or (3,) or (): a tuple of non-negative ints (a trailing L of Python 2's headers accepted). */
static clinfer_status lit_shape(struct lit *L, struct cf_array *out)
{
    if (!lit_char(L, '(')) return cf_fail(L->d, CLINFER_E_PARSE, "%s: bad .npy header: 'shape' is not a tuple", L->name);
    int commas = 0;
    for (;;) {
        skip_ws(L);
        if (lit_char(L, ')')) break;
        if (L->p >= L->end || *L->p < '0' || *L->p > '9')
            return cf_fail(L->d, CLINFER_E_PARSE, "%s: bad .npy header: 'shape' holds something other than integers",
                           L->name);
        int64_t v = 0;
        while (L->p < L->end && *L->p >= '0' && *L->p <= '9') {
            if (v > ((int64_t)1 << 50))
                return cf_fail(L->d, CLINFER_E_LIMIT, "%s: a dimension of the array passes 2^50", L->name);
            v = v * 10 + (*L->p++ - '0');
        }
        if (L->p < L->end && *L->p == 'L') L->p++;
        if (out->rank == CF_NPY_MAX_RANK)
            return cf_fail(L->d, CLINFER_E_LIMIT, "%s: more than %d dimensions", L->name, CF_NPY_MAX_RANK);
        out->dims[out->rank++] = v;
        if (lit_char(L, ',')) {
            commas++;
            continue;
        }
        if (lit_char(L, ')')) break;
        return cf_fail(L->d, CLINFER_E_PARSE, "%s: bad .npy header: 'shape' is not a tuple of integers", L->name);
    }
    if (out->rank == 1 && commas == 0) /* (3) is the int 3 in Python, not a tuple */
        return cf_fail(L->d, CLINFER_E_PARSE, "%s: bad .npy header: 'shape' is not a tuple", L->name);
    return CLINFER_OK;
}

static clinfer_status parse_header(const char *name, const char *h, size_t hlen, struct cf_array *out, struct cf_diag *d)
{
    struct lit L = {h, h + hlen, name, d};
    char descr[32] = "";
    int have_descr = 0, have_fo = 0, have_shape = 0, fortran = 0;
    clinfer_status st;
    if (!lit_char(&L, '{')) return cf_fail(d, CLINFER_E_PARSE, "%s: bad .npy header: it is not a dict literal", name);
    while (!lit_char(&L, '}')) {
        char key[32];
        if (!lit_string(&L, key, sizeof key) || !lit_char(&L, ':'))
            return cf_fail(d, CLINFER_E_PARSE, "%s: bad .npy header: a dict entry is not 'key': value", name);
        int *seen = strcmp(key, "descr") == 0 ? &have_descr : strcmp(key, "fortran_order") == 0 ? &have_fo
                  : strcmp(key, "shape") == 0 ? &have_shape : NULL;
        if (!seen)
            return cf_fail(d, CLINFER_E_PARSE,
                           "%s: bad .npy header: unknown key '%s' (a .npy header holds descr, fortran_order and shape)",
                           name, key);
        if (*seen) return cf_fail(d, CLINFER_E_PARSE, "%s: bad .npy header: the key '%s' appears twice", name, key);
        *seen = 1;
        if (seen == &have_descr) {
            if (!lit_string(&L, descr, sizeof descr))
                return cf_fail(d, CLINFER_E_PARSE, "%s: bad .npy header: 'descr' is not a string", name);
        } else if (seen == &have_fo) {
            if (lit_word(&L, "True")) fortran = 1;
            else if (!lit_word(&L, "False"))
                return cf_fail(d, CLINFER_E_PARSE, "%s: bad .npy header: 'fortran_order' is not True or False", name);
        } else if ((st = lit_shape(&L, out))) {
            return st;
        }
        if (lit_char(&L, ',')) continue;
        if (lit_char(&L, '}')) break;
        return cf_fail(d, CLINFER_E_PARSE, "%s: bad .npy header: expected ',' or '}' after the value of '%s'", name, key);
    }
    skip_ws(&L);
    if (L.p != L.end) /* NumPy pads with spaces and ends with a newline; anything else is not a header */
        return cf_fail(d, CLINFER_E_PARSE, "%s: bad .npy header: text after the dict", name);
    if (!have_descr || !have_fo || !have_shape)
        return cf_fail(d, CLINFER_E_PARSE, "%s: the .npy header lacks %s", name,
                       !have_descr ? "descr" : !have_fo ? "fortran_order" : "shape");
    if (strcmp(descr, "<f4") != 0)
        return cf_fail(d, CLINFER_E_UNSUPPORTED, "%s: dtype '%s' is not float32 ('<f4'); convert it with x.astype(np.float32)",
                       name, descr);
    if (fortran)
        return cf_fail(d, CLINFER_E_UNSUPPORTED, "%s: the array is in Fortran order; save np.ascontiguousarray(x) instead",
                       name);
    if (cf_array_elems(out) < 0)
        return cf_fail(d, CLINFER_E_LIMIT, "%s: the array has more than 2^62 elements", name);
    return CLINFER_OK;
}

/* The preamble: magic, version, header length. Sets where the header starts and how long it is. */
static clinfer_status preamble(const char *name, const unsigned char *buf, size_t len, size_t *hstart, size_t *hlen,
                               struct cf_diag *d)
{
    if (len < 10 || memcmp(buf, "\x93NUMPY", 6) != 0)
        return cf_fail(d, CLINFER_E_PARSE, "%s: not a NumPy .npy file (bad magic)", name);
    int major = buf[6];
    if (major == 1) {
        *hlen = (size_t)buf[8] | (size_t)buf[9] << 8;
        *hstart = 10;
    } else if (major == 2 || major == 3) {
        if (len < 12) return cf_fail(d, CLINFER_E_PARSE, "%s: truncated .npy header", name);
        *hlen = (size_t)buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 | (size_t)buf[11] << 24;
        *hstart = 12;
    } else {
        return cf_fail(d, CLINFER_E_UNSUPPORTED, "%s: .npy format version %d is not supported", name, major);
    }
    if (*hlen > 65536) return cf_fail(d, CLINFER_E_PARSE, "%s: the .npy header claims %zu bytes", name, *hlen);
    return CLINFER_OK;
}

static clinfer_status size_mismatch(const char *name, const struct cf_array *a, uint64_t have, struct cf_diag *d)
{
    int64_t n = cf_array_elems(a);
    return cf_fail(d, CLINFER_E_PARSE, "%s: the shape holds %lld floats (%lld bytes) but the file has %llu data bytes",
                   name, (long long)n, (long long)n * 4, (unsigned long long)have);
}

clinfer_status cf_npy_parse(const char *name, const unsigned char *buf, size_t len, struct cf_array *out,
                            struct cf_diag *d)
{
    memset(out, 0, sizeof *out);
    size_t hstart = 0, hlen = 0;
    clinfer_status st = preamble(name, buf, len, &hstart, &hlen, d);
    if (st) return st;
    if (hlen > len - hstart) return cf_fail(d, CLINFER_E_PARSE, "%s: truncated .npy header", name);
    if ((st = parse_header(name, (const char *)buf + hstart, hlen, out, d))) {
        out->rank = 0;
        return st;
    }
    int64_t n = cf_array_elems(out);
    size_t data_off = hstart + hlen;
    if ((uint64_t)(len - data_off) != (uint64_t)n * 4) {
        st = size_mismatch(name, out, len - data_off, d);
        out->rank = 0;
        return st;
    }
    if (!(out->data = cf_malloc((size_t)n * 4))) {
        out->rank = 0;
        return cf_fail(d, CLINFER_E_NOMEM, "%s: out of memory for %lld floats", name, (long long)n);
    }
    memcpy(out->data, buf + data_off, (size_t)n * 4); /* little-endian hosts only, as '<f4' */
    return CLINFER_OK;
}

/* The preamble and header of an open file, checked against its size: the array's shape and where its data starts. */
static clinfer_status read_header(int fd, const char *path, uint64_t size, struct cf_array *out, size_t *data_off,
                                  struct cf_diag *d)
{
    unsigned char pre[12] = {0};
    size_t hstart = 0, hlen = 0;
    char *h = NULL;
    clinfer_status st;
    if ((st = cf_file_read_at(fd, path, 0, pre, size < 12 ? (size_t)size : 12, d))) return st;
    if ((st = preamble(path, pre, size < 12 ? (size_t)size : 12, &hstart, &hlen, d))) return st;
    if (hstart + hlen > size) return cf_fail(d, CLINFER_E_PARSE, "%s: truncated .npy header", path);
    if (!(h = cf_malloc(hlen + 1))) return cf_fail_oom(d);
    if (!(st = cf_file_read_at(fd, path, hstart, h, hlen, d))) st = parse_header(path, h, hlen, out, d);
    cf_free(h);
    if (st) return st;
    /* the size the header claims, against the file's, before a byte of data is allocated or read */
    int64_t n = cf_array_elems(out);
    *data_off = hstart + hlen;
    if (size - *data_off != (uint64_t)n * 4) return size_mismatch(path, out, size - *data_off, d);
    return CLINFER_OK;
}

clinfer_status cf_npy_map(const char *path, struct cf_npy_map *m, struct cf_diag *d)
{
    memset(m, 0, sizeof *m);
    int fd;
    uint64_t size;
    struct cf_array a = {0};
    size_t off = 0;
    clinfer_status st = cf_file_open_read(path, ".npy file", &fd, &size, d);
    if (st) return st;
    if ((st = read_header(fd, path, size, &a, &off, d))) goto done;
    m->rank = a.rank;
    memcpy(m->dims, a.dims, sizeof m->dims);
    int64_t n = cf_array_elems(&a);
    if (size > (uint64_t)SIZE_MAX) {
        st = cf_fail(d, CLINFER_E_LIMIT, "%s: larger than this machine's address space", path);
        goto done;
    }
    void *base = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (base != MAP_FAILED && off % sizeof(float) == 0) {
        m->base = base;
        m->len = (size_t)size;
        m->data = (const float *)(const void *)((const unsigned char *)base + off);
        goto done;
    }
    /* a file that cannot be mapped (or whose data is not aligned for floats): read into memory */
    if (base != MAP_FAILED) munmap(base, (size_t)size);
    if (!(m->owned = cf_malloc((size_t)n * 4 + 1))) {
        st = cf_fail(d, CLINFER_E_NOMEM, "%s: out of memory for its %lld floats (%.1f MiB)", path, (long long)n,
                     (double)n * 4 / 1048576.0);
        goto done;
    }
    if ((st = cf_file_read_at(fd, path, off, m->owned, (size_t)n * 4, d))) goto done;
    m->data = m->owned;
done:
    close(fd);
    if (st) cf_npy_unmap(m);
    return st;
}

void cf_npy_unmap(struct cf_npy_map *m)
{
    if (m->base) munmap(m->base, m->len);
    cf_free(m->owned);
    memset(m, 0, sizeof *m);
}

void cf_npy_map_drop(const struct cf_npy_map *m, const void *from, size_t bytes)
{
    if (!m->base || !bytes) return;
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t lo = (uintptr_t)from, hi = lo + bytes, p = page > 0 ? (uintptr_t)page : 4096;
    lo = (lo + p - 1) / p * p; /* whole pages inside the range only: a neighbour's may still be read */
    hi = hi / p * p;
    if (hi > lo) madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

void cf_npy_map_prefetch(const struct cf_npy_map *m, const void *from, size_t bytes)
{
    if (!m->base || !bytes) return;
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t p = page > 0 ? (uintptr_t)page : 4096, lo = (uintptr_t)from / p * p;
    madvise((void *)lo, (uintptr_t)from + bytes - lo, MADV_WILLNEED);
    /* and touched, a byte a page: the pages are read now, on this thread, not later by the one that computes */
    volatile const unsigned char *b = from;
    unsigned sum = 0;
    for (size_t i = 0; i < bytes; i += p) sum += b[i];
    sum += b[bytes - 1];
    (void)sum;
}

clinfer_status cf_npy_read(const char *path, struct cf_array *out, struct cf_diag *d)
{
    memset(out, 0, sizeof *out);
    int fd;
    uint64_t size;
    size_t off = 0;
    clinfer_status st = cf_file_open_read(path, ".npy file", &fd, &size, d);
    if (st) return st;
    if ((st = read_header(fd, path, size, out, &off, d))) goto done;
    int64_t n = cf_array_elems(out);
    if (!(out->data = cf_malloc((size_t)n * 4))) {
        st = cf_fail(d, CLINFER_E_NOMEM, "%s: out of memory for its %lld floats (%.1f MiB)", path, (long long)n,
                     (double)n * 4 / 1048576.0);
        goto done;
    }
    st = cf_file_read_at(fd, path, off, out->data, (size_t)n * 4, d);
done:
    close(fd);
    if (st) cf_array_free(out);
    return st;
}

size_t cf_npy_header(const int64_t *dims, int rank, char *out, size_t size)
{
    char h[512];
    size_t n = (size_t)snprintf(h, sizeof h, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
    for (int i = 0; i < rank && n < sizeof h; i++)
        n += (size_t)snprintf(h + n, sizeof h - n, "%lld%s", (long long)dims[i], rank == 1 ? "," : i + 1 < rank ? ", " : "");
    if (n < sizeof h) n += (size_t)snprintf(h + n, sizeof h - n, "), }");
    /* padded with spaces and a newline so that the data starts on a 64-byte boundary */
    size_t total = (10 + n + 1 + 63) / 64 * 64;
    if (total > size || n >= sizeof h) return 0;
    size_t hlen = total - 10;
    memcpy(out, "\x93NUMPY\x01\x00", 8);
    out[8] = (char)(hlen & 0xff);
    out[9] = (char)(hlen >> 8);
    memcpy(out + 10, h, n);
    memset(out + 10 + n, ' ', total - 10 - n - 1);
    out[total - 1] = '\n';
    return total;
}

int cf_npy_write_stream(FILE *f, const struct cf_array *a)
{
    char h[640];
    size_t hn = cf_npy_header(a->dims, a->rank, h, sizeof h);
    int64_t elems = cf_array_elems(a);
    if (!hn || elems < 0) {
        errno = EINVAL;
        return 0;
    }
    return fwrite(h, 1, hn, f) == hn && fwrite(a->data, 4, (size_t)elems, f) == (size_t)elems;
}

clinfer_status cf_npy_write(const char *path, const struct cf_array *a, struct cf_diag *d)
{
    char tmp[4200], why[128];
    FILE *f = cf_replace_open(path, tmp, sizeof tmp);
    if (!f) return cf_fail(d, CLINFER_E_IO, "%s: cannot create the file: %s", path, cf_errno_text(errno, why, sizeof why));
    int ok = cf_npy_write_stream(f, a);
    int e = errno;
    if (!cf_replace_commit(f, tmp, path, ok))
        return cf_fail(d, CLINFER_E_IO, "%s: cannot write the file: %s (the previous file, if any, is kept)", path,
                       cf_errno_text(ok ? errno : e, why, sizeof why));
    return CLINFER_OK;
}
