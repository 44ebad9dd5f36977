"""tf.keras 2.x's additions to the Keras 2 model API on the Keras 2 surface, against tf-keras's
eager engine (TV2): `return_dict=True`, `callbacks=` on evaluate/predict, and the progress bars
of fit, evaluate, predict and the generator methods (text equal apart from timings). Under the
keras-2.2 flavor, the arguments Keras 2.2.4 did not have raise its TypeError."""

import re

import numpy as np
import pytest

import oracles

COMMON = """
import contextlib, io
r = np.random.RandomState(0)
X = r.rand(40, 3).astype('float32')
Y = (X.sum(1, keepdims=True) > 1.5).astype('float32')
def model():
    i = keras.Input((3,))
    o = keras.layers.Dense(1, activation='sigmoid',
                           kernel_initializer=keras.initializers.Constant(0.3))(i)
    m = keras.Model(i, o)
    m.compile(keras.optimizers.SGD(0.1), 'binary_crossentropy', metrics=['accuracy'])
    return m
def printed(f):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        f()
    return buf.getvalue()
def gen():
    while True:
        yield X[:8], Y[:8]
class Seen(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.events = []
    def on_test_batch_end(self, batch, logs=None):
        self.events.append(('test', batch))
    def on_predict_batch_end(self, batch, logs=None):
        self.events.append(('predict', batch))
"""

SCENARIOS = {
    "return_dict": """
m = model()
result = {'evaluate': m.evaluate(X, Y, batch_size=16, verbose=0, return_dict=True),
          'train_on_batch': m.train_on_batch(X, Y, return_dict=True),
          'test_on_batch': m.test_on_batch(X, Y, return_dict=True),
          'list': m.evaluate(X, Y, batch_size=16, verbose=0)}
""",
    "callbacks on evaluate and predict": """
m = model(); seen = Seen()
m.evaluate(X, Y, batch_size=16, verbose=0, callbacks=[seen])
m.predict(X, batch_size=16, callbacks=[seen])
result = seen.events
""",
    "bars": """
m = model()
ds = tf.data.Dataset.from_tensor_slices((X, Y)).batch(16)
result = {
    'fit': printed(lambda: m.fit(X, Y, batch_size=16, epochs=2, verbose=1, shuffle=False)),
    'fit verbose 2': printed(lambda: m.fit(X, Y, batch_size=16, epochs=1, verbose=2,
                                           shuffle=False, validation_split=0.25)),
    'evaluate': printed(lambda: m.evaluate(X, Y, batch_size=16, verbose=1)),
    'predict': printed(lambda: m.predict(X, batch_size=16, verbose=1)),
    'fit_generator': printed(lambda: m.fit_generator(gen(), 3, epochs=1, verbose=1)),
    'evaluate_generator': printed(lambda: m.evaluate_generator(gen(), 3, verbose=1)),
    'predict_generator': printed(lambda: m.predict_generator(gen(), 3, verbose=1)),
    'evaluate dataset': printed(lambda: m.evaluate(ds, verbose=1)),
}
""",
}

_TIMING = re.compile(r"(ETA: )?\b\d+(\.\d+)?(s|ms|us)(/step|/sample|/epoch)?\b")


def final_lines(text):
    """What stays on the terminal: each line's text after its last carriage return, with
    timings blanked (tf-keras skips intermediate updates by the clock, so only final lines
    are comparable)."""
    lines = [line.split("\r")[-1].replace("\b", "") for line in text.split("\n") if line]
    return [_TIMING.sub("T", line) for line in lines]


@pytest.fixture(scope="module")
def runs():
    scenarios = {name: COMMON + source for name, source in SCENARIOS.items()}
    return {oracle: oracles.run(oracle, scenarios) for oracle in ("tv2", "compatkeras")}


def test_return_dict_gives_tf_keras_dicts(runs):
    expected = oracles.value(runs["tv2"], "return_dict")
    got = oracles.value(runs["compatkeras"], "return_dict")
    assert list(got) == list(expected)
    for key in expected:
        if isinstance(expected[key], dict):
            assert list(got[key]) == list(expected[key])
            np.testing.assert_allclose(list(got[key].values()), list(expected[key].values()), 1e-6)
        else:
            np.testing.assert_allclose(got[key], expected[key], 1e-6)


def test_evaluate_and_predict_call_their_callbacks(runs):
    expected = oracles.value(runs["tv2"], "callbacks on evaluate and predict")
    got = oracles.value(runs["compatkeras"], "callbacks on evaluate and predict")
    assert (
        got
        == expected
        == [["test", 0], ["test", 1], ["test", 2]] + [["predict", i] for i in range(3)]
    )


@pytest.mark.parametrize(
    "method",
    [
        "fit",
        "fit verbose 2",
        "evaluate",
        "predict",
        "fit_generator",
        "evaluate_generator",
        "predict_generator",
        "evaluate dataset",
    ],
)
def test_progress_bars_print_tf_keras_text(runs, method):
    expected = final_lines(oracles.value(runs["tv2"], "bars")[method])
    got = final_lines(oracles.value(runs["compatkeras"], "bars")[method])
    assert expected, "the oracle printed nothing"
    assert got == expected


KERAS_2_2_REFUSED = {
    "evaluate return_dict": "model().evaluate(X, Y, verbose=0, return_dict=True)",
    "train_on_batch return_dict": "model().train_on_batch(X, Y, return_dict=True)",
    "evaluate callbacks": "model().evaluate(X, Y, verbose=0, callbacks=[Seen()])",
    "predict callbacks": "model().predict(X, callbacks=[Seen()])",
}


def test_keras_2_2_flavor_refuses_what_keras_2_2_4_did_not_have():
    results = oracles.run(
        "compatkeras-2.2", {name: COMMON + src for name, src in KERAS_2_2_REFUSED.items()}
    )
    for name in KERAS_2_2_REFUSED:
        assert results[name].get("error") == "TypeError", (name, results[name])
        assert "unexpected keyword argument" in results[name]["message"]


MIXED = {
    "mixed_float16": """
keras.mixed_precision.set_global_policy('mixed_float16')
try:
    i = keras.Input((3,))
    h = keras.layers.Dense(4, activation='relu',
                           kernel_initializer=keras.initializers.Constant(0.3))(i)
    o = keras.layers.Dense(1, activation='sigmoid', dtype='float32',
                           kernel_initializer=keras.initializers.Constant(0.2))(h)
    m = keras.Model(i, o)
    m.compile(keras.optimizers.SGD(0.1), 'binary_crossentropy', metrics=['accuracy'])
    h = m.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    result = {'loss': h.history['loss'], 'optimizer': type(m.optimizer).__name__,
              'compute': m.layers[1].compute_dtype, 'variable': m.layers[1].dtype,
              'scale': float(m.optimizer.loss_scale),
              'weights': [w.tolist() for w in m.get_weights()]}
finally:
    keras.mixed_precision.set_global_policy('float32')
""",
}


def test_a_mixed_float16_model_trains_as_in_tf_keras():
    scenarios = {name: COMMON + src for name, src in MIXED.items()}
    expected = oracles.value(oracles.run("tv2", scenarios), "mixed_float16")
    got = oracles.value(oracles.run("compatkeras", scenarios), "mixed_float16")
    # Keras 2's SGD is tf-keras's legacy optimizer, so the wrapper is the legacy one too.
    assert expected["optimizer"].startswith("LossScaleOptimizer")
    assert got["optimizer"].startswith("LossScaleOptimizer")
    assert (got["compute"], got["variable"]) == ("float16", "float32")
    assert got["scale"] == expected["scale"]
    np.testing.assert_allclose(got["loss"], expected["loss"], rtol=1e-6)
    for mine, theirs in zip(got["weights"], expected["weights"], strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-6, atol=1e-7)


def test_tf_keras_2_1_experimental_names():
    import compatkeras as keras

    exp = keras.mixed_precision.experimental
    assert exp.Policy("mixed_float16").compute_dtype == "float16"
    with pytest.warns(UserWarning, match="initial_scale=128"):
        exp.Policy("mixed_float16", loss_scale=128)
    fixed = exp.LossScaleOptimizer(keras.optimizers.SGD(0.1), loss_scale=128)
    assert (fixed.dynamic, float(fixed.loss_scale)) == (False, 128.0)
    with pytest.raises(ValueError, match="loss_scale"):
        exp.LossScaleOptimizer(keras.optimizers.SGD(0.1), loss_scale="static")


def test_validation_freq_and_validation_batch_size_as_tf_keras():
    """tf.keras 2.x's `fit(validation_freq=..., validation_batch_size=...)`: an int N validates
    every N-th epoch, a list the (1-based) epochs in it; Keras 2.2.4 had neither (TypeError)."""
    import compatkeras as keras

    x = np.random.RandomState(0).rand(20, 3).astype("float32")
    y = x.sum(1, keepdims=True)
    sizes = []

    class Rows(keras.layers.Layer):
        def call(self, inputs):
            if inputs.shape[0] is not None:  # not while the model is built
                sizes.append(int(inputs.shape[0]))
            return inputs

    model = keras.Sequential([keras.layers.Dense(1, input_shape=(3,)), Rows()])
    model.compile("sgd", "mse", run_eagerly=True)
    history = model.fit(x, y, epochs=4, validation_data=(x, y), validation_freq=2, verbose=0)
    assert len(history.history["val_loss"]) == 2 and len(history.history["loss"]) == 4
    sizes.clear()
    history = model.fit(
        x,
        y,
        epochs=3,
        batch_size=20,
        validation_data=(x, y),
        validation_freq=[1, 3],
        validation_batch_size=5,
        verbose=0,
    )
    assert len(history.history["val_loss"]) == 2
    assert sizes == [20, 5, 5, 5, 5, 20, 20, 5, 5, 5, 5]  # validated after epochs 1 and 3
    with pytest.raises(ValueError, match="validation_freq"):
        model.fit(x, y, validation_data=(x, y), validation_freq=0, verbose=0)
    with keras.legacy.flavor("keras-2.2"):
        with pytest.raises(TypeError, match="validation_freq"):
            model.fit(x, y, validation_data=(x, y), validation_freq=2, verbose=0)


def test_run_eagerly_set_after_compile_takes_effect():
    import tensorflow as tf

    import compatkeras as keras

    modes = []

    class Probe(keras.layers.Layer):
        def call(self, x):
            modes.append(tf.executing_eagerly())
            return x

    model = keras.Sequential([keras.layers.Dense(2, input_shape=(3,)), Probe()])
    model.compile("sgd", "mse")
    model.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)
    assert not modes[-1] and not model.run_eagerly
    model.run_eagerly = True
    model.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)
    assert modes[-1] and model.run_eagerly


def test_run_eagerly_set_after_compile_reaches_a_models_own_train_step():
    import tensorflow as tf

    import compatkeras as keras

    modes = []

    class Own(keras.Model):
        def train_step(self, data):
            modes.append(tf.executing_eagerly())
            return super().train_step(data)

    inp = keras.layers.Input((3,))
    model = Own(inp, keras.layers.Dense(1)(inp))
    model.compile("sgd", "mse")
    model.fit(np.ones((4, 3)), np.ones((4, 1)), verbose=0)
    assert not any(modes)
    model.run_eagerly = True
    model.fit(np.ones((4, 3)), np.ones((4, 1)), verbose=0)
    assert modes[-1] is True
