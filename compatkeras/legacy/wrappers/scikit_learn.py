"""Keras 2 `keras.wrappers.scikit_learn`: `KerasClassifier` and `KerasRegressor`, scikit-learn
estimators around a function that builds a compiled model (Keras 2.2.4 and tf.keras up to
TensorFlow 2.11; tf-keras no longer ships them, and scikeras now needs Keras 3).

Parameters given at construction (`sk_params`) go by name to the build function and to the
model's `fit`, `predict`, `predict_classes` and `evaluate`; arguments given to a method override
them. `get_params`/`set_params` let scikit-learn's `clone`, `cross_val_score` and `GridSearchCV`
rebuild an estimator. Using them needs no scikit-learn.
"""

import copy
import inspect
import types

import numpy as np

from compatkeras.legacy import models as models_lib
from compatkeras.legacy.utils import to_categorical

# `fit` arguments the Keras 2 surface takes through `**kwargs` (tf.keras 2.x's), and Keras 1's
# `nb_epoch`, which `fit` renames to `epochs` with Keras 2's warning.
_FIT_KWARGS = ("validation_freq", "validation_batch_size", "nb_epoch")


def _arguments(fn):
    """The names `fn` takes (a callable object: its `__call__`'s)."""
    if not isinstance(fn, (types.FunctionType, types.MethodType)):
        fn = fn.__call__
    return {
        name
        for name, p in inspect.signature(fn).parameters.items()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    }


def _fit_arguments():
    return _arguments(models_lib.Sequential.fit) | set(_FIT_KWARGS)


def _is_categorical_crossentropy(loss):
    name = loss if isinstance(loss, str) else getattr(loss, "__name__", None)
    if name is None:  # a loss object: tf.keras's CategoricalCrossentropy()
        name = getattr(loss, "name", None)
    return name == "categorical_crossentropy"


class BaseWrapper:
    """The scikit-learn estimator API around `build_fn`: a function returning a compiled
    model, an object whose `__call__` does, or None to use this class's own `__call__`."""

    _estimator_type = None  # what scikit-learn < 1.6 reads for `is_classifier`/`is_regressor`

    def __init__(self, build_fn=None, **sk_params):
        self.build_fn = build_fn
        self.sk_params = sk_params
        self.check_params(sk_params)

    def __sklearn_tags__(self):
        """What scikit-learn >= 1.6 asks every estimator (Keras 2's wrappers predate it, and
        `cross_val_score` / `GridSearchCV` refuse an estimator without it)."""
        from sklearn.utils import ClassifierTags, RegressorTags, Tags, TargetTags

        classifier = self._estimator_type == "classifier"
        return Tags(
            estimator_type=self._estimator_type,
            target_tags=TargetTags(required=True),
            classifier_tags=ClassifierTags() if classifier else None,
            regressor_tags=None if classifier else RegressorTags(),
        )

    def __sklearn_is_fitted__(self):
        """Fitted once `fit` built a model (scikit-learn's `Pipeline.score` asks its last step)."""
        return hasattr(self, "model")

    def _builder(self):
        return self.__call__ if self.build_fn is None else self.build_fn

    def check_params(self, params):
        """A `ValueError` for a name that neither the build function nor the model's `fit`,
        `predict`, `predict_classes` or `evaluate` takes (Keras 2.2.4's check)."""
        legal = _fit_arguments() | _arguments(self._builder())
        for method in ("predict", "predict_classes", "evaluate"):
            legal |= _arguments(getattr(models_lib.Sequential, method))
        for name in params:
            if name not in legal:
                raise ValueError(f"{name} is not a legal parameter")

    def get_params(self, **params):
        """The constructor's arguments, the objects themselves (scikit-learn's `clone` rebuilds
        from them and checks that the new estimator holds the same objects; Keras 2.2.4 gave
        deep copies, which fails that check for a list such as `callbacks`)."""
        return {**self.sk_params, "build_fn": self.build_fn}

    def set_params(self, **params):
        self.check_params(params)
        self.sk_params.update(params)
        return self

    def filter_sk_params(self, fn, override=None):
        """The `sk_params` that `fn` takes, updated with `override`."""
        taken = _fit_arguments() if fn is models_lib.Sequential.fit else _arguments(fn)
        result = {name: value for name, value in self.sk_params.items() if name in taken}
        result.update(override or {})
        return result

    def fit(self, x, y, **kwargs):
        """Build a new model and train it; returns the `History`. `kwargs` override the
        `fit` arguments of `sk_params`."""
        self.model = self._builder()(**self.filter_sk_params(self._builder()))
        if _is_categorical_crossentropy(self.model.loss) and len(np.shape(y)) != 2:
            y = to_categorical(y)
        fit_args = copy.deepcopy(self.filter_sk_params(models_lib.Sequential.fit))
        fit_args.update(kwargs)
        return self.model.fit(x, y, **fit_args)


class KerasClassifier(BaseWrapper):
    """A scikit-learn classifier. Labels may be any values (strings too): `classes_` holds them
    sorted, and the model is trained on their indices (one-hot for `categorical_crossentropy`);
    a one-hot `y` is taken as it is."""

    _estimator_type = "classifier"

    def fit(self, x, y, sample_weight=None, **kwargs):
        y = np.array(y)
        if y.ndim == 2 and y.shape[1] > 1:
            self.classes_ = np.arange(y.shape[1])
        elif y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1):
            self.classes_ = np.unique(y)
            y = np.searchsorted(self.classes_, y)
        else:
            raise ValueError(f"Invalid shape for y: {y.shape}")
        self.n_classes_ = len(self.classes_)
        if sample_weight is not None:
            kwargs["sample_weight"] = sample_weight
        return super().fit(x, y, **kwargs)

    def predict(self, x, **kwargs):
        """The predicted labels (values of `classes_`)."""
        kwargs = self.filter_sk_params(models_lib.Sequential.predict_classes, kwargs)
        if hasattr(self.model, "predict_classes"):
            classes = self.model.predict_classes(x, **kwargs)
        else:  # a functional model (tf.keras 2.x's wrapper: the same rule from `predict`)
            proba = self.model.predict(x, **kwargs)
            classes = proba.argmax(axis=-1) if proba.shape[-1] > 1 else proba > 0.5
        return self.classes_[np.asarray(classes, dtype="int64").reshape(-1)]

    def predict_proba(self, x, **kwargs):
        """Class probabilities, one column per class (two for a single sigmoid output)."""
        kwargs = self.filter_sk_params(models_lib.Sequential.predict_proba, kwargs)
        predict = getattr(self.model, "predict_proba", self.model.predict)
        probs = predict(x, **kwargs)
        if probs.shape[1] == 1:
            probs = np.hstack([1 - probs, probs])
        return probs

    def score(self, x, y, **kwargs):
        """The model's accuracy on `x`, `y` (it must be compiled with an accuracy metric)."""
        y = np.searchsorted(self.classes_, y)
        kwargs = self.filter_sk_params(models_lib.Sequential.evaluate, kwargs)
        if _is_categorical_crossentropy(self.model.loss) and len(np.shape(y)) != 2:
            y = to_categorical(y)
        outputs = self.model.evaluate(x, y, **kwargs)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        for name, output in zip(self.model.metrics_names, outputs, strict=True):
            if name in ("acc", "accuracy"):
                return output
        raise ValueError(
            "The model is not configured to compute accuracy. You should pass "
            '`metrics=["accuracy"]` to the `model.compile()` method.'
        )


class KerasRegressor(BaseWrapper):
    """A scikit-learn regressor: `predict` gives the model's outputs squeezed, `score` the
    negated loss (scikit-learn maximises scores)."""

    _estimator_type = "regressor"

    def predict(self, x, **kwargs):
        kwargs = self.filter_sk_params(models_lib.Sequential.predict, kwargs)
        return np.squeeze(self.model.predict(x, **kwargs))

    def score(self, x, y, **kwargs):
        kwargs = self.filter_sk_params(models_lib.Sequential.evaluate, kwargs)
        loss = self.model.evaluate(x, y, **kwargs)
        return -loss[0] if isinstance(loss, list) else -loss
