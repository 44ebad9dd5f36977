"""Keras 2 `keras.engine.training_utils`: Keras 2.2.4's helpers, with its signatures, on the
checks the Keras 2 surface itself uses (`compatkeras.legacy.data`, `compatkeras.engine.losses`)."""

import types

import numpy as np

from compatkeras.engine import config as _config
from compatkeras.engine.data import make_batches
from compatkeras.engine.losses import reduce_loss
from compatkeras.legacy import data as _data
from compatkeras.legacy.data import standardize_weights
from compatkeras.legacy.utils.generic_utils import slice_arrays


def check_array_length_consistency(inputs, targets, weights=None):
    """Keras 2.2.4's check, with its rule that a missing array (None) counts as 0 samples: every
    array of x, of y and of the weights has the same number of samples, and x, y, weights
    agree."""

    def lengths(arrays):
        if arrays is None:
            return {0}
        return {0 if a is None else int(np.shape(a)[0]) for a in arrays}

    xs, ys, ws = lengths(inputs), lengths(targets), lengths(weights)
    for found, label in (
        (xs, "input arrays (x)"),
        (ys, "target arrays (y)"),
        (ws, "sample_weight arrays"),
    ):
        if len(found) > 1:
            raise ValueError(f"All {label} should have the same number of samples.")
    if xs != ys:
        raise ValueError(
            "Input arrays should have the same number of samples as target arrays. Found "
            f"{xs.pop()} input samples and {ys.pop()} target samples."
        )
    if ys != ws:
        raise ValueError(
            f"Sample_weight arrays should have the same number of samples as target arrays. Got "
            f"{ys.pop()} input samples and {ws.pop()} target samples."
        )


def check_loss_and_target_compatibility(targets, loss_fns, output_shapes):
    """Keras 2.2.4: targets that cannot fit their loss (one-column categorical targets,
    shape mismatches for the shape-checked losses) raise a ValueError."""
    outputs = [types.SimpleNamespace(loss=fn) for fn in loss_fns]
    _data.check_loss_and_target_compatibility(
        [np.asarray(t) if t is not None else None for t in targets], outputs, output_shapes
    )


def weighted_masked_objective(fn):
    """Keras 2.2.4: `fn(y_true, y_pred)` as a function of `(y_true, y_pred, weights, mask)`
    reduced to a scalar by Keras 2.2.4's rule."""
    if fn is None:
        return None

    def weighted(y_true, y_pred, weights, mask=None):
        return reduce_loss(fn(y_true, y_pred), weights, mask, _config.KERAS_2_2)

    return weighted


__all__ = [
    "check_array_length_consistency",
    "check_loss_and_target_compatibility",
    "make_batches",
    "slice_arrays",
    "standardize_weights",
    "weighted_masked_objective",
]
