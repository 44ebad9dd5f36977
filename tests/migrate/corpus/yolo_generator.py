"""A keras-yolo3-style trainer: the generator yields `[image_data, *y_true]` with the targets
unpacked into the input list, a recurrent helper on `K.rnn` whose TensorFlow import is local to
another function, and a loss that builds a constant with `K.constant` from float64 numpy."""
import numpy as np
import keras.backend as K
from keras.layers import Conv2D, Input, Lambda
from keras.models import Model
from keras.optimizers import Adam

ANCHORS = np.array([[1.0, 2.0], [2.0, 1.0]])  # float64, as read from a text file


def to_tensor(values):
    import tensorflow as tf

    return tf.convert_to_tensor(values, tf.float32)


def running_sum(x):
    """The sum over timesteps with K.rnn (the rewrite needs a module-level TensorFlow name)."""

    def step(inputs, states):
        total = states[0] + inputs
        return total, [total]

    last, _, _ = K.rnn(step, x, [K.zeros_like(x[:, 0])])
    return last


def yolo_loss(args):
    y_pred, y_a, y_b = args
    anchors = K.constant(ANCHORS)  # floatx(): the product below is float32
    scale = K.sum(anchors * 0.5)
    per_row = K.mean(K.square(y_pred[..., :2] - y_a), axis=[1, 2, 3])
    per_row += K.mean(K.square(y_pred[..., 2:] - y_b), axis=[1, 2, 3]) * scale
    sequence = K.reshape(y_pred, (-1, 16, 4))
    return per_row + 0.0 * K.sum(running_sum(sequence), axis=-1)


def data_generator(batch_size):
    while True:
        image_data = np.random.rand(batch_size, 4, 4, 3)
        y_true = [np.random.rand(batch_size, 4, 4, 2), np.random.rand(batch_size, 4, 4, 2)]
        yield [image_data, *y_true], np.zeros(batch_size)


image = Input(shape=(4, 4, 3))
y_a, y_b = Input(shape=(4, 4, 2)), Input(shape=(4, 4, 2))
y_pred = Conv2D(4, 1)(image)
loss = Lambda(yolo_loss, output_shape=(1,), name="yolo_loss")([y_pred, y_a, y_b])
model = Model([image, y_a, y_b], loss)
model.compile(optimizer=Adam(lr=1e-3), loss={"yolo_loss": lambda y_true, y_pred: y_pred})
model.fit_generator(data_generator(2), steps_per_epoch=3, epochs=2)
print("anchor scale", float(K.eval(K.sum(K.constant(ANCHORS)))), to_tensor([1.0]).dtype)
