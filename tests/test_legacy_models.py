"""compatkeras.legacy.models: `.h5` files written by compatkeras are read back by real tf-keras
and by Keras 3's legacy loader (one subprocess each), with the Keras 2 training config."""

import json

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
    model.compile(keras.optimizers.SGD(lr=0.1, decay=0.01), "categorical_crossentropy", metrics=["acc"],
                  sample_weight_mode=None)
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
    np.testing.assert_allclose(result["predictions"], predictions, rtol=1e-6)
    assert result["optimizer"] == "SGD"
    if oracle == "tv2":  # tf-keras restores the optimizer state: 2 epochs of 2 batches
        assert result["iterations"] == 4
