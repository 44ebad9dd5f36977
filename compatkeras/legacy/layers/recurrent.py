"""Keras 2 `keras.layers.recurrent`."""

from compatkeras.legacy.layers import (
    GRU,
    GRUCell,
    LSTM,
    LSTMCell,
    RNN,
    SimpleRNN,
    SimpleRNNCell,
    StackedRNNCells,
)
