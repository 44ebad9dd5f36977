"""The Keras 3 surface: `import compatkeras.v3 as keras`.

Code written in the Keras 3 style (`compile(steps_per_execution=..., jit_compile="auto",
auto_scale_loss=True)`, `fit(...)` without worker arguments, `PyDataset(workers=...)`,
`return_dict`) runs on the same engine as `compatkeras.legacy`, so a codebase can move one model
at a time: `compatkeras.v3.Model.from_legacy(model)` and `compatkeras.legacy.Model.from_v3(model)`
share layers and weights. Where this surface deliberately differs from Keras 3 (bugs fixed), see
docs/deviations.md.
"""

from tf_keras import Input

from compatkeras._version import __version__
from compatkeras.v3 import (
    activations,
    backend,
    callbacks,
    constraints,
    initializers,
    layers,
    losses,
    metrics,
    mixed_precision,
    models,
    optimizers,
    regularizers,
    utils,
)
from compatkeras.v3.models import Model, Sequential
from compatkeras.v3.utils import PyDataset

__all__ = [
    "Input",
    "Model",
    "PyDataset",
    "Sequential",
    "__version__",
    "activations",
    "backend",
    "callbacks",
    "constraints",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "mixed_precision",
    "models",
    "optimizers",
    "regularizers",
    "utils",
]
