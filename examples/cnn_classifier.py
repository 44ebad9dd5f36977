"""Image classification, Keras 2 style (circa 2018).

A small convolutional network sorts 12x12 grey images into four classes (which quadrant is
bright). The idioms are the Keras 2.x ones: `np_utils.to_categorical`, `SGD(lr=...)`,
`nb_epoch`, a custom metric written with `K.*`, a weights-only `ModelCheckpoint` to an `.h5`
file, `ReduceLROnPlateau(epsilon=...)`, `dict(zip(model.metrics_names, model.evaluate(...)))`,
`predict_classes`, and `K.get_value(model.optimizer.lr)`. Checkpoints go to a temporary folder.

Run it unchanged on TensorFlow 2.16+ with:  python -m compatkeras examples/cnn_classifier.py
"""

from __future__ import print_function

import argparse
import os
import tempfile

import numpy as np

from keras import backend as K
from keras.callbacks import EarlyStopping, ModelCheckpoint, ReduceLROnPlateau
from keras.layers import Activation, Conv2D, Dense, Flatten, MaxPooling2D
from keras.models import Sequential
from keras.optimizers import SGD
from keras.utils import np_utils

SIZE = 12
N_CLASSES = 4


def make_images(n, seed):
    """Noise images with one bright quadrant; the label is the quadrant."""
    rng = np.random.RandomState(seed)
    labels = rng.randint(0, N_CLASSES, size=n)
    x = rng.uniform(0, 1, size=(n, SIZE, SIZE, 1)).astype("float32")
    half = SIZE // 2
    for i, label in enumerate(labels):
        row, col = divmod(label, 2)
        x[i, row * half : (row + 1) * half, col * half : (col + 1) * half, 0] += 0.08
    return x, np_utils.to_categorical(labels, N_CLASSES)


def confidence_gap(y_true, y_pred):
    """How much more probability the top class gets than the true one (0 when right)."""
    return K.mean(K.max(y_pred, axis=-1) - K.sum(y_true * y_pred, axis=-1))


def build_model():
    model = Sequential()
    model.add(Conv2D(8, (3, 3), padding="same", input_shape=(SIZE, SIZE, 1)))
    model.add(Activation("relu"))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Flatten())
    model.add(Dense(N_CLASSES))
    model.add(Activation("softmax"))
    model.compile(
        SGD(lr=0.01, momentum=0.9, nesterov=True),
        "categorical_crossentropy",
        ["accuracy", confidence_gap],
    )
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    os.chdir(tempfile.mkdtemp(prefix="cnn_classifier."))

    x_train, y_train = make_images(800, seed=1)
    x_val, y_val = make_images(160, seed=2)
    x_test, y_test = make_images(160, seed=3)

    model = build_model()
    callbacks = [
        ModelCheckpoint(
            "weights.best.h5", monitor="val_loss", save_best_only=True, save_weights_only=True
        ),
        ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1, epsilon=1e-4),
        EarlyStopping(monitor="val_loss", patience=3),
    ]
    history = model.fit(
        x_train,
        y_train,
        batch_size=32,
        nb_epoch=args.epochs,
        verbose=2,
        validation_data=(x_val, y_val),
        callbacks=callbacks,
        shuffle=True,
    )
    print("loss per epoch:", np.round(history.history["loss"], 4).tolist())

    model.load_weights("weights.best.h5")
    scores = dict(zip(model.metrics_names, model.evaluate(x_test, y_test, verbose=0)))
    classes = model.predict_classes(x_test)
    print("test scores:", {k: round(float(v), 4) for k, v in sorted(scores.items())})
    print("test accuracy from predict_classes: %.4f" % np.mean(classes == y_test.argmax(-1)))
    print("learning rate now %.6f" % K.get_value(model.optimizer.lr))


if __name__ == "__main__":
    main()
