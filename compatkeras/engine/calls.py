"""How the engine calls compiled functions: tf.function options, the XLA check before the first
step, and concrete functions cached per batch signature and called without tf.function's
per-call argument matching (which costs about as much as a small model's step)."""

import re
import warnings

import numpy as np
import tensorflow as tf


def function(fn, jit_compile=False, eager=False):
    if eager:
        return fn
    return tf.function(fn, reduce_retracing=True, jit_compile=jit_compile or None)


def _placeholder(spec, fill=2):
    """Zeros shaped like `spec`, unknown dimensions set to `fill`: XLA lowers static shapes only
    (and lowering reads no values)."""
    if not isinstance(spec, tf.TensorSpec):
        return None
    shape = (
        [fill if d is None else d for d in spec.shape.as_list()]
        if spec.shape.rank is not None
        else [fill]
    )
    return tf.zeros(shape, spec.dtype)


_UNSUPPORTED = re.compile(r"unsupported operations.*?:\s*(\w+)\s*\(No registered", re.S)


def xla_unsupported_op(function, specs):
    """The name of an op XLA cannot compile in `function` traced for `specs`, or None.

    Lowering to HLO runs nothing (no variable changes, no data consumed), so it can be tried
    before the first step. Any other failure is left to the real call, which reports it.
    """
    try:
        args = [tf.nest.map_structure(_placeholder, s) for s in specs]
        function.experimental_get_compiler_ir(*args)(stage="hlo")
    except (ValueError, tf.errors.OpError) as exc:
        match = _UNSUPPORTED.search(str(exc))
        if match:
            return match.group(1)
    return None


def xla_falls_back(function, specs):
    """Whether a step chosen for XLA automatically must run without it: XLA cannot compile
    `function` for `specs` (then warns, naming the op)."""
    op = xla_unsupported_op(function, specs)
    if op is None:
        return False
    warnings.warn(
        f"XLA cannot compile this model's training step (unsupported op: {op}); training "
        "without XLA. Pass jit_compile=False to compile() to skip this check.",
        stacklevel=5,
    )
    return True


MAX_CONCRETE_LISTS = 8
try:  # the class itself: `type(tf.constant(0))` would start TensorFlow's eager context at import
    from tensorflow.python.framework.ops import EagerTensor as _EAGER
except ImportError:  # pragma: no cover - a TensorFlow that moved it
    _EAGER = type(tf.constant(0))


try:  # TF 2.16-2.21: numpy to a tensor without the conversion registry's dispatch
    from tensorflow.python.eager import context as _context
    from tensorflow.python.framework.constant_op import convert_to_eager_tensor as _to_eager
except ImportError:  # a TensorFlow release without them: the public conversion
    _to_eager = None


def tensor(value):
    """`value` as a tensor: as it is when it already is one, numpy by TensorFlow's direct path
    in eager mode (half the cost of `tf.convert_to_tensor`'s dispatch), else converted."""
    if value is None or type(value) is _EAGER:
        return value
    if _to_eager is not None and type(value) is np.ndarray and value.dtype != object:
        if tf.executing_eagerly():
            return _to_eager(value, _context.context())
    return tf.convert_to_tensor(value)


def signature(value):
    """What decides the concrete function for one array: its type, dtype and shape, rows
    included (numpy shapes are plain tuples, cheap to hash)."""
    if value is None:
        return None
    if type(value) is _EAGER:  # its `.shape` builds a TensorShape: ten times the cost
        shape = value._shape_tuple()
        return (_EAGER, value.dtype, shape)
    shape = getattr(value, "shape", None)
    if shape is None:
        return (type(value), repr(value))  # a Python number or list: converted as it is
    return (type(value), str(value.dtype), tuple(shape))


def flat_call(concrete):
    """`concrete(batches)` without the structured-argument check (about 0.1 ms per call for a
    group of 8 batches, as much as a small model's step): the batches' structure is the key the
    function was made for. ConcreteFunction._call_flat (TF 2.16-2.21); the public call where a
    TensorFlow release lacks it."""
    call_flat = getattr(concrete, "_call_flat", None)
    if call_flat is None:
        return concrete

    def call(batches):
        flat = [t for batch in batches for part in batch for t in part if t is not None]
        return call_flat(flat, concrete.captured_inputs)

    return call


def batch_signature(batch):
    known = getattr(batch, "signature", None)  # `data.tensor_batch`
    if known is not None:
        return known
    # Plain loops over the known (x, ys, ws) layout: tf.nest costs more than it saves.
    return tuple(tuple(map(signature, part)) for part in batch)


EXACT_ROW_COUNTS = 2  # a full batch and a short last one


def spec(value, exact):
    """A tensor's spec, with its rows when `exact`: a static batch dimension spares every step
    the shape arithmetic of its gradients (as `drop_remainder` does for arrays)."""
    if value is None:
        return None
    shape = value.shape
    if not exact and shape.rank:
        shape = [None, *shape[1:]]
    return tf.TensorSpec(shape, value.dtype)


def _without_rows(signature):
    if signature is None or len(signature) != 3:
        return signature
    kind, dtype, shape = signature
    return (kind, dtype, tuple(shape[1:]), len(shape))


def without_rows(signatures):
    """`batch_signature`s with the row counts taken out."""
    return tuple(tuple(tuple(map(_without_rows, part)) for part in batch) for batch in signatures)


class ConcreteLists:
    """The concrete functions of a step list (`executions[train]["list"]`) per (mode, batch
    signatures): with static rows for the first `EXACT_ROW_COUNTS` row counts of one batch
    structure (a full batch and a short last one), any rows after that (a generator of varying
    batch sizes traces once more, not once per size); None past `MAX_CONCRETE_LISTS` traces,
    where tf.function's own relaxed retracing takes over."""

    def __init__(self, executions):
        self._executions = executions
        self._by_signatures = {}
        self._row_counts = {}
        self.traced = 0

    def get(self, train, signatures, tensors):
        concrete = self._by_signatures.get((train, signatures))
        if concrete is None:
            concrete = self._new(train, signatures, tensors)
        return concrete

    def _new(self, train, signatures, tensors):
        rowless = (train, without_rows(signatures))
        concrete = self._by_signatures.get(rowless)
        if concrete is None:
            if self.traced >= MAX_CONCRETE_LISTS:
                return None
            self.traced += 1
            exact = self._row_counts.get(rowless, 0) < EXACT_ROW_COUNTS
            specs = tuple(
                tuple(tuple(spec(t, exact) for t in part) for part in batch) for batch in tensors
            )
            function = self._executions[train]["list"]
            concrete = flat_call(function.get_concrete_function(specs))
            if exact:
                self._row_counts[rowless] = self._row_counts.get(rowless, 0) + 1
            else:
                self._by_signatures[rowless] = concrete
        self._by_signatures[(train, signatures)] = concrete
        return concrete
