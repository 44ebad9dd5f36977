"""tf.keras 2.1-2.3 `keras.mixed_precision.experimental` (removed in TF 2.4's successors): the
same policies and loss-scale optimizer under their first names and arguments."""

import warnings

import tf_keras
from tf_keras.mixed_precision import global_policy

__all__ = ["LossScaleOptimizer", "Policy", "get_layer_policy", "global_policy", "set_policy"]

_DEFAULT_SCALES = ("auto", "dynamic", None)


def Policy(name, loss_scale="auto"):  # noqa: N802  (a class in tf.keras 2.1-2.3)
    """A dtype policy. A fixed `loss_scale` is not carried by policies any more: it warns and
    names the replacement."""
    if loss_scale not in _DEFAULT_SCALES:
        warnings.warn(
            f"Policy(loss_scale={loss_scale!r}) is not supported: compile() uses dynamic loss "
            "scaling for mixed_float16. For a fixed scale pass "
            "keras.mixed_precision.LossScaleOptimizer(optimizer, dynamic=False, "
            f"initial_scale={loss_scale!r}) to compile().",
            stacklevel=2,
        )
    return tf_keras.mixed_precision.Policy(name)


def set_policy(policy):
    tf_keras.mixed_precision.set_global_policy(policy)


def get_layer_policy(layer):
    return layer.dtype_policy


def LossScaleOptimizer(optimizer, loss_scale="dynamic"):  # noqa: N802
    """tf.keras 2.1-2.3's `LossScaleOptimizer(optimizer, loss_scale)`: "dynamic" or a number
    (a fixed scale)."""
    if loss_scale in _DEFAULT_SCALES:
        return tf_keras.mixed_precision.LossScaleOptimizer(optimizer)
    if isinstance(loss_scale, (int, float)) and not isinstance(loss_scale, bool):
        return tf_keras.mixed_precision.LossScaleOptimizer(
            optimizer, dynamic=False, initial_scale=loss_scale
        )
    raise ValueError(
        f'loss_scale must be "dynamic" or a number, got {loss_scale!r} (a LossScale object '
        "from tf.mixed_precision.experimental is not supported)."
    )
