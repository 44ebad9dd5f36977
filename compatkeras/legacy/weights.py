"""Keras 2's HDF5 weight loading and its h5py targets.

Keras 2.2.4's `load_weights(filepath, by_name=False, skip_mismatch=False, reshape=False)`:
- `reshape=True` loads a saved array into a weight of another shape with as many elements
  (a Dense kernel into a 1x1 convolution);
- `skip_mismatch=True` (with `by_name`) skips a layer whose saved weights do not fit, with a
  `UserWarning` (tf-keras only logs);
- `filepath` may be an open `h5py.File` or `h5py.Group`, as `save_model`'s may.
tf-keras does the format work (`preprocess_weights_for_loading` converts Keras 1 and CuDNN
weights); this module picks the pairs and checks the shapes the Keras 2 way.
"""

import os
import warnings

import h5py
import numpy as np
import tf_keras
from tf_keras.src.saving.legacy import hdf5_format


def _text(value):
    return value.decode("utf8") if hasattr(value, "decode") else value


def _saved_layers(f):
    """[(layer name, [arrays])] for the saved layers that have weights, in file order."""
    saved = []
    for name in hdf5_format.load_attributes_from_hdf5_group(f, "layer_names"):
        group = f[name]
        names = hdf5_format.load_attributes_from_hdf5_group(group, "weight_names")
        if names:
            saved.append((name, [np.asarray(group[w]) for w in names]))
    return saved


def _pairs(model, saved, by_name):
    if by_name:
        index = {}
        for layer in model.layers:
            index.setdefault(layer.name, []).append(layer)
        return [(layer, values) for name, values in saved for layer in index.get(name, [])]
    layers = [layer for layer in model.layers if layer.weights]
    if len(layers) != len(saved):
        raise ValueError(
            f"You are trying to load a weight file containing {len(saved)} layers into a model "
            f"with {len(layers)} layers."
        )
    return list(zip(layers, (values for _, values in saved), strict=True))


def _fitted(layer, values, reshape):
    """`values` shaped for `layer`'s weights, or the reason they do not fit."""
    weights = layer.trainable_weights + layer.non_trainable_weights
    if len(values) != len(weights):
        return None, (
            f"layer {layer.name!r} expects {len(weights)} weights, but the saved weights have "
            f"{len(values)} elements"
        )
    fitted = []
    for weight, value in zip(weights, values, strict=True):
        shape = tuple(weight.shape)
        if value.shape != shape:
            if not (reshape and value.size == int(np.prod(shape))):
                return None, (
                    f"weight {weight.name} of layer {layer.name!r} has shape {shape}, but the "
                    f"saved weight has shape {value.shape}"
                )
            value = np.reshape(value, shape)
        fitted.append((weight, value))
    return fitted, None


def _reshaped(layer, values):
    weights = layer.trainable_weights + layer.non_trainable_weights
    if len(weights) != len(values):
        return values
    return [
        np.reshape(v, w.shape)
        if v.shape != tuple(w.shape) and v.size == w.shape.num_elements()
        else v
        for w, v in zip(weights, values, strict=True)
    ]


def load_h5_weights(model, f, by_name=False, skip_mismatch=False, reshape=False):
    if "layer_names" not in f.attrs and "model_weights" in f:
        f = f["model_weights"]  # a whole-model file
    version = _text(f.attrs.get("keras_version", "1"))
    backend = _text(f.attrs.get("backend")) if "backend" in f.attrs else None
    assignments = []
    for layer, values in _pairs(model, _saved_layers(f), by_name):
        if reshape:  # before the layout conversions, which would transpose a kernel instead
            values = _reshaped(layer, values)
        try:
            values = hdf5_format.preprocess_weights_for_loading(layer, values, version, backend)
        except ValueError as exc:  # a layout conversion that does not fit these shapes
            fitted, problem = (
                None,
                (
                    f"layer {layer.name!r} cannot take saved weights of shapes "
                    f"{[v.shape for v in values]} ({exc})"
                ),
            )
        else:
            fitted, problem = _fitted(layer, values, reshape)
        if problem is None:
            assignments += fitted
        elif skip_mismatch:
            warnings.warn(
                f"Skipping loading of weights for layer {layer.name!r} due to mismatch ({problem}).",
                stacklevel=3,
            )
        else:
            hint = " Pass reshape=True to reshape arrays of the same size." if not reshape else ""
            raise ValueError(f"Cannot load the saved weights: {problem}.{hint}")
    tf_keras.backend.batch_set_value(assignments)


def is_h5_target(filepath):
    """Whether `filepath` is (or names) Keras 2's HDF5 weights. A `.weights.h5` file that
    tf-keras wrote in its newer layout (`save_weights` picks it by that suffix) is tf-keras's."""
    if isinstance(filepath, h5py.Group):
        return True
    path = os.fspath(filepath)
    if path.endswith(".weights.h5") and os.path.isfile(path) and h5py.is_hdf5(path):
        with h5py.File(path, "r") as f:
            return "layer_names" in f.attrs or "model_weights" in f
    return path.endswith((".h5", ".hdf5")) or (os.path.isfile(path) and h5py.is_hdf5(path))


def load_weights(model, filepath, by_name, skip_mismatch, reshape):
    if isinstance(filepath, h5py.Group):
        return load_h5_weights(model, filepath, by_name, skip_mismatch, reshape)
    with h5py.File(filepath, "r") as f:
        return load_h5_weights(model, f, by_name, skip_mismatch, reshape)


def save_model_to_group(model, group, include_optimizer=True):
    """Keras 2.2.4 also saved into a group of an open file: write an in-memory file with
    tf-keras, then copy its contents into the group."""
    with h5py.File("compatkeras-model", "w", driver="core", backing_store=False) as memory:
        hdf5_format.save_model_to_hdf5(model, memory, include_optimizer=include_optimizer)
        for key, value in memory.attrs.items():
            group.attrs[key] = value
        for key in memory:
            memory.copy(memory[key], group, name=key)
