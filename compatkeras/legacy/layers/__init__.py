"""Keras 2 `keras.layers`: tf-keras's layers plus the Keras 2 names that tf-keras dropped."""

import inspect as _inspect
import warnings as _warnings

import tensorflow as _tf
import tf_keras as _tf_keras
from tf_keras.layers import *
from tf_keras.layers import Conv2DTranspose, Conv3DTranspose

from compatkeras.legacy import flavors as _flavors
from compatkeras.legacy import tf_keras_names
from compatkeras.legacy.layer import Layer
from compatkeras.legacy.layers.cudnn_recurrent import CuDNNGRU, CuDNNLSTM
from compatkeras.legacy.legacy.layers import (
    ConvRecurrent2D,
    Highway,
    MaxoutDense,
    Merge,
    Recurrent,
    merge,
)

# Keras 2 aliases that tf-keras no longer exports.
Deconvolution2D = Deconv2D = Conv2DTranspose
Deconvolution3D = Deconv3D = Conv3DTranspose


def Input(
    shape=None,
    batch_size=None,
    name=None,
    dtype=None,
    sparse=None,
    tensor=None,
    ragged=None,
    type_spec=None,
    **kwargs,
):
    """Keras 2 `Input`. With `tensor=` a data tensor (the TF1-era pipeline: `Input(tensor=x)`
    with `compile(target_tensors=[y])` and `fit(steps_per_epoch=n)` with no x), the tensor is
    kept on the input layer so that training can feed it; tf-keras keeps only its shape.
    With `tensor=` a symbolic tensor computed from other inputs (WGAN-GP's
    `Input(shape, tensor=eps * real + (1 - eps) * fake)`), that tensor itself: Keras 2's input
    layer stayed connected to the inputs it was computed from, so `K.function(inputs, ...)`
    and `K.gradients` reach through it; tf-keras's would start a new, disconnected graph."""
    if _computed_keras_tensor(tensor):
        return tensor
    if tensor is not None and not _tf_keras.backend.is_keras_tensor(tensor):
        data = _tf.convert_to_tensor(tensor)
        result = _tf_keras.Input(
            batch_size=batch_size, name=name, dtype=dtype or data.dtype, tensor=data, **kwargs
        )
        # A variable stays one: Keras 2 read it in the graph at every step, so a callback that
        # changes it changes what the next step sees.
        # Set past tf-keras's attribute tracking: the variable is data, not a weight of the model.
        live = isinstance(tensor, _tf.Variable)
        object.__setattr__(
            result._keras_history.layer, "_compatkeras_tensor", tensor if live else data
        )
        return result
    return _tf_keras.Input(
        shape=shape,
        batch_size=batch_size,
        name=name,
        dtype=dtype,
        sparse=sparse,
        tensor=tensor,
        ragged=ragged,
        type_spec=type_spec,
        **kwargs,
    )


def _computed_keras_tensor(tensor):
    history = getattr(tensor, "_keras_history", None)
    return (
        tensor is not None
        and _tf_keras.backend.is_keras_tensor(tensor)
        and history is not None
        and not isinstance(history.layer, _tf_keras.layers.InputLayer)
    )


def _with_keras22_defaults(cls, defaults):
    """`cls` whose constructor takes Keras 2.2.4's defaults while the "keras-2.2" flavor is
    active; arguments the caller gives (by keyword or position) always win."""
    signature = _inspect.signature(cls.__init__)

    def __init__(self, *args, **kwargs):
        if _flavors.get_flavor() == _flavors.KERAS_2_2:
            given = signature.bind_partial(self, *args, **kwargs).arguments
            for name, value in defaults.items():
                if name not in given:
                    kwargs[name] = value
        cls.__init__(self, *args, **kwargs)

    return type(
        cls.__name__,
        (cls,),
        {
            "__init__": __init__,
            "__module__": __name__,
            "__doc__": f"{cls.__doc__}\n\nUnder the keras-2.2 flavor the defaults are {defaults}.",
        },
    )


class BatchNormalization(_tf_keras.layers.BatchNormalization):
    """tf-keras's `BatchNormalization`; made under the "keras-2.2" flavor, a frozen layer
    (`trainable=False`, also through a frozen model) follows Keras 2.2.4: a training-mode call
    normalizes with the batch's statistics and leaves the moving statistics as they are (2.2.4
    left a frozen layer's updates out of the training function). tf-keras (from tf.keras 2.0)
    runs a frozen layer in inference mode instead, with the moving statistics."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._keras22_frozen = _flavors.is_keras22()

    def _frozen_as_keras22(self):
        return getattr(self, "_keras22_frozen", False) and not self.trainable

    def _get_training_value(self, training=None):
        if not self._frozen_as_keras22():
            return super()._get_training_value(training)
        if training is None:
            training = _tf_keras.backend.learning_phase()
        return bool(training) if isinstance(training, int) else training

    def _assign_moving_average(self, variable, value, momentum, inputs_size):
        if self._frozen_as_keras22():
            momentum = 1.0  # the moving statistic keeps its value
        return super()._assign_moving_average(variable, value, momentum, inputs_size)

    def _assign_new_value(self, variable, value):
        if self._frozen_as_keras22():
            value = variable  # the fused kernel's new statistic is not kept
        return super()._assign_new_value(variable, value)


# Keras 2.2.4 defaults that later versions changed (tf.keras 2: sigmoid, reset_after=True).
LSTM = _with_keras22_defaults(LSTM, {"recurrent_activation": "hard_sigmoid"})
LSTMCell = _with_keras22_defaults(LSTMCell, {"recurrent_activation": "hard_sigmoid"})
GRU = _with_keras22_defaults(GRU, {"recurrent_activation": "hard_sigmoid", "reset_after": False})
GRUCell = _with_keras22_defaults(
    GRUCell, {"recurrent_activation": "hard_sigmoid", "reset_after": False}
)


def _accept_keras1_arguments(namespace):
    """Give every layer of the Keras 1 table keras 2.2.4's Keras 1 interface, once per class
    object, so that aliases (`Convolution2D`, `Conv2D`) stay the same class."""
    from compatkeras._keras1 import KERNEL_2D, KERNEL_3D, KWARGS
    from compatkeras.legacy.keras1 import keras1_interface

    wrapped = {}
    for name in sorted({*KWARGS, *KERNEL_2D, *KERNEL_3D}):
        cls = namespace.get(name)
        if isinstance(cls, type):
            if id(cls) not in wrapped:
                wrapped[id(cls)] = keras1_interface(cls)
            namespace[name] = wrapped[id(cls)]


_accept_keras1_arguments(globals())


def AtrousConvolution1D(*args, **kwargs):
    """Keras 1's dilated 1-D convolution: `Conv1D` with `dilation_rate=atrous_rate`."""
    kwargs["dilation_rate"] = kwargs.pop("atrous_rate", 1)
    _warnings.warn(
        "The `AtrousConvolution1D` layer has been deprecated. Use instead the `Conv1D` "
        "layer with the `dilation_rate` argument.",
        stacklevel=2,
    )
    return Conv1D(*args, **kwargs)


def AtrousConvolution2D(*args, **kwargs):
    """Keras 1's dilated 2-D convolution: `Conv2D` with `dilation_rate=atrous_rate`;
    `AtrousConvolution2D(filters, rows, cols)` reads the two ints as the kernel size."""
    kwargs["dilation_rate"] = kwargs.pop("atrous_rate", (1, 1))
    if len(args) == 3 and all(isinstance(a, int) for a in args):
        args = (args[0], (args[1], args[2]))
    _warnings.warn(
        "The `AtrousConvolution2D` layer has been deprecated. Use instead the `Conv2D` "
        "layer with the `dilation_rate` argument.",
        stacklevel=2,
    )
    return Conv2D(*args, **kwargs)


__getattr__ = tf_keras_names.fallback(__name__, "tf_keras.layers")
