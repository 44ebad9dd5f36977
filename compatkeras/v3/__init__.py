"""The Keras 3 surface: `import compatkeras.v3 as keras`.

This namespace *is* Keras 3's (`keras`, TensorFlow backend): every name and submodule
(`layers`, `ops`, `random`, `saving`, `utils.PyDataset`, ...) is Keras 3's own object, except
the training API. `Model` and `Sequential` are Keras 3's classes with `Keras3Training` mixed in:
`compile`/`fit`/`evaluate`/`predict` and the `*_on_batch` methods run the model's own Keras 3
`train_step`/`test_step`/`predict_step` on compatkeras's engine (exact `steps_per_execution`,
PyDatasets and generators on the engine's enqueuer). `models.load_model` and
`saving.load_model` give these classes. `Model.from_legacy(model)` and
`compatkeras.legacy.Model.from_v3(model)` move a model between the surfaces with its weights.
Where this surface deliberately differs from Keras 3 (bugs fixed), see docs/deviations.md.
"""

import sys
import types

import keras as _keras

if _keras.backend.backend() != "tensorflow":
    raise ImportError(
        "compatkeras.v3 runs Keras 3 on compatkeras's TensorFlow engine, but Keras 3's backend is "
        f"{_keras.backend.backend()!r}: set KERAS_BACKEND=tensorflow before importing keras."
    )

# Keras 3's submodules are aliased under this package's name, so `import compatkeras.v3.layers`
# and `from compatkeras.v3.ops import numpy` give Keras 3's own modules; these are ours.
_OURS = ("models", "saving")

# Keras 3's namespace, name for name; the names set at the end replace theirs.
globals().update(
    {k: v for k, v in vars(_keras).items() if not k.startswith("__") and k not in _OURS}
)
__version__ = _keras.__version__


def _alias(prefix, module, seen):
    for name, value in vars(module).items():
        if (
            isinstance(value, types.ModuleType)
            and value.__name__ == f"{module.__name__}.{name}"
            and value.__name__ != "keras.src"
            and id(value) not in seen
        ):
            seen.add(id(value))
            sys.modules.setdefault(f"{prefix}.{name}", value)
            _alias(f"{prefix}.{name}", value, seen)


_alias(__name__, _keras, set())
for _name in _OURS:
    del sys.modules[f"{__name__}.{_name}"]

from compatkeras.v3 import models, saving  # noqa: E402, F401
from compatkeras.v3.models import Model, Sequential  # noqa: E402, F401
