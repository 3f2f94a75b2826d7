/* BatchNormalization (inference) along one axis: channel c = (i / inner) % len. scale[c] and shift[c] are
 * folded on the host from gamma, beta, mean, variance and epsilon. */
__kernel void batch_norm_f32(__global float *A, uint xo, uint yo, uint n, int len, int inner,
                             __global const float *scale, __global const float *shift)
{
    size_t i = get_global_id(0);
    if (i >= n) return;
    int c = (int)((i / inner) % len);
    A[yo + i] = fma(A[xo + i], scale[c], shift[c]);
}

/* The same with gamma, beta, mean and variance given at run time (ONNX): y = (x - m)/sqrt(v + eps)*g + b. */
__kernel void batch_norm_full_f32(__global float *A, uint xo, uint yo, uint n, int len, int inner,
                                  __global const float *g, __global const float *b, __global const float *m,
                                  __global const float *v, float eps)
{
    size_t i = get_global_id(0);
    if (i >= n) return;
    int c = (int)((i / inner) % len);
    A[yo + i] = (A[xo + i] - m[c]) / sqrt(v[c] + eps) * g[c] + b[c];
}
