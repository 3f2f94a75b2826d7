/* Conv2D over NHWC in the arena A: one work-item per output element; groups, strides, dilation, padding
 * (pt, pl: rows and cols before), bias and activation fused. Kernel weights [KH][KW][Cin/G][Cout]. */
__kernel void conv2d_direct_f32(__global float *A, uint xo, uint yo, __global const float *K,
                                __global const float *B, int has_bias, int N, int H, int W, int C, int Ho, int Wo,
                                int Co, int kh, int kw, int sh, int sw, int dh, int dw, int pt, int pl, int groups,
                                int act, float alpha, float maxv, float thr)
{
    size_t i = get_global_id(0);
    if (i >= (size_t)N * Ho * Wo * Co) return;
    int co = (int)(i % Co);
    size_t p = i / Co;
    int ox = (int)(p % Wo), oy = (int)((p / Wo) % Ho), n = (int)(p / ((size_t)Wo * Ho));
    int cg = C / groups, g = co / (Co / groups);
    float acc = has_bias ? B[co] : 0.0f;
    for (int ky = 0; ky < kh; ky++) {
        int iy = oy * sh + ky * dh - pt;
        if (iy < 0 || iy >= H) continue;
        for (int kx = 0; kx < kw; kx++) {
            int ix = ox * sw + kx * dw - pl;
            if (ix < 0 || ix >= W) continue;
            __global const float *xp = A + xo + (((size_t)n * H + iy) * W + ix) * C + g * cg;
            __global const float *kp = K + ((size_t)(ky * kw + kx) * cg) * Co + co;
            for (int ci = 0; ci < cg; ci++) acc = fma(xp[ci], kp[(size_t)ci * Co], acc);
        }
    }
    A[yo + i] = act_apply(acc, act, alpha, maxv, thr);
}
