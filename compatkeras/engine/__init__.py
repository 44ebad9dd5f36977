"""The one training engine: tf-keras layers and graphs, compatkeras's training loop.

It knows nothing about the surfaces (`compatkeras.legacy`, `compatkeras.v3`) that call it.
`Model`, `Sequential` and `rebuild_as` load TensorFlow on first use, so that the data modules
(`compatkeras.engine.enqueuer`, `compatkeras.engine.processes`) and their worker processes
start without it.
"""

__all__ = ["Model", "Sequential", "rebuild_as"]


def __getattr__(name):
    if name in __all__:
        from compatkeras.engine import model

        return getattr(model, name)
    raise AttributeError(f"module 'compatkeras.engine' has no attribute {name!r}")
