"""Keras 2 custom layers whose `build()` never sets `self.built` (Keras 2's `__call__` did) come
back from a saved configuration built once, with the saved weights (keras-contrib's `Capsule`
even ends its `build()` with `self.build = True`, which tf-keras's pre-build then calls); and
a variable kept in an attribute is a weight as each anchor had it (Keras 2.2.4: never; tf.keras
2.x: always, and trained)."""

import numpy as np
import pytest

import compatkeras as keras

K = keras.backend
BUILDS = []


class Scale(keras.layers.Layer):
    """A Keras 2.2.4-style layer: shape-first `add_weight`, no `super().build()`."""

    def build(self, input_shape):
        BUILDS.append(self.name)
        self.w = self.add_weight((int(input_shape[-1]),), "w", initializer="ones")
        self.build = True  # keras-contrib's slip: harmless in Keras 2

    def call(self, x):
        return x * self.w


@pytest.mark.parametrize("how", ["from_config", "h5"])
def test_a_layer_that_never_sets_built_reloads(tmp_path, how):
    inp = keras.Input((3,))
    model = keras.Model(inp, Scale(name="scale")(inp))
    model.layers[1].set_weights([np.array([1.0, 2.0, 3.0], "float32")])
    x = np.ones((2, 3), "float32")
    BUILDS.clear()
    if how == "from_config":
        again = keras.Model.from_config(model.get_config(), {"Scale": Scale})
        again.set_weights(model.get_weights())
    else:
        model.save(str(tmp_path / "m.h5"))
        again = keras.models.load_model(str(tmp_path / "m.h5"), {"Scale": Scale})
    assert BUILDS == ["scale"]
    np.testing.assert_array_equal(again.predict(x), model.predict(x))


class Normed(keras.layers.Layer):
    """keras-contrib's CosineConvolution2D: a constant kept in a `K.variable` attribute."""

    def build(self, input_shape):
        self.kernel = self.add_weight("kernel", (int(input_shape[-1]), 2), initializer="ones")
        self.norm = K.variable(np.full((1, 2), 2.0, "float32"), name="norm")
        self.built = True

    def call(self, x):
        return K.dot(x, self.kernel) / self.norm


class Keras1Style(keras.layers.Layer):
    """Keras 1: weights made with `K.variable` and declared through `trainable_weights`."""

    def build(self, input_shape):
        self.W = K.variable(np.ones((int(input_shape[-1]), 2), "float32"))
        self.trainable_weights = [self.W]

    def call(self, x):
        return K.dot(x, self.W)


@pytest.mark.parametrize("flavor", ["keras-2.2", "tf.keras"])
def test_a_variable_kept_in_an_attribute_is_a_weight_only_under_tf_keras(flavor):
    x, y = np.ones((4, 3), "float32"), np.zeros((4, 2), "float32")
    with keras.legacy.flavor(flavor):
        inp = keras.Input((3,))
        layer = Normed()
        model = keras.Model(inp, layer(inp))
        model.compile("sgd", "mse")
        model.train_on_batch(x, y)
        old_style = Keras1Style()
        old_style(inp)
    names = [w.name.split("/")[-1] for w in layer.weights]
    if flavor == "keras-2.2":  # Keras 2.2.4: only add_weight made weights; norm stays 2
        assert names == ["kernel:0"] and len(model.get_weights()) == 1
        np.testing.assert_array_equal(K.get_value(layer.norm), np.full((1, 2), 2.0))
    else:  # tf.keras 2.x tracked it, and trained it
        assert names == ["kernel:0", "norm:0"]
        assert not np.allclose(K.get_value(layer.norm), 2.0)
    assert old_style.trainable_weights == [old_style.W]  # declared: a weight in both


def test_trainable_takes_any_truth_value_as_keras_2_did():
    # keras-bert passes its list of trainable name prefixes as `trainable=` to every layer, then
    # sets each layer's `trainable` to a bool by its name. Keras 2.2.4 kept the value and read
    # its truth; tf-keras raised TypeError("Expected `trainable` argument to be a boolean").
    prefixes = ["Encoder"]
    inp = keras.Input((3,))
    hidden = keras.layers.Dense(4, name="Encoder-1", trainable=prefixes)(inp)
    model = keras.Model(inp, keras.layers.Dense(1, name="Output", trainable=prefixes)(hidden))
    assert [layer.trainable for layer in model.layers[1:]] == [True, True]
    for layer in model.layers[1:]:
        layer.trainable = any(layer.name.startswith(p) for p in prefixes)
    assert [w.name.split("/")[0] for w in model.trainable_weights] == ["Encoder-1"] * 2
    assert keras.layers.Dense(1, trainable=[]).trainable is False
    assert keras.layers.Dense(1, trainable=False).trainable is False
