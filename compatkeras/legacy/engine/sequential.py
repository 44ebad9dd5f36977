"""Keras 2 `keras.engine.sequential`."""

from compatkeras.legacy.models import (
    Sequential,
)
