/* NumPy .npz: a zip archive of .npy files, stored (np.savez) or deflated (np.savez_compressed). The zip
 * directory is read here; deflate is zlib's. */
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include <unistd.h>

#include "../util/alloc.h"
#include "../util/files.h"
#include "npy.h"

static uint32_t rd16(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t rd32(const unsigned char *p) { return rd16(p) | rd16(p + 2) << 16; }
static uint64_t rd64(const unsigned char *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

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

clinfer_status cf_npz_parse(const char *name, const unsigned char *buf, size_t len, struct cf_npz *out,
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
    if (eocd == (size_t)-1) return cf_fail(d, CLINFER_E_PARSE, "%s: not an .npz (zip) file", name);
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
    out->names = cf_calloc((size_t)count + 1, sizeof *out->names);
    out->arrays = cf_calloc((size_t)count + 1, sizeof *out->arrays);
    if (!out->names || !out->arrays) {
        cf_npz_free(out);
        return cf_fail_oom(d);
    }
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
        char entry[512];
        snprintf(entry, sizeof entry, "%.*s", (int)(nlen < 500 ? nlen : 500), (const char *)buf + p + 46);
        p += 46 + nlen + xlen + clen;
        if (loff > len - 30 || rd32(buf + loff) != 0x04034b50) {
            st = cf_fail(d, CLINFER_E_PARSE, "%s: entry '%s' points outside the file", name, entry);
            break;
        }
        size_t data = (size_t)loff + 30 + rd16(buf + loff + 26) + rd16(buf + loff + 28);
        if (data > len || csize > len - data) {
            st = cf_fail(d, CLINFER_E_PARSE, "%s: entry '%s' is truncated", name, entry);
            break;
        }
        if (usize > ((uint64_t)1 << 34)) {
            st = cf_fail(d, CLINFER_E_LIMIT, "%s: entry '%s' is larger than 16 GiB", name, entry);
            break;
        }
        /* deflate expands at most 1032:1: a larger claim is a corrupt or hostile file, refused before allocating */
        if (method == 8 && usize > csize * 1032 + 1024) {
            st = cf_fail(d, CLINFER_E_PARSE, "%s: entry '%s' claims %llu bytes from %llu compressed", name, entry,
                         (unsigned long long)usize, (unsigned long long)csize);
            break;
        }
        const unsigned char *npy = buf + data;
        unsigned char *tmp = NULL;
        if (method == 8) {
            if (!(tmp = cf_malloc((size_t)usize + 1))) {
                st = cf_fail_oom(d);
                break;
            }
            if ((st = inflate_raw(name, entry, buf + data, (size_t)csize, tmp, (size_t)usize, d))) {
                cf_free(tmp);
                break;
            }
            npy = tmp;
        } else if (method != 0 || csize != usize) {
            st = cf_fail(d, CLINFER_E_UNSUPPORTED, "%s: entry '%s' uses zip compression method %u", name, entry,
                         method);
            break;
        }
        char where[600];
        snprintf(where, sizeof where, "%s: '%s'", name, entry);
        st = cf_npy_parse(where, npy, (size_t)usize, &out->arrays[out->n], d);
        cf_free(tmp);
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
