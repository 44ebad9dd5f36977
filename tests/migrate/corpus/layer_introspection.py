"""Keras 2 code that reads the graph: shapes through `_keras_shape`, a layer's inbound nodes,
`model.output` of a Sequential model and a backend loss."""
import numpy as np
import keras.backend as K
from keras.layers import Dense, Input
from keras.models import Model, Sequential


def log_loss(y_true, y_pred):
    y_pred = K.clip(y_pred, 1e-6, 1 - 1e-6)
    return -K.mean(y_true * K.log(y_pred) + (1 - y_true) * K.log(1 - y_pred), axis=-1)


inputs = Input(shape=(4,))
hidden = Dense(8, activation="relu")(inputs)
print("hidden width", hidden._keras_shape[-1])
outputs = Dense(1, activation="sigmoid")(hidden)
model = Model(inputs, outputs)
print("inbound", len(model.layers[1].inbound_nodes))

head = Sequential([Dense(3, input_shape=(4,)), Dense(1)])
print("head output", head.output.shape)

X = np.random.rand(32, 4).astype("float32")
y = (X.sum(axis=1, keepdims=True) > 2).astype("int64")
model.compile("adam", log_loss)
model.fit(X, y, epochs=1, batch_size=8, verbose=0)
print("done", model.predict(X[:2]).shape)
