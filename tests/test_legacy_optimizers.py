"""compatkeras.legacy.optimizers: Keras 2.2.4 constructors on tf-keras's legacy optimizers.

The learning-rate and accumulator rules are checked against numpy implementations of Keras
2.2.4's update formulas (keras/optimizers.py of 2.2.4), on a linear model whose gradients are
known in closed form; the decay trajectory and clipnorm (O13) are in test_legacy_training.py.
"""

import warnings

import numpy as np
import pytest

import compatkeras.legacy as keras

X = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], "float32")
Y = np.array([[2], [1], [0], [1]], "float32")

TF_KERAS_RATES = {
    "SGD": 0.01,
    "RMSprop": 0.001,
    "Adagrad": 0.001,
    "Adadelta": 0.001,
    "Adam": 0.001,
    "Adamax": 0.001,
    "Nadam": 0.001,
}
KERAS_2_2_RATES = {
    "SGD": 0.01,
    "RMSprop": 0.001,
    "Adagrad": 0.01,
    "Adadelta": 1.0,
    "Adam": 0.001,
    "Adamax": 0.002,
    "Nadam": 0.002,
}


def lin3():
    inp = keras.Input((3,))
    return keras.Model(inp, keras.layers.Dense(1, use_bias=False, kernel_initializer="ones")(inp))


def mse_gradient(w):
    return (2.0 / len(X)) * X.T @ (X @ w - Y)


@pytest.mark.parametrize("name", sorted(TF_KERAS_RATES))
def test_default_learning_rate_follows_the_flavor(name):
    with keras.flavor("tf.keras"):
        plain = getattr(keras.optimizers, name)()
        plain_by_string = keras.optimizers.get(name.lower())
    with keras.flavor("keras-2.2"):
        old = getattr(keras.optimizers, name)()
        by_string = keras.optimizers.get(name.lower())
    assert plain.get_config()["learning_rate"] == pytest.approx(TF_KERAS_RATES[name])
    assert plain_by_string.get_config()["learning_rate"] == pytest.approx(TF_KERAS_RATES[name])
    assert old.get_config()["learning_rate"] == pytest.approx(KERAS_2_2_RATES[name])
    assert by_string.get_config()["learning_rate"] == pytest.approx(KERAS_2_2_RATES[name])
    # Keras 2.2.4 and tf.keras 2.x alike: a name gives the namespace's own class (keras-rl's
    # `clone_optimizer("sgd")` checks `isinstance(clone, SGD)`).
    assert type(plain_by_string) is type(by_string) is getattr(keras.optimizers, name)


@pytest.mark.parametrize(
    "flavor, accumulator, rate", [("keras-2.2", 0.0, 0.01), ("tf.keras", 0.1, 0.001)]
)
def test_adagrad_accumulators_and_rate(flavor, accumulator, rate):
    with keras.flavor(flavor):
        model = lin3()
        model.compile(keras.optimizers.Adagrad(), "mse")
    model.fit(X, Y, batch_size=4, epochs=3, shuffle=False, verbose=0)
    w, a = np.ones((3, 1)), np.full((3, 1), accumulator)
    for _ in range(3):  # Keras 2.2.4: a += g^2; w -= lr * g / (sqrt(a) + epsilon)
        g = mse_gradient(w)
        a = a + g**2
        w = w - rate * g / (np.sqrt(a) + 1e-7)
    np.testing.assert_allclose(model.get_weights()[0], w, rtol=1e-5)


def test_keras_2_2_4_positional_order():
    adam = keras.optimizers.Adam(0.01, 0.8, 0.9, None, 0.1, True)
    config = adam.get_config()
    assert (
        config["learning_rate"],
        config["beta_1"],
        config["beta_2"],
        config["decay"],
        config["amsgrad"],
    ) == pytest.approx((0.01, 0.8, 0.9, 0.1, True))
    assert config["epsilon"] == pytest.approx(keras.backend.epsilon())
    sgd = keras.optimizers.SGD(0.1, 0.9, 0.01, True).get_config()
    assert (sgd["momentum"], sgd["decay"], sgd["nesterov"]) == pytest.approx((0.9, 0.01, True))
    rms = keras.optimizers.RMSprop(0.01, 0.8, 1e-4, 0.2).get_config()
    assert (rms["rho"], rms["epsilon"], rms["decay"]) == pytest.approx((0.8, 1e-4, 0.2))
    assert keras.optimizers.Adagrad(0.1, 1e-3, 0.5).get_config()["decay"] == pytest.approx(0.5)


def test_lr_is_accepted_without_a_deprecation_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optimizer = keras.optimizers.SGD(lr=0.5, decay=1e-3, clipnorm=1.0)
    assert optimizer.get_config()["learning_rate"] == pytest.approx(0.5)
    assert keras.backend.get_value(optimizer.lr) == pytest.approx(0.5)


@pytest.mark.parametrize(
    "call, error, text",
    [
        (
            lambda: keras.optimizers.Adam(lr=0.1, foo=1),
            TypeError,
            "Unexpected keyword argument passed to optimizer: foo",
        ),
        (lambda: keras.optimizers.SGD(0.1, 0.1, 0.1, True, 5), TypeError, "at most 4 positional"),
        (lambda: keras.optimizers.SGD(0.1, lr=0.2), TypeError, "multiple values for argument 'lr'"),
        (
            lambda: keras.optimizers.SGD(lr=0.1, learning_rate=0.2),
            TypeError,
            "both `lr` and `learning_rate`",
        ),
    ],
)
def test_bad_arguments(call, error, text):
    with pytest.raises(error, match=text.replace("(", r"\(").replace("`", ".")):
        call()


def test_lower_case_aliases_and_types():
    assert keras.optimizers.adam is keras.optimizers.Adam
    assert keras.optimizers.sgd is keras.optimizers.SGD
    import tf_keras

    assert isinstance(keras.optimizers.Adam(), tf_keras.optimizers.legacy.Adam)
    assert type(keras.optimizers.Adam()).__name__ == "Adam"
