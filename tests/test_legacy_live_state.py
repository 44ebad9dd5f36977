"""State a callback changes is read by the next step, never ahead of it: Keras 2 read bound inputs
(`Input(tensor=K.variable(...))`) and bound targets (`compile(target_tensors=[variable])`) in
the graph at every step, so a change at a batch end, an epoch end or before an evaluation is
what the next step sees. Read-ahead (prefetched pipelines, groups of steps per call) must not
change that.

Differential: the same scenarios under tf-keras's v1 engine (the Keras 2 graph engine) and
compatkeras, at `steps_per_execution` 1 and 8 (with 8, batch hooks run once per execution, so
the batch-end rows run at 1 only, as Keras 2 had no executions)."""

import numpy as np
import pytest

import oracles

SETUP = """
K = keras.backend
TV1 = not tf.executing_eagerly()
X = np.arange(18, dtype='float32').reshape(6, 3) / 10
Y = X.sum(1, keepdims=True)
SPE = {spe}

def compile_(m, **kw):
    if SPE == 1:
        m.compile(SGD(0.0), loss='mse', **kw)
    else:
        m.compile(SGD(0.0), loss='mse', steps_per_execution=SPE, **kw)

def bound_input_model():
    v = K.variable(X)
    i = keras.layers.Input(tensor=v)
    o = keras.layers.Dense(1, use_bias=False, kernel_initializer='ones')(i)
    m = keras.models.Model(i, o)
    compile_(m)
    return m, v

def bound_target_model():
    m = keras.models.Sequential([keras.layers.Dense(1, use_bias=False, kernel_initializer='ones',
                                                    input_shape=(3,))])
    t = K.variable(np.zeros((6, 1), 'float32'))
    compile_(m, target_tensors=[t])
    return m, t

class At(keras.callbacks.Callback):
    def __init__(self, hook, change):
        super().__init__()
        self.hook, self.change, self.count = hook, change, 0
    def on_batch_end(self, batch, logs=None):
        if self.hook == 'batch':
            self.count += 1
            self.change(self.count)
    def on_epoch_end(self, epoch, logs=None):
        if self.hook == 'epoch':
            self.change(epoch + 1)
"""

SCENARIOS = {
    # A bound input, changed at each epoch end, with target arrays in batches of all rows (the
    # v1 engine wants steps_per_epoch there, which is the same one step per epoch).
    "input_epoch_end_batches": """
m, v = bound_input_model()
cb = At('epoch', lambda n: K.set_value(v, X * (n + 1)))
kw = dict(steps_per_epoch=1) if TV1 else dict(batch_size=6, shuffle=False)
result = m.fit(None, Y, epochs=3, callbacks=[cb], verbose=0, **kw).history['loss']
""",
    # The same, step-wise (steps_per_epoch, the data-tensor form).
    "input_epoch_end_steps": """
m, v = bound_input_model()
cb = At('epoch', lambda n: K.set_value(v, X * (n + 1)))
result = m.fit(None, Y, steps_per_epoch=3, epochs=3, callbacks=[cb], verbose=0).history['loss']
""",
    # A bound target, changed at each epoch end (the engine issue's repro, unshuffled).
    "target_epoch_end": """
m, t = bound_target_model()
cb = At('epoch', lambda n: K.set_value(t, Y * n))
result = m.fit(X, batch_size=6, epochs=3, callbacks=[cb], verbose=0, shuffle=False).history['loss']
""",
    # The same with fit's default shuffle=True, as the issue wrote it: the bound target cannot
    # follow a permutation of x, so x is not shuffled (tf-keras's v1 engine neither).
    "target_epoch_end_default_shuffle": """
m, t = bound_target_model()
cb = At('epoch', lambda n: K.set_value(t, Y * n))
result = m.fit(X, batch_size=6, epochs=3, callbacks=[cb], verbose=0).history['loss']
""",
    # Changed before an evaluation, and between two evaluations.
    "input_before_evaluate": """
m, v = bound_input_model()
first = m.evaluate(None, Y, steps=2, verbose=0)
K.set_value(v, X * 3)
result = [first, m.evaluate(None, Y, steps=2, verbose=0)]
""",
}

BATCH_SCENARIOS = {
    # Changed at every batch end: each step sees the value the previous batch end left.
    "input_batch_end_steps": """
m, v = bound_input_model()
cb = At('batch', lambda n: K.set_value(v, X * (n + 1)))
result = m.fit(None, Y, steps_per_epoch=3, epochs=2, callbacks=[cb], verbose=0).history['loss']
""",
    "target_batch_end": """
m, t = bound_target_model()
cb = At('batch', lambda n: K.set_value(t, Y * n))
result = m.fit(X, steps_per_epoch=3, epochs=2, callbacks=[cb], verbose=0).history['loss']
""",
}


def _scenarios(spe):
    chosen = dict(SCENARIOS, **(BATCH_SCENARIOS if spe == 1 else {}))
    setup = SETUP.replace("{spe}", str(spe))
    return {f"{name}-spe{spe}": setup + source for name, source in chosen.items()}


@pytest.fixture(scope="module")
def results():
    ours = {**_scenarios(1), **_scenarios(8)}
    return {
        "tv1": oracles.run("tv1", _scenarios(1)),
        "compatkeras": oracles.run("compatkeras", ours),
    }


CASES = [(name, 1) for name in [*SCENARIOS, *BATCH_SCENARIOS]] + [(name, 8) for name in SCENARIOS]


@pytest.mark.parametrize(("name", "spe"), CASES)
def test_changed_state_is_read_by_the_next_step(results, name, spe):
    expected = oracles.value(results["tv1"], f"{name}-spe1")
    got = oracles.value(results["compatkeras"], f"{name}-spe{spe}")
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    # The change really happened: the values are not all the same.
    assert len({round(float(v), 4) for v in np.ravel(expected)}) > 1


def test_tf_keras_execution_options_in_compile():
    """tf.keras 2.x's `compile(run_eagerly=, steps_per_execution=, jit_compile=)` train as one
    step per call does (the scenarios above ran with steps_per_execution=8); a bad
    `steps_per_execution` names the argument."""
    import compatkeras as keras

    x = np.arange(24, dtype="float32").reshape(8, 3)
    losses = []
    for options in ({}, {"run_eagerly": True}, {"steps_per_execution": 3}, {"jit_compile": True}):
        m = keras.Sequential([keras.layers.Dense(1, kernel_initializer="ones", input_shape=(3,))])
        m.compile(keras.optimizers.SGD(0.001), "mse", **options)
        losses.append(m.fit(x, x.sum(1), batch_size=2, epochs=2, verbose=0, shuffle=False).history)
    for other in losses[1:]:
        np.testing.assert_allclose(other["loss"], losses[0]["loss"], rtol=1e-5)
    with pytest.raises(ValueError, match="steps_per_execution"):
        m.compile("sgd", "mse", steps_per_execution=0)
