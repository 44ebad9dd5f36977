"""Keras 2 `keras.models`: the legacy model classes and the model utilities."""

import json
import warnings

import tf_keras
from tf_keras.models import save_model

from compatkeras import engine
from compatkeras.legacy.saving import load_model
from compatkeras.legacy.training import LegacyTraining


def _keras1_model_arguments(kwargs):
    """keras 2.2.4's `legacy_model_constructor`: `input`/`output` -> `inputs`/`outputs`."""
    renamed = []
    for old, new in (("input", "inputs"), ("output", "outputs")):
        if old in kwargs:
            if new in kwargs:
                raise TypeError(f"Model got both the legacy keyword argument `{old}` and `{new}`")
            kwargs[new] = kwargs.pop(old)
            renamed.append(new)
    if renamed:
        shown = ", ".join(f"{n}=..." for n in ("inputs", "outputs", "name") if n in kwargs)
        warnings.warn(
            f"Update your `Model` call to the Keras 2 API: `Model({shown})`", stacklevel=3
        )


class Model(LegacyTraining, engine.Model):
    """A Keras 2 model. Its training methods follow Keras 2 (signatures, defaults, names)."""

    def to_yaml(self, **kwargs):
        """Keras 2 `to_yaml`: the architecture as YAML (the `to_json` content, plain data)."""
        import yaml

        return yaml.safe_dump(json.loads(self.to_json()), **kwargs)

    def __init__(self, *args, **kwargs):
        _keras1_model_arguments(kwargs)
        super().__init__(*args, **kwargs)

    __init__.functional_signature = True

    @classmethod
    def from_v3(cls, model):
        """The same layers and weights as a Keras 2-style model (uncompiled: call `compile`)."""
        return engine.rebuild_as(cls, Sequential, model)


class Sequential(Model, engine.Sequential):
    """A Keras 2 `Sequential` model."""

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

    clone = tf_keras.models.clone_model(
        model, input_tensors=input_tensors, clone_function=clone_function
    )
    if isinstance(clone, Model):
        return clone
    return engine.rebuild_as(Model, Sequential, clone)
