/* Max and average pooling over NCHW with a stride of 1 or 2 along the row, the window and the row's
 * widths (W, WO: they size its registers) compile-time constants (-D), the other sizes too or the shape class's `sz`.
 * Each work-item computes P output rows of one (image, channel) plane, each row as float16 vectors of 16 outputs.
 * As in depthwise_blocked.cl, each input row the block reads is loaded once as float16 vectors (the pool's identity
 * outside the row) and cut into one window per tap (window16; stride 2: the even lanes of two), which feeds every
 * output row of the block that reads it. An average divides by the positions inside the input (Keras, ONNX's
 * default) or inside the padded input (INCLUDE_PAD), counted per row and per lane. */
#ifndef P
#define P 4
#define H 9
#define W 20
#define C 2
#define HO 9
#define WO 20
#define KH 3
#define KW 3
#define SH 1
#define SW 1
#define DH 1
#define DW 1
#define PT 1
#define PB 1
#define PL 1
#define PR 1
#define IS_MAX 1
#define INCLUDE_PAD 0
#endif

#define NV ((WO + 15) / 16)    /* output vectors per row */
#define RVN (SW * NV + 3)      /* input vectors the windows reach, a vector of the identity first */
#define NONE (IS_MAX ? -INFINITY : 0.0f)

__attribute__((reqd_work_group_size(1, 1, 1)))
__kernel void pool2d_rows_f32(__global float *A, uint xo, uint yo, __global const float *unused_w,
                              __global const float *unused_b, float4 ap, int rows SZ_ARG)
{
    const int oy0 = get_global_id(0) * P, plane = get_global_id(1);
    __global const float *x = A + xo + (size_t)plane * H * W;
    __global float *y = A + yo + (size_t)plane * HO * WO;
    float16 acc[P][NV];
#pragma unroll
    for (int p = 0; p < P; p++)
#pragma unroll
        for (int v = 0; v < NV; v++) acc[p][v] = (float16)NONE;
    /* input row t of the block (iy = oy0 SH - PT + t) feeds output row p through kernel row ky when t = p SH + ky DH */
#pragma unroll
    for (int t = 0; t < (P - 1) * SH + (KH - 1) * DH + 1; t++) {
        const int iy = oy0 * SH - PT + t;
        if (iy < 0 || iy >= H) continue;
        __global const float *xr = x + (size_t)iy * W;
        float16 rv[RVN];
        load_row16(xr, -16, W, NONE, RVN, rv);
#pragma unroll
        for (int kx = 0; kx < KW; kx++) {
#pragma unroll
            for (int v = 0; v < NV; v++) {
                const int e = 16 + SW * 16 * v + kx * DW - PL; /* the window's first input, counted from rv[0] */
                const float16 xv = strided_window16(rv, e, SW);
#pragma unroll
                for (int ky = 0; ky < KH; ky++) {
                    const int p = (t - ky * DH) / SH;
                    if (t >= ky * DH && (t - ky * DH) % SH == 0 && p < P) acc[p][v] = IS_MAX ? MAX_NAN(acc[p][v], xv) : acc[p][v] + xv;
                }
            }
        }
    }
    const int16 lane = (int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
#pragma unroll
    for (int p = 0; p < P; p++) {
        const int oy = oy0 + p;
        if (oy >= HO) break;
        int cy = 0; /* the window's rows that count */
#pragma unroll
        for (int ky = 0; ky < KH; ky++) {
            const int iy = oy * SH + ky * DH - PT;
            cy += INCLUDE_PAD ? iy < H + PB : iy >= 0 && iy < H;
        }
#pragma unroll
        for (int v = 0; v < NV; v++) {
            float16 r = acc[p][v];
            if (!IS_MAX) {
                int16 cx = (int16)0; /* and its columns, per lane (compares give -1) */
#pragma unroll
                for (int kx = 0; kx < KW; kx++) {
                    const int16 ix = (lane + 16 * v) * SW + (kx * DW - PL);
                    cx -= INCLUDE_PAD ? ix < W + PR : ix >= 0 && ix < W;
                }
                r = r / fmax(convert_float16(cx * cy), 1.0f);
            }
            store_lanes(y + (size_t)oy * WO + v * 16, 1, WO - v * 16, r);
        }
    }
}
