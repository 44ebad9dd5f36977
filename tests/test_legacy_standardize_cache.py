"""Keras 2's per-batch checks are skipped for numpy batches whose kinds, shapes and dtypes
passed them before (`LegacyTraining._standardize`). What must still hold: every check that
depends on the compiled model runs again after a recompile, a
batch the checks reshape is never taken as passed, and the shared weights cannot be changed."""

import numpy as np
import pytest

import compatkeras as keras

X = np.random.RandomState(0).rand(4, 3).astype("float32")
Y = np.array([[0.0], [1.0], [0.0], [1.0]], "float32")


def model():
    inp = keras.Input((3,), name="inp")
    return keras.Model(inp, keras.layers.Dense(1, name="out")(inp))


def test_a_recompile_checks_again():
    m = model()
    m.compile("sgd", "mse")
    m.train_on_batch(X, Y)
    m.train_on_batch(X, Y)  # taken as passed
    m.compile("sgd", "categorical_crossentropy")
    for _ in range(2):
        with pytest.raises(ValueError, match="categorical_crossentropy"):
            m.train_on_batch(X, Y)


def test_shapes_and_dtypes_still_checked():
    m = model()
    m.compile("sgd", "mse")
    m.train_on_batch(X, Y)
    with pytest.raises(ValueError, match="expected inp to have shape"):
        m.train_on_batch(np.ones((4, 4), "float32"), Y)
    with pytest.raises(ValueError, match="same number of samples"):
        m.train_on_batch(X, Y[:3])
    m.train_on_batch(X.astype("float64"), Y)  # another dtype: checked, then passed


def test_reshaped_targets_are_never_taken_as_passed():
    m = model()
    m.compile("sgd", "mse")
    flat = Y[:, 0]
    for _ in range(2):
        xs, ys, ws, _ = m._standardize(X, flat)
        assert ys[0].shape == (4, 1) and ys[0] is not flat
    assert not any(key[1][0] == (4,) for key in m.__dict__.get("_plain_batches", {}))


def test_results_and_weights_are_those_of_the_checked_path():
    m = model()
    m.compile("sgd", "mse")
    first = m._standardize(X, Y)
    again = m._standardize(X, Y)
    assert again[0][0] is X and again[1][0] is Y and again[3] is False
    np.testing.assert_array_equal(again[2][0], first[2][0])
    with pytest.raises(ValueError, match="read-only"):
        again[2][0][0] = 5.0
    weighted = m._standardize(X, Y, sample_weight=np.arange(4.0))  # never from the cache
    np.testing.assert_array_equal(weighted[2][0], np.arange(4.0))
