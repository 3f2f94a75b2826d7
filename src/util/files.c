/* Files read only when regular, and files written whole or not at all (see files.h). */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"

const char *cf_errno_text(int err, char *buf, size_t size)
{
    /* the XSI strerror_r (this build asks for POSIX 2008, not GNU) */
    if (strerror_r(err, buf, size) != 0) snprintf(buf, size, "error %d", err);
    return buf;
}

static const char *kind_of(mode_t m)
{
    if (S_ISDIR(m)) return "a directory";
    if (S_ISFIFO(m)) return "a FIFO (named pipe)";
    if (S_ISCHR(m)) return "a character device";
    if (S_ISBLK(m)) return "a block device";
    if (S_ISSOCK(m)) return "a socket";
    return "a special file";
}

clinfer_status cf_file_open_read(const char *path, const char *what, int *fd, uint64_t *size, struct cf_diag *d)
{
    *fd = -1;
    *size = 0;
    char why[128];
    /* O_NONBLOCK: opening a FIFO for reading would wait for a writer; it is refused below instead */
    int f = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (f < 0) return cf_fail(d, CLINFER_E_IO, "%s: cannot open the %s: %s", path, what, cf_errno_text(errno, why, sizeof why));
    struct stat st;
    if (fstat(f, &st) != 0) {
        int e = errno;
        close(f);
        return cf_fail(d, CLINFER_E_IO, "%s: cannot read the %s: %s", path, what, cf_errno_text(e, why, sizeof why));
    }
    if (!S_ISREG(st.st_mode)) {
        close(f);
        return cf_fail(d, CLINFER_E_IO, "%s: the %s is %s, not a regular file", path, what, kind_of(st.st_mode));
    }
    int flags = fcntl(f, F_GETFL);
    if (flags >= 0) fcntl(f, F_SETFL, flags & ~O_NONBLOCK);
    *fd = f;
    *size = (uint64_t)st.st_size;
    return CLINFER_OK;
}

clinfer_status cf_file_read_at(int fd, const char *path, uint64_t off, void *buf, size_t n, struct cf_diag *d)
{
    unsigned char *p = buf;
    size_t done = 0;
    while (done < n) {
        size_t chunk = n - done > ((size_t)1 << 30) ? ((size_t)1 << 30) : n - done;
        ssize_t got = pread(fd, p + done, chunk, (off_t)(off + done));
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            char why[128];
            return cf_fail(d, CLINFER_E_IO, "%s: read error: %s", path, cf_errno_text(errno, why, sizeof why));
        }
        if (got == 0)
            return cf_fail(d, CLINFER_E_PARSE, "%s: truncated: the file ends at byte %llu, before the %zu bytes it needs",
                           path, (unsigned long long)(off + done), n);
        done += (size_t)got;
    }
    return CLINFER_OK;
}

struct size_words {
    char s[32];
};
static struct size_words mib(uint64_t b)
{
    struct size_words t;
    if (b >= ((uint64_t)1 << 30)) snprintf(t.s, sizeof t.s, "%.1f GiB", (double)b / (double)(1u << 30));
    else snprintf(t.s, sizeof t.s, "%.0f MiB", (double)b / (double)(1u << 20));
    return t;
}

clinfer_status cf_read_file(const char *path, const char *what, size_t max, unsigned char **buf, size_t *len,
                            struct cf_diag *d)
{
    *buf = NULL;
    *len = 0;
    int fd;
    uint64_t size;
    clinfer_status st = cf_file_open_read(path, what, &fd, &size, d);
    if (st) return st;
    if (size > max) {
        close(fd);
        return cf_fail(d, CLINFER_E_LIMIT, "%s: the %s is %s, larger than the %s clinfer reads", path, what, mib(size).s,
                       mib(max).s);
    }
    unsigned char *b = cf_malloc((size_t)size + 1);
    if (!b) {
        close(fd);
        return cf_fail(d, CLINFER_E_NOMEM, "%s: out of memory for the %s's %llu bytes", path, what,
                       (unsigned long long)size);
    }
    st = cf_file_read_at(fd, path, 0, b, (size_t)size, d);
    close(fd);
    if (st) {
        cf_free(b);
        return st;
    }
    b[size] = 0;
    *buf = b;
    *len = (size_t)size;
    return CLINFER_OK;
}

FILE *cf_replace_open(const char *path, char *tmp, size_t size)
{
    static _Atomic unsigned counter;
    struct stat old;
    int have_old = stat(path, &old) == 0 && S_ISREG(old.st_mode);
    for (int attempt = 0; attempt < 100; attempt++) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        unsigned tag = (unsigned)ts.tv_nsec ^ (++counter * 2654435761u);
        if (snprintf(tmp, size, "%s.tmp-%ld-%08x", path, (long)getpid(), tag) >= (int)size) {
            errno = ENAMETOOLONG;
            return NULL;
        }
        /* created by open with 0666, so the umask applies as to any new file */
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno == EEXIST) continue;
        if (fd < 0) return NULL;
        if (have_old) fchmod(fd, old.st_mode & 07777);
        FILE *f = fdopen(fd, "wb");
        if (!f) {
            int e = errno;
            close(fd);
            unlink(tmp);
            errno = e;
        }
        return f;
    }
    errno = EEXIST;
    return NULL;
}

int cf_replace_commit(FILE *f, const char *tmp, const char *path, int ok)
{
    int e = 0;
    if (ok && (fflush(f) != 0 || fsync(fileno(f)) != 0)) ok = 0, e = errno;
    if (fclose(f) != 0 && ok) ok = 0, e = errno;
    if (ok && rename(tmp, path) == 0) return 1;
    if (ok) e = errno;
    unlink(tmp);
    errno = e;
    return 0;
}
