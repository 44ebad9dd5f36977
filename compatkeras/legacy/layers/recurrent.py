"""Keras 2 `keras.layers.recurrent`."""

from compatkeras.legacy.layers import (
    GRU,
    LSTM,
    RNN,
    GRUCell,
    LSTMCell,
    SimpleRNN,
    SimpleRNNCell,
    StackedRNNCells,
)
