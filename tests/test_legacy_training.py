"""The Keras 2 training surface against the real Keras 2 engine.

Every scenario runs three times, each in one subprocess for the whole module:
- under tf-keras's v1 graph engine (TV1, `tf.compat.v1.disable_eager_execution()`), the oracle;
- under compatkeras with the default "tf.keras" flavor, which must match TV1;
- under compatkeras with the "keras-2.2" flavor, which must match the standalone Keras 2.2.4
  column of the legacy spec §G. Keras 2.2.4 cannot run on TensorFlow 2.21, so those values are
  the spec's golden numbers (executed from the original source on a numpy stand-in or read from
  it); scenarios without such a value say so in KERAS22 below.

Where compatkeras deliberately differs from TV1 (an anchor bug, docs/deviations.md), the
scenario is listed in DEVIATIONS and tested for the corrected value instead.
"""

import numpy as np
import pytest

import oracles

TEMPORAL = """
def temporal(masking=False):
    inp = keras.Input((4, 1), name='inp')
    h = keras.layers.Masking(0.0)(inp) if masking else inp
    out = keras.layers.TimeDistributed(
        keras.layers.Dense(1, use_bias=False, kernel_initializer='ones'), name='out')(h)
    return keras.Model(inp, out)
XT = np.array([[1, 2, 3, 4], [.5, 1, 1.5, 2]], 'float32')[..., None]
WT = np.array([[1, 1, 0, 0], [1, 1, 1, 1]], 'float32')
ONEHOT = np.eye(2, dtype='float32')[[0, 1, 0, 1]]

class CountingSequence(keras.utils.Sequence):
    # The uneven Sequence of O7/O14: batches X4[:3] and X4[3:], with call counters.
    def __init__(self):
        self.epoch_ends, self.items = 0, 0
    def __len__(self):
        return 2
    def __getitem__(self, i):
        self.items += 1
        return (X4[:3], Y4[:3]) if i == 0 else (X4[3:], Y4[3:])
    def on_epoch_end(self):
        self.epoch_ends += 1

class BatchLosses(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.losses = []
    def on_batch_end(self, batch, logs=None):
        self.losses.append(float(logs['loss']))
"""

SCENARIOS = {
    # --- the legacy spec's oracle scenarios (§G) ---
    "O1 temporal weights": """
m = temporal(); m.compile(SGD(0.0), 'mse', sample_weight_mode='temporal')
y = np.zeros_like(XT)
result = [m.evaluate(XT, y, sample_weight=WT, batch_size=2, verbose=0),
          m.evaluate(XT, y, sample_weight=WT, batch_size=1, verbose=0)]
""",
    "O2 sample-wise weights": """
m = lin3(); m.compile(SGD(0.0), 'mse')
result = m.evaluate(X4, Y4, sample_weight=np.array([1, 0, 0, 0], 'float32'), batch_size=4, verbose=0)
""",
    "O3 constant target tensor": """
m = lin3(); m.compile(SGD(0.1), 'mse', target_tensors=[tf.constant(Y4)])
h = m.fit(X4, None, batch_size=4, epochs=3, shuffle=False, verbose=0)
result = {'loss': h.history['loss'], 'kernel': m.get_weights()[0].ravel().tolist()}
""",
    "O4 variable target": """
v = keras.backend.variable(np.zeros((4, 1), 'float32'))
m = lin3(); m.compile(SGD(0.0), 'mse', target_tensors=[v])
first = m.test_on_batch(X4)
keras.backend.set_value(v, Y4)
result = [first, m.test_on_batch(X4)]
""",
    "O5 input and target tensors": """
inp = keras.Input(tensor=tf.constant(X4))
out = keras.layers.Dense(1, use_bias=False, kernel_initializer='ones')(inp)
m = keras.Model(inp, out); m.compile(SGD(0.1), 'mse', target_tensors=[tf.constant(Y4)])
h = m.fit(steps_per_epoch=2, epochs=2, verbose=0)
result = {'loss': h.history['loss'], 'eval': m.evaluate(steps=1, verbose=0),
          'kernel': m.get_weights()[0].ravel().tolist()}
""",
    "O6 partial target dict": """
m = two_out(); m.compile(SGD(0.0), ['mse', 'categorical_crossentropy'],
                         target_tensors={'out1': tf.constant(Y4)})
result = {'names': m.metrics_names, 'values': m.test_on_batch(X4, ONEHOT)}
""",
    "O6 y for a bound target": """
m = lin3(); m.compile(SGD(0.1), 'mse', target_tensors=[tf.constant(Y4)])
m.train_on_batch(X4, Y4)
""",
    "O7 evaluate_generator averages": """
m = lin3(); m.compile(SGD(0.0), 'mse', metrics=['mae'])
result = m.evaluate_generator(CountingSequence(), workers=1)
""",
    "O14 on_epoch_end without workers": """
m = lin3(); m.compile(SGD(0.0), 'mse')
seq = CountingSequence()
h = m.fit_generator(seq, epochs=3, workers=0, shuffle=False, verbose=0)
result = {'epoch_ends': seq.epoch_ends, 'items': seq.items, 'loss': h.history['loss']}
""",
    "O14 on_epoch_end with one worker": """
m = lin3(); m.compile(SGD(0.0), 'mse')
seq = CountingSequence()
h = m.fit_generator(seq, epochs=3, workers=1, shuffle=False, verbose=0)
result = {'epoch_ends': seq.epoch_ends, 'items': seq.items, 'loss': h.history['loss']}
""",
    "O8 masks and weighted metrics": """
x = np.array([[1, 2, 0, 4], [.5, 0, 1.5, 2]], 'float32')[..., None]
y = np.array([[0, 0, 5, 0], [0, 7, 0, 0]], 'float32')[..., None]
m = temporal(masking=True)
m.compile(SGD(0.0), 'mse', metrics=['mae'], weighted_metrics=['mae'], sample_weight_mode='temporal')
w = np.array([[1, 1, 1, 0], [1, 1, 1, 1]], 'float32')
result = {'names': m.metrics_names, 'plain': m.evaluate(x, y, batch_size=2, verbose=0),
          'weighted': m.evaluate(x, y, sample_weight=w, batch_size=2, verbose=0)}
""",
    "O9 class and sample weights": """
m = lin3(); m.compile(SGD(0.0), 'mse')
h = m.fit(X4, Y4, sample_weight=np.array([1, 1, 1, 0], 'float32'),
          class_weight={0: 1, 1: 3, 2: 1}, batch_size=4, verbose=0)
result = h.history['loss']
""",
    "O10 steps_per_epoch on arrays": """
m = lin3(); m.compile(SGD(0.1), 'mse')
cb = BatchLosses()
h = m.fit(X4, Y4, steps_per_epoch=2, shuffle=False, verbose=0, callbacks=[cb])
result = {'batches': cb.losses, 'loss': h.history['loss'], 'kernel': m.get_weights()[0].ravel().tolist()}
""",
    "O11 two outputs": """
m = two_out()
m.compile(SGD(0.0), ['mse', 'categorical_crossentropy'], metrics=['acc'], loss_weights=[1, .5])
result = {'names': m.metrics_names, 'values': m.evaluate(X4, [Y4, ONEHOT], batch_size=4, verbose=0),
          'shapes': [list(p.shape) for p in m.predict(X4)]}
""",
    "O12 acc from the loss": """
inp = keras.Input((3,))
k = np.array([[2, -1, -1], [-1, 2, -1], [-1, -1, 2]], 'float32')
out = keras.layers.Dense(3, activation='sigmoid', use_bias=False,
                         kernel_initializer=keras.initializers.Constant(k))(inp)
m = keras.Model(inp, out); m.compile(SGD(0.0), 'binary_crossentropy', metrics=['acc'])
y = np.array([[1, 0, 0], [0, 1, 1], [0, 0, 1], [1, 1, 0]], 'float32')
result = m.evaluate(X4, y, batch_size=4, verbose=0)
""",
    "O13 decay and clipnorm": """
m = lin3(); m.compile(SGD(lr=0.1, decay=1.0), 'mse')
w0 = []
for _ in range(3):
    m.train_on_batch(np.array([[1., 0, 0]]), np.array([[0.]]))
    w0.append(float(m.get_weights()[0][0, 0]))
m2 = lin3(); m2.compile(SGD(lr=1.0, clipnorm=1.0), 'mse')
m2.train_on_batch(np.array([[1., 0, 0]]), np.array([[11.]]))
result = {'w0': w0, 'clipped': m2.get_weights()[0].ravel().tolist()}
""",
    "O15 validation split and weights": """
m = lin3(); m.compile(SGD(0.0), 'mse')
a = m.fit(X4, Y4, validation_split=0.25, batch_size=4, verbose=0).history
b = m.fit(X4, Y4, validation_data=(X4, Y4, np.array([0, 0, 0, 1], 'float32')), batch_size=4,
          verbose=0).history
result = {'loss': a['loss'], 'val_loss': a['val_loss'], 'weighted_val_loss': b['val_loss']}
""",
    # --- our own differential scenarios ---
    "dict losses, loss weights and metrics": """
m = two_out()
m.compile(SGD(0.0), {'out1': 'mse', 'out2': 'categorical_crossentropy'},
          metrics={'out1': ['mae'], 'out2': ['acc']}, loss_weights={'out1': 2.0})
result = {'names': m.metrics_names, 'values': m.evaluate(X4, {'out1': Y4, 'out2': ONEHOT}, verbose=0)}
""",
    "duplicate metric names": """
m = two_out()
m.compile(SGD(0.0), ['mse', 'categorical_crossentropy'], metrics=['acc'], weighted_metrics=['acc'])
w = np.array([1, 2, 0, 1], 'float32')
result = {'names': m.metrics_names,
          'values': m.evaluate(X4, [Y4, ONEHOT], sample_weight=[w, w], verbose=0)}
""",
    "mask_zero embedding with temporal weights": """
tokens = np.array([[3, 5, 0, 0], [2, 4, 6, 0], [1, 1, 1, 1]])
inp = keras.Input((4,))
h = keras.layers.Embedding(8, 2, mask_zero=True, embeddings_initializer=keras.initializers.Constant(0.3))(inp)
h = keras.layers.SimpleRNN(3, return_sequences=True, kernel_initializer=keras.initializers.Constant(0.2),
                           recurrent_initializer=keras.initializers.Constant(0.1))(h)
out = keras.layers.TimeDistributed(keras.layers.Dense(2, activation='softmax',
                                   kernel_initializer=keras.initializers.Constant(0.5)))(h)
m = keras.Model(inp, out)
m.compile(SGD(0.0), 'categorical_crossentropy', metrics=['acc'], sample_weight_mode='temporal')
y = np.eye(2, dtype='float32')[[[0, 1, 0, 0], [1, 1, 0, 1], [0, 1, 1, 0]]]
w = np.array([[1, 2, 1, 1], [1, 1, 1, 0], [0.5, 1, 1, 1]], 'float32')
result = [m.evaluate(tokens, y, verbose=0), m.evaluate(tokens, y, sample_weight=w, batch_size=2, verbose=0)]
""",
    "class_weight on softmax": """
inp = keras.Input((3,))
out = keras.layers.Dense(3, activation='softmax', kernel_initializer=keras.initializers.Constant(0.1))(inp)
m = keras.Model(inp, out); m.compile(SGD(0.5), 'categorical_crossentropy', metrics=['acc'])
y = np.eye(3, dtype='float32')[[0, 1, 2, 2]]
h = m.fit(X4, y, class_weight={0: 1.0, 1: 2.0, 2: 0.5}, batch_size=2, epochs=2, shuffle=False, verbose=0)
result = {'history': h.history, 'kernel': m.get_weights()[0].ravel().tolist()}
""",
    "class_weight per output": """
m = two_out(); m.compile(SGD(0.1), ['mse', 'categorical_crossentropy'])
h = m.fit(X4, [Y4, ONEHOT], class_weight={'out2': {0: 1.0, 1: 3.0}}, batch_size=4, epochs=2,
          shuffle=False, verbose=0)
result = h.history
""",
    "validation_split with sample weights": """
m = lin3(); m.compile(SGD(0.1), 'mse', weighted_metrics=['mae'])
h = m.fit(X4, Y4, sample_weight=np.array([1, 2, 3, 4], 'float32'), validation_split=0.5,
          batch_size=1, epochs=2, shuffle=False, verbose=0)
result = h.history
""",
    "variable target changed between fits": """
v = keras.backend.variable(np.zeros((4, 1), 'float32'))
m = lin3(); m.compile(SGD(0.05), 'mse', target_tensors=[v])
a = m.fit(X4, batch_size=4, epochs=2, shuffle=False, verbose=0).history['loss']
keras.backend.set_value(v, Y4)
b = m.fit(X4, batch_size=4, epochs=2, shuffle=False, verbose=0).history['loss']
result = {'a': a, 'b': b, 'eval': m.evaluate(X4, verbose=0)}
""",
    "partial target dict training": """
m = two_out(); m.compile(SGD(0.2), ['mse', 'categorical_crossentropy'], metrics=['acc'],
                         target_tensors={'out1': tf.constant(Y4)})
h = m.fit(X4, [ONEHOT], batch_size=4, epochs=2, shuffle=False, verbose=0)
result = {'names': m.metrics_names, 'history': h.history}
""",
    "shuffle=True with a seed": """
np.random.seed(3)
m = lin3(); m.compile(SGD(0.1), 'mse')
h = m.fit(X4, Y4, batch_size=1, epochs=2, shuffle=True, verbose=0)
result = {'loss': h.history['loss'], 'kernel': m.get_weights()[0].ravel().tolist()}
""",
    "shuffle='batch' with a seed": """
np.random.seed(5)
x = np.concatenate([X4, X4 * 2, X4 * 3]); y = np.concatenate([Y4, Y4, Y4 * 2])
m = lin3(); m.compile(SGD(0.02), 'mse')
h = m.fit(x, y, batch_size=5, epochs=2, shuffle='batch', verbose=0)
result = {'loss': h.history['loss'], 'kernel': m.get_weights()[0].ravel().tolist()}
""",
    "regularisation losses": """
inp = keras.Input((3,))
out = keras.layers.Dense(1, kernel_initializer='ones', kernel_regularizer=keras.regularizers.l2(0.1))(inp)
m = keras.Model(inp, out); m.compile(SGD(0.1), 'mse', metrics=['mse'])
h = m.fit(X4, Y4, batch_size=2, epochs=2, shuffle=False, verbose=0)
result = {'history': h.history, 'eval': m.evaluate(X4, Y4, verbose=0)}
""",
    "two inputs by name": """
a = keras.Input((3,), name='a'); b = keras.Input((2,), name='b')
h = keras.layers.concatenate([a, b])
out = keras.layers.Dense(1, kernel_initializer='ones', name='out')(h)
m = keras.Model([a, b], out); m.compile(SGD(0.05), 'mae', metrics=['mse'])
xb = np.array([[1, 2], [0, 1], [1, 1], [2, 0]], 'float32')
h = m.fit({'a': X4, 'b': xb}, Y4, batch_size=3, epochs=2, shuffle=False, verbose=0)
result = {'history': h.history, 'predict': m.predict([X4, xb]).ravel().tolist()}
""",
    "1-D targets": """
m = lin3(); m.compile(SGD(0.1), 'mse', metrics=['mae'])
result = m.fit(X4, Y4.ravel(), batch_size=2, epochs=2, shuffle=False, verbose=0).history
""",
    "sparse targets and acc": """
inp = keras.Input((3,))
out = keras.layers.Dense(3, activation='softmax', kernel_initializer=keras.initializers.Constant(0.2))(inp)
m = keras.Model(inp, out)
m.compile(SGD(0.0), 'sparse_categorical_crossentropy', metrics=['acc', 'crossentropy'])
result = {'names': m.metrics_names,
          'values': m.evaluate(X4, np.array([0, 1, 2, 1]), verbose=0)}
""",
    "loss objects and functions": """
def halved_mae(y_true, y_pred):
    return 0.5 * keras.backend.mean(keras.backend.abs(y_true - y_pred), axis=-1)
m = two_out()
m.compile(SGD(0.1), [halved_mae, keras.losses.CategoricalCrossentropy()],
          metrics=[keras.metrics.MeanSquaredError(name='mse_obj')])
h = m.fit(X4, [Y4, ONEHOT], batch_size=2, epochs=2, shuffle=False, verbose=0)
result = {'names': m.metrics_names, 'history': h.history}
""",
    "epochs=0 and initial_epoch": """
m = lin3(); m.compile(SGD(0.1), 'mse')
a = m.fit(X4, Y4, epochs=0, verbose=0)
b = m.fit(X4, Y4, epochs=2, initial_epoch=2, verbose=0)
c = m.fit(X4, Y4, epochs=3, initial_epoch=1, verbose=0)
result = {'a': a.history, 'b': b.history, 'c_epochs': c.epoch}
""",
    "history params": """
m = lin3(); m.compile(SGD(0.0), 'mse', metrics=['mae'])
h = m.fit(X4, Y4, batch_size=3, epochs=2, verbose=0, validation_split=0.25)
result = {'params': h.params, 'epoch': h.epoch, 'keys': sorted(h.history)}
""",
    "return types": """
m = lin3(); m.compile(SGD(0.0), 'mse')
m2 = lin3(); m2.compile(SGD(0.0), 'mse', metrics=['mae'])
result = [type(m.evaluate(X4, Y4, verbose=0)).__name__, type(m.train_on_batch(X4, Y4)).__name__,
          type(m2.test_on_batch(X4, Y4)).__name__, type(m2.test_on_batch(X4, Y4)[0]).__name__]
""",
    "uneven batches": """
m = lin3(); m.compile(SGD(0.0), 'mse', metrics=['mae'], weighted_metrics=['mae'])
w = np.array([1, 2, 0, 1], 'float32')
result = {'eval': m.evaluate(X4, Y4, sample_weight=w, batch_size=3, verbose=0),
          'fit': m.fit(X4, Y4, sample_weight=w, batch_size=3, shuffle=False, verbose=0).history}
""",
    # A callback that changes a bound target variable at the end of an epoch: the next epoch's
    # first step reads the new value (nothing reads bound targets ahead of the callbacks).
    "variable target changed by a callback": """
v = keras.backend.variable(np.zeros((4, 1), 'float32'))
class Bump(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        keras.backend.set_value(v, np.full((4, 1), float(epoch + 1), 'float32'))
m = lin3(); m.compile(SGD(0.0), 'mse', target_tensors=[v])
h = m.fit(X4, None, batch_size=4, epochs=3, shuffle=False, verbose=0, callbacks=[Bump()])
result = h.history['loss']
""",
    "validation calls the test hooks": """
ev = []
class Rec(keras.callbacks.Callback):
    def on_test_begin(self, logs=None): ev.append('test_begin')
    def on_test_end(self, logs=None): ev.append('test_end')
    def on_test_batch_begin(self, b, logs=None): ev.append('tb%d' % b)
    def on_test_batch_end(self, b, logs=None):
        ev.append('te%d:%s' % (b, ','.join(sorted(logs or {}))))
    def on_epoch_end(self, e, logs=None): ev.append('epoch_end')
def gen():
    while True:
        yield X4[:2], Y4[:2]
m = lin3(); m.compile(SGD(0.01), 'mse', metrics=['mae'])
m.fit(X4, Y4, batch_size=2, epochs=1, verbose=0, validation_data=(X4[:3], Y4[:3]),
      callbacks=[Rec()])
arrays = list(ev); ev.clear()
m.fit(X4, Y4, batch_size=2, epochs=1, verbose=0, validation_split=0.5, callbacks=[Rec()])
split = list(ev); ev.clear()
m.fit_generator(gen(), steps_per_epoch=2, epochs=1, verbose=0, validation_data=gen(),
                validation_steps=2, callbacks=[Rec()])
result = {'arrays': arrays, 'split': split, 'generator': list(ev)}
""",
    "uneven batches, two outputs": """
m = two_out(); m.compile(SGD(0.0), ['mse', 'categorical_crossentropy'], metrics=['acc'])
result = m.fit(X4, [Y4, ONEHOT], batch_size=3, shuffle=False, verbose=0).history
""",
}

# Standalone Keras 2.2.4's values (legacy spec §G, K224 column; [X] executed, [R] read).
KERAS22 = {
    "O1 temporal weights": [2.083333, 2.1875],
    "O2 sample-wise weights": 1.0,
    "O3 constant target tensor": {
        "loss": [1.5, 1.18125, 0.964453],
        "kernel": [0.898625, 0.756, 0.613375],
    },
    "O4 variable target": [3.0, 1.5],
    "O5 input and target tensors": {
        "loss": [1.340625, 0.889304],
        "eval": 0.707539,
        "kernel": [0.890294, 0.7048, 0.519306],
    },
    "O6 partial target dict": {
        "names": ["loss", "out1_loss", "out2_loss"],
        "values": [2.193147, 1.5, 0.693147],
    },
    "O7 evaluate_generator averages": [1.5, 1.0],
    "O14 on_epoch_end without workers": {"epoch_ends": 0, "items": 6, "loss": [1.5, 1.5, 1.5]},
    "O14 on_epoch_end with one worker": {"epoch_ends": 2, "items": 6, "loss": [1.5, 1.5, 1.5]},
    "O8 masks and weighted metrics": {
        "names": ["loss", "mean_absolute_error", "weighted_mean_absolute_error"],
        "plain": [4.583333, 1.833333, 1.833333],
        "weighted": [2.190476, 1.833333, 1.333333],
    },
    "O9 class and sample weights": [0.666667],
    "O10 steps_per_epoch on arrays": {
        "batches": [1.5, 1.18125],
        "loss": [1.340625],
        "kernel": [0.9175, 0.82, 0.7225],
    },
    "O11 two outputs": {
        "names": ["loss", "out1_loss", "out2_loss", "out1_acc", "out2_acc"],
        "values": [1.846574, 1.5, 0.693147, 0.5, 0.5],
        "shapes": [[4, 1], [4, 2]],
    },
    "O12 acc from the loss": [0.444983, 0.75],
    "O13 decay and clipnorm": {"w0": [0.8, 0.72, 0.672], "clipped": [2.0, 1.0, 1.0]},
    "O15 validation split and weights": {
        "loss": [0.666667],
        "val_loss": [4.0],
        "weighted_val_loss": [4.0],
    },
}
# Own scenarios whose Keras 2.2.4 behaviour is read from its source (not in the spec).
KERAS22_READ = {
    # 2.2.4's fit_loop and fit_generator validate through test_loop / evaluate_generator
    # without callbacks: no test hooks.
    "validation calls the test hooks": {
        "arrays": ["epoch_end"],
        "split": ["epoch_end"],
        "generator": ["epoch_end"],
    },
}
# Scenarios where the "keras-2.2" flavor raises in Keras 2.2.4 too (same check as TV1).
KERAS22_ERRORS = {
    "O6 y for a bound target": ("ValueError", "Error when checking model target: expected no data")
}

# Where compatkeras deliberately differs from TV1 (docs/deviations.md), with the value it gives.
DEVIATIONS = {
    # TV1 averages evaluate_generator's loss over steps without batch-size weights (2.333);
    # K224 and tf.keras eager weight by batch size.
    "O7 evaluate_generator averages": [1.5, 1.0],
    # TV1 averages each output's loss over batches without weighting by batch size, so the
    # displayed parts do not add up to the (batch-size-weighted) total; K224 and tf.keras eager
    # weight them all by batch size.
    "uneven batches, two outputs": {
        "loss": [2.1931472],
        "out1_loss": [1.5],
        "out2_loss": [0.6931472],
        "out1_acc": [0.5],
        "out2_acc": [0.5],
    },
}

# Where TV1's answer depends on thread timing, the spec's measured value stands in for a fresh
# TV1 run: TV1 calls on_epoch_end from its enqueuer thread (the spec measured 2 calls, 6 items);
# compatkeras calls it between passes, deterministically, with the same counts.
MEASURED = {
    "O14 on_epoch_end with one worker": {"epoch_ends": 2, "items": 6, "loss": [1.5, 1.5, 1.5]},
}


@pytest.fixture(scope="module")
def tv1():
    return oracles.run("tv1", {n: TEMPORAL + s for n, s in SCENARIOS.items()})


@pytest.fixture(scope="module")
def tf_keras_flavor():
    return oracles.run("compatkeras", {n: TEMPORAL + s for n, s in SCENARIOS.items()})


@pytest.fixture(scope="module")
def keras22_flavor():
    names = set(KERAS22) | set(KERAS22_ERRORS) | set(KERAS22_READ)
    return oracles.run("compatkeras-2.2", {n: TEMPORAL + SCENARIOS[n] for n in names})


def assert_same(got, expected, where=""):
    if isinstance(expected, dict):
        assert sorted(got) == sorted(expected), where
        for key in expected:
            assert_same(got[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, list) and expected and isinstance(expected[0], str):
        assert got == expected, where
    elif (
        isinstance(expected, list)
        and expected
        and isinstance(expected[0], list)
        and isinstance(expected[0][0], str)
    ):
        assert got == expected, where
    elif isinstance(expected, str) or expected is None:
        assert got == expected, where
    else:
        np.testing.assert_allclose(got, expected, atol=1e-5, rtol=1e-5, err_msg=where)


def test_scenario_count():
    assert sum(not n.startswith("O") for n in SCENARIOS) >= 15


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_tf_keras_flavor_matches_tv1(tv1, tf_keras_flavor, name):
    if name in DEVIATIONS or name in MEASURED:
        expected = DEVIATIONS.get(name, MEASURED.get(name))
        assert_same(oracles.value(tf_keras_flavor, name), expected, name)
        return
    expected, got = tv1[name], tf_keras_flavor[name]
    if "error" in expected:
        assert got.get("error") == expected["error"], got
        assert got["message"][:40] == expected["message"][:40], (got, expected)
        return
    assert_same(oracles.value(tf_keras_flavor, name), expected["value"], name)


@pytest.mark.parametrize("name", sorted(DEVIATIONS))
def test_deviation_really_differs_from_tv1(tv1, name):
    """Guards DEVIATIONS: if TV1 ever agrees, the entry (and its docs) must go."""
    with pytest.raises(AssertionError):
        assert_same(oracles.value(tv1, name), DEVIATIONS[name], name)


@pytest.mark.parametrize("name", sorted(KERAS22))
def test_keras22_flavor_matches_keras224(keras22_flavor, name):
    assert_same(oracles.value(keras22_flavor, name), KERAS22[name], name)


@pytest.mark.parametrize("name", sorted(KERAS22_READ))
def test_keras22_flavor_matches_keras224_source(keras22_flavor, name):
    assert_same(oracles.value(keras22_flavor, name), KERAS22_READ[name], name)


@pytest.mark.parametrize("name", sorted(KERAS22_ERRORS))
def test_keras22_flavor_errors(keras22_flavor, name):
    kind, prefix = KERAS22_ERRORS[name]
    assert keras22_flavor[name].get("error") == kind
    # Keras 2.2.4 raises this one with two arguments, so str() is tuple-style: "('Error...', array(...))".
    assert prefix in keras22_flavor[name]["message"]


def test_own_scenarios_have_no_keras22_value():
    """Keras 2.2.4 cannot run on TensorFlow 2.21, so only the spec's O-scenarios (whose Keras
    2.2.4 values were executed from its source or read from it) are checked under "keras-2.2"."""
    assert all(name.startswith("O") for name in KERAS22)


# In-process checks of the Keras 2 signatures (no oracle needed).


def _lin3():
    import compatkeras as keras

    inp = keras.Input((3,), name="inp")
    return keras.Model(
        inp, keras.layers.Dense(1, use_bias=False, kernel_initializer="ones", name="out")(inp)
    )


def test_nb_epoch_is_renamed_with_the_keras2_warning():
    model = _lin3()
    model.compile("sgd", "mse")
    x, y = np.ones((4, 3), "float32"), np.ones((4, 1), "float32")
    with pytest.warns(
        UserWarning, match="The `nb_epoch` argument in `fit` has been renamed `epochs`."
    ):
        history = model.fit(x, y, nb_epoch=2, verbose=0)
    assert history.epoch == [0, 1]


def test_compile_positional_order_is_keras2():
    model = _lin3()
    # The 5th positional argument is sample_weight_mode in Keras 2 (weighted_metrics in tf-keras).
    model.compile("sgd", "mse", ["mae"], None, None)
    assert model.metrics_names == ["loss", "mae"]
    assert model._engine_config.outputs[0].temporal is False


def test_get_layer_by_name_and_index():
    model = _lin3()
    assert model.get_layer("out") is model.get_layer(index=1)


def test_generator_methods_accept_keras1_names_with_a_warning():
    import compatkeras as keras

    class Batches(keras.utils.Sequence):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return np.ones((2, 3), "float32"), np.ones((2, 1), "float32")

    model = _lin3()
    model.compile("sgd", "mse")
    with pytest.warns(UserWarning, match="Update your `fit_generator` call to the Keras 2 API"):
        history = model.fit_generator(Batches(), nb_epoch=2, nb_worker=0, verbose=0)
    assert history.epoch == [0, 1]
    assert model.predict_generator(Batches(), workers=0).shape == (4, 1)
    assert model.fit(Batches(), epochs=1, workers=0, verbose=0).epoch == [0]
