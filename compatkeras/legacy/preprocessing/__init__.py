"""Keras 2 `keras.preprocessing` (tf-keras's: `image`, `sequence`, `text`)."""

from compatkeras.legacy import tf_keras_names
from compatkeras.legacy.preprocessing import image, sequence, text

__getattr__ = tf_keras_names.fallback(__name__, "tf_keras.preprocessing")
