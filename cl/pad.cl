/* Pad: output element o (dims innermost first) reads input coordinate o - begin per axis; outside the input it is
 * `value` (mode 0), the edge (2) or the mirror image without the edge (1). One work-item per output row (the
 * innermost axis): the outer coordinates are worked out once a row, then the row is copied with its edges. */
__kernel void pad_f32(__global float *A, uint xo, uint yo, uint rows, int8 odims, int8 xdims, int8 xstr, int8 begin,
                      int mode, float value)
{
    size_t r = get_global_id(0);
    if (r >= rows) return;
    int od[8] = {odims.s0, odims.s1, odims.s2, odims.s3, odims.s4, odims.s5, odims.s6, odims.s7};
    int xd[8] = {xdims.s0, xdims.s1, xdims.s2, xdims.s3, xdims.s4, xdims.s5, xdims.s6, xdims.s7};
    int st[8] = {xstr.s0, xstr.s1, xstr.s2, xstr.s3, xstr.s4, xstr.s5, xstr.s6, xstr.s7};
    int bg[8] = {begin.s0, begin.s1, begin.s2, begin.s3, begin.s4, begin.s5, begin.s6, begin.s7};
    uint rem = (uint)r; /* (32-bit: the element count is a uint) */
    size_t s = 0;
    int outside = 0;
    for (int k = 1; k < 8; k++) {
        if (od[k] == 1 && bg[k] == 0) continue; /* the axes that pad the rank to 8 */
        int c = (int)(rem % (uint)od[k]) - bg[k];
        rem /= (uint)od[k];
        if (c < 0 || c >= xd[k]) {
            if (mode == 0) outside = 1;
            else if (mode == 2) c = c < 0 ? 0 : xd[k] - 1;
            else c = c < 0 ? -c : 2 * (xd[k] - 1) - c;
        }
        s += (size_t)c * (size_t)st[k];
    }
    __global float *y = A + yo + r * (size_t)od[0];
    __global const float *x = A + xo + s;
    const int w = od[0], b = bg[0], xw = xd[0], st0 = st[0];
    if (outside) {
        for (int i = 0; i < w; i++) y[i] = value;
        return;
    }
    for (int i = 0; i < w; i++) {
        int c = i - b;
        if (c < 0 || c >= xw) {
            if (mode == 0) {
                y[i] = value;
                continue;
            }
            c = mode == 2 ? (c < 0 ? 0 : xw - 1) : (c < 0 ? -c : 2 * (xw - 1) - c);
        }
        y[i] = x[(size_t)c * st0];
    }
}
