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
