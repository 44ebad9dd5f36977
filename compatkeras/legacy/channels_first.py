"""`channels_first` convolutions and poolings where TensorFlow has no NCHW kernel (the CPU).

Keras 2.2.4's layers called its backend (`K.conv2d`, `K.pool2d`), which transposed a
`channels_first` input to channels-last when no GPU was there and transposed the result back, so
Theano-era programs (`"image_data_format": "channels_first"` in keras.json) trained on a CPU.
tf-keras's `Conv2D`, `Conv3D`, `SeparableConv2D`, `Conv3DTranspose` and 2D poolings call
TensorFlow's ops with NCHW directly, which the CPU refuses ("The Conv2D op currently only supports
the NHWC tensor format on the CPU"); its other layers already go through the backend. Here those
layers run the same way as Keras 2.2.4's: transposed to channels-last, their own `call`, and
back. Nothing changes where NCHW kernels exist (a GPU).
"""

import functools

import tensorflow as tf
from tf_keras.src import backend as _backend
from tf_keras.src.layers.convolutional.base_conv import Conv
from tf_keras.src.layers.convolutional.conv3d_transpose import Conv3DTranspose
from tf_keras.src.layers.convolutional.separable_conv2d import SeparableConv2D
from tf_keras.src.layers.pooling.base_pooling2d import Pooling2D

_LAST = {"data_format": "channels_last", "_channels_first": False}


def _spatial_rank(layer):
    return getattr(layer, "rank", 2)


def _needs_transpose(layer, inputs):
    rank = _spatial_rank(layer)
    return (
        getattr(layer, "data_format", None) == "channels_first"
        and rank in (2, 3)
        and inputs.shape.rank == rank + 2
        and not _backend._has_nchw_support()
    )


def _channels_last_call(call):
    @functools.wraps(call)
    def wrapper(self, inputs):  # their one argument: tf-keras reads the signature
        if not _needs_transpose(self, inputs):
            return call(self, inputs)
        rank = _spatial_rank(self)
        to_last = [0, *range(2, rank + 2), 1]
        to_first = [0, rank + 1, *range(1, rank + 1)]
        saved = {
            name: self.__dict__[name] for name in (*_LAST, "_tf_data_format") if name in vars(self)
        }
        values = dict(_LAST, _tf_data_format="NHWC" if rank == 2 else "NDHWC")
        try:
            for name in saved:
                object.__setattr__(self, name, values[name])
            outputs = call(self, tf.transpose(inputs, to_last))
        finally:
            for name, value in saved.items():
                object.__setattr__(self, name, value)
        return tf.transpose(outputs, to_first)

    wrapper._channels_last = True
    return wrapper


def install():
    for cls in (Conv, SeparableConv2D, Conv3DTranspose, Pooling2D):
        if not getattr(cls.call, "_channels_last", False):
            cls.call = _channels_last_call(cls.call)
