/* Zip archives: the end-of-central-directory record, zip64 where the 32-bit fields saturate, each entry checked
 * against the buffer before it is touched. Deflate is zlib's. */
#include "zip.h"

#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "../util/alloc.h"

static uint32_t rd16(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t rd32(const unsigned char *p) { return rd16(p) | rd16(p + 2) << 16; }
static uint64_t rd64(const unsigned char *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

void cf_zip_close(struct cf_zip *z)
{
    cf_free(z->e);
    z->e = NULL;
    z->n = 0;
}

const struct cf_zip_entry *cf_zip_find(const struct cf_zip *z, const char *entry)
{
    for (int i = 0; i < z->n; i++)
        if (strcmp(z->e[i].name, entry) == 0) return &z->e[i];
    return NULL;
}

static clinfer_status inflate_raw(const char *name, const char *entry, const unsigned char *src, size_t n,
                                  unsigned char *dst, size_t out_len, struct cf_diag *d)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return cf_fail_oom(d);
    clinfer_status st = CLINFER_OK;
    size_t in_done = 0, out_done = 0;
    int rc = Z_OK;
    while (rc == Z_OK) { /* zlib counts in uInt: feed at most 1 GiB at a time */
        zs.next_in = (unsigned char *)src + in_done;
        zs.avail_in = (uInt)((n - in_done) > (1u << 30) ? (1u << 30) : (n - in_done));
        zs.next_out = dst + out_done;
        zs.avail_out = (uInt)((out_len - out_done) > (1u << 30) ? (1u << 30) : (out_len - out_done));
        uInt ai = zs.avail_in, ao = zs.avail_out;
        rc = inflate(&zs, Z_NO_FLUSH);
        in_done += ai - zs.avail_in;
        out_done += ao - zs.avail_out;
        if (rc == Z_OK && ai == zs.avail_in && ao == zs.avail_out) break;
    }
    if (rc != Z_STREAM_END || out_done != out_len)
        st = cf_fail(d, CLINFER_E_PARSE, "%s: entry '%s' is corrupt (deflate: %s)", name, entry,
                     zs.msg ? zs.msg : "wrong length");
    inflateEnd(&zs);
    return st;
}

clinfer_status cf_zip_extract(const char *name, const struct cf_zip_entry *e, const unsigned char **out,
                              int *owned, struct cf_diag *d)
{
    *out = NULL;
    *owned = 0;
    if (e->method == 0 && e->csize == e->usize) {
        *out = e->data;
        return CLINFER_OK;
    }
    if (e->method != 8)
        return cf_fail(d, CLINFER_E_UNSUPPORTED, "%s: entry '%s' uses zip compression method %u", name, e->name,
                       e->method);
    unsigned char *tmp = cf_malloc((size_t)e->usize + 1);
    if (!tmp) return cf_fail_oom(d);
    clinfer_status st = inflate_raw(name, e->name, e->data, (size_t)e->csize, tmp, (size_t)e->usize, d);
    if (st) {
        cf_free(tmp);
        return st;
    }
    *out = tmp;
    *owned = 1;
    return CLINFER_OK;
}

clinfer_status cf_zip_open(const char *name, const unsigned char *buf, size_t len, struct cf_zip *out,
                           struct cf_diag *d)
{
    memset(out, 0, sizeof *out);
    /* the end-of-central-directory record: within the last 64 KiB + 22 bytes */
    size_t eocd = (size_t)-1;
    for (size_t i = len >= 22 ? len - 22 : 0; len >= 22; i--) {
        if (rd32(buf + i) == 0x06054b50) {
            eocd = i;
            break;
        }
        if (i == 0 || len - i > 65536 + 22) break;
    }
    if (eocd == (size_t)-1) return cf_fail(d, CLINFER_E_PARSE, "%s: not a zip archive (no end of directory)", name);
    uint64_t count = rd16(buf + eocd + 10), cd_size = rd32(buf + eocd + 12), cd_off = rd32(buf + eocd + 16);
    if (count == 0xffff || cd_off == 0xffffffffu) { /* zip64: find its end record through the locator */
        if (eocd < 20 || rd32(buf + eocd - 20) != 0x07064b50)
            return cf_fail(d, CLINFER_E_PARSE, "%s: bad zip64 directory", name);
        uint64_t z64 = rd64(buf + eocd - 20 + 8);
        if (len < 56 || z64 > len - 56 || rd32(buf + z64) != 0x06064b50)
            return cf_fail(d, CLINFER_E_PARSE, "%s: bad zip64 directory", name);
        count = rd64(buf + z64 + 32);
        cd_size = rd64(buf + z64 + 40);
        cd_off = rd64(buf + z64 + 48);
    }
    if (cd_off > len || cd_size > len - cd_off || count > 100000)
        return cf_fail(d, CLINFER_E_PARSE, "%s: the zip directory points outside the file", name);
    if (!(out->e = cf_calloc((size_t)count + 1, sizeof *out->e))) return cf_fail_oom(d);
    clinfer_status st = CLINFER_OK;
    size_t p = (size_t)cd_off;
    for (uint64_t e = 0; e < count && !st; e++) {
        if (p + 46 > len || rd32(buf + p) != 0x02014b50) {
            st = cf_fail(d, CLINFER_E_PARSE, "%s: corrupt zip directory entry %llu", name, (unsigned long long)e);
            break;
        }
        uint32_t method = rd16(buf + p + 10), nlen = rd16(buf + p + 28), xlen = rd16(buf + p + 30),
                 clen = rd16(buf + p + 32);
        uint64_t csize = rd32(buf + p + 20), usize = rd32(buf + p + 24), loff = rd32(buf + p + 42);
        if (p + 46 + nlen + xlen + clen > len) {
            st = cf_fail(d, CLINFER_E_PARSE, "%s: corrupt zip directory entry %llu", name, (unsigned long long)e);
            break;
        }
        /* zip64 sizes and offset live in the extra field when the 32-bit ones are saturated */
        const unsigned char *x = buf + p + 46 + nlen, *xend = x + xlen;
        while (x + 4 <= xend) {
            uint32_t id = rd16(x), sz = rd16(x + 2);
            if (x + 4 + sz > xend) break;
            if (id == 0x0001) {
                const unsigned char *q = x + 4, *qend = x + 4 + sz;
                if (usize == 0xffffffffu && q + 8 <= qend) usize = rd64(q), q += 8;
                if (csize == 0xffffffffu && q + 8 <= qend) csize = rd64(q), q += 8;
                if (loff == 0xffffffffu && q + 8 <= qend) loff = rd64(q);
            }
            x += 4 + sz;
        }
        struct cf_zip_entry *ze = &out->e[out->n];
        snprintf(ze->name, sizeof ze->name, "%.*s", (int)(nlen < 500 ? nlen : 500), (const char *)buf + p + 46);
        p += 46 + nlen + xlen + clen;
        if (len < 30 || loff > len - 30 || rd32(buf + loff) != 0x04034b50) {
            st = cf_fail(d, CLINFER_E_PARSE, "%s: entry '%s' points outside the file", name, ze->name);
            break;
        }
        size_t data = (size_t)loff + 30 + rd16(buf + loff + 26) + rd16(buf + loff + 28);
        if (data > len || csize > len - data) {
            st = cf_fail(d, CLINFER_E_PARSE, "%s: entry '%s' is truncated", name, ze->name);
            break;
        }
        if (usize > ((uint64_t)1 << 34)) {
            st = cf_fail(d, CLINFER_E_LIMIT, "%s: entry '%s' is larger than 16 GiB", name, ze->name);
            break;
        }
        /* deflate expands at most 1032:1: a larger claim is a corrupt or hostile file, refused before allocating */
        if (method == 8 && usize > csize * 1032 + 1024) {
            st = cf_fail(d, CLINFER_E_PARSE, "%s: entry '%s' claims %llu bytes from %llu compressed", name, ze->name,
                         (unsigned long long)usize, (unsigned long long)csize);
            break;
        }
        ze->data = buf + data;
        ze->method = method;
        ze->csize = csize;
        ze->usize = usize;
        out->n++;
    }
    if (st) cf_zip_close(out);
    return st;
}
