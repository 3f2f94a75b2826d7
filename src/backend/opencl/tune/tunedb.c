/* The tuning database: lines "key<TAB>kind a b" in $XDG_CACHE_HOME/clinfer/tune-DEVICE.txt, one file per device and
 * driver; the key is the layer's sizes with the tuner's version. Appends write a whole new file renamed over the old
 * one, so that readers never see half a line; the last line for a key wins. */
#include <stdio.h>
#include <string.h>

#include "../../../util/files.h"
#include "tunedb.h"

static void db_path(const struct cf_cl_device *dev, char *out, size_t size)
{
    char dir[1200];
    if (!cf_cl_cache_dir(dir, sizeof dir)) {
        out[0] = '\0';
        return;
    }
    uint64_t h = 1469598103934665603ull;
    for (const char *p = dev->name; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    for (const char *p = dev->driver; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    snprintf(out, size, "%s/tune-%016llx.txt", dir, (unsigned long long)h);
}

int cf_tunedb_lookup(const struct cf_cl_device *dev, const char *key, struct cf_algo *out)
{
    char path[1400], line[4096];
    db_path(dev, path, sizeof path);
    FILE *f = path[0] ? fopen(path, "r") : NULL;
    if (!f) return 0;
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        char *tab = strchr(line, '\t');
        if (!tab) continue;
        *tab = '\0';
        int kind, a, b;
        if (strcmp(line, key) == 0 && sscanf(tab + 1, "%d %d %d", &kind, &a, &b) == 3 &&
            kind >= CF_ALGO_GENERIC && kind < CF_ALGO_COUNT && a > 0 && b > 0 && a <= 4096 && b <= 64) {
            *out = (struct cf_algo){(enum cf_algo_kind)kind, a, b};
            found = 1;
        }
    }
    fclose(f);
    return found;
}

void cf_tunedb_store(const struct cf_cl_device *dev, const char *key, const struct cf_algo *a)
{
    char path[1400], tmp[1500];
    db_path(dev, path, sizeof path);
    if (!path[0]) return;
    FILE *out = cf_replace_open(path, tmp, sizeof tmp), *in = out ? fopen(path, "r") : NULL;
    if (!out) {
        if (in) fclose(in);
        return;
    }
    char buf[4096];
    size_t got;
    while (in && (got = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, got, out);
    if (in) fclose(in);
    fprintf(out, "%s\t%d %d %d\n", key, (int)a->kind, a->a, a->b);
    cf_replace_commit(out, tmp, path, 1);
}
