"""Models that bring their own step on the Keras 2 surface (tf.keras 2.2+ code): `train_step` /
`test_step` overrides and subclassed models run exactly as under tf-keras's eager engine (TV2),
never with compile()'s loss in their place. Same scenario source under both, same initial
weights; values to 1e-6."""

import numpy as np
import pytest

import oracles

COMMON = """
r = np.random.RandomState(0)
X = r.rand(16, 3).astype('float32')
Y = (X.sum(1, keepdims=True) > 1.5).astype('float32')
def dense(units, activation=None, name=None):
    return keras.layers.Dense(units, activation=activation, name=name,
                              kernel_initializer=keras.initializers.Constant(0.2))
def history(h):
    return {k: [float(v) for v in vals] for k, vals in h.history.items()}
"""

SCENARIOS = {
    "gan": """
class GAN(keras.Model):
    def __init__(self):
        super().__init__()
        self.generator = keras.Sequential([dense(3, 'tanh')])
        self.discriminator = keras.Sequential([dense(1, 'sigmoid')])
        self.calls = 0
    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer, self.g_optimizer, self.loss_fn = d_optimizer, g_optimizer, loss_fn
    def train_step(self, real):
        self.calls += 1
        n = tf.shape(real)[0]
        latent = tf.reshape(tf.linspace(-1.0, 1.0, n * 2), (n, 2))
        fake = self.generator(latent)
        with tf.GradientTape() as tape:
            d_loss = (self.loss_fn(tf.ones((n, 1)), self.discriminator(real))
                      + self.loss_fn(tf.zeros((n, 1)), self.discriminator(fake)))
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
        with tf.GradientTape() as tape:
            g_loss = self.loss_fn(tf.ones((n, 1)), self.discriminator(self.generator(latent)))
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        return {'d_loss': d_loss, 'g_loss': g_loss}
gan = GAN()
gan.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.05),
            keras.losses.BinaryCrossentropy())
h = gan.fit(X, batch_size=8, epochs=2, shuffle=False, verbose=0)
result = {'history': history(h), 'traced_calls': gan.calls > 0,
          'weights': [w.tolist() for w in gan.get_weights()]}
""",
    "compiled_loss_and_test_step": """
class Custom(keras.Model):
    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compiled_loss(y, y_pred, regularization_losses=self.losses)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.compiled_metrics.update_state(y, y_pred)
        return {'custom': loss * 0 + 42.0, **{m.name: m.result() for m in self.metrics}}
    def test_step(self, data):
        x, y = data
        return {'evaluated': tf.reduce_mean(self(x, training=False))}
i = keras.Input((3,)); o = dense(1, 'sigmoid')(i)
m = Custom(i, o)
m.compile(keras.optimizers.SGD(0.5), 'binary_crossentropy', metrics=['accuracy'])
h = m.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0)
result = {'history': history(h), 'evaluate': m.evaluate(X, Y, batch_size=8, verbose=0,
                                                         return_dict=True),
          'weights': [w.tolist() for w in m.get_weights()]}
""",
    "subclassed_two_outputs": """
class TwoHeads(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = dense(4, 'relu')
        self.a = dense(1, name='a')
        self.b = dense(2, 'softmax', name='b')
    def call(self, x):
        h = self.hidden(x)
        return self.a(h), self.b(h)
m = TwoHeads()
m.compile(keras.optimizers.SGD(0.1), ['mse', 'sparse_categorical_crossentropy'])
yb = Y.astype('int32')
h = m.fit(X, [Y, yb], batch_size=8, epochs=2, shuffle=False, verbose=0)
result = {'history': history(h), 'evaluate': m.evaluate(X, [Y, yb], batch_size=8, verbose=0),
          'names': m.metrics_names, 'predict': [p.tolist() for p in m.predict(X[:2])],
          'weights': [w.tolist() for w in m.get_weights()]}
""",
    "subclassed_on_dataset": """
class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.d = dense(1, 'sigmoid')
    def call(self, x):
        return self.d(x)
m = Net()
m.compile(keras.optimizers.SGD(0.5), 'binary_crossentropy', metrics=['accuracy'])
ds = tf.data.Dataset.from_tensor_slices((X, Y)).batch(4).repeat()
h = m.fit(ds, steps_per_epoch=4, epochs=2, verbose=0,
          validation_data=tf.data.Dataset.from_tensor_slices((X, Y)).batch(8))
result = {'history': history(h), 'evaluate': m.evaluate(X, Y, batch_size=8, verbose=0),
          'train_on_batch': m.train_on_batch(X[:4], Y[:4]),
          'weights': [w.tolist() for w in m.get_weights()]}
""",
}


@pytest.fixture(scope="module")
def runs():
    scenarios = {name: COMMON + source for name, source in SCENARIOS.items()}
    return {oracle: oracles.run(oracle, scenarios) for oracle in ("tv2", "compatkeras")}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_models_own_step_runs_as_in_tf_keras(runs, name):
    expected = oracles.value(runs["tv2"], name)
    got = oracles.value(runs["compatkeras"], name)
    assert _structure(got) == _structure(expected)
    np.testing.assert_allclose(_numbers(got), _numbers(expected), rtol=1e-6, atol=1e-7)


def test_the_override_is_really_called(runs):
    got = oracles.value(runs["compatkeras"], "compiled_loss_and_test_step")
    assert got["history"]["custom"] == [42.0, 42.0]
    assert list(got["evaluate"]) == ["evaluated"]
    assert oracles.value(runs["compatkeras"], "gan")["traced_calls"] is True


def _structure(value):
    if isinstance(value, dict):
        return {k: _structure(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_structure(v) for v in value]
    return type(value).__name__ if isinstance(value, str) else "number"


def _numbers(value):
    if isinstance(value, dict):
        return [n for k in value for n in _numbers(value[k])]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    return [] if isinstance(value, str) else [float(value)]
