/* DepthToSpace (NCHW): (N, C*b*b, H, W) -> (N, C, H*b, W*b); CRD reads channel c*b*b + i*b + j, DCR
 * (i*b + j)*C + c, for the offsets (i, j) inside each b x b block. */
__kernel void depth_to_space_f32(__global float *A, uint xo, uint yo, int N, int C, int H, int W, int b, int crd)
{
    size_t idx = get_global_id(0);
    if (idx >= (size_t)N * C * H * W) return;
    int x = (int)(idx % W), y = (int)((idx / W) % H), c = (int)((idx / ((size_t)W * H)) % C);
    int n = (int)(idx / ((size_t)W * H * C));
    int i = y % b, j = x % b, Hi = H / b, Wi = W / b, Ci = C * b * b;
    int ci = crd ? c * b * b + i * b + j : (i * b + j) * C + c;
    A[yo + idx] = A[xo + (((size_t)n * Ci + ci) * Hi + y / b) * Wi + x / b];
}
