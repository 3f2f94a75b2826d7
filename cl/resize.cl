/* UpSampling2D / Resize over rank-4 tensors of either layout: each output element from one source element (nearest)
 * or the four around it (bilinear, the source coordinate by `linear`: CF_RESIZE_*, clamped at the edges). Strides are
 * in elements; sh, sw the integer factors, or 0 for a size: then fh, fw the scales H / O over the region of H x W from
 * (oy0, ox0) (Resizing, RandomCrop: resize.c). */
__kernel void resize_f32(__global float *A, uint xo, uint yo, uint total, int8 od, int4 xst, int ah, int aw, int sh,
                         int sw, int H, int W, int linear, int oy0, int ox0, float fh, float fw)
{
    size_t i = get_global_id(0);
    if (i >= total) return;
    int idx[4];
    size_t r = i;
    idx[3] = (int)(r % od.s3), r /= od.s3;
    idx[2] = (int)(r % od.s2), r /= od.s2;
    idx[1] = (int)(r % od.s1), r /= od.s1;
    idx[0] = (int)r;
    int st[4] = {xst.s0, xst.s1, xst.s2, xst.s3};
    size_t base = 0;
    for (int k = 0; k < 4; k++)
        if (k != ah && k != aw) base += (size_t)idx[k] * st[k];
    int oy = idx[ah], ox = idx[aw];
    base += (size_t)oy0 * st[ah] + (size_t)ox0 * st[aw]; /* a size: the region [oy0, oy0 + H) x [ox0, ox0 + W) */
    if (!linear) {
        int sy = sh ? oy / sh : min((int)floor(((float)oy + 0.5f) * fh), H - 1);
        int sx = sw ? ox / sw : min((int)floor(((float)ox + 0.5f) * fw), W - 1);
        A[yo + i] = A[xo + base + (size_t)sy * st[ah] + (size_t)sx * st[aw]];
        return;
    }
    float fy, fx; /* the source coordinate: half-pixel (1), align_corners (2), asymmetric (3); a size: half-pixel */
    if (!sh) {
        fy = ((float)oy + 0.5f) * fh - 0.5f;
        fx = ((float)ox + 0.5f) * fw - 0.5f;
    } else if (linear == 1) {
        fy = ((float)oy + 0.5f) / (float)sh - 0.5f;
        fx = ((float)ox + 0.5f) / (float)sw - 0.5f;
    } else if (linear == 2) {
        fy = H * sh > 1 ? (float)oy * (float)(H - 1) / (float)(H * sh - 1) : 0.0f;
        fx = W * sw > 1 ? (float)ox * (float)(W - 1) / (float)(W * sw - 1) : 0.0f;
    } else {
        fy = (float)oy / (float)sh;
        fx = (float)ox / (float)sw;
    }
    fy = fmax(fy, 0.0f);
    fx = fmax(fx, 0.0f);
    int y0 = (int)fy, x0 = (int)fx;
    float ty = fy - (float)y0, tx = fx - (float)x0;
    int y1 = min(y0 + 1, H - 1), x1 = min(x0 + 1, W - 1);
    y0 = min(y0, H - 1);
    x0 = min(x0, W - 1);
    __global const float *x = A + xo + base;
    float v00 = x[(size_t)y0 * st[ah] + (size_t)x0 * st[aw]], v01 = x[(size_t)y0 * st[ah] + (size_t)x1 * st[aw]];
    float v10 = x[(size_t)y1 * st[ah] + (size_t)x0 * st[aw]], v11 = x[(size_t)y1 * st[ah] + (size_t)x1 * st[aw]];
    float top = v00 + (v01 - v00) * tx, bottom = v10 + (v11 - v10) * tx;
    A[yo + i] = top + (bottom - top) * ty;
}
