/* Allocation wrappers with a fail-the-N-th-allocation hook, and a bump arena. */
#define _DEFAULT_SOURCE /* madvise's MADV_POPULATE_WRITE (Linux); without it the advice is left out */
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

/* Large blocks (weights: tens of MB) page-aligned, so that a CPU device can use them in place, and their pages made
 * at once (one call instead of a fault per 4 KiB page: 40 MB in ~15 ms instead of ~25 on our VMs). Not huge pages:
 * where the system hands its free 2 MiB blocks back to a hypervisor (these VMs), 40 MB of them took 5 ms or over
 * 100 ms to fault, by chance, and the GEMV that reads them was only 10-15% faster. */
enum { LARGE = 4 << 20, PAGE = 4096 };

void *cf_malloc(size_t n)
{
    if (should_fail()) return NULL;
    if (n < LARGE) return malloc(n ? n : 1);
    void *p = NULL;
    if (posix_memalign(&p, PAGE, n)) return NULL;
#ifdef MADV_POPULATE_WRITE
    madvise(p, n / PAGE * PAGE, MADV_POPULATE_WRITE); /* advice: its failure (before Linux 5.14) changes nothing */
#endif
    return p;
}

void *cf_malloc_pages(size_t n)
{
    if (should_fail()) return NULL;
    void *p = NULL;
    if (posix_memalign(&p, PAGE, n ? n : 1)) return NULL;
#ifdef MADV_POPULATE_WRITE
    if (n >= PAGE) madvise(p, n / PAGE * PAGE, MADV_POPULATE_WRITE);
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
        c->used = 0;
        c->cap = cap;
        a->bytes += cap;
        if (n > 16384 && a->head) { /* a large block gets a chunk of its own: the head keeps its free room */
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
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
    a->bytes = 0;
    while (c) {
        struct cf_arena_chunk *next = c->next;
        cf_free(c);
        c = next;
    }
    a->head = NULL;
}
