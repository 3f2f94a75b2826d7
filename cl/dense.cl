/* Dense: y[r][u] = act(sum_c x[r][c]*K[c][u] + b[u]) for each of `rows` leading positions; K is [Cin][units]. */
__kernel void dense_f32(__global float *A, uint xo, uint yo, __global const float *K, __global const float *B,
                        int has_bias, int rows, int cin, int units, int act, float4 ap)
{
    size_t i = get_global_id(0);
    if (i >= (size_t)rows * units) return;
    int u = (int)(i % units), r = (int)(i / units);
    __global const float *xp = A + xo + (size_t)r * cin;
    float acc = has_bias ? B[u] : 0.0f;
    for (int c = 0; c < cin; c++) acc = fma(xp[c], K[(size_t)c * units + u], acc);
    A[yo + i] = act_apply(acc, act, ap);
}
