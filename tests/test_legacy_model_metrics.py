"""tf.keras 2.x's metrics that a model updates in its own forward pass: `model.add_metric(tensor,
name=..., aggregation='mean')` on a functional model (the guide's VAE and its KL term), and a
layer's `self.add_metric(...)` in `call`. They are reported after the compiled metrics, under
their own names, in fit's history, evaluate and metrics_names. Differential: tf-keras's v1
engine with the same weights and data."""

import numpy as np
import pytest

import oracles

PROGRAM = """
import numpy as np
K = keras.backend
L = keras.layers

class Scaled(L.Layer):
    def call(self, x):
        self.add_metric(K.mean(K.abs(x)), name='mean_abs', aggregation='mean')
        return 2.0 * x

inp = L.Input((4,))
h = L.Dense(3, activation='tanh',
            kernel_initializer=keras.initializers.RandomNormal(0.0, 0.5, seed=1))(inp)
h = Scaled()(h)
out = L.Dense(1, kernel_initializer=keras.initializers.RandomNormal(0.0, 0.5, seed=2))(h)
model = keras.Model(inp, out)
model.add_loss(0.01 * K.mean(K.square(h)))
model.add_metric(K.mean(h), name='mean_h', aggregation='mean')
model.compile(SGD(0.05), 'mse', metrics=['mae'])
rng = np.random.RandomState(0)
x, y = rng.randn(24, 4).astype('float32'), rng.randn(24, 1).astype('float32')
history = model.fit(x, y, batch_size=8, epochs=3, verbose=0, shuffle=False).history
result = {'history': {k: history[k] for k in sorted(history)},
          'evaluate': model.evaluate(x, y, batch_size=8, verbose=0),
          'names': sorted(model.metrics_names)}
"""


@pytest.fixture(scope="module")
def results():
    return (
        oracles.value(oracles.run("compatkeras", {"s": PROGRAM}), "s"),
        oracles.value(oracles.run("tv1", {"s": PROGRAM}), "s"),
    )


def test_metrics_added_by_the_model_are_reported_with_tf_keras_numbers(results):
    ours, theirs = results
    assert set(ours["history"]) == {"loss", "mae", "mean_h", "mean_abs"}
    assert ours["history"].keys() == theirs["history"].keys()
    for key, values in ours["history"].items():
        np.testing.assert_allclose(values, theirs["history"][key], rtol=1e-5, err_msg=key)
    np.testing.assert_allclose(ours["evaluate"], theirs["evaluate"], rtol=1e-5)
    assert ours["names"] == theirs["names"]
