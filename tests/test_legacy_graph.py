"""Keras 2's names for the layer graph, on tf-keras's own layers and tensors: which tensors
depend on the learning phase, updates and losses recorded with `inputs=`, constant losses,
`_layers_by_depth`, `_set_inputs`, and `tensorflow_backend._get_available_gpus`.

The expected values are Keras 2.2.4's rules, stated next to each check (no library computes
them on TensorFlow 2). Everything runs in one subprocess, through the drop-in, so that the
calls go to the tf-keras classes a Keras 2 program gets.
"""

import pytest

import oracles

SCENARIO = """
from keras import backend as K
from keras import layers
from keras.models import Model
from keras.backend import tensorflow_backend

a, b = layers.Input((4,), name='a'), layers.Input((4,), name='b')
dense = layers.Dense(3)(a)
dropped = layers.Dropout(0.5)(b)
fixed = layers.Dropout(0.5)(layers.Dense(3)(a), training=True)
merged = layers.concatenate([dense, dropped])
model = Model([a, b], [dense, dropped])
c, d = layers.Input((4,)), layers.Input((4,))
nested = model([c, d])
fixed_model = Model(a, fixed)
phase = {
    'dense': dense._uses_learning_phase, 'dropout': dropped._uses_learning_phase,
    'merged': merged._uses_learning_phase, 'training_given': fixed._uses_learning_phase,
    'model': model.uses_learning_phase, 'nested': [t._uses_learning_phase for t in nested],
    'fixed_model': fixed_model.uses_learning_phase,
    'fixed_from_config': Model.from_config(fixed_model.get_config()).uses_learning_phase,
    'layers': [layers.Dense(1).uses_learning_phase, layers.Dropout(0.1).uses_learning_phase],
}

layer = layers.Dense(1)
layer.add_update(0, inputs=a)
layer.add_update(1, inputs=None)
layer.add_loss(2, inputs=a)
layer.add_loss(3.5, inputs=None)
conditional = {
    'updates': [layer.get_updates_for(a), layer.get_updates_for(None), layer.get_updates_for(b)],
    'losses': [layer.get_losses_for(a), layer.get_losses_for(None)],
    'constant_losses': sorted(float(v) for v in layer.losses),
}

x1, x2 = layers.Input((5,), name='x1'), layers.Input((5,), name='x2')
shared = layers.Embedding(5, 4)
deep = layers.Dense(2)(layers.Dense(3)(shared(x2)))
depth_model = Model([x1, x2], layers.concatenate([shared(x1), deep]))
depth_of = {layer.name: depth for depth, ls in depth_model._layers_by_depth.items() for layer in ls}

seq = keras.models.Sequential([layers.Dense(2, input_shape=(3,))])
copy = Model(seq.inputs, seq.outputs)
def set_again():
    try:
        copy._set_inputs(seq.inputs)
    except ValueError as e:
        return str(e)
refused = set_again()
copy.inputs = None
copy._set_inputs(seq.inputs)
class AnchorBoxes(layers.Layer):
    # an SSD detector's anchor layer: reads the input's Keras 2 shape inside call
    def call(self, x, training=None):
        self.seen = x._keras_shape
        batch, height, width, channels = x._keras_shape
        return K.ones_like(x) * float(height * width)

img = layers.Input((4, 5, 3))
anchors = AnchorBoxes()
anchor_model = Model(img, anchors(img))
built_shape = anchors.seen
anchor_model.compile('sgd', 'mse')
anchor_model.train_on_batch(np.ones((2, 4, 5, 3)), np.ones((2, 4, 5, 3)))
class SetsShape(layers.Layer):
    def call(self, x):
        out = x * 2.
        out._keras_shape = (None, 99)  # Keras 2 custom layers set it on what they return
        self.after = out._keras_shape
        return out
sets_shape = SetsShape()
sets_shape(layers.Input((3,)))
class Declares(layers.Layer):
    # keras-contrib's CRF: declares in `call` that its output depends on the learning phase
    def call(self, x):
        self.uses_learning_phase = True
        return x * 2.
declares = Declares()
declared_before = declares.uses_learning_phase
declared_model = Model(a, declares(a))
declared_model.compile('sgd', 'mse')
declared_model.train_on_batch(np.ones((2, 4)), np.ones((2, 4)))
phase['declared'] = [declared_before, declares.uses_learning_phase]
one_output = Model(a, dense)
result = {'phase': phase, 'conditional': conditional,
          'keras_shape': [list(built_shape), list(anchors.seen), dense._keras_shape[1],
                          list(sets_shape.after)],
          'len_check': [hasattr(one_output.output, '__len__') and len(one_output.output) > 1,
                        len(model.outputs)],
          'depths': [depth_of['x1'], depth_of['x2']],
          'set_inputs': [refused, copy.predict(np.ones((1, 3))).shape[1]],
          'gpus': tensorflow_backend._get_available_gpus()}
"""


@pytest.fixture(scope="module")
def got():
    return oracles.value(oracles.run("dropin", {"graph": SCENARIO}), "graph")


def test_tensors_and_models_say_whether_they_use_the_learning_phase(got):
    # Keras 2.2.4: a tensor uses the learning phase when a layer behind it behaves differently
    # in training (Dropout) and was not called with `training=`; a model when an output does.
    assert got["phase"] == {
        "dense": False,
        "dropout": True,
        "merged": True,
        "training_given": False,
        "model": True,
        "nested": [True, True],  # a model used as a layer: all its outputs
        "fixed_model": False,
        "fixed_from_config": False,
        "layers": [False, True],
        "declared": [False, True],  # set in `call`, read back as set
    }


def test_updates_and_losses_recorded_with_inputs_are_returned_for_those_inputs(got):
    assert got["conditional"]["updates"] == [[0], [1], []]
    assert got["conditional"]["losses"] == [[2], [3.5]]
    assert got["conditional"]["constant_losses"] == [2.0, 3.5]  # constants, as Keras 2 took


def test_inputs_through_a_shared_layer_have_the_same_depth(got):
    first, second = got["depths"]
    assert first == second


def test_set_inputs_refuses_set_inputs_and_restores_cleared_ones(got):
    refused, width = got["set_inputs"]
    assert refused == "Model inputs are already set."
    assert width == 2


def test_available_gpus_lists_none_on_a_cpu_machine(got):
    assert got["gpus"] == []


def test_tensors_in_call_have_keras2_shapes(got):
    # Keras 2's Layer.__call__ set `_keras_shape` on what `call` received: at build time the
    # batch is unknown; in a training step traced on a batch of 2 it is the traced shape.
    built, in_step, dense_units, set_in_call = got["keras_shape"]
    assert set_in_call == [None, 99]
    assert built == [None, 4, 5, 3]
    assert in_step[1:] == [4, 5, 3] and in_step[0] in (None, 2)
    assert dense_units == 3


def test_a_single_output_has_no_len(got):
    # keras-rl: `hasattr(model.output, '__len__') and len(model.output) > 1` was False.
    assert got["len_check"] == [False, 2]


# Keras 2.2.4's rule (its `Network.losses`): a model lists the activity-regularization losses
# of the calls in its own graph, plus every unconditional loss. tf-keras (v1 and v2 engines
# alike, checked: 3 and 3) lists every loss the layers made.
def _nested_losses(flavor):
    import numpy as np

    import compatkeras as keras

    L = keras.layers  # noqa: N806
    with keras.legacy.flavor(flavor):
        inner = keras.Sequential(
            [
                L.Dense(5, input_dim=5, activity_regularizer="l1", kernel_initializer="ones"),
                L.Dense(5, kernel_regularizer="l2", kernel_initializer="ones"),
            ]
        )
        inputs = L.Input(shape=(5,))
        outer = keras.Model(inputs, inner(inputs))
        counts = [len(inner.losses), len(outer.losses)]
        outer.compile("sgd", "mse")
    loss = outer.train_on_batch(np.ones((2, 5)), np.zeros((2, 5)))
    return {"counts": counts, "loss": float(loss)}


@pytest.fixture(scope="module")
def nested_losses():
    return {flavor: _nested_losses(flavor) for flavor in ("keras-2.2", "tf.keras")}


def test_a_model_lists_the_activity_losses_of_its_own_calls_under_keras_2_2(nested_losses):
    keras22 = nested_losses["keras-2.2"]
    assert keras22["counts"] == [2, 2]


def test_tf_keras_keeps_every_loss_its_layers_made(nested_losses):
    assert nested_losses["tf.keras"]["counts"] == [3, 3]


def test_training_counts_one_activity_loss_per_call_in_both_flavors(nested_losses):
    # mse of 25 per unit = 625; l1 (0.01) of the first layer's output, 5 per unit, 25 per row,
    # summed over the batch of 2 and divided by it: 0.25; l2 (0.01) of 25 kernel ones: 0.25
    expected = 625 + 0.25 + 0.25
    assert nested_losses["keras-2.2"]["loss"] == pytest.approx(expected, rel=1e-5)
    assert nested_losses["tf.keras"]["loss"] == pytest.approx(expected, rel=1e-5)
