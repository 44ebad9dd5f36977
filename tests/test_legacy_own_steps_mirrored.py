"""Models with their own step under `tf.distribute.MirroredStrategy` (two logical CPUs), trained
on a Sequence and a generator: the engine's enqueuer reads them (tf-keras's would turn a worker's
exception into an `UnknownError` and stall at each epoch's end) and the engine splits each batch
across the replicas as a distributed dataset does (9 rows: 5 and 4). The numbers are tf-keras's
eager engine's (TV2) under the same strategy, to 1e-6."""

import numpy as np
import pytest

import oracles

SCENARIO = """
import warnings
r = np.random.RandomState(0)
X = r.rand(36, 3).astype('float32')
Y = (X.sum(1, keepdims=True) > 1.5).astype('float32')
strategy = tf.distribute.MirroredStrategy(['/cpu:0', '/cpu:1'])

class Own(keras.Model):
    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            p = self(x, training=True)
            loss = self.compiled_loss(y, p)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.compiled_metrics.update_state(y, p)
        return {m.name: m.result() for m in self.metrics}

class Batches(keras.utils.Sequence):
    def __len__(self):
        return 4
    def __getitem__(self, i):  # 9 rows a batch: replicas get 5 and 4
        return X[i * 9:(i + 1) * 9], Y[i * 9:(i + 1) * 9]

def gen():
    for i in range(4):
        yield X[i * 9:(i + 1) * 9], Y[i * 9:(i + 1) * 9]

def history(h):
    return {k: [float(v) for v in vals] for k, vals in h.history.items()}

with strategy.scope():
    i = keras.layers.Input((3,))
    o = keras.layers.Dense(1, activation='sigmoid',
                           kernel_initializer=keras.initializers.Constant(0.2))(i)
    m = Own(i, o)
    m.compile(keras.optimizers.SGD(0.5), 'binary_crossentropy', metrics=['accuracy'])
h = m.fit(Batches(), epochs=2, shuffle=False, workers=2, verbose=0)
h2 = m.fit(gen(), epochs=1, verbose=0)
result = {'replicas': m.distribute_strategy.num_replicas_in_sync,
          'history': history(h), 'generator': history(h2),
          'evaluate': m.evaluate(Batches(), verbose=0, workers=2),
          'predict': m.predict(Batches(), verbose=0).ravel().tolist(),
          'weights': [w.ravel().tolist() for w in m.get_weights()]}
"""


@pytest.fixture(scope="module")
def runs():
    return {
        oracle: oracles.run(oracle, {"mirrored": SCENARIO})
        for oracle in ("tv2-2cpu", "compatkeras-2cpu")
    }


def test_the_numbers_are_tf_keras_under_the_same_strategy(runs):
    expected = oracles.value(runs["tv2-2cpu"], "mirrored")
    got = oracles.value(runs["compatkeras-2cpu"], "mirrored")
    assert got["replicas"] == expected["replicas"] == 2
    assert sorted(got["history"]) == sorted(expected["history"])
    np.testing.assert_allclose(
        oracles.numbers(got), oracles.numbers(expected), rtol=1e-6, atol=1e-7
    )


def test_a_workers_exception_keeps_its_type_under_the_strategy():
    source = """
class Broken(keras.utils.Sequence):
    def __len__(self):
        return 6
    def __getitem__(self, i):
        if i == 3:
            raise KeyError('batch 3 is corrupt')
        return np.zeros((4, 3), 'float32'), np.zeros((4, 1), 'float32')
with tf.distribute.MirroredStrategy(['/cpu:0', '/cpu:1']).scope():
    i = keras.layers.Input((3,))
    m = Own(i, keras.layers.Dense(1)(i))
    m.compile('sgd', 'mse')
try:
    m.fit(Broken(), workers=2, verbose=0)
    result = None
except Exception as e:
    result = [type(e).__name__, str(e)]
"""
    own = SCENARIO[: SCENARIO.index("with strategy.scope():")]
    got = oracles.value(oracles.run("compatkeras-2cpu", {"broken": own + source}), "broken")
    assert got == ["KeyError", "'batch 3 is corrupt'"]
