"""Keras 2 GAN programs and a tf.keras 2.x model that adds its own metrics, through the drop-in,
against tf-keras's v1 engine (the Keras 2 graph engine) with the same weights and data (one
subprocess per side for all of them).

The standard pattern: the discriminator is compiled, then `discriminator.trainable = False`
before the combined model is built and compiled; Keras 2 kept training the discriminator
through its own compile (it took the trainable weights at compile), tf.keras 2.x's eager
engine freezes it. And a Keras-GAN-style WGAN-GP (the most copied Keras 2 GAN: `RandomWeightedAverage(_Merge)`, a
gradient-penalty loss that reads the interpolated images through `functools.partial` and
`K.gradients`, trainable toggled between two compiles, `train_on_batch`), through the drop-in,
against tf-keras's v1 engine (the Keras 2 graph engine) with the same weights and data."""

import numpy as np
import pytest

import oracles

WGAN_GP = """
from functools import partial
import numpy as np
K = keras.backend
L = keras.layers
try:
    from keras.layers.merge import _Merge
except ImportError:  # tf-keras: the same class under its own path
    from tf_keras.src.layers.merging.base_merge import _Merge
OPT = keras.optimizers.legacy if hasattr(keras.optimizers, 'legacy') else keras.optimizers
BATCH, LATENT = 4, 6

def init(seed):
    return keras.initializers.RandomNormal(0.0, 0.2, seed=seed)

class RandomWeightedAverage(_Merge):
    def _merge_function(self, inputs):
        alpha = K.constant(np.linspace(0.1, 0.9, BATCH).reshape(BATCH, 1, 1, 1))
        return (alpha * inputs[0]) + ((1 - alpha) * inputs[1])

def wasserstein_loss(y_true, y_pred):
    return K.mean(y_true * y_pred)

def gradient_penalty_loss(y_true, y_pred, averaged_samples):
    gradients = K.gradients(y_pred, averaged_samples)[0]
    gradients_sqr_sum = K.sum(K.square(gradients), axis=np.arange(1, len(gradients.shape)))
    return K.mean(K.square(1 - K.sqrt(gradients_sqr_sum)))

g_seq = keras.Sequential([L.Dense(4 * 4 * 4, activation='relu', input_dim=LATENT,
                                  kernel_initializer=init(1)),
                          L.Reshape((4, 4, 4)), L.UpSampling2D(),
                          L.Conv2D(1, 3, padding='same', kernel_initializer=init(2)),
                          L.Activation('tanh')])
noise = L.Input((LATENT,))
generator = keras.Model(noise, g_seq(noise))
c_seq = keras.Sequential([L.Conv2D(4, 3, strides=2, padding='same', input_shape=(8, 8, 1),
                                   kernel_initializer=init(3)),
                          L.LeakyReLU(0.2), L.Flatten(), L.Dense(1, kernel_initializer=init(4))])
img = L.Input((8, 8, 1))
critic = keras.Model(img, c_seq(img))

generator.trainable = False
real_img, z_disc = L.Input((8, 8, 1)), L.Input((LATENT,))
fake_img = generator(z_disc)
interpolated = RandomWeightedAverage()([real_img, fake_img])
gp = partial(gradient_penalty_loss, averaged_samples=interpolated)
gp.__name__ = 'gradient_penalty'
critic_model = keras.Model([real_img, z_disc],
                           [critic(real_img), critic(fake_img), critic(interpolated)])
critic_model.compile(loss=[wasserstein_loss, wasserstein_loss, gp],
                     optimizer=OPT.RMSprop(learning_rate=0.01), loss_weights=[1, 1, 10])
critic.trainable = False
generator.trainable = True
z_gen = L.Input((LATENT,))
generator_model = keras.Model(z_gen, critic(generator(z_gen)))
generator_model.compile(loss=wasserstein_loss, optimizer=OPT.RMSprop(learning_rate=0.01))

rng = np.random.RandomState(0)
images = np.tanh(rng.randn(16, 8, 8, 1)).astype('float32')
valid, fake, dummy = -np.ones((BATCH, 1)), np.ones((BATCH, 1)), np.zeros((BATCH, 1))
d_losses, g_losses = [], []
for step in range(4):
    for _ in range(3):
        batch = images[rng.randint(0, 16, BATCH)]
        z = rng.randn(BATCH, LATENT).astype('float32')
        d_losses.append([float(v) for v in critic_model.train_on_batch([batch, z],
                                                                        [valid, fake, dummy])])
    g_losses.append(float(generator_model.train_on_batch(z, valid)))
result = {'d': d_losses, 'g': g_losses,
          'critic': [w.tolist() for w in critic.get_weights()],
          'generator': [w.tolist() for w in generator.get_weights()]}
"""


DCGAN = """
import numpy as np
L = keras.layers
OPT = keras.optimizers.legacy if hasattr(keras.optimizers, 'legacy') else keras.optimizers

def init(seed):
    return keras.initializers.RandomNormal(0.0, 0.3, seed=seed)

discriminator = keras.Sequential([L.Dense(8, activation='relu', input_shape=(4,),
                                          kernel_initializer=init(1)),
                                  L.Dense(1, activation='sigmoid', kernel_initializer=init(2))])
discriminator.compile(OPT.Adam(learning_rate=0.01), 'binary_crossentropy', metrics=['accuracy'])
generator = keras.Sequential([L.Dense(4, activation='tanh', input_shape=(3,),
                                      kernel_initializer=init(3))])
z = L.Input((3,))
discriminator.trainable = False
combined = keras.Model(z, discriminator(generator(z)))
combined.compile(OPT.Adam(learning_rate=0.01), 'binary_crossentropy')
rng = np.random.RandomState(1)
real = rng.randn(32, 4).astype('float32') + 1.0
d_before = [w.copy() for w in discriminator.get_weights()]
d_losses, g_losses = [], []
for step in range(5):
    noise = rng.randn(8, 3).astype('float32')
    fake = generator.predict(noise)
    batch = real[rng.randint(0, 32, 8)]
    d_losses.append(discriminator.train_on_batch(np.concatenate([batch, fake]),
                                                 np.array([1] * 8 + [0] * 8)))
    g_losses.append(combined.train_on_batch(noise, np.ones(8)))
result = {'d': np.asarray(d_losses).tolist(), 'g': np.asarray(g_losses).tolist(),
          'd_moved': float(np.abs(discriminator.get_weights()[0] - d_before[0]).max()),
          'weights': [w.tolist() for w in discriminator.get_weights() + generator.get_weights()]}
"""


MODEL_METRICS = """
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
OPT = keras.optimizers.legacy if hasattr(keras.optimizers, 'legacy') else keras.optimizers
model.compile(OPT.SGD(learning_rate=0.05), 'mse', metrics=['mae'])
rng = np.random.RandomState(0)
x, y = rng.randn(24, 4).astype('float32'), rng.randn(24, 1).astype('float32')
history = model.fit(x, y, batch_size=8, epochs=3, verbose=0, shuffle=False).history
result = {'history': {k: history[k] for k in sorted(history)},
          'evaluate': model.evaluate(x, y, batch_size=8, verbose=0),
          'names': sorted(model.metrics_names)}
"""


@pytest.fixture(scope="module")
def results():
    programs = {"wgan_gp": WGAN_GP, "dcgan": DCGAN, "model_metrics": MODEL_METRICS}
    return oracles.run("dropin", programs), oracles.run("tv1", programs)


def _same(ours, theirs, keys):
    for key in keys:
        for a, b in zip(ours[key], theirs[key], strict=True):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-5)


def test_a_discriminator_frozen_after_its_compile_still_trains_through_it(results):
    ours, theirs = (oracles.value(r, "dcgan") for r in results)
    assert ours["d_moved"] > 1e-3  # tf.keras 2.x's eager engine leaves it at 0
    _same(ours, theirs, ("d", "g", "weights"))


def test_the_wgan_gp_trains_with_the_numbers_of_keras_2s_graph_engine(results):
    ours, theirs = (oracles.value(r, "wgan_gp") for r in results)
    penalties = [d[3] for d in ours["d"]]
    assert all(p > 0 for p in penalties)  # the penalty is computed, not a constant 0
    for key in ("d", "g", "critic", "generator"):
        for a, b in zip(ours[key], theirs[key], strict=True):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-5)


def test_metrics_added_by_the_model_are_reported_with_tf_keras_numbers(results):
    """tf.keras 2.x's `model.add_metric(tensor, name=...)` on a functional model and a layer's
    `self.add_metric(...)` in `call`: reported after the compiled metrics, under their own
    names, in history, evaluate and metrics_names."""
    ours, theirs = (oracles.value(r, "model_metrics") for r in results)
    assert set(ours["history"]) == {"loss", "mae", "mean_h", "mean_abs"}
    assert ours["history"].keys() == theirs["history"].keys()
    for key, values in ours["history"].items():
        np.testing.assert_allclose(values, theirs["history"][key], rtol=1e-5, err_msg=key)
    np.testing.assert_allclose(ours["evaluate"], theirs["evaluate"], rtol=1e-5)
    assert ours["names"] == theirs["names"]
