"""A TensorFlow 1.x-era classifier: focal loss and a weighted log loss written with `tf.*` of TF 1
(`tf.to_float`, `tf.log`), labels prepared with NumPy's old aliases (`np.float`, `np.int`)."""
import numpy as np
import tensorflow as tf
import keras.backend as K
from keras.layers import Dense, Dropout, Input
from keras.models import Model
from keras.optimizers import Adam


def focal_loss(gamma=2.0, alpha=0.25):
    def loss(y_true, y_pred):
        y_true = tf.to_float(y_true)
        y_pred = K.clip(y_pred, K.epsilon(), 1.0 - K.epsilon())
        p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
        alpha_t = y_true * alpha + (1 - y_true) * (1 - alpha)
        return K.mean(-alpha_t * K.pow(1.0 - p_t, gamma) * tf.log(p_t), axis=-1)

    return loss


def positive_rate(y_true, y_pred):
    return K.mean(tf.to_float(y_pred > 0.5), axis=-1)


def make_labels(x):
    score = x[:, :3].sum(axis=1) - x[:, 3:].sum(axis=1)
    labels = (score > 0).astype(np.int)
    return labels.reshape(-1, 1).astype(np.float)


x_train = np.random.rand(64, 6).astype("float32")
y_train = make_labels(x_train)

inputs = Input(shape=(6,))
h = Dense(16, activation="relu")(inputs)
h = Dropout(0.2)(h)
out = Dense(1, activation="sigmoid")(h)
model = Model(inputs=inputs, outputs=out)
model.compile(optimizer=Adam(lr=0.01), loss=focal_loss(), metrics=["accuracy", positive_rate])
model.fit(x_train, y_train, batch_size=16, epochs=3, verbose=2)
scores = model.evaluate(x_train, y_train, verbose=0)
print("focal loss %.4f accuracy %.3f" % (scores[0], scores[1]))
