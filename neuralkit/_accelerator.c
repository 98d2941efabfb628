/* neuralkit's optional accelerator: each optimizer's whole step, fused, in one C call.
 *
 * Why: NumPy runs an update as one pass over memory per operation (Adam: 13 passes, plus the
 * update guard's snapshot copy and finiteness check), each a separate call with its own
 * temporaries. Here every element of every parameter goes through the whole update while it is
 * in registers. The Python side is neuralkit/training/accelerator.py, which decides when a
 * step may come here; neuralkit/optimizers/ stays the reference.
 *
 * Same numbers, bit for bit: each kernel performs the NumPy code's operations in the NumPy
 * code's order, each rounded to the array's type (float or double: no float is widened, the
 * Python floats are rounded to the array's type once, as NumPy rounds them), with no contraction
 * into fused multiply-adds (built with -ffp-contract=off, never -ffast-math). The comment above
 * each kernel names the lines it replaces.
 *
 * All or nothing: a step runs twice over the parameters. The first pass computes every new
 * parameter value and writes nothing; only when all of them are finite does the second pass
 * compute them again and write parameters and optimizer state. Otherwise the call returns the
 * index of the first parameter that would have become NaN or inf and nothing has changed
 * (what the update guard's snapshot and restore give the NumPy path). The call holds the GIL
 * throughout, so Ctrl-C cannot cut a step short.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

/* The step's numbers, as the Python side computed them (doubles); each kernel rounds them to
 * its type. `scale` is per parameter (a clipped gradient's factor, 1.0 where unclipped). */
typedef struct {
    int clip;              /* 0: none; 1: gradient times scale[k]; 2: clipped to +-clipvalue */
    double clipvalue;
    int decay;             /* weight decay first: W := W - (W * weight_decay) * rate */
    double weight_decay, rate;
    double h[6];           /* the optimizer's own numbers, named in each kernel */
    int flag[2];
} Step;

#define MAX_ARRAYS 4       /* a parameter, and at most 3 state arrays of its shape */

typedef struct {
    Py_buffer param, grad, state[MAX_ARRAYS - 1];
    int n_state;
    double scale;
} Slot;

/* --------------------------------------------------------------------------------------------
 * The kernels, once per type T (float, double). Each computes the new value of one element,
 * returns it, and writes the element's state and parameter only when `write` is set.
 * ------------------------------------------------------------------------------------------ */
#define KERNELS(T, SQRT, SUFFIX)                                                                  \
                                                                                                  \
/* Optimizer._clipped and ._decay (optimizers/base.py): np.multiply(grad, scale, out) or         \
 * np.clip(grad, -clipvalue, clipvalue, out); then work = param * weight_decay;                   \
 * work *= rate; param -= work. */                                                                \
static inline T prologue_##SUFFIX(const Step *s, double scale, T *g, T p)                         \
{                                                                                                 \
    if (s->clip == 1) {                                                                           \
        *g = *g * (T)scale;                                                                       \
    } else if (s->clip == 2) {                                                                    \
        T hi = (T)s->clipvalue, lo = -hi;                                                         \
        *g = *g < lo ? lo : (*g > hi ? hi : *g);    /* NaN stays NaN, as np.clip */               \
    }                                                                                             \
    if (s->decay) {                                                                               \
        T work = p * (T)s->weight_decay;                                                          \
        work = work * (T)s->rate;                                                                 \
        p = p - work;                                                                             \
    }                                                                                             \
    return p;                                                                                     \
}                                                                                                 \
                                                                                                  \
/* SGD.update (optimizers/sgd.py); h = {lr, momentum}, flag[0] = nesterov:                        \
 *   step = grad * lr; plain: param -= step; else velocity *= momentum; velocity -= step;         \
 *   nesterov: ahead = velocity * momentum; ahead -= step; param += ahead; else param += v. */     \
static inline T sgd_##SUFFIX(const Step *s, double scale, T g, T p, T *st, int write)              \
{                                                                                                 \
    p = prologue_##SUFFIX(s, scale, &g, p);                                                       \
    T step = g * (T)s->h[0];                                                                      \
    if (s->h[1] == 0.0)                                                                           \
        return p - step;                                                                          \
    T v = st[0] * (T)s->h[1];                                                                     \
    v = v - step;                                                                                 \
    if (write) st[0] = v;                                                                         \
    if (s->flag[0]) {                                                                             \
        T ahead = v * (T)s->h[1];                                                                 \
        ahead = ahead - step;                                                                     \
        return p + ahead;                                                                         \
    }                                                                                             \
    return p + v;                                                                                 \
}                                                                                                 \
                                                                                                  \
/* Adam.update (optimizers/adam.py); h = {beta_1, 1 - beta_1, beta_2, 1 - beta_2,                 \
 * sqrt(1 - beta_2**t), lr / (1 - beta_1**t)}, epsilon apart, flag[0] = amsgrad:                  \
 *   m *= beta_1; m += grad * (1 - beta_1); v *= beta_2; work = grad**2; work *= 1 - beta_2;      \
 *   v += work; amsgrad: v = maximum(v_max, v) into v_max; denom = sqrt(v);                       \
 *   denom /= sqrt(bias_2); denom += epsilon; denom = m / denom; denom *= lr / bias_1;            \
 *   param -= denom. */                                                                           \
static inline T adam_##SUFFIX(const Step *s, double eps, double scale, T g, T p, T *st,           \
                              int write)                                                          \
{                                                                                                 \
    p = prologue_##SUFFIX(s, scale, &g, p);                                                       \
    T m = st[0] * (T)s->h[0];                                                                     \
    m = m + g * (T)s->h[1];                                                                       \
    T v = st[1] * (T)s->h[2];                                                                     \
    T work = g * g;                                                                               \
    work = work * (T)s->h[3];                                                                     \
    v = v + work;                                                                                 \
    T used = v;                                                                                   \
    if (s->flag[0]) {                   /* np.maximum(v_max, v): v_max on ties, NaN kept */       \
        T vmax = st[2];                                                                           \
        used = (vmax >= v || vmax != vmax) ? vmax : v;                                            \
    }                                                                                             \
    if (write) {                                                                                  \
        st[0] = m;                                                                                \
        st[1] = v;                                                                                \
        if (s->flag[0]) st[2] = used;                                                             \
    }                                                                                             \
    T denom = SQRT(used);                                                                         \
    denom = denom / (T)s->h[4];                                                                   \
    denom = denom + (T)eps;                                                                       \
    denom = m / denom;                                                                            \
    denom = denom * (T)s->h[5];                                                                   \
    return p - denom;                                                                             \
}                                                                                                 \
                                                                                                  \
/* RMSprop.update (optimizers/rmsprop.py); h = {rho, 1 - rho, epsilon, lr, momentum},            \
 * flag[0] = centered. State: s, then g_avg when centered, then velocity when momentum > 0:       \
 *   s *= rho; work = grad**2; work *= 1 - rho; s += work; centered: g_avg *= rho;                \
 *   g_avg += grad * (1 - rho); var = g_avg**2; var = s - var; denom = sqrt(maximum(var, 0));     \
 *   else denom = sqrt(s); denom += epsilon; step = grad * lr; step /= denom;                     \
 *   momentum: velocity *= momentum; velocity += step; step = velocity; param -= step. */          \
static inline T rmsprop_##SUFFIX(const Step *s, double scale, T g, T p, T *st, int write)          \
{                                                                                                 \
    p = prologue_##SUFFIX(s, scale, &g, p);                                                       \
    T sq = st[0] * (T)s->h[0];                                                                    \
    T work = g * g;                                                                               \
    work = work * (T)s->h[1];                                                                     \
    sq = sq + work;                                                                               \
    int next = 1;                                                                                 \
    T denom;                                                                                      \
    if (s->flag[0]) {                                                                             \
        T avg = st[1] * (T)s->h[0];                                                               \
        avg = avg + g * (T)s->h[1];                                                               \
        T var = avg * avg;                                                                        \
        var = sq - var;                                                                           \
        var = (var >= (T)0 || var != var) ? var : (T)0;    /* np.maximum(var, 0.0) */              \
        denom = SQRT(var);                                                                        \
        if (write) st[1] = avg;                                                                   \
        next = 2;                                                                                 \
    } else {                                                                                      \
        denom = SQRT(sq);                                                                         \
    }                                                                                             \
    if (write) st[0] = sq;                                                                        \
    denom = denom + (T)s->h[2];                                                                   \
    T step = g * (T)s->h[3];                                                                      \
    step = step / denom;                                                                          \
    if (s->h[4] > 0.0) {                                                                          \
        T vel = st[next] * (T)s->h[4];                                                            \
        vel = vel + step;                                                                         \
        if (write) st[next] = vel;                                                                \
        step = vel;                                                                               \
    }                                                                                             \
    return p - step;                                                                              \
}                                                                                                 \
                                                                                                  \
/* Adagrad.update (optimizers/adagrad.py); h = {epsilon, lr}:                                     \
 *   work = grad**2; accumulator += work; denom = sqrt(accumulator); denom += epsilon;            \
 *   step = grad * lr; step /= denom; param -= step. */                                           \
static inline T adagrad_##SUFFIX(const Step *s, double scale, T g, T p, T *st, int write)          \
{                                                                                                 \
    p = prologue_##SUFFIX(s, scale, &g, p);                                                       \
    T acc = st[0] + g * g;                                                                        \
    if (write) st[0] = acc;                                                                       \
    T denom = SQRT(acc);                                                                          \
    denom = denom + (T)s->h[0];                                                                   \
    T step = g * (T)s->h[1];                                                                      \
    step = step / denom;                                                                          \
    return p - step;                                                                              \
}                                                                                                 \
                                                                                                  \
/* One pass over one parameter: returns 0 when a new value is not finite (write == 0 only). */   \
static int pass_##SUFFIX(int kind, const Step *s, double eps, Slot *slot, int write)              \
{                                                                                                 \
    T *P = (T *)slot->param.buf, *G = (T *)slot->grad.buf;                                        \
    T *S[MAX_ARRAYS - 1] = {NULL, NULL, NULL};                                                    \
    for (int j = 0; j < slot->n_state; j++) S[j] = (T *)slot->state[j].buf;                       \
    Py_ssize_t n = slot->param.len / (Py_ssize_t)sizeof(T);                                       \
    T st[MAX_ARRAYS - 1];                                                                         \
    for (Py_ssize_t i = 0; i < n; i++) {                                                          \
        for (int j = 0; j < slot->n_state; j++) st[j] = S[j][i];                                  \
        T p;                                                                                      \
        switch (kind) {                                                                           \
        case 0: p = sgd_##SUFFIX(s, slot->scale, G[i], P[i], st, write); break;                   \
        case 1: p = adam_##SUFFIX(s, eps, slot->scale, G[i], P[i], st, write); break;             \
        case 2: p = rmsprop_##SUFFIX(s, slot->scale, G[i], P[i], st, write); break;               \
        default: p = adagrad_##SUFFIX(s, slot->scale, G[i], P[i], st, write); break;              \
        }                                                                                         \
        if (write) {                                                                              \
            P[i] = p;                                                                             \
            for (int j = 0; j < slot->n_state; j++) S[j][i] = st[j];                              \
        } else if (!isfinite(p)) {                                                                \
            return 0;                                                                             \
        }                                                                                         \
    }                                                                                             \
    return 1;                                                                                     \
}

KERNELS(float, sqrtf, f32)
KERNELS(double, sqrt, f64)

static void release(Slot *slots, Py_ssize_t n)
{
    for (Py_ssize_t k = 0; k < n; k++) {
        PyBuffer_Release(&slots[k].param);
        PyBuffer_Release(&slots[k].grad);
        for (int j = 0; j < slots[k].n_state; j++) PyBuffer_Release(&slots[k].state[j]);
    }
}

/* A C-contiguous buffer of `format` ('f' or 'd'), shaped like `like` when it is given, or an
 * exception. */
static int get_buffer(PyObject *obj, Py_buffer *view, int writable, char format,
                      const Py_buffer *like)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0) return -1;
    int ok = view->format != NULL && view->format[0] == format && view->format[1] == '\0';
    if (ok && like != NULL) {
        ok = view->ndim == like->ndim && view->len == like->len;
        for (int d = 0; ok && d < view->ndim; d++) ok = view->shape[d] == like->shape[d];
    }
    if (!ok) {
        PyBuffer_Release(view);
        PyErr_SetString(PyExc_ValueError, "_accelerator.step: arrays of one dtype and one "
                                          "shape per parameter expected");
        return -1;
    }
    return 0;
}

/* step(kind, items, scales, numbers) -> -1 when applied, else the index of the first parameter
 * that would have become NaN or inf (then nothing was written).
 *   kind: 0 SGD, 1 Adam, 2 RMSprop, 3 Adagrad
 *   items: list of (param, grad, state arrays...) tuples, every array C-contiguous and of one
 *          dtype (float32 or float64)
 *   scales: list of floats, the gradient factor per parameter (used when clip == 1)
 *   numbers: (clip, clipvalue, decay, weight_decay, rate, eps, flag0, flag1, h0, ..., h5) */
static PyObject *step(PyObject *self, PyObject *args)
{
    int kind;
    PyObject *items, *scales;
    Step s;
    double eps;
    if (!PyArg_ParseTuple(args, "iO!O!(ididddiidddddd)", &kind, &PyList_Type, &items,
                          &PyList_Type, &scales, &s.clip, &s.clipvalue, &s.decay,
                          &s.weight_decay, &s.rate, &eps, &s.flag[0], &s.flag[1], &s.h[0],
                          &s.h[1], &s.h[2], &s.h[3], &s.h[4], &s.h[5]))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(items);
    if (kind < 0 || kind > 3 || PyList_GET_SIZE(scales) != n) {
        PyErr_SetString(PyExc_ValueError, "_accelerator.step: bad kind or scales");
        return NULL;
    }
    Slot *slots = PyMem_Calloc(n ? (size_t)n : 1, sizeof(Slot));
    if (slots == NULL) return PyErr_NoMemory();
    char format = 0;
    Py_ssize_t got = 0;
    for (; got < n; got++) {
        PyObject *item = PyList_GET_ITEM(items, got);
        Slot *slot = &slots[got];
        Py_ssize_t size = PyTuple_Check(item) ? PyTuple_GET_SIZE(item) : 0;
        if (size < 2 || size > MAX_ARRAYS + 1) {
            PyErr_SetString(PyExc_ValueError, "_accelerator.step: (param, grad, *state) tuples");
            goto fail;
        }
        if (format == 0) {
            Py_buffer probe;
            if (PyObject_GetBuffer(PyTuple_GET_ITEM(item, 0), &probe, PyBUF_FORMAT) < 0)
                goto fail;
            format = probe.format ? probe.format[0] : 0;
            PyBuffer_Release(&probe);
            if (format != 'f' && format != 'd') {
                PyErr_SetString(PyExc_ValueError, "_accelerator.step: float32 or float64 only");
                goto fail;
            }
        }
        if (get_buffer(PyTuple_GET_ITEM(item, 0), &slot->param, 1, format, NULL) < 0) goto fail;
        if (get_buffer(PyTuple_GET_ITEM(item, 1), &slot->grad, 0, format, &slot->param) < 0) {
            PyBuffer_Release(&slot->param);
            goto fail;
        }
        for (Py_ssize_t j = 2; j < size; j++) {
            if (get_buffer(PyTuple_GET_ITEM(item, j), &slot->state[j - 2], 1, format,
                           &slot->param) < 0) {
                PyBuffer_Release(&slot->param);
                PyBuffer_Release(&slot->grad);
                for (int k = 0; k < slot->n_state; k++) PyBuffer_Release(&slot->state[k]);
                goto fail;
            }
            slot->n_state++;
        }
        slot->scale = PyFloat_AsDouble(PyList_GET_ITEM(scales, got));
        if (slot->scale == -1.0 && PyErr_Occurred()) {
            release(slot, 1);
            goto fail;
        }
    }
    Py_ssize_t bad = -1;
    for (int write = 0; write < 2 && bad < 0; write++) {
        for (Py_ssize_t k = 0; k < n; k++) {
            int ok = format == 'f' ? pass_f32(kind, &s, eps, &slots[k], write)
                                   : pass_f64(kind, &s, eps, &slots[k], write);
            if (!ok) {
                bad = k;
                break;
            }
        }
    }
    release(slots, n);
    PyMem_Free(slots);
    return PyLong_FromSsize_t(bad);
fail:
    release(slots, got);
    PyMem_Free(slots);
    return NULL;
}

static PyMethodDef methods[] = {
    {"step", step, METH_VARARGS, "One fused optimizer step over every parameter, all or nothing."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_accelerator",
                                    "neuralkit's fused optimizer steps (optional).", -1, methods};

PyMODINIT_FUNC PyInit__accelerator(void) { return PyModule_Create(&module); }
