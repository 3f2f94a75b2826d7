/* Conv2D over NCHW at stride 1 or 2 along the row, with vectors of pixels: each work-item computes P output channels
 * x V float16 vectors of 16 consecutive output columns of one row, so the output planes are written as whole vectors
 * (where conv2d_blocked.cl, with vectors of channels, scatters them over NCHW). For each input channel and kernel
 * row, the input row is loaded as SW V + 2 float16 vectors around the block; each tap's 16 inputs are one window of
 * two neighbours (window16: the offset is a constant once the loops are unrolled; stride 2: the even lanes of two
 * windows), and each weight, a broadcast scalar, feeds V vectors. Weights [KH][KW][C][CO16] as conv2d_blocked.cl's,
 * bias [CO16]; sizes as in conv2d_blocked.cl (-D constants, or the shape class's `sz`). Grouped (G groups): output
 * channel co reads the C / G input channels of its group, co / (CO / G), weights [KH][KW][C / G][CO16]; the host
 * makes P divide CO / G, so that a work-item's channels are of one group. */
#ifndef P
#define P 8
#define V 1
#define H 8
#define W 8
#define C 4
#define HO 8
#define WO 8
#define CO 16
#define CO16 16
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
#define G 1
#endif
#define CG (C / G) /* the input channels of a group */
#define RV (SW * V + 2) /* the row vectors a block reads: one before it, SW V under it, one after it */

__attribute__((reqd_work_group_size(1, 1, 1)))
__kernel void conv2d_rows_f32(__global float *A, uint xo, uint yo, __global const float *K, __global const float *B,
                              float4 ap, int rows SZ_ARG)
{
    const int co0 = get_global_id(0) * P, ox0 = get_global_id(1) * 16 * V, ny = get_global_id(2);
    const int n = ny / HO, oy = ny % HO;
    /* (the group's first input channel) */
    __global const float *x = A + xo + (size_t)n * C * H * W + (size_t)(co0 / (CO / G)) * CG * H * W;
    __global float *y = A + yo + (size_t)n * CO * HO * WO;
    /* every row vector of the block inside the image: no masks */
    const int interior = SW * ox0 - 16 >= 0 && SW * ox0 - 16 + 16 * RV <= W;
    float16 acc[P][V];
#pragma unroll
    for (int p = 0; p < P; p++) {
        const float b = HAS_BIAS ? B[co0 + p] : 0.0f;
#pragma unroll
        for (int v = 0; v < V; v++) acc[p][v] = (float16)b;
    }
    for (int ci = 0; ci < CG; ci++) {
        for (int ky = 0; ky < KH; ky++) {
            const int iy = oy * SH + ky * DH - PT;
            if (iy < 0 || iy >= H) continue;
            __global const float *xr = x + ((size_t)ci * H + iy) * W;
            float16 rv[RV];
            if (interior) {
#pragma unroll
                for (int q = 0; q < RV; q++) rv[q] = vload16(0, xr + SW * ox0 - 16 + 16 * q);
            } else {
                load_row16(xr, SW * ox0 - 16, W, 0.0f, RV, rv);
            }
            __global const float *kp = K + ((size_t)(ky * KW) * CG + ci) * CO16 + co0;
            /* the windows first (a small loop, unrolled whole: constant permutes), then the products */
            float16 xv[KW][V];
#pragma unroll
            for (int kx = 0; kx < KW; kx++) {
#pragma unroll
                for (int v = 0; v < V; v++) {
                    /* the window's first input, from rv[0] */
                    xv[kx][v] = strided_window16(rv, 16 + SW * 16 * v + kx * DW - PL, SW);
                }
            }
            for (int kx = 0; kx < KW; kx++) {
#pragma unroll
                for (int p = 0; p < P; p++) {
                    const float16 wv = (float16)kp[(size_t)kx * CG * CO16 + p];
#pragma unroll
                    for (int v = 0; v < V; v++) acc[p][v] = fma(wv, xv[kx][v], acc[p][v]);
                }
            }
        }
    }
#pragma unroll
    for (int p = 0; p < P; p++) {
        if (co0 + p >= CO) continue;
        __global float *yr = y + ((size_t)(co0 + p) * HO + oy) * WO + ox0;
#pragma unroll
        for (int v = 0; v < V; v++) {
            store_lanes(yr + 16 * v, 1, WO - (ox0 + 16 * v), act_apply16(acc[p][v], ACT, ap));
        }
    }
}
