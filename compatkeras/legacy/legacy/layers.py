"""Keras 2 `keras.legacy.layers`: the Keras 1 layers Keras 2.2.4 still shipped (deprecated),
also exported by `keras.layers`.

`merge`/`Merge` map each mode to the Keras 2 merge layer; `MaxoutDense` and `Highway` compute
what Keras 2.2.4's did, with its weight names and Keras 1 arguments; `AtrousConvolution1D/2D`
are `Conv1D/2D` with `dilation_rate`. `Recurrent` and `ConvRecurrent2D`, the Keras 2.0 bases of
hand-written RNN layers (`step()`), are not provided: they raise at construction, naming
`keras.layers.RNN(cell)`.
"""

import warnings

import tensorflow as tf
import tf_keras
from tf_keras import activations, constraints, initializers, regularizers

from compatkeras.legacy.layer import Layer

_MERGE_DEPRECATED = (
    "The `merge` function is deprecated and will be removed after 08/2017. Use instead layers "
    "from `keras.layers.merge`, e.g. `add`, `concatenate`, etc."
)


def _merge_layer(mode, concat_axis, dot_axes, output_shape, arguments, name):
    layers = tf_keras.layers
    simple = {
        "sum": layers.Add,
        "mul": layers.Multiply,
        "ave": layers.Average,
        "max": layers.Maximum,
    }
    if callable(mode):
        return layers.Lambda(mode, output_shape=output_shape, arguments=arguments or {}, name=name)
    if mode in simple:
        return simple[mode](name=name)
    if mode == "concat":
        return layers.Concatenate(axis=concat_axis, name=name)
    if mode in ("dot", "cos"):
        return layers.Dot(axes=dot_axes, normalize=mode == "cos", name=name)
    raise ValueError(
        f'Invalid merge mode: {mode!r}; expected one of "sum", "mul", "concat", '
        '"ave", "cos", "dot", "max" or a function'
    )


def merge(
    inputs,
    mode="sum",
    concat_axis=-1,
    dot_axes=-1,
    output_shape=None,
    output_mask=None,
    arguments=None,
    name=None,
):
    """Keras 1's functional merge of a list of tensors."""
    warnings.warn(_MERGE_DEPRECATED, stacklevel=2)
    return _merge_layer(mode, concat_axis, dot_axes, output_shape, arguments, name)(list(inputs))


class Merge:
    """Keras 1's `Merge(mode=...)` layer, called on a list of tensors. Merging whole models
    (`Merge([left, right])` inside a `Sequential`) is not supported: use the functional API."""

    def __init__(
        self,
        layers=None,
        mode="sum",
        concat_axis=-1,
        dot_axes=-1,
        output_shape=None,
        output_mask=None,
        arguments=None,
        node_indices=None,
        tensor_indices=None,
        name=None,
    ):
        warnings.warn(
            "The `Merge` layer is deprecated and will be removed after 08/2017. Use "
            "instead layers from `keras.layers.merge`, e.g. `add`, `concatenate`, etc.",
            stacklevel=2,
        )
        if layers is not None:
            raise TypeError(
                "Merge(layers=[...]) merged models inside a Sequential (Keras 1); "
                "build the model with the functional API and `keras.layers.concatenate` "
                "(or add, multiply, ...) instead."
            )
        self._layer = _merge_layer(mode, concat_axis, dot_axes, output_shape, arguments, name)

    def __call__(self, inputs, **kwargs):
        return self._layer(list(inputs), **kwargs)


def _keras1_dense_arguments(kwargs):
    for old, new in (
        ("init", "kernel_initializer"),
        ("W_regularizer", "kernel_regularizer"),
        ("b_regularizer", "bias_regularizer"),
        ("W_constraint", "kernel_constraint"),
        ("b_constraint", "bias_constraint"),
        ("bias", "use_bias"),
    ):
        if old in kwargs:
            kwargs[new] = kwargs.pop(old)
    if "input_dim" in kwargs:
        kwargs["input_shape"] = (kwargs.pop("input_dim"),)
    return kwargs


_WEIGHT_OPTIONS = {
    "kernel_initializer": initializers.get,
    "kernel_regularizer": regularizers.get,
    "bias_regularizer": regularizers.get,
    "kernel_constraint": constraints.get,
    "bias_constraint": constraints.get,
}


class _Keras1Dense(Layer):
    """The weight options Keras 1's dense-style layers share, under Keras 1 or Keras 2 names,
    and their deprecation warning."""

    def __init__(self, use_bias=True, **kwargs):
        warnings.warn(
            f"The `{type(self).__name__}` layer is deprecated and will be removed after 06/2017.",
            stacklevel=3,
        )
        kwargs = _keras1_dense_arguments(kwargs)
        kwargs.setdefault("kernel_initializer", "glorot_uniform")
        options = {name: get(kwargs.pop(name, None)) for name, get in _WEIGHT_OPTIONS.items()}
        use_bias = kwargs.pop("use_bias", use_bias)
        super().__init__(**kwargs)
        self.use_bias = use_bias
        for name, value in options.items():
            setattr(self, name, value)


class MaxoutDense(_Keras1Dense):
    """Keras 1's maxout dense layer: the maximum over `nb_feature` linear maps."""

    def __init__(self, output_dim, nb_feature=4, **kwargs):
        super().__init__(**kwargs)
        self.output_dim, self.nb_feature = output_dim, nb_feature

    def build(self, input_shape):
        shape = (self.nb_feature, int(input_shape[-1]), self.output_dim)
        self.W = self.add_weight(
            name="W",
            shape=shape,
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.b = None
        if self.use_bias:
            self.b = self.add_weight(
                name="b",
                shape=(self.nb_feature, self.output_dim),
                initializer="zeros",
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        super().build(input_shape)

    def call(self, x):
        output = tf.einsum("bi,fio->bfo", x, self.W)
        if self.b is not None:
            output = output + self.b
        return tf.reduce_max(output, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.output_dim)


class Highway(_Keras1Dense):
    """Keras 1's highway layer: `y = t * activation(x W + b) + (1 - t) * x`, with the transform
    gate `t = sigmoid(x W_carry + b_carry)` and `b_carry` starting at `transform_bias`."""

    def __init__(self, activation=None, transform_bias=-2, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.transform_bias = transform_bias

    def build(self, input_shape):
        dim = int(input_shape[-1])
        weight = {
            "initializer": self.kernel_initializer,
            "regularizer": self.kernel_regularizer,
            "constraint": self.kernel_constraint,
        }
        self.W = self.add_weight(name="W", shape=(dim, dim), **weight)
        self.W_carry = self.add_weight(name="W_carry", shape=(dim, dim), **weight)
        self.b = self.b_carry = None
        if self.use_bias:
            bias = {"regularizer": self.bias_regularizer, "constraint": self.bias_constraint}
            self.b = self.add_weight(name="b", shape=(dim,), initializer="zeros", **bias)
            self.b_carry = self.add_weight(
                name="b_carry",
                shape=(dim,),
                initializer=initializers.Constant(self.transform_bias),
                **bias,
            )
        super().build(input_shape)

    def call(self, x):
        transform = tf.matmul(x, self.W_carry)
        hidden = tf.matmul(x, self.W)
        if self.use_bias:
            transform, hidden = transform + self.b_carry, hidden + self.b
        gate = tf.sigmoid(transform)
        return gate * self.activation(hidden) + (1 - gate) * x


class Recurrent(Layer):
    """Keras 2.0's base of hand-written recurrent layers (a `step()` method): not provided."""

    _replacement = "keras.layers.RNN(cell)"

    def __init__(self, *args, **kwargs):
        raise TypeError(
            f"`{type(self).__name__}` builds on Keras 2.0's legacy `{self._base_name()}` base "
            f"class, which compatkeras does not provide. Write the step as a cell (a layer "
            f"with `state_size` and `call(inputs, states)`) and use `{self._replacement}`."
        )

    @classmethod
    def _base_name(cls):
        return "ConvRecurrent2D" if issubclass(cls, ConvRecurrent2D) else "Recurrent"


class ConvRecurrent2D(Recurrent):
    """Keras 2.0's base of convolutional recurrent layers: not provided."""

    _replacement = "keras.layers.ConvLSTM2D, or tf_keras's ConvRNN2D with a cell"
