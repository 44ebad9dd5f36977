"""compatkeras.legacy.flavors: the switch, when it is read, and what each flavor changes."""

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
import tf_keras

import compatkeras as keras
from compatkeras.legacy import flavors

X4 = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], "float32")
Y4 = np.array([[2], [1], [0], [1]], "float32")


def lin3():
    inp = keras.Input((3,))
    return keras.Model(inp, keras.layers.Dense(1, use_bias=False, kernel_initializer="ones")(inp))


@pytest.fixture(autouse=True)
def default_flavor():
    yield
    flavors._default = None


def test_default_set_and_nested_context():
    assert keras.legacy.get_flavor() == "tf.keras"
    keras.legacy.set_flavor("keras-2.2")
    assert keras.legacy.get_flavor() == "keras-2.2"
    with keras.legacy.flavor("tf.keras"):
        assert keras.legacy.get_flavor() == "tf.keras"
        with keras.legacy.flavor("keras-2.2"):
            assert keras.legacy.get_flavor() == "keras-2.2"
        assert keras.legacy.get_flavor() == "tf.keras"
    assert keras.legacy.get_flavor() == "keras-2.2"


def test_context_is_restored_after_an_error():
    with pytest.raises(RuntimeError), keras.legacy.flavor("keras-2.2"):
        raise RuntimeError
    assert keras.legacy.get_flavor() == "tf.keras"


@pytest.mark.parametrize(
    ("value", "expected"), [("keras-2.2", "keras-2.2"), ("tf.keras", "tf.keras")]
)
def test_environment_variable(value, expected):
    probe = "import compatkeras.legacy.flavors as f; print(f.get_flavor())"
    env = dict(os.environ, COMPATKERAS_FLAVOR=value)
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == expected


def test_bad_environment_variable_names_it():
    probe = "import compatkeras.legacy.flavors as f; f.get_flavor()"
    env = dict(os.environ, COMPATKERAS_FLAVOR="keras-1")
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert out.returncode != 0
    assert "the environment variable COMPATKERAS_FLAVOR must be one of" in out.stderr


def test_flavor_is_read_at_compile_time_per_model():
    weights = np.array([1, 0, 0, 0], "float32")
    with keras.legacy.flavor("keras-2.2"):
        old = lin3()
        old.compile("sgd", "mse", metrics=["accuracy", "mae"])
    new = lin3()
    new.compile("sgd", "mse", metrics=["accuracy", "mae"])
    # Legacy spec O2: Keras 2.2.4 divides by the count of non-zero weights, tf.keras by N.
    assert old.evaluate(X4, Y4, sample_weight=weights, verbose=0)[0] == pytest.approx(1.0)
    assert new.evaluate(X4, Y4, sample_weight=weights, verbose=0)[0] == pytest.approx(0.25)
    assert old.metrics_names == ["loss", "acc", "mean_absolute_error"]
    assert new.metrics_names == ["loss", "accuracy", "mae"]


@pytest.mark.parametrize(
    ("name", "keras22", "tf_keras_default"),
    [
        ("sgd", 0.01, 0.01),
        ("adagrad", 0.01, 0.001),
        ("adadelta", 1.0, 0.001),
        ("adamax", 0.002, 0.001),
        ("nadam", 0.002, 0.001),
    ],
)
def test_string_optimizer_default_learning_rates(name, keras22, tf_keras_default):
    with keras.legacy.flavor("keras-2.2"):
        old = keras.optimizers.get(name)
    new = keras.optimizers.get(name)
    assert float(old.learning_rate) == pytest.approx(keras22)
    assert float(new.learning_rate) == pytest.approx(tf_keras_default)


def test_class_weight_ignored_with_a_warning_in_keras22():
    with keras.legacy.flavor("keras-2.2"):
        model = lin3()
        model.compile("sgd", "mse")
        with pytest.warns(UserWarning, match="`class_weight` argument will be ignored"):
            model.fit(X4, Y4, sample_weight=np.ones(4), class_weight={0: 1, 1: 2, 2: 1}, verbose=0)


@pytest.mark.parametrize(
    ("layer", "flavor", "expected"),
    [
        ("LSTM", "tf.keras", {"recurrent_activation": "sigmoid"}),
        ("LSTM", "keras-2.2", {"recurrent_activation": "hard_sigmoid"}),
        ("GRU", "tf.keras", {"recurrent_activation": "sigmoid", "reset_after": True}),
        ("GRU", "keras-2.2", {"recurrent_activation": "hard_sigmoid", "reset_after": False}),
        ("LSTMCell", "keras-2.2", {"recurrent_activation": "hard_sigmoid"}),
        ("GRUCell", "keras-2.2", {"recurrent_activation": "hard_sigmoid", "reset_after": False}),
    ],
)
def test_rnn_defaults_follow_the_flavor(layer, flavor, expected):
    with keras.legacy.flavor(flavor):
        config = getattr(keras.layers, layer)(4).get_config()
    assert {k: config[k] for k in expected} == expected


def test_explicit_rnn_arguments_win_by_keyword_and_position():
    with keras.legacy.flavor("keras-2.2"):
        assert keras.layers.GRU(4, reset_after=True).reset_after is True
        assert (
            keras.layers.LSTM(4, "tanh", "sigmoid").recurrent_activation
            is tf_keras.activations.sigmoid
        )


def test_keras22_lstm_computes_what_tf_keras_computes_with_those_arguments():
    x = np.random.RandomState(0).uniform(-1, 1, (2, 5, 3)).astype("float32")
    with keras.legacy.flavor("keras-2.2"):
        ours = keras.layers.LSTM(4, return_sequences=True)
    reference = tf_keras.layers.LSTM(4, recurrent_activation="hard_sigmoid", return_sequences=True)
    ours.build(x.shape)
    reference.build(x.shape)
    reference.set_weights(ours.get_weights())
    np.testing.assert_allclose(ours(x).numpy(), reference(x).numpy(), atol=1e-6)


def test_temporal_class_weight_on_one_hot_targets():
    """Beyond Keras 2 (keras#16674): with sample_weight_mode="temporal", class_weight weights each
    timestep of a one-hot 3-D target by its class, exactly as the equivalent 2-D weights would."""
    rng = np.random.RandomState(1)
    x = rng.uniform(size=(3, 4, 2)).astype("float32")
    y = np.eye(2, dtype="float32")[rng.randint(0, 2, size=(3, 4))]
    class_weight = {0: 1.0, 1: 3.0}
    explicit = np.vectorize(class_weight.get)(y.argmax(-1)).astype("float32")

    def model():
        inp = keras.Input((4, 2))
        out = keras.layers.TimeDistributed(
            keras.layers.Dense(2, activation="softmax", kernel_initializer="ones")
        )(inp)
        m = keras.Model(inp, out)
        m.compile(
            keras.optimizers.SGD(0.1), "categorical_crossentropy", sample_weight_mode="temporal"
        )
        return m

    a, b = model(), model()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss_a = a.fit(
            x, y, class_weight=class_weight, batch_size=3, epochs=2, shuffle=False, verbose=0
        )
    loss_b = b.fit(x, y, sample_weight=explicit, batch_size=3, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(loss_a.history["loss"], loss_b.history["loss"], rtol=1e-6, atol=1e-6)
    unweighted = model().evaluate(x, y, verbose=0)
    assert loss_a.history["loss"][0] != pytest.approx(unweighted)


def _frozen_bn_model():
    inp = keras.layers.Input((3,))
    bn = keras.layers.BatchNormalization(epsilon=1e-3)
    out = keras.layers.Dense(1, use_bias=False, kernel_initializer="ones")(bn(inp))
    model = keras.models.Model(inp, out)
    bn.trainable = False
    model.compile(keras.optimizers.SGD(0.0), "mse")
    return model, bn


@pytest.mark.parametrize("flavor", ["keras-2.2", "tf.keras"])
def test_a_frozen_batch_normalization_follows_the_flavor(flavor):
    """Keras 2.2.4 (formula here): a frozen BatchNormalization normalizes a training step with
    the batch's statistics and does not update its moving ones; tf-keras (TV1 too) runs it in
    inference mode, with the moving statistics (mean 0, variance 1 at the start)."""
    x = np.random.RandomState(0).randn(8, 3).astype("float32") * 2 + 3
    y = np.zeros((8, 1), "float32")
    with keras.legacy.flavor(flavor):
        model, bn = _frozen_bn_model()
    before = [w.copy() for w in bn.get_weights()]
    loss = model.fit(x, y, batch_size=8, epochs=1, verbose=0).history["loss"][0]
    if flavor == "keras-2.2":
        normalized = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3)
    else:
        normalized = x / np.sqrt(1 + 1e-3)
    assert loss == pytest.approx(float(np.mean(normalized.sum(1) ** 2)), rel=1e-4)
    for a, b in zip(before, bn.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)  # the moving statistics did not move
    # At inference both use the moving statistics.
    np.testing.assert_allclose(
        model.predict(x), (x / np.sqrt(1 + 1e-3)).sum(1, keepdims=True), rtol=1e-5
    )


def test_a_trainable_batch_normalization_still_updates_under_keras_2_2():
    x = np.random.RandomState(1).randn(8, 3).astype("float32") + 4
    with keras.legacy.flavor("keras-2.2"):
        inp = keras.layers.Input((3,))
        bn = keras.layers.BatchNormalization()
        model = keras.models.Model(inp, bn(inp))
        model.compile("sgd", "mse")
    model.fit(x, np.zeros_like(x), batch_size=8, epochs=1, verbose=0)
    assert not np.allclose(bn.moving_mean.numpy(), 0.0)


_EPS = np.float32(1e-7)


def _k224_categorical(y, p):
    """Keras 2.2.4's formula (its tensorflow_backend.py), in numpy float32."""
    q = np.clip(p / p.sum(-1, keepdims=True), _EPS, 1 - _EPS)
    return float(np.mean(-np.sum(y * np.log(q), -1)))


def _k224_sparse(labels, p):
    logp = np.log(np.clip(p, _EPS, 1 - _EPS))  # then softmax crossentropy on these "logits"
    logp = logp - np.log(np.exp(logp).sum(-1, keepdims=True))
    return float(np.mean(-logp[np.arange(len(p)), labels]))


def _k224_binary(y, p):
    c = np.clip(p, _EPS, 1 - _EPS)
    z = np.log(c / (1 - c))
    return float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))


@pytest.mark.parametrize("flavor", ["keras-2.2", "tf.keras"])
def test_crossentropies_of_saturated_outputs_follow_the_flavor(flavor):
    """Keras 2.2.4 computed crossentropies on clipped probabilities; tf-keras (TV1 too) on the
    output layer's logits: a confident wrong prediction costs 16.12 or its logit difference."""
    x = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]], "float32")
    y = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 0.0]], "float32")
    kernel = keras.initializers.Constant([[30.0, -30.0], [2.0, -1.0]])
    with keras.legacy.flavor(flavor):
        inp = keras.layers.Input((2,))
        softmax = keras.models.Model(
            inp, keras.layers.Dense(2, activation="softmax", kernel_initializer=kernel)(inp)
        )
        sigmoid = keras.models.Model(
            inp, keras.layers.Dense(2, activation="sigmoid", kernel_initializer=kernel)(inp)
        )
        losses = {}
        for name, model, target in (
            ("categorical", softmax, y),
            ("sparse", softmax, y.argmax(-1)),
            ("binary", sigmoid, y),
        ):
            loss = "sparse_categorical" if name == "sparse" else name
            model.compile(keras.optimizers.SGD(0.0), f"{loss}_crossentropy")
            losses[name] = model.evaluate(x, target, verbose=0)
    p_soft, p_sig = softmax.predict(x), sigmoid.predict(x)
    expected = {
        "categorical": _k224_categorical(y, p_soft),
        "sparse": _k224_sparse(y.argmax(-1), p_soft),
        "binary": _k224_binary(y, p_sig),
    }
    for name, value in losses.items():
        if flavor == "keras-2.2":
            assert value == pytest.approx(expected[name], rel=1e-4), name
        else:
            assert value > expected[name] + 1, name  # the logits: beyond 2.2.4 clip
    # K's functions called directly follow the flavor active when they run.
    with keras.legacy.flavor(flavor):
        direct = keras.backend.categorical_crossentropy(y, softmax(x)).numpy()
    assert (np.max(direct) < 17) == (flavor == "keras-2.2")


@pytest.mark.parametrize("flavor", ["keras-2.2", "tf.keras"])
def test_hinge_losses_read_0_1_labels_as_the_flavor_did(flavor):
    """Keras 2.2.4's hinge used the labels as given; tf-keras turns 0/1 labels into -1/1."""
    x = np.array([[1.0, 0.0], [0.0, 1.0]], "float32")
    y = np.array([[0.0, 1.0], [1.0, 0.0]], "float32")
    kernel = keras.initializers.Constant([[0.3, -0.2], [-0.5, 0.4]])
    results = {}
    for name in ("hinge", "squared_hinge"):
        with keras.legacy.flavor(flavor):
            inp = keras.layers.Input((2,))
            model = keras.models.Model(inp, keras.layers.Dense(2, kernel_initializer=kernel)(inp))
            model.compile(keras.optimizers.SGD(0.0), name)
        results[name] = model.evaluate(x, y, verbose=0)
    p = x @ np.array([[0.3, -0.2], [-0.5, 0.4]], "float32")
    labels = y if flavor == "keras-2.2" else 2 * y - 1
    margin = np.maximum(1 - labels * p, 0)
    assert results["hinge"] == pytest.approx(float(margin.mean()), rel=1e-5)
    assert results["squared_hinge"] == pytest.approx(float((margin**2).mean()), rel=1e-5)


def test_a_crossentropy_metric_is_2_2_4s_under_keras_2_2():
    x = np.array([[1.0, 0.0]], "float32")
    y = np.array([[0.0, 1.0]], "float32")
    kernel = keras.initializers.Constant([[30.0, -30.0], [0.0, 0.0]])
    with keras.legacy.flavor("keras-2.2"):
        inp = keras.layers.Input((2,))
        out = keras.layers.Dense(2, activation="softmax", kernel_initializer=kernel)(inp)
        model = keras.models.Model(inp, out)
        model.compile(keras.optimizers.SGD(0.0), "mse", metrics=["categorical_crossentropy"])
    _, crossentropy = model.evaluate(x, y, verbose=0)
    assert crossentropy == pytest.approx(-np.log(1e-7), rel=1e-4)  # tf-keras: 60
    assert model.metrics_names == ["loss", "categorical_crossentropy"]
