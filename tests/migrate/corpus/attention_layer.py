"""A custom attention layer written on the backend (the 2018 text-classification pattern)."""
import numpy as np
from keras import backend as K
from keras import initializers, regularizers
from keras.engine.topology import Layer
from keras.layers import Input, Embedding, Bidirectional, GRU, Dense
from keras.models import Model


class Attention(Layer):
    def __init__(self, W_regularizer=None, bias=True, **kwargs):
        self.supports_masking = True
        self.init = initializers.get("glorot_uniform")
        self.W_regularizer = regularizers.get(W_regularizer)
        self.bias = bias
        super(Attention, self).__init__(**kwargs)

    def build(self, input_shape):
        assert len(input_shape) == 3
        self.W = self.add_weight((input_shape[-1],),
                                 initializer=self.init,
                                 name="{}_W".format(self.name),
                                 regularizer=self.W_regularizer)
        self.features_dim = input_shape[-1]
        if self.bias:
            self.b = self.add_weight((input_shape[1],), initializer="zero",
                                     name="{}_b".format(self.name))
        else:
            self.b = None
        super(Attention, self).build(input_shape)

    def compute_mask(self, input, input_mask=None):
        return None

    def call(self, x, mask=None):
        step_dim = K.int_shape(x)[1]
        features_dim = self.features_dim
        eij = K.reshape(K.dot(K.reshape(x, (-1, features_dim)),
                              K.reshape(self.W, (features_dim, 1))), (-1, step_dim))
        if self.bias:
            eij += self.b
        eij = K.tanh(eij)
        a = K.exp(eij)
        if mask is not None:
            a *= K.cast(mask, K.floatx())
        a /= K.cast(K.sum(a, axis=1, keepdims=True) + K.epsilon(), K.floatx())
        a = K.expand_dims(a)
        weighted_input = x * a
        return K.sum(weighted_input, axis=1)

    def compute_output_shape(self, input_shape):
        return input_shape[0], self.features_dim


maxlen, vocab = 20, 100
inp = Input(shape=(maxlen,))
x = Embedding(vocab, 16, input_length=maxlen)(inp)
x = Bidirectional(GRU(8, return_sequences=True))(x)
x = Attention()(x)
out = Dense(1, activation="sigmoid")(x)
model = Model(inputs=inp, outputs=out)
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["acc"])
model.summary()

X = np.random.randint(1, vocab, (32, maxlen))
y = np.random.randint(0, 2, 32)
hist = model.fit(X, y, batch_size=8, epochs=1, validation_split=0.25)
print("val acc", hist.history["val_acc"][-1])
print(model.predict(X[:2]))
