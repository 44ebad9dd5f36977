"""A capsule-style layer library: backend math with batch_dot, squash and a margin loss."""
import numpy as np
from keras import backend as K
from keras import initializers, layers
from keras.models import Model


def squash(vectors, axis=-1):
    s_squared_norm = K.sum(K.square(vectors), axis, keepdims=True)
    scale = s_squared_norm / (1 + s_squared_norm) / K.sqrt(s_squared_norm + K.epsilon())
    return scale * vectors


def margin_loss(y_true, y_pred):
    L = y_true * K.square(K.maximum(0., 0.9 - y_pred)) + \
        0.5 * (1 - y_true) * K.square(K.maximum(0., y_pred - 0.1))
    return K.mean(K.sum(L, 1))


class CapsuleLayer(layers.Layer):
    def __init__(self, num_capsule, dim_capsule, routings=2,
                 kernel_initializer="glorot_uniform", **kwargs):
        super(CapsuleLayer, self).__init__(**kwargs)
        self.num_capsule = num_capsule
        self.dim_capsule = dim_capsule
        self.routings = routings
        self.kernel_initializer = initializers.get(kernel_initializer)

    def build(self, input_shape):
        self.input_num_capsule = input_shape[1]
        self.input_dim_capsule = input_shape[2]
        self.W = self.add_weight(shape=[self.num_capsule, self.input_num_capsule,
                                        self.dim_capsule, self.input_dim_capsule],
                                 initializer=self.kernel_initializer, name="W")
        self.built = True

    def call(self, inputs, training=None):
        inputs_expand = K.expand_dims(inputs, 1)
        inputs_tiled = K.tile(inputs_expand, [1, self.num_capsule, 1, 1])
        inputs_hat = K.map_fn(lambda x: K.batch_dot(x, self.W, [2, 3]), elems=inputs_tiled)
        b = K.zeros_like(inputs_hat[:, :, :, 0])
        for i in range(self.routings):
            c = K.softmax(b, axis=1)
            outputs = squash(K.batch_dot(c, inputs_hat, [2, 2]))
            if i < self.routings - 1:
                b += K.batch_dot(outputs, inputs_hat, [2, 3])
        return outputs

    def compute_output_shape(self, input_shape):
        return tuple([None, self.num_capsule, self.dim_capsule])


x = layers.Input(shape=(6, 4))
caps = CapsuleLayer(num_capsule=3, dim_capsule=4)(x)
lengths = layers.Lambda(lambda z: K.sqrt(K.sum(K.square(z), -1)))(caps)
model = Model(x, lengths)
model.compile(optimizer="adam", loss=margin_loss)
model.fit(np.random.rand(8, 6, 4), np.eye(3)[np.random.randint(0, 3, 8)], epochs=1)
