"""clinfer: Keras summaries with the arithmetic shown, and CNN inference on OpenCL devices.

A binding over the C library libclinfer (ctypes), NumPy in and out::

    import numpy as np, clinfer
    m = clinfer.load("model.py")          # a Keras script, or a .onnx file
    print(m.summary(explain=True))
    m.layers                              # [{"name": ..., "type": ..., "shape": (None, 148, 148, 16), ...}, ...]
    s = m.session(device="opencl", batch=8)
    y = s.run(x)                          # x: float32 (8, ...) ; y: the output (a list when there are several)
    clinfer.compare("model.py", x)        # every layer on two devices
    clinfer.devices()

Errors raise clinfer.Error with the library's message. The library releases the GIL for its calls (ctypes), so a
session per thread runs in parallel.
"""
import ctypes
import ctypes.util
import json
import os

import numpy as np

__all__ = ["Error", "load", "Model", "Session", "compare", "devices", "version"]
__version__ = "0.2.0"


class Error(Exception):
    """A failure of the library: its message, and its status (a CLINFER_E_* name)."""

    def __init__(self, message, status=""):
        super().__init__(message)
        self.status = status


def _find_library():
    env = os.environ.get("CLINFER_LIBRARY")
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    for name in sorted(os.listdir(here)):
        if name.startswith("libclinfer.so"):
            return os.path.join(here, name)
    found = ctypes.util.find_library("clinfer")
    if found:
        return found
    raise ImportError("libclinfer.so not found: pip install ./python from a clinfer checkout, or set CLINFER_LIBRARY")


_lib = ctypes.CDLL(_find_library())
_MAX_RANK = 8
_c = ctypes
_P = _c.c_void_p


def _fn(name, restype, *argtypes):
    f = getattr(_lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


class _SessionOptions(_c.Structure):
    _fields_ = [("device", _c.c_char_p), ("batch", _c.c_int64), ("seed", _c.c_uint64), ("init", _c.c_int),
                ("weights", _c.c_char_p), ("tune", _c.c_int), ("algo", _c.c_char_p), ("max_memory", _c.c_uint64)]


class _SummaryOptions(_c.Structure):
    _fields_ = [("format", _c.c_int), ("explain", _c.c_int), ("batch", _c.c_int64), ("style", _c.c_int),
                ("line_length", _c.c_int), ("show_trainable", _c.c_int), ("layer_range", _c.c_char_p * 2),
                ("positions", _c.POINTER(_c.c_double)), ("n_positions", _c.c_int), ("memory", _c.c_int),
                ("expand_nested", _c.c_int)]


_STYLES = {None: 0, "keras2": 1, "tf2": 2, "keras3": 3}


class _CompareOptions(_c.Structure):
    _fields_ = [("session", _SessionOptions), ("against", _c.c_char_p), ("rtol", _c.c_double),
                ("atol", _c.c_double), ("max_outliers", _c.c_double)]


class _CompareLayer(_c.Structure):
    _fields_ = [("rtol", _c.c_double), ("atol", _c.c_double), ("elements", _c.c_int64),
                ("past_tolerance", _c.c_int64), ("nonfinite_mismatch", _c.c_int64), ("nonfinite", _c.c_int64 * 2),
                ("first_bad", _c.c_int64), ("max_abs", _c.c_double), ("max_rel", _c.c_double),
                ("nmse", _c.c_double), ("scale", _c.c_double), ("worst", _c.c_double),
                ("pass_", _c.c_int)]


_Dims = _c.c_int64 * _MAX_RANK
_status_str = _fn("clinfer_status_str", _c.c_char_p, _c.c_int)
_version = _fn("clinfer_version", _c.c_char_p)
_ctx_new = _fn("clinfer_context_new", _c.c_int, _c.POINTER(_P))
_ctx_free = _fn("clinfer_context_free", None, _P)
_errmsg = _fn("clinfer_context_errmsg", _c.c_char_p, _P)
_free = _fn("clinfer_free", None, _P)
_model_load = _fn("clinfer_model_load_styled", _c.c_int, _P, _c.c_char_p, _c.c_int, _c.POINTER(_P))
_model_free = _fn("clinfer_model_free", None, _P)
_model_summary = _fn("clinfer_model_summary", _c.c_int, _P, _P, _c.POINTER(_SummaryOptions), _c.POINTER(_P))
_layer_count = _fn("clinfer_model_layer_count", _c.c_int, _P)
_layer_name = _fn("clinfer_model_layer_name", _c.c_char_p, _P, _c.c_int)
_layer_type = _fn("clinfer_model_layer_type", _c.c_char_p, _P, _c.c_int)
_layer_shape = _fn("clinfer_model_layer_shape", _c.c_int, _P, _c.c_int, _Dims)
_layer_params = _fn("clinfer_model_layer_params", _c.c_int64, _P, _c.c_int, _c.POINTER(_c.c_int64))
_layer_macs = _fn("clinfer_model_layer_macs", _c.c_int64, _P, _c.c_int)
_model_inputs = _fn("clinfer_model_input_count", _c.c_int, _P)
_model_input = _fn("clinfer_model_input_layer", _c.c_int, _P, _c.c_int)
_model_outputs = _fn("clinfer_model_output_count", _c.c_int, _P)
_model_output = _fn("clinfer_model_output_layer", _c.c_int, _P, _c.c_int)
_session_new = _fn("clinfer_session_new", _c.c_int, _P, _P, _c.POINTER(_SessionOptions), _c.POINTER(_P))
_session_free = _fn("clinfer_session_free", None, _P)
_session_in_count = _fn("clinfer_session_input_count", _c.c_int, _P)
_session_out_count = _fn("clinfer_session_output_count", _c.c_int, _P)
_session_in_shape = _fn("clinfer_session_input_shape", _c.c_int, _P, _c.c_int, _Dims)
_session_out_shape = _fn("clinfer_session_output_shape", _c.c_int, _P, _c.c_int, _Dims)
_session_run = _fn("clinfer_session_run", _c.c_int, _P, _P, _c.POINTER(_c.c_void_p), _c.POINTER(_c.c_void_p))
_session_run_images = _fn("clinfer_session_run_images", _c.c_int, _P, _P, _c.c_int64, _c.POINTER(_c.c_void_p),
                          _c.POINTER(_c.c_void_p))
_session_device_count = _fn("clinfer_session_device_count", _c.c_int, _P)
_session_device_images = _fn("clinfer_session_device_images", _c.c_int64, _P, _c.c_int)
_session_device = _fn("clinfer_session_device", _c.c_char_p, _P)
_session_sub = _fn("clinfer_session_sub_batch", _c.c_int64, _P)
_compare = _fn("clinfer_compare", _c.c_int, _P, _P, _c.POINTER(_CompareOptions), _c.POINTER(_c.c_void_p),
               _c.POINTER(_P))
_cmp_free = _fn("clinfer_comparison_free", None, _P)
_cmp_device = _fn("clinfer_comparison_device", _c.c_char_p, _P, _c.c_int)
_cmp_layer = _fn("clinfer_comparison_layer", _c.c_int, _P, _c.c_int, _c.POINTER(_CompareLayer))
_cmp_first = _fn("clinfer_comparison_first_failure", _c.c_int, _P)
_cmp_verdict = _fn("clinfer_comparison_verdict", _c.c_int, _P)
_devices_json = _fn("clinfer_devices_json", _c.c_int, _P, _c.POINTER(_P))

_INIT = {"keras": 0, "random": 1}
_TUNE = {"none": 0, "fast": 1, "full": 2}
_VERDICTS = ["pass", "recovers", "stays_off", "nonfinite"]


def version():
    """The library's version ("0.2.0")."""
    return _version().decode()


class _Context:
    """A clinfer_context: the place the last error's message is kept."""

    def __init__(self):
        self.p = _P()
        if _ctx_new(_c.byref(self.p)):
            raise MemoryError("clinfer: out of memory")

    def check(self, status):
        if status:
            raise Error(_errmsg(self.p).decode("utf-8", "replace"), _status_str(status).decode())

    def __del__(self):
        if getattr(self, "p", None):
            _ctx_free(self.p)
            self.p = None


def _text(ctx, ptr):
    try:
        return _c.string_at(ptr.value).decode("utf-8", "replace")
    finally:
        _free(ptr)


def _shape(dims, rank):
    return tuple(None if dims[k] < 0 else int(dims[k]) for k in range(rank))


def _style(style):
    if style not in _STYLES:
        raise ValueError("style is 'keras2', 'tf2', 'keras3' or None, got %r" % (style,))
    return _STYLES[style]


def load(path, style=None):
    """Loads a model: a Keras script (.py), a Keras model file (.keras, .h5) or an ONNX file (.onnx). style
    ('keras2', 'tf2', 'keras3') reads a script as that Keras (its layer names and semantics) and is the summary's
    default; None: a script as Keras 2.2, a file as the Keras that saved it."""
    return Model(path, style)


class Model:
    """A loaded model: its summary, its layers, and sessions that run it."""

    def __init__(self, path, style=None):
        self._ctx = _Context()
        self._p = _P()
        self.path = os.fspath(path)
        self._ctx.check(_model_load(self._ctx.p, self.path.encode(), _style(style), _c.byref(self._p)))

    def __del__(self):
        if getattr(self, "_p", None):
            _model_free(self._p)
            self._p = None

    def summary(self, explain=False, format="text", batch=None, style=None, line_length=None, show_trainable=False,
                layer_range=None, positions=None, memory=False, expand_nested=False):
        """The table Keras prints (format "text") or the same facts as JSON (format "json", returned parsed);
        explain adds the arithmetic behind every shape and count; batch binds the batch dimension; style
        ('keras2', 'tf2', 'keras3') the Keras whose table it is (None: the model's own); line_length,
        show_trainable, expand_nested, layer_range (two names: regular expressions from the names' start) and
        positions (where each column ends) as Keras'; memory adds a line under the totals: the device memory of a batch (weights and the
        planned activations)."""
        if format not in ("text", "json"):
            raise ValueError("format is 'text' or 'json', got %r" % (format,))
        if layer_range is not None and (len(layer_range) != 2 or not all(isinstance(n, str) for n in layer_range)):
            raise ValueError("layer_range is two layer names, got %r" % (layer_range,))
        rng = (_c.c_char_p * 2)(*[n.encode() for n in layer_range]) if layer_range else (_c.c_char_p * 2)()
        pos = (_c.c_double * 4)(*[float(p) for p in (positions or [])][:4])
        o = _SummaryOptions(1 if format == "json" else 0, 1 if explain else 0, int(batch or 0), _style(style),
                            int(line_length or 0), 1 if show_trainable else 0, rng, pos, len(positions or []),
                            1 if memory else 0, 1 if expand_nested else 0)
        out = _P()
        self._ctx.check(_model_summary(self._ctx.p, self._p, _c.byref(o), _c.byref(out)))
        text = _text(self._ctx, out)
        return json.loads(text) if format == "json" else text

    @property
    def layers(self):
        """Every layer: name, type, output shape (None for an unknown dimension), parameters, MACs per image."""
        out = []
        for i in range(_layer_count(self._p)):
            dims = _Dims()
            rank = _layer_shape(self._p, i, dims)
            nt = _c.c_int64(0)
            params = _layer_params(self._p, i, _c.byref(nt))
            out.append({"name": _layer_name(self._p, i).decode("utf-8", "replace"),
                        "type": _layer_type(self._p, i).decode(), "shape": _shape(dims, rank),
                        "params": int(params), "non_trainable": int(nt.value), "macs": int(_layer_macs(self._p, i))})
        return out

    @property
    def inputs(self):
        """The model's input layers' names, in the order run takes them."""
        return [_layer_name(self._p, _model_input(self._p, k)).decode() for k in range(_model_inputs(self._p))]

    @property
    def outputs(self):
        return [_layer_name(self._p, _model_output(self._p, k)).decode() for k in range(_model_outputs(self._p))]

    def session(self, device="opencl", batch=1, seed=0, init="keras", weights=None, tune="none", algo=None,
                max_memory=0):
        """A session: the model with its batch bound, its buffers planned and its weights, ready to run on device
        ("ref", "opencl", "opencl:N", "opencl:<part of a name>")."""
        return Session(self, device, batch, seed, init, weights, tune, algo, max_memory)


def _options(device, batch, seed, init, weights, tune, algo, max_memory):
    if init not in _INIT:
        raise ValueError("init is 'keras' or 'random', got %r" % (init,))
    if tune not in _TUNE:
        raise ValueError("tune is 'none', 'fast' or 'full', got %r" % (tune,))
    return _SessionOptions(device.encode(), int(batch), int(seed), _INIT[init],
                           os.fspath(weights).encode() if weights else None, _TUNE[tune],
                           algo.encode() if algo else None, int(max_memory))


def _as_inputs(x, shapes):
    """The inputs as C-order float32 arrays, each of the session's image shape, and their count of images (the
    same for all; any number)."""
    xs = list(x) if isinstance(x, (list, tuple)) else [x]
    if len(xs) != len(shapes):
        raise ValueError("the model takes %d input(s), got %d" % (len(shapes), len(xs)))
    out = []
    for k, (a, shape) in enumerate(zip(xs, shapes)):
        a = np.ascontiguousarray(a, dtype=np.float32)
        if a.ndim != len(shape) or a.shape[1:] != tuple(shape[1:]):
            raise ValueError("input %d has shape %s; the session takes (N,) + %s" % (k, a.shape, tuple(shape[1:])))
        if out and a.shape[0] != out[0].shape[0]:
            raise ValueError("input %d holds %d images, input 0 holds %d" % (k, a.shape[0], out[0].shape[0]))
        out.append(a)
    return out, out[0].shape[0] if out else 0


class Session:
    """A model ready to run on a device at a batch."""

    def __init__(self, model, device, batch, seed, init, weights, tune, algo, max_memory):
        self._model = model  # (keeps the model alive)
        self._ctx = _Context()
        self._p = _P()
        o = _options(device, batch, seed, init, weights, tune, algo, max_memory)
        self._ctx.check(_session_new(self._ctx.p, model._p, _c.byref(o), _c.byref(self._p)))
        self.batch = int(batch)

    def __del__(self):
        if getattr(self, "_p", None):
            _session_free(self._p)
            self._p = None

    def _shapes(self, count, shape_fn):
        out = []
        for k in range(count(self._p)):
            dims = _Dims()
            out.append(_shape(dims, shape_fn(self._p, k, dims)))
        return out

    @property
    def input_shapes(self):
        return self._shapes(_session_in_count, _session_in_shape)

    @property
    def output_shapes(self):
        return self._shapes(_session_out_count, _session_out_shape)

    @property
    def device(self):
        return _session_device(self._p).decode()

    @property
    def sub_batch(self):
        """The images one pass runs (smaller than the batch when the batch does not fit the memory)."""
        return int(_session_sub(self._p))

    @property
    def devices(self):
        """The devices the session runs on (several for a device list such as "opencl:0,opencl:1" or "all")."""
        return int(_session_device_count(self._p))

    def device_images(self):
        """The images each device ran in the last run (its share follows its measured speed)."""
        return [int(_session_device_images(self._p, k)) for k in range(self.devices)]

    def run(self, x):
        """Runs images: x is a float32 array of N images of the input's shape (N any number: the session goes
        through them in passes of its sub-batch; a list of arrays for several inputs); returns the output for the N
        images (a list of them for several)."""
        xs, n = _as_inputs(x, self.input_shapes)
        ys = [np.empty((n,) + tuple(shape[1:]), dtype=np.float32) for shape in self.output_shapes]
        ins = (_c.c_void_p * len(xs))(*[a.ctypes.data for a in xs])
        outs = (_c.c_void_p * len(ys))(*[a.ctypes.data for a in ys])
        self._ctx.check(_session_run_images(self._ctx.p, self._p, n, ins, outs))
        return ys[0] if len(ys) == 1 else ys


def compare(model, x=None, device="opencl", against="ref", rtol=None, atol=None, max_outliers=0.0, batch=None,
            seed=0, init="keras", weights=None, algo=None):
    """Runs the model on device and against the reference with the same inputs (x, or seeded uniform [0, 1) values
    of batch images) and compares every layer (docs/compare.md). Returns a dict: devices, per-layer results, the
    first failing layer (or None) and the verdict ("pass", "recovers", "stays_off", "nonfinite")."""
    m = model if isinstance(model, Model) else Model(model)
    shapes = []
    for k in range(_model_inputs(m._p)):
        dims = _Dims()
        shapes.append(_shape(dims, _layer_shape(m._p, _model_input(m._p, k), dims)))
    if x is None:
        b = int(batch or 1)
        rng = np.random.default_rng(seed)
        xs = [rng.random((b,) + tuple(shape[1:]), dtype=np.float32) for shape in shapes]
    else:
        xs = list(x) if isinstance(x, (list, tuple)) else [x]
        xs = [np.ascontiguousarray(a, dtype=np.float32) for a in xs]
        b = xs[0].shape[0]
    if len(xs) != len(shapes):
        raise ValueError("the model takes %d input(s), got %d" % (len(shapes), len(xs)))
    o = _CompareOptions(_options(device, b, seed, init, weights, "none", algo, 0), against.encode(),
                        -1.0 if rtol is None else float(rtol), -1.0 if atol is None else float(atol),
                        float(max_outliers))
    ctx = _Context()
    c = _P()
    ins = (_c.c_void_p * len(xs))(*[a.ctypes.data for a in xs])
    ctx.check(_compare(ctx.p, m._p, _c.byref(o), ins, _c.byref(c)))
    try:
        layers = []
        for i in range(_layer_count(m._p)):
            L = _CompareLayer()
            _cmp_layer(c, i, _c.byref(L))
            layers.append({"name": _layer_name(m._p, i).decode("utf-8", "replace"),
                           "type": _layer_type(m._p, i).decode(), "rtol": L.rtol, "atol": L.atol,
                           "elements": L.elements, "past_tolerance": L.past_tolerance,
                           "nonfinite_mismatch": L.nonfinite_mismatch, "nonfinite": list(L.nonfinite),
                           "max_abs": L.max_abs, "max_rel": L.max_rel, "nmse": L.nmse, "scale": L.scale, "worst": L.worst,
                           "pass": bool(L.pass_)})
        first = _cmp_first(c)
        return {"device": _cmp_device(c, 0).decode(), "against": _cmp_device(c, 1).decode(), "layers": layers,
                "first_failure": layers[first]["name"] if first >= 0 else None,
                "verdict": _VERDICTS[_cmp_verdict(c)]}
    finally:
        _cmp_free(c)


def devices():
    """Every device a session can use: ref, and each OpenCL device (name, type, memory, versions)."""
    ctx = _Context()
    out = _P()
    ctx.check(_devices_json(ctx.p, _c.byref(out)))
    return json.loads(_text(ctx, out))["devices"]
