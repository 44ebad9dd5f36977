"""Keras 2 `keras.layers.embeddings`."""

from compatkeras.legacy.layers import (
    Embedding,
)
