"""Keras 2.2.4 backend names that tf-keras no longer has, and `batch_dot` as 2.2.4 computed it.

Each function follows Keras 2.2.4's `keras/backend/tensorflow_backend.py` (and `common.py`):
same arguments, same results, same errors. `K.tf` and `K.control_flow_ops` are the modules
Keras 2.2.4 imported and programs reached through `K` (YOLOv3's
`K.control_flow_ops.while_loop`).
"""

import types

import tensorflow as tf
import tf_keras
from tf_keras import backend as _K
from tf_keras.src.engine import keras_tensor

from compatkeras.legacy import flavors, graph_mode

__all__ = [
    "batch_dot",
    "batch_get_value",
    "control_flow_ops",
    "conv3d_transpose",
    "eager",
    "get_variable_shape",
    "identity",
    "image_dim_ordering",
    "is_placeholder",
    "is_tensor",
    "logsumexp",
    "normalize_data_format",
    "relu",
    "separable_conv1d",
    "set_image_dim_ordering",
    "slice",
    "symbolic",
]

control_flow_ops = types.SimpleNamespace(
    while_loop=tf.while_loop,
    cond=tf.cond,
    case=tf.case,
    group=tf.group,
    tuple=tf.tuple,
    no_op=tf.no_op,
    with_dependencies=lambda dependencies, output, name=None: _with_dependencies(
        dependencies, output
    ),
)


def _with_dependencies(dependencies, output):
    with tf.control_dependencies(dependencies):
        return tf.identity(output)


_DATA_FORMATS = {"channels_first", "channels_last"}


def image_dim_ordering():
    """Keras 1's name for `image_data_format()`: 'th' (channels_first) or 'tf'."""
    return "th" if _K.image_data_format() == "channels_first" else "tf"


def set_image_dim_ordering(dim_ordering):
    if dim_ordering not in {"tf", "th"}:
        raise ValueError("Unknown dim_ordering:", dim_ordering)
    _K.set_image_data_format("channels_first" if dim_ordering == "th" else "channels_last")


def normalize_data_format(value):
    if value is None:
        value = _K.image_data_format()
    data_format = value.lower()
    if data_format not in _DATA_FORMATS:
        raise ValueError(
            'The `data_format` argument must be one of "channels_first", '
            f'"channels_last". Received: {value}'
        )
    return data_format


def symbolic(func):
    """Keras 2.3's decorator that ran `func` in the Keras graph (optimizers' `get_updates`).
    Here a Keras 2 `get_updates` runs inside the compiled training step, already a graph, so
    `func` is returned as it is."""
    return func


def eager(func):
    """Keras 2.3's decorator that ran `func` outside the Keras graph: eager is the default."""
    return func


def logsumexp(x, axis=None, keepdims=False):
    return tf.reduce_logsumexp(x, axis, keepdims)


def slice(x, start, size):
    return tf.slice(x, start, size)


def identity(x, name=None):
    return tf.identity(x, name=name)


def is_tensor(x):
    return isinstance(x, keras_tensor.KerasTensor) or tf.is_tensor(x)


def is_placeholder(x):
    """Whether `x` is a model input (Keras 2: a placeholder the model was built on)."""
    history = getattr(x, "_keras_history", None)
    return history is not None and isinstance(history.layer, tf_keras.layers.InputLayer)


def get_variable_shape(x):
    return _K.int_shape(x)


def separable_conv1d(
    x,
    depthwise_kernel,
    pointwise_kernel,
    strides=1,
    padding="valid",
    data_format=None,
    dilation_rate=1,
):
    """A 1-D separable convolution as Keras 2.2.4 ran it: a 2-D one over a unit height."""
    data_format = normalize_data_format(data_format)
    strides = strides[0] if isinstance(strides, (tuple, list)) else strides
    dilation = dilation_rate[0] if isinstance(dilation_rate, (tuple, list)) else dilation_rate
    spatial_axis = 2 if data_format == "channels_first" else 1
    x = tf.expand_dims(x, spatial_axis)
    out = _K.separable_conv2d(
        x,
        tf.expand_dims(depthwise_kernel, 0),
        tf.expand_dims(pointwise_kernel, 0),
        strides=(1, strides),
        padding=padding,
        data_format=data_format,
        dilation_rate=(1, dilation),
    )
    return tf.squeeze(out, [spatial_axis])


def conv3d_transpose(x, kernel, output_shape, strides=(1, 1, 1), padding="valid", data_format=None):
    data_format = normalize_data_format(data_format)
    if padding not in {"same", "valid"}:
        raise ValueError(f"Unknown padding: {padding}")
    output_shape = list(output_shape)
    if data_format == "channels_first":
        x = tf.transpose(x, (0, 2, 3, 4, 1))
        output_shape = [output_shape[0], *output_shape[2:], output_shape[1]]
    if output_shape[0] is None:
        output_shape = [tf.shape(x)[0], *output_shape[1:]]
    out = tf.nn.conv3d_transpose(
        x, kernel, tf.stack(output_shape), (1, *strides, 1), padding=padding.upper()
    )
    if data_format == "channels_first":
        out = tf.transpose(out, (0, 4, 1, 2, 3))
    return out


def _tensor(x):
    return x if is_tensor(x) else tf.convert_to_tensor(x)


def batch_dot(x, y, axes=None):
    """`K.batch_dot`: tf-keras's, or under the "keras-2.2" flavor Keras 2.2.4's, which padded
    the lower-rank operand with unit axes (the CapsNet example's `batch_dot(c, u_hat, [2, 2])`
    on ranks 3 and 4; tf-keras refuses it)."""
    if flavors.get_flavor() != flavors.KERAS_2_2:
        return _K.batch_dot(x, y, axes)
    return _batch_dot_224(x, y, axes)


def _batch_dot_224(x, y, axes):
    x, y = _tensor(x), _tensor(y)
    if isinstance(axes, int):
        axes = (axes, axes)
    x_ndim, y_ndim = _K.ndim(x), _K.ndim(y)
    if axes is None:
        axes = [x_ndim - 1, y_ndim - 2]  # "behaves like tf.batch_matmul" (2.2.4)
    if any(isinstance(a, (list, tuple)) for a in axes):
        raise ValueError(
            f"Multiple target dimensions are not supported. Expected: None, int, "
            f"(int, int), Provided: {axes}"
        )
    diff = abs(x_ndim - y_ndim)
    if x_ndim > y_ndim:
        y = tf.reshape(y, tf.concat([tf.shape(y), [1] * diff], axis=0))
    elif y_ndim > x_ndim:
        x = tf.reshape(x, tf.concat([tf.shape(x), [1] * diff], axis=0))
    if _K.ndim(x) == 2 and _K.ndim(y) == 2:
        if axes[0] == axes[1]:
            out = tf.reduce_sum(x * y, axes[0])
        else:
            out = tf.reduce_sum(tf.transpose(x, [1, 0]) * y, axes[1])
    else:
        adjoint_x = axes[0] != _K.ndim(x) - 1
        adjoint_y = axes[1] == _K.ndim(y) - 1
        out = tf.matmul(x, y, adjoint_a=adjoint_x, adjoint_b=adjoint_y)
    if diff:
        start = x_ndim + y_ndim - 3 if x_ndim > y_ndim else x_ndim - 1
        out = tf.squeeze(out, list(range(start, start + diff)))
    if _K.ndim(out) == 1:
        out = tf.expand_dims(out, 1)
    return out


def _symbolic_or_tensor(value):
    return tf.is_tensor(value) or isinstance(value, (tf.Variable, keras_tensor.KerasTensor))


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """tf-keras's `relu`, which also takes tensors for `alpha`, `max_value` and `threshold`
    (keras-contrib's SReLU passes its weights): Keras 2 on TensorFlow 1 compared a tensor with a
    number by identity, so a tensor counted as non-zero and as not 6; TensorFlow 2 compares
    element-wise and cannot branch on the result."""
    if not any(_symbolic_or_tensor(v) for v in (alpha, max_value, threshold)):
        return _K.relu(x, alpha=alpha, max_value=max_value, threshold=threshold)
    x = _tensor(x)

    def nonzero(value):
        return _symbolic_or_tensor(value) or value != 0

    negative_part = None
    if nonzero(alpha):
        if max_value is None and not nonzero(threshold):
            return tf.maximum(alpha * x, x)  # TensorFlow 1.x's leaky_relu, which took tensors
        negative_part = tf.nn.relu(-x + threshold) if nonzero(threshold) else tf.nn.relu(-x)
    if nonzero(threshold):
        x = x * tf.cast(tf.greater(x, threshold), x.dtype)
    elif not _symbolic_or_tensor(max_value) and max_value == 6:
        x, max_value = tf.nn.relu6(x), None
    else:
        x = tf.nn.relu(x)
    if max_value is not None:
        x = tf.clip_by_value(x, tf.zeros((), x.dtype), tf.cast(max_value, x.dtype))
    if negative_part is not None:
        x -= tf.cast(alpha, x.dtype) * negative_part
    return x


@graph_mode.or_tf_keras
def batch_get_value(tensors):
    """tf-keras's, except that no values is an empty list wherever it is asked for (Keras 2.2.4
    ran nothing then; keras-contrib's LARS reads its own still-empty `get_weights()` while its
    `get_updates` builds the step, where tf-keras raises "Cannot get value inside Tensorflow
    graph function")."""
    return [] if not tensors else _K.batch_get_value(tensors)
