"""Which Keras 2 the legacy surface reproduces: "tf.keras" (tf.keras 2.x, the default) or
"keras-2.2" (standalone Keras 2.2.4: its loss normalisation, metric names, class_weight rule,
default learning rates and RNN defaults).

The flavor is read when a model is compiled and when a legacy layer or optimizer is built, so
models of both flavors can live in one process. Set it with `set_flavor`, for a block with
`with flavor(...)`, or for a whole run with the environment variable COMPATKERAS_FLAVOR.
"""

import contextlib
import os
import threading

TF_KERAS = "tf.keras"
KERAS_2_2 = "keras-2.2"
FLAVORS = (TF_KERAS, KERAS_2_2)
ENV_VAR = "COMPATKERAS_FLAVOR"

_state = threading.local()
_default = None


def _check(name, source):
    if name not in FLAVORS:
        raise ValueError(f"{source} must be one of {FLAVORS}, got {name!r}")
    return name


def get_flavor():
    stack = getattr(_state, "stack", None)
    if stack:
        return stack[-1]
    if _default is not None:
        return _default
    return _check(os.environ.get(ENV_VAR, TF_KERAS), f"the environment variable {ENV_VAR}")


def is_keras22():
    """Whether the flavor in effect here is "keras-2.2"."""
    return get_flavor() == KERAS_2_2


def set_flavor(name):
    """Set the process-wide flavor (a `with flavor(...)` block still wins inside it)."""
    global _default
    _default = _check(name, "flavor")


@contextlib.contextmanager
def flavor(name):
    """`with flavor("keras-2.2"): ...` compiles and builds in that flavor, in this thread."""
    _check(name, "flavor")
    stack = _state.__dict__.setdefault("stack", [])
    stack.append(name)
    try:
        yield name
    finally:
        stack.pop()
