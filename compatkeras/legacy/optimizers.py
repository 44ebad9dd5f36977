"""Keras 2 `keras.optimizers`: the optimizers that still take `lr` and `decay`.

tf-keras's legacy optimizers keep the Keras 2 arguments (`lr`, `decay`, `clipnorm`, `clipvalue`);
its new ones silently drop `lr` and reject `decay`.
"""

from tf_keras.optimizers import deserialize, get, serialize
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
