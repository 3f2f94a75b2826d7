/* ReduceMean: one work-item per output element (in keepdims coordinates, dims innermost first); it visits the
 * `count` input elements whose coordinates differ along the reduced axes (rdims, padded with 1): as one run of
 * vectors when those axes are the innermost (`contiguous`), else with an odometer. */
__kernel void reduce_mean_f32(__global float *A, uint xo, uint yo, uint n, int8 odims, int8 xstr, int8 rdims,
                              int count, int contiguous)
{
    size_t i = get_global_id(0);
    if (i >= n) return;
    int od[8] = {odims.s0, odims.s1, odims.s2, odims.s3, odims.s4, odims.s5, odims.s6, odims.s7};
    int st[8] = {xstr.s0, xstr.s1, xstr.s2, xstr.s3, xstr.s4, xstr.s5, xstr.s6, xstr.s7};
    int rd[8] = {rdims.s0, rdims.s1, rdims.s2, rdims.s3, rdims.s4, rdims.s5, rdims.s6, rdims.s7};
    size_t rem = i, base = 0;
    for (int k = 0; k < 8; k++) {
        base += (rem % (size_t)od[k]) * (size_t)st[k];
        rem /= (size_t)od[k];
    }
    float acc = 0.0f;
    if (contiguous) { /* the reduced axes are the innermost: one run of `count` floats, read as vectors */
        __global const float *p = A + xo + base;
        float16 v = (float16)0.0f;
        int r = 0;
        for (; r + 16 <= count; r += 16) v += vload16(0, p + r);
        float8 h = v.lo + v.hi;
        float4 q = h.lo + h.hi;
        acc = (q.x + q.y) + (q.z + q.w);
        for (; r < count; r++) acc += p[r];
        A[yo + i] = acc / (float)count;
        return;
    }
    /* the reduced elements in order, their offset kept by an odometer (no division per element) */
    int idx[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t off = 0;
    for (int r = 0; r < count; r++) {
        acc += A[xo + base + off];
        for (int k = 0; k < 8; k++) {
            if (++idx[k] < rd[k]) {
                off += (size_t)st[k];
                break;
            }
            off -= (size_t)(rd[k] - 1) * (size_t)st[k];
            idx[k] = 0;
        }
    }
    A[yo + i] = acc / (float)count;
}
