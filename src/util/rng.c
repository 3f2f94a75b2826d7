/* splitmix64, and seeds made from names. */
#include "rng.h"

uint64_t cf_rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

float cf_rng_uniform(uint64_t *s, float lo, float hi)
{
    double u = (double)(cf_rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
    return (float)(lo + (hi - lo) * u);
}

uint64_t cf_rng_seed(uint64_t seed, const char *a, const char *b)
{
    uint64_t h = 1469598103934665603ull ^ seed;
    for (const char *p = a; p && *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    h = (h ^ '/') * 1099511628211ull;
    for (const char *p = b; p && *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return h;
}
