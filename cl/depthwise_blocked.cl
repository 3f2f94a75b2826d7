/* Depthwise convolution (DepthwiseConv2D, or Conv with one group per input channel), output channel oc reading input
 * channel oc / M. Weights [KH][KW][CO16] (CO = C·M output channels, padded to a multiple of 16 at load), bias [CO16].
 * Built as its own program with common.cl, the window and block sizes -D constants; the other sizes too, or (a shape
 * class) the kernel's `sz`, but for NCHW's W and WO, which size its rows of registers.
 *   NHWC (M = 1): each work-item P output pixels x 16 channels, one float16 of the input per pixel and tap.
 *   NCHW: each work-item P output rows of one channel, each row as float16 vectors of 16 output columns. Stride 1
 *         or 2 along the row: the input row as float16 vectors between two zero vectors, each tap's inputs one
 *         permute of two neighbours (stride 2: the even lanes of two), each input row loaded once for all the
 *         block's output rows that read it; other strides: read from a zero-padded copy of the input row in private
 *         memory (padding and dilation without masks). */
#ifndef P
#define P 4
#define H 8
#define W 8
#define C 16
#define HO 8
#define WO 8
#define CO 16
#define CO16 16
#define M 1
#define KH 3
#define KW 3
#define SH 1
#define SW 1
#define DH 1
#define DW 1
#define PT 1
#define PL 1
#define HAS_BIAS 1
#define ACT 0
#endif
#ifndef NCHW
#define NCHW 0
#endif

__attribute__((reqd_work_group_size(1, 1, 1)))
__kernel void depthwise_blocked_f32(__global float *A, uint xo, uint yo, __global const float *K,
                                    __global const float *B, float4 ap, int rows SZ_ARG)
{
#if NCHW
    /* vectors per output row, and the padded input row they read: the last vector's last tap, plus a vector of slack
     * for the stride-2 form's second load */
#define NV ((WO + 15) / 16)
#define WPAD ((NV * 16 - 1) * SW + (KW - 1) * DW + 1 + 16)
    const int rb = get_global_id(0), nc = get_global_id(1);
    const int n = nc / CO, oc = nc % CO;
    __global const float *x = A + xo + ((size_t)n * C + oc / M) * H * W;
    __global float *y = A + yo + ((size_t)n * CO + oc) * HO * WO;
    float w[KH * KW];
#pragma unroll
    for (int k = 0; k < KH * KW; k++) w[k] = K[(size_t)k * CO16 + oc];
    const float bias = HAS_BIAS ? B[oc] : 0.0f;
    /* stride 1 or 2 along the row: the input row as float16 vectors with a zero vector on each side; the 16 inputs of
     * an output vector at a tap are a window of two neighbouring vectors (window16: one permute, the offset a constant
     * once unrolled; stride 2: the even lanes of two windows). Each input row the block reads is loaded and cut into
     * its KW windows once, and feeds every output row of the block that reads it (up to KH), so a window costs a
     * permute per KH products, not per one. Other strides: a zero-padded private copy of the row, whose padding stays
     * zero; each tap row copies only the W values between. */
#define SHUFFLED ((SW == 1 || SW == 2) && PL <= 16 && (KW - 1) * DW - PL <= 16)
#if SHUFFLED
#define NR ((W + 15) / 16)
/* rv[0] holds the inputs -16..-1, rv[q] 16 (q - 1)..16 q - 1; output vector v's tap kx starts at element
 * kx DW - PL + 16 + 16 SW v and reads SW + 1 vectors from there */
#define RVN ((NR > SW * NV + 1 ? NR : SW * NV + 1) + 2)
    const int oy0 = rb * P;
    float16 acc[P][NV];
#pragma unroll
    for (int p = 0; p < P; p++)
#pragma unroll
        for (int v = 0; v < NV; v++) acc[p][v] = (float16)bias;
    /* input row t of the block (iy = oy0 SH - PT + t) feeds output row p through kernel row ky when t = p SH + ky DH */
#pragma unroll
    for (int t = 0; t < (P - 1) * SH + (KH - 1) * DH + 1; t++) {
        const int iy = oy0 * SH - PT + t;
        if (iy < 0 || iy >= H) continue;
        __global const float *xr = x + (size_t)iy * W;
        float16 rv[RVN];
        load_row16(xr, -16, W, 0.0f, RVN, rv);
#pragma unroll
        for (int kx = 0; kx < KW; kx++) {
            const int e = kx * DW - PL + 16; /* the window's first element, counted from rv[0] */
#pragma unroll
            for (int v = 0; v < NV; v++) {
                const float16 xv = strided_window16(rv, e + 16 * SW * v, SW);
#pragma unroll
                for (int ky = 0; ky < KH; ky++) {
                    const int p = (t - ky * DH) / SH;
                    if (t >= ky * DH && (t - ky * DH) % SH == 0 && p < P)
                        acc[p][v] = fma(xv, (float16)w[ky * KW + kx], acc[p][v]);
                }
            }
        }
    }
#pragma unroll
    for (int p = 0; p < P; p++) {
        if (oy0 + p >= HO) break;
#pragma unroll
        for (int v = 0; v < NV; v++)
            store_lanes(y + (size_t)(oy0 + p) * WO + v * 16, 1, WO - v * 16, act_apply16(acc[p][v], ACT, ap));
    }
#else
    float row[WPAD];
    for (int j = 0; j < WPAD; j++) row[j] = 0.0f;
    for (int oy = rb * P; oy < rb * P + P && oy < HO; oy++) {
        float16 acc[NV];
#pragma unroll
        for (int v = 0; v < NV; v++) acc[v] = (float16)bias;
        for (int ky = 0; ky < KH; ky++) {
            const int iy = oy * SH + ky * DH - PT;
            if (iy < 0 || iy >= H) continue;
            for (int j = 0; j < W && PL + j < WPAD; j++) row[PL + j] = x[(size_t)iy * W + j];
#pragma unroll
            for (int kx = 0; kx < KW; kx++) {
                const float16 wv = (float16)w[ky * KW + kx];
#pragma unroll
                for (int v = 0; v < NV; v++) {
                    const int b = v * 16 * SW + kx * DW;
#if SW == 1
                    const float16 xv = vload16(0, row + b);
#elif SW == 2
                    const float16 lo = vload16(0, row + b), hi = vload16(0, row + b + 16);
                    const float16 xv = (float16)(lo.even, hi.even);
#else
                    float g[16];
                    for (int l = 0; l < 16; l++) g[l] = row[b + l * SW];
                    const float16 xv = vload16(0, g);
#endif
                    acc[v] = fma(xv, wv, acc[v]);
                }
            }
        }
#pragma unroll
        for (int v = 0; v < NV; v++) store_lanes(y + (size_t)oy * WO + v * 16, 1, WO - v * 16, act_apply16(acc[v], ACT, ap));
    }
#endif
#else
    /* NHWC, M = 1 */
    const int cb = get_global_id(0), xb = get_global_id(1), ny = get_global_id(2);
    const int n = ny / HO, oy = ny % HO, ox0 = xb * P, c0 = cb * 16;
    __global const float *x = A + xo + (size_t)n * H * W * C;
    float16 acc[P];
    const float16 b = HAS_BIAS ? vload16(0, B + c0) : (float16)0.0f;
#pragma unroll
    for (int p = 0; p < P; p++) acc[p] = b;
    for (int ky = 0; ky < KH; ky++) {
        const int iy = oy * SH + ky * DH - PT;
        if (iy < 0 || iy >= H) continue;
#pragma unroll
        for (int kx = 0; kx < KW; kx++) {
            const float16 wv = vload16(0, K + (size_t)(ky * KW + kx) * CO16 + c0);
#pragma unroll
            for (int p = 0; p < P; p++) {
                const int ix = (ox0 + p) * SW + kx * DW - PL;
                if (ix < 0 || ix >= W || ox0 + p >= WO) continue;
                __global const float *xp = x + ((size_t)iy * W + ix) * C + c0;
                float16 xv;
                if (C % 16 == 0) { /* (a constant, or the same for every work-item) */
                    xv = vload16(0, xp);
                } else {
                    float g[16];
                    for (int l = 0; l < 16; l++) g[l] = c0 + l < C ? xp[l] : 0.0f;
                    xv = vload16(0, g);
                }
                acc[p] = fma(xv, wv, acc[p]);
            }
        }
    }
    __global float *y = A + yo + (size_t)n * HO * WO * CO;
#pragma unroll
    for (int p = 0; p < P; p++) {
        if (ox0 + p < WO) store_lanes(y + ((size_t)oy * WO + ox0 + p) * CO + c0, 1, CO - c0, act_apply16(acc[p], ACT, ap));
    }
#endif
}
