"""Three realistic Keras 2 programs on the graph idioms real projects use, run unchanged through
the drop-in (as `python -m compatkeras` runs them): a BiLSTM tagger with a CRF-style layer whose
loss reads the layer's input, a DQN agent whose optimizer adds soft target-network updates
(keras-rl's `AdditionalUpdatesOptimizer`), and an SSD-style detector whose anchor layer reads
`x._keras_shape` in `call`."""

import pytest

import oracles

CRF_TAGGER = """
import numpy as np
import keras
from keras import backend as K
from keras.layers import Input, Embedding, Bidirectional, LSTM, Layer
from keras.models import Model

class ChainCRF(Layer):
    # emissions plus a transition score; the loss reads the layer's input (keras-contrib style)
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
    def build(self, input_shape):
        self.kernel = self.add_weight((input_shape[-1], self.units), name='kernel',
                                      initializer='glorot_uniform')
        self.trans = self.add_weight((self.units, self.units), name='trans', initializer='zeros')
        super().build(input_shape)
    def call(self, x, mask=None):
        return K.softmax(K.dot(x, self.kernel))
    def compute_output_shape(self, input_shape):
        return input_shape[:2] + (self.units,)

def crf_loss(y_true, y_pred):
    crf, idx = y_pred._keras_history[:2]
    if crf._outbound_nodes:
        raise TypeError('When learn_mode="join", CRF must be the last layer.')
    x = crf._inbound_nodes[idx].input_tensors[0]
    energy = K.dot(x, crf.kernel)
    emission = K.sum(y_true * energy, -1) - K.logsumexp(energy, -1)
    pairs = K.sum(K.dot(y_true[:, :-1], crf.trans) * y_true[:, 1:], -1)
    return -(K.mean(emission, -1) + K.mean(pairs, -1))

np.random.seed(0)
words = np.random.randint(1, 20, (32, 7))
tags = np.eye(4)[words % 4]
inputs = Input((7,))
h = Bidirectional(LSTM(8, return_sequences=True))(Embedding(20, 8)(inputs))
crf = ChainCRF(4)
model = Model(inputs, crf(h))
model.compile(keras.optimizers.Adam(0.02), crf_loss)
history = model.fit(words, tags, batch_size=8, epochs=15, verbose=0).history['loss']
accuracy = float(np.mean(model.predict(words).argmax(-1) == words % 4))
result = {'first': history[0], 'last': history[-1], 'accuracy': accuracy}
"""

DQN_AGENT = """
import numpy as np
import keras
from keras import backend as K
from keras.layers import Input, Dense
from keras.models import Model, clone_model
from keras.optimizers import Adam, Optimizer

class AdditionalUpdatesOptimizer(Optimizer):
    def __init__(self, optimizer, additional_updates):
        super().__init__()
        self.optimizer = optimizer
        self.additional_updates = additional_updates
    def get_updates(self, loss, params):
        updates = self.optimizer.get_updates(loss=loss, params=params)
        updates += self.additional_updates()
        self.updates = updates
        return self.updates

def build():
    s = Input((4,))
    return Model(s, Dense(2)(Dense(16, activation='relu')(s)))

np.random.seed(1)
model = build()
target = clone_model(model)
target.set_weights(model.get_weights())
tau = 0.1
def soft_updates():  # built in the step from the variables: follows them at every step
    return [(tw, tau * sw + (1. - tau) * tw)
            for tw, sw in zip(target.trainable_weights, model.trainable_weights)]
model.compile(AdditionalUpdatesOptimizer(Adam(1e-2), soft_updates), 'mse')
states = np.random.rand(64, 4)
for step in range(20):
    batch = states[np.random.randint(0, 64, 16)]
    q_next = target.predict_on_batch(batch)
    targets = model.predict_on_batch(batch)
    targets[:, 0] = 1.0 + 0.9 * q_next.max(-1)
    before = [w.copy() for w in target.get_weights()]
    source_before = [w.copy() for w in model.get_weights()]
    model.train_on_batch(batch, targets)
source = model.get_weights()
expected = [tau * s + (1 - tau) * t for s, t in zip(source, before)]
result = {'follows': bool(all(np.allclose(e, t, atol=1e-6)
                              for e, t in zip(expected, target.get_weights()))),
          'moved': bool(any(not np.allclose(b, t) for b, t in zip(before, target.get_weights())))}
"""

SSD_ANCHORS = """
import numpy as np
from keras import backend as K
from keras.layers import Input, Conv2D, Layer, Reshape, Concatenate
from keras.models import Model

class AnchorBoxes(Layer):
    def __init__(self, sizes, **kwargs):
        super().__init__(**kwargs)
        self.sizes = sizes
    def call(self, x, mask=None):
        batch_size, height, width, channels = x._keras_shape
        cy, cx = np.meshgrid(np.arange(height) + 0.5, np.arange(width) + 0.5, indexing='ij')
        boxes = np.stack([np.stack([cx / width, cy / height, np.full(cx.shape, s),
                                    np.full(cx.shape, s)], -1) for s in self.sizes], -2)
        boxes = K.constant(boxes[None].astype('float32'))
        return K.tile(boxes, (K.shape(x)[0], 1, 1, 1, 1))
    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[1:3]) + (len(self.sizes), 4)

image = Input((8, 8, 3))
features = Conv2D(6, 3, strides=2, padding='same', activation='relu')(image)
offsets = Reshape((4, 4, 2, 4))(Conv2D(8, 1)(features))
anchors = AnchorBoxes([0.2, 0.4])(features)
boxes = Concatenate(-1)([offsets, anchors])
model = Model(image, boxes)
def box_loss(y_true, y_pred):
    return K.mean(K.square(y_pred[..., :4] + y_pred[..., 4:] - y_true[..., 4:]), [-2, -1])
model.compile('adam', box_loss)
x = np.random.RandomState(2).rand(8, 8, 8, 3)
y = np.concatenate([np.zeros((8, 4, 4, 2, 4)), model.predict(x)[..., 4:]], -1)
history = model.fit(x, y, batch_size=4, epochs=6, verbose=0).history['loss']
result = {'shape': list(model.output_shape), 'first': history[0], 'last': history[-1]}
"""


@pytest.fixture(scope="module")
def results():
    return oracles.run(
        "dropin", {"crf": CRF_TAGGER, "dqn": DQN_AGENT, "ssd": SSD_ANCHORS}, timeout=900
    )


def test_crf_tagger_learns(results):
    got = oracles.value(results, "crf")
    # learning rate and epochs leave no doubt: 6 draws all end at accuracy 1.0 and a loss below
    # -1.0 from about 1.35 (at Adam's default 0.001 for 8 epochs, one draw in CI stayed at chance)
    assert got["last"] < got["first"] - 1.0 and got["accuracy"] > 0.9, got


def test_dqn_target_network_follows_the_soft_update_rule(results):
    assert oracles.value(results, "dqn") == {"follows": True, "moved": True}


def test_ssd_anchor_layer_builds_and_trains(results):
    got = oracles.value(results, "ssd")
    assert got["shape"] == [None, 4, 4, 2, 8]
    assert got["last"] < got["first"], got
