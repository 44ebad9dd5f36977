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
          'weights': [w.tolist() for w in gan.get_weights()],
          'tf_keras_loop': gan.train_function is not None}
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
    "vae_with_metrics_property": """
class VAE(keras.Model):
    def __init__(self):
        super().__init__()
        self.encoder = keras.Sequential([dense(4, 'relu'), dense(4)])
        self.decoder = keras.Sequential([dense(4, 'relu'), dense(3, 'sigmoid')])
        self.total = keras.metrics.Mean(name='total_loss')
        self.recon = keras.metrics.Mean(name='reconstruction_loss')
        self.kl = keras.metrics.Mean(name='kl_loss')
    @property
    def metrics(self):
        return [self.total, self.recon, self.kl]
    def encode(self, x):
        h = self.encoder(x)
        return h[:, :2], h[:, 2:]
    def train_step(self, data):
        with tf.GradientTape() as tape:
            mean, log_var = self.encode(data)
            z = mean + tf.exp(0.5 * log_var) * 0.1  # a fixed 'noise', so runs compare exactly
            recon = tf.reduce_mean(tf.reduce_sum(tf.square(data - self.decoder(z)), axis=1))
            kl = -0.5 * tf.reduce_mean(tf.reduce_sum(1 + log_var - tf.square(mean)
                                                     - tf.exp(log_var), axis=1))
            total = recon + kl
        grads = tape.gradient(total, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        self.total.update_state(total); self.recon.update_state(recon); self.kl.update_state(kl)
        return {m.name: m.result() for m in self.metrics}
    def call(self, x):
        return self.decoder(self.encode(x)[0])
vae = VAE()
# SGD: Keras 2's Adam is tf-keras's legacy Adam, whose epsilon sits elsewhere than the new one's.
vae.compile(optimizer=keras.optimizers.SGD(0.05))
h = vae.fit(X, batch_size=4, epochs=3, shuffle=False, verbose=0)
result = {'history': history(h), 'names': vae.metrics_names,
          'predict': vae.predict(X[:3]).tolist(),
          'weights': [w.tolist() for w in vae.get_weights()]}
""",
    "datasets_spe_and_ran_out": """
class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.d = dense(1, 'sigmoid')
    def call(self, x):
        return self.d(x)
m = Net()
m.compile(keras.optimizers.SGD(0.5), 'binary_crossentropy', metrics=['accuracy'],
          steps_per_execution=3)
ds = tf.data.Dataset.from_tensor_slices((X, Y)).batch(4)
h = m.fit(ds.repeat(), steps_per_epoch=4, epochs=2, verbose=0)
evaluated = m.evaluate(ds, return_dict=True, verbose=0)
predicted = m.predict(ds, verbose=0).tolist()
m = Net()
m.compile(keras.optimizers.SGD(0.5), 'binary_crossentropy', metrics=['accuracy'])
import warnings
with warnings.catch_warnings(record=True):
    warnings.simplefilter('always')
    short = m.fit(ds.take(3), steps_per_epoch=2, epochs=3, verbose=0)
def gen():
    for i in range(4):
        yield X[i * 4:(i + 1) * 4], Y[i * 4:(i + 1) * 4]
h3 = m.fit(gen(), steps_per_epoch=4, epochs=1, verbose=0)
result = {'history': history(h), 'short': history(short), 'generator': history(h3),
          'evaluate': evaluated, 'predict': predicted,
          'test_on_batch': m.test_on_batch(X[:4], Y[:4], reset_metrics=False),
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
    if name == "gan":
        got, expected = (dict(v, tf_keras_loop=None) for v in (got, expected))
    assert _structure(got) == _structure(expected)
    np.testing.assert_allclose(_numbers(got), _numbers(expected), rtol=1e-6, atol=1e-7)


def test_the_override_is_really_called(runs):
    got = oracles.value(runs["compatkeras"], "compiled_loss_and_test_step")
    assert got["history"]["custom"] == [42.0, 42.0]
    assert list(got["evaluate"]) == ["evaluated"]
    gan = oracles.value(runs["compatkeras"], "gan")
    assert gan["traced_calls"] is True
    # The engine ran the step: tf-keras's own train function was never made.
    assert gan["tf_keras_loop"] is False
    assert oracles.value(runs["tv2"], "gan")["tf_keras_loop"] is True


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
    return [] if isinstance(value, str) or value is None else [float(value)]
