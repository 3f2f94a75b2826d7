/* LRN across channels (axis 1): y = x / (bias + alpha/size * sum of x^2 over [c - (size-1)/2, c + size/2]). */
__kernel void lrn_f32(__global float *A, uint xo, uint yo, int N, int C, int inner, int size, float alpha, float beta,
                      float bias)
{
    size_t i = get_global_id(0);
    if (i >= (size_t)N * C * inner) return;
    int p = (int)(i % inner), c = (int)((i / inner) % C), n = (int)(i / ((size_t)inner * C));
    int lo = (size - 1) / 2, hi = size - 1 - lo;
    float sq = 0.0f;
    for (int k = max(c - lo, 0); k <= min(c + hi, C - 1); k++) {
        float v = A[xo + ((size_t)n * C + k) * inner + p];
        sq = fma(v, v, sq);
    }
    A[yo + i] = A[xo + i] / pow(bias + alpha / (float)size * sq, beta);
}
