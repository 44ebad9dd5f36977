"""`(variable, value)` pairs returned by a Keras 2 optimizer's `get_updates` are assigned at every
step, as Keras 2's `K.function` applied them (keras-rl's `AdditionalUpdatesOptimizer` adds its
own pairs to the inner optimizer's). The expected numbers are Keras 2's by construction: a
counter updated by `(t, t + 1)` counts the training steps."""

import warnings

import pytest

import oracles

SETUP = """
import warnings
K = keras.backend
x, y = np.ones((4, 3), 'float32'), np.ones((4, 1), 'float32')

class Extra(keras.optimizers.Optimizer):
    # wraps a built-in optimizer and adds its own updates, as keras-rl does
    def __init__(self, inner, extra):
        super().__init__()
        self.inner, self.extra = inner, extra
    def get_updates(self, loss, params):
        return self.inner.get_updates(loss, params) + self.extra(params)

def model():
    i = keras.layers.Input((3,))
    return keras.models.Model(i, keras.layers.Dense(1)(i))
"""

SCENARIOS = {
    "counter": """
t = K.variable(0.)
m = model()
m.compile(Extra(keras.optimizers.Adam(), lambda params: [(t, t + 1.)]), 'mse')
m.train_on_batch(x, y); m.train_on_batch(x, y)
after_batches = float(K.get_value(t))
m.fit(x, y, batch_size=1, epochs=2, verbose=0)
result = [after_batches, float(K.get_value(t))]
""",
    # A pair whose value is built from the step's own params inside get_updates follows them.
    "follows_params": """
shadow = K.variable(np.zeros((3, 1), 'float32'))
m = model()
m.compile(Extra(keras.optimizers.SGD(0.1), lambda params: [(shadow, params[0] * 2.)]), 'mse')
m.fit(x, y, batch_size=2, epochs=3, verbose=0)
result = bool(np.allclose(K.get_value(shadow), 2 * K.get_value(m.layers[1].kernel)))
""",
    # keras-rl's soft target updates, built once at compile time from eager values: assigned as
    # they are, with a warning that names the variable.
    "built_before_training": """
source, target = model(), model()
pairs = [(tw, 0.5 * sw + 0.5 * tw)
         for tw, sw in zip(target.trainable_weights, source.trainable_weights)]
source.compile(Extra(keras.optimizers.Adam(), lambda params: pairs), 'mse')
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter('always')
    source.train_on_batch(x, y)
result = sorted({str(w.message).split('`')[1] for w in caught if 'computed before' in str(w.message)})
""",
    # keras-contrib's LARS reads its own get_weights() in get_updates: empty before its one call
    # in Keras 2.2.4. Every trace (partial last batch, train_on_batch) must see the same.
    "reads_own_weights": """
class ReadsOwnWeights(keras.optimizers.Optimizer):
    def __init__(self):
        super().__init__()
        self.iterations = K.variable(0, dtype='int64')
        self.seen = []
    def get_updates(self, loss, params):
        self.seen.append(len(self.get_weights()))
        grads = self.get_gradients(loss, params)
        moments = [K.zeros(K.int_shape(p)) for p in params]
        self.weights = [self.iterations] + moments
        self.updates = [K.update_add(self.iterations, 1)]
        for p, g, v in zip(params, grads, moments):
            self.updates += [K.update(v, 0.9 * v - 0.1 * g), K.update(p, p + 0.9 * v - 0.1 * g)]
        return self.updates
opt = ReadsOwnWeights()
m = model()
m.compile(opt, 'mse')
m.fit(np.ones((5, 3), 'float32'), np.ones((5, 1), 'float32'), batch_size=2, epochs=2, verbose=0)
m.train_on_batch(x, y)
result = [len(opt.seen) > 1, sorted(set(opt.seen)), len(opt.weights), len(opt.get_weights()),
          int(K.get_value(opt.iterations))]
""",
}


@pytest.fixture(scope="module")
def results():
    return oracles.run("compatkeras", {k: SETUP + v for k, v in SCENARIOS.items()})


def test_pairs_run_every_step(results):
    # 2 train_on_batch steps, then 2 epochs of 4 batches.
    assert oracles.value(results, "counter") == [2.0, 10.0]


def test_pair_values_are_computed_in_the_step(results):
    assert oracles.value(results, "follows_params") is True


def test_pairs_built_before_training_warn_naming_each_variable(results):
    names = oracles.value(results, "built_before_training")
    assert len(names) == 2 and all(n.startswith("dense") for n in names), names


def test_every_trace_sees_the_optimizer_as_its_first_call_did(results):
    # Traced more than once, each time before any weight existed; afterwards the first call's
    # weights (iterations + 2 moments), updated by 3 + 3 + 1 steps.
    assert oracles.value(results, "reads_own_weights") == [True, [0], 3, 3, 7]


def test_no_warning_for_pairs_built_in_the_step():
    # The warning is about eager values only: a value computed inside get_updates is symbolic.
    import tensorflow as tf

    from compatkeras.legacy.updates import assign_pairs

    v = tf.Variable(1.0)

    @tf.function
    def step():
        assign_pairs([(v, v * 3.0)])

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        step()
    assert float(v.numpy()) == 3.0


def test_k_function_pairs_computed_before_warn_and_are_assigned_as_they_are():
    # keras-rl's DDPG actor: soft target updates built eagerly, passed to `K.function`.
    import numpy as np

    import compatkeras as keras

    K = keras.backend  # noqa: N806
    inp = keras.Input((2,))
    target = K.variable(np.zeros(2), name="target_kernel")
    blend = 0.5 * K.variable(np.ones(2)) + 0.5 * target  # computed now, once
    run = K.function([inp], [inp * 2.0], updates=[(target, blend)])
    with pytest.warns(UserWarning, match=r"`target_kernel.*K\.function\(updates=\.\.\.\)`"):
        out = run([np.ones((1, 2), "float32")])
    np.testing.assert_allclose(out[0], [[2.0, 2.0]])
    np.testing.assert_allclose(K.get_value(target), [0.5, 0.5])
    run([np.ones((1, 2), "float32")])
    np.testing.assert_allclose(K.get_value(target), [0.5, 0.5])  # the same value, not 0.75
