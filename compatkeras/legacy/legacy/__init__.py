"""Keras 2 `keras.legacy`: `interfaces` (the Keras 1 call-form decorators) and `layers` (the
Keras 1 layers Keras 2.2.4 still shipped). Under the drop-in this package is `keras.legacy`;
`compatkeras.legacy` itself is the whole Keras 2 surface."""

from compatkeras.legacy.legacy import interfaces, layers
