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
__kernel void concat_f32(__global float *A, uint xo, uint yo, int outer, int chunk, int out_row, int at)
{
    size_t i = get_global_id(0);
    if (i >= (size_t)outer * chunk) return;
    size_t r = i / chunk, k = i % chunk;
    A[yo + r * out_row + at + k] = A[xo + i];
}
