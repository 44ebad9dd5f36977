"""Keras 2 `keras.engine.training`."""

from compatkeras.legacy.models import (
    Model,
)
