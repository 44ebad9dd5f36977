"""Keras 2 `keras.constraints` (tf-keras's)."""

from tf_keras.constraints import *

# Keras 2.2.4's legacy aliases (tf-keras resolves them as strings, not as attributes).
maxnorm = max_norm  # noqa: F405
nonneg = non_neg  # noqa: F405
unitnorm = unit_norm  # noqa: F405
