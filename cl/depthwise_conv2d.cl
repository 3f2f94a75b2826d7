/* DepthwiseConv2D over NHWC: output channel c*M + m reads input channel c; weights [KH][KW][C][M]. */
__kernel void depthwise_conv2d_f32(__global float *A, uint xo, uint yo, __global const float *K,
                                   __global const float *B, int has_bias, int N, int H, int W, int C, int Ho,
                                   int Wo, int M, int kh, int kw, int sh, int sw, int dh, int dw, int pt, int pl,
                                   int act, float alpha, float maxv, float thr)
{
    size_t i = get_global_id(0);
    int CM = C * M;
    if (i >= (size_t)N * Ho * Wo * CM) return;
    int oc = (int)(i % CM), c = oc / M;
    size_t p = i / CM;
    int ox = (int)(p % Wo), oy = (int)((p / Wo) % Ho), n = (int)(p / ((size_t)Wo * Ho));
    float acc = has_bias ? B[oc] : 0.0f;
    for (int ky = 0; ky < kh; ky++) {
        int iy = oy * sh + ky * dh - pt;
        if (iy < 0 || iy >= H) continue;
        for (int kx = 0; kx < kw; kx++) {
            int ix = ox * sw + kx * dw - pl;
            if (ix < 0 || ix >= W) continue;
            acc = fma(A[xo + (((size_t)n * H + iy) * W + ix) * C + c], K[(size_t)(ky * kw + kx) * CM + oc], acc);
        }
    }
    A[yo + i] = act_apply(acc, act, alpha, maxv, thr);
}
