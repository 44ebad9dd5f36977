"""Keras 2 `keras.preprocessing` (tf-keras's: `image`, `sequence`, `text`)."""

from compatkeras.legacy.preprocessing import image, sequence, text
