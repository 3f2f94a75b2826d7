/* BatchNormalization (inference) along one axis, then an activation (fused into it: DenseNet's BN -> ReLU):
 * y = act(x * scale[c] + shift[c]), scale and shift folded on the host from gamma, beta, mean, variance and epsilon.
 * The tensor is runs of `inner` values of one channel (c = run % len: NCHW's planes, or 1 value channels-last); each
 * work-item (of `items`) 16 values of one run, as a vector where they are all there, the channel found once for them. */
__kernel void batch_norm_f32(__global float *A, uint xo, uint yo, uint items, int len, int inner,
                             __global const float *scale, __global const float *shift, int act, float4 ap)
{
    if (get_global_id(0) >= items) return; /* (the global size is whole work-groups) */
    const int nv = (inner + 15) / 16, i0 = (int)(get_global_id(0) % nv) * 16;
    const size_t run = get_global_id(0) / nv, at = run * inner + i0;
    const int c = (int)(run % len);
    const float s = scale[c], t = shift[c];
    if (i0 + 16 <= inner) {
        vstore16(act_apply16(fma(vload16(0, A + xo + at), (float16)s, (float16)t), act, ap), 0, A + yo + at);
        return;
    }
    for (int k = 0; k < inner - i0; k++) A[yo + at + k] = act_apply(fma(A[xo + at + k], s, t), act, ap);
}

/* The same with gamma, beta, mean and variance given at run time (ONNX): y = (x - m)/sqrt(v + eps)*g + b. */
__kernel void batch_norm_full_f32(__global float *A, uint xo, uint yo, uint n, int len, int inner,
                                  __global const float *g, __global const float *b, __global const float *m,
                                  __global const float *v, float eps)
{
    size_t i = get_global_id(0);
    if (i >= n) return;
    int c = (int)((i / inner) % len);
    A[yo + i] = (A[xo + i] - m[c]) / sqrt(v[c] + eps) * g[c] + b[c];
}
