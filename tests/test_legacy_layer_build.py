"""Keras 2 custom layers whose `build()` never sets `self.built` (Keras 2's `__call__` did) come
back from a saved configuration built once, with the saved weights (keras-contrib's `Capsule`
even ends its `build()` with `self.build = True`, which tf-keras's pre-build then calls)."""

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
