/* Pooling over NHWC: max or average windows ('same' averages count only positions inside the input, as Keras
 * does), and global pooling. */
__kernel void pool2d_f32(__global float *A, uint xo, uint yo, int is_max, int N, int H, int W, int C, int Ho,
                         int Wo, int kh, int kw, int sh, int sw, int pt, int pl)
{
    size_t i = get_global_id(0);
    if (i >= (size_t)N * Ho * Wo * C) return;
    int c = (int)(i % C);
    size_t p = i / C;
    int ox = (int)(p % Wo), oy = (int)((p / Wo) % Ho), n = (int)(p / ((size_t)Wo * Ho));
    float acc = is_max ? -FLT_MAX : 0.0f;
    int count = 0;
    for (int ky = 0; ky < kh; ky++) {
        int iy = oy * sh + ky - pt;
        if (iy < 0 || iy >= H) continue;
        for (int kx = 0; kx < kw; kx++) {
            int ix = ox * sw + kx - pl;
            if (ix < 0 || ix >= W) continue;
            float v = A[xo + (((size_t)n * H + iy) * W + ix) * C + c];
            acc = is_max ? fmax(acc, v) : acc + v;
            count++;
        }
    }
    A[yo + i] = is_max ? acc : acc / (float)count;
}

__kernel void global_pool2d_f32(__global float *A, uint xo, uint yo, int is_max, int N, int HW, int C)
{
    size_t i = get_global_id(0);
    if (i >= (size_t)N * C) return;
    int c = (int)(i % C), n = (int)(i / C);
    float acc = is_max ? -FLT_MAX : 0.0f;
    for (int p = 0; p < HW; p++) {
        float v = A[xo + ((size_t)n * HW + p) * C + c];
        acc = is_max ? fmax(acc, v) : acc + v;
    }
    A[yo + i] = is_max ? acc : acc / (float)HW;
}
