/* DepthwiseConv2D: output channel c*M + m reads input channel c; weights [KH][KW][C][M]. Arguments as
 * conv2d_direct_f32's, with M the depth multiplier. */
__kernel void depthwise_conv2d_f32(__global float *A, uint xo, uint yo, __global const float *K,
                                   __global const float *B, int has_bias, int4 xd, int4 xs, int4 yd, int4 ys,
                                   int4 win, int4 dp, int M, int act, float4 ap)
{
    size_t i = get_global_id(0);
    if (i >= (size_t)yd.x * yd.y * yd.z * yd.w) return;
    int oc = (int)(i % yd.w), c = oc / M;
    size_t p = i / yd.w;
    int ox = (int)(p % yd.z), oy = (int)((p / yd.z) % yd.y), n = (int)(p / ((size_t)yd.z * yd.y));
    float acc = has_bias ? B[oc] : 0.0f;
    for (int ky = 0; ky < win.x; ky++) {
        int iy = oy * win.z + ky * dp.x - dp.z;
        if (iy < 0 || iy >= xd.y) continue;
        for (int kx = 0; kx < win.y; kx++) {
            int ix = ox * win.w + kx * dp.y - dp.w;
            if (ix < 0 || ix >= xd.z) continue;
            acc = fma(A[xo + AT4(xs, n, iy, ix, c)], K[(size_t)(ky * win.y + kx) * yd.w + oc], acc);
        }
    }
    A[yo + AT4(ys, n, oy, ox, oc)] = act_apply(acc, act, ap);
}
