"""Model pieces of a BiLSTM tagger, in a module that imports Keras."""
from keras import backend as K
from keras.layers import Bidirectional, Dense, Embedding, LSTM, TimeDistributed
from keras.models import Sequential

import config


def masked_accuracy(y_true, y_pred):
    mask = K.cast(K.not_equal(K.argmax(y_true), 0), K.floatx())
    hits = K.cast(K.equal(K.argmax(y_true), K.argmax(y_pred)), K.floatx())
    return K.sum(hits * mask) / K.maximum(K.sum(mask), 1.0)


def build_tagger():
    model = Sequential()
    model.add(Embedding(config.VOCAB, 16, input_length=config.MAXLEN, mask_zero=True))
    model.add(Bidirectional(LSTM(16, return_sequences=True)))
    model.add(TimeDistributed(Dense(config.TAGS, activation="softmax")))
    model.compile(optimizer="adam", loss="categorical_crossentropy",
                  metrics=[masked_accuracy])
    return model
