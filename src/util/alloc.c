/* Allocation wrappers with a fail-the-N-th-allocation hook, and a bump arena. */
#define _DEFAULT_SOURCE /* madvise's MADV_HUGEPAGE (Linux); without it the advice is left out */
#include "alloc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static _Atomic long g_fail_at; /* 0: never fail (atomic: sessions run in several threads) */
static _Atomic long g_count;

void cf_alloc_fail_at(long n) { g_fail_at = n; g_count = 0; }
long cf_alloc_count(void) { return g_count; }

static int should_fail(void)
{
    ++g_count;
    return g_fail_at > 0 && g_count == g_fail_at;
}

/* Large blocks (weights: tens of MB) on 2 MiB boundaries, with transparent huge pages asked for where the system
 * has them: one page fault per 2 MiB instead of one per 4 KiB when the weights are first written. */
enum { LARGE = 4 << 20, HUGE_PAGE = 2 << 20 };

void *cf_malloc(size_t n)
{
    if (should_fail()) return NULL;
    if (n < LARGE) return malloc(n ? n : 1);
    void *p = NULL;
    if (posix_memalign(&p, HUGE_PAGE, n)) return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, n / HUGE_PAGE * HUGE_PAGE, MADV_HUGEPAGE); /* advice: its failure changes nothing */
#endif
    return p;
}

void *cf_calloc(size_t count, size_t size) { return should_fail() ? NULL : calloc(count ? count : 1, size ? size : 1); }
void *cf_realloc(void *p, size_t n) { return should_fail() ? NULL : realloc(p, n ? n : 1); }
void cf_free(void *p) { free(p); }

char *cf_strndup(const char *s, size_t n)
{
    char *r = cf_malloc(n + 1);
    if (r) {
        memcpy(r, s, n);
        r[n] = '\0';
    }
    return r;
}

char *cf_strdup(const char *s) { return cf_strndup(s, strlen(s)); }

struct cf_arena_chunk {
    struct cf_arena_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

void *cf_arena_alloc(struct cf_arena *a, size_t n)
{
    const size_t align = sizeof(max_align_t);
    n = (n + align - 1) / align * align;
    struct cf_arena_chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        c = cf_malloc(sizeof *c + cap);
        if (!c) return NULL;
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *cf_arena_strndup(struct cf_arena *a, const char *s, size_t n)
{
    char *r = cf_arena_alloc(a, n + 1);
    if (r) memcpy(r, s, n);
    return r;
}

void cf_arena_free(struct cf_arena *a)
{
    struct cf_arena_chunk *c = a->head;
    while (c) {
        struct cf_arena_chunk *next = c->next;
        cf_free(c);
        c = next;
    }
    a->head = NULL;
}
