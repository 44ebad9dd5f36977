"""Keras 2 `keras.layers.cudnn_recurrent`: `CuDNNLSTM` and `CuDNNGRU` (Keras 2.1-2.3; gone from
tf-keras, whose `LSTM`/`GRU` pick the cuDNN kernel themselves).

They are tf-keras's `LSTM` and `GRU` fixed to the configuration cuDNN computes (tanh, sigmoid
gates, GRU with `reset_after=True`), whatever the flavor, and run on any device (Keras 2 ran
them on GPUs only). They take Keras 2's arguments (initializers, regularizers, constraints,
`unit_forget_bias`, `return_sequences`, `return_state`, `stateful`); the fixed ones are ignored
when they come back from a saved config.
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


def _cudnn(base, fixed):
    def __init__(self, units, **kwargs):
        for name in fixed:
            kwargs.pop(name, None)
        base.__init__(self, units, **fixed, **kwargs)

    return __init__


class CuDNNLSTM(tf_keras.layers.LSTM):
    __init__ = _cudnn(tf_keras.layers.LSTM, _FIXED)


class CuDNNGRU(tf_keras.layers.GRU):
    __init__ = _cudnn(tf_keras.layers.GRU, {**_FIXED, "reset_after": True})
