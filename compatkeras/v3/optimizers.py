"""Keras 3 `keras.optimizers` on tf-keras's optimizers: `learning_rate`, no `lr`, no `decay`.

Keras 3 rejects `lr` and only warns that `decay` is ignored; both are kept here, with the
replacement named in the warning.
"""

import warnings

import tf_keras
from tf_keras.mixed_precision import LossScaleOptimizer  # noqa: F401
from tf_keras.optimizers import deserialize, schedules, serialize  # noqa: F401

_NAMES = (
    "SGD",
    "RMSprop",
    "Adam",
    "AdamW",
    "Adagrad",
    "Adadelta",
    "Adamax",
    "Nadam",
    "Ftrl",
    "Lion",
    "Adafactor",
)


def _check_kwargs(kwargs):
    if "decay" in kwargs:
        kwargs.pop("decay")
        warnings.warn(
            "Argument `decay` is no longer supported and will be ignored. For the Keras 2 "
            "behaviour pass learning_rate=keras.optimizers.schedules.InverseTimeDecay("
            "lr, decay_steps=1, decay_rate=decay).",
            stacklevel=3,
        )
    known = {"lr"}
    unknown = {k: v for k, v in kwargs.items() if k in known}
    if unknown:
        raise ValueError(f"Argument(s) not recognized: {unknown}")


def _keras3(base):
    def __init__(self, *args, **kwargs):
        _check_kwargs(kwargs)
        base.__init__(self, *args, **kwargs)

    return type(
        base.__name__,
        (base,),
        {"__init__": __init__, "__module__": __name__, "__doc__": base.__doc__},
    )


Optimizer = tf_keras.optimizers.Optimizer
for _name in _NAMES:
    if hasattr(tf_keras.optimizers, _name):
        globals()[_name] = _keras3(getattr(tf_keras.optimizers, _name))

_BY_NAME = {n.lower(): globals()[n] for n in _NAMES if n in globals()}


def get(identifier):
    """An optimizer from a name, a config dict or an instance (Keras 3 `optimizers.get`)."""
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower())
        if cls is None:
            raise ValueError(f"Could not interpret optimizer identifier: {identifier}")
        return cls()
    if isinstance(identifier, dict):
        return tf_keras.optimizers.deserialize(identifier, use_legacy_optimizer=False)
    if isinstance(
        identifier,
        (tf_keras.optimizers.Optimizer, tf_keras.optimizers.legacy.Optimizer, LossScaleOptimizer),
    ):
        return identifier
    raise ValueError(f"Could not interpret optimizer identifier: {identifier}")


__all__ = [
    "Optimizer",
    "LossScaleOptimizer",
    "get",
    "schedules",
    "serialize",
    "deserialize",
    *[n for n in _NAMES if n in globals()],
]
