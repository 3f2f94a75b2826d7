/* MatMul of two activations: (..., M, K) x (..., K, N). The leading axes (innermost first in lead, padded with
 * 1) broadcast: xs and ys are each operand's stride in whole matrices along them (0 where broadcast). */
__kernel void matmul_f32(__global float *A, uint xo, uint wo, uint yo, int M, int K, int N, int batches, int8 lead,
                         int8 xs, int8 ys)
{
    size_t i = get_global_id(0);
    if (i >= (size_t)batches * M * N) return;
    int j = (int)(i % N), r = (int)((i / N) % M);
    size_t b = i / ((size_t)M * N), rem = b, xb = 0, yb = 0;
    int l[8] = {lead.s0, lead.s1, lead.s2, lead.s3, lead.s4, lead.s5, lead.s6, lead.s7};
    int sx[8] = {xs.s0, xs.s1, xs.s2, xs.s3, xs.s4, xs.s5, xs.s6, xs.s7};
    int sy[8] = {ys.s0, ys.s1, ys.s2, ys.s3, ys.s4, ys.s5, ys.s6, ys.s7};
    for (int k = 0; k < 8; k++) {
        size_t c = rem % (size_t)l[k];
        rem /= (size_t)l[k];
        xb += c * (size_t)sx[k];
        yb += c * (size_t)sy[k];
    }
    __global const float *x = A + xo + (xb * M + r) * K, *w = A + wo + yb * K * N + j;
    float acc = 0.0f;
    for (int k = 0; k < K; k++) acc = fma(x[k], w[(size_t)k * N], acc);
    A[yo + i] = acc;
}
