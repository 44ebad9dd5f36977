"""Keras 2.2.4's private layer bases that programs import: `_Conv` and `_Pooling2D` for
`isinstance` (keras-vis, Grad-CAM code) and `_Pooling*D` subclasses that implement
`_pooling_function` (custom poolings), plus `Input` in `keras.models`. A subclass computes what
tf-keras's own pooling computes on the same data."""

import numpy as np
import pytest

import compatkeras as keras
from compatkeras.legacy.layers import convolutional, pooling

K = keras.backend


def _pooling_subclass(base, pool):
    class Keras2Pooling(base):
        def _pooling_function(self, inputs, pool_size, strides, padding, data_format):
            return pool(inputs, pool_size, strides, padding, data_format, pool_mode="max")

    return Keras2Pooling


@pytest.mark.parametrize(
    "base, pool, theirs, shape",
    [
        (pooling._Pooling1D, K.pool2d, keras.layers.MaxPooling1D, (2, 6, 3)),
        (pooling._Pooling2D, K.pool2d, keras.layers.MaxPooling2D, (2, 6, 4, 3)),
        (pooling._Pooling3D, K.pool3d, keras.layers.MaxPooling3D, (2, 4, 4, 4, 3)),
    ],
)
def test_a_keras2_pooling_subclass_pools_as_tf_keras(base, pool, theirs, shape):
    x = np.random.RandomState(0).rand(*shape).astype("float32")
    ours = _pooling_subclass(base, pool)(strides=1, padding="same")
    np.testing.assert_array_equal(
        ours(x).numpy(), theirs(strides=1, padding="same", pool_size=ours.pool_size)(x).numpy()
    )
    model = keras.Sequential([keras.layers.InputLayer(shape[1:]), ours])
    assert model.output_shape == theirs(strides=1, padding="same").compute_output_shape(
        (None, *shape[1:])
    )
    assert ours.get_config()["padding"] == "same"


def test_the_private_bases_answer_isinstance_for_tf_keras_layers():
    assert isinstance(keras.layers.Conv2D(2, 3), convolutional._Conv)
    assert isinstance(keras.layers.Conv1D(2, 3), convolutional._Conv)
    assert isinstance(keras.layers.MaxPooling2D(), pooling._Pooling2D)
    assert isinstance(keras.layers.AveragePooling1D(), pooling._Pooling1D)
    assert isinstance(keras.layers.MaxPooling3D(), pooling._Pooling3D)
    assert isinstance(keras.layers.GlobalAveragePooling2D(), pooling._GlobalPooling2D)
    assert not isinstance(keras.layers.Dense(1), pooling._Pooling2D)
    subclass = _pooling_subclass(pooling._Pooling2D, K.pool2d)
    assert isinstance(subclass(), pooling._Pooling2D)
    assert not isinstance(keras.layers.MaxPooling2D(), subclass)


def test_the_base_pooling_function_is_abstract():
    with pytest.raises(NotImplementedError):
        pooling._Pooling2D()(np.ones((1, 4, 4, 1), "float32"))


def test_keras_models_has_input():
    from compatkeras.legacy.models import Input, InputLayer

    assert Input is keras.layers.Input and InputLayer is keras.layers.InputLayer
