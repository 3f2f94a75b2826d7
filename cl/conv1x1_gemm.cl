/* Conv2D 1x1, stride 1, no padding, as a GEMM: no rows, no windows, no edges but the matrix's own.
 *   NHWC: Y[N*H*W][CO] = X[N*H*W][C] . K[C][CO16]: each work-item computes P consecutive pixels (across rows and
 *         images) x V float16 vectors of output channels; one vector load of weights feeds 16*P multiply-adds.
 *   NCHW: Y[n][CO][H*W] = K^T . X[n][C][H*W]: each work-item computes P output channels x V float16 vectors of
 *         consecutive pixels of one image; the input and output rows are read and written as whole vectors.
 * Weights [C][CO16] (CO padded to a multiple of 16 at load, 16 floats more at the end), bias [CO16]. Sizes as in
 * conv2d_blocked.cl (-D constants, or the shape class's `sz`). Built as its own program with common.cl. */
#ifndef P
#define P 4
#define V 1
#define H 8
#define W 8
#define C 4
#define CO 16
#define CO16 16
#define HAS_BIAS 1
#define ACT 0
#endif
#ifndef NCHW
#define NCHW 0
#endif
#define HW (H * W)

#if NCHW

/* V vectors of 16 pixels of input channel ci: whole, or lane by lane at the end of the image */
#define LOAD_PIXELS(MASKED)                                                                                           \
    _Pragma("unroll") for (int v = 0; v < V; v++)                                                                     \
    {                                                                                                                 \
        if (!MASKED) {                                                                                                \
            xv[v] = vload16(0, xc + 16 * v);                                                                          \
        } else {                                                                                                      \
            float r[16];                                                                                              \
            for (int l = 0; l < 16; l++) r[l] = px0 + 16 * v + l < HW ? xc[16 * v + l] : 0.0f;                      \
            xv[v] = vload16(0, r);                                                                                    \
        }                                                                                                             \
    }

__attribute__((reqd_work_group_size(1, 1, 1)))
__kernel void conv1x1_gemm_f32(__global float *A, uint xo, uint yo, __global const float *K, __global const float *B,
                               float4 ap, int rows SZ_ARG)
{
    const int co0 = get_global_id(0) * P, px0 = get_global_id(1) * 16 * V, n = get_global_id(2);
    __global const float *x = A + xo + (size_t)n * C * HW + px0;
    __global float *y = A + yo + (size_t)n * CO * HW + px0;
    const int whole = px0 + 16 * V <= HW;
    float16 acc[P][V];
#pragma unroll
    for (int p = 0; p < P; p++) {
        const float b = HAS_BIAS ? B[co0 + p] : 0.0f;
#pragma unroll
        for (int v = 0; v < V; v++) acc[p][v] = (float16)b;
    }
    for (int ci = 0; ci < C; ci++) {
        __global const float *xc = x + (size_t)ci * HW;
        float16 xv[V];
        if (whole) {
            LOAD_PIXELS(0)
        } else {
            LOAD_PIXELS(1)
        }
        __global const float *kp = K + (size_t)ci * CO16 + co0;
#pragma unroll
        for (int p = 0; p < P; p++) {
            const float16 w = (float16)kp[p];
#pragma unroll
            for (int v = 0; v < V; v++) acc[p][v] = fma(w, xv[v], acc[p][v]);
        }
    }
#pragma unroll
    for (int p = 0; p < P; p++) {
        if (co0 + p >= CO) continue;
        __global float *yc = y + (size_t)(co0 + p) * HW;
#pragma unroll
        for (int v = 0; v < V; v++) store_lanes(yc + 16 * v, 1, HW - (px0 + 16 * v), act_apply16(acc[p][v], ACT, ap));
    }
}

#else

#define NROWS ((size_t)rows * HW) /* the GEMM's rows: every pixel of the batch (rows: the images) */

__attribute__((reqd_work_group_size(1, 1, 1)))
__kernel void conv1x1_gemm_f32(__global float *A, uint xo, uint yo, __global const float *K, __global const float *B,
                               float4 ap, int rows SZ_ARG)
{
    const int co0 = get_global_id(0) * 16 * V;
    const size_t m0 = get_global_id(1) * (size_t)P;
    __global const float *x = A + xo;
    __global float *y = A + yo;
    float16 acc[P][V];
#pragma unroll
    for (int v = 0; v < V; v++) {
        const float16 b = HAS_BIAS ? vload16(0, B + co0 + 16 * v) : (float16)0.0f;
#pragma unroll
        for (int p = 0; p < P; p++) acc[p][v] = b;
    }
    /* the pixels past the end of the matrix read its last row, and are not stored */
    size_t row[P];
#pragma unroll
    for (int p = 0; p < P; p++) row[p] = (m0 + p < NROWS ? m0 + p : NROWS - 1) * C;
    for (int ci = 0; ci < C; ci++) {
        float16 w[V];
#pragma unroll
        for (int v = 0; v < V; v++) w[v] = vload16(0, K + (size_t)ci * CO16 + co0 + 16 * v);
#pragma unroll
        for (int p = 0; p < P; p++) {
            const float16 xv = (float16)x[row[p] + ci];
#pragma unroll
            for (int v = 0; v < V; v++) acc[p][v] = fma(xv, w[v], acc[p][v]);
        }
    }
#pragma unroll
    for (int p = 0; p < P; p++) {
        if (m0 + p >= NROWS) continue;
#pragma unroll
        for (int v = 0; v < V; v++) {
            const int c0 = co0 + 16 * v;
            if (c0 >= CO) continue;
            store_lanes(y + (m0 + p) * CO + c0, 1, CO - c0, act_apply16(acc[p][v], ACT, ap));
        }
    }
}

#endif
