"""Regression on tensors that are already in the graph, Keras 2 style (circa 2018).

The TF1-era pattern: the inputs are an `Input(tensor=...)` and the targets are bound at compile
time with `target_tensors`, so `fit` takes no x or y, only `steps_per_epoch`. A second model
shows the Keras 2 multi-output idioms (`loss_weights`, `metrics_names`, `'mae'`), and the
trained model is saved to and reloaded from HDF5.

Run it unchanged on TensorFlow 2.16+ with:  python -m compatkeras examples/target_tensors_regression.py
"""

from __future__ import print_function

import os
import tempfile

import numpy as np
import tensorflow as tf

from keras import backend as K
from keras.layers import Dense, Input
from keras.models import Model, load_model
from keras.optimizers import SGD


def make_data(n, seed):
    rng = np.random.RandomState(seed)
    x = rng.uniform(-1, 1, size=(n, 8)).astype("float32")
    w = rng.normal(size=(8, 1)).astype("float32")
    y = np.tanh(x.dot(w)) + 0.05 * rng.normal(size=(n, 1)).astype("float32")
    return x, y


def train_on_bound_tensors(x, y):
    inputs = Input(tensor=tf.constant(x))
    hidden = Dense(16, activation="relu")(inputs)
    outputs = Dense(1)(hidden)
    model = Model(inputs, outputs)
    model.compile(
        optimizer=SGD(lr=0.05, momentum=0.9, decay=1e-3),
        loss="mse",
        metrics=["mae"],
        target_tensors=[tf.constant(y)],
    )
    history = model.fit(epochs=5, steps_per_epoch=20, verbose=2)
    print("bound-tensor model, loss per epoch:", np.round(history.history["loss"], 4).tolist())
    return model


def train_two_outputs(x, y):
    inputs = Input(shape=(8,), name="features")
    hidden = Dense(16, activation="relu")(inputs)
    value = Dense(1, name="value")(hidden)
    sign = Dense(1, activation="sigmoid", name="sign")(hidden)
    model = Model(inputs, [value, sign])
    model.compile(
        optimizer=SGD(lr=0.05, momentum=0.9),
        loss=["mse", "binary_crossentropy"],
        loss_weights=[1.0, 0.5],
        metrics=["mae"],
    )
    print("metrics_names:", model.metrics_names)
    model.fit(x, [y, (y > 0).astype("float32")], batch_size=32, epochs=5, verbose=2, shuffle=False)
    scores = model.evaluate(x, [y, (y > 0).astype("float32")], verbose=0)
    print("evaluate:", dict(zip(model.metrics_names, np.round(scores, 4).tolist())))
    return model


def main():
    np.random.seed(0)
    x, y = make_data(256, seed=1)
    model = train_on_bound_tensors(x, y)
    print("learning rate variable:", K.get_value(model.optimizer.lr))

    two = train_two_outputs(x, y)
    path = os.path.join(tempfile.mkdtemp(), "two_outputs.h5")
    two.save(path)
    reloaded = load_model(path)
    same = np.allclose(reloaded.predict(x)[0], two.predict(x)[0], atol=1e-6)
    print("reloaded from %s, same predictions: %s" % (os.path.basename(path), same))


if __name__ == "__main__":
    main()
