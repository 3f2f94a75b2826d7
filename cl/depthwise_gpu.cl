/* Depthwise convolution (DepthwiseConv2D, or Conv with one group per input channel) shaped for GPUs, NHWC or NCHW:
 * one output per work-item, in work-groups of L work-items that each take R outputs strided by L, so that
 * neighbouring work-items compute neighbouring outputs along the layout's innermost axis (NHWC: channels, NCHW: a
 * row's columns) and read neighbouring inputs and (NHWC) weights: coalesced. Output channel oc reads input channel
 * oc / M (M, the depth multiplier); weights [KH·KW][CO16] (HWIO, the channels padded to 16), bias and activation in
 * the epilogue. The window, stride, dilation and padding are -D constants; the other sizes arrive in `sz` (a shape
 * class: one program serves every layer of the same window) and the batch in `rows`. The global size is whole
 * work-groups: every output is guarded. */
#ifndef L
#define L 64
#define R 1
#endif

#if NCHW
#define XAT(n, iy, ix, c) ((((size_t)(n) * C + (c)) * H + (iy)) * W + (ix))
#define YAT(n, oy, ox, c) ((((size_t)(n) * CO + (c)) * HO + (oy)) * WO + (ox))
#else
#define XAT(n, iy, ix, c) ((((size_t)(n) * H + (iy)) * W + (ix)) * C + (c))
#define YAT(n, oy, ox, c) ((((size_t)(n) * HO + (oy)) * WO + (ox)) * CO + (c))
#endif

__attribute__((reqd_work_group_size(L, 1, 1)))
__kernel void depthwise_gpu_f32(__global float *A, uint xo, uint yo, __global const float *K, __global const float *B,
                                float4 ap, int rows SZ_ARG)
{
    __global const float *x = A + xo;
    __global float *y = A + yo;
    const size_t total = (size_t)rows * CO * HO * WO;
    const size_t first = get_group_id(0) * (size_t)(L * R) + get_local_id(0);
    for (int r = 0; r < R; r++) {
        const size_t i = first + (size_t)r * L;
        if (i >= total) return;
#if NCHW
        const int ox = (int)(i % WO), oy = (int)((i / WO) % HO), oc = (int)((i / ((size_t)WO * HO)) % CO);
        const size_t n = i / ((size_t)WO * HO * CO);
#else
        const int oc = (int)(i % CO), ox = (int)((i / CO) % WO), oy = (int)((i / ((size_t)CO * WO)) % HO);
        const size_t n = i / ((size_t)CO * WO * HO);
#endif
        const int c = oc / M;
        float acc = HAS_BIAS ? B[oc] : 0.0f;
#pragma unroll
        for (int ky = 0; ky < KH; ky++) {
            const int iy = oy * SH + ky * DH - PT;
            if (iy < 0 || iy >= H) continue;
#pragma unroll
            for (int kx = 0; kx < KW; kx++) {
                const int ix = ox * SW + kx * DW - PL;
                if (ix >= 0 && ix < W) acc = fma(x[XAT(n, iy, ix, c)], K[(size_t)(ky * KW + kx) * CO16 + oc], acc);
            }
        }
        y[YAT(n, oy, ox, oc)] = act_apply(acc, ACT, ap);
    }
}
