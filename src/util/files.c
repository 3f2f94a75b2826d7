#include "files.h"

#include <stdlib.h>
#include <unistd.h>

FILE *cf_replace_open(const char *path, char *tmp, size_t size)
{
    if (snprintf(tmp, size, "%s.XXXXXX", path) >= (int)size) return NULL;
    int fd = mkstemp(tmp);
    if (fd < 0) return NULL;
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        close(fd);
        remove(tmp);
    }
    return f;
}

int cf_replace_commit(FILE *f, const char *tmp, const char *path, int ok)
{
    ok = (fclose(f) == 0) && ok;
    if (ok && rename(tmp, path) == 0) return 1;
    remove(tmp);
    return 0;
}
