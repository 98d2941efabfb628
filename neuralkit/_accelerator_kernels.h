/* The kernels of neuralkit/_accelerator.c: each optimizer's update of one parameter, one loop
 * per combination of its switches, in float and in double. Included once, by _accelerator.c,
 * after its Step and Slot types; the comment above each kernel names the NumPy lines it
 * replaces (neuralkit/optimizers/). */

/* Every kernel is a loop over the elements of one parameter (P), its gradient (G) and its
 * state arrays (S0..S2). The loop has no call and no early exit, so the compiler vectorizes it
 * (sqrt and division included: -O3 -fno-math-errno; each lane still rounds every operation as
 * NumPy's loops do). The loop-invariant switches (weight decay, momentum, ..., and `write`:
 * write the new values in place, or only check them) are arguments of an always-inlined
 * function called with constants (CASES_* below): each combination is one straight loop. The
 * check (write == 0) returns 1 when a new parameter value is NaN or inf. */
#define INLINE static inline __attribute__((always_inline))

enum { BOUND, CHECK, WRITE };  /* the modes of a pass (pass_* below) */

/* With GCC on x86-64 Linux, each pass is also compiled for AVX2 (8 floats to a vector instead
 * of 4), chosen at load time where the CPU has it: the same operations, the same numbers. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CLONES
#endif

/* `switch (code)` cases calling kernel k(..., a[, b[, c]]) with every combination of its
 * switches as constants; the code's bits are the switches (0 or 1) in argument order. */
#define CASES_1(k, ...)                                                                         \
    case 0: return k(__VA_ARGS__, 0); case 1: return k(__VA_ARGS__, 1);
#define CASES_2(k, ...)                                                                         \
    case 0: return k(__VA_ARGS__, 0, 0); case 1: return k(__VA_ARGS__, 0, 1);                  \
    case 2: return k(__VA_ARGS__, 1, 0); case 3: return k(__VA_ARGS__, 1, 1);
#define CASES_3(k, ...)                                                                         \
    case 0: return k(__VA_ARGS__, 0, 0, 0); case 1: return k(__VA_ARGS__, 0, 0, 1);            \
    case 2: return k(__VA_ARGS__, 0, 1, 0); case 3: return k(__VA_ARGS__, 0, 1, 1);            \
    case 4: return k(__VA_ARGS__, 1, 0, 0); case 5: return k(__VA_ARGS__, 1, 0, 1);            \
    case 6: return k(__VA_ARGS__, 1, 1, 0); case 7: return k(__VA_ARGS__, 1, 1, 1);
#define CASES_4(k, ...)                                                                         \
    CASES_3(k, __VA_ARGS__, 0)                                                                  \
    case 8: return k(__VA_ARGS__, 1, 0, 0, 0); case 9: return k(__VA_ARGS__, 1, 0, 0, 1);      \
    case 10: return k(__VA_ARGS__, 1, 0, 1, 0); case 11: return k(__VA_ARGS__, 1, 0, 1, 1);    \
    case 12: return k(__VA_ARGS__, 1, 1, 0, 0); case 13: return k(__VA_ARGS__, 1, 1, 0, 1);    \
    case 14: return k(__VA_ARGS__, 1, 1, 1, 0); case 15: return k(__VA_ARGS__, 1, 1, 1, 1);

/* The arguments every kernel takes. */
#define KERNEL_ARGS(T, SUFFIX)                                                                    \
    Py_ssize_t n, T *restrict P, const T *restrict G, T *restrict S0, T *restrict S1,             \
    T *restrict S2, const Numbers_##SUFFIX *c

/* The start of every kernel's loop: the clipped gradient g and the decayed parameter p.
 * Optimizer._clipped (optimizers/base.py): np.multiply(grad, scale, out) or np.clip(grad,
 * -clipvalue, clipvalue, out); both are applied, each exact when unused (a scale of 1.0, bounds
 * of -inf and inf; NaN stays NaN, as in np.clip). Optimizer._decay: work = param *
 * weight_decay; work *= rate; param -= work. */
#define PROLOGUE(T)                                                                               \
    const T scale = c->scale, lo = c->lo, hi = c->hi, wd = c->wd, rate = c->rate;                 \
    int bad = 0;                                                                                  \
    for (Py_ssize_t i = 0; i < n; i++) {                                                          \
        T g = G[i] * scale;                                                                       \
        g = g < lo ? lo : (g > hi ? hi : g);                                                      \
        T p = P[i];                                                                               \
        if (decay) {                                                                              \
            T work = p * wd;                                                                      \
            work = work * rate;                                                                   \
            p = p - work;                                                                         \
        }

/* The end of every kernel's loop: write the new parameter, or note whether it is finite. */
#define EPILOGUE(FABS, TMAX)                                                                      \
        if (write) P[i] = p;                                                                      \
        else bad |= !(FABS(p) <= TMAX);                                                           \
    }                                                                                             \
    return bad;

#define KERNELS(T, SUFFIX, SQRT, FABS, TMAX)                                                      \
                                                                                                  \
typedef struct {                                                                                  \
    T scale, lo, hi, wd, rate, eps, h[6];                                                         \
    T k;       /* the bounds' factor: lr / epsilon (Adam: lr / (1 - beta_1**t) / epsilon) */      \
} Numbers_##SUFFIX;                                                                               \
                                                                                                  \
/* SGD.update (optimizers/sgd.py); h = {lr, momentum}; S0 = velocity:                             \
 *   step = grad * lr; plain: param -= step; else velocity *= momentum; velocity -= step;         \
 *   nesterov: ahead = velocity * momentum; ahead -= step; param += ahead; else param += v. */     \
INLINE int sgd_##SUFFIX(KERNEL_ARGS(T, SUFFIX), const int decay, const int momentum,               \
                        const int nesterov, const int write)                                      \
{                                                                                                 \
    const T lr = c->h[0], mu = c->h[1];                                                           \
    PROLOGUE(T)                                                                                   \
        T step = g * lr;                                                                          \
        if (!momentum) {                                                                          \
            p = p - step;                                                                         \
        } else {                                                                                  \
            T v = S0[i] * mu;                                                                     \
            v = v - step;                                                                         \
            if (write) S0[i] = v;                                                                 \
            if (nesterov) {                                                                       \
                T ahead = v * mu;                                                                 \
                ahead = ahead - step;                                                             \
                p = p + ahead;                                                                    \
            } else {                                                                              \
                p = p + v;                                                                        \
            }                                                                                     \
        }                                                                                         \
    EPILOGUE(FABS, TMAX)                                                                          \
}                                                                                                 \
                                                                                                  \
/* Adam's moments (Adam.update): m *= beta_1; m += grad * (1 - beta_1); v *= beta_2;            \
 * work = grad**2; work *= 1 - beta_2; v += work; with amsgrad, `used` = np.maximum(v_max, v)    \
 * (v_max on ties, NaN kept), else v: the v the step divides by. The step and its bound share it. */ \
INLINE void adam_moments_##SUFFIX(const Numbers_##SUFFIX *c, T g, T m_old, T v_old, T vmax,       \
                                  const int amsgrad, T *m, T *v, T *used)                         \
{                                                                                                 \
    T next_m = m_old * c->h[0];                                                                   \
    *m = next_m + g * c->h[1];                                                                    \
    T next_v = v_old * c->h[2];                                                                   \
    T work = g * g;                                                                               \
    work = work * c->h[3];                                                                        \
    *v = next_v + work;                                                                           \
    *used = amsgrad && (vmax >= *v || vmax != vmax) ? vmax : *v;                                  \
}                                                                                                 \
                                                                                                  \
/* Adam.update (optimizers/adam.py); h = {beta_1, 1 - beta_1, beta_2, 1 - beta_2,                 \
 * sqrt(1 - beta_2**t), lr / (1 - beta_1**t)}; S0, S1, S2 = m, v, v_max:                          \
 *   m *= beta_1; m += grad * (1 - beta_1); v *= beta_2; work = grad**2; work *= 1 - beta_2;      \
 *   v += work; amsgrad: v = np.maximum(v_max, v) into v_max (v_max on ties, NaN kept);           \
 *   denom = sqrt(v); denom /= sqrt(bias_2); denom += epsilon; denom = m / denom;                 \
 *   denom *= lr / bias_1; param -= denom. */                                                     \
INLINE int adam_##SUFFIX(KERNEL_ARGS(T, SUFFIX), const int decay, const int amsgrad,             \
                         const int write)                                                         \
{                                                                                                 \
    const T eps = c->eps, root_bias_2 = c->h[4], rate_bias_1 = c->h[5];                           \
    PROLOGUE(T)                                                                                   \
        T m, v, used;                                                                             \
        adam_moments_##SUFFIX(c, g, S0[i], S1[i], amsgrad ? S2[i] : (T)0, amsgrad, &m, &v, &used); \
        if (write) {                                                                              \
            S0[i] = m;                                                                            \
            S1[i] = v;                                                                            \
            if (amsgrad) S2[i] = used;                                                            \
        }                                                                                         \
        T denom = SQRT(used);                                                                     \
        denom = denom / root_bias_2;                                                              \
        denom = denom + eps;                                                                      \
        denom = m / denom;                                                                        \
        denom = denom * rate_bias_1;                                                              \
        p = p - denom;                                                                            \
    EPILOGUE(FABS, TMAX)                                                                          \
}                                                                                                 \
                                                                                                  \
/* RMSprop.update (optimizers/rmsprop.py); h = {rho, 1 - rho, epsilon, lr, momentum};            \
 * S0 = s, S1 = g_avg when centered, then velocity (S1 or S2) when momentum > 0:                  \
 *   s *= rho; work = grad**2; work *= 1 - rho; s += work; centered: g_avg *= rho;                \
 *   g_avg += grad * (1 - rho); var = g_avg**2; var = s - var; denom = sqrt(maximum(var, 0));     \
 *   else denom = sqrt(s); denom += epsilon; step = grad * lr; step /= denom;                     \
 *   momentum: velocity *= momentum; velocity += step; step = velocity; param -= step. */          \
INLINE int rmsprop_##SUFFIX(KERNEL_ARGS(T, SUFFIX), const int decay, const int centered,          \
                            const int momentum, const int write)                                  \
{                                                                                                 \
    const T rho = c->h[0], omr = c->h[1], eps = c->h[2], lr = c->h[3], mu = c->h[4];              \
    T *VEL = centered ? S2 : S1;                                                                  \
    PROLOGUE(T)                                                                                   \
        T sq = S0[i] * rho;                                                                       \
        T work = g * g;                                                                           \
        work = work * omr;                                                                        \
        sq = sq + work;                                                                           \
        if (write) S0[i] = sq;                                                                    \
        T denom;                                                                                  \
        if (centered) {                                                                           \
            T avg = S1[i] * rho;                                                                  \
            avg = avg + g * omr;                                                                  \
            if (write) S1[i] = avg;                                                               \
            T var = avg * avg;                                                                    \
            var = sq - var;                                                                       \
            var = (var >= (T)0 || var != var) ? var : (T)0;    /* np.maximum(var, 0.0) */          \
            denom = SQRT(var);                                                                    \
        } else {                                                                                  \
            denom = SQRT(sq);                                                                     \
        }                                                                                         \
        denom = denom + eps;                                                                      \
        T step = g * lr;                                                                          \
        step = step / denom;                                                                      \
        if (momentum) {                                                                           \
            T vel = VEL[i] * mu;                                                                  \
            vel = vel + step;                                                                     \
            if (write) VEL[i] = vel;                                                              \
            step = vel;                                                                           \
        }                                                                                         \
        p = p - step;                                                                             \
    EPILOGUE(FABS, TMAX)                                                                          \
}                                                                                                 \
                                                                                                  \
/* Adagrad.update (optimizers/adagrad.py); h = {epsilon, lr}; S0 = accumulator:                   \
 *   work = grad**2; accumulator += work; denom = sqrt(accumulator); denom += epsilon;            \
 *   step = grad * lr; step /= denom; param -= step. */                                           \
INLINE int adagrad_##SUFFIX(KERNEL_ARGS(T, SUFFIX), const int decay, const int write)             \
{                                                                                                 \
    const T eps = c->h[0], lr = c->h[1];                                                          \
    PROLOGUE(T)                                                                                   \
        T work = g * g;                                                                           \
        T acc = S0[i] + work;                                                                     \
        if (write) S0[i] = acc;                                                                   \
        T denom = SQRT(acc);                                                                      \
        denom = denom + eps;                                                                      \
        T step = g * lr;                                                                          \
        step = step / denom;                                                                      \
        p = p - step;                                                                             \
    EPILOGUE(FABS, TMAX)                                                                          \
}                                                                                                 \
                                                                                                  \
/* The bounds. Dividing by a denominator of at least epsilon (sqrt(...) / a + epsilon with a   \
 * root of a number >= 0), Adam's, RMSprop's and Adagrad's steps are at most |numerator| /       \
 * epsilon times the rate, so |p| + that bound a new parameter without a root or a division: when \
 * every bound is below a quarter of the largest float (a margin for the few roundings), every    \
 * new value is finite. The check pass computes only these bounds, at memory speed; a parameter   \
 * whose bound does not hold (a NaN or inf, a negative state, a huge step) gets the exact check.  \
 * A state x enters as x * 0 (NaN when x is NaN or inf) and must be >= 0 (a root's argument).  \
 * Each returns 1 when a bound fails. */                                                           \
INLINE int adam_bound_##SUFFIX(KERNEL_ARGS(T, SUFFIX), const int decay, const int amsgrad)        \
{                                                                                                 \
    const T k = c->k, limit = TMAX / 4;                                                           \
    PROLOGUE(T)                                                                                   \
        T m, v, used;                                                                             \
        adam_moments_##SUFFIX(c, g, S0[i], S1[i], amsgrad ? S2[i] : (T)0, amsgrad, &m, &v, &used); \
        T bound = FABS(p) + FABS(m) * k + used * (T)0;                                            \
        bad |= !(bound <= limit) | !(used >= (T)0);                                               \
    }                                                                                             \
    return bad;                                                                                   \
}                                                                                                 \
                                                                                                  \
INLINE int rmsprop_bound_##SUFFIX(KERNEL_ARGS(T, SUFFIX), const int decay, const int centered,    \
                                  const int momentum)                                             \
{                                                                                                 \
    const T rho = c->h[0], omr = c->h[1], mu = c->h[4], k = c->k, limit = TMAX / 4;               \
    const T *VEL = centered ? S2 : S1;                                                            \
    PROLOGUE(T)                                                                                   \
        T sq = S0[i] * rho;                                                                       \
        T work = g * g;                                                                           \
        work = work * omr;                                                                        \
        sq = sq + work;                                                                           \
        T extra = sq * (T)0;                                                                      \
        if (centered) {                                                                           \
            T avg = S1[i] * rho;                                                                  \
            avg = avg + g * omr;                                                                  \
            extra = extra + avg * (T)0;                                                           \
        }                                                                                         \
        T step = FABS(g) * k;                                                                     \
        if (momentum) step = step + FABS(VEL[i]) * mu;                                            \
        T bound = FABS(p) + step + extra;                                                         \
        bad |= !(bound <= limit) | !(sq >= (T)0);                                                 \
    }                                                                                             \
    return bad;                                                                                   \
}                                                                                                 \
                                                                                                  \
INLINE int adagrad_bound_##SUFFIX(KERNEL_ARGS(T, SUFFIX), const int decay)                        \
{                                                                                                 \
    const T k = c->k, limit = TMAX / 4;                                                           \
    PROLOGUE(T)                                                                                   \
        T acc = S0[i] + g * g;                                                                    \
        T bound = FABS(p) + FABS(g) * k + acc * (T)0;                                             \
        bad |= !(bound <= limit) | !(acc >= (T)0);                                                \
    }                                                                                             \
    return bad;                                                                                   \
}                                                                                                 \
                                                                                                  \
/* One pass over one parameter, in one of three modes: BOUND (check the bounds above; SGD, whose \
 * step has no division, checks exactly), CHECK (compute the new values, check them) or WRITE;   \
 * the checks return 1 when they fail. Every switch of a kernel is a constant in the loop that   \
 * runs (CASES_*). */                                                                             \
CLONES static int pass_##SUFFIX(int kind, const Step *s, double eps, const Slot *slot, int mode)  \
{                                                                                                 \
    Numbers_##SUFFIX c;                                                                           \
    c.scale = s->clip == 1 ? (T)slot->scale : (T)1;                                               \
    c.hi = s->clip == 2 ? (T)s->clipvalue : (T)INFINITY;                                          \
    c.lo = -c.hi;                                                                                 \
    c.wd = (T)s->weight_decay;                                                                    \
    c.rate = (T)s->rate;                                                                          \
    c.eps = (T)eps;                                                                               \
    for (int j = 0; j < 6; j++) c.h[j] = (T)s->h[j];                                              \
    c.k = (T)((double)(kind == 1 ? c.h[5] : kind == 2 ? c.h[3] : c.h[1])                          \
              / (double)(kind == 2 ? c.h[2] : kind == 3 ? c.h[0] : c.eps));                       \
    Py_ssize_t n = slot->param.len / (Py_ssize_t)sizeof(T);                                       \
    T *S[MAX_ARRAYS - 1] = {NULL, NULL, NULL};                                                    \
    for (int j = 0; j < slot->n_state; j++) S[j] = (T *)slot->state[j].buf;                       \
    T *P = (T *)slot->param.buf;                                                                  \
    const T *G = (const T *)slot->grad.buf;                                                       \
    int decay = s->decay != 0, f0 = s->flag[0] != 0, w = mode == WRITE;                           \
    if (mode == BOUND && kind != 0) {                                                             \
        switch (kind) {                                                                           \
        case 1:                                                                                   \
            switch (decay << 1 | f0) {                                                            \
                CASES_2(adam_bound_##SUFFIX, n, P, G, S[0], S[1], S[2], &c)                       \
            }                                                                                     \
            break;                                                                                \
        case 2:                                                                                   \
            switch (decay << 2 | f0 << 1 | (s->h[4] > 0.0)) {                                     \
                CASES_3(rmsprop_bound_##SUFFIX, n, P, G, S[0], S[1], S[2], &c)                    \
            }                                                                                     \
            break;                                                                                \
        default:                                                                                  \
            switch (decay) {                                                                      \
                CASES_1(adagrad_bound_##SUFFIX, n, P, G, S[0], S[1], S[2], &c)                    \
            }                                                                                     \
        }                                                                                         \
        return 0;                                                                                 \
    }                                                                                             \
    switch (kind) {                                                                               \
    case 0:                                                                                       \
        switch (decay << 3 | (s->h[1] != 0.0) << 2 | f0 << 1 | w) {                               \
            CASES_4(sgd_##SUFFIX, n, P, G, S[0], S[1], S[2], &c)                                  \
        }                                                                                         \
        break;                                                                                    \
    case 1:                                                                                       \
        switch (decay << 2 | f0 << 1 | w) {                                                       \
            CASES_3(adam_##SUFFIX, n, P, G, S[0], S[1], S[2], &c)                                 \
        }                                                                                         \
        break;                                                                                    \
    case 2:                                                                                       \
        switch (decay << 3 | f0 << 2 | (s->h[4] > 0.0) << 1 | w) {                                \
            CASES_4(rmsprop_##SUFFIX, n, P, G, S[0], S[1], S[2], &c)                              \
        }                                                                                         \
        break;                                                                                    \
    default:                                                                                      \
        switch (decay << 1 | w) {                                                                 \
            CASES_2(adagrad_##SUFFIX, n, P, G, S[0], S[1], S[2], &c)                              \
        }                                                                                         \
    }                                                                                             \
    return 0;                                                                                     \
}

KERNELS(float, f32, sqrtf, fabsf, FLT_MAX)
KERNELS(double, f64, sqrt, fabs, DBL_MAX)
