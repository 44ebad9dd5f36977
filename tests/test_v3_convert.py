"""Moving models between the surfaces: `compatkeras.v3.Model.from_legacy` (tf-keras -> Keras 3)
and `compatkeras.legacy.Model.from_v3` (back). The original model is the oracle: the moved
models predict the same numbers with the weights they carried over."""

import numpy as np
import pytest

import compatkeras.legacy as legacy
import compatkeras.v3 as v3

L = legacy.layers
rng = np.random.RandomState(0)


def _convnet():
    i = L.Input((8, 8, 3))
    t = L.Conv2D(4, 3, padding="same", activation="relu")(i)
    t = L.MaxPooling2D()(t)
    t = L.BatchNormalization()(t)
    t = L.Conv2DTranspose(2, 3, strides=2, padding="same")(t)
    t = L.Flatten()(L.Dropout(0.2)(t))
    out = L.Dense(3, activation="softmax", kernel_regularizer=legacy.regularizers.l2(0.01))(t)
    return legacy.Model(i, out), rng.rand(4, 8, 8, 3).astype("float32")


def _text():
    i = L.Input((5,))
    t = L.Embedding(20, 6, mask_zero=True)(i)
    t = L.Bidirectional(L.LSTM(4, return_sequences=True))(t)
    return legacy.Model(i, L.Dense(1)(L.GRU(3)(t))), rng.randint(1, 20, (4, 5))


def _sequential():
    model = legacy.models.Sequential(
        [L.Dense(4, input_shape=(3,)), L.LeakyReLU(0.1), L.Dense(2), L.Activation("softmax")]
    )
    return model, rng.rand(4, 3).astype("float32")


def _two_in_two_out_shared():
    a, b = L.Input((3,), name="a"), L.Input((2,), name="b")
    joined = L.Concatenate()([a, b])
    shared = L.Dense(2, name="shared")
    outputs = [shared(joined), L.Dense(1, name="o2")(shared(joined))]
    x = [rng.rand(4, 3).astype("float32"), rng.rand(4, 2).astype("float32")]
    return legacy.Model([a, b], outputs), x


MODELS = {
    "convnet": _convnet,
    "text": _text,
    "sequential": _sequential,
    "shared": _two_in_two_out_shared,
}


def _outputs(prediction):
    return prediction if isinstance(prediction, list) else [prediction]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_moved_models_predict_the_same(name):
    old, x = MODELS[name]()
    new = v3.Model.from_legacy(old)
    back = legacy.Model.from_v3(new)
    assert isinstance(new, v3.Model) and isinstance(back, legacy.Model)
    assert isinstance(new, v3.Sequential) == (name == "sequential")
    assert isinstance(back, legacy.models.Sequential) == (name == "sequential")
    expected = _outputs(old.predict(x, verbose=0))
    for moved in (new, back):
        got = _outputs(moved.predict(x, verbose=0))
        for a, b in zip(expected, got, strict=True):
            np.testing.assert_allclose(b, a, atol=1e-6)


def test_a_layer_without_a_keras_3_equivalent_is_named():
    class Custom(L.Layer):
        pass

    i = L.Input((4,))
    model = legacy.Model(i, Custom(name="crf")(i))
    with pytest.raises(ValueError, match="'crf' \\(Custom\\) has no Keras 3 equivalent"):
        v3.Model.from_legacy(model)


def test_an_argument_without_an_equivalent_is_named_not_dropped():
    i = v3.Input((4,))
    model = v3.Model(i, v3.layers.Dense(2, lora_rank=2, name="d")(i))
    with pytest.raises(ValueError, match="'d' \\(Dense\\): tf-keras has no argument lora_rank=2"):
        legacy.Model.from_v3(model)


def test_subclassed_models_cannot_move():
    class Net(legacy.Model):
        def call(self, x):
            return x

    with pytest.raises(TypeError, match="subclassed model"):
        v3.Model.from_legacy(Net())
