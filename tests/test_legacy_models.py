"""compatkeras.legacy.models: `.h5` files written by compatkeras are read back by real tf-keras
and by Keras 3's legacy loader (one subprocess each), with the Keras 2 training config."""

import json
import warnings

import h5py
import numpy as np
import pytest

import compatkeras as keras

import oracles

X = np.eye(3, dtype="float32")[[0, 1, 2, 1]]
Y = np.eye(2, dtype="float32")[[0, 1, 0, 1]]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    inp = keras.Input((3,), name="inp")
    out = keras.layers.Dense(2, activation="softmax", name="out")(inp)
    model = keras.Model(inp, out)
    model.compile(
        keras.optimizers.SGD(lr=0.1, decay=0.01),
        "categorical_crossentropy",
        metrics=["acc"],
        sample_weight_mode=None,
    )
    model.fit(X, Y, batch_size=2, epochs=2, verbose=0)
    path = str(tmp_path_factory.mktemp("h5") / "model.h5")
    model.save(path)
    return path, model.predict(X).tolist()


def test_training_config_is_keras2s(saved):
    with h5py.File(saved[0], "r") as f:
        config = json.loads(f.attrs["training_config"])
        assert "optimizer_weights" in f
    assert config["loss"] == "categorical_crossentropy"
    assert config["metrics"] == ["acc"]
    assert config["sample_weight_mode"] is None
    assert config["optimizer_config"]["config"]["decay"] == pytest.approx(0.01)
    assert config["optimizer_config"]["config"]["learning_rate"] == pytest.approx(0.1)


LOAD = """
m = keras.models.load_model({path!r})
result = {{'predictions': m.predict(np.eye(3, dtype='float32')[[0, 1, 2, 1]], verbose=0).tolist(),
           'optimizer': type(m.optimizer).__name__,
           'iterations': int(m.optimizer.iterations.numpy())}}
"""


@pytest.mark.parametrize("oracle", ["tv2", "keras3"])
def test_tf_keras_and_keras3_read_it(saved, oracle):
    path, predictions = saved
    result = oracles.value(oracles.run(oracle, {"load": LOAD.format(path=path)}), "load")
    np.testing.assert_allclose(result["predictions"], predictions, rtol=1e-6, atol=1e-6)
    assert result["optimizer"] == "SGD"
    if oracle == "tv2":  # tf-keras restores the optimizer state: 2 epochs of 2 batches
        assert result["iterations"] == 4


def _model(optimizer):
    inp = keras.Input((3,), name="inp")
    hidden = keras.layers.Dense(
        4, activation="tanh", kernel_initializer="glorot_uniform", name="hidden"
    )(inp)
    model = keras.Model(inp, keras.layers.Dense(1, name="out")(hidden))
    model.compile(optimizer, "mse", metrics=["mae"])
    return model


DATA_X = np.random.RandomState(1).uniform(size=(16, 3)).astype("float32")
DATA_Y = DATA_X.sum(axis=1, keepdims=True)


@pytest.mark.parametrize(
    "make_optimizer",
    [
        lambda: keras.optimizers.SGD(lr=0.05, decay=0.1, momentum=0.9),
        lambda: keras.optimizers.Adam(lr=0.01, decay=1e-3),
    ],
    ids=["sgd-decay", "adam"],
)
def test_training_continues_where_it_stopped(tmp_path, make_optimizer):
    import tensorflow as tf

    tf.random.set_seed(0)
    uninterrupted = _model(make_optimizer())
    initial = uninterrupted.get_weights()
    uninterrupted.fit(DATA_X, DATA_Y, batch_size=4, epochs=5, shuffle=False, verbose=0)

    first = _model(make_optimizer())
    first.set_weights(initial)
    first.fit(DATA_X, DATA_Y, batch_size=4, epochs=3, shuffle=False, verbose=0)
    path = str(tmp_path / "checkpoint.h5")
    first.save(path)
    resumed = keras.models.load_model(path)
    assert isinstance(resumed, keras.legacy.Model)
    assert resumed.metrics_names == ["loss", "mae"]
    assert int(resumed.optimizer.iterations.numpy()) == 12
    resumed.fit(DATA_X, DATA_Y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    for got, want in zip(resumed.get_weights(), uninterrupted.get_weights(), strict=True):
        np.testing.assert_allclose(got, want, atol=1e-6)


def test_keras_2_2_4_style_file_loads_and_trains(tmp_path):
    """A fixture in Keras 2.2.4's style: written by compatkeras, then given 2.2.4's attributes
    with h5py (keras_version, `lr` in the optimizer config, 'acc', sample_weight_mode null)."""
    model = _model(keras.optimizers.Adam(lr=0.003, decay=1e-4))
    model.fit(DATA_X, DATA_Y, epochs=1, verbose=0)
    path = str(tmp_path / "old.h5")
    model.save(path)
    with h5py.File(path, "r+") as f:
        f.attrs["keras_version"] = b"2.2.4"
        config = json.loads(f.attrs["training_config"])
        optimizer = config["optimizer_config"]["config"]
        optimizer["lr"] = optimizer.pop("learning_rate")
        config.update(metrics=["acc"], sample_weight_mode=None, loss="mean_squared_error")
        f.attrs["training_config"] = json.dumps(config).encode("utf-8")
    loaded = keras.models.load_model(path)
    assert float(loaded.optimizer.lr) == pytest.approx(0.003)
    assert float(loaded.optimizer.decay) == pytest.approx(1e-4)
    assert loaded.metrics_names == ["loss", "acc"]
    history = loaded.fit(DATA_X, DATA_Y, epochs=2, verbose=0)
    assert history.history["loss"][1] < history.history["loss"][0]


def test_lambda_bytecode_loads_as_in_keras_2_with_a_warning_and_safe_mode_refuses(tmp_path):
    inp = keras.Input((3,))
    model = keras.Model(inp, keras.layers.Lambda(lambda t: t * 2, name="doubler")(inp))
    path = str(tmp_path / "lambda.h5")
    model.save(path)
    with pytest.warns(UserWarning, match=r"Lambda layer\(s\) \['doubler'\].*safe_mode=True"):
        loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(np.ones((1, 3))), [[2, 2, 2]])
    with pytest.raises(ValueError, match=r"Lambda layer\(s\) \['doubler'\].*safe_mode=False"):
        keras.models.load_model(path, safe_mode=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = keras.models.load_model(path, safe_mode=False)
    np.testing.assert_allclose(loaded.predict(np.ones((1, 3))), [[2, 2, 2]])


@pytest.mark.parametrize("content", [b"not an hdf5 file", None], ids=["text", "truncated"])
def test_unreadable_files_name_the_path(tmp_path, saved, content):
    path = tmp_path / "broken.h5"
    if content is None:  # the first half of a real model file
        data = open(saved[0], "rb").read()
        content = data[: len(data) // 2]
    path.write_bytes(content)
    with pytest.raises(ValueError, match=f"Cannot load a Keras model from '{path}'"):
        keras.models.load_model(str(path))


def test_keras_2_2_4_rmsprop_state_without_iterations(tmp_path):
    """Keras 2.2.4's RMSprop (like Adagrad and Adadelta) saved its accumulators but not the
    iteration count; the accumulators must still be restored."""
    model = _model(keras.optimizers.RMSprop(lr=0.01))
    model.fit(DATA_X, DATA_Y, batch_size=4, epochs=2, verbose=0)
    state = [w.numpy() for w in model.optimizer.weights]
    path = str(tmp_path / "rmsprop.h5")
    model.save(path)
    with h5py.File(path, "r+") as f:
        group = f["optimizer_weights"]
        names = [
            n.decode("utf-8") if hasattr(n, "decode") else n for n in group.attrs["weight_names"]
        ]
        assert "iter" in names[0]
        del group[names[0]]
        group.attrs["weight_names"] = [n.encode("utf-8") for n in names[1:]]
    with pytest.warns(UserWarning, match="no iteration count"):
        loaded = keras.models.load_model(path)
    restored = [w.numpy() for w in loaded.optimizer.weights]
    assert int(restored[0]) == 0
    for got, want in zip(restored[1:], state[1:], strict=True):
        np.testing.assert_allclose(got, want)


def test_optimizer_state_that_does_not_fit_names_the_path(tmp_path):
    model = _model(keras.optimizers.Adam(lr=0.01))
    model.fit(DATA_X, DATA_Y, batch_size=4, epochs=1, verbose=0)
    path = str(tmp_path / "adam.h5")
    model.save(path)
    with h5py.File(path, "r+") as f:
        group = f["optimizer_weights"]
        names = [
            n.decode("utf-8") if hasattr(n, "decode") else n for n in group.attrs["weight_names"]
        ]
        for name in names[1:3]:
            del group[name]
        group.attrs["weight_names"] = [n.encode("utf-8") for n in [names[0], *names[3:]]]
    with pytest.raises(ValueError, match="does not fit Adam.*compile=False"):
        keras.models.load_model(path)


def test_keras_2s_private_function_builders_exist():
    """Serving code calls `model._make_predict_function()` before handing the model to threads,
    training code `_make_train_function()`; Keras 2.2.4 needed a compiled model for the train
    and test builders only."""
    model = keras.Sequential([keras.layers.Dense(2, input_shape=(3,))])
    model._make_predict_function()
    with pytest.raises(RuntimeError, match="compile"):
        model._make_test_function()
    model.compile("sgd", "mse")
    model._make_train_function()
    model._make_test_function()
    assert model.predict(np.ones((1, 3))).shape == (1, 2)
