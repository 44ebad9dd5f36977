"""The U-Net model, in the star-import style of zhixuhao/unet."""
from keras.models import *
from keras.layers import *
from keras.optimizers import *
from keras.callbacks import ModelCheckpoint, LearningRateScheduler
from keras import backend as keras


def unet(pretrained_weights=None, input_size=(32, 32, 1)):
    inputs = Input(input_size)
    conv1 = Conv2D(8, 3, activation="relu", padding="same", kernel_initializer="he_normal")(inputs)
    pool1 = MaxPooling2D(pool_size=(2, 2))(conv1)
    conv2 = Conv2D(16, 3, activation="relu", padding="same", kernel_initializer="he_normal")(pool1)
    drop2 = Dropout(0.5)(conv2)
    up3 = Conv2D(8, 2, activation="relu", padding="same")(UpSampling2D(size=(2, 2))(drop2))
    merge3 = concatenate([conv1, up3], axis=3)
    conv3 = Conv2D(8, 3, activation="relu", padding="same")(merge3)
    conv4 = Conv2D(1, 1, activation="sigmoid")(conv3)

    model = Model(input=inputs, output=conv4)
    model.compile(optimizer=Adam(lr=1e-4), loss="binary_crossentropy", metrics=["accuracy"])
    if pretrained_weights:
        model.load_weights(pretrained_weights)
    return model
