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


def _as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def check_array_length_consistency(inputs, targets, weights=None):
    """Keras 2.2.4: every array of x, y and sample weights has the same number of samples."""
    _data.check_array_lengths(_as_list(inputs), _as_list(targets), _as_list(weights))


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
