/*
 * rnncalc.engine._fused: the element-wise part of a recurrent step in one C call.
 *
 * Optional. The NumPy engine (rnncalc/engine/sequence.py) is complete without it;
 * this module only removes NumPy's per-call dispatch from the time loop: about ten
 * element-wise ufunc calls per LSTM step become one pass over the gate block, which
 * also writes the step's output row and applies the mask. The recurrent product
 * stays in NumPy/BLAS (np.matmul, called by the Python loop between steps), except
 * at batch 1 with small weights, where a C matrix-vector product here is cheaper
 * than np.matmul's dispatch and run() does the whole time loop.
 *
 * Layout is the engine's feature-major one: a state is (units, cols) C-contiguous,
 * a step's gate pre-activations (gates*units, cols), gate blocks in Keras order;
 * xz holds the input part of `chunk` steps as (chunk, gates*units, cols), step k in
 * slot k % chunk (the caller projects the next chunk of steps, in processing order,
 * before running them: a buffer that stays in cache, not one of every step), without
 * the bias: the pass adds it (bias, one step's block) while the values are in
 * registers, where a separate NumPy add costs a pass over memory.
 * Arrays are read through the buffer protocol (float32, C-contiguous), so building
 * needs no NumPy headers.
 *
 * Transcendentals: sigmoid and tanh are built from our own float32 exp (range
 * reduction by ln 2, a degree-7 polynomial, the exponent written into the bits),
 * branch-free so the compiler vectorizes the gate loops; on x86-64 with GCC the gate
 * loops are compiled for AVX2/FMA and AVX-512 too and picked at load time.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#if defined(_MSC_VER) && !defined(restrict)
#define restrict __restrict
#endif

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CLONES
#endif

enum { SIMPLE = 0, LSTM = 1, GRU_AFTER = 2, GRU_BEFORE = 3 };
enum { BACKWARDS = 1, ZERO_OUTPUT = 2, HAS_INITIAL = 4 };

/* multiply-adds done by this module's own products (for rnncalc's MAC instrumentation) */
static unsigned long long total_macs = 0;

/* -- float32 exp, sigmoid, tanh: branch-free, vectorizable ------------------------- */

static inline float fexp(float x)
{
    /* exp(x) = 2^k * exp(r), k = round(x / ln2), |r| <= ln2 / 2 */
    x = x < -87.0f ? -87.0f : x;
    x = x > 88.0f ? 88.0f : x;
    const float shift = 12582912.0f;                      /* 1.5 * 2^23: rounds to int */
    float k = (x * 1.44269504088896341f + shift) - shift;
    float r = x - k * 0.693359375f;                       /* ln2 split: exact high part */
    r = r - k * -2.12194440e-4f;
    float p = 1.98412698e-4f;                             /* 1/7! ... 1/0!, Horner */
    p = p * r + 1.38888889e-3f;
    p = p * r + 8.33333333e-3f;
    p = p * r + 4.16666667e-2f;
    p = p * r + 1.66666667e-1f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    int32_t bits = ((int32_t)k + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

static inline float fsigmoid(float x)
{
    return 1.0f / (1.0f + fexp(-x));
}

static inline float ftanh(float x)
{
    float a = x < 0.0f ? -x : x;
    float e = fexp(-2.0f * a);                            /* in (0, 1]: no overflow */
    float t = (1.0f - e) / (1.0f + e);
    return x < 0.0f ? -t : t;
}

/* -- the gate passes: n = units * cols values per gate block ----------------------- */
/* x: this step's input part, w: the recurrent product (zeros on a zero-state first
   step); the states h and c are updated in place (a masked step saves and restores
   its masked columns around the pass). Every pointer is distinct: restrict lets the
   compiler vectorize without run-time alias checks. */

CLONES static void lstm_pass(Py_ssize_t n, const float *restrict x, const float *restrict w,
                             const float *restrict bx, float *restrict c, float *restrict h)
{
    for (Py_ssize_t q = 0; q < n; q++) {
        float i = fsigmoid(x[q] + w[q] + bx[q]);
        float f = fsigmoid(x[n + q] + w[n + q] + bx[n + q]);
        float g = ftanh(x[2 * n + q] + w[2 * n + q] + bx[2 * n + q]);
        float o = fsigmoid(x[3 * n + q] + w[3 * n + q] + bx[3 * n + q]);
        float cn = f * c[q] + i * g;
        c[q] = cn;
        h[q] = o * ftanh(cn);
    }
}

CLONES static void simple_pass(Py_ssize_t n, const float *restrict x, const float *restrict w,
                               const float *restrict bx, float *restrict h)
{
    for (Py_ssize_t q = 0; q < n; q++)
        h[q] = ftanh(x[q] + w[q] + bx[q]);
}

/* reset_after: hh = tanh(x_h + r * (h W_hh + b_hh)); b: b_hh per value (zeros: none) */
CLONES static void gru_after_pass(Py_ssize_t n, const float *restrict x,
                                  const float *restrict w, const float *restrict bx,
                                  const float *restrict b, float *restrict h)
{
    for (Py_ssize_t q = 0; q < n; q++) {
        float z = fsigmoid(x[q] + w[q] + bx[q]);
        float r = fsigmoid(x[n + q] + w[n + q] + bx[n + q]);
        float hh = ftanh(x[2 * n + q] + bx[2 * n + q] + r * (w[2 * n + q] + b[q]));
        h[q] = z * h[q] + (1.0f - z) * hh;
    }
}

/* reset_before, first half: z into w's z rows, r * h_{t-1} into x's z rows (used up) */
CLONES static void gru_before_gates(Py_ssize_t n, float *restrict x, float *restrict w,
                                    const float *restrict bx, const float *restrict h)
{
    for (Py_ssize_t q = 0; q < n; q++) {
        float z = fsigmoid(x[q] + w[q] + bx[q]);
        float r = fsigmoid(x[n + q] + w[n + q] + bx[n + q]);
        w[q] = z;
        x[q] = r * h[q];
    }
}

/* reset_before, second half: w's h rows hold (r * h_{t-1}) W_hh */
CLONES static void gru_before_pass(Py_ssize_t n, const float *restrict x,
                                   const float *restrict w, const float *restrict bx,
                                   float *restrict h)
{
    for (Py_ssize_t q = 0; q < n; q++) {
        float z = w[q];
        float hh = ftanh(x[2 * n + q] + w[2 * n + q] + bx[2 * n + q]);
        h[q] = z * h[q] + (1.0f - z) * hh;
    }
}

/* out[r] = sum_j k[j * ld + r] * v[j], r < m: a matrix-vector product over Keras'
   (units, gates*units) recurrent kernel, 64 outputs at a time held in registers */
CLONES static void gemv(Py_ssize_t units, Py_ssize_t m, const float *k, Py_ssize_t ld,
                        const float *v, float *out)
{
    Py_ssize_t r0 = 0;
    for (; r0 + 64 <= m; r0 += 64) {
        float acc[64] = {0};
        for (Py_ssize_t j = 0; j < units; j++) {
            const float *row = k + j * ld + r0;
            float vj = v[j];
            for (int q = 0; q < 64; q++)
                acc[q] += row[q] * vj;
        }
        memcpy(out + r0, acc, sizeof acc);
    }
    for (Py_ssize_t r = r0; r < m; r++)
        out[r] = 0.0f;
    for (Py_ssize_t j = 0; j < units && r0 < m; j++) {
        const float *row = k + j * ld;
        float vj = v[j];
        for (Py_ssize_t r = r0; r < m; r++)
            out[r] += row[r] * vj;
    }
    total_macs += (unsigned long long)units * (unsigned long long)m;
}

/* -- the Sequence object: the buffers of one run, stepped from Python or in C ------ */

typedef struct {
    PyObject_HEAD
    int kind, flags, gates;
    Py_ssize_t units, cols, steps, chunk;
    Py_buffer views[10];
    int held[10];
    float *xz, *work, *h, *c, *seq, *last, *rbias, *rk, *bias;
    const unsigned char *mask;      /* (cols, steps) */
    float *own;                     /* ours: saved states of a masked step, zero biases */
} Sequence;

enum { V_XZ, V_WORK, V_H, V_C, V_SEQ, V_LAST, V_MASK, V_RBIAS, V_RK, V_BIAS };

static void Sequence_dealloc(Sequence *self)
{
    for (int i = 0; i < 10; i++)
        if (self->held[i])
            PyBuffer_Release(&self->views[i]);
    PyMem_Free(self->own);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Take a float32 (or, for the mask, one-byte) C-contiguous buffer of `count` items. */
static int take(Sequence *self, int slot, PyObject *obj, Py_ssize_t count, int bytes,
                int writable, const char *what)
{
    if (obj == Py_None)
        return 0;
    int want = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, &self->views[slot], want) < 0)
        return -1;
    self->held[slot] = 1;
    Py_buffer *v = &self->views[slot];
    const char *fmt = v->format ? v->format : "B";
    int ok = bytes == 4 ? (v->itemsize == 4 && strcmp(fmt, "f") == 0)
                        : (v->itemsize == 1 && (strcmp(fmt, "?") == 0 || strcmp(fmt, "B") == 0));
    if (!ok || v->len != count * bytes) {
        PyErr_Format(PyExc_ValueError, "_fused.Sequence: %s has the wrong type or size", what);
        return -1;
    }
    return 0;
}

static PyObject *Sequence_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    int kind, flags;
    Py_ssize_t units, cols, steps, chunk;
    PyObject *o[10];
    if (kwds && PyDict_Size(kwds)) {
        PyErr_SetString(PyExc_TypeError, "_fused.Sequence takes positional arguments");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "iinnnnOOOOOOOOOO", &kind, &flags, &units, &cols, &steps,
                          &chunk, &o[0], &o[1], &o[2], &o[3], &o[4], &o[5], &o[6], &o[7], &o[8],
                          &o[9]))
        return NULL;
    if (kind < SIMPLE || kind > GRU_BEFORE || units < 1 || cols < 1 || steps < 1
        || chunk < 1 || chunk > steps) {
        PyErr_SetString(PyExc_ValueError, "_fused.Sequence: bad kind or sizes");
        return NULL;
    }
    Sequence *self = (Sequence *)type->tp_alloc(type, 0);
    if (!self)
        return NULL;
    self->kind = kind;
    self->flags = flags;
    self->gates = kind == SIMPLE ? 1 : kind == LSTM ? 4 : 3;
    self->units = units;
    self->cols = cols;
    self->steps = steps;
    self->chunk = chunk;
    Py_ssize_t n = units * cols, g = self->gates;
    if (take(self, V_XZ, o[0], chunk * g * n, 4, 1, "xz") < 0
        || take(self, V_WORK, o[1], g * n, 4, 1, "work") < 0
        || take(self, V_H, o[2], n, 4, 1, "h") < 0
        || take(self, V_C, o[3], n, 4, 1, "c") < 0
        || take(self, V_SEQ, o[4], steps * n, 4, 1, "seq") < 0
        || take(self, V_LAST, o[5], n, 4, 1, "last") < 0
        || take(self, V_MASK, o[6], steps * cols, 1, 0, "mask") < 0
        || take(self, V_RBIAS, o[7], n, 4, 0, "recurrent bias") < 0
        || take(self, V_RK, o[8], units * g * units, 4, 0, "recurrent kernel") < 0
        || take(self, V_BIAS, o[9], g * n, 4, 0, "bias") < 0) {
        Py_DECREF(self);
        return NULL;
    }
    if (o[0] == Py_None || o[1] == Py_None || o[2] == Py_None
        || (kind == LSTM && o[3] == Py_None)) {
        PyErr_SetString(PyExc_ValueError, "_fused.Sequence: xz, work, h (and c) are needed");
        Py_DECREF(self);
        return NULL;
    }
    float **ptr[10] = {&self->xz, &self->work, &self->h, &self->c, &self->seq, &self->last,
                       NULL, &self->rbias, &self->rk, &self->bias};
    for (int i = 0; i < 10; i++) {
        if (i == V_MASK)
            self->mask = self->held[i] ? (const unsigned char *)self->views[i].buf : NULL;
        else
            *ptr[i] = self->held[i] ? (float *)self->views[i].buf : NULL;
    }
    /* 2n: the states a masked step saves; then zeros for the biases not given */
    Py_ssize_t zeros = (self->bias ? 0 : g * n) + (self->rbias ? 0 : n);
    if (self->mask || zeros) {
        self->own = PyMem_Calloc(2 * n + zeros, sizeof(float));
        if (!self->own) {
            Py_DECREF(self);
            return PyErr_NoMemory();
        }
        if (!self->rbias)
            self->rbias = self->own + 2 * n;
        if (!self->bias)
            self->bias = self->own + 2 * n;
    }
    return (PyObject *)self;
}

static inline Py_ssize_t time_of(Sequence *s, Py_ssize_t k)
{
    return (s->flags & BACKWARDS) ? s->steps - 1 - k : k;
}

static inline int first_step(Sequence *s, Py_ssize_t k)
{
    return k == 0 && !(s->flags & HAS_INITIAL);
}

/* GRU reset_before: z and r * h_{t-1} (before the candidate's product) */
static void gates_at(Sequence *s, Py_ssize_t k)
{
    Py_ssize_t n = s->units * s->cols;
    float *x = s->xz + (k % s->chunk) * s->gates * n;
    if (first_step(s, k))
        memset(s->work, 0, 2 * n * sizeof(float));
    gru_before_gates(n, x, s->work, s->bias, s->h);
}

/* out[b * stride + j] = h[j * cols + b]: the (units, cols) state into batch-first rows,
   in 16 x 16 tiles so that both sides stay within the cache lines they touch */
static void transpose_into(Py_ssize_t units, Py_ssize_t cols, const float *restrict h,
                           float *restrict out, Py_ssize_t stride)
{
    if (cols == 1) {
        memcpy(out, h, units * sizeof(float));
        return;
    }
    for (Py_ssize_t j0 = 0; j0 < units; j0 += 16)
        for (Py_ssize_t b0 = 0; b0 < cols; b0 += 16) {
            Py_ssize_t j1 = j0 + 16 < units ? j0 + 16 : units;
            Py_ssize_t b1 = b0 + 16 < cols ? b0 + 16 : cols;
            for (Py_ssize_t b = b0; b < b1; b++)
                for (Py_ssize_t j = j0; j < j1; j++)
                    out[b * stride + j] = h[j * cols + b];
        }
}

/* Everything of step k after its recurrent product(s): gates, states, mask, output. */
static void step_at(Sequence *s, Py_ssize_t k)
{
    Py_ssize_t units = s->units, cols = s->cols, n = units * cols, t = time_of(s, k);
    float *x = s->xz + (k % s->chunk) * s->gates * n, *w = s->work;
    const unsigned char *m = s->mask;
    int lstm = s->kind == LSTM;
    if (first_step(s, k)) {      /* zero states: no product was made */
        if (s->kind == GRU_BEFORE)
            memset(w + 2 * n, 0, n * sizeof(float));
        else
            memset(w, 0, s->gates * n * sizeof(float));
    }
    int masked = 0;              /* some sample skips this step */
    for (Py_ssize_t b = 0; m && b < cols; b++)
        masked |= !m[b * s->steps + t];
    float *saved = s->own;       /* h, then c, of the columns a mask keeps */
    if (masked) {
        memcpy(saved, s->h, n * sizeof(float));
        if (lstm)
            memcpy(saved + n, s->c, n * sizeof(float));
    }
    switch (s->kind) {
    case LSTM: lstm_pass(n, x, w, s->bias, s->c, s->h); break;
    case SIMPLE: simple_pass(n, x, w, s->bias, s->h); break;
    case GRU_AFTER: gru_after_pass(n, x, w, s->bias, s->rbias, s->h); break;
    default: gru_before_pass(n, x, w, s->bias, s->h); break;
    }
    if (masked) {                /* masked samples keep their states */
        for (Py_ssize_t j = 0; j < units; j++)
            for (Py_ssize_t b = 0; b < cols; b++) {
                Py_ssize_t q = j * cols + b;
                if (!m[b * s->steps + t]) {
                    s->h[q] = saved[q];
                    if (lstm)
                        s->c[q] = saved[n + q];
                }
            }
    }
    int zero = (s->flags & ZERO_OUTPUT) != 0;
    if (s->seq) {                /* output row k, batch first: seq[b, k, :] */
        float *row0 = s->seq + k * units;
        Py_ssize_t stride = s->steps * units;
        transpose_into(units, cols, s->h, row0, stride);
        for (Py_ssize_t b = 0; m && b < cols; b++) {
            float *out = row0 + b * stride;
            if (m[b * s->steps + t]) {
                continue;
            } else if (zero || k == 0) {
                memset(out, 0, units * sizeof(float));
            } else {
                memcpy(out, out - units, units * sizeof(float));
            }
        }
    } else if (s->last && m) {   /* the last unmasked output */
        for (Py_ssize_t b = 0; b < cols; b++) {
            float *out = s->last + b * units;
            if (m[b * s->steps + t]) {
                for (Py_ssize_t j = 0; j < units; j++)
                    out[j] = s->h[j * cols + b];
            } else if (zero) {
                memset(out, 0, units * sizeof(float));
            }
        }
    }
}

static int check_k(Sequence *s, Py_ssize_t k)
{
    if (k < 0 || k >= s->steps) {
        PyErr_SetString(PyExc_IndexError, "_fused.Sequence: step out of range");
        return -1;
    }
    return 0;
}

static PyObject *Sequence_step(Sequence *self, PyObject *arg)
{
    Py_ssize_t k = PyLong_AsSsize_t(arg);
    if ((k == -1 && PyErr_Occurred()) || check_k(self, k) < 0)
        return NULL;
    step_at(self, k);
    Py_RETURN_NONE;
}

static PyObject *Sequence_gates(Sequence *self, PyObject *arg)
{
    Py_ssize_t k = PyLong_AsSsize_t(arg);
    if ((k == -1 && PyErr_Occurred()) || check_k(self, k) < 0)
        return NULL;
    if (self->kind != GRU_BEFORE) {
        PyErr_SetString(PyExc_ValueError, "_fused.Sequence.gates: GRU reset_before only");
        return NULL;
    }
    gates_at(self, k);
    Py_RETURN_NONE;
}

/* Steps lo..hi-1 entirely in C, the recurrent products too (needs cols == 1 and rk). */
static PyObject *Sequence_run(Sequence *self, PyObject *args)
{
    Py_ssize_t lo, hi;
    if (!PyArg_ParseTuple(args, "nn", &lo, &hi))
        return NULL;
    if (!self->rk || self->cols != 1) {
        PyErr_SetString(PyExc_ValueError, "_fused.Sequence.run: needs batch 1 and the kernel");
        return NULL;
    }
    if (lo < 0 || hi > self->steps || lo > hi) {
        PyErr_SetString(PyExc_IndexError, "_fused.Sequence.run: steps out of range");
        return NULL;
    }
    Py_ssize_t u = self->units, gu = self->gates * u, n = u;   /* cols == 1 */
    for (Py_ssize_t k = lo; k < hi; k++) {
        int first = first_step(self, k);
        if (self->kind == GRU_BEFORE) {
            if (!first)
                gemv(u, 2 * u, self->rk, gu, self->h, self->work);
            gates_at(self, k);
            if (!first)
                gemv(u, u, self->rk + 2 * u, gu,
                     self->xz + (k % self->chunk) * gu, self->work + 2 * n);
        } else if (!first) {
            gemv(u, gu, self->rk, gu, self->h, self->work);
        }
        step_at(self, k);
    }
    Py_RETURN_NONE;
}

static PyMethodDef Sequence_methods[] = {
    {"step", (PyCFunction)Sequence_step, METH_O,
     "step(k): step k after its recurrent product is in work"},
    {"gates", (PyCFunction)Sequence_gates, METH_O,
     "gates(k): GRU reset_before: z, and r*h into xz's z rows, before the second product"},
    {"run", (PyCFunction)Sequence_run, METH_VARARGS,
     "run(lo, hi): steps lo..hi-1 with the recurrent products too (batch 1)"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject SequenceType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "rnncalc.engine._fused.Sequence",
    .tp_basicsize = sizeof(Sequence),
    .tp_dealloc = (destructor)Sequence_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The buffers of one recurrent run: Sequence(kind, flags, units, cols, steps, "
              "chunk, xz, work, h, c, seq, last, mask, recurrent_bias, recurrent_kernel, bias)",
    .tp_methods = Sequence_methods,
    .tp_new = Sequence_new,
};

/* -- module ------------------------------------------------------------------------ */

static PyObject *fused_macs(PyObject *mod, PyObject *unused)
{
    (void)mod; (void)unused;
    return PyLong_FromUnsignedLongLong(total_macs);
}

/* Vector transcendentals for the tests: kind 0 exp, 1 sigmoid, 2 tanh, in place. */
static PyObject *fused_apply(PyObject *mod, PyObject *args)
{
    (void)mod;
    int kind;
    Py_buffer v;
    if (!PyArg_ParseTuple(args, "iw*", &kind, &v))
        return NULL;
    if (v.itemsize != 4 || !PyBuffer_IsContiguous(&v, 'C')) {
        PyBuffer_Release(&v);
        PyErr_SetString(PyExc_ValueError, "_fused.apply: a contiguous float32 buffer");
        return NULL;
    }
    float *x = (float *)v.buf;
    Py_ssize_t n = v.len / 4;
    for (Py_ssize_t q = 0; q < n; q++)
        x[q] = kind == 0 ? fexp(x[q]) : kind == 1 ? fsigmoid(x[q]) : ftanh(x[q]);
    PyBuffer_Release(&v);
    Py_RETURN_NONE;
}

static PyMethodDef fused_methods[] = {
    {"macs", fused_macs, METH_NOARGS, "multiply-adds done by this module's own products"},
    {"apply", fused_apply, METH_VARARGS, "apply(kind, buffer): 0 exp, 1 sigmoid, 2 tanh"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef fused_module = {
    PyModuleDef_HEAD_INIT, "_fused",
    "Optional C kernel of rnncalc's recurrent time loop (see rnncalc/engine/fused.py).",
    -1, fused_methods,
};

PyMODINIT_FUNC PyInit__fused(void)
{
    if (PyType_Ready(&SequenceType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&fused_module);
    if (!m)
        return NULL;
    Py_INCREF(&SequenceType);
    if (PyModule_AddObject(m, "Sequence", (PyObject *)&SequenceType) < 0) {
        Py_DECREF(&SequenceType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
