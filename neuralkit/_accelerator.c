/* neuralkit's optional accelerator: each optimizer's whole step, fused, in one C call (and max
 * pooling without overlap, _accelerator_pooling.h; a convolution's dA_prev, _accelerator_conv.h).
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
 * compute them again and write parameters and optimizer state in place. Otherwise the call
 * returns the index of the first parameter that would have become NaN or inf and nothing has
 * changed (what the update guard's snapshot and restore give the NumPy path). Computing twice
 * costs less than staging the new values in a buffer as large as the model and copying them
 * (measured on Adam, 235k float32 parameters: 1.2 ms against 1.6 ms a step on a loaded 2-core
 * machine; NumPy's step 2.3 ms), and needs no memory; and the first pass of Adam, RMSprop and
 * Adagrad checks a bound without their roots and divisions (see "The bounds" below: 0.31 ms
 * against 0.34 ms a step on the same Adam, NumPy's 0.62 ms, on a quieter moment). The call
 * holds the GIL throughout, so Ctrl-C cannot cut a step short.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <float.h>
#include <math.h>

/* The step's numbers, as the Python side computed them (doubles); each kernel rounds them to
 * its type once, before its loop. `scale` is per parameter (a clipped gradient's factor, 1.0
 * where unclipped). */
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

#include "_accelerator_kernels.h"
#include "_accelerator_pooling.h"
#include "_accelerator_conv.h"

static void release(Slot *slots, Py_ssize_t n)
{
    for (Py_ssize_t k = 0; k < n; k++) {
        PyBuffer_Release(&slots[k].param);
        PyBuffer_Release(&slots[k].grad);
        for (int j = 0; j < slots[k].n_state; j++) PyBuffer_Release(&slots[k].state[j]);
    }
}

/* A C-contiguous buffer of `format` ('f' or 'd'; 0: either) or a ValueError saying `expected`.
 * With `ndim` >= 0 it must have that many dimensions and `shape` (an entry < 0 is filled in
 * from the buffer). */
static int get_buffer(PyObject *obj, Py_buffer *view, int writable, char format, int ndim,
                      Py_ssize_t *shape, const char *expected)
{
    int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0) return -1;
    int ok = view->format != NULL && view->format[1] == '\0' &&
             (format == 0 ? (view->format[0] == 'f' || view->format[0] == 'd')
                          : view->format[0] == format);
    if (ok && ndim >= 0) {
        ok = view->ndim == ndim;
        for (int d = 0; ok && d < ndim; d++) {
            if (shape[d] < 0) shape[d] = view->shape[d];
            ok = view->shape[d] == shape[d];
        }
    }
    if (!ok) {
        PyBuffer_Release(view);
        PyErr_SetString(PyExc_ValueError, expected);
        return -1;
    }
    return 0;
}

static const char STEP_ARRAYS[] = "_accelerator.step: arrays of one dtype and one shape per "
                                  "parameter expected";

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
        if (get_buffer(PyTuple_GET_ITEM(item, 0), &slot->param, 1, format, -1, NULL,
                       STEP_ARRAYS) < 0)
            goto fail;
        if (get_buffer(PyTuple_GET_ITEM(item, 1), &slot->grad, 0, format, slot->param.ndim,
                       slot->param.shape, STEP_ARRAYS) < 0) {
            PyBuffer_Release(&slot->param);
            goto fail;
        }
        for (Py_ssize_t j = 2; j < size; j++) {
            if (get_buffer(PyTuple_GET_ITEM(item, j), &slot->state[j - 2], 1, format,
                           slot->param.ndim, slot->param.shape, STEP_ARRAYS) < 0) {
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
    for (Py_ssize_t k = 0; k < n && bad < 0; k++) {
        Slot *slot = &slots[k];
        int failed = format == 'f' ? pass_f32(kind, &s, eps, slot, BOUND)
                                   : pass_f64(kind, &s, eps, slot, BOUND);
        if (failed && kind != 0)  /* a bound did not hold: the exact check decides */
            failed = format == 'f' ? pass_f32(kind, &s, eps, slot, CHECK)
                                   : pass_f64(kind, &s, eps, slot, CHECK);
        if (failed) bad = k;
    }
    for (Py_ssize_t k = 0; k < n && bad < 0; k++) {
        if (format == 'f') pass_f32(kind, &s, eps, &slots[k], WRITE);
        else pass_f64(kind, &s, eps, &slots[k], WRITE);
    }
    release(slots, n);
    PyMem_Free(slots);
    return PyLong_FromSsize_t(bad);
fail:
    release(slots, got);
    PyMem_Free(slots);
    return NULL;
}

static const char POOL_ARRAYS[] = "_accelerator.max_pool: C-contiguous (m, H, W, C) arrays of "
                                  "one float dtype and matching shapes expected";

/* The window geometry from (kh, kw, sh, sw) and P's shape; windows must not overlap. */
static int pool_geometry(Pool *g, const Py_buffer *P, Py_ssize_t kh, Py_ssize_t kw,
                         Py_ssize_t sh, Py_ssize_t sw)
{
    g->m = P->shape[0], g->Hp = P->shape[1], g->Wp = P->shape[2], g->C = P->shape[3];
    g->kh = kh, g->kw = kw, g->sh = sh, g->sw = sw;
    if (kh < 1 || kw < 1 || sh < kh || sw < kw || kh > g->Hp || kw > g->Wp) {
        PyErr_SetString(PyExc_ValueError, "_accelerator.max_pool: windows that fit and do not "
                                          "overlap expected");
        return -1;
    }
    g->oh = (g->Hp - kh) / sh + 1, g->ow = (g->Wp - kw) / sw + 1;
    return 0;
}

/* max_pool(P, A, kh, kw, sh, sw, relu=0): A = the max of each window of P ('valid' windows of
 * P, which the caller padded), with relu np.maximum(that, 0). */
static PyObject *max_pool(PyObject *self, PyObject *args)
{
    PyObject *P_obj, *A_obj;
    Py_ssize_t kh, kw, sh, sw;
    Py_buffer P, A;
    Pool g;
    int relu = 0;
    Py_ssize_t shape[4] = {-1, -1, -1, -1};
    if (!PyArg_ParseTuple(args, "OOnnnn|p", &P_obj, &A_obj, &kh, &kw, &sh, &sw, &relu))
        return NULL;
    if (get_buffer(P_obj, &P, 0, 0, 4, shape, POOL_ARRAYS) < 0) return NULL;
    if (pool_geometry(&g, &P, kh, kw, sh, sw) < 0) goto release_P;
    Py_ssize_t out[4] = {g.m, g.oh, g.ow, g.C};
    if (get_buffer(A_obj, &A, 1, P.format[0], 4, out, POOL_ARRAYS) < 0) goto release_P;
    if (P.format[0] == 'f') max_pool_f32(&g, P.buf, A.buf, relu);
    else max_pool_f64(&g, P.buf, A.buf, relu);
    PyBuffer_Release(&A);
    PyBuffer_Release(&P);
    Py_RETURN_NONE;
release_P:
    PyBuffer_Release(&P);
    return NULL;
}

/* max_pool_backward(P, A, dA, dP, kh, kw, sh, sw, relu=0): writes every window's entries of dP
 * (the caller zeroed the rest); with relu, A is after ReLU and dA the gradient of that. */
static PyObject *max_pool_backward(PyObject *self, PyObject *args)
{
    PyObject *objs[4];
    Py_ssize_t kh, kw, sh, sw;
    Py_buffer views[4];
    Pool g;
    int got = 0, relu = 0;
    PyObject *result = NULL;
    if (!PyArg_ParseTuple(args, "OOOOnnnn|p", &objs[0], &objs[1], &objs[2], &objs[3], &kh, &kw,
                          &sh, &sw, &relu))
        return NULL;
    Py_ssize_t P_shape[4] = {-1, -1, -1, -1};
    if (get_buffer(objs[0], &views[0], 0, 0, 4, P_shape, POOL_ARRAYS) < 0) return NULL;
    got = 1;
    char format = views[0].format[0];
    if (pool_geometry(&g, &views[0], kh, kw, sh, sw) < 0) goto done;
    Py_ssize_t out[4] = {g.m, g.oh, g.ow, g.C};  /* A's and dA's shape */
    for (; got < 3; got++)
        if (get_buffer(objs[got], &views[got], 0, format, 4, out, POOL_ARRAYS) < 0) goto done;
    if (get_buffer(objs[3], &views[3], 1, format, 4, P_shape, POOL_ARRAYS) < 0) goto done;
    got = 4;
    if (format == 'f')
        max_pool_backward_f32(&g, views[0].buf, views[1].buf, views[2].buf, views[3].buf, relu);
    else
        max_pool_backward_f64(&g, views[0].buf, views[1].buf, views[2].buf, views[3].buf, relu);
    Py_INCREF(Py_None);
    result = Py_None;
done:
    for (int k = 0; k < got; k++) PyBuffer_Release(&views[k]);
    return result;
}

static const char CONV_ARRAYS[] = "_accelerator.conv_input_gradient: C-contiguous shares "
                                  "(f_h f_w, m, oh, ow, C) and dA (m, H, W, C) of one float dtype "
                                  "expected";

/* conv_input_gradient(shares, dA, fh, fw, sh, sw, top, left): writes every element of dA, the
 * sum of the shares of the kernel offsets that touch it. */
static PyObject *conv_input_gradient(PyObject *self, PyObject *args)
{
    PyObject *S_obj, *dA_obj;
    Py_buffer S, dA;
    ConvGrad g;
    if (!PyArg_ParseTuple(args, "OOnnnnnn", &S_obj, &dA_obj, &g.fh, &g.fw, &g.sh, &g.sw, &g.top,
                          &g.left))
        return NULL;
    if (g.fh < 1 || g.fw < 1 || g.sh < 1 || g.sw < 1 || g.top < 0 || g.left < 0) {
        PyErr_SetString(PyExc_ValueError, "_accelerator.conv_input_gradient: kernel and strides "
                                          ">= 1, padding >= 0 expected");
        return NULL;
    }
    Py_ssize_t S_shape[5] = {g.fh * g.fw, -1, -1, -1, -1};
    if (get_buffer(S_obj, &S, 0, 0, 5, S_shape, CONV_ARRAYS) < 0) return NULL;
    Py_ssize_t dA_shape[4] = {S_shape[1], -1, -1, S_shape[4]};
    if (get_buffer(dA_obj, &dA, 1, S.format[0], 4, dA_shape, CONV_ARRAYS) < 0) {
        PyBuffer_Release(&S);
        return NULL;
    }
    g.m = S_shape[1], g.oh = S_shape[2], g.ow = S_shape[3], g.C = S_shape[4];
    g.H = dA_shape[1], g.W = dA_shape[2];
    if (S.format[0] == 'f') conv_input_gradient_f32(&g, S.buf, dA.buf);
    else conv_input_gradient_f64(&g, S.buf, dA.buf);
    PyBuffer_Release(&dA);
    PyBuffer_Release(&S);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"step", step, METH_VARARGS, "One fused optimizer step over every parameter, all or nothing."},
    {"max_pool", max_pool, METH_VARARGS, "Max pooling's forward, windows that do not overlap."},
    {"max_pool_backward", max_pool_backward, METH_VARARGS,
     "Max pooling's backward, windows that do not overlap."},
    {"conv_input_gradient", conv_input_gradient, METH_VARARGS,
     "Conv2D's dA_prev from the shares of its kernel offsets."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_accelerator",
                                    "neuralkit's fused optimizer steps, max pooling and a "
                                    "convolution's dA_prev (optional).", -1, methods};

PyMODINIT_FUNC PyInit__accelerator(void) { return PyModule_Create(&module); }
