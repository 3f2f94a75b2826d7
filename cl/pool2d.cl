/* Pooling over NHWC or NCHW: max or average windows with pads, dilation and ceil_mode. An average divides by
 * the positions inside the input, or (count_include_pad) inside the padded input. And global pooling.
 *   win = (kh, kw, sh, sw), dp = (dh, dw, pad top, pad left), pe = (pad bottom, pad right, count_include_pad, 0) */
__kernel void pool2d_f32(__global float *A, uint xo, uint yo, int is_max, int4 xd, int4 xs, int4 yd, int4 ys,
                         int4 win, int4 dp, int4 pe)
{
    /* one work-item per output row (n, oy, c): the index arithmetic once a row */
    size_t i = get_global_id(0);
    if (i >= (size_t)yd.x * yd.y * yd.w) return;
    int c = (int)(i % yd.w), oy = (int)((i / yd.w) % yd.y), n = (int)(i / ((size_t)yd.w * yd.y));
    for (int ox = 0; ox < yd.z; ox++) {
        float acc = is_max ? -FLT_MAX : 0.0f;
        int count = 0, padded = 0;
        for (int ky = 0; ky < win.x; ky++) {
            int iy = oy * win.z + ky * dp.x - dp.z;
            for (int kx = 0; kx < win.y; kx++) {
                int ix = ox * win.w + kx * dp.y - dp.w;
                if (iy < xd.y + pe.x && ix < xd.z + pe.y) padded++;
                if (iy < 0 || iy >= xd.y || ix < 0 || ix >= xd.z) continue;
                float v = A[xo + AT4(xs, n, iy, ix, c)];
                acc = is_max ? fmax(acc, v) : acc + v;
                count++;
            }
        }
        int div = pe.z ? padded : count;
        A[yo + AT4(ys, n, oy, ox, c)] = is_max ? acc : acc / (float)max(div, 1);
    }
}

/* one work-item per (n, c); the output is (N, C) or (N, C, 1, 1) or (N, 1, 1, C): element n*C + c */
__kernel void global_pool2d_f32(__global float *A, uint xo, uint yo, int is_max, int4 xd, int4 xs)
{
    size_t i = get_global_id(0);
    if (i >= (size_t)xd.x * xd.w) return;
    int c = (int)(i % xd.w), n = (int)(i / xd.w);
    float acc = is_max ? -FLT_MAX : 0.0f;
    for (int y = 0; y < xd.y; y++)
        for (int x = 0; x < xd.z; x++) {
            float v = A[xo + AT4(xs, n, y, x, c)];
            acc = is_max ? fmax(acc, v) : acc + v;
        }
    A[yo + i] = is_max ? acc : acc / (float)(xd.y * xd.z);
}

/* The same over NHWC with channels in float16 vectors (C a multiple of 16): one work-item per output pixel and
 * 16 channels. */
__kernel void pool2d_nhwc16_f32(__global float *A, uint xo, uint yo, int is_max, int4 xd, int4 yd, int4 win, int4 dp,
                                int4 pe)
{
    size_t i = get_global_id(0);
    const int cb = yd.w / 16;
    if (i >= (size_t)yd.x * yd.y * yd.z * cb) return;
    int c = (int)(i % cb) * 16;
    size_t p = i / cb;
    int ox = (int)(p % yd.z), oy = (int)((p / yd.z) % yd.y), n = (int)(p / ((size_t)yd.z * yd.y));
    float16 acc = is_max ? (float16)(-FLT_MAX) : (float16)0.0f;
    int count = 0, padded = 0;
    for (int ky = 0; ky < win.x; ky++) {
        int iy = oy * win.z + ky * dp.x - dp.z;
        for (int kx = 0; kx < win.y; kx++) {
            int ix = ox * win.w + kx * dp.y - dp.w;
            if (iy < xd.y + pe.x && ix < xd.z + pe.y) padded++;
            if (iy < 0 || iy >= xd.y || ix < 0 || ix >= xd.z) continue;
            float16 v = vload16(0, A + xo + (((size_t)n * xd.y + iy) * xd.z + ix) * xd.w + c);
            acc = is_max ? fmax(acc, v) : acc + v;
            count++;
        }
    }
    int div = pe.z ? padded : count;
    vstore16(is_max ? acc : acc / (float)max(div, 1), 0, A + yo + (((size_t)n * yd.y + oy) * yd.z + ox) * yd.w + c);
}
