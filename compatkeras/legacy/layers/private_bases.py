"""Keras 2.2.4's private layer base classes, which programs import for two uses: `isinstance`
checks (keras-vis and Grad-CAM code find the last `_Conv` or `_Pooling2D` layer) and subclasses
(custom poolings that implement `_pooling_function`).

`_Conv` and the `_GlobalPooling*D` classes are tf-keras's bases: same constructor arguments
(keyword use; tf-keras added `groups` after `dilation_rate`), and subclasses override `call`.
tf-keras's `Pooling*D` bases take a `pool_function` first and never call `_pooling_function`, so
`_Pooling*D` are Keras 2.2.4's contract on tf-keras's bases: its constructor, a `call` that hands
`_pooling_function` Keras 2's arguments. `isinstance(MaxPooling2D(), _Pooling2D)` holds too.
"""

from tf_keras import backend as K
from tf_keras.src.layers.convolutional.base_conv import Conv as _Conv
from tf_keras.src.layers.pooling import base_pooling1d, base_pooling2d, base_pooling3d
from tf_keras.src.layers.pooling.base_global_pooling1d import GlobalPooling1D as _GlobalPooling1D
from tf_keras.src.layers.pooling.base_global_pooling2d import GlobalPooling2D as _GlobalPooling2D
from tf_keras.src.layers.pooling.base_global_pooling3d import GlobalPooling3D as _GlobalPooling3D

__all__ = [
    "_Conv",
    "_GlobalPooling1D",
    "_GlobalPooling2D",
    "_GlobalPooling3D",
    "_Pooling1D",
    "_Pooling2D",
    "_Pooling3D",
]


class _Keras2Base(type):
    """`isinstance(layer, _Pooling2D)` also holds for tf-keras's poolings (`MaxPooling2D`),
    whose base the class stands for; subclasses of it check as usual."""

    def __instancecheck__(cls, instance):
        stands_for = cls.__dict__.get("_stands_for")
        if stands_for is not None and isinstance(instance, stands_for):
            return True
        return super().__instancecheck__(instance)

    def __subclasscheck__(cls, subclass):
        stands_for = cls.__dict__.get("_stands_for")
        if stands_for is not None and issubclass(subclass, stands_for):
            return True
        return super().__subclasscheck__(subclass)


class _Pooling2D(base_pooling2d.Pooling2D, metaclass=_Keras2Base):
    _stands_for = base_pooling2d.Pooling2D

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(None, pool_size, strides, padding, data_format, **kwargs)

    def _pooling_function(self, inputs, pool_size, strides, padding, data_format):
        raise NotImplementedError

    def call(self, inputs):
        return self._pooling_function(
            inputs=inputs,
            pool_size=self.pool_size,
            strides=self.strides,
            padding=self.padding,
            data_format=self.data_format,
        )


class _Pooling3D(base_pooling3d.Pooling3D, metaclass=_Keras2Base):
    _stands_for = base_pooling3d.Pooling3D

    def __init__(
        self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None, **kwargs
    ):
        super().__init__(None, pool_size, strides, padding, data_format, **kwargs)

    _pooling_function = _Pooling2D._pooling_function
    call = _Pooling2D.call


class _Pooling1D(base_pooling1d.Pooling1D, metaclass=_Keras2Base):
    _stands_for = base_pooling1d.Pooling1D

    def __init__(
        self, pool_size=2, strides=None, padding="valid", data_format="channels_last", **kwargs
    ):
        super().__init__(None, pool_size, strides, padding, data_format, **kwargs)

    _pooling_function = _Pooling2D._pooling_function

    def call(self, inputs):
        # Keras 2.2.4 pooled a 1-D input as 2-D with a dummy axis of size 1.
        dummy_axis = 2 if self.data_format == "channels_last" else 3
        output = self._pooling_function(
            inputs=K.expand_dims(inputs, dummy_axis),
            pool_size=self.pool_size + (1,),
            strides=self.strides + (1,),
            padding=self.padding,
            data_format=self.data_format,
        )
        return K.squeeze(output, dummy_axis)
