"""Keras 2 `keras.wrappers.scikit_learn`: removed from TensorFlow 2.12 and absent in tf-keras."""

raise ImportError(
    "keras.wrappers.scikit_learn (KerasClassifier, KerasRegressor) was removed in TensorFlow "
    "2.12 and tf-keras does not ship it; install scikeras and use "
    "scikeras.wrappers.KerasClassifier / KerasRegressor instead."
)
