/* A small deterministic generator (splitmix64), shared by weights, seeded inputs and the tuner's test inputs. */
#ifndef CF_RNG_H
#define CF_RNG_H
#include <stdint.h>

uint64_t cf_rng_next(uint64_t *state);
/* uniform in [lo, hi) */
float cf_rng_uniform(uint64_t *state, float lo, float hi);
/* a seed from a number and two names (a layer's, a tensor's), so that each tensor's values do not depend on order */
uint64_t cf_rng_seed(uint64_t seed, const char *a, const char *b);

#endif
