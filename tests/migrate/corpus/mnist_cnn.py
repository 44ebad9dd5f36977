"""Trains a simple convnet on MNIST-shaped data (after keras/examples/mnist_cnn.py, 2.2.4)."""
from __future__ import print_function

import os

import numpy as np
import keras
from keras.datasets import mnist  # noqa: F401  (the original loads it; we use random data)
from keras.models import Sequential
from keras.layers import Dense, Dropout, Flatten
from keras.layers import Conv2D, MaxPooling2D
from keras import backend as K
from keras.utils import np_utils

batch_size = 16
num_classes = 10
epochs = 1
img_rows, img_cols = 28, 28
out_dir = "checkpoints"

x_train = np.random.rand(64, img_rows, img_cols).astype("float32")
y_train = np.random.randint(0, num_classes, 64)
x_test = np.random.rand(16, img_rows, img_cols).astype("float32")
y_test = np.random.randint(0, num_classes, 16)

if K.image_data_format() == "channels_first":
    x_train = x_train.reshape(x_train.shape[0], 1, img_rows, img_cols)
    x_test = x_test.reshape(x_test.shape[0], 1, img_rows, img_cols)
    input_shape = (1, img_rows, img_cols)
else:
    x_train = x_train.reshape(x_train.shape[0], img_rows, img_cols, 1)
    x_test = x_test.reshape(x_test.shape[0], img_rows, img_cols, 1)
    input_shape = (img_rows, img_cols, 1)

y_train = np_utils.to_categorical(y_train, num_classes)
y_test = keras.utils.to_categorical(y_test, num_classes)

model = Sequential()
model.add(Conv2D(8, kernel_size=(3, 3), activation="relu", input_shape=input_shape))
model.add(Conv2D(16, (3, 3), activation="relu"))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Dropout(0.25))
model.add(Flatten())
model.add(Dense(32, activation="relu"))
model.add(Dropout(0.5))
model.add(Dense(num_classes, activation="softmax"))

model.compile(loss=keras.losses.categorical_crossentropy,
              optimizer=keras.optimizers.Adadelta(lr=1.0, decay=1e-4),
              metrics=["accuracy"])

history = model.fit(x_train, y_train, batch_size=batch_size, nb_epoch=epochs, verbose=1,
                    validation_data=(x_test, y_test))
score = model.evaluate(x_test, y_test, verbose=0)
print("Test loss:", score[0])
print("Test accuracy:", score[1])
print("history keys:", sorted(history.history))

if not os.path.isdir(out_dir):
    os.makedirs(out_dir)
model.save_weights(os.path.join(out_dir, "cnn") + ".h5")
model.save(out_dir + "/cnn_full.h5")
classes = model.predict_classes(x_test[:4])
print("classes", classes)
