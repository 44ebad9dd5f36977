"""An unseeded initializer shared between layers draws new values for each (Keras 2.2.4 and
tf.keras <= 2.9; tf-keras 2.10+ repeats them and warns), a seeded one repeats its values (all of
them), and the values follow the initializer's distribution. Keras 2.2.4's rule is stated here:
no installed library computes it (tf-keras's v1 engine uses the same repeating initializers)."""

import warnings

import numpy as np
import pytest

import compatkeras as keras

RANDOM = [
    keras.initializers.RandomNormal(0.0, 0.02),
    keras.initializers.RandomUniform(-0.05, 0.05),
    keras.initializers.TruncatedNormal(0.0, 0.05),
    keras.initializers.glorot_uniform(),
    keras.initializers.he_normal(),
    keras.initializers.lecun_uniform(),
    keras.initializers.Orthogonal(),
]


@pytest.mark.parametrize("init", RANDOM, ids=lambda i: type(i).__name__)
def test_a_shared_unseeded_initializer_draws_new_values_for_each_layer(init):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # tf-keras's "identical values" warning is not raised
        kernels = []
        for _ in range(3):
            layer = keras.layers.Dense(64, kernel_initializer=init)
            layer.build((None, 64))
            kernels.append(layer.get_weights()[0])
    assert not np.allclose(kernels[0], kernels[1])
    assert not np.allclose(kernels[1], kernels[2])
    reference = type(init).from_config(init.get_config())((64, 64)).numpy()
    for kernel in kernels:  # the same distribution as a fresh instance's first draw
        assert kernel.std() == pytest.approx(reference.std(), rel=0.1)


def test_a_seeded_initializer_repeats_its_values():
    init = keras.initializers.RandomNormal(0.0, 1.0, seed=7)
    np.testing.assert_array_equal(init((4, 4)).numpy(), init((4, 4)).numpy())


def test_a_dcgan_built_with_one_conv_init_starts_with_different_layers():
    conv_init = keras.initializers.RandomNormal(0, 0.02)
    model = keras.Sequential(
        [
            keras.layers.Conv2D(
                8, 3, padding="same", kernel_initializer=conv_init, input_shape=(8, 8, 8)
            ),
            keras.layers.Conv2D(8, 3, padding="same", kernel_initializer=conv_init),
        ]
    )
    first, second = model.layers[0].get_weights()[0], model.layers[1].get_weights()[0]
    assert first.shape == second.shape and not np.allclose(first, second)
