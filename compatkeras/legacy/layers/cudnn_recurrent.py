"""Keras 2 `keras.layers.cudnn_recurrent`: `CuDNNLSTM` and `CuDNNGRU` (Keras 2.1-2.3; gone from
tf-keras, whose `LSTM`/`GRU` pick the cuDNN kernel themselves).

They are tf-keras's `LSTM` and `GRU` fixed to the configuration cuDNN computes (tanh, sigmoid
gates, GRU with `reset_after=True`), whatever the flavor, and run on any device (Keras 2 ran
them on GPUs only). Keras 2's constructor arguments; no dropout arguments, as in Keras 2.
"""

import tf_keras

_FIXED = {
    "activation": "tanh",
    "recurrent_activation": "sigmoid",
    "use_bias": True,
    "dropout": 0.0,
    "recurrent_dropout": 0.0,
    "unroll": False,
}


class CuDNNLSTM(tf_keras.layers.LSTM):
    def __init__(
        self,
        units,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias=True,
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        return_sequences=False,
        return_state=False,
        stateful=False,
        **kwargs,
    ):
        for name in _FIXED:
            kwargs.pop(name, None)  # from get_config: always cuDNN's values
        super().__init__(
            units,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            return_sequences=return_sequences,
            return_state=return_state,
            stateful=stateful,
            **_FIXED,
            **kwargs,
        )


class CuDNNGRU(tf_keras.layers.GRU):
    def __init__(
        self,
        units,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        return_sequences=False,
        return_state=False,
        stateful=False,
        **kwargs,
    ):
        for name in (*_FIXED, "reset_after"):
            kwargs.pop(name, None)
        super().__init__(
            units,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint,
            return_sequences=return_sequences,
            return_state=return_state,
            stateful=stateful,
            reset_after=True,
            **_FIXED,
            **kwargs,
        )
