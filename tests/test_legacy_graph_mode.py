"""Programs that turn eager execution off (`tf.compat.v1.disable_eager_execution()`, as tf.keras
2.x programs mixing Keras with TensorFlow 1 code do) run under the drop-in as tf.keras 2.x ran
them: on tf-keras's graph engine, the anchor itself (TV1). Each scenario runs under the drop-in
and under TV1 with the same initial weights; the results must be equal."""

import pytest

import oracles

SCENARIOS = {
    # First: the one warning is given by the first model of the program.
    "warning": """
import warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter('always')
    lin3()
result = [str(w.message).split(':')[0] for w in caught if 'graph engine' in str(w.message)]
""",
    "sequential_fit_evaluate_predict": """
m = keras.models.Sequential([
    keras.layers.Dense(4, activation='relu', input_shape=(3,),
                       kernel_initializer=keras.initializers.Constant(0.2)),
    keras.layers.Dense(2, activation='softmax', kernel_initializer='ones')])
m.compile(SGD(0.1), 'categorical_crossentropy', metrics=['accuracy'])
x = np.arange(24, dtype='float32').reshape(8, 3) / 24
y = np.eye(2)[np.arange(8) % 2]
h = m.fit(x, y, batch_size=3, epochs=2, shuffle=False, validation_split=0.25, verbose=0)
classes = m.predict(x).argmax(-1)  # TV1 (tf-keras) has no predict_classes; tf.keras 2.0-2.5 had
if hasattr(m, 'predict_classes'):
    classes = m.predict_classes(x)
result = {'history': h.history, 'evaluate': m.evaluate(x, y, verbose=0),
          'predict': m.predict(x[:2]), 'on_batch': m.train_on_batch(x, y),
          'names': m.metrics_names, 'weights': m.get_weights(), 'classes': classes,
          'config': m.get_config()['layers'][0]['class_name'], 'class': type(m).__name__,
          'has_predict_classes': hasattr(m, 'predict_classes')}
""",
    "functional_custom_layer_generator": """
K = keras.backend
class Scale(keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(name='w', shape=(input_shape[-1],), initializer='ones')
        super().build(input_shape)
    def call(self, x):
        return x * self.w + K.mean(x, axis=-1, keepdims=True)
inp = keras.layers.Input((3,))
out = keras.layers.Dense(1, kernel_initializer='ones')(Scale()(inp))
m = keras.models.Model(inputs=inp, outputs=out)
m.compile(keras.optimizers.legacy.Adam(0.01), 'mse', metrics=['mae'])  # TV1's class
def batches():
    while True:
        yield X4, Y4
h = m.fit_generator(batches(), steps_per_epoch=2, epochs=2, verbose=0)
result = {'history': h.history, 'weights': m.get_weights(),
          'evaluate': m.evaluate_generator(batches(), steps=1)}
""",
    "backend_session_and_functions": """
K = keras.backend
m = lin3()
f = K.function([m.input, K.learning_phase()], [m.output])
g = K.gradients(K.sum(m.output), m.trainable_weights)
v = K.variable(np.ones((2, 2)))
K.set_value(v, np.full((2, 2), 3.0))
sess = K.get_session() if hasattr(K, 'get_session') else (  # tf.keras 2.x: in the v1 API
    __import__('tf_keras.src.backend').src.backend.get_session())
p = tf.compat.v1.placeholder('float32', (None, 3))
result = {'function': f([X4, 0])[0], 'session': sess.run(m.output, {m.input: X4}),
          'gradients': sess.run(g, {m.input: X4}), 'variable': K.get_value(v),
          'raw_tf1': sess.run(tf.reduce_sum(p, 1), {p: X4}),
          'eval': K.eval(K.constant(2.0) * 3)}
""",
    "callbacks": """
import os, tempfile
class Record(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        seen.append(sorted(logs))
seen = []
path = os.path.join(tempfile.mkdtemp(), 'best.h5')
m = lin3()
m.compile(SGD(0.05), 'mse')
h = m.fit(X4, Y4, batch_size=2, epochs=6, validation_data=(X4, Y4), shuffle=False, verbose=0,
          callbacks=[
    Record(), keras.callbacks.ModelCheckpoint(path, save_best_only=True),
    keras.callbacks.ReduceLROnPlateau(patience=1, factor=0.5),
    keras.callbacks.EarlyStopping(patience=2, min_delta=10.0)])
result = {'history': h.history, 'seen': seen, 'saved': os.path.exists(path),
          'lr': float(keras.backend.get_value(m.optimizer.lr))}
""",
    "keras2_get_updates_optimizer": """
K = keras.backend
if keras.__name__ == 'tf_keras':  # TV1: tf-keras's copy of Keras 2's optimizer base
    from tf_keras.src.optimizers.optimizer_v1 import Optimizer as Base
else:
    Base = keras.optimizers.Optimizer
class PlainSGD(Base):
    def __init__(self, lr, **kwargs):
        super().__init__(**kwargs)
        self.lr = K.variable(lr, name='lr')
        self.iterations = K.variable(0, dtype='int64', name='iterations')
    def get_updates(self, loss, params):
        grads = self.get_gradients(loss, params)
        self.updates = [K.update_add(self.iterations, 1)]
        self.updates += [K.update(p, p - self.lr * g) for p, g in zip(params, grads)]
        return self.updates
m = lin3()
m.compile(PlainSGD(0.05, clipnorm=1.0), 'mse')
h = m.fit(X4, Y4, batch_size=2, epochs=3, shuffle=False, verbose=0)
result = {'history': h.history, 'weights': m.get_weights(),
          'iterations': K.get_value(m.optimizer.iterations)}
""",
    "subclassed_model": """
class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(1, kernel_initializer='ones')
    def call(self, x):
        return self.dense(x) * 0.5
m = Net()
m.compile(SGD(0.1), 'mse')
h = m.fit(X4, Y4, batch_size=2, epochs=2, shuffle=False, verbose=0)
result = {'history': h.history, 'weights': m.get_weights(), 'predict': m.predict(X4),
          'isinstance': [isinstance(m, Net), isinstance(m, keras.Model),
                         isinstance(lin3(), keras.Model), isinstance(m, keras.Sequential),
                         isinstance(keras.Sequential(), (keras.Model, keras.Sequential))]}
""",
    "save_and_load_h5": """
import os, tempfile
m = two_out()
m.compile(SGD(0.1), ['mse', 'categorical_crossentropy'])
m.fit(X4, [Y4, np.eye(2)[[0, 1, 0, 1]]], epochs=1, verbose=0)
path = os.path.join(tempfile.mkdtemp(), 'm.h5')
m.save(path)
back = keras.models.load_model(path)
result = {'predict': back.predict(X4), 'same': [bool(np.allclose(a, b)) for a, b in
                                                 zip(m.get_weights(), back.get_weights())]}
""",
}


@pytest.fixture(scope="module")
def runs():
    return {oracle: oracles.run(oracle, SCENARIOS) for oracle in ("dropin-graph", "tv1")}


def test_the_first_model_says_which_engine_runs_it(runs):
    assert oracles.value(runs["dropin-graph"], "warning") == [
        "Eager execution is disabled (tf.compat.v1.disable_eager_execution)"
    ]
    assert oracles.value(runs["tv1"], "warning") == []


def test_sequential_keeps_predict_classes(runs):
    # tf.keras 2.0-2.5 had it (the same numbers as TV1's arg-max: the comparison below)
    assert oracles.value(runs["dropin-graph"], "sequential_fit_evaluate_predict")[
        "has_predict_classes"
    ]


@pytest.mark.parametrize("name", sorted(set(SCENARIOS) - {"warning"}))
def test_runs_as_tf_keras_graph_engine(runs, name):
    ours, theirs = (
        {k: v for k, v in oracles.value(runs[oracle], name).items() if k != "has_predict_classes"}
        for oracle in ("dropin-graph", "tv1")
    )
    oracles.assert_same(ours, theirs, rtol=1e-6, atol=1e-6)
