"""compatkeras.engine.model: the model classes every surface builds on."""

import numpy as np
import pytest
import tf_keras
from tf_keras.src.engine import functional as tfk_functional

import compatkeras as keras
from compatkeras import engine

import oracles


def small_functional(cls=keras.Model):
    inp = keras.Input((3,))
    return cls(inp, keras.layers.Dense(2)(inp))


class Subclassed(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(2)

    def call(self, x):
        return self.dense(x)


class FunctionalSubclass(keras.Model):
    """The "subclassed functional" pattern: a subclass that calls super().__init__(inputs, outputs)."""

    def __init__(self):
        inp = keras.Input((3,))
        super().__init__(inp, keras.layers.Dense(2)(inp))

    def describe(self):
        return "mine"


def test_functional_model_is_ours_and_tf_keras():
    model = small_functional()
    assert isinstance(model, keras.legacy.Model)
    assert isinstance(model, engine.Model)
    assert isinstance(model, tfk_functional.Functional)
    assert isinstance(model, tf_keras.Model)
    assert type(model).__name__ == "Model"


def test_no_class_is_mutated_by_functional_construction():
    bases = {cls: cls.__bases__ for cls in (keras.legacy.Model, engine.Model, FunctionalSubclass)}
    small_functional()
    functional_subclass = FunctionalSubclass()
    assert {cls: cls.__bases__ for cls in bases} == bases
    assert functional_subclass.describe() == "mine"
    assert isinstance(functional_subclass, FunctionalSubclass)
    # Subclassing still gives a plain (non-functional) model after all that.
    sub = Subclassed()
    assert not isinstance(sub, tfk_functional.Functional)
    assert sub(np.ones((1, 3), "float32")).shape == (1, 2)


def test_sequential_is_legacy_engine_and_tf_keras():
    model = keras.Sequential([keras.layers.Dense(2, input_shape=(3,))])
    mro = type(model).__mro__
    assert (
        mro.index(keras.legacy.Model)
        < mro.index(engine.Sequential)
        < mro.index(tf_keras.Sequential)
    )
    assert model.predict(np.ones((4, 3), "float32"), verbose=0).shape == (4, 2)


def test_model_config_round_trip_keeps_weights():
    model = small_functional()
    clone = keras.models.Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    x = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0))


# Differential: the same spec scenarios through compatkeras and through tf-keras's v1 engine
# (the real Keras 2 engine). Flavor "tf.keras" (the default) must match that column.
SCENARIOS = {
    "O2 weighted evaluate": """
m = lin3(); m.compile(SGD(0.0), 'mse')
result = m.evaluate(X4, Y4, sample_weight=np.array([1, 0, 0, 0], 'float32'), batch_size=4, verbose=0)
""",
    "O11 two outputs": """
m = two_out()
m.compile(SGD(0.0), ['mse', 'categorical_crossentropy'], metrics=['acc'], loss_weights=[1, .5])
y2 = np.eye(2, dtype='float32')[[0, 1, 0, 1]]
values = m.evaluate(X4, [Y4, y2], batch_size=4, verbose=0)
result = {'names': m.metrics_names, 'values': values,
          'shapes': [list(p.shape) for p in m.predict(X4, verbose=0)]}
""",
    "metrics_names right after compile": """
m = two_out()
m.compile(SGD(0.0), ['mse', 'categorical_crossentropy'], metrics=['acc'])
result = m.metrics_names
""",
}
# Known gaps, each owned by an open issue. strict=True: the test fails as soon as the gap closes,
# so the marker cannot outlive the fix.
GAPS = {}


@pytest.fixture(scope="module")
def tv1():
    return oracles.run("tv1", SCENARIOS)


@pytest.fixture(scope="module")
def ours():
    return oracles.run("compatkeras", SCENARIOS)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=GAPS[n])) if n in GAPS else n
        for n in sorted(SCENARIOS)
    ],
)
def test_matches_keras2_engine(tv1, ours, name):
    expected, got = oracles.value(tv1, name), oracles.value(ours, name)
    if isinstance(expected, dict):
        assert got["names"] == expected["names"]
        assert got["shapes"] == expected["shapes"]
        np.testing.assert_allclose(got["values"], expected["values"], atol=1e-5)
    elif isinstance(expected, list) and expected and isinstance(expected[0], str):
        assert got == expected
    else:
        np.testing.assert_allclose(got, expected, atol=1e-5)
