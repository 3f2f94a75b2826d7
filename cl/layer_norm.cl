/* LayerNormalization over the last axis: one work-item per row of C values, its mean and then its variance (two
 * passes, as exact as float allows), then the normalised row with gamma and beta (has_g, has_b: given). */
__kernel void layer_norm_f32(__global float *A, uint xo, uint yo, uint rows, int C, float eps,
                             __global const float *g, __global const float *b, int has_g, int has_b)
{
    size_t r = get_global_id(0);
    if (r >= rows) return;
    __global const float *x = A + xo + r * (size_t)C;
    __global float *y = A + yo + r * (size_t)C;
    float mean = 0.0f, var = 0.0f;
    for (int k = 0; k < C; k++) mean += x[k];
    mean /= (float)C;
    for (int k = 0; k < C; k++) {
        float e = x[k] - mean;
        var = fma(e, e, var);
    }
    float inv = rsqrt(var / (float)C + eps);
    for (int k = 0; k < C; k++) {
        float v = (x[k] - mean) * inv;
        if (has_g) v *= g[k];
        if (has_b) v += b[k];
        y[k] = v;
    }
}
