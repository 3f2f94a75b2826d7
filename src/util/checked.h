/* Overflow-checked arithmetic on element counts: every shape product goes through these. */
#ifndef CF_CHECKED_H
#define CF_CHECKED_H
#include <stdint.h>

/* Element counts are capped well below INT64_MAX so that byte sizes (x4, x8) cannot overflow either. */
#define CF_MAX_ELEMS ((int64_t)1 << 50)

/* The most elements one tensor (an activation per item, a whole batch's, a weight) may have: 2^36 floats are 256 GiB,
 * more than any device holds, so a larger declared shape is a mistake or an attack, refused before any allocation. */
#define CF_MAX_TENSOR_ELEMS ((int64_t)1 << 36)

/* *out = a * b; returns 0 (and leaves *out alone) when the result would pass CF_MAX_ELEMS. */
static inline int cf_mul_ok(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;
    if (a < 0 || b < 0 || __builtin_mul_overflow(a, b, &r) || r > CF_MAX_ELEMS) return 0;
    *out = r;
    return 1;
}

static inline int cf_add_ok(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;
    if (a < 0 || b < 0 || __builtin_add_overflow(a, b, &r) || r > CF_MAX_ELEMS) return 0;
    *out = r;
    return 1;
}

#endif
