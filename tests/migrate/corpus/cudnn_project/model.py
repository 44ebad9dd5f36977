"""The sequence model: trained with CuDNNLSTM on a GPU, served with LSTM on CPU machines."""
from keras.layers import CuDNNLSTM, LSTM, Dense, Input
from keras.models import Model


def build(timesteps, features, units=16, for_training=True):
    inputs = Input(shape=(timesteps, features))
    if for_training:
        h = CuDNNLSTM(units, name="encoder")(inputs)
    else:
        # The CPU twin of CuDNNLSTM: same weights, sigmoid gates as cuDNN computes them.
        h = LSTM(units, recurrent_activation="sigmoid", name="encoder")(inputs)
    out = Dense(1, name="head")(h)
    return Model(inputs, out)
