"""Keras 2 `keras.initializers` (tf-keras's), drawing fresh values at every call when unseeded.

Keras 2 programs share one unseeded initializer between layers (`conv_init = RandomNormal(0,
0.02)` handed to every `Conv2D` of a DCGAN or a U-Net): Keras 2 and tf.keras up to 2.9 drew new
values for each layer. tf-keras 2.10+ gives every call of an unseeded instance the same values
(and warns), so same-shaped layers start identical, which changes what such a program trains.
`install()` gives tf-keras's random initializers a new seed at each call after the first when
they were made without one; a seeded initializer still repeats its values, as in Keras 2.
"""

from tf_keras.initializers import *
from tf_keras.initializers import Initializer as _Initializer
from tf_keras.src import backend as _backend


def _fresh_draws(warn_reuse):
    def wrapper(self):
        generator = getattr(self, "_random_generator", None)
        if getattr(self, "_used", False) and self.seed is None and generator is not None:
            self._random_generator = _backend.RandomGenerator(None, rng_type=generator._rng_type)
            return None
        return warn_reuse(self)

    wrapper._keras2 = True
    return wrapper


def install():
    if not getattr(_Initializer._warn_reuse, "_keras2", False):
        _Initializer._warn_reuse = _fresh_draws(_Initializer._warn_reuse)


# Keras 2.2.4's other spellings (tf-keras resolves them as strings, not as attributes).
zero = Zeros  # noqa: F405
one = Ones  # noqa: F405
uniform = RandomUniform  # noqa: F405
normal = RandomNormal  # noqa: F405
