"""tf.keras 2.x's default format on the Keras 2 surface: `model.save("dir")` writes a SavedModel,
`load_model("dir")` loads it back into compatkeras's classes, compiled, with the optimizer state
(training goes on exactly as the saved model would have), and its serving signature and
`model.export` give the same predictions as tf-keras (TV2) on the same model."""

import numpy as np
import pytest

import oracles

COMMON = """
import os, tempfile
r = np.random.RandomState(0)
X = r.rand(32, 3).astype('float32')
Y = (X.sum(1, keepdims=True) > 1.5).astype('float32')
def build(kind):
    init = keras.initializers.Constant(0.2)
    if kind == 'sequential':
        m = keras.models.Sequential([
            keras.layers.Dense(4, activation='relu', input_shape=(3,), kernel_initializer=init),
            keras.layers.Dense(1, activation='sigmoid', kernel_initializer=init)])
    else:
        i = keras.Input((3,), name='features')
        h = keras.layers.Dense(4, activation='relu', kernel_initializer=init)(i)
        m = keras.Model(i, keras.layers.Dense(1, activation='sigmoid', kernel_initializer=init)(h))
    m.compile(keras.optimizers.SGD(0.1, momentum=0.9), 'binary_crossentropy',
              metrics=['accuracy'])
    return m
def round_trip(kind):
    m = build(kind)
    m.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    path = os.path.join(tempfile.mkdtemp(), 'export_dir')
    m.save(path)
    loaded = keras.models.load_model(path)
    restored = tf.saved_model.load(path)  # kept: its signature reads its variables
    served = restored.signatures['serving_default']
    served = list(served(tf.constant(X[:4])).values())[0].numpy()
    archive = os.path.join(tempfile.mkdtemp(), 'archive')
    m.export(archive)
    reloaded = tf.saved_model.load(archive)
    exported = reloaded.serve(tf.constant(X[:4])).numpy()
    return {
        'class': type(loaded).__module__ + '.' + type(loaded).__name__,
        'predict': loaded.predict(X[:4]).tolist(),
        'served': served.tolist(), 'exported': exported.tolist(),
        'iterations': int(loaded.optimizer.iterations),
        'go_on_loaded': loaded.fit(X, Y, batch_size=8, shuffle=False, verbose=0).history['loss'],
        'go_on_saved': m.fit(X, Y, batch_size=8, shuffle=False, verbose=0).history['loss'],
    }
"""

SCENARIOS = {
    "functional": "result = round_trip('functional')",
    "sequential": "result = round_trip('sequential')",
}


@pytest.fixture(scope="module")
def runs():
    scenarios = {name: COMMON + src for name, src in SCENARIOS.items()}
    return {oracle: oracles.run(oracle, scenarios) for oracle in ("tv2", "compatkeras")}


@pytest.mark.parametrize("kind", sorted(SCENARIOS))
def test_saved_model_round_trip(runs, kind):
    expected = oracles.value(runs["tv2"], kind)
    got = oracles.value(runs["compatkeras"], kind)
    cls = "Sequential" if kind == "sequential" else "Model"
    assert got["class"] == f"compatkeras.legacy.models.{cls}"
    for key in ("predict", "served", "exported"):
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(got["served"], got["predict"], rtol=1e-6)
    # The optimizer state (iterations, momentum) came back: training goes on as the saved
    # model's would. tf-keras's own loader starts a fresh optimizer (docs/deviations.md).
    assert (got["iterations"], expected["iterations"]) == (8, 0)
    np.testing.assert_allclose(got["go_on_loaded"], got["go_on_saved"], rtol=1e-6)
