"""Keras 2 `keras.wrappers`: `scikit_learn` (`KerasClassifier`, `KerasRegressor`)."""

from compatkeras.legacy.wrappers import scikit_learn

__all__ = ["scikit_learn"]
