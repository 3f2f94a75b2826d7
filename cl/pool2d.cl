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
        float acc = is_max ? -INFINITY : 0.0f;
        int count = 0, padded = 0;
        for (int ky = 0; ky < win.x; ky++) {
            int iy = oy * win.z + ky * dp.x - dp.z;
            for (int kx = 0; kx < win.y; kx++) {
                int ix = ox * win.w + kx * dp.y - dp.w;
                if (iy < xd.y + pe.x && ix < xd.z + pe.y) padded++;
                if (iy < 0 || iy >= xd.y || ix < 0 || ix >= xd.z) continue;
                float v = A[xo + AT4(xs, n, iy, ix, c)];
                acc = is_max ? MAX_NAN(acc, v) : acc + v;
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
    float acc = is_max ? -INFINITY : 0.0f;
    if (xs.z == 1 && xs.y == xd.z) { /* NCHW: the plane is one run of H x W floats, read as vectors */
        __global const float *p = A + xo + AT4(xs, n, 0, 0, c);
        const int len = xd.y * xd.z;
        float16 v = (float16)acc;
        int k = 0;
        for (; k + 16 <= len; k += 16) v = is_max ? MAX_NAN(v, vload16(0, p + k)) : v + vload16(0, p + k);
        float8 h = is_max ? MAX_NAN(v.lo, v.hi) : v.lo + v.hi;
        float4 q = is_max ? MAX_NAN(h.lo, h.hi) : h.lo + h.hi;
        float2 t = is_max ? MAX_NAN(q.lo, q.hi) : q.lo + q.hi;
        acc = is_max ? MAX_NAN(t.x, t.y) : t.x + t.y;
        for (; k < len; k++) acc = is_max ? MAX_NAN(acc, p[k]) : acc + p[k];
    } else {
        for (int y = 0; y < xd.y; y++)
            for (int x = 0; x < xd.z; x++) {
                float v = A[xo + AT4(xs, n, y, x, c)];
                acc = is_max ? MAX_NAN(acc, v) : acc + v;
            }
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
    float16 acc = is_max ? (float16)(-INFINITY) : (float16)0.0f;
    int count = 0, padded = 0;
    for (int ky = 0; ky < win.x; ky++) {
        int iy = oy * win.z + ky * dp.x - dp.z;
        for (int kx = 0; kx < win.y; kx++) {
            int ix = ox * win.w + kx * dp.y - dp.w;
            if (iy < xd.y + pe.x && ix < xd.z + pe.y) padded++;
            if (iy < 0 || iy >= xd.y || ix < 0 || ix >= xd.z) continue;
            float16 v = vload16(0, A + xo + (((size_t)n * xd.y + iy) * xd.z + ix) * xd.w + c);
            acc = is_max ? MAX_NAN(acc, v) : acc + v;
            count++;
        }
    }
    int div = pe.z ? padded : count;
    vstore16(is_max ? acc : acc / (float)max(div, 1), 0, A + yo + (((size_t)n * yd.y + oy) * yd.z + ox) * yd.w + c);
}

/* The same over NCHW when the window steps by 1 or 2 along the row (and reaches at most 16 columns either side): one
 * work-item per 16 consecutive outputs of a row. Per kernel row, the 48 or 64 input columns around the block are
 * written once to a private row (whole vectors inside the image, the identity outside, lane by lane only across an
 * edge); each window position is then one vector load from it (stride 2: the even lanes of two), and the lanes'
 * counts come from vector compares. */
__kernel void pool2d_nchw16_f32(__global float *A, uint xo, uint yo, int is_max, int4 xd, int4 yd, int4 win, int4 dp,
                                int4 pe)
{
    const int vb = (yd.z + 15) / 16;
    size_t i = get_global_id(0);
    if (i >= (size_t)yd.x * yd.w * yd.y * vb) return;
    const int ox0 = (int)(i % vb) * 16;
    size_t row = i / vb; /* (n, c, oy) */
    const int oy = (int)(row % yd.y);
    const size_t nc = row / yd.y;
    __global const float *x = A + xo + nc * xd.y * xd.z;
    const float none = is_max ? -INFINITY : 0.0f;
    const int sw = win.w, x0 = sw * ox0; /* the block's first input column (before the window's offset) */
    const int16 lane = (int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) * sw;
    float16 acc = (float16)none, count = (float16)0.0f, padded = (float16)0.0f;
    float rowbuf[64];
    for (int ky = 0; ky < win.x; ky++) {
        const int iy = oy * win.z + ky * dp.x - dp.z;
        const int row_in = iy >= 0 && iy < xd.y, row_padded = iy < xd.y + pe.x;
        if (row_in) {
            __global const float *xr = x + (size_t)iy * xd.z;
            for (int q = 0; q < 2 + sw; q++) {
                const int e0 = x0 - 16 + 16 * q;
                if (e0 >= 0 && e0 + 16 <= xd.z) {
                    vstore16(vload16(0, xr + e0), 0, rowbuf + 16 * q);
                } else if (e0 + 16 <= 0 || e0 >= xd.z) {
                    vstore16((float16)none, 0, rowbuf + 16 * q);
                } else {
                    for (int l = 0; l < 16; l++) rowbuf[16 * q + l] = e0 + l >= 0 && e0 + l < xd.z ? xr[e0 + l] : none;
                }
            }
        }
        for (int kx = 0; kx < win.y; kx++) {
            const int o = kx * dp.y - dp.w; /* the window's column, from the output's */
            const int16 ix = lane + (x0 + o);
            if (row_in) {
                const float16 lo = vload16(0, rowbuf + 16 + o);
                const float16 v = sw == 1 ? lo : (float16)(lo.even, vload16(0, rowbuf + 32 + o).even);
                acc = is_max ? MAX_NAN(acc, v) : acc + v;
                count += select((float16)0.0f, (float16)1.0f, ix >= 0 && ix < xd.z);
            }
            if (row_padded) padded += select((float16)0.0f, (float16)1.0f, ix < xd.z + pe.y);
        }
    }
    const float16 div = fmax(pe.z ? padded : count, (float16)1.0f);
    const float16 y = is_max ? acc : acc / div;
    store_lanes(A + yo + row * yd.z + ox0, 1, yd.z - ox0, y);
}
