/* Shared by every kernel file: the activation functions (ids as in src/ir/activations.def, passed with -D). */
#ifndef ACT_LINEAR
#define ACT_LINEAR 0
#define ACT_RELU 1
#define ACT_SIGMOID 2
#define ACT_TANH 3
#define ACT_SOFTMAX 4
#define ACT_ELU 5
#define ACT_SELU 6
#define ACT_SOFTPLUS 7
#define ACT_SOFTSIGN 8
#define ACT_SWISH 9
#define ACT_GELU 10
#define ACT_HARD_SIGMOID 11
#define ACT_RELU6 12
#define ACT_LEAKY_RELU 13
#endif

/* act: id; alpha: LeakyReLU slope / ReLU negative_slope; maxv: ReLU max_value (< 0: none); thr: ReLU threshold */
inline float act_apply(float x, int act, float alpha, float maxv, float thr)
{
    switch (act) {
    case ACT_RELU:
        if (maxv >= 0.0f && x >= maxv) return maxv;
        return x >= thr ? x : alpha * (x - thr);
    case ACT_SIGMOID: return 1.0f / (1.0f + exp(-x));
    case ACT_TANH: return tanh(x);
    case ACT_ELU: return x > 0.0f ? x : exp(x) - 1.0f;
    case ACT_SELU: return 1.0507009873554805f * (x > 0.0f ? x : 1.6732632423543772f * (exp(x) - 1.0f));
    case ACT_SOFTPLUS: return x > 0.0f ? x + log1p(exp(-x)) : log1p(exp(x));
    case ACT_SOFTSIGN: return x / (fabs(x) + 1.0f);
    case ACT_SWISH: return x / (1.0f + exp(-x));
    case ACT_GELU: return 0.5f * x * (1.0f + erf(x * 0.70710678118654752f));
    case ACT_HARD_SIGMOID: return clamp(0.2f * x + 0.5f, 0.0f, 1.0f);
    case ACT_RELU6: return clamp(x, 0.0f, 6.0f);
    case ACT_LEAKY_RELU: return x >= 0.0f ? x : alpha * x;
    default: return x; /* linear; softmax runs as its own pass over rows */
    }
}
