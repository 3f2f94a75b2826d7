/* Activations applied alone (in place when the planner says so), and softmax (or log-softmax) over groups of
 * `len` values spaced `inner` apart. */
/* 16 elements per work-item, as one vector where they are all there */
__kernel void activation_f32(__global float *A, uint xo, uint yo, uint n, int act, float4 ap)
{
    const size_t i = get_global_id(0) * 16;
    if (i + 16 <= n) {
        vstore16(act_apply16(vload16(0, A + xo + i), act, ap), 0, A + yo + i);
        return;
    }
    for (size_t k = i; k < i + 16 && k < n; k++) A[yo + k] = act_apply(A[xo + k], act, ap);
}

__kernel void softmax_f32(__global float *A, uint xo, uint yo, int outer, int len, int inner, int is_log)
{
    size_t i = get_global_id(0);
    if (i >= (size_t)outer * inner) return;
    size_t base = (i / inner) * (size_t)len * inner + i % inner;
    __global const float *x = A + xo + base;
    __global float *y = A + yo + base;
    float m = x[0];
    for (int k = 1; k < len; k++) m = MAX_NAN(m, x[(size_t)k * inner]);
    float s = 0.0f;
    for (int k = 0; k < len; k++) s += exp(x[(size_t)k * inner] - m);
    float ls = log(s);
    for (int k = 0; k < len; k++) {
        float v = x[(size_t)k * inner] - m;
        y[(size_t)k * inner] = is_log ? v - ls : exp(v) / s;
    }
}
