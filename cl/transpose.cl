/* Transpose and Slice, a strided gather: output element i (dims innermost first, padded with 1) reads the input at
 * the sum of its coordinates times src (Transpose: the input stride of the axis each output axis comes from; Slice:
 * the axis' step times its stride, negative for a negative step, from the slice's first element at xo). The sum is
 * taken modulo 2^32 (uint: the arena's offsets are), which gives the right index for negative terms too; 32-bit
 * division (64-bit took most of a channel shuffle's time), and the axes past the last coordinate that is not 0
 * skipped (the host merges axes, so most of the 8 are 1). */
__kernel void transpose_f32(__global float *A, uint xo, uint yo, uint n, int8 odims, int8 src)
{
    size_t i = get_global_id(0);
    if (i >= n) return;
    int od[8] = {odims.s0, odims.s1, odims.s2, odims.s3, odims.s4, odims.s5, odims.s6, odims.s7};
    int st[8] = {src.s0, src.s1, src.s2, src.s3, src.s4, src.s5, src.s6, src.s7};
    uint rem = (uint)i, s = xo;
    for (int k = 0; k < 8 && rem; k++) {
        s += (rem % (uint)od[k]) * (uint)st[k];
        rem /= (uint)od[k];
    }
    A[yo + i] = A[s];
}

/* The same gather where the innermost axis is one run in the input too (src.s0 == 1; the host merges the axes that
 * continue a run first: a channel shuffle's or a channel Slice's planes): 16 elements of it a work-item, one vector
 * load and store where all 16 are there, the other axes' index arithmetic once for them. */
__kernel void transpose_runs_f32(__global float *A, uint xo, uint yo, uint items, int8 odims, int8 src)
{
    const size_t g = get_global_id(0);
    if (g >= items) return;
    int od[8] = {odims.s0, odims.s1, odims.s2, odims.s3, odims.s4, odims.s5, odims.s6, odims.s7};
    int st[8] = {src.s0, src.s1, src.s2, src.s3, src.s4, src.s5, src.s6, src.s7};
    const int nv = (od[0] + 15) / 16, j0 = (int)(g % nv) * 16;
    const uint run = (uint)g / (uint)nv, y = run * (uint)od[0] + (uint)j0;
    uint rem = run, s = xo + (uint)j0;
    for (int k = 1; k < 8 && rem; k++) {
        s += (rem % (uint)od[k]) * (uint)st[k];
        rem /= (uint)od[k];
    }
    if (j0 + 16 <= od[0]) {
        vstore16(vload16(0, A + s), 0, A + yo + y);
        return;
    }
    for (int j = 0; j < od[0] - j0; j++) A[yo + y + j] = A[s + j];
}
