"""Keras 2 `.h5` models loaded into compatkeras's own classes, compiled from their Keras 2
training config (`lr`/`decay`, `'acc'`, `sample_weight_mode`, ...) with the optimizer state
restored, so training continues where it stopped. tf-keras's HDF5 code does the reading."""

import contextlib
import json
import os
import warnings
import zipfile

import h5py
import numpy as np
import tf_keras
from tf_keras.src.saving import serialization_lib
from tf_keras.src.saving.legacy import hdf5_format

from compatkeras.legacy import tf_keras_names


def _lambda_layers_with_bytecode(config):
    """Names of Lambda layers whose function is stored as marshalled Python bytecode."""
    found = []
    if isinstance(config, dict):
        if (
            config.get("class_name") == "Lambda"
            and config.get("config", {}).get("function_type") == "lambda"
        ):
            found.append(config["config"].get("name", "?"))
        for value in config.values():
            found += _lambda_layers_with_bytecode(value)
    elif isinstance(config, list):
        for value in config:
            found += _lambda_layers_with_bytecode(value)
    return found


def _attribute(f, name):
    value = f.attrs.get(name)
    return value.decode("utf-8") if hasattr(value, "decode") else value


def _deserialize_all(value, deserialize):
    """Loss/metric identifiers as saved: strings stay, serialized objects are rebuilt."""
    if isinstance(value, dict) and "class_name" in value:
        return deserialize(value)
    if isinstance(value, dict):
        return {k: _deserialize_all(v, deserialize) for k, v in value.items()}
    if isinstance(value, list):
        return [_deserialize_all(v, deserialize) for v in value]
    return value


def _deserialize_loss(config):
    from compatkeras.legacy import losses

    return losses.deserialize(config)


def _compile_from_training_config(model, training_config, custom_objects):
    optimizer = tf_keras.optimizers.deserialize(
        training_config["optimizer_config"],
        custom_objects=custom_objects,
        use_legacy_optimizer=True,
    )
    model.compile(
        optimizer,
        loss=_deserialize_all(training_config.get("loss"), _deserialize_loss),
        metrics=_deserialize_all(training_config.get("metrics"), tf_keras.metrics.deserialize),
        loss_weights=training_config.get("loss_weights"),
        sample_weight_mode=training_config.get("sample_weight_mode"),
        weighted_metrics=_deserialize_all(
            training_config.get("weighted_metrics"), tf_keras.metrics.deserialize
        ),
    )


# The surface's `Model` and `Sequential`, registered by `compatkeras.legacy.models` (which
# imports this module: the classes are one floor up).
MODEL_CLASSES = {}


def _our_classes(custom_objects):
    model, sequential = MODEL_CLASSES["Model"], MODEL_CLASSES["Sequential"]
    return {"Model": model, "Functional": model, "Sequential": sequential, **custom_objects}


def _is_keras_archive(path):
    return path.endswith(".keras") and zipfile.is_zipfile(path)


def _is_saved_model(path):
    return os.path.isdir(path) and os.path.exists(os.path.join(path, "saved_model.pb"))


def _load_saved_model(path, custom_objects, compile):
    """A tf.keras 2.x SavedModel directory (`model.save("dir")`) as a `compatkeras.legacy`
    model: tf-keras's loader rebuilds the layers into our classes, the model is compiled from
    its training config, and the optimizer state is restored from the checkpoint (tf-keras's
    own loader starts a fresh optimizer)."""
    model = tf_keras.models.load_model(
        path, custom_objects=_our_classes(custom_objects), compile=False
    )
    metadata = getattr(model, "_serialized_attributes", {}).get("metadata", {})
    training_config = metadata.get("training_config")
    if compile and training_config is not None and hasattr(model, "_engine_compile"):
        _compile_from_training_config(model, training_config, custom_objects)
        from compatkeras.legacy.optimizer_base import builds_updates

        if not builds_updates(model.optimizer):
            model.optimizer._create_all_weights(model.trainable_variables)
            model.load_weights(os.path.join(path, "variables", "variables")).expect_partial()
    return model


def load_model(filepath, custom_objects=None, compile=True, safe_mode=None):
    """Load a model saved by Keras 2.x or tf.keras 2.x (`.h5`, or a SavedModel directory) as a
    `compatkeras.legacy` model.

    A `Lambda` layer stored as Python bytecode runs that code when it is loaded, as Keras 2 and
    tf-keras did: by default with a warning naming the layers; `safe_mode=True` refuses such a
    file (`ValueError`), `safe_mode=False` loads it silently. Files that are not HDF5 models
    raise a `ValueError` naming the path; nothing half-built is returned.
    """
    Model, Sequential = MODEL_CLASSES["Model"], MODEL_CLASSES["Sequential"]  # noqa: N806
    if not isinstance(filepath, h5py.Group) and _is_saved_model(os.fspath(filepath)):
        return _load_saved_model(os.fspath(filepath), dict(custom_objects or {}), compile)
    if not isinstance(filepath, h5py.Group) and _is_keras_archive(os.fspath(filepath)):
        # tf-keras 2.13+'s `.keras` zip (what `model.save("m.keras")` writes), rebuilt in our
        # classes and compiled by tf-keras's loader from its compile config.
        return tf_keras.models.load_model(
            os.fspath(filepath),
            custom_objects=_our_classes(dict(custom_objects or {})),
            compile=compile,
            safe_mode=True if safe_mode is None else safe_mode,
        )
    if isinstance(filepath, h5py.Group):  # Keras 2.2.4 also read from an open file or group
        path, f = f"{filepath.file.filename}:{filepath.name}", contextlib.nullcontext(filepath)
    else:
        path = os.fspath(filepath)
        try:
            f = h5py.File(path, mode="r")
        except OSError as exc:
            reason = str(exc).split("(")[0].strip() or type(exc).__name__
            raise ValueError(
                f"Cannot load a Keras model from {path!r}: not a readable HDF5 file ({reason})."
            ) from None
    with f as f:
        model_config = _attribute(f, "model_config")
        if model_config is None or "model_weights" not in f:
            raise ValueError(
                f"Cannot load a Keras model from {path!r}: it holds no model config and weights."
            )
        model_config = json.loads(model_config)
        _check_bytecode(_lambda_layers_with_bytecode(model_config), safe_mode, path)
        custom_objects = dict(custom_objects or {})
        with (
            serialization_lib.SafeModeScope(bool(safe_mode)),
            tf_keras.utils.custom_object_scope(custom_objects),
        ):
            cls = Sequential if model_config.get("class_name") == "Sequential" else Model
            model = cls.from_config(model_config["config"], custom_objects=custom_objects)
            hdf5_format.load_weights_from_hdf5_group(f["model_weights"], model)
            training_config = _attribute(f, "training_config")
            if compile and training_config is not None:
                _compile_from_training_config(model, json.loads(training_config), custom_objects)
                if "optimizer_weights" in f:
                    _restore_optimizer_state(model.optimizer, model, f, path)
    return model


def _check_bytecode(unsafe, safe_mode, path):
    """Keras 2 and tf-keras ran a Lambda layer's stored bytecode on load; so do we, saying so
    unless the caller chose (`safe_mode=False`); `safe_mode=True` refuses."""
    if not unsafe or safe_mode is False:
        return
    message = (
        f"The model in {path!r} has Lambda layer(s) {unsafe} stored as Python bytecode; "
        "loading them runs that code."
    )
    if safe_mode:
        raise ValueError(f"{message} Pass safe_mode=False to load_model() if you trust the file.")
    warnings.warn(
        f"{message} Keras 2 loaded such files without asking: pass safe_mode=False if you trust "
        "the file (no warning), safe_mode=True to refuse it.",
        stacklevel=3,
    )


def _restore_optimizer_state(optimizer, model, f, path):
    from compatkeras.legacy.optimizer_base import builds_updates

    if builds_updates(optimizer):
        # Its variables are made by `get_updates`, inside the first training step.
        warnings.warn(
            f"{type(optimizer).__name__} builds its state in `get_updates`: the optimizer state "
            f"saved in {path!r} is not restored, and the optimizer starts afresh.",
            stacklevel=3,
        )
        return
    optimizer._create_all_weights(model.trainable_variables)
    saved = hdf5_format.load_optimizer_weights_from_hdf5_group(f)
    current = optimizer.weights
    if len(saved) == len(current) - 1 and current and current[0].shape.rank == 0:
        # Keras 2.2.4's Adagrad, RMSprop and Adadelta saved their accumulators only, not the
        # iteration count that tf-keras's optimizers store first.
        warnings.warn(
            f"The optimizer state in {path!r} has no iteration count (Keras 2.2.4 did not save it "
            f"for {type(optimizer).__name__}): the accumulators are restored and `iterations` "
            "restarts at 0, so a `decay` schedule starts over.",
            stacklevel=3,
        )
        saved = [np.zeros((), current[0].dtype.as_numpy_dtype), *saved]
    try:
        optimizer.set_weights(saved)
    except ValueError as exc:
        raise ValueError(
            f"The optimizer state in {path!r} does not fit {type(optimizer).__name__} on this model "
            f"({exc}). Load with compile=False and compile again to start a fresh optimizer."
        ) from None


__getattr__ = tf_keras_names.fallback(__name__, "tf_keras.saving")
# A package for the import system, so that tf.keras 2.x submodule paths under it
# (`optimizers.schedules`) reach the drop-in's tf-keras fallback (`compatkeras.dropin`).
__path__ = []
