"""A two-input model fed by Python generators that yield lists (Keras 2's usual form)."""
import numpy as np
import keras
from keras.layers import Input, Dense, concatenate
from keras.models import Model


def batch_generator(n_batches, batch_size=4):
    while True:
        for _ in range(n_batches):
            left = np.random.rand(batch_size, 5)
            right = np.random.rand(batch_size, 3)
            target = (left.sum(axis=1) > right.sum(axis=1)).astype("float32")
            yield [left, right], target


def predict_batches(n_batches, batch_size=4):
    for _ in range(n_batches):
        yield [np.random.rand(batch_size, 5), np.random.rand(batch_size, 3)]


left_in = Input(shape=(5,), name="left")
right_in = Input(shape=(3,), name="right")
merged = concatenate([left_in, right_in])
hidden = Dense(8, activation="relu")(merged)
output = Dense(1, activation="sigmoid")(hidden)
model = Model(input=[left_in, right_in], output=output)
model.compile(optimizer=keras.optimizers.SGD(lr=0.05, momentum=0.9), loss="binary_crossentropy",
              metrics=["accuracy"])

model.fit_generator(batch_generator(5), steps_per_epoch=5, epochs=2,
                    validation_data=batch_generator(2), validation_steps=2)
loss, acc = model.evaluate_generator(batch_generator(3), steps=3)
print("loss %.4f acc %.4f" % (loss, acc))
probabilities = model.predict_generator(predict_batches(2), steps=2)
print(probabilities.shape)
