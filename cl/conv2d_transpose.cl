/* Conv2DTranspose as a gather: output row oy takes input row iy through tap ky when oy + pad - ky*D = iy*S.
 * Weights [KH][KW][Cout][Cin]; arguments as conv2d_direct_f32's. */
__kernel void conv2d_transpose_f32(__global float *A, uint xo, uint yo, __global const float *K,
                                   __global const float *B, int has_bias, int4 xd, int4 xs, int4 yd, int4 ys,
                                   int4 win, int4 dp, int act, float4 ap)
{
    size_t i = get_global_id(0);
    if (i >= (size_t)yd.x * yd.y * yd.z * yd.w) return;
    int co = (int)(i % yd.w);
    size_t p = i / yd.w;
    int ox = (int)(p % yd.z), oy = (int)((p / yd.z) % yd.y), n = (int)(p / ((size_t)yd.z * yd.y));
    float acc = has_bias ? B[co] : 0.0f;
    for (int ky = 0; ky < win.x; ky++) {
        int t = oy + dp.z - ky * dp.x;
        if (t < 0 || t % win.z) continue;
        int iy = t / win.z;
        if (iy >= xd.y) continue;
        for (int kx = 0; kx < win.y; kx++) {
            int u = ox + dp.w - kx * dp.y;
            if (u < 0 || u % win.w) continue;
            int ix = u / win.w;
            if (ix >= xd.z) continue;
            __global const float *xp = A + xo + AT4(xs, n, iy, ix, 0);
            __global const float *kp = K + ((size_t)(ky * win.y + kx) * yd.w + co) * xd.w;
            for (int ci = 0; ci < xd.w; ci++) acc = fma(xp[(size_t)ci * xs.w], kp[ci], acc);
        }
    }
    A[yo + AT4(ys, n, oy, ox, co)] = act_apply(acc, act, ap);
}
