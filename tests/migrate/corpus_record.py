"""What a corpus program computed, comparable between Keras 2 (the drop-in) and Keras 3.

`install(keras)` wraps the training and inference methods of `keras.Model` so that, on both sides
alike: the first call on each model gives it weights drawn from a seed that depends only on the
order in which models are first used (never on either library's initializers), dropout layers
drop nothing, `fit` does not shuffle (a model that loaded weights or came from `load_model`
keeps them), and every outermost call appends what it returned (history,
losses, predictions) to `RECORDS`. A program rewritten without changing its meaning then records
the same numbers on Keras 3 as the original on the drop-in. The program's own `np.random` draws
come from the same seed on both sides (`reset`).
"""

import random

import numpy as np

RECORDS = []
_KINDS = {
    "fit": "fit",
    "fit_generator": "fit",
    "evaluate": "evaluate",
    "evaluate_generator": "evaluate",
    "test_on_batch": "evaluate",
    "predict": "predict",
    "predict_generator": "predict",
    "predict_on_batch": "predict",
    "train_on_batch": "train",
}
_RENAMED = {"acc": "accuracy", "val_acc": "val_accuracy"}  # Keras 2's history keys
_state = {"depth": 0, "models": {}, "loaded": {}}


def reset():
    RECORDS.clear()
    _state["models"].clear()
    _state["loaded"].clear()
    np.random.seed(1234)
    random.seed(1234)


def install(keras):
    if str(keras.__version__).startswith("3."):
        _dense_gradients(keras)
    model_class = keras.Model
    for name, kind in _KINDS.items():
        method = getattr(model_class, name, None)
        if method is not None and not getattr(method, "_recorded", False):
            setattr(model_class, name, _wrap(method, name, kind))
    if not getattr(model_class.load_weights, "_recorded", False):
        model_class.load_weights = _loading(model_class.load_weights)
    for module in (getattr(keras, "models", None), getattr(keras, "saving", None)):
        load_model = getattr(module, "load_model", None)
        if load_model is not None and not getattr(load_model, "_recorded", False):
            module.load_model = _loading(load_model)


def _loading(function):
    """`load_weights` / `load_model`: the model has the program's weights, not the seed's."""

    def loading(*args, **kwargs):
        result = function(*args, **kwargs)
        model = result if function.__name__ != "load_weights" else args[0]
        _state["loaded"][id(model)] = model  # kept alive, as in `_prepare`
        return result

    loading._recorded = True
    loading.__name__ = function.__name__
    return loading


def _wrap(method, name, kind):
    def recorded(self, *args, **kwargs):
        outermost = _state["depth"] == 0
        if outermost:
            _build(self, args)
            # Generators draw from np.random inside the call, and Keras 2 and 3 read them ahead
            # by different amounts: each call starts from its own seed on both sides.
            np.random.seed(1000 + len(RECORDS))
            _prepare(self)
            if name in ("fit", "fit_generator"):  # Keras 2 shuffled a Sequence's batches too
                kwargs["shuffle"] = False
        _state["depth"] += 1
        try:
            result = method(self, *args, **kwargs)
        finally:
            _state["depth"] -= 1
        if outermost:
            RECORDS.append([kind, _numbers(kind, result)])
        return result

    recorded._recorded = True
    return recorded


def _dense_gradients(keras):
    """Keras 3's Adam, RMSprop and Adagrad square each occurrence of a repeated row of a sparse
    (Embedding) gradient where Keras 2 squares the sum (`test_end_to_end.py` pins it): not the
    rewriter's doing, so Keras 3 gets the dense gradient that Keras 2's update means."""
    import tensorflow as tf

    base = keras.optimizers.Optimizer
    if getattr(base.apply, "_recorded", False):
        return
    apply = base.apply

    def dense_apply(self, grads, trainable_variables=None):
        grads = [tf.convert_to_tensor(g) if isinstance(g, tf.IndexedSlices) else g for g in grads]
        return apply(self, grads, trainable_variables)

    dense_apply._recorded = True
    base.apply = dense_apply


def _build(model, args):
    """A Sequential model without an input shape (Keras 3 has no Embedding `input_length`) is
    built here from the call's input array, as Keras 2 built it at construction: both sides then
    get their weights before the first step."""
    if model.built or not args or not isinstance(args[0], np.ndarray):
        return
    model.build((None,) + args[0].shape[1:])


def _prepare(model):
    models = _state["models"]
    if id(model) in models:
        return
    models[id(model)] = model  # kept alive: an id must not be reused by another model
    for layer in _layers(model):
        if "Dropout" in type(layer).__name__ and isinstance(getattr(layer, "rate", None), float):
            layer.rate = 0.0
    if id(model) in _state["loaded"]:
        RECORDS.append(["weights", "loaded"])
        return
    if not model.built:
        RECORDS.append(["weights", "not built at its first use"])
        return
    rng = np.random.RandomState(len(models))
    values = []
    for variable, value in zip(model.weights, model.get_weights(), strict=True):
        if "moving_variance" in variable.name or "moving_variance" in getattr(variable, "path", ""):
            values.append(rng.uniform(0.5, 1.5, value.shape).astype(value.dtype))
        else:
            values.append(rng.uniform(-0.2, 0.2, value.shape).astype(value.dtype))
    model.set_weights(values)
    RECORDS.append(["weights", [list(value.shape) for value in values]])


def _layers(model):
    for layer in getattr(model, "layers", []):
        yield layer
        yield from _layers(layer)


def _numbers(kind, result):
    if kind == "fit":
        history = getattr(result, "history", {})
        return {
            _RENAMED.get(key, key): [float(v) for v in values]
            for key, values in sorted(history.items())
            if key not in ("lr", "learning_rate")
        }
    if isinstance(result, dict):
        result = list(result.values())
    if isinstance(result, (list, tuple)):
        return [_array(item) for item in result]
    return _array(result)


def _array(value):
    array = np.asarray(value, dtype="float64")
    return {
        "shape": list(array.shape),
        "head": array.ravel()[:32].tolist(),
        "sum": float(array.sum()),
    }
