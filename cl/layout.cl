/* Data movement: ZeroPadding2D, and one input's part of a Concatenate. */
__kernel void zero_pad2d_f32(__global float *A, uint xo, uint yo, int N, int H, int W, int C, int Ho, int Wo,
                             int top, int left)
{
    size_t i = get_global_id(0);
    if (i >= (size_t)N * Ho * Wo * C) return;
    int c = (int)(i % C);
    size_t p = i / C;
    int ox = (int)(p % Wo), oy = (int)((p / Wo) % Ho), n = (int)(p / ((size_t)Wo * Ho));
    int iy = oy - top, ix = ox - left;
    A[yo + i] = (iy >= 0 && iy < H && ix >= 0 && ix < W) ? A[xo + (((size_t)n * H + iy) * W + ix) * C + c] : 0.0f;
}

/* rows of `chunk` values of the input go to column `at` of output rows of `out_row` values */
/* one input of a concatenation: `outer` rows of `chunk` floats into rows of `out_row`, from column `at`; one
 * work-item per 64 floats of a row */
__kernel void concat_f32(__global float *A, uint xo, uint yo, int outer, int chunk, int out_row, int at)
{
    const int blocks = (chunk + 63) / 64;
    size_t i = get_global_id(0);
    if (i >= (size_t)outer * blocks) return;
    size_t r = i / blocks;
    int k0 = (int)(i % blocks) * 64, k1 = min(k0 + 64, chunk);
    __global const float *x = A + xo + r * chunk;
    __global float *y = A + yo + r * out_row + at;
    for (int k = k0; k < k1; k++) y[k] = x[k];
}
