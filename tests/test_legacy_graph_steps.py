"""Keras 2's hand-written training functions, `K.function(inputs, outputs,
updates=optimizer.get_updates(loss, params))`, against tf-keras's v1 graph engine (the real Keras
2 engine, where they ran in a session): a WGAN-GP critic and generator (a gradient penalty from
`K.gradients`), an optimizer written the Keras 2 way (`K.update`), Keras 2.0's argument order,
the learning-phase flag and a BatchNormalization layer's state."""

import numpy as np
import pytest

import oracles

# The same program under both engines; `OPT` is the optimizer module with Keras 2's optimizers.
_WGAN_GP = """
import numpy as np
OPT = keras.optimizers.legacy if hasattr(keras.optimizers, 'legacy') else keras.optimizers
K = keras.backend
L = keras.layers
rng = np.random.RandomState(0)
nz, dim = 4, 6

def dense(units, activation=None):
    return L.Dense(units, activation=activation,
                   kernel_initializer=keras.initializers.RandomNormal(0.0, 0.3, seed=1))

netG = keras.Sequential([dense(8, 'tanh'), dense(dim, 'tanh')])
netG.build((None, nz))
netD = keras.Sequential([dense(8, 'tanh'), dense(1)])
netD.build((None, dim))

real_in = L.Input((dim,))
noise_in = L.Input((nz,))
eps_in = L.Input((1,))
fake = netG(noise_in)
mixed = L.Lambda(lambda t: t[0] * t[1] + (1 - t[0]) * t[2])([eps_in, real_in, fake])
loss_real = K.mean(netD(real_in))
loss_fake = K.mean(netD(fake))
grad_mixed = K.gradients(netD(mixed), [mixed])[0]
penalty = K.mean(K.square(K.sqrt(K.sum(K.square(grad_mixed), axis=1)) - 1))
loss_d = loss_fake - loss_real + 10 * penalty
updates_d = OPT.Adam(learning_rate=0.01, beta_1=0.0, beta_2=0.9).get_updates(
    loss=loss_d, params=netD.trainable_weights)
train_d = K.function([real_in, noise_in, eps_in], [loss_real, loss_fake], updates_d)
loss_g = -loss_fake
updates_g = OPT.Adam(learning_rate=0.01, beta_1=0.0, beta_2=0.9).get_updates(
    loss=loss_g, params=netG.trainable_weights)
train_g = K.function([noise_in], [loss_g], updates_g)

data = rng.randn(64, dim).astype('float32')
d0 = [w.tolist() for w in netD.get_weights()]
history = []
for it in range(6):
    for _ in range(3):
        out = train_d([data[rng.randint(0, 64, 16)], rng.randn(16, nz), rng.uniform(size=(16, 1))])
        history.append([float(v) for v in out])
    history.append([float(train_g([rng.randn(16, nz)])[0])])
result = {'history': history, 'd0': d0, 'd': [w.tolist() for w in netD.get_weights()],
          'g': [w.tolist() for w in netG.get_weights()]}
"""

# A learning-phase flag and a BatchNormalization layer whose moving statistics are passed with
# the optimizer's updates, as Keras 2 code wrote `updates=opt.get_updates(...) + model.updates`.
_PHASE_AND_STATE = """
import numpy as np
OPT = keras.optimizers.legacy if hasattr(keras.optimizers, 'legacy') else keras.optimizers
K = keras.backend
L = keras.layers
rng = np.random.RandomState(1)
inp = L.Input((5,))
h = L.Dense(6, kernel_initializer=keras.initializers.RandomNormal(0.0, 0.3, seed=2))(inp)
h = L.BatchNormalization()(h)
h = L.Dropout(0.0)(h)
out = L.Dense(1, kernel_initializer=keras.initializers.RandomNormal(0.0, 0.3, seed=3))(h)
model = keras.Model(inp, out)
target = L.Input((1,))
loss = K.mean(K.square(out - target))
updates = OPT.SGD(learning_rate=0.1).get_updates(loss=loss, params=model.trainable_weights)
train = K.function([inp, target, K.learning_phase()], [loss], updates + model.updates)
x, y = rng.randn(32, 5).astype('float32'), rng.randn(32, 1).astype('float32')
losses = [float(train([x, y, 1])[0]) for _ in range(4)]
result = {'losses': losses, 'weights': [w.tolist() for w in model.get_weights()],
          'test_mode': model.predict(x[:4]).tolist()}
"""

# Keras 2-style: the built-in SGD under the v1 engine, a hand-written one (`K.update`) on ours.
_OWN_OPTIMIZER = """
import numpy as np
K = keras.backend
L = keras.layers
rng = np.random.RandomState(2)
if OWN:
    class HandSGD(keras.optimizers.Optimizer):
        def __init__(self, lr):
            super().__init__()
            self.lr = lr
        def get_updates(self, loss, params):
            grads = self.get_gradients(loss, params)
            self.updates = [K.update(p, p - self.lr * g) for p, g in zip(params, grads)]
            return self.updates
    opt = HandSGD(0.05)
else:
    opt = keras.optimizers.legacy.SGD(learning_rate=0.05)
inp = L.Input((3,))
out = L.Dense(2, kernel_initializer=keras.initializers.RandomNormal(0.0, 0.5, seed=4))(inp)
model = keras.Model(inp, out)
target = L.Input((2,))
loss = K.mean(K.square(out - target))
# Keras 2.0's order: get_updates(params, constraints, loss)
updates = (opt.get_updates(model.trainable_weights, [], loss) if OWN
           else opt.get_updates(loss=loss, params=model.trainable_weights))
train = K.function([inp, target], [loss, out], updates)
x, y = rng.randn(8, 3).astype('float32'), rng.randn(8, 2).astype('float32')
losses = [float(train([x, y])[0]) for _ in range(5)]
result = {'losses': losses, 'weights': [w.tolist() for w in model.get_weights()]}
"""

# Weight regularization added by hand, `+ sum(model.losses)`: Keras 2 recomputed it at every
# step, so the weights decay even where the data gives no gradient.
_REGULARIZED = """
import numpy as np
OPT = keras.optimizers.legacy if hasattr(keras.optimizers, 'legacy') else keras.optimizers
K = keras.backend
L = keras.layers
inp, target = L.Input((3,)), L.Input((1,))
model = keras.Model(inp, L.Dense(1, kernel_regularizer='l2', bias_regularizer='l1',
                                 kernel_initializer='ones', bias_initializer='ones')(inp))
loss = K.mean(K.square(model.output - target)) + sum(model.losses)
updates = OPT.SGD(learning_rate=0.1).get_updates(loss=loss, params=model.trainable_weights)
train = K.function([inp, target], [loss], updates)
x = np.zeros((4, 3), 'float32')
y = np.ones((4, 1), 'float32')
losses = [float(train([x, y])[0]) for _ in range(4)]
result = {'losses': losses, 'weights': [w.tolist() for w in model.get_weights()],
          'penalty': float(K.eval(sum(model.losses)))}
"""

# The same critic written as the widely copied Keras 2 WGAN-GP notebooks write it: the mixing
# weight is a `K.placeholder` fed to `K.function`, the mixed images an `Input(tensor=...)`.
_WGAN_GP_PLACEHOLDER = _WGAN_GP.replace(
    "eps_in = L.Input((1,))", "eps_in = K.placeholder(shape=(None, 1))"
).replace(
    "mixed = L.Lambda(lambda t: t[0] * t[1] + (1 - t[0]) * t[2])([eps_in, real_in, fake])",
    "mixed = L.Input((dim,), tensor=eps_in * real_in + (1 - eps_in) * fake)",
)

# The compiled loss as graph tensors (Keras 2's `model.total_loss`, `targets`,
# `sample_weights`): the usual recipe for the gradients of a model's loss, then a training
# function built on it.
_COMPILED_LOSS = """
import numpy as np
OPT = keras.optimizers.legacy if hasattr(keras.optimizers, 'legacy') else keras.optimizers
K = keras.backend
L = keras.layers
inp = L.Input((3,))
h = L.Dense(4, activation='tanh', kernel_regularizer='l2',
            kernel_initializer=keras.initializers.RandomNormal(0.0, 0.5, seed=5))(inp)
out = L.Dense(2, kernel_initializer=keras.initializers.RandomNormal(0.0, 0.5, seed=6))(h)
model = keras.Model(inp, out)
model.compile(OPT.SGD(learning_rate=0.1), 'mse')
weights = model.trainable_weights
grads = model.optimizer.get_gradients(model.total_loss, weights)
feeds = model.inputs + model._feed_sample_weights + model._feed_targets + [K.learning_phase()]
get_gradients = K.function(feeds, grads)
rng = np.random.RandomState(3)
x, y, w = rng.randn(8, 3), rng.randn(8, 2), rng.uniform(0.5, 2.0, 8)
first = [g.tolist() for g in get_gradients([x, y, 0])]
loss_fn = K.function(feeds[:-1], [model.total_loss])
evaluated = float(loss_fn([x, y])[0])
updates = model.optimizer.get_updates(loss=model.total_loss, params=weights)
train = K.function(feeds[:-1], [model.total_loss], updates)
losses = [float(train([x, y])[0]) for _ in range(3)]
result = {'grads': first, 'loss': evaluated, 'losses': losses,
          'weights': [v.tolist() for v in model.get_weights()]}
"""

# Keras 2's other form of update: `(variable, new value)` pairs, values of the Keras graph
# computed from the fed inputs in the same run (keras-rl's DDPG passes the optimizer's updates
# and such pairs to one `K.function`); with and without an optimizer step.
_PAIRS = """
OPT = keras.optimizers.legacy if hasattr(keras.optimizers, 'legacy') else keras.optimizers
K = keras.backend
inp = keras.layers.Input((3,))
out = keras.layers.Dense(2, kernel_initializer=keras.initializers.RandomNormal(0.0, 0.5, seed=6))(inp)
model = keras.Model(inp, out)
loss = K.mean(K.square(out))
running, total, peak = K.variable(np.zeros(2)), K.variable(0.0), K.variable(0.0)
updates = OPT.SGD(learning_rate=0.1).get_updates(loss=loss, params=model.trainable_weights)
train = K.function([inp], [loss], updates + [(running, K.mean(out, axis=0)), (total, K.sum(inp))])
watch = K.function([inp], [out], updates=[(peak, K.max(out))])
x = np.random.RandomState(4).randn(5, 3)
seen = []
for i in range(3):
    fed = x * (i + 1)
    seen.append([float(train([fed])[0]), K.get_value(running).tolist(), float(K.get_value(total)),
                 watch([fed])[0].tolist(), float(K.get_value(peak))])
# Keras 2 fed `zip(inputs, values)`: a learning phase left out takes its default (test mode).
infer = K.function([inp, K.learning_phase()], [keras.layers.Dropout(0.5)(out)])
seen.append([infer([x])[0].tolist()])
result = {'seen': seen, 'weights': [v.tolist() for v in model.get_weights()]}
"""

# A layer whose `call` makes variables (keras-rl's NAF layer: `K.variable(mask)`, `K.zeros`):
# Keras 2 ran `call` once; here each traced step runs it (fit, then predict, then a new batch
# size), each holding the value it was made with.
_VARIABLE_IN_CALL = """
K = keras.backend
OPT = keras.optimizers.legacy if hasattr(keras.optimizers, 'legacy') else keras.optimizers

class Masked(keras.layers.Layer):
    def call(self, x):
        mask = K.variable(np.array([1.0, 0.0, 2.0]))
        shift = K.ones((1,)) + K.zeros((1,))
        return x * mask + shift

inp = keras.layers.Input((3,))
out = keras.layers.Dense(1, kernel_initializer='ones')(Masked()(inp))
model = keras.Model(inp, out)
model.compile(OPT.SGD(learning_rate=0.01), 'mse')
x = np.random.RandomState(2).randn(12, 3)
y = x.sum(axis=1, keepdims=True)
losses = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history['loss']
losses += model.fit(x, y, batch_size=6, epochs=1, shuffle=False, verbose=0).history['loss']
result = {'losses': losses, 'predicted': model.predict(x[:5]).tolist(),
          'weights': [v.tolist() for v in model.get_weights()]}
"""

_SCENARIOS = {
    "pairs": _PAIRS,
    "variable_in_call": _VARIABLE_IN_CALL,
    "compiled_loss": _COMPILED_LOSS,
    "wgan_gp": _WGAN_GP,
    "wgan_gp_placeholder": _WGAN_GP_PLACEHOLDER,
    "phase_and_state": _PHASE_AND_STATE,
    "regularized": _REGULARIZED,
}


@pytest.fixture(scope="module")
def results():
    ours = {**_SCENARIOS, "own_optimizer": "OWN = True\n" + _OWN_OPTIMIZER}
    theirs = {**_SCENARIOS, "own_optimizer": "OWN = False\n" + _OWN_OPTIMIZER}
    return oracles.run("dropin", ours), oracles.run("tv1", theirs)


def _same(ours, theirs, rtol=1e-5, atol=1e-6):
    assert ours.keys() == theirs.keys()
    for key in ours:
        a, b = ours[key], theirs[key]
        pairs = zip(a, b, strict=True) if isinstance(a, list) else [(a, b)]
        for x, y in pairs:
            np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=rtol, atol=atol)


def test_a_wgan_gp_trains_with_the_numbers_of_keras_2s_session(results):
    ours, theirs = (oracles.value(r, "wgan_gp") for r in results)
    assert len(ours["history"]) == 24
    _same(ours, theirs, rtol=1e-4, atol=1e-5)
    assert ours["d"] != ours["d0"]  # the critic trained


def test_a_placeholder_and_an_input_on_a_computed_tensor_stay_connected(results):
    ours, theirs = (oracles.value(r, "wgan_gp_placeholder") for r in results)
    assert _WGAN_GP_PLACEHOLDER.count("K.placeholder") == 1
    assert _WGAN_GP_PLACEHOLDER.count("tensor=eps_in") == 1
    _same(ours, theirs, rtol=1e-4, atol=1e-5)


def test_variable_value_pairs_are_computed_from_the_fed_inputs(results):
    ours, theirs = (oracles.value(r, "pairs") for r in results)
    assert ours["seen"][0][1] != ours["seen"][1][1] and ours["seen"][2][2] != 0.0
    assert ours["seen"][0][0] != ours["seen"][1][0]  # the optimizer's step ran too
    flat = [np.hstack([np.ravel(v) for v in row]) for row in ours["seen"]]
    expected = [np.hstack([np.ravel(v) for v in row]) for row in theirs["seen"]]
    for row, expected_row in zip(flat, expected, strict=True):
        np.testing.assert_allclose(row, expected_row, rtol=1e-5, atol=1e-6)
    _same({"w": ours["weights"]}, {"w": theirs["weights"]})


def test_variables_made_in_a_layers_call_hold_their_value_in_every_step(results):
    ours, theirs = (oracles.value(r, "variable_in_call") for r in results)
    assert len(ours["losses"]) == 3 and ours["losses"][0] > ours["losses"][1]
    _same(ours, theirs)


def test_learning_phase_and_layer_state_updates_follow_keras_2(results):
    ours, theirs = (oracles.value(r, "phase_and_state") for r in results)
    assert ours["losses"][0] != ours["losses"][-1]
    _same(ours, theirs)


def test_an_optimizer_written_the_keras_2_way_runs_in_k_function(results):
    ours, theirs = (oracles.value(r, "own_optimizer") for r in results)
    assert ours["losses"][0] > ours["losses"][-1]
    _same(ours, theirs)


def test_regularization_losses_added_by_hand_follow_the_weights(results):
    ours, theirs = (oracles.value(r, "regularized") for r in results)
    assert ours["weights"][0] != [[1.0]] * 3  # the kernel decays: its only gradient is l2's
    _same(ours, theirs)


def test_regularization_losses_read_eagerly_are_values_and_follow_the_weights():
    import compatkeras as keras

    layer = keras.layers.Dense(1, kernel_regularizer="l2", kernel_initializer="ones")
    layer.build((None, 2))
    (penalty,) = layer.losses
    assert float(penalty) == pytest.approx(0.02)
    assert np.asarray(penalty) == pytest.approx(0.02)
    layer.kernel.assign([[2.0], [2.0]])
    assert float(sum(layer.losses) * 2) == pytest.approx(0.16)
    assert float(penalty) == pytest.approx(0.08)  # recomputed where it is used


def test_under_a_tape_losses_are_tensors_with_gradients():
    import tensorflow as tf

    import compatkeras as keras

    layer = keras.layers.Dense(1, kernel_regularizer="l2", kernel_initializer="ones")
    layer.build((None, 2))
    with tf.GradientTape() as tape:
        total = tf.add_n(layer.losses)
    assert isinstance(layer.losses[0], tf.Tensor) is False  # outside the tape: deferred
    assert tape.gradient(total, layer.kernel).numpy().ravel().tolist() == pytest.approx([0.02] * 2)


def test_the_compiled_loss_as_graph_tensors_gives_keras_2s_gradients(results):
    ours, theirs = (oracles.value(r, "compiled_loss") for r in results)
    assert ours["losses"][0] > ours["losses"][-1]
    _same(ours, theirs)


def test_the_compiled_loss_is_what_test_on_batch_reports_in_both_flavors():
    """Keras 2.2.4 always fed sample weights; tf.keras's v1 engine only for temporal weights
    (its `sample_weights` holds None otherwise)."""
    import compatkeras as keras

    rng = np.random.RandomState(4)
    x, y, w = rng.randn(6, 3), rng.randn(6, 2), np.array([1.0, 0.0, 2.0, 1.0, 0.0, 3.0])
    for flavor in ("tf.keras", "keras-2.2"):
        with keras.legacy.flavor(flavor):
            inp = keras.layers.Input((3,))
            model = keras.Model(inp, keras.layers.Dense(2)(inp))
            model.compile("sgd", "mae")
        feeds = model.inputs + model.targets + model._feed_sample_weights
        if flavor == "tf.keras":
            assert model.sample_weights == [None] and model._feed_sample_weights == []
            value = keras.backend.function(feeds, [model.total_loss])([x, y])[0]
            expected = model.test_on_batch(x, y)
        else:
            value = keras.backend.function(feeds, [model.total_loss])([x, y, w])[0]
            expected = model.test_on_batch(x, y, sample_weight=w)
        assert float(value) == pytest.approx(float(expected), rel=1e-5), flavor


def test_a_none_among_k_function_inputs_names_the_replacement():
    """The Keras 2.2 recipe `model.inputs + model.sample_weights + model.targets` under the
    tf.keras flavor, whose `sample_weights` holds None (as tf-keras's v1 engine)."""
    import compatkeras as keras

    inp = keras.layers.Input((3,))
    model = keras.Model(inp, keras.layers.Dense(2)(inp))
    model.compile("sgd", "mse")
    feeds = model.inputs + model.sample_weights + model.targets
    with pytest.raises(ValueError, match=r"inputs \[1\] are None.*_feed_sample_weights"):
        keras.backend.function(feeds, [model.total_loss])


def test_the_compiled_loss_before_compile_is_an_attribute_error():
    import compatkeras as keras

    inp = keras.layers.Input((3,))
    model = keras.Model(inp, keras.layers.Dense(2)(inp))
    assert not hasattr(model, "total_loss")
    with pytest.raises(AttributeError, match="call compile"):
        model.targets  # noqa: B018


def test_a_step_whose_outputs_are_not_graph_tensors_is_refused():
    import compatkeras as keras

    K = keras.backend
    inp = keras.layers.Input((2,))
    model = keras.Model(inp, keras.layers.Dense(1)(inp))
    loss = K.mean(model.output)
    updates = keras.optimizers.SGD(0.1).get_updates(loss=loss, params=model.trainable_weights)
    with pytest.raises(ValueError, match="tensors of the Keras graph"):
        K.function([inp], [K.constant(1.0)], updates)
