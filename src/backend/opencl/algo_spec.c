/* The grammar of --algo (clinfer_session_options.algo): "LAYER=FAMILY[:N[:N]]" items separated by commas, checked
 * before a session is made against the families' table (tune/families.c: each family's layers, name, numbers and
 * their ranges) and "LAYER=direct", the generic kernel. The tuner (tune/tuner.c) reads the same items. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/alloc.h"
#include "../../util/strbuf.h"
#include "tune/family.h"

static const char *const layers[] = {"conv", "depthwise", "pool", "dense"};
#define N_LAYERS 4

static void list_forms(struct cf_strbuf *sb)
{
    cf_sb_puts(sb, "\n  gpu  every layer its GPU-shaped family (work-groups, local memory), the others as given");
    for (int l = 0; l < N_LAYERS; l++) {
        cf_sb_printf(sb, "\n  %s=direct  the generic kernel", layers[l]);
        for (int i = 0; cf_families[i]; i++) {
            const struct cf_family *f = cf_families[i];
            if (!cf_word_listed(f->layer, layers[l])) continue;
            cf_sb_printf(sb, "\n  %s=%s", layers[l], f->name);
            const char *names = f->arg_names ? f->arg_names : f->n_args == 1 ? "P" : "P:V";
            if (f->n_args == 1) cf_sb_printf(sb, ":%s (%s 1-%d)", names, names, f->max[0]);
            if (f->n_args == 2) cf_sb_printf(sb, ":%s (1-%d, 1-%d)", names, f->max[0], f->max[1]);
            cf_sb_printf(sb, "  %s", f->args_help);
        }
    }
}

static clinfer_status bad(const char *spec, const char *item, int len, const char *why, struct cf_diag *d)
{
    struct cf_strbuf sb = {0};
    cf_sb_printf(&sb, "--algo '%s': '%.*s' %s; the accepted forms (items separated by commas):", spec, len, item, why);
    list_forms(&sb);
    char *text = cf_sb_take(&sb);
    clinfer_status st = cf_fail(d, CLINFER_E_ARG, "%s", text ? text : "bad --algo");
    cf_free(text);
    return st;
}

clinfer_status cf_algo_spec_check(const char *spec, struct cf_diag *d)
{
    if (!spec) return CLINFER_OK;
    if (!*spec) return bad(spec, "", 0, "is empty", d);
    int seen[N_LAYERS] = {0};
    for (const char *p = spec;;) {
        int len = (int)strcspn(p, ",");
        const char *eq = memchr(p, '=', (size_t)len);
        if (len == 3 && strncmp(p, "gpu", 3) == 0) { /* every layer its GPU-shaped family */
            if (!p[len]) break;
            p += len + 1;
            if (!*p) return bad(spec, "", 0, "ends with a comma", d);
            continue;
        }
        if (!eq) return bad(spec, p, len, "is not LAYER=FAMILY (or gpu)", d);
        int ll = (int)(eq - p), layer = -1;
        for (int l = 0; l < N_LAYERS; l++)
            if ((int)strlen(layers[l]) == ll && strncmp(layers[l], p, (size_t)ll) == 0) layer = l;
        if (layer < 0) return bad(spec, p, len, "names no kind of layer (conv, depthwise, pool, dense)", d);
        if (seen[layer]++) return bad(spec, p, len, "gives a second family for the same layers", d);
        const char *fam = eq + 1;
        int fl = (int)strcspn(fam, ":,"), n_args = -1, max[2] = {0, 0};
        if (fl == 6 && strncmp(fam, "direct", 6) == 0) n_args = 0;
        for (int i = 0; cf_families[i] && n_args < 0; i++) {
            const struct cf_family *f = cf_families[i];
            if ((int)strlen(f->name) == fl && strncmp(f->name, fam, (size_t)fl) == 0 && cf_word_listed(f->layer, layers[layer])) {
                n_args = f->n_args;
                max[0] = f->max[0], max[1] = f->max[1];
            }
        }
        if (n_args < 0) return bad(spec, p, len, "names no family of those layers", d);
        const char *q = fam + fl;
        for (int k = 0; k < n_args; k++) {
            if (*q != ':') return bad(spec, p, len, n_args == 1 ? "needs one number" : "needs two numbers", d);
            q++;
            char *end;
            errno = 0;
            long v = strtol(q, &end, 10);
            if (end == q || errno || (*end && *end != ':' && *end != ',') || v < 1 || v > max[k])
                return bad(spec, p, len, "has a number out of its range", d);
            q = end;
        }
        if (*q && *q != ',') return bad(spec, p, len, n_args ? "has too many numbers" : "takes no numbers", d);
        if (!*q) break;
        p = q + 1;
        if (!*p) return bad(spec, "", 0, "ends with a comma", d);
    }
    return CLINFER_OK;
}
