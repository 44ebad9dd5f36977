"""tf.keras 2.13+ idioms that Keras 2 programs picked up: `compile(loss=...)` without an
optimizer (tf.keras 2.x's default `"rmsprop"`), weights saved as `name.weights.h5` (tf-keras's
newer layout, picked by that suffix) and whole models as `name.keras` (found in keras-tcn's
save/reload example)."""

import os
import shutil

import numpy as np
import pytest

import oracles

DEFAULT_OPTIMIZER = """
m = lin3()
m.compile(loss='mse')
h = m.fit(X4, Y4, batch_size=2, epochs=2, shuffle=False, verbose=0)
result = {'history': h.history, 'weights': m.get_weights(),
          'optimizer': type(m.optimizer).__name__.lower()}
"""


def test_compile_without_an_optimizer_uses_rmsprop_as_tf_keras():
    ours = oracles.value(oracles.run("compatkeras", {"s": DEFAULT_OPTIMIZER}), "s")
    theirs = oracles.value(oracles.run("tv1", {"s": DEFAULT_OPTIMIZER}), "s")
    assert ours["optimizer"] == "rmsprop"
    oracles.assert_same(ours, theirs, rtol=1e-6)


def test_keras_2_2_requires_the_optimizer(keras22):
    import compatkeras as keras

    model = keras.Sequential([keras.layers.Dense(1, input_shape=(3,))])
    with pytest.raises(TypeError, match="required positional argument: 'optimizer'"):
        model.compile(loss="mse")


@pytest.fixture
def keras22():
    import compatkeras as keras

    keras.legacy.set_flavor("keras-2.2")
    yield
    keras.legacy.set_flavor("tf.keras")


def _model():
    import compatkeras as keras

    inp = keras.Input((3,))
    out = keras.layers.Dense(2, kernel_initializer=keras.initializers.Constant(0.3))(inp)
    model = keras.Model(inp, keras.layers.Dense(1)(out))
    model.compile("adam", "mse")
    model.fit(np.ones((4, 3)), np.ones((4, 1)), epochs=2, verbose=0)
    return model


def test_weights_h5_in_either_layout_loads(tmp_path):
    model = _model()
    newer = os.fspath(tmp_path / "newer.weights.h5")
    model.save_weights(newer)  # tf-keras's layout, chosen by the suffix
    keras2 = os.fspath(tmp_path / "keras2.h5")
    model.save_weights(keras2)
    renamed = os.fspath(tmp_path / "keras2.weights.h5")  # Keras 2's layout under the new suffix
    shutil.copy(keras2, renamed)
    for path in (newer, renamed):
        other = _model()
        other.load_weights(path)
        for a, b in zip(model.get_weights(), other.get_weights(), strict=True):
            np.testing.assert_array_equal(a, b)


def test_a_keras_archive_round_trips_into_our_classes(tmp_path):
    import compatkeras as keras

    model = _model()
    path = os.fspath(tmp_path / "m.keras")
    model.save(path)
    back = keras.models.load_model(path)
    assert isinstance(back, keras.Model)
    x = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_allclose(back.predict(x, verbose=0), model.predict(x, verbose=0))
    back.fit(x, np.ones((2, 1)), verbose=0)  # compiled from the archive
    keras.models.save_model(model, os.fspath(tmp_path / "again.keras"))
    assert os.path.getsize(tmp_path / "again.keras") > 0
