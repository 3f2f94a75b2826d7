/* Max and average pooling shaped for GPUs, NHWC or NCHW: one output per work-item, in work-groups of L work-items
 * that each take R outputs strided by L, neighbouring work-items on neighbouring outputs of the layout's innermost
 * axis (NHWC: channels, NCHW: a row's columns), so that their reads are coalesced. An average divides by the
 * window's positions inside the input (Keras, ONNX's default) or inside the padded input (INCLUDE_PAD); a max keeps
 * a NaN. The window, stride, dilation and padding are -D constants; the sizes arrive in `sz` (a shape class) and the
 * batch in `rows`. The global size is whole work-groups: every output is guarded. */
#ifndef L
#define L 64
#define R 1
#endif

#if NCHW
#define XAT(n, iy, ix, c) ((((size_t)(n) * C + (c)) * H + (iy)) * W + (ix))
#define YAT(n, oy, ox, c) ((((size_t)(n) * C + (c)) * HO + (oy)) * WO + (ox))
#else
#define XAT(n, iy, ix, c) ((((size_t)(n) * H + (iy)) * W + (ix)) * C + (c))
#define YAT(n, oy, ox, c) ((((size_t)(n) * HO + (oy)) * WO + (ox)) * C + (c))
#endif

__attribute__((reqd_work_group_size(L, 1, 1)))
__kernel void pool_gpu_f32(__global float *A, uint xo, uint yo, __global const float *unused_w,
                           __global const float *unused_b, float4 ap, int rows SZ_ARG)
{
    __global const float *x = A + xo;
    __global float *y = A + yo;
    const size_t total = (size_t)rows * C * HO * WO;
    const size_t first = get_group_id(0) * (size_t)(L * R) + get_local_id(0);
    for (int r = 0; r < R; r++) {
        const size_t i = first + (size_t)r * L;
        if (i >= total) return;
#if NCHW
        const int ox = (int)(i % WO), oy = (int)((i / WO) % HO), c = (int)((i / ((size_t)WO * HO)) % C);
        const size_t n = i / ((size_t)WO * HO * C);
#else
        const int c = (int)(i % C), ox = (int)((i / C) % WO), oy = (int)((i / ((size_t)C * WO)) % HO);
        const size_t n = i / ((size_t)C * WO * HO);
#endif
        float acc = IS_MAX ? -INFINITY : 0.0f;
        int count = 0, padded = 0;
#pragma unroll
        for (int ky = 0; ky < KH; ky++) {
            const int iy = oy * SH + ky * DH - PT;
#pragma unroll
            for (int kx = 0; kx < KW; kx++) {
                const int ix = ox * SW + kx * DW - PL;
                padded += iy < H + PB && ix < W + PR;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                const float v = x[XAT(n, iy, ix, c)];
                acc = IS_MAX ? MAX_NAN(acc, v) : acc + v;
                count++;
            }
        }
        y[YAT(n, oy, ox, c)] = IS_MAX ? acc : acc / (float)max(INCLUDE_PAD ? padded : count, 1);
    }
}
