"""Keras 3's `keras.models`, whose models train on compatkeras's engine: `Model`,
`Sequential`, and `load_model` / `clone_model` / `model_from_json` giving those classes."""

from keras.models import clone_model as _clone_model
from keras.models import model_from_json as _model_from_json
from keras.models import save_model

from compatkeras.v3.keras3_models import Model, Sequential, adopt, classes, load_model


def clone_model(model, input_tensors=None, clone_function=None, call_function=None, **kwargs):
    """Keras 3's `clone_model`; a clone of Keras 3's own model classes is one of these."""
    return adopt(
        _clone_model(
            model,
            input_tensors=input_tensors,
            clone_function=clone_function,
            call_function=call_function,
            **kwargs,
        )
    )


def model_from_json(json_string, custom_objects=None):
    """Keras 3's `model_from_json`, giving these classes for Keras 3's own."""
    return adopt(_model_from_json(json_string, {**classes(), **(custom_objects or {})}))


__all__ = ["Model", "Sequential", "clone_model", "load_model", "model_from_json", "save_model"]
