/* ONNX tensors: a TensorProto's values (raw_data or the typed fields, or external data from a file inside the
 * model's folder) as a constant, with every length checked against the dims. */
#define _DEFAULT_SOURCE /* realpath */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../util/alloc.h"
#include "../../util/checked.h"
#include "../../util/files.h"
#include "onnx.h"

struct ctensor *cf_onnx_new_const(struct onnx_ctx *X, enum ctype type, int rank, const int64_t *dims)
{
    if (X->n_consts == X->cap_consts) {
        int cap = X->cap_consts ? X->cap_consts * 2 : 64;
        struct ctensor **p = cf_realloc(X->consts, sizeof *p * (size_t)cap);
        if (!p) return NULL;
        X->consts = p;
        X->cap_consts = cap;
    }
    struct ctensor *c = cf_calloc(1, sizeof *c);
    if (!c) return NULL;
    c->type = type;
    c->rank = rank;
    c->ir = -1;
    c->n = 1;
    for (int i = 0; i < rank; i++) {
        c->dims[i] = dims[i];
        if (!cf_mul_ok(c->n, dims[i], &c->n)) {
            cf_free(c);
            return NULL;
        }
    }
    size_t bytes = (size_t)(c->n ? c->n : 1) * (type == CT_FLOAT ? sizeof(float) : sizeof(int64_t));
    void *data = cf_calloc(1, bytes);
    if (!data) {
        cf_free(c);
        return NULL;
    }
    if (type == CT_FLOAT) c->f = data;
    else c->i = data;
    X->consts[X->n_consts++] = c;
    return c;
}

static const char *dtype_name(int t)
{
    static const char *const names[] = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64",
                                        "STRING", "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64",
                                        "COMPLEX128", "BFLOAT16"};
    return t >= 0 && t < (int)(sizeof names / sizeof names[0]) ? names[t] : "an unknown type";
}

/* Whether a relative path stays inside its folder by its components: none is "..", none is absolute
 * ("w..bin" is a legal name; "a/../../w.bin" is not). */
static int inside_by_components(const char *loc)
{
    if (loc[0] == '/') return 0;
    for (const char *p = loc; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.') return 0;
        p += n;
        while (*p == '/') p++;
    }
    return 1;
}

static int parse_size(const char *v, long long *out)
{
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (end == v || *end || errno || x < 0) return 0;
    *out = x;
    return 1;
}

/* Reads `len` bytes at `offset` of an external data file, which must be a regular file inside the model's folder. */
static clinfer_status external_data(struct onnx_ctx *X, const Onnx__TensorProto *t, const char *what,
                                    unsigned char **buf, size_t *len)
{
    const char *loc = NULL;
    long long offset = 0, length = -1;
    for (size_t k = 0; k < t->n_external_data; k++) {
        const Onnx__StringStringEntryProto *e = t->external_data[k];
        if (!e->key || !e->value) continue;
        if (strcmp(e->key, "location") == 0) loc = e->value;
        else if ((strcmp(e->key, "offset") == 0 && !parse_size(e->value, &offset)) ||
                 (strcmp(e->key, "length") == 0 && !parse_size(e->value, &length)))
            return cf_onnx_fail(X, CLINFER_E_PARSE, "%s: external data %s '%s' is not a byte count", what, e->key,
                                e->value);
    }
    if (!loc || !*loc) return cf_onnx_fail(X, CLINFER_E_PARSE, "%s: external data without a location", what);
    if (!inside_by_components(loc))
        return cf_onnx_fail(X, CLINFER_E_MODEL, "%s: external data '%s' is outside the model's folder", what, loc);
    char path[8192], real[PATH_MAX], realdir[PATH_MAX], why[128];
    snprintf(path, sizeof path, "%s/%s", X->dir, loc);
    if (!realpath(path, real) || !realpath(X->dir, realdir))
        return cf_onnx_fail(X, CLINFER_E_IO, "%s: cannot open external data file %s: %s", what, path,
                            cf_errno_text(errno, why, sizeof why));
    size_t dl = strlen(realdir);
    /* (a symbolic link may still lead out of the folder) */
    if (strncmp(real, realdir, dl) != 0 || (real[dl] != '/' && !(dl == 1 && realdir[0] == '/')))
        return cf_onnx_fail(X, CLINFER_E_MODEL, "%s: external data '%s' is outside the model's folder", what, loc);
    int fd;
    uint64_t size;
    struct cf_diag fd_diag = {0};
    if (cf_file_open_read(real, "external data", &fd, &size, &fd_diag))
        return cf_onnx_fail(X, fd_diag.status, "%s: %s", what, fd_diag.msg);
    if ((uint64_t)offset > size || (length >= 0 && (uint64_t)length > size - (uint64_t)offset)) {
        close(fd);
        return cf_onnx_fail(X, CLINFER_E_PARSE,
                            "%s: external data offset %lld and length %lld pass the end of %s (%llu bytes)", what,
                            offset, length, loc, (unsigned long long)size);
    }
    if (length < 0) length = (long long)(size - (uint64_t)offset);
    *buf = cf_malloc((size_t)length + 1);
    if (!*buf) {
        close(fd);
        return cf_onnx_fail(X, CLINFER_E_NOMEM, "%s: out of memory for %lld bytes of external data from %s", what,
                            length, loc);
    }
    clinfer_status st = cf_file_read_at(fd, real, (uint64_t)offset, *buf, (size_t)length, &fd_diag);
    close(fd);
    if (st) {
        cf_free(*buf);
        *buf = NULL;
        return cf_onnx_fail(X, st, "%s: %s", what, fd_diag.msg);
    }
    *len = (size_t)length;
    return CLINFER_OK;
}

static clinfer_status tensor(struct onnx_ctx *X, const Onnx__TensorProto *t, Onnx__TensorProto *owner, const char *what,
                             struct ctensor **out);

clinfer_status cf_onnx_tensor(struct onnx_ctx *X, const Onnx__TensorProto *t, const char *what, struct ctensor **out)
{
    return tensor(X, t, NULL, what, out);
}

clinfer_status cf_onnx_tensor_take(struct onnx_ctx *X, Onnx__TensorProto *t, const char *what, struct ctensor **out)
{
    return tensor(X, t, t, what, out);
}

/* owner: t, when its raw data may be taken */
static clinfer_status tensor(struct onnx_ctx *X, const Onnx__TensorProto *t, Onnx__TensorProto *owner, const char *what,
                             struct ctensor **out)
{
    int dt = t->has_data_type ? t->data_type : 0;
    enum ctype type;
    size_t esize;
    if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT) type = CT_FLOAT, esize = 4;
    else if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__INT64) type = CT_INT64, esize = 8;
    else if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__INT32) type = CT_INT64, esize = 4;
    else return cf_onnx_fail(X, CLINFER_E_UNSUPPORTED, "%s has data type %s; clinfer reads FLOAT, INT64 and INT32 tensors",
                             what, dtype_name(dt));
    if (t->n_dims > CF_MAX_RANK) return cf_onnx_fail(X, CLINFER_E_LIMIT, "%s has %zu dims (at most %d)", what, t->n_dims, CF_MAX_RANK);
    int64_t dims[CF_MAX_RANK], n = 1;
    for (size_t i = 0; i < t->n_dims; i++) {
        dims[i] = t->dims[i];
        if (dims[i] < 0 || !cf_mul_ok(n, dims[i], &n) || n > ((int64_t)1 << 32))
            return cf_onnx_fail(X, dims[i] < 0 ? CLINFER_E_PARSE : CLINFER_E_LIMIT, "%s: bad dims (dim %zu is %lld)", what, i,
                                (long long)t->dims[i]);
    }
    const unsigned char *raw = NULL;
    size_t raw_len = 0;
    unsigned char *ext = NULL;
    clinfer_status st;
    if (t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) {
        if ((st = external_data(X, t, what, &ext, &raw_len))) return st;
        raw = ext;
    } else if (t->has_raw_data) {
        raw = t->raw_data.data;
        raw_len = t->raw_data.len;
    }
    size_t typed = dt == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT ? t->n_float_data
                   : dt == ONNX__TENSOR_PROTO__DATA_TYPE__INT64 ? t->n_int64_data
                                                                 : t->n_int32_data;
    if (raw ? raw_len != (size_t)n * esize : typed != (size_t)n) {
        char dtext[160];
        size_t k = (size_t)snprintf(dtext, sizeof dtext, "(");
        for (size_t i = 0; i < t->n_dims && k < sizeof dtext; i++)
            k += (size_t)snprintf(dtext + k, sizeof dtext - k, "%s%lld", i ? ", " : "", (long long)dims[i]);
        if (k < sizeof dtext) snprintf(dtext + k, sizeof dtext - k, ")");
        cf_free(ext);
        return cf_onnx_fail(X, CLINFER_E_PARSE, "%s: its data holds %zu %s but its dims %s need %lld", what,
                            raw ? raw_len : typed, raw ? "bytes" : "values", dtext, (long long)n * (raw ? (int64_t)esize : 1));
    }
    struct ctensor *c = cf_onnx_new_const(X, type, (int)t->n_dims, dims);
    if (!c) {
        cf_free(ext);
        return cf_onnx_fail(X, CLINFER_E_NOMEM, "%s: out of memory", what);
    }
    /* (raw data is little-endian, as the hosts clinfer builds for: FLOAT's taken from the message, protobuf-c's
     * malloc'd bytes, or copied at once) */
    int64_t i = 0;
    if (raw && dt == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT && n) {
        if (owner && raw == owner->raw_data.data && (uintptr_t)raw % _Alignof(float) == 0) {
            cf_free(c->f); /* (calloc's, untouched) */
            c->f = (float *)owner->raw_data.data;
            owner->raw_data.data = NULL;
            owner->raw_data.len = 0;
            owner->has_raw_data = 0;
        } else {
            memcpy(c->f, raw, (size_t)n * 4);
        }
        i = n;
    }
    for (; i < n; i++) {
        if (raw) {
            const unsigned char *p = raw + (size_t)i * esize;
            if (esize == 8) memcpy(&c->i[i], p, 8);
            else {
                int32_t v;
                memcpy(&v, p, 4);
                c->i[i] = v;
            }
        } else if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT) {
            c->f[i] = t->float_data[i];
        } else if (dt == ONNX__TENSOR_PROTO__DATA_TYPE__INT64) {
            c->i[i] = t->int64_data[i];
        } else {
            c->i[i] = t->int32_data[i];
        }
    }
    cf_free(ext);
    *out = c;
    return CLINFER_OK;
}
