"""A small CIFAR-style CNN trained on ImageDataGenerator batches (the ResNeXt / DenseNet repository
pattern): fit_generator over `generator.flow`, a checkpoint on val_acc, sklearn-style scoring."""
import os

import numpy as np
from keras import backend as K
from keras.callbacks import ModelCheckpoint, ReduceLROnPlateau
from keras.layers import Activation, BatchNormalization, Conv2D, Dense, GlobalAveragePooling2D, Input
from keras.models import Model
from keras.optimizers import Adam
from keras.preprocessing.image import ImageDataGenerator
from keras.utils import np_utils

batch_size, nb_classes, nb_epoch = 16, 4, 2
rng = np.random.RandomState(0)
trainX = rng.randint(0, 255, (64, 16, 16, 3)).astype("float32") / 255.0
testX = rng.randint(0, 255, (32, 16, 16, 3)).astype("float32") / 255.0
Y_train = np_utils.to_categorical(rng.randint(0, nb_classes, 64), nb_classes)
Y_test = np_utils.to_categorical(rng.randint(0, nb_classes, 32), nb_classes)

channel_axis = 1 if K.image_data_format() == "channels_first" else -1
inputs = Input(shape=trainX.shape[1:])
x = Conv2D(8, (3, 3), padding="same", use_bias=False)(inputs)
x = BatchNormalization(axis=channel_axis)(x)
x = Activation("relu")(x)
x = GlobalAveragePooling2D()(x)
model = Model(inputs, Dense(nb_classes, activation="softmax")(x))
model.compile(loss="categorical_crossentropy", optimizer=Adam(lr=1e-3), metrics=["accuracy"])

generator = ImageDataGenerator(width_shift_range=2.0 / 16, height_shift_range=2.0 / 16,
                               horizontal_flip=True)
generator.fit(trainX, seed=0)

out_dir = "weights/"
if not os.path.exists(out_dir):
    os.makedirs(out_dir)
weights_file = "weights/cnn-best.h5"
callbacks = [
    ReduceLROnPlateau(monitor="val_loss", factor=np.sqrt(0.1), patience=5, min_lr=1e-6),
    ModelCheckpoint(weights_file, monitor="val_acc", save_best_only=True, save_weights_only=True),
]
model.fit_generator(generator.flow(trainX, Y_train, batch_size=batch_size),
                    steps_per_epoch=len(trainX) // batch_size, epochs=nb_epoch,
                    callbacks=callbacks, validation_data=(testX, Y_test),
                    validation_steps=testX.shape[0] // batch_size, verbose=2)
predicted = np.argmax(model.predict(testX), axis=1)
print("accuracy", np.mean(predicted == np.argmax(Y_test, axis=1)))
print("checkpoint written:", os.path.exists(weights_file))
