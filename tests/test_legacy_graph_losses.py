"""Losses that read the model's graph (keras-contrib's CRF loss, losses on a layer's input and
kernel) train as in Keras 2, whose losses were graph ops over the model's own tensors:
differential against tf-keras's v1 graph engine (the same model, weights and data), and the
Keras 2 list form of `node.input_tensors` through the drop-in."""

import numpy as np
import pytest

import oracles

SETUP = """
K = keras.backend
rng = np.random.RandomState(0)
x = rng.rand(6, 5, 4).astype('float32')
y = rng.rand(6, 5, 3).astype('float32')

def build():
    i = keras.layers.Input((5, 4))
    h = keras.layers.Dense(4, activation='tanh', kernel_initializer='ones', name='h')(i)
    d = keras.layers.Dense(3, kernel_initializer=keras.initializers.Constant(0.1), name='d')
    return keras.models.Model(i, d(h)), d

def first(tensors):
    return tensors[0] if isinstance(tensors, list) else tensors

def run(loss, model, steps=3):
    model.compile(SGD(0.1), loss)
    batches = [float(model.train_on_batch(x, y)) for _ in range(steps)]
    history = model.fit(x, y, batch_size=3, epochs=2, shuffle=False, verbose=0).history['loss']
    return {'batches': batches, 'fit': history, 'eval': float(model.evaluate(x, y, verbose=0)),
            'weights': [w.tolist() for w in model.get_weights()]}
"""

SCENARIOS = {
    # The layer's input times its kernel, read through `layer.input`.
    "layer_input": """
m, d = build()
def loss(y_true, y_pred):
    # (y_pred keeps the bias in the loss: Keras 2 raised for a weight without a gradient)
    return K.mean(K.square(K.dot(d.input, d.kernel) - y_true), -1) + 0.01 * K.mean(y_pred, -1)
result = run(loss, m)
""",
    # keras-contrib's CRF loss: the layer from y_pred's history, its input from the node.
    "crf_pattern": """
m, d = build()
def loss(y_true, y_pred):
    layer, node_index = y_pred._keras_history[:2]
    if layer._outbound_nodes:  # keras-contrib: the CRF must be the last layer
        raise TypeError('When learn_mode="join", CRF must be the last layer.')
    inputs = first(layer._inbound_nodes[node_index].input_tensors)
    energy = K.dot(inputs, layer.kernel) + layer.bias
    return K.mean(K.square(energy - y_true), -1) + 0.1 * K.mean(K.abs(y_pred), -1)
result = run(loss, m)
""",
    # An ordinary loss beside a graph-reading one: each output keeps its own.
    "two_outputs": """
i = keras.layers.Input((5, 4))
h = keras.layers.Dense(4, kernel_initializer='ones', name='h')(i)
a = keras.layers.Dense(3, kernel_initializer=keras.initializers.Constant(0.2), name='a')(h)
b = keras.layers.Dense(3, kernel_initializer=keras.initializers.Constant(0.3), name='b')(h)
m = keras.models.Model(i, [a, b])
def reads_h(y_true, y_pred):
    return K.mean(K.square(y_pred - y_true), -1) + K.mean(K.square(h), -1)
m.compile(SGD(0.05), ['mse', reads_h])
result = [[float(v) for v in m.train_on_batch(x, [y, y])] for _ in range(3)]
""",
    # keras-contrib's CRF accuracies: a metric that reads the layer's input from its node.
    "crf_metric": """
m, d = build()
def energy_error(y_true, y_pred):
    layer, node_index = y_pred._keras_history[:2]
    inputs = first(layer._inbound_nodes[node_index].input_tensors)
    # (not the kernel: TF1 may read a variable before or after the step's update)
    return K.mean(K.abs(inputs), -1) - K.mean(y_true, -1)
m.compile(SGD(0.1), 'mse', metrics=[energy_error])
batches = [[float(v) for v in m.train_on_batch(x, y)] for _ in range(3)]
history = m.fit(x, y, batch_size=3, epochs=2, shuffle=False, verbose=0).history
result = {'batches': batches, 'fit': [history[k] for k in sorted(history)],
          'eval': [float(v) for v in m.evaluate(x, y, verbose=0)]}
""",
    # keras-contrib's CRF loss in "marginal" mode: reads only which layer made y_pred.
    "history_only": """
m, d = build()
def loss(y_true, y_pred):
    layer = y_pred._keras_history[0]
    if layer.name == 'd':
        return K.mean(K.square(y_pred - y_true), -1)
    return K.mean(K.abs(y_pred - y_true), -1)
result = run(loss, m)
""",
}

DROPIN = """
from keras.layers import Input, Dense
from keras.models import Model
from keras import backend as K
i = Input((5, 4)); d = Dense(3); o = d(i); m = Model(i, o)
node = d._inbound_nodes[0]
def loss(y_true, y_pred):
    x = d._inbound_nodes[0].input_tensors[0]        # Keras 2: a list of the node's inputs
    return K.mean(K.square(K.dot(x, d.kernel) - y_true), -1)
m.compile('sgd', loss)
values = [float(m.train_on_batch(np.ones((2, 5, 4)), np.ones((2, 5, 3)))) for _ in range(3)]
result = {'lists': [isinstance(node.input_tensors, list), d.output_shape == (None, 5, 3),
                    node.inbound_layers == [m.layers[0]], i._keras_history[0]._inbound_nodes[0].inbound_layers == []],
          'config': node.get_config(),
          'decreasing': values[0] > values[1] > values[2]}
"""


@pytest.fixture(scope="module")
def results():
    scenarios = {name: SETUP + source for name, source in SCENARIOS.items()}
    return {
        "tv1": oracles.run("tv1", scenarios),
        "compatkeras": oracles.run("compatkeras-2.2", scenarios),
        "dropin": oracles.run("dropin", {"dropin": DROPIN}),
    }


@pytest.mark.parametrize("name", SCENARIOS)
def test_graph_reading_loss_trains_as_in_keras2(results, name):
    expected = oracles.value(results["tv1"], name)
    got = oracles.value(results["compatkeras"], name)
    np.testing.assert_allclose(_flat(got), _flat(expected), rtol=1e-5, atol=1e-6)


def test_nodes_hold_lists_and_the_keras2_form_trains(results):
    got = oracles.value(results["dropin"], "dropin")
    assert got == {
        "lists": [True, True, True, True],
        "decreasing": True,
        "config": {  # Keras 2.2.4's Node.get_config()
            "outbound_layer": "dense",
            "inbound_layers": ["input_1"],
            "node_indices": [0],
            "tensor_indices": [0],
        },
    }


def _flat(value):
    if isinstance(value, dict):
        return np.concatenate([_flat(value[k]) for k in sorted(value)])
    if isinstance(value, (list, tuple)):
        return np.concatenate([_flat(v) for v in value]) if value else np.zeros(0)
    return np.ravel(np.asarray(value, dtype="float64"))
