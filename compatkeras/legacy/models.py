"""Keras 2 `keras.models`: the legacy model classes and the model utilities."""

import dataclasses
import json
import warnings

import h5py
import tensorflow as tf
import tf_keras

from compatkeras import engine
from compatkeras.legacy import compiled_graph, graph_mode, tf_keras_names
from compatkeras.legacy import saving as saving_lib
from compatkeras.legacy import weights as weights_lib
from compatkeras.legacy.layers import Input, InputLayer  # Keras 2.2.4's `keras.models` has them
from compatkeras.legacy.legacy.interfaces import keras1_model_arguments
from compatkeras.legacy.saving import load_model
from compatkeras.legacy.training import LegacyTraining


class Model(LegacyTraining, engine.Model, metaclass=graph_mode.ModelType):
    """A Keras 2 model. Its training methods follow Keras 2 (signatures, defaults, names)."""

    _graph_mode_class = tf_keras.Model  # what it builds when eager execution is off

    # After compile, Keras 2's compiled loss as tensors of the Keras graph (`compiled_graph`).
    total_loss = property(compiled_graph.total_loss)
    targets = property(compiled_graph.targets)
    sample_weights = property(compiled_graph.sample_weights)
    _feed_targets = property(compiled_graph.targets)
    _feed_sample_weights = property(compiled_graph.fed_sample_weights)

    @property
    def run_eagerly(self):
        return tf_keras.Model.run_eagerly.fget(self)

    @run_eagerly.setter
    def run_eagerly(self, value):
        """tf.keras 2.x's `model.run_eagerly = True` after compile (to debug a layer's `call`)
        takes effect at the next call, as in tf-keras."""
        tf_keras.Model.run_eagerly.fset(self, value)
        self._engine_set_run_eagerly(bool(value))

    def to_yaml(self, **kwargs):
        """Keras 2 `to_yaml`: the architecture as YAML (the `to_json` content, plain data)."""
        import yaml

        return yaml.safe_dump(json.loads(self.to_json()), **kwargs)

    def __new__(cls, *args, **kwargs):
        if graph_mode.active():
            keras1_model_arguments(kwargs)
            ours = {c: c._graph_mode_class for c in (Model, Sequential)}
            return graph_mode.new_model(cls, ours, args, kwargs)
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        keras1_model_arguments(kwargs)
        super().__init__(*args, **kwargs)

    __init__.functional_signature = True

    def load_weights(self, filepath, by_name=False, skip_mismatch=False, reshape=False, **kwargs):
        """Keras 2's argument order (tf-keras puts `skip_mismatch` second) and its HDF5
        loading: `reshape`, a `UserWarning` per skipped layer, h5py files and groups."""
        if weights_lib.is_h5_target(filepath):
            if kwargs:
                raise TypeError(f"Unrecognized keyword arguments for HDF5 weights: {kwargs}")
            return weights_lib.load_weights(self, filepath, by_name, skip_mismatch, reshape)
        if reshape:
            raise ValueError("`reshape=True` is only supported for HDF5 weight files.")
        return super().load_weights(
            filepath, skip_mismatch=skip_mismatch, by_name=by_name, **kwargs
        )

    def save(self, filepath, overwrite=True, include_optimizer=True, **kwargs):
        return save_model(self, filepath, overwrite, include_optimizer, **kwargs)

    def _set_inputs(self, inputs, outputs=None, training=None):
        """Keras 2.2.4's private `_set_inputs`, which programs call after `model.inputs = None`:
        it refuses when the inputs are set."""
        if getattr(self, "inputs", None):
            raise ValueError("Model inputs are already set.")
        if getattr(self, "_is_graph_network", False):
            self.inputs = list(tf.nest.flatten(inputs))
        return super()._set_inputs(inputs, outputs, training)

    @classmethod
    def from_v3(cls, model):
        """A functional or Sequential model of the Keras 3 surface rebuilt from tf-keras layers
        with the same weights (uncompiled: call `compile`). A layer without a tf-keras
        equivalent is a ValueError naming it."""
        from compatkeras.v3 import convert  # the Keras 3 surface only when asked for

        return convert.convert(model, convert.TF_KERAS, cls, Sequential)


class Sequential(Model, engine.Sequential):
    """A Keras 2 `Sequential` model."""

    _graph_mode_class = None  # set below the class

    def predict_proba(self, x, batch_size=32, verbose=0):
        """Keras 2: `predict`, with a warning when the outputs are not probabilities."""
        preds = self.predict(x, batch_size=batch_size, verbose=verbose)
        if preds.min() < 0.0 or preds.max() > 1.0:
            warnings.warn(
                "Network returning invalid probability values. The last layer might "
                "not normalize predictions into probabilities (like softmax or sigmoid "
                "would).",
                stacklevel=2,
            )
        return preds

    def predict_classes(self, x, batch_size=32, verbose=0):
        """Keras 2: the arg-max class for several outputs, `proba > 0.5` for one."""
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")


class _GraphModeSequential(tf_keras.Sequential):
    """What `Sequential` builds when eager execution is off: tf-keras's, with the
    `predict_classes` / `predict_proba` that tf.keras 2.0-2.5 programs of that kind call."""

    predict_proba = Sequential.predict_proba
    predict_classes = Sequential.predict_classes


_GraphModeSequential.__name__ = _GraphModeSequential.__qualname__ = "Sequential"  # configs
Sequential._graph_mode_class = _GraphModeSequential


def save_model(model, filepath, overwrite=True, include_optimizer=True, **kwargs):
    """Keras 2 `save_model`: also into an `h5py.Group` of an open file, as Keras 2.2.4 did."""
    if isinstance(filepath, h5py.Group) and not isinstance(filepath, h5py.File):
        return weights_lib.save_model_to_group(model, filepath, include_optimizer)
    if include_optimizer and str(filepath).endswith(".keras"):
        # tf-keras's `.keras` format always holds the optimizer and refuses the argument
        return tf_keras.models.save_model(model, filepath, overwrite=overwrite, **kwargs)
    return tf_keras.models.save_model(
        model, filepath, overwrite=overwrite, include_optimizer=include_optimizer, **kwargs
    )


def model_from_yaml(yaml_string, custom_objects=None):
    """Keras 2 `model_from_yaml`, read with `yaml.safe_load` (plain data only: the reason
    TensorFlow 2.6 removed it, `yaml.load` building arbitrary objects, does not apply)."""
    import yaml

    return model_from_config(yaml.safe_load(yaml_string), custom_objects)


def _own_classes(custom_objects):
    """Custom objects that make tf-keras rebuild models as compatkeras's classes (a user's own
    entries win)."""
    return {"Functional": Model, "Model": Model, "Sequential": Sequential, **(custom_objects or {})}


def model_from_config(config, custom_objects=None):
    """Keras 2 `model_from_config`: a `{"class_name", "config"}` dict -> a compatkeras model."""
    if isinstance(config, list):
        raise TypeError(
            "`model_from_config` expects a dictionary, not a list. Maybe you meant to use "
            "`Sequential.from_config(config)`?"
        )
    return tf_keras.models.model_from_config(config, custom_objects=_own_classes(custom_objects))


def model_from_json(json_string, custom_objects=None):
    """Keras 2 `model_from_json`: `model.to_json()` text -> a compatkeras model."""
    return model_from_config(json.loads(json_string), custom_objects)


def clone_model(model, input_tensors=None, clone_function=None):
    """Keras 2 `clone_model`: new layers with new weights, as a compatkeras model (tf-keras's
    clone is a tf-keras class, which has not the Keras 2 training surface)."""
    from compatkeras import engine

    if input_tensors is not None:
        # Data tensors (Keras 2: "on top of new, non-Keras tensors") become bound inputs,
        # which training feeds from the tensor, as `Input(tensor=...)` does.
        input_tensors = [
            t if tf_keras.backend.is_keras_tensor(t) else Input(tensor=t)
            for t in tf.nest.flatten(input_tensors)
        ]
    clone = tf_keras.models.clone_model(
        model, input_tensors=input_tensors, clone_function=clone_function
    )
    if isinstance(clone, Model):
        return clone
    return engine.rebuild_as(Model, Sequential, clone)


# `saving.load_model` builds these classes (it is a floor below: it cannot import them).
saving_lib.MODEL_CLASSES.update(Model=Model, Sequential=Sequential)


__getattr__ = tf_keras_names.fallback(__name__, "tf_keras.models")
# A package for the import system, so that tf.keras 2.x submodule paths under it
# (`optimizers.schedules`) reach the drop-in's tf-keras fallback (`compatkeras.dropin`).
__path__ = []
