"""Keras 2 `keras.engine.saving`: saving and loading, and tf-keras's HDF5 weight conversions
(`preprocess_weights_for_loading`, which turns Keras 1, Theano and CuDNN weight layouts into the
layer's own). The weight-group functions take Keras 2.2.4's list of layers (keras-contrib's
`save_all_weights` passes `model.layers`) as well as tf-keras's model."""

from tf_keras.src.saving.legacy import hdf5_format as _hdf5
from tf_keras.src.saving.legacy.hdf5_format import (
    load_attributes_from_hdf5_group,
    preprocess_weights_for_loading,
    save_attributes_to_hdf5_group,
)

from compatkeras.legacy import weights as _weights
from compatkeras.legacy.models import (
    load_model,
    model_from_config,
    model_from_json,
    model_from_yaml,
    save_model,
)


class _Layers:
    """What the weight-group functions read of a model: its layers."""

    def __init__(self, layers):
        self.layers = list(layers)
        self._trainable_weights, self._non_trainable_weights = [], []  # none of its own


def _holder(model_or_layers):
    if isinstance(model_or_layers, (list, tuple)):
        return _Layers(model_or_layers)
    return model_or_layers


def save_weights_to_hdf5_group(f, layers):
    """Keras 2.2.4's `(f, layers)`, or tf-keras's `(f, model)`."""
    return _hdf5.save_weights_to_hdf5_group(f, _holder(layers))


def load_weights_from_hdf5_group(f, layers, reshape=False):
    """Keras 2.2.4's `(f, layers, reshape=False)`, or tf-keras's `(f, model)`."""
    return _weights.load_h5_weights(_holder(layers), f, reshape=reshape)


def load_weights_from_hdf5_group_by_name(f, layers, skip_mismatch=False, reshape=False):
    """Keras 2.2.4's `(f, layers, skip_mismatch=False, reshape=False)`, or tf-keras's."""
    return _weights.load_h5_weights(
        _holder(layers), f, by_name=True, skip_mismatch=skip_mismatch, reshape=reshape
    )
