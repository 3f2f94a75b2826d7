/* Files, read and written safely: only regular files are read (a FIFO, a device or a directory is refused by name,
 * and opening never blocks), sizes are known before anything is allocated, every failure carries the system's
 * reason (errno text); and files are written whole or not at all: into a uniquely named temporary file beside the
 * target, flushed to disk, then renamed over it, so that readers never see half a file and concurrent writers
 * (threads or processes) never share a temporary. */
#ifndef CF_FILES_H
#define CF_FILES_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"

/* The system's words for an errno value ("No such file or directory"). */
const char *cf_errno_text(int err, char *buf, size_t size);

/* Opens `path` to read (`what` names it in messages: "model", "input", "weights", "external data"): only a
 * regular file. *size is its length. Close *fd with close(). */
clinfer_status cf_file_open_read(const char *path, const char *what, int *fd, uint64_t *size, struct cf_diag *d);
/* Reads exactly n bytes at offset off; a file that ends before is "truncated". */
clinfer_status cf_file_read_at(int fd, const char *path, uint64_t off, void *buf, size_t n, struct cf_diag *d);
/* Reads a whole regular file of at most max bytes into *buf (cf_free; one byte more is allocated and zeroed). */
clinfer_status cf_read_file(const char *path, const char *what, size_t max, unsigned char **buf, size_t *len,
                            struct cf_diag *d);

/* Opens a new temporary file beside path for writing (its name into tmp); NULL when it cannot (errno set). Its mode
 * is what a new file at path would get (0666 less the umask), or the mode of the file it will replace. */
FILE *cf_replace_open(const char *path, char *tmp, size_t size);
/* Flushes f to disk and closes it; when ok and all of that succeeds, renames tmp over path, else removes tmp.
 * Returns whether it replaced (errno set when not). */
int cf_replace_commit(FILE *f, const char *tmp, const char *path, int ok);

#endif
