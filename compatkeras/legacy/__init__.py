"""The Keras 2 surface: `import compatkeras.legacy as keras`.

Also what `import keras` gives under `python -m compatkeras`. Besides the Keras 2 namespace it
holds the Keras 2 module paths that legacy code imports (`keras.layers.core`,
`keras.engine.topology`, `keras.utils.np_utils`, ...). Layers, losses, metrics, callbacks and the
rest come from tf-keras; the models are compatkeras's own (`compatkeras.legacy.models`).
"""

import importlib

from compatkeras._aliases import KERAS2_MODULES, AliasFinder, add_finder
from compatkeras.legacy import tf_keras_names

# tf-keras ships applications and datasets module by module (`vgg16`, `mnist`); alias them whole.
add_finder(
    AliasFinder(
        {
            "compatkeras.legacy.applications": "tf_keras.applications",
            "compatkeras.legacy.datasets": "tf_keras.datasets",
        }
    ),
    first=False,
)

from compatkeras.legacy import channels_first as _channels_first  # noqa: E402
from compatkeras.legacy import graph as _graph  # noqa: E402
from compatkeras.legacy import initializers as _initializers  # noqa: E402
from compatkeras.legacy import layer as _layer  # noqa: E402
from compatkeras.legacy import network_losses as _network_losses  # noqa: E402
from compatkeras.legacy import updates as _updates  # noqa: E402
from compatkeras.legacy.flavors import flavor, get_flavor, set_flavor  # noqa: E402

# What every Keras 2 layer and graph needs, whichever namespace a program touches first. The
# optimizers' forms install with `compatkeras.legacy.optimizers` (every path to an optimizer).
_channels_first.install()
_graph.install()
_initializers.install()
_layer.install()
_network_losses.install()
_updates.install()

# The sub-namespaces load on first use (`import compatkeras; compatkeras.layers.Dense` loads no
# training engine): the program pays only for what it touches.
_SUBMODULES = frozenset((*KERAS2_MODULES, "engine", "legacy"))
# Names of a sub-namespace, at the top as in Keras 2 (`keras.Model`, `keras.legacy.interfaces`).
_FROM_SUBMODULES = {
    "Input": "layers",
    "Model": "models",
    "Sequential": "models",
    "interfaces": "legacy",
}
__all__ = sorted(
    (*_SUBMODULES, "Input", "Model", "Sequential", "flavor", "get_flavor", "set_flavor")
)


_tf_keras_names = tf_keras_names.fallback(__name__, "tf_keras")


def __getattr__(name):
    # `__name__` is "keras" under the drop-in, so the package path is spelled out.
    if name in _SUBMODULES:
        return importlib.import_module(f"compatkeras.legacy.{name}")
    if name in _FROM_SUBMODULES:
        value = getattr(
            importlib.import_module(f"compatkeras.legacy.{_FROM_SUBMODULES[name]}"), name
        )
        globals()[name] = value
        return value
    # Libraries branch on `keras.__version__` (keras-rl compares it with '2.1.3'): the Keras 2
    # version this flavor reproduces, read when asked since the flavor can change.
    if name == "__version__":
        if get_flavor() == "keras-2.2":
            return "2.2.4"
        import tf_keras

        return tf_keras.__version__
    return _tf_keras_names(name)  # tf.keras 2.x's `keras.experimental`, `estimator`, ...


def __dir__():
    return sorted({*globals(), *__all__})
