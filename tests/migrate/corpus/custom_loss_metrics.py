"""Regression with a custom loss, a custom metric and a model reloaded with custom_objects."""
import numpy as np
import keras.backend as K
from keras.layers import Dense, Input
from keras.losses import mse, mae
from keras.metrics import mape
from keras.models import Model, load_model


def r2_score(y_true, y_pred):
    ss_res = K.sum(K.square(y_true - y_pred))
    ss_tot = K.sum(K.square(y_true - K.mean(y_true)))
    return 1 - ss_res / (ss_tot + K.epsilon())


def huberish(y_true, y_pred):
    return 0.5 * mse(y_true, y_pred) + 0.5 * mae(y_true, y_pred)


def rmse(y_true, y_pred):
    return K.sqrt(K.mean(K.square(y_pred - y_true), axis=-1))


inputs = Input(shape=(6,))
h = Dense(16, activation="relu")(inputs)
out = Dense(1)(h)
model = Model(inputs, out)
model.compile(optimizer="adam", loss=huberish, metrics=[r2_score, rmse, mape])

X = np.random.rand(40, 6)
y = X.sum(axis=1, keepdims=True) + 0.1 * np.random.rand(40, 1)
model.fit(X, y, epochs=2, batch_size=10, verbose=2)
model.save("regressor.h5")
again = load_model("regressor.h5", custom_objects={"huberish": huberish,
                                                   "r2_score": r2_score, "rmse": rmse})
print("reloaded loss", again.evaluate(X, y, verbose=0))
