/* Max pooling's forward and backward for neuralkit/_accelerator.c, windows that do not overlap
 * (strides >= pool_size), in float and in double. They replace the NumPy lines of
 * MaxPooling2D.forward and MaxPooling2D.backward (neuralkit/layers/pooling.py) with one pass
 * over the input each, instead of one NumPy pass per window offset and operation (backward:
 * an equality, two boolean operations and a product per offset). Same numbers, bit for bit: a
 * max only selects, and each product below is NumPy's dA * hit with hit as 1 or 0.
 *
 * With `relu`, the ReLU a Conv2D applies before this pooling runs here after it (in fit they
 * commute, see fast_paths._relu_commutes_with_pool), replacing ReLU.forward's np.maximum(Z, 0)
 * and ReLU.backward's dA * (A > 0) on the pooled maps, so that they cost no pass of their own.
 * Backward then gets A after ReLU: where it is positive it is the window's max, and where it
 * is not, the window's gradient dA * 0 is +-0 or NaN, and its product by hit is the same for
 * hit 1 or 0, so the first maximum found from A after ReLU gives the same dP.
 *
 * Layout: P (m, Hp, Wp, C) C-contiguous (the input, padded when padding='same'); A, dA
 * (m, oh, ow, C); dP like P, allocated by the caller with zeros wherever no window reaches. */

/* np.maximum(x, y): y when it is at least x (so y when they are equal: np.maximum(-0.0, 0.0) is
 * 0.0, as NumPy's loops give) or NaN, else x (NaN when x is). Written so that it vectorizes as
 * selects (other spellings of the same test did not, with GCC 12). */
#define MAXIMUM(x, y) ((y) >= (x) ? (y) : ((y) != (y) ? (y) : (x)))

typedef struct {
    Py_ssize_t m, Hp, Wp, C, oh, ow, kh, kw, sh, sw;
} Pool;

/* Each kernel's loop body takes the window size as arguments of an always-inlined function,
 * called with the constants 2, 2 (Keras's default pooling) or with the layer's values: with
 * constants the loop over a window's offsets unrolls and the loop over channels vectorizes. */
#define DEFINE_POOL(T, SUFFIX)                                                                    \
/* MaxPooling2D.forward: A = P[offset 0]; for every later offset in row-major order,          \
 * np.maximum(A, view, out=A); with relu, then ReLU.forward's np.maximum(A, 0). */              \
INLINE void max_pool_body_##SUFFIX(const Pool *g, const T *restrict P, T *restrict A,          \
                                   const Py_ssize_t kh, const Py_ssize_t kw, const int relu)   \
{                                                                                               \
    const Py_ssize_t C = g->C, row = g->Wp * C;                                                 \
    for (Py_ssize_t i = 0; i < g->m; i++)                                                       \
        for (Py_ssize_t h = 0; h < g->oh; h++)                                                  \
            for (Py_ssize_t w = 0; w < g->ow; w++) {                                            \
                const T *window = P + ((i * g->Hp + h * g->sh) * g->Wp + w * g->sw) * C;        \
                T *out = A + ((i * g->oh + h) * g->ow + w) * C;                                 \
                for (Py_ssize_t c = 0; c < C; c++) {                                            \
                    T r = window[c];                                                            \
                    for (Py_ssize_t n = 1; n < kh * kw; n++) {                                  \
                        const T v = window[(n / kw) * row + (n % kw) * C + c];                  \
                        r = MAXIMUM(r, v);                                                      \
                    }                                                                           \
                    out[c] = relu ? MAXIMUM(r, (T)0) : r;                                       \
                }                                                                               \
            }                                                                                   \
}                                                                                               \
                                                                                                \
CLONES static void max_pool_##SUFFIX(const Pool *g, const T *restrict P, T *restrict A,        \
                                     const int relu)                                            \
{                                                                                               \
    if (g->kh == 2 && g->kw == 2) {                                                             \
        if (relu) max_pool_body_##SUFFIX(g, P, A, 2, 2, 1);                                     \
        else max_pool_body_##SUFFIX(g, P, A, 2, 2, 0);                                          \
    } else max_pool_body_##SUFFIX(g, P, A, g->kh, g->kw, relu);                                 \
}                                                                                               \
                                                                                                \
/* MaxPooling2D.backward: offset by offset in row-major order, hit = (view == A) & ~taken,      \
 * taken |= hit (the last offset takes ~taken), and the offset's gradient is dA * hit. Here    \
 * `left` is 1 while no earlier offset took the window's gradient, then 0, so hit is 1 or 0    \
 * and dA * hit is NumPy's product (for 1x1 windows NumPy passes dA itself: dA * 1 is dA).      \
 * With relu, dA is first ReLU.backward's dA * (A > 0). */                                      \
INLINE void max_pool_backward_body_##SUFFIX(const Pool *g, const T *restrict P,                \
                                            const T *restrict A, const T *restrict dA,         \
                                            T *restrict dP, const Py_ssize_t kh,               \
                                            const Py_ssize_t kw, const int relu)               \
{                                                                                               \
    const Py_ssize_t C = g->C, row = g->Wp * C, last = kh * kw - 1;                             \
    for (Py_ssize_t i = 0; i < g->m; i++)                                                       \
        for (Py_ssize_t h = 0; h < g->oh; h++)                                                  \
            for (Py_ssize_t w = 0; w < g->ow; w++) {                                            \
                const Py_ssize_t start = ((i * g->Hp + h * g->sh) * g->Wp + w * g->sw) * C;     \
                const Py_ssize_t at = ((i * g->oh + h) * g->ow + w) * C;                        \
                for (Py_ssize_t c = 0; c < C; c++) {                                            \
                    const T a_max = A[at + c];                                                  \
                    const T grad = relu ? dA[at + c] * (T)(a_max > 0) : dA[at + c];             \
                    T left = 1;                                                                 \
                    for (Py_ssize_t n = 0; n <= last; n++) {                                    \
                        const Py_ssize_t k = start + (n / kw) * row + (n % kw) * C + c;         \
                        const T hit = n == last ? left : left * (T)(P[k] == a_max);            \
                        left -= hit;                                                            \
                        dP[k] = grad * hit;                                                     \
                    }                                                                           \
                }                                                                               \
            }                                                                                   \
}                                                                                               \
                                                                                                \
CLONES static void max_pool_backward_##SUFFIX(const Pool *g, const T *restrict P,              \
                                              const T *restrict A, const T *restrict dA,       \
                                              T *restrict dP, const int relu)                  \
{                                                                                               \
    if (g->kh == 2 && g->kw == 2) {                                                             \
        if (relu) max_pool_backward_body_##SUFFIX(g, P, A, dA, dP, 2, 2, 1);                    \
        else max_pool_backward_body_##SUFFIX(g, P, A, dA, dP, 2, 2, 0);                         \
    } else max_pool_backward_body_##SUFFIX(g, P, A, dA, dP, g->kh, g->kw, relu);                \
}

DEFINE_POOL(float, f32)
DEFINE_POOL(double, f64)
