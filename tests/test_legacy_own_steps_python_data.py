"""Models that bring their own step (tf.keras 2.x style) trained on a Sequence or a generator:
the batches are read by compatkeras's enqueuer, not tf-keras's, and the numbers are tf-keras's
eager engine's (TV2) to 1e-6: threads, processes, the calling thread, `class_weight`,
`steps_per_epoch` that continues a generator, a generator that runs out, evaluate and predict.
A worker's exception keeps its type (tf-keras's turns it into an `UnknownError`)."""

import time

import numpy as np
import pytest

import oracles

COMMON = """
import warnings
r = np.random.RandomState(0)
X = r.rand(32, 3).astype('float32')
Y = (X.sum(1, keepdims=True) > 1.5).astype('float32')

class Own(keras.Model):
    '''A tf.keras 2.x model with its own `train_step` (a loss of its own, doubled).'''
    def train_step(self, data):
        x, y, w = keras.utils.unpack_x_y_sample_weight(data) if hasattr(
            keras.utils, 'unpack_x_y_sample_weight') else (data + (None,))[:3]
        with tf.GradientTape() as tape:
            p = self(x, training=True)
            loss = 2.0 * self.compiled_loss(y, p, sample_weight=w)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.compiled_metrics.update_state(y, p, sample_weight=w)
        return {'doubled': loss, **{m.name: m.result() for m in self.metrics}}

def model():
    i = keras.layers.Input((3,))
    o = keras.layers.Dense(1, activation='sigmoid',
                           kernel_initializer=keras.initializers.Constant(0.2))(i)
    m = Own(i, o)
    m.compile(keras.optimizers.SGD(0.5), 'binary_crossentropy', metrics=['accuracy'])
    return m

class Batches(keras.utils.Sequence):
    def __len__(self):
        return 4
    def __getitem__(self, i):
        return X[i * 8:(i + 1) * 8], Y[i * 8:(i + 1) * 8]

def gen(n=4):
    for i in range(n):
        yield X[i * 8:(i + 1) * 8], Y[i * 8:(i + 1) * 8]

def history(h):
    return {k: [float(v) for v in vals] for k, vals in h.history.items()}
"""

SCENARIOS = {
    **{
        f"sequence_{name}": f"""
m = model()
h = m.fit(Batches(), epochs=3, shuffle=False, verbose=0, {kwargs})
result = {{'history': history(h), 'evaluate': m.evaluate(Batches(), verbose=0, {kwargs}),
          'predict': m.predict(Batches(), verbose=0, {kwargs}).ravel().tolist()}}
"""
        for name, kwargs in (
            ("calling_thread", "workers=1"),
            ("threads", "workers=2"),
            ("processes", "workers=2, use_multiprocessing=True"),
        )
    },
    "class_weight_and_validation": """
m = model()
h = m.fit(Batches(), epochs=2, shuffle=False, verbose=0, class_weight={0: 1.0, 1: 3.0},
          validation_data=Batches())
result = {'history': history(h)}
""",
    "generator_steps_continue": """
m = model()
h = m.fit(gen(8), steps_per_epoch=4, epochs=2, verbose=0)
result = {'history': history(h), 'weights': [w.tolist() for w in m.get_weights()]}
""",
    "generator_runs_out": """
m = model()
with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    h = m.fit(gen(6), steps_per_epoch=4, epochs=3, verbose=0)
result = {'epochs': len(h.history['doubled']), 'weights': [w.tolist() for w in m.get_weights()]}
""",
}


@pytest.fixture(scope="module")
def runs():
    scenarios = {name: COMMON + source for name, source in SCENARIOS.items()}
    return {oracle: oracles.run(oracle, scenarios) for oracle in ("tv2", "compatkeras")}


def _numbers(value):
    if isinstance(value, dict):
        return [n for k in sorted(value) for n in _numbers(value[k])]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    return [float(value)]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_numbers_are_tf_keras(runs, name):
    expected = oracles.value(runs["tv2"], name)
    got = oracles.value(runs["compatkeras"], name)
    if isinstance(expected, dict) and "history" in expected:
        assert sorted(got["history"]) == sorted(expected["history"])
    np.testing.assert_allclose(_numbers(got), _numbers(expected), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_a_workers_exception_keeps_its_type(processes):
    import compatkeras as keras

    class Own(keras.Model):
        def train_step(self, data):
            return {"n": 0.0}

    class Broken(keras.utils.Sequence):
        def __len__(self):
            return 6

        def __getitem__(self, i):
            if i == 3:
                raise KeyError(f"batch {i} is corrupt")
            return np.zeros((2, 3), "float32"), np.zeros((2, 1), "float32")

    i = keras.layers.Input((3,))
    m = Own(i, keras.layers.Dense(1)(i))
    m.compile("sgd", "mse")
    start = time.monotonic()
    with pytest.raises(KeyError, match="batch 3 is corrupt"):
        m.fit(Broken(), workers=2, use_multiprocessing=processes, verbose=0)
    assert time.monotonic() - start < 10
