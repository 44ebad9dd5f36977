"""Keras 2 `keras.legacy`: `interfaces` (the Keras 1 call-form decorators) and `layers` (the
Keras 1 layers Keras 2.2.4 still shipped). Under the drop-in this package is `keras.legacy`;
`compatkeras.legacy` itself is the whole Keras 2 surface."""

import importlib


def __getattr__(name):
    # Loaded on first use: `compatkeras.legacy.layers` needs `layers` here, not `interfaces`
    # (which brings the generator methods and their engine).
    if name in ("interfaces", "layers"):
        return importlib.import_module(f"compatkeras.legacy.legacy.{name}")
    raise AttributeError(f"module 'compatkeras.legacy.legacy' has no attribute {name!r}")
