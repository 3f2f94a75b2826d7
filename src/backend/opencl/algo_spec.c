/* The grammar of --algo (clinfer_session_options.algo): "LAYER=FAMILY[:N[:N]]" items separated by commas, each
 * checked against the forms below, with the ranges the kernels accept, before a session is made. The tuner
 * (tuned.c) reads the same items. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/alloc.h"
#include "../../util/strbuf.h"
#include "../backend.h"

static const struct form {
    const char *layer, *family;
    int n;          /* numbers after the family */
    int hi[2];      /* each at least 1, at most hi */
    const char *what;
} forms[] = {
    {"conv", "direct", 0, {0, 0}, "the generic kernel"},
    {"conv", "clblast", 0, {0, 0}, "CLBlast's GEMM (im2col for k x k)"},
    {"conv", "blocked", 2, {64, 64}, "P pixels x V float16 vectors of channels a work-item"},
    {"conv", "gemm", 2, {16, 8}, "1x1 convolutions as a GEMM: P x V"},
    {"conv", "winograd", 2, {16, 8}, "3x3 stride-1 convolutions by Winograd F(2,3): P tiles x V"},
    {"conv", "rows", 2, {16, 8}, "NCHW rows of pixels: P channels x V vectors"},
    {"depthwise", "direct", 0, {0, 0}, "the generic kernel"},
    {"depthwise", "blocked", 1, {64, 0}, "P pixels (NHWC) or rows (NCHW) a work-item"},
    {"pool", "direct", 0, {0, 0}, "the generic kernel"},
    {"pool", "rows", 1, {64, 0}, "NCHW pooling, P output rows a work-item"},
    {"dense", "direct", 0, {0, 0}, "the generic kernel"},
    {"dense", "clblast", 0, {0, 0}, "CLBlast's GEMM"},
    {"dense", "tiled", 2, {64, 64}, "U units x R rows a work-item"},
    {"dense", "splitk", 2, {1 << 20, 32}, "split-K GEMV at one row: KC inputs x V vectors a work-item"},
};

static void list_forms(struct cf_strbuf *sb)
{
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        const struct form *f = &forms[i];
        cf_sb_printf(sb, "\n  %s=%s", f->layer, f->family);
        if (f->n == 1) cf_sb_printf(sb, ":P (P 1-%d)", f->hi[0]);
        if (f->n == 2) cf_sb_printf(sb, ":%s:V (1-%d, 1-%d)", strcmp(f->family, "splitk") == 0 ? "KC" : strcmp(f->family, "tiled") == 0 ? "U" : "P", f->hi[0], f->hi[1]);
        cf_sb_printf(sb, "  %s", f->what);
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
    int seen[sizeof forms / sizeof forms[0]] = {0};
    for (const char *p = spec;;) {
        int len = (int)strcspn(p, ",");
        const char *eq = memchr(p, '=', (size_t)len);
        if (!eq) return bad(spec, p, len, "is not LAYER=FAMILY", d);
        int ll = (int)(eq - p);
        const char *fam = eq + 1;
        int fl = (int)strcspn(fam, ":,");
        const struct form *f = NULL;
        int layer_known = 0;
        for (size_t i = 0; i < sizeof forms / sizeof forms[0] && !f; i++) {
            int lm = (int)strlen(forms[i].layer) == ll && strncmp(forms[i].layer, p, (size_t)ll) == 0;
            layer_known |= lm;
            if (lm && (int)strlen(forms[i].family) == fl && strncmp(forms[i].family, fam, (size_t)fl) == 0) {
                f = &forms[i];
                for (size_t j = 0; j < sizeof forms / sizeof forms[0]; j++)
                    if (seen[j] && strcmp(forms[j].layer, f->layer) == 0)
                        return bad(spec, p, len, "gives a second family for the same layers", d);
                seen[i] = 1;
            }
        }
        if (!layer_known) return bad(spec, p, len, "names no kind of layer (conv, depthwise, pool, dense)", d);
        if (!f) return bad(spec, p, len, "names no family of those layers", d);
        const char *q = fam + fl;
        for (int k = 0; k < f->n; k++) {
            if (*q != ':') return bad(spec, p, len, f->n == 1 ? "needs one number" : "needs two numbers", d);
            q++;
            char *end;
            errno = 0;
            long v = strtol(q, &end, 10);
            if (end == q || errno || (*end && *end != ':' && *end != ',') || v < 1 || v > f->hi[k])
                return bad(spec, p, len, "has a number out of its range", d);
            q = end;
        }
        if (*q && *q != ',') return bad(spec, p, len, f->n ? "has too many numbers" : "takes no numbers", d);
        if (!*q) break;
        p = q + 1;
        if (!*p) return bad(spec, "", 0, "ends with a comma", d);
    }
    return CLINFER_OK;
}
