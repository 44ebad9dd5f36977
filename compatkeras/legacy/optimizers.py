"""Keras 2 `keras.optimizers`: the optimizers that still take `lr` and `decay`.

tf-keras's legacy optimizers keep the Keras 2 arguments (`lr`, `decay`, `clipnorm`, `clipvalue`);
its new ones silently drop `lr` and reject `decay`.
"""

import tf_keras
from tf_keras.optimizers import deserialize, serialize
from tf_keras.optimizers.legacy import (
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    Nadam,
    Optimizer,
    RMSprop,
)

# Keras 2 lower-case aliases.
sgd = SGD
rmsprop = RMSprop
adagrad = Adagrad
adadelta = Adadelta
adam = Adam
adamax = Adamax
nadam = Nadam

# Keras 2.2.4's defaults, used for string optimizers under the "keras-2.2" flavor (tf-keras
# changed Adagrad, Adadelta, Adamax and Nadam).
KERAS_2_2_LEARNING_RATES = {
    "sgd": (SGD, 0.01),
    "rmsprop": (RMSprop, 0.001),
    "adagrad": (Adagrad, 0.01),
    "adadelta": (Adadelta, 1.0),
    "adam": (Adam, 0.001),
    "adamax": (Adamax, 0.002),
    "nadam": (Nadam, 0.002),
}


def get(identifier):
    """An optimizer from a name, a config dict or an instance, as Keras 2 `optimizers.get`.

    Names give tf-keras's legacy optimizers (those keep `lr`, `decay` and `get_updates`), with
    Keras 2.2.4's default learning rates under the "keras-2.2" flavor.
    """
    from compatkeras.legacy.flavors import KERAS_2_2, get_flavor

    if isinstance(identifier, str):
        known = KERAS_2_2_LEARNING_RATES.get(identifier.lower())
        if known is not None and get_flavor() == KERAS_2_2:
            cls, learning_rate = known
            return cls(learning_rate=learning_rate)
        return tf_keras.optimizers.get(identifier, use_legacy_optimizer=True)
    if isinstance(identifier, dict):
        return tf_keras.optimizers.get(identifier, use_legacy_optimizer=True)
    if isinstance(identifier, (tf_keras.optimizers.legacy.Optimizer, tf_keras.optimizers.Optimizer)):
        return identifier
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")
