/* Conv2D's dA_prev for neuralkit/_accelerator.c, in float and in double. It replaces the
 * additions of Conv2D._input_gradient (neuralkit/layers/conv.py): there, dA_prev starts as
 * np.zeros and each kernel offset's share, the product dZ @ W[p, q].T, is added into the inputs
 * that offset touches, `target[:, in_h, in_w] += block[:, out_h, out_w]`, one strided NumPy
 * pass per offset. Here each element of dA_prev is written once: it starts at 0 and takes the
 * shares of the offsets that touch it in the same order (p, then q), so the sums are NumPy's,
 * bit for bit. The products stay BLAS's, made by the caller as the NumPy code makes them.
 *
 * Layout: shares (f_h f_w, m, oh, ow, C), one block per offset (p, q) in row-major order,
 * C-contiguous (the blocks of offsets that touch no input are never read); dA (m, H, W, C).
 * Output (h, w) under offset (p, q) touches input (h s_h + p - top, w s_w + q - left). */

typedef struct {
    Py_ssize_t m, H, W, C, oh, ow, fh, fw, sh, sw, top, left;
} ConvGrad;

/* Along one axis: the output o whose window puts kernel offset `offset` on input `at`, or -1. */
INLINE Py_ssize_t conv_source(Py_ssize_t at, Py_ssize_t before, Py_ssize_t offset,
                              Py_ssize_t stride, Py_ssize_t out)
{
    const Py_ssize_t shifted = at + before - offset;
    if (shifted < 0 || shifted % stride) return -1;
    return shifted / stride < out ? shifted / stride : -1;
}

#define DEFINE_CONV_GRAD(T, SUFFIX)                                                               \
CLONES static void conv_input_gradient_##SUFFIX(const ConvGrad *g, const T *restrict shares,    \
                                                T *restrict dA)                                 \
{                                                                                               \
    const Py_ssize_t C = g->C, block = g->m * g->oh * g->ow * C;                                \
    for (Py_ssize_t i = 0; i < g->m; i++)                                                       \
        for (Py_ssize_t y = 0; y < g->H; y++)                                                   \
            for (Py_ssize_t x = 0; x < g->W; x++) {                                             \
                T *restrict out = dA + ((i * g->H + y) * g->W + x) * C;                         \
                for (Py_ssize_t c = 0; c < C; c++) out[c] = 0;                                  \
                for (Py_ssize_t p = 0; p < g->fh; p++) {                                        \
                    const Py_ssize_t h = conv_source(y, g->top, p, g->sh, g->oh);               \
                    if (h < 0) continue;                                                        \
                    for (Py_ssize_t q = 0; q < g->fw; q++) {                                    \
                        const Py_ssize_t w = conv_source(x, g->left, q, g->sw, g->ow);          \
                        if (w < 0) continue;                                                    \
                        const T *restrict s = shares + (p * g->fw + q) * block                  \
                                              + ((i * g->oh + h) * g->ow + w) * C;              \
                        for (Py_ssize_t c = 0; c < C; c++) out[c] += s[c];                      \
                    }                                                                           \
                }                                                                               \
            }                                                                                   \
}

DEFINE_CONV_GRAD(float, f32)
DEFINE_CONV_GRAD(double, f64)
