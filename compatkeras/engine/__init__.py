"""The one training engine: tf-keras layers and graphs, compatkeras's training loop.

It knows nothing about the surfaces (`compatkeras.legacy`, `compatkeras.v3`) that call it.
"""

from compatkeras.engine.model import Model, Sequential, rebuild_as

__all__ = ["Model", "Sequential", "rebuild_as"]
