"""Arrays read in stored order by `compatkeras.v3`: batches sliced in turn (`keras3_data`'s
in-order pipeline) instead of Keras 3's gathering pipeline. Oracle: Keras 3's own
`ArrayDataAdapter.get_tf_dataset()` on the same arrays, batch for batch, static shapes too."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras.src.trainers.data_adapters.array_data_adapter import ArrayDataAdapter

from compatkeras.v3 import keras3_data

RNG = np.random.RandomState(0)
X = RNG.normal(size=(70, 3))  # float64: Keras 3 casts it to floatx
Y = RNG.randint(0, 3, size=(70, 1))
CASES = {
    "partial last batch": dict(x=X, y=Y, batch_size=32),
    "whole batches": dict(x=X[:64], y=Y[:64], batch_size=16),
    "x only": dict(x=X, batch_size=8),
    "dict and list inputs": dict(x={"a": X, "b": [X[:, :1], X[:, 1:]]}, y=Y, batch_size=10),
    "sample weights": dict(x=X, y=Y, sample_weight=np.arange(70.0), batch_size=32),
    "class weights": dict(x=X, y=Y, class_weight={0: 1.0, 1: 2.0, 2: 0.5}, batch_size=32),
    "tensors and strings": dict(
        x=tf.constant(X, "float32"), y=np.array([str(i) for i in range(70)], object)
    ),
}


def _batches(dataset):
    return [tf.nest.map_structure(lambda t: t.numpy(), batch) for batch in dataset]


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_same_batches_as_keras3(case):
    adapter = ArrayDataAdapter(**CASES[case])
    ours = keras3_data._in_order_dataset(adapter)
    assert ours is not None
    theirs = adapter.get_tf_dataset()
    assert ours.element_spec == theirs.element_spec
    got, want = _batches(ours), _batches(theirs)
    assert len(got) == len(want) == adapter.num_batches
    for a, b in zip(got, want, strict=True):
        tf.nest.assert_same_structure(a, b)
        for u, v in zip(tf.nest.flatten(a), tf.nest.flatten(b), strict=True):
            assert u.dtype == v.dtype
            np.testing.assert_array_equal(u, v)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(x=X, y=Y, shuffle=True),
        dict(x=X, y=Y, shuffle="batch"),
        dict(x=tf.sparse.from_dense(X), y=Y),
        dict(x=tf.ragged.constant([[1.0], [2.0, 3.0]]), y=Y[:2]),
    ],
    ids=["shuffled", "batch-shuffled", "sparse", "ragged"],
)
def test_keras3_pipeline_otherwise(kwargs):
    assert keras3_data._in_order_dataset(ArrayDataAdapter(**kwargs)) is None


def test_fit_on_it_matches_keras3():
    """The whole path: a v3 model and a stock Keras 3 model from the same weights, fit on
    unshuffled arrays with a short last batch, validation and class weights, at spe 1 and 4."""
    import compatkeras.v3 as v3

    def build(module):
        keras.utils.set_random_seed(1)
        inp = module.Input((3,))
        out = module.layers.Dense(3, activation="softmax")(module.layers.Dense(4)(inp))
        return module.Model(inp, out)

    for spe in (1, 4):
        histories = []
        for module in (keras, v3):
            model = build(module)
            model.compile("adam", "sparse_categorical_crossentropy", steps_per_execution=spe)
            history = model.fit(
                X,
                Y,
                batch_size=16,
                epochs=3,
                shuffle=False,
                validation_split=0.2,
                class_weight={0: 1.0, 1: 2.0, 2: 0.5},
                verbose=0,
            ).history
            histories.append((history, [w.numpy() for w in model.weights]))
        (h3, w3), (hv, wv) = histories
        assert h3.keys() == hv.keys()
        for key in h3:
            np.testing.assert_allclose(hv[key], h3[key], rtol=1e-6, atol=1e-7)
        for a, b in zip(wv, w3, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
