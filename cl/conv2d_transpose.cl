/* Conv2DTranspose over NHWC, as a gather: output row oy takes input row iy through tap ky when
 * oy + pt - ky*D = iy*S. Weights [KH][KW][Cout][Cin]. */
__kernel void conv2d_transpose_f32(__global float *A, uint xo, uint yo, __global const float *K,
                                   __global const float *B, int has_bias, int N, int H, int W, int C, int Ho,
                                   int Wo, int Co, int kh, int kw, int sh, int sw, int dh, int dw, int pt, int pl,
                                   int act, float alpha, float maxv, float thr)
{
    size_t i = get_global_id(0);
    if (i >= (size_t)N * Ho * Wo * Co) return;
    int co = (int)(i % Co);
    size_t p = i / Co;
    int ox = (int)(p % Wo), oy = (int)((p / Wo) % Ho), n = (int)(p / ((size_t)Wo * Ho));
    float acc = has_bias ? B[co] : 0.0f;
    for (int ky = 0; ky < kh; ky++) {
        int t = oy + pt - ky * dh;
        if (t < 0 || t % sh) continue;
        int iy = t / sh;
        if (iy >= H) continue;
        for (int kx = 0; kx < kw; kx++) {
            int u = ox + pl - kx * dw;
            if (u < 0 || u % sw) continue;
            int ix = u / sw;
            if (ix >= W) continue;
            __global const float *xp = A + xo + (((size_t)n * H + iy) * W + ix) * C;
            __global const float *kp = K + ((size_t)(ky * kw + kx) * Co + co) * C;
            for (int ci = 0; ci < C; ci++) acc = fma(xp[ci], kp[ci], acc);
        }
    }
    A[yo + i] = act_apply(acc, act, alpha, maxv, thr);
}
