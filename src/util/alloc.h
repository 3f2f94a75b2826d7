/* Allocation wrappers: every allocation of the library goes through these, so a test can fail the N-th one. */
#ifndef CF_ALLOC_H
#define CF_ALLOC_H
#include <stddef.h>

void *cf_malloc(size_t n);
/* Page-aligned, its pages made at once: memory an OpenCL CPU device uses in place (CL_MEM_USE_HOST_PTR). */
void *cf_malloc_pages(size_t n);
void *cf_calloc(size_t count, size_t size);
void *cf_realloc(void *p, size_t n);
void cf_free(void *p);
char *cf_strdup(const char *s);
char *cf_strndup(const char *s, size_t n);

/* Test hook: make the allocation numbered `n` (1-based, counted from this call) fail; 0 disables. */
void cf_alloc_fail_at(long n);
/* Number of allocations attempted since the last cf_alloc_fail_at call. */
long cf_alloc_count(void);

/* A bump arena for short-lived objects (parser trees, evaluator values): freed in one call. */
struct cf_arena {
    struct cf_arena_chunk *head;
    size_t bytes; /* of every chunk it holds */
};
void *cf_arena_alloc(struct cf_arena *a, size_t n); /* zeroed memory, NULL when out of memory */
char *cf_arena_strndup(struct cf_arena *a, const char *s, size_t n);
void cf_arena_free(struct cf_arena *a);

#endif
