"""`tf.data.Dataset` inputs on the Keras 2 surface against tf-keras's eager engine (tf.keras
2.x, where such code comes from): fit with and without `steps_per_epoch`, infinite datasets,
dataset validation with and without `validation_steps`, evaluate and predict. Same scenario
source under both, same initial weights."""

import numpy as np
import pytest

import oracles

SCENARIO = """
import warnings
r = np.random.RandomState(0)
X = r.rand(20, 3).astype('float32')
Y = (X.sum(1, keepdims=True) > 1.5).astype('float32')
def model():
    i = keras.Input((3,))
    o = keras.layers.Dense(1, activation='sigmoid',
                           kernel_initializer=keras.initializers.Constant(0.2))(i)
    m = keras.Model(i, o)
    m.compile(keras.optimizers.SGD(0.5), 'binary_crossentropy', metrics=['accuracy'])
    return m
def history(h):
    return {k: [round(float(v), 6) for v in vals] for k, vals in h.history.items()}
ds = tf.data.Dataset.from_tensor_slices((X, Y)).batch(5)
m = model()
passes = history(m.fit(ds, epochs=2, verbose=0, validation_data=ds))
repeated = history(m.fit(ds.repeat(), steps_per_epoch=3, epochs=2, verbose=0,
                         validation_data=ds, validation_steps=2))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter('always')
    short = history(model().fit(ds, steps_per_epoch=3, epochs=3, verbose=0))
result = {'passes': passes, 'repeated': repeated, 'short_epochs': len(short['loss']),
          'ran_out': any('ran out of data' in str(w.message) for w in caught),
          'evaluate': [float(v) for v in m.evaluate(ds, verbose=0)],
          'evaluate_steps': [float(v) for v in m.evaluate(ds.repeat(), steps=2, verbose=0)],
          'predict': m.predict(ds.map(lambda x, y: x), verbose=0).tolist(),
          'predict_pairs': m.predict(ds, verbose=0).tolist()}
"""

ERRORS = """
ds = tf.data.Dataset.from_tensor_slices((np.ones((4, 3), 'float32'),
                                         np.ones((4, 1), 'float32'))).batch(2)
i = keras.Input((3,)); m = keras.Model(i, keras.layers.Dense(1)(i)); m.compile('sgd', 'mse')
def error(fn):
    try:
        fn()
    except ValueError as e:
        return str(e)
result = {'infinite': error(lambda: m.fit(ds.repeat(), epochs=1, verbose=0)),
          'y': error(lambda: m.fit(ds, np.ones((4, 1)), verbose=0))}
"""


@pytest.fixture(scope="module")
def runs():
    scenarios = {"tf_data": SCENARIO, "errors": ERRORS}
    return {oracle: oracles.run(oracle, scenarios) for oracle in ("tv2", "compatkeras")}


def test_datasets_train_evaluate_and_predict_as_in_tf_keras(runs):
    expected = oracles.value(runs["tv2"], "tf_data")
    got = oracles.value(runs["compatkeras"], "tf_data")
    for key in ("passes", "repeated"):
        assert list(got[key]) == list(expected[key])
        for name in expected[key]:
            np.testing.assert_allclose(got[key][name], expected[key][name], rtol=1e-5, atol=1e-6)
    for key in ("evaluate", "evaluate_steps", "predict", "predict_pairs"):
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-5, atol=1e-6)
    assert got["short_epochs"] == expected["short_epochs"] == 2
    assert got["ran_out"]  # a warning here; tf-keras writes it to its log


def test_dataset_errors_name_the_argument(runs):
    got = oracles.value(runs["compatkeras"], "errors")
    assert "`steps_per_epoch`" in got["infinite"]
    assert got["y"] == "`y` argument is not supported when using dataset as input."
