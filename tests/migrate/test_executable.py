"""Migrated code runs on stock Keras 3 and gives the numbers the Keras 2 original gives.

Each snippet is Keras 2 code. It runs as written through the drop-in (`import keras` is
compatkeras), and once migrated on Keras 3; both leave `result`. One subprocess per side.
`lin3`, `X4`, `Y4` come from tests/oracles.py.
"""

import textwrap

import numpy as np
import pytest

from compatkeras.migrate import migrate_bytes

import oracles

SNIPPETS = {
    "SGD lr/decay trajectory (KRS030, KRS031)": """
        import numpy as np
        import keras
        from keras.optimizers import SGD
        m = lin3()
        m.compile(SGD(lr=0.1, decay=1.), 'mse')
        for _ in range(3):
            m.train_on_batch(np.array([[1., 0, 0]]), np.array([[0.]]))
        result = m.get_weights()[0].ravel().tolist()
    """,
    "Adam lr/decay, 5 steps (KRS030, KRS031)": """
        import numpy as np
        import keras
        m = lin3()
        m.compile(optimizer=keras.optimizers.Adam(lr=0.05, decay=0.3), loss='mse')
        for _ in range(5):
            m.train_on_batch(X4, Y4)
        result = m.get_weights()[0].ravel().tolist()
    """,
    "compile with positional metrics (KRS020)": """
        import keras
        m = lin3()
        m.compile(keras.optimizers.SGD(lr=0.0), 'mse', ['mae'])
        result = m.evaluate(X4, Y4, batch_size=4, verbose=0)
    """,
    "fit_generator on a Sequence with workers (KRS001, KRS002)": """
        import numpy as np
        import keras
        from keras.utils import Sequence

        class Batches(Sequence):
            def __len__(self):
                return 2
            def __getitem__(self, i):
                return X4[2 * i:2 * i + 2], Y4[2 * i:2 * i + 2]

        m = lin3()
        m.compile(optimizer=keras.optimizers.SGD(lr=0.1), loss='mse')
        h = m.fit_generator(Batches(), steps_per_epoch=2, epochs=3, shuffle=False,
                            workers=1, use_multiprocessing=False, verbose=0)
        result = {'loss': h.history['loss'], 'kernel': m.get_weights()[0].ravel().tolist()}
    """,
    "evaluate_generator keeps Keras 2's silent default (KRS003)": """
        import keras
        from keras.utils import Sequence

        class Batches(Sequence):
            def __len__(self):
                return 2
            def __getitem__(self, i):
                return X4[2 * i:2 * i + 2], Y4[2 * i:2 * i + 2]

        m = lin3()
        m.compile('sgd', 'mse', metrics=['mae'])
        result = m.evaluate_generator(Batches(), 2, workers=2)
    """,
    "predict_generator with tuples (KRS004)": """
        import keras

        def batches():
            while True:
                for i in range(2):
                    yield (X4[2 * i:2 * i + 2],)

        m = lin3()
        result = m.predict_generator(batches(), steps=2).ravel().tolist()
    """,
    "nb_epoch (KRS005)": """
        import keras
        m = lin3()
        m.compile(keras.optimizers.SGD(lr=0.1), 'mse')
        h = m.fit(X4, Y4, batch_size=2, nb_epoch=3, shuffle=False, verbose=0)
        result = h.history['loss']
    """,
    "predict_classes, softmax (KRS007)": """
        import keras
        from keras.models import Sequential
        from keras.layers import Dense
        model = Sequential()
        model.add(Dense(4, input_shape=(3,), kernel_initializer='identity', use_bias=False))
        model.add(Dense(3, activation='softmax', kernel_initializer='ones', use_bias=False))
        result = model.predict_classes(X4).tolist()
    """,
    "predict_classes, one sigmoid unit (KRS007)": """
        import keras
        from keras.models import Sequential
        from keras.layers import Dense
        model = Sequential([Dense(1, input_shape=(3,), activation='sigmoid',
                                  kernel_initializer=keras.initializers.Constant([[1.], [-1.], [0.5]]))])
        result = model.predict_classes(X4).ravel().tolist()
    """,
    "predict_proba (KRS008)": """
        import keras
        from keras.models import Sequential
        from keras.layers import Dense
        model = Sequential([Dense(2, input_shape=(3,), activation='softmax', kernel_initializer='ones')])
        result = model.predict_proba(X4, batch_size=2).tolist()
    """,
    "metrics_names zipped with evaluate (KRS009)": """
        import keras
        m = lin3()
        m.compile('sgd', 'mse', metrics=['mae'])
        result = dict(zip(m.metrics_names, m.evaluate(X4, Y4, verbose=0)))
    """,
    "train_on_batch(reset_metrics=) (KRS011)": """
        import keras
        m = lin3()
        m.compile(keras.optimizers.SGD(lr=0.1), 'mse')
        losses = [m.train_on_batch(X4, Y4, reset_metrics=True) for _ in range(3)]
        result = [float(l) for l in losses]
    """,
    "sample_weight_mode temporal (KRS021)": """
        import numpy as np
        import keras
        inp = keras.Input((4, 2))
        out = keras.layers.TimeDistributed(keras.layers.Dense(1, kernel_initializer='ones'))(inp)
        m = keras.models.Model(inp, out)
        m.compile(keras.optimizers.SGD(lr=0.05), 'mse', sample_weight_mode='temporal')
        x = np.arange(16, dtype='float32').reshape(2, 4, 2) / 16.0
        y = np.ones((2, 4, 1), 'float32')
        w = np.array([[1, 1, 0, 0], [1, 1, 1, 0]], 'float32')
        h = m.fit(x, y, sample_weight=w, batch_size=2, epochs=3, shuffle=False, verbose=0)
        result = h.history['loss']
    """,
    "Adam(epsilon=None) (KRS033)": """
        import keras
        m = lin3()
        m.compile(keras.optimizers.Adam(lr=0.01, epsilon=None), 'mse')
        for _ in range(4):
            m.train_on_batch(X4, Y4)
        result = m.get_weights()[0].ravel().tolist()
    """,
    "learning rate through K.get_value/K.set_value (KRS035, KRS090)": """
        import keras
        from keras import backend as K
        m = lin3()
        m.compile(keras.optimizers.SGD(lr=0.1), 'mse')
        K.set_value(m.optimizer.lr, 0.05)
        m.train_on_batch(X4, Y4)
        result = {'lr': float(K.get_value(m.optimizer.lr)), 'w': m.get_weights()[0].ravel().tolist()}
    """,
    "backend math in a custom loss (KRS090)": """
        import numpy as np
        import keras
        from keras import backend as K

        def loss(y_true, y_pred):
            d = K.abs(y_pred - y_true)
            return K.mean(K.square(d) + K.clip(d, min_value=0.0, max_value=0.5), axis=-1)

        m = lin3()
        m.compile(keras.optimizers.SGD(lr=0.05), loss)
        h = m.fit(X4, Y4, batch_size=4, epochs=3, verbose=0, shuffle=False)
        result = h.history['loss']
    """,
    "backend functions, values (KRS090)": """
        import numpy as np
        import keras
        from keras import backend as K
        a = K.constant(np.array([[1., -2., 3.], [0.5, 4., -1.]], 'float32'))
        b = K.constant(np.array([[2., 1., 0.], [1., 1., 1.]], 'float32'))
        outs = [
            K.sum(a, axis=1), K.max(a, axis=0, keepdims=True), K.argmax(a), K.argmin(a, axis=0),
            K.concatenate([a, b]), K.stack([a, b]), K.permute_dimensions(a, (1, 0)),
            K.reshape(a, (3, 2)), K.expand_dims(a), K.squeeze(K.expand_dims(a, 1), 1),
            K.gather(a, [1, 0]), K.reverse(a, 1), K.cumsum(a), K.cumprod(b, axis=1),
            K.hard_sigmoid(a), K.l2_normalize(a, 1), K.switch(K.greater(a, b), a, b),
            K.pow(b, 2), K.dot(a, K.transpose(b)), K.flatten(a), K.batch_flatten(a),
            K.one_hot(K.cast(K.constant([0, 2]), 'int32'), 3), K.repeat_elements(a, 2, 1),
            K.tile(a, (1, 2)), K.softmax(a), K.elu(a), K.relu(a), K.sigmoid(a),
            K.binary_crossentropy(K.clip(K.abs(b), 0.0, 1.0), K.sigmoid(a)),
            K.categorical_crossentropy(K.softmax(b), K.softmax(a)),
            K.in_top_k(K.softmax(a), K.constant([2, 1], dtype='int32'), 1),
            K.zeros_like(a), K.ones((2, 2)), K.eye(2), K.arange(0, 5, 2), K.int_shape(a),
            K.round(a / 3.), K.sign(a), K.std(a, axis=1), K.var(a), K.prod(b + 1, axis=0),
            K.any(K.greater(a, 3.)), K.all(K.less(a, 5.)), K.log(K.exp(b)), K.sqrt(K.abs(a)),
            K.maximum(a, b), K.minimum(a, b), K.equal(a, b), K.not_equal(a, b),
        ]
        result = {f'{i:02d}': np.asarray(K.get_value(o) if hasattr(o, 'numpy') else o).astype('float64').tolist()
                  for i, o in enumerate(outs)}
    """,
    "custom layer: add_weight positional, K in call (KRS078, KRS090, KRS101)": """
        import numpy as np
        import keras
        from keras import backend as K
        from keras.engine.topology import Layer

        class Scale(Layer):
            def build(self, input_shape):
                self.w = self.add_weight('w', (input_shape[-1],), initializer='ones', trainable=True)
                super(Scale, self).build(input_shape)
            def call(self, x):
                return K.sum(x * self.w, axis=-1, keepdims=True)

        inp = keras.Input((3,))
        m = keras.models.Model(inp, Scale()(inp))
        m.compile(keras.optimizers.SGD(lr=0.1), 'mse')
        h = m.fit(X4, Y4, batch_size=2, epochs=2, shuffle=False, verbose=0)
        result = {'loss': h.history['loss'], 'w': m.get_weights()[0].tolist()}
    """,
    "LeakyReLU(alpha=), ThresholdedReLU(theta) (KRS073, KRS075)": """
        import numpy as np
        import keras
        from keras.layers import LeakyReLU, ThresholdedReLU
        x = np.array([[-2., -0.5, 0.2, 0.7, 3.]], 'float32')
        result = [np.asarray(LeakyReLU(alpha=0.2)(x)).tolist(),
                  np.asarray(ThresholdedReLU(theta=0.5)(x)).tolist()]
    """,
    "save_weights / load_weights .h5 (KRS063)": """
        import os, tempfile
        import keras
        d = tempfile.mkdtemp()
        os.chdir(d)
        m = lin3()
        m.compile(keras.optimizers.SGD(lr=0.1), 'mse')
        m.train_on_batch(X4, Y4)
        m.save_weights('w.h5')
        fresh = lin3()
        fresh.load_weights('w.h5')
        result = fresh.predict(X4).ravel().tolist()
    """,
    "save(save_format='h5') and load_model (KRS060, KRS062)": """
        import os, tempfile
        import keras
        from keras.models import load_model
        os.chdir(tempfile.mkdtemp())
        m = lin3()
        m.compile(keras.optimizers.SGD(lr=0.1), loss='mean_squared_error')
        m.train_on_batch(X4, Y4)
        m.save('model.h5', save_format='h5')
        result = load_model('model.h5').predict(X4).ravel().tolist()
    """,
    "weights-only ModelCheckpoint (KRS052)": """
        import os, tempfile
        import keras
        from keras.callbacks import ModelCheckpoint
        os.chdir(tempfile.mkdtemp())
        m = lin3()
        m.compile(keras.optimizers.SGD(lr=0.1), 'mse')
        m.fit(X4, Y4, epochs=2, batch_size=4, verbose=0,
              callbacks=[ModelCheckpoint('ckpt.h5', save_weights_only=True)])
        fresh = lin3()
        fresh.load_weights([f for f in os.listdir('.') if f.startswith('ckpt')][0])
        result = fresh.predict(X4).ravel().tolist()
    """,
    "ReduceLROnPlateau(epsilon=) (KRS056)": """
        import keras
        from keras.callbacks import ReduceLROnPlateau
        m = lin3()
        m.compile(keras.optimizers.SGD(lr=0.0), 'mse')
        # (TensorBoard needs the tensorboard package, which Keras 3's side does not install.)
        cbs = [ReduceLROnPlateau(monitor='loss', factor=0.5, patience=0, epsilon=10.0, verbose=0)]
        h = m.fit(X4, Y4, batch_size=4, epochs=3, verbose=0, callbacks=cbs)
        result = {'loss': h.history['loss'], 'lr': float(keras.backend.get_value(m.optimizer.lr))}
    """,
    "np_utils.to_categorical, keras.utils.np_utils (KRS100)": """
        import keras
        from keras.utils import np_utils
        import keras.utils.np_utils
        result = {'a': np_utils.to_categorical([0, 2, 1], 3).tolist(),
                  'b': keras.utils.np_utils.to_categorical([1], num_classes=2).tolist()}
    """,
    "layers from removed sub-modules (KRS100)": """
        import keras
        from keras.layers.core import Dense
        from keras.layers.merge import concatenate
        inp = keras.Input((3,))
        out = Dense(1, kernel_initializer='ones')(concatenate([inp, inp]))
        result = keras.models.Model(inp, out).predict(X4).ravel().tolist()
    """,
    "Sequence with worker options moved to the constructor (KRS040-KRS042)": """
        import numpy as np
        import keras

        class Batches(keras.utils.Sequence):
            def __init__(self, x, y, size):
                self.x, self.y, self.size = x, y, size
            def __len__(self):
                return len(self.x) // self.size
            def __getitem__(self, i):
                return self.x[i * self.size:(i + 1) * self.size], self.y[i * self.size:(i + 1) * self.size]

        m = lin3()
        m.compile(keras.optimizers.SGD(lr=0.1), 'mse')
        h = m.fit_generator(Batches(X4, Y4, 2), epochs=3, shuffle=False, verbose=0,
                            workers=2, use_multiprocessing=False, max_queue_size=4)
        result = h.history['loss']
    """,
    "compile: six positional arguments (KRS020, KRS021)": """
        import numpy as np
        import keras
        m = lin3()
        m.compile(keras.optimizers.SGD(lr=0.1), 'mse', ['mae'], None, None, ['mse'])
        w = np.array([1., 2., 0., 1.], 'float32')
        h = m.fit(X4, Y4, sample_weight=w, batch_size=4, epochs=2, verbose=0)
        result = h.history['loss']
    """,
    "Keras 1 convolution, pooling, dropout, dense arguments (KRS071, KRS072)": """
        import numpy as np
        import keras
        from keras.models import Sequential
        from keras.layers import Dense, Convolution2D, Flatten, Dropout, MaxPooling2D
        model = Sequential()
        model.add(Convolution2D(2, nb_row=3, nb_col=3, border_mode='same', init='ones',
                                input_shape=(4, 4, 1)))
        model.add(MaxPooling2D(pool_size=(2, 2), border_mode='valid'))
        model.add(Flatten())
        model.add(Dropout(p=0.5))
        model.add(Dense(output_dim=1, init='ones'))
        x = np.arange(32, dtype='float32').reshape(2, 4, 4, 1) / 32.0
        result = model.predict(x).ravel().tolist()
    """,
    "Keras 1 recurrent arguments (KRS071)": """
        import numpy as np
        import keras
        from keras.layers import LSTM
        inp = keras.Input((5, 3))
        out = LSTM(output_dim=2, init='ones', inner_init='zeros', inner_activation='sigmoid',
                   consume_less='cpu')(inp)
        m = keras.models.Model(inp, out)
        result = m.predict(np.ones((2, 5, 3), 'float32') * 0.1).tolist()
    """,
}


def migrated(source):
    outcome = migrate_bytes(source.encode(), "snippet.py")
    assert outcome.error is None and outcome.changed, outcome
    return outcome.new.decode()


@pytest.fixture(scope="module")
def keras2_results():
    return oracles.run("dropin", {n: textwrap.dedent(s) for n, s in SNIPPETS.items()})


@pytest.fixture(scope="module")
def keras3_results():
    return oracles.run("keras3", {n: migrated(textwrap.dedent(s)) for n, s in SNIPPETS.items()})


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_migrated_snippet_matches_original(keras2_results, keras3_results, name):
    original = oracles.value(keras2_results, name)
    after = oracles.value(keras3_results, name)
    if isinstance(original, dict):
        assert sorted(after) == sorted(original)
        for key in original:
            np.testing.assert_allclose(after[key], original[key], rtol=1e-5, atol=1e-6, err_msg=key)
    else:
        np.testing.assert_allclose(after, original, rtol=1e-5, atol=1e-6)
