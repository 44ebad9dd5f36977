"""A small residual network with a step learning-rate schedule (after cifar10_resnet.py)."""
import numpy as np
import keras
from keras.layers import Dense, Conv2D, BatchNormalization, Activation
from keras.layers import AveragePooling2D, Input, Flatten
from keras.optimizers import Adam
from keras.callbacks import LearningRateScheduler
from keras.regularizers import l2
from keras.models import Model
from keras import backend as K


def lr_schedule(epoch):
    lr = 1e-3
    if epoch > 1:
        lr *= 0.1
    print("Learning rate: ", lr)
    return lr


def resnet_layer(inputs, num_filters=8, kernel_size=3, strides=1, activation="relu"):
    conv = Conv2D(num_filters, kernel_size=kernel_size, strides=strides, padding="same",
                  kernel_initializer="he_normal", kernel_regularizer=l2(1e-4))
    x = conv(inputs)
    x = BatchNormalization()(x)
    if activation is not None:
        x = Activation(activation)(x)
    return x


def resnet(input_shape, num_classes=4):
    inputs = Input(shape=input_shape)
    x = resnet_layer(inputs)
    y = resnet_layer(x)
    y = resnet_layer(y, activation=None)
    x = keras.layers.add([x, y])
    x = Activation("relu")(x)
    x = AveragePooling2D(pool_size=2)(x)
    y = Flatten()(x)
    outputs = Dense(num_classes, activation="softmax", kernel_initializer="he_normal")(y)
    return Model(inputs=inputs, outputs=outputs)


channels_last = K.image_data_format() == "channels_last"
model = resnet((8, 8, 3) if channels_last else (3, 8, 8))
model.compile(loss="categorical_crossentropy", optimizer=Adam(lr=lr_schedule(0)),
              metrics=["accuracy"])
x = np.random.rand(16, 8, 8, 3).astype("float32")
y = keras.utils.to_categorical(np.random.randint(0, 4, 16), 4)
model.fit(x, y, batch_size=8, epochs=3, callbacks=[LearningRateScheduler(lr_schedule)])
print("lr now", K.get_value(model.optimizer.lr))
