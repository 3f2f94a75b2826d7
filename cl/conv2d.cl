/* Conv2D over NHWC or NCHW (element strides xs, ys = (n, h, w, c)) in the arena A: one work-item per output
 * element; groups, strides, dilation, pads, bias and activation fused, and a max pool of pool x pool (stride pool)
 * after the activation when pool > 1 (yd is then the pooled size). Weights [KH][KW][Cin/G][Cout].
 *   xd = (N, H, W, C), yd = (N, Ho, Wo, Co), win = (kh, kw, sh, sw), dp = (dh, dw, pad top, pad left) */
inline float conv2d_direct_at(__global const float *A, uint xo, __global const float *K, __global const float *B,
                              int has_bias, int4 xd, int4 xs, int co_total, int4 win, int4 dp, int groups, int n,
                              int oy, int ox, int co)
{
    int cg = xd.w / groups, g = co / (co_total / groups);
    float acc = has_bias ? B[co] : 0.0f;
    for (int ky = 0; ky < win.x; ky++) {
        int iy = oy * win.z + ky * dp.x - dp.z;
        if (iy < 0 || iy >= xd.y) continue;
        for (int kx = 0; kx < win.y; kx++) {
            int ix = ox * win.w + kx * dp.y - dp.w;
            if (ix < 0 || ix >= xd.z) continue;
            __global const float *xp = A + xo + AT4(xs, n, iy, ix, g * cg);
            __global const float *kp = K + ((size_t)(ky * win.y + kx) * cg) * co_total + co;
            for (int ci = 0; ci < cg; ci++) acc = fma(xp[(size_t)ci * xs.w], kp[(size_t)ci * co_total], acc);
        }
    }
    return acc;
}

__kernel void conv2d_direct_f32(__global float *A, uint xo, uint yo, __global const float *K,
                                __global const float *B, int has_bias, int4 xd, int4 xs, int4 yd, int4 ys, int4 win,
                                int4 dp, int groups, int act, float4 ap, int pool)
{
    size_t i = get_global_id(0);
    if (i >= (size_t)yd.x * yd.y * yd.z * yd.w) return;
    int co = (int)(i % yd.w);
    size_t p = i / yd.w;
    int ox = (int)(p % yd.z), oy = (int)((p / yd.z) % yd.y), n = (int)(p / ((size_t)yd.z * yd.y));
    if (pool <= 1) {
        A[yo + AT4(ys, n, oy, ox, co)] =
            act_apply(conv2d_direct_at(A, xo, K, B, has_bias, xd, xs, yd.w, win, dp, groups, n, oy, ox, co), act, ap);
        return;
    }
    float r = -INFINITY;
    for (int py = 0; py < pool; py++)
        for (int px = 0; px < pool; px++)
            r = MAX_NAN(r, act_apply(conv2d_direct_at(A, xo, K, B, has_bias, xd, xs, yd.w, win, dp, groups, n,
                                                   oy * pool + py, ox * pool + px, co),
                                  act, ap));
    A[yo + AT4(ys, n, oy, ox, co)] = r;
}
