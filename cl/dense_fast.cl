/* Dense, fast forms (the weights rearranged once at load):
 *   gemv: rows <= a few; weights output-major [units][CIN]: each work-item R units, float16 dot products.
 *   tiled: more rows; each work-item MR rows x R units, the same float16 loads reused across the tile.
 * A shape class (tune/dense_tiled.c): CIN and UNITS arrive in `sz` (cl/common.cl), the block sizes, bias and activation
 * are -D constants; the #ifndef defaults let the file compile alone. */
#ifndef CIN
#define CIN 64
#define UNITS 16
#define R 4
#define MR 1
#define HAS_BIAS 1
#define ACT 0
#endif

/* One tile: rows r0 .. r0 + mr - 1 (mr is MR or 1, a constant where it is inlined: PoCL defines `inline` away) by
 * units u0 .. u0 + R - 1 */
__attribute__((always_inline)) static void dense_tile(__global float *A, uint xo, uint yo, __global const float *WT,
                                                     __global const float *B, float4 ap, int rows, const int r0,
                                                     const int u0, const int mr SZ_ARG)
{
    float16 acc[MR][R];
    #pragma unroll
    for (int m = 0; m < mr; m++)
        #pragma unroll
        for (int r = 0; r < R; r++) acc[m][r] = (float16)0.0f;
    int c = 0;
    if (mr * R <= 8) {
        /* small tiles (the GEMV of batch 1): a second set of accumulators, for two loads in flight per row */
        float16 acc2[MR][R];
        #pragma unroll
        for (int m = 0; m < mr; m++)
            #pragma unroll
            for (int r = 0; r < R; r++) acc2[m][r] = (float16)0.0f;
        for (; c + 32 <= CIN; c += 32) {
            float16 xv[MR], xw[MR], wv[R], ww[R];
            #pragma unroll
            for (int m = 0; m < mr; m++) {
                xv[m] = r0 + m < rows ? vload16(0, A + xo + (size_t)(r0 + m) * CIN + c) : (float16)0.0f;
                xw[m] = r0 + m < rows ? vload16(0, A + xo + (size_t)(r0 + m) * CIN + c + 16) : (float16)0.0f;
            }
            #pragma unroll
            for (int r = 0; r < R; r++) {
                wv[r] = u0 + r < UNITS ? vload16(0, WT + (size_t)(u0 + r) * CIN + c) : (float16)0.0f;
                ww[r] = u0 + r < UNITS ? vload16(0, WT + (size_t)(u0 + r) * CIN + c + 16) : (float16)0.0f;
            }
            #pragma unroll
            for (int m = 0; m < mr; m++)
                #pragma unroll
                for (int r = 0; r < R; r++) {
                    acc[m][r] = fma(xv[m], wv[r], acc[m][r]);
                    acc2[m][r] = fma(xw[m], ww[r], acc2[m][r]);
                }
        }
        #pragma unroll
        for (int m = 0; m < mr; m++)
            #pragma unroll
            for (int r = 0; r < R; r++) acc[m][r] += acc2[m][r];
    }
    for (; c + 16 <= CIN; c += 16) {
        float16 xv[MR], wv[R];
        #pragma unroll
        for (int m = 0; m < mr; m++) xv[m] = r0 + m < rows ? vload16(0, A + xo + (size_t)(r0 + m) * CIN + c) : (float16)0.0f;
        #pragma unroll
        for (int r = 0; r < R; r++) wv[r] = u0 + r < UNITS ? vload16(0, WT + (size_t)(u0 + r) * CIN + c) : (float16)0.0f;
        #pragma unroll
        for (int m = 0; m < mr; m++)
            #pragma unroll
            for (int r = 0; r < R; r++) acc[m][r] = fma(xv[m], wv[r], acc[m][r]);
    }
    #pragma unroll
    for (int m = 0; m < mr; m++) {
        if (r0 + m >= rows) break;
        #pragma unroll
        for (int r = 0; r < R; r++) {
            const int u = u0 + r;
            if (u >= UNITS) break;
            float16 a = acc[m][r];
            float s = ((a.s0 + a.s1) + (a.s2 + a.s3)) + ((a.s4 + a.s5) + (a.s6 + a.s7)) +
                      (((a.s8 + a.s9) + (a.sa + a.sb)) + ((a.sc + a.sd) + (a.se + a.sf)));
            for (int k = c; k < CIN; k++) s = fma(A[xo + (size_t)(r0 + m) * CIN + k], WT[(size_t)u * CIN + k], s);
            if (HAS_BIAS) s += B[u];
            A[yo + (size_t)(r0 + m) * UNITS + u] = act_apply(s, ACT, ap);
        }
    }
}

#ifdef SHAPE_CLASS
#define SZ_PASS , sz
#else
#define SZ_PASS
#endif

__attribute__((reqd_work_group_size(1, 1, 1)))
__kernel void dense_tiled_f32(__global float *A, uint xo, uint yo, __global const float *WT, __global const float *B,
                              float4 ap, int rows SZ_ARG)
{
    /* the row blocks vary fastest, so that the work-items that read one block of units' weights run together and
     * share it in the cache: the weights come from memory once, not once per row block */
    const int r0 = get_global_id(0) * MR, u0 = get_global_id(1) * R;
    /* a last block of one row (batch 1, 5, 9, ...) as the GEMV of one row, with two loads in flight and none of the
     * tile's rows of zeros: AlexNet's 9216x4096 at batch 1 in the 4-row tile 3.2 ms, as one row 2.9 */
    if (MR > 1 && rows - r0 == 1) dense_tile(A, xo, yo, WT, B, ap, rows, r0, u0, 1 SZ_PASS);
    else dense_tile(A, xo, yo, WT, B, ap, rows, r0, u0, MR SZ_PASS);
}
