"""Keras 2's `layer.updates` / `model.updates` (BatchNormalization's moving statistics) and
`K.function(..., updates=model.updates)`, with Keras 2.2.4's counts and its moving-average rule
(momentum * old + (1 - momentum) * batch mean) as the oracle."""

import numpy as np
import pytest

import compatkeras as keras
from compatkeras.legacy import flavors

K = keras.backend


@pytest.fixture(autouse=True, params=[flavors.KERAS_2_2, flavors.TF_KERAS])
def flavor(request):
    with flavors.flavor(request.param):
        yield request.param


def test_models_list_the_state_updates_of_their_trainable_layers():
    # Keras 2.2.4's test_recursion_with_bn_and_loss and test_sequential_update_disabling.
    model1 = keras.models.Sequential(
        [
            keras.layers.Dense(5, input_dim=5),
            keras.layers.BatchNormalization(),
            keras.layers.Dense(5),
        ]
    )
    inputs = keras.layers.Input(shape=(5,))
    model2 = keras.models.Model(inputs, model1(inputs))
    assert len(model1.updates) == 2 and len(model2.updates) == 2
    assert len(model1.layers[1].updates) == 2 and model1.layers[0].updates == []
    model1.trainable = False
    assert model1.updates == [] and model2.updates == []
    model1.trainable = True
    assert [u.variable.name.split("/")[-1].split(":")[0] for u in model1.updates] == [
        "moving_mean",
        "moving_variance",
    ]


def test_k_function_applies_the_updates_it_is_given_and_no_others():
    model = keras.models.Sequential([keras.layers.BatchNormalization(input_shape=(4,))])
    bn = model.layers[0]
    x = np.full((8, 4), 3.0, "float32")
    plain = K.function([model.input, K.learning_phase()], [model.output])
    plain([x, 1])
    np.testing.assert_allclose(K.get_value(bn.moving_mean), np.zeros(4))  # not passed: kept
    updating = K.function([model.input, K.learning_phase()], [model.output], updates=model.updates)
    updating([x, 1])
    np.testing.assert_allclose(K.get_value(bn.moving_mean), 0.99 * 0 + 0.01 * 3.0, rtol=1e-6)
    updating([x, 0])  # inference: nothing moves
    np.testing.assert_allclose(K.get_value(bn.moving_mean), 0.03, rtol=1e-6)


def test_other_updates_are_still_refused_with_the_replacement_named():
    model = keras.models.Sequential([keras.layers.BatchNormalization(input_shape=(4,))])
    v = K.variable(0.0)
    with pytest.raises(NotImplementedError, match="GradientTape"):
        K.function([model.input], [model.output], updates=[K.update(v, 1.0)] + model.updates)
