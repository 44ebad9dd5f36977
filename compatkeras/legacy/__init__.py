"""The Keras 2 surface: `import compatkeras.legacy as keras`.

Also what `import keras` gives under `python -m compatkeras`. Besides the Keras 2 namespace it
holds the Keras 2 module paths that legacy code imports (`keras.layers.core`,
`keras.engine.topology`, `keras.utils.np_utils`, ...). Layers, losses, metrics, callbacks and the
rest come from tf-keras; the models are compatkeras's own (`compatkeras.legacy.models`).
"""

from compatkeras._aliases import AliasFinder, add_finder
from compatkeras._version import __version__

# tf-keras ships applications and datasets module by module (`vgg16`, `mnist`); alias them whole.
add_finder(
    AliasFinder(
        {
            "compatkeras.legacy.applications": "tf_keras.applications",
            "compatkeras.legacy.datasets": "tf_keras.datasets",
        }
    )
)

from compatkeras.legacy import (  # noqa: E402
    activations,
    applications,
    backend,
    callbacks,
    constraints,
    datasets,
    engine,
    initializers,
    layers,
    losses,
    metrics,
    models,
    objectives,
    optimizers,
    preprocessing,
    regularizers,
    utils,
    wrappers,
)
from compatkeras.legacy.flavors import flavor, get_flavor, set_flavor  # noqa: E402
from compatkeras.legacy.layers import Input  # noqa: E402
from compatkeras.legacy.models import Model, Sequential  # noqa: E402
