/* The glue around CLBlast's SGEMM for a conv or dense layer (src/backend/opencl/tune/clblast.c): im2col before it,
 * bias and activation after it. Built with the layer's sizes as -D constants, like the tuned kernels (the batch
 * excepted: the program serves every batch).
 *   im2col, NHWC: col[image][pixel][K], NCHW: col[image][K][pixel], K = (ky, kx, c) in that order, so that the
 *   layer's HWIO weights are the GEMM's [K][CO] matrix as they are. */
#ifndef NCHW
#define NCHW 0
#endif

#ifdef UNITS /* Dense: [rows][UNITS] */
#define CHANNEL(i) ((i) % UNITS)
#else
#if NCHW
#define CHANNEL(i) (((i) / ((size_t)HO * WO)) % CO)
#else
#define CHANNEL(i) ((i) % CO)
#endif

/* gid: NHWC (k, pixel, image of the chunk), NCHW (pixel, k, image of the chunk) */
__kernel void im2col_f32(__global const float *A, uint xo, __global float *col, uint n0)
{
#if NCHW
    const int p = get_global_id(0), k = get_global_id(1);
#else
    const int k = get_global_id(0), p = get_global_id(1);
#endif
    const int img = get_global_id(2), c = k % C, kx = (k / C) % KW, ky = k / (C * KW);
    const int oy = p / WO, ox = p % WO, iy = oy * SH + ky * DH - PT, ix = ox * SW + kx * DW - PL;
    __global const float *x = A + xo + (size_t)(n0 + img) * H * W * C;
    float v = 0.0f;
#if NCHW
    if (iy >= 0 && iy < H && ix >= 0 && ix < W) v = x[((size_t)c * H + iy) * W + ix];
    col[((size_t)img * KH * KW * C + k) * HO * WO + p] = v;
#else
    if (iy >= 0 && iy < H && ix >= 0 && ix < W) v = x[((size_t)iy * W + ix) * C + c];
    col[((size_t)img * HO * WO + p) * KH * KW * C + k] = v;
#endif
}
#endif

/* y = act(y + bias), over the whole output of `total` elements */
__kernel void bias_act_f32(__global float *A, uint yo, __global const float *B, float4 ap, ulong total)
{
    const size_t i = get_global_id(0);
    if (i >= total) return;
    float v = A[yo + i];
    if (HAS_BIAS) v += B[CHANNEL(i)];
    A[yo + i] = act_apply(v, ACT, ap);
}
