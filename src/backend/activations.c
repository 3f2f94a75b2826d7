/* Activation functions as Keras 2 defines them (keras/activations.py), shared by the C backends. */
#include <math.h>

#include "backend.h"

float cf_act_apply(enum cf_act act, float x, const struct cf_attrs *a)
{
    switch (act) {
    case CF_ACT_LINEAR: return x;
    case CF_ACT_RELU:
        /* ReLU(max_value, negative_slope, threshold); 'relu' is the plain case */
        /* NaN stays NaN; below the threshold 0 without a slope (0 * -inf would be NaN) */
        if (a->max_value >= 0 && x >= a->max_value) return a->max_value;
        if (x >= a->threshold || isnan(x)) return x;
        return a->alpha == 0 ? 0.0f : a->alpha * (x - a->threshold);
    case CF_ACT_SIGMOID: return 1.0f / (1.0f + expf(-x));
    case CF_ACT_TANH: return tanhf(x);
    case CF_ACT_SOFTMAX: return x; /* along an axis: see ref_apply_act */
    case CF_ACT_ELU: return x > 0 ? x : a->alpha * (expf(x) - 1.0f);
    case CF_ACT_SELU: return a->beta * (x > 0 ? x : a->alpha * (expf(x) - 1.0f));
    case CF_ACT_SOFTPLUS: return x > 0 ? x + log1pf(expf(-x)) : log1pf(expf(x));
    case CF_ACT_SOFTSIGN: return x / (fabsf(x) + 1.0f);
    case CF_ACT_SWISH: return x / (1.0f + expf(-x));
    case CF_ACT_GELU: return 0.5f * x * (1.0f + erff(x * 0.70710678118654752f));
    case CF_ACT_HARD_SIGMOID: {
        float y = a->alpha * x + a->beta;
        return y < 0 ? 0 : y > 1 ? 1 : y; /* (NaN passes through) */
    }
    case CF_ACT_CLIP: return x < a->alpha ? a->alpha : x > a->beta ? a->beta : x;
    case CF_ACT_LOG_SOFTMAX: return x; /* along an axis */
    case CF_ACT_RELU6: return x < 0 ? 0 : x > 6 ? 6 : x;
    case CF_ACT_LEAKY_RELU: return x >= 0 ? x : a->alpha * x;
    case CF_ACT_HARD_SWISH: return x <= -3.0f ? 0.0f : x >= 3.0f ? x : x * (x + 3.0f) / 6.0f; /* x·relu6(x + 3)/6 */
    case CF_ACT_MISH: { /* x·tanh(softplus(x)) */
        float sp = x > 0.0f ? x + log1pf(expf(-x)) : log1pf(expf(x));
        return x * tanhf(sp);
    }
    case CF_ACT_GELU_TANH: /* 0.5·x·(1 + tanh(sqrt(2/pi)·(x + 0.044715·x^3))) */
        return 0.5f * x * (1.0f + tanhf(0.7978845608028654f * (x + 0.044715f * x * x * x)));
    case CF_ACT_COUNT: break;
    }
    return x;
}
