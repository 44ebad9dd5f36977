"""Keras 2 `keras.models`: the legacy model classes and the model utilities."""

import warnings

from tf_keras.models import clone_model, model_from_config, model_from_json, save_model

from compatkeras import engine
from compatkeras.legacy.saving import load_model
from compatkeras.legacy.training import LegacyTraining


class Model(LegacyTraining, engine.Model):
    """A Keras 2 model. Its training methods follow Keras 2 (signatures, defaults, names)."""

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
            warnings.warn("Network returning invalid probability values. The last layer might "
                          "not normalize predictions into probabilities (like softmax or sigmoid "
                          "would).", stacklevel=2)
        return preds

    def predict_classes(self, x, batch_size=32, verbose=0):
        """Keras 2: the arg-max class for several outputs, `proba > 0.5` for one."""
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")


def model_from_yaml(yaml_string, custom_objects=None):
    raise RuntimeError(
        "model_from_yaml was removed from TensorFlow 2.6 because YAML loading could run "
        "arbitrary code; save the architecture with model.to_json() and load it with "
        "model_from_json()."
    )
