/* Files written whole or not at all: into a uniquely named temporary file beside the target, then renamed over
 * it, so that readers never see half a file and concurrent writers (threads or processes) never share a
 * temporary. Used by the kernel-program cache and the tuning database. */
#ifndef CF_FILES_H
#define CF_FILES_H
#include <stddef.h>
#include <stdio.h>

/* Opens a new temporary file beside path for writing (its name into tmp); NULL when it cannot. */
FILE *cf_replace_open(const char *path, char *tmp, size_t size);
/* Closes f; when ok and the close succeeds, renames tmp over path, else removes tmp. Returns whether it replaced. */
int cf_replace_commit(FILE *f, const char *tmp, const char *path, int ok);

#endif
