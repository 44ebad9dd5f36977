"""Keras 2.2.4's API beyond training: its backend, its legacy interfaces, Keras 2-style custom
optimizers and layers, its legacy layers and utilities, and how libraries recognise Keras.

Oracles: Keras 2.2.4's formulas in numpy (written out here, each next to its scenario), tf-keras
layers with the same weights, and Keras 2.2.4's own texts for warnings and errors. The scenarios
run in one subprocess per flavor (`compatkeras`, `compatkeras-2.2`) and one under the drop-in.
"""

import numpy as np
import pytest

import oracles
from keras224_names import NAMES

SETUP = """
import warnings
K = keras.backend
def caught(fn):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter('always')
        value = fn()
    return value, [str(w.message) for w in seen]
def error(fn):
    try:
        fn()
    except Exception as e:
        return [type(e).__name__, str(e)]
    return None
X = np.array([[1., 2.], [3., 4.], [0., 1.]], 'float32')
Y = np.array([[1.], [2.], [0.5]], 'float32')
"""

SCENARIOS = {
    "batch_dot": """
r = np.random.RandomState(0)
c, u = r.rand(2, 5, 6).astype('float32'), r.rand(2, 5, 6, 4).astype('float32')
a, b = r.rand(3, 4).astype('float32'), r.rand(3, 4, 2).astype('float32')
result = {'caps': K.batch_dot(c, u, [2, 2]).numpy().tolist(),
          'vec': K.batch_dot(a, a, 1).numpy().tolist(),
          'mat': K.batch_dot(a, b, (1, 1)).numpy().tolist()}
""",
    "backend_names": """
v = np.array([[1., 2.], [3., 5.]], 'float32')
before = K.image_data_format()
K.set_image_dim_ordering('th'); th = (K.image_dim_ordering(), K.image_data_format())
K.set_image_data_format(before)
i = keras.layers.Input((2,)); o = keras.layers.Dense(1)(i)
result = {'logsumexp': K.logsumexp(v, axis=1).numpy().tolist(),
          'slice': K.slice(v, [0, 1], [2, 1]).numpy().tolist(),
          'identity': K.identity(v).numpy().tolist(), 'th': list(th),
          'normalize': K.normalize_data_format('Channels_Last'),
          'bad_format': error(lambda: K.normalize_data_format('nhwc')),
          'placeholders': [K.is_placeholder(i), K.is_placeholder(o)],
          'tensors': [K.is_tensor(o), K.is_tensor(v)],
          'variable_shape': list(K.get_variable_shape(K.variable(np.zeros((3, 4))))),
          'tf': K.tf.__name__, 'while_loop': [int(t) for t in K.control_flow_ops.while_loop(
              lambda n, total: n < 3, lambda n, total: (n + 1, total + n), [0, 10])]}
""",
    "separable_conv1d": """
r = np.random.RandomState(1)
x = r.rand(2, 7, 3).astype('float32'); dk = r.rand(3, 3, 2).astype('float32')
pk = r.rand(1, 6, 4).astype('float32')
layer = keras.layers.SeparableConv1D(4, 3, depth_multiplier=2, use_bias=False)
layer.build((None, 7, 3)); layer.set_weights([dk, pk])
result = {'backend': K.separable_conv1d(x, dk, pk).numpy().tolist(),
          'layer': layer(x).numpy().tolist()}
""",
    "conv3d_transpose": """
r = np.random.RandomState(2)
x = r.rand(1, 3, 3, 3, 2).astype('float32'); k = r.rand(2, 2, 2, 4, 2).astype('float32')
layer = keras.layers.Conv3DTranspose(4, 2, strides=2, use_bias=False)
layer.build((None, 3, 3, 3, 2)); layer.set_weights([k])
result = {'backend': K.conv3d_transpose(x, k, (1, 6, 6, 6, 4), (2, 2, 2)).numpy().tolist(),
          'layer': layer(x).numpy().tolist()}
""",
    "model_input_output": """
i = keras.layers.Input((2,))
m, warned = caught(lambda: keras.models.Model(input=i, output=keras.layers.Dense(1)(i), name='m'))
clone = keras.models.model_from_json(m.to_json())
result = {'warned': warned, 'class': type(m).__name__, 'config': m.get_config()['name'],
          'clone': [type(clone).__module__, type(keras.models.clone_model(m)).__module__,
                    type(keras.models.Sequential.from_config(
                        keras.models.Sequential([keras.layers.Dense(1, input_shape=(2,))])
                        .get_config())).__module__]}
""",
    "custom_layer": """
class Scale(keras.layers.Layer):
    # Keras 2.0 style: K.variable weights, trainable lists set by hand, add_weight(shape, name)
    def build(self, input_shape):
        self.W = K.variable(np.full((input_shape[-1], 1), 0.5), name='W')
        self.frozen = K.variable(np.array([2.0]), name='frozen')
        self.b = self.add_weight((1,), 'b', initializer='zeros')
        self.trainable_weights = [self.W, self.b]
        self.non_trainable_weights = [self.frozen]
        super().build(input_shape)
    def call(self, x):
        return (K.dot(x, self.W) + self.b) * self.frozen
i = keras.layers.Input((2,)); layer = Scale(); o = layer(i)
m = keras.models.Model(i, o); m.compile(SGD(0.01), 'mse')
h = m.fit(X, Y, batch_size=3, epochs=3, verbose=0)
node = layer._inbound_nodes[0]
result = {'loss': h.history['loss'], 'weights': [w.ravel().tolist() for w in m.get_weights()],
          'counts': [len(layer.trainable_weights), len(layer.non_trainable_weights)],
          'keras_shape': list(o._keras_shape), 'masks': [node.input_masks, node.output_masks],
          'indices': [node.node_indices, node.tensor_indices],
          'is_layer': [isinstance(keras.layers.Dense(1), keras.layers.Layer),
                       issubclass(keras.layers.LSTM, keras.layers.Layer)]}
""",
    "custom_optimizer": """
class MomentumSGD(keras.optimizers.Optimizer):
    def __init__(self, lr=0.01, momentum=0.5, **kwargs):
        super().__init__(**kwargs)
        self.iterations = K.variable(0, dtype='int64', name='iterations')
        self.lr = K.variable(lr, name='lr')
        self.momentum = momentum
    @keras.legacy.interfaces.legacy_get_updates_support
    def get_updates(self, loss, params):
        grads = self.get_gradients(loss, params)
        self.updates = [K.update_add(self.iterations, 1)]
        moments = [K.zeros(K.int_shape(p), dtype=K.dtype(p)) for p in params]
        self.weights = [self.iterations] + moments
        for p, g, m in zip(params, grads, moments):
            v = self.momentum * m - self.lr * g
            self.updates.append(K.update(m, v))
            self.updates.append(K.update(p, p + v))
        return self.updates
def train(optimizer):
    m = keras.models.Sequential([keras.layers.Dense(1, input_shape=(2,), kernel_initializer='ones')])
    m.compile(optimizer, 'mse')
    h = m.fit(X, Y, batch_size=3, epochs=3, verbose=0, shuffle=False)
    return {'loss': h.history['loss'], 'weights': [w.ravel().tolist() for w in m.get_weights()],
            'iterations': int(K.get_value(m.optimizer.iterations))}
result = {'plain': train(MomentumSGD(0.01)), 'clipped': train(MomentumSGD(0.01, clipnorm=0.5)),
          'is_optimizer': [isinstance(keras.optimizers.SGD(), keras.optimizers.Optimizer),
                           isinstance(MomentumSGD(), keras.optimizers.Optimizer)],
          'bad_kwarg': error(lambda: MomentumSGD(foo=1)),
          'old_order': keras.legacy.interfaces.get_updates_arguments(
              (['p'], {}, 'loss'), {})}
""",
    "legacy_layers": """
a = keras.layers.Input((3,)); b = keras.layers.Input((3,))
va, vb = np.array([[1., 2., 3.]], 'float32'), np.array([[4., 5., 7.]], 'float32')
merged = {}
for mode in ('sum', 'mul', 'ave', 'max', 'concat', 'dot', 'cos'):
    out, warned = caught(lambda: keras.layers.merge([a, b], mode=mode))
    merged[mode] = keras.models.Model([a, b], out).predict([va, vb]).tolist()
r = np.random.RandomState(3)
maxout = keras.layers.MaxoutDense(2, nb_feature=3, input_dim=3)
maxout.build((None, 3)); mw, mb = r.rand(3, 3, 2), r.rand(3, 2); maxout.set_weights([mw, mb])
highway = keras.layers.Highway(activation='relu')
highway.build((None, 3)); hw = [r.rand(3, 3), r.rand(3, 3), r.rand(3), r.rand(3)]
highway.set_weights(hw)
atrous = keras.layers.AtrousConvolution2D(4, 3, 3, atrous_rate=(2, 2))
result = {'merged': merged, 'warned': warned,
          'maxout': maxout(va).numpy().tolist(), 'maxout_w': [mw.tolist(), mb.tolist()],
          'highway': highway(va).numpy().tolist(), 'highway_w': [w.tolist() for w in hw],
          'atrous': [list(atrous.kernel_size), list(atrous.dilation_rate)],
          'recurrent': error(lambda: keras.layers.Recurrent()),
          'merge_models': error(lambda: keras.layers.Merge([a, b]))}
""",
    "cudnn": """
r = np.random.RandomState(4)
x = r.rand(2, 5, 3).astype('float32')
cu = keras.layers.CuDNNLSTM(4, return_sequences=True); cu.build((None, 5, 3))
import tf_keras
ref = tf_keras.layers.LSTM(4, return_sequences=True, recurrent_activation='sigmoid')
ref.build((None, 5, 3)); ref.set_weights(cu.get_weights())
gru = keras.layers.CuDNNGRU(4); gru.build((None, 5, 3))
gref = tf_keras.layers.GRU(4, reset_after=True, recurrent_activation='sigmoid')
gref.build((None, 5, 3)); gref.set_weights(gru.get_weights())
result = {'lstm': [cu(x).numpy().tolist(), ref(x).numpy().tolist()],
          'gru': [gru(x).numpy().tolist(), gref(x).numpy().tolist()]}
""",
    "utils": """
import h5py, os, tempfile
path = os.path.join(tempfile.mkdtemp(), 'data.h5')
with h5py.File(path, 'w') as f:
    f['x'] = np.arange(20).reshape(10, 2)
matrix = keras.utils.HDF5Matrix(path, 'x', start=2, end=8, normalizer=lambda v: v * 10)
folder = tempfile.mkdtemp()
for name in ('a.jpg', 'b.PNG', 'c.txt'):
    open(os.path.join(folder, name), 'w').close()
kernel = np.arange(2 * 3 * 1 * 1, dtype='float32').reshape(2, 3, 1, 1)
result = {'len': len(matrix), 'shape': list(matrix.shape), 'row': matrix[0].tolist(),
          'slice': matrix[1:3].tolist(), 'past_end': error(lambda: matrix[6]),
          'pictures': sorted(os.path.basename(p) for p in
                             keras.preprocessing.image.list_pictures(folder)),
          'flipped': keras.utils.conv_utils.convert_kernel(kernel)[..., 0, 0].tolist(),
          'one_gpu': error(lambda: keras.utils.multi_gpu_model(None, gpus=1)),
          'two_gpus': error(lambda: keras.utils.multi_gpu_model(None, gpus=2)),
          'enqueuer_base': issubclass(keras.utils.OrderedEnqueuer, keras.utils.SequenceEnqueuer)}
""",
    "deferred_sequential": """
m = keras.models.Sequential()
m.add(keras.layers.Dense(4, kernel_initializer='ones'))
m.add(keras.layers.Dense(1, kernel_initializer='ones'))
m.compile(SGD(0.0), 'mse', metrics=['mae'])
before = list(m.metrics_names)
h = m.fit(np.ones((8, 3)), np.ones((8, 1)), verbose=0)
g = keras.models.Sequential([keras.layers.Dense(2)])
g.compile('sgd', 'mse')
result = {'before': before, 'after': list(m.metrics_names), 'history': list(h.history.values()),
          'generator': error(lambda: g.fit_generator(iter([(np.ones((2, 3)), np.ones((2, 2)))]),
                                                     steps_per_epoch=1, verbose=0))}
""",
    "keras224_helpers": """
yt, yp = np.array([[1., 0., 1.]], 'float32'), np.array([[0.5, 0.5, 1.]], 'float32')
sgd = keras.optimizers.SGD(0.1, momentum=0.5)
config = keras.optimizers.serialize(sgd)
again = keras.optimizers.deserialize(config)
topk_true = np.array([[0, 1, 0], [1, 0, 0]], 'float32')
topk_pred = np.array([[0.3, 0.2, 0.1], [0.1, 0.2, 0.7]], 'float32')
class TruePositives(keras.layers.Layer):
    # Keras 2.2.4's stateful metric: a layer whose __call__ returns the running count
    def __init__(self, name='true_positives', **kwargs):
        super().__init__(name=name, **kwargs)
        self.stateful = True
        self.count = K.variable(value=0, dtype='int32')
    def reset_states(self):
        K.set_value(self.count, 0)
    def __call__(self, y_true, y_pred):
        y_true = K.cast(y_true, 'int32'); y_pred = K.cast(K.round(y_pred), 'int32')
        hits = K.cast(K.sum(K.cast(K.equal(y_pred, y_true), 'int32') * y_true), 'int32')
        current = self.count * 1
        self.add_update(K.update_add(self.count, hits), inputs=[y_true, y_pred])
        return current + hits
m = keras.models.Sequential([keras.layers.Dense(1, activation='sigmoid', input_shape=(2,),
                                                kernel_initializer='ones')])
m.compile(SGD(0.0), 'binary_crossentropy', metrics=[TruePositives()])
h = m.fit(X[:, :2], np.array([1, 1, 0]), batch_size=1, epochs=2, shuffle=False, verbose=0)
tu = keras.legacy.engine.training_utils  # `keras.engine.training_utils` under the drop-in
weighted = tu.weighted_masked_objective(keras.losses.mean_squared_error)
w_value = float(weighted(np.array([[1.], [2.]], 'float32'), np.array([[0.], [0.]], 'float32'),
                         np.array([1., 0.], 'float32')))
cos_model = keras.models.Sequential([keras.layers.Dense(3, input_shape=(2,))])
cos_model.compile('sgd', 'cosine_proximity')
cos_model.fit(X[:, :2], np.ones((3, 3)), verbose=0)
def saved_to_open_file():
    import h5py, os, tempfile
    path = os.path.join(tempfile.mkdtemp(), 'm.h5')
    plain = keras.models.Sequential([keras.layers.Dense(1, input_shape=(2,))])
    plain.compile('sgd', 'mse')
    plain.save(path)
    with h5py.File(path, 'r') as f:
        return type(keras.models.load_model(f)).__name__
def toggled_trainable_warns():
    a = keras.layers.Input((3,)); inner = keras.models.Model(a, keras.layers.Dense(1)(a))
    inner.trainable = False
    b = keras.layers.Input((3,)); outer = keras.models.Model(b, keras.layers.Dense(1)(inner(b)))
    outer.compile('adam', 'mse'); outer._make_train_function()
    inner.trainable = True
    _, warned = caught(lambda: outer.summary(print_fn=lambda *a, **k: None))
    return [w for w in warned if 'Discrepancy' in w]
result = {'cosine': keras.losses.cosine_proximity(yt, yp).numpy().tolist(),
          'optimizer': [type(again).__module__, type(again).__name__, config['class_name'],
                        keras.optimizers.serialize(again)['config'] == config['config']],
          'metric_name': keras.metrics.serialize(keras.metrics.binary_accuracy),
          'top_k': [np.asarray(keras.metrics.top_k_categorical_accuracy(topk_true, topk_pred, k))
                    .tolist() for k in (1, 2, 3)],
          'stateful': h.history, 'weighted': w_value,
          'lengths': error(lambda: tu.check_array_length_consistency([np.ones(3)], [np.ones(2)])),
          'yaml': type(keras.models.model_from_yaml(m.to_yaml())).__name__,
          'loss_attr': m.loss,
          'lengths_none': error(lambda: tu.check_array_length_consistency(np.ones((4, 3)),
                                                                         np.ones((4, 1)), None)),
          'h5file': saved_to_open_file(), 'summary_warned': toggled_trainable_warns(),
          'unpack': [keras.utils.generic_utils.unpack_singleton([5]),
                     keras.utils.generic_utils.unpack_singleton([1, 2])]}
""",
}

# Runs under tf-keras's v1 graph engine as well (the real Keras 2 `K.function`/`K.gradients`).
GRAPH_IDIOMS = """
K = keras.backend
r = np.random.RandomState(5)
x = r.rand(3, 4).astype('float32'); images = r.rand(2, 6, 6, 3).astype('float32')
i = keras.layers.Input((4,))
h = keras.layers.Dense(5, activation='tanh', name='h')(i)
b = keras.layers.BatchNormalization(name='bn')(h)
o = keras.layers.Dense(2, activation='softmax', name='o')(b)
m = keras.models.Model(i, o)
m.set_weights([r.rand(*w.shape).astype('float32') for w in m.get_weights()])
loss = K.mean(m.output[:, 0])
grads = K.gradients(loss, m.input)[0]
grads = grads / (K.sqrt(K.mean(K.square(grads))) + 1e-5)
saliency = K.function([m.input, K.learning_phase()], [loss, grads])
weights = K.function([m.input], K.gradients(loss, m.trainable_weights))
ci = keras.layers.Input((6, 6, 3))
conv = keras.layers.Conv2D(4, 3, name='conv')(ci)
co = keras.layers.Dense(2)(keras.layers.GlobalAveragePooling2D()(conv))
cm = keras.models.Model(ci, co)
cm.set_weights([r.rand(*w.shape).astype('float32') for w in cm.get_weights()])
cam = K.gradients(cm.output[:, 1], cm.get_layer('conv').output)[0]
gradcam = K.function([cm.input], [K.mean(cam, axis=(0, 1, 2)), cm.get_layer('conv').output])
phase = K.function([m.input, K.learning_phase()], [m.output])
result = {'test': [v.tolist() for v in saliency([x, 0])],
          'train': [v.tolist() for v in saliency([x, 1])],
          'weights': [v.tolist() for v in weights([x])],
          'gradcam': [v.tolist() for v in gradcam([images])],
          'phase0': phase([x, 0])[0].tolist(), 'predict': m.predict(x).tolist()}
"""

SESSION = """
K = keras.backend
v = K.variable(np.array([1.0, 2.0]))
i = keras.layers.Input((2,))
sess = K.get_session()
_, warned = caught(lambda: K.set_session(tf.compat.v1.Session()))
result = {'value': sess.run(v).tolist(), 'pair': [a.tolist() for a in sess.run([v, v])],
          'symbolic': error(lambda: sess.run(i * 2)),
          'feed': error(lambda: sess.run(v, feed_dict={'input_1:0': np.ones((1, 2))})),
          'warned': warned}
"""

DROPIN = {
    "names": """
import importlib
missing = []
for module, name in NAMES:
    try:
        getattr(importlib.import_module(module), name)
    except Exception as e:
        missing.append(f'{module}.{name}: {type(e).__name__}')
result = missing
""",
    "identity": """
import compatkeras.legacy as surface
from tensorflow.compat.v1.keras.backend import set_session
from tensorflow.python.keras.layers import Dense
versions = [keras.__version__]
surface.set_flavor('keras-2.2'); versions.append(keras.__version__); surface.set_flavor('tf.keras')
result = {'name': keras.__name__, 'versions': versions,
          'set_session': set_session is keras.backend.set_session,
          'dense': Dense is keras.layers.Dense}
""",
}


@pytest.fixture(scope="module")
def runs():
    scenarios = {name: SETUP + source for name, source in SCENARIOS.items()}
    dropin = {name: f"NAMES = {NAMES!r}\n" + source for name, source in DROPIN.items()}
    return {
        "tf.keras": oracles.run("compatkeras", scenarios),
        "keras-2.2": oracles.run("compatkeras-2.2", scenarios),
        "dropin": oracles.run("dropin", dropin),
        "tv1": oracles.run("tv1", {"graph_idioms": GRAPH_IDIOMS}),
        "graph": oracles.run(
            "compatkeras", {"graph_idioms": GRAPH_IDIOMS, "session": SETUP + SESSION}
        ),
    }


FLAVORS = ["tf.keras", "keras-2.2"]


def test_every_keras224_public_name_resolves_under_the_dropin(runs):
    assert oracles.value(runs["dropin"], "names") == []
    assert len(NAMES) > 370


def test_libraries_recognise_keras_and_its_old_module_paths(runs):
    got = oracles.value(runs["dropin"], "identity")
    import tf_keras

    assert got == {
        "name": "keras",
        "versions": [tf_keras.__version__, "2.2.4"],
        "set_session": True,
        "dense": True,
    }


def test_batch_dot_follows_keras224_under_its_flavor(runs):
    r = np.random.RandomState(0)
    c, u = r.rand(2, 5, 6), r.rand(2, 5, 6, 4)
    a, b = r.rand(3, 4), r.rand(3, 4, 2)
    got = oracles.value(runs["keras-2.2"], "batch_dot")
    np.testing.assert_allclose(got["caps"], np.einsum("bij,bijk->bik", c, u), rtol=1e-5)
    np.testing.assert_allclose(got["vec"], (a * a).sum(1, keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(got["mat"], np.einsum("bi,bik->bk", a, b), rtol=1e-5)
    # tf-keras's batch_dot reads the CapsNet call otherwise (shape (2, 5, 5, 4)): the tf.keras
    # flavor keeps tf-keras's semantics.
    assert np.shape(oracles.value(runs["tf.keras"], "batch_dot")["caps"]) == (2, 5, 5, 4)


@pytest.mark.parametrize("flavor", FLAVORS)
def test_backend_names_keras_dropped(runs, flavor):
    got = oracles.value(runs[flavor], "backend_names")
    v = np.array([[1.0, 2.0], [3.0, 5.0]])
    np.testing.assert_allclose(got["logsumexp"], np.log(np.exp(v).sum(1)), rtol=1e-6)
    assert got["slice"] == [[2.0], [5.0]] and got["identity"] == v.tolist()
    assert got["th"] == ["th", "channels_first"] and got["normalize"] == "channels_last"
    assert got["bad_format"] == [
        "ValueError",
        "The `data_format` argument must be one of "
        '"channels_first", "channels_last". Received: nhwc',
    ]
    assert got["placeholders"] == [True, False] and got["tensors"] == [True, False]
    assert got["variable_shape"] == [3, 4] and got["tf"] == "tensorflow"
    assert got["while_loop"] == [3, 13]


@pytest.mark.parametrize("name", ["separable_conv1d", "conv3d_transpose"])
def test_backend_convolutions_match_the_layers(runs, name):
    got = oracles.value(runs["tf.keras"], name)
    np.testing.assert_allclose(got["backend"], got["layer"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("flavor", FLAVORS)
def test_model_input_output_and_own_classes(runs, flavor):
    got = oracles.value(runs[flavor], "model_input_output")
    assert got["warned"] == [
        "Update your `Model` call to the Keras 2 API: `Model(inputs=..., outputs=..., name=...)`"
    ]
    assert got["class"] == "Model" and got["config"] == "m"
    assert got["clone"] == ["compatkeras.legacy.models"] * 3


def keras2_scale_layer():
    """custom_layer in numpy: y = (x W + b) * 2 with W, b trained by SGD(0.01) on the mse."""
    w, b, losses = np.full((2, 1), 0.5), np.zeros(1), []
    x, y = np.array([[1, 2], [3, 4], [0, 1]], float), np.array([[1], [2], [0.5]])
    for _ in range(3):
        error = (x @ w + b) * 2 - y
        losses.append(float((error**2).mean()))
        grad = 2 * error / 3 * 2
        w, b = w - 0.01 * x.T @ grad, b - 0.01 * grad.sum(0)
    return losses, [w.ravel().tolist(), b.tolist(), [2.0]]


@pytest.mark.parametrize("flavor", FLAVORS)
def test_keras2_custom_layer_attributes(runs, flavor):
    got = oracles.value(runs[flavor], "custom_layer")
    losses, weights = keras2_scale_layer()
    np.testing.assert_allclose(got["loss"], losses, rtol=1e-5)
    np.testing.assert_allclose(np.concatenate(got["weights"]), np.concatenate(weights), rtol=1e-5)
    assert got["counts"] == [2, 1] and got["keras_shape"] == [None, 1]
    assert got["masks"] == [[None], [None]] and got["indices"] == [[0], [0]]
    assert got["is_layer"] == [True, True]


def keras2_momentum(clipnorm=0.0):
    """custom_optimizer in numpy: Keras 2.2.4's get_gradients (+ clip_norm) and momentum SGD."""
    x, y = np.array([[1, 2], [3, 4], [0, 1]], float), np.array([[1], [2], [0.5]])
    w, b = np.ones((2, 1)), np.zeros(1)
    mw, mb, losses = np.zeros_like(w), np.zeros_like(b), []
    for _ in range(3):
        error = x @ w + b - y
        losses.append(float((error**2).mean()))
        gw, gb = 2 * x.T @ error / 3, 2 * error.sum(0) / 3
        norm = np.sqrt((gw**2).sum() + (gb**2).sum())
        if clipnorm and norm >= clipnorm:
            gw, gb = gw * clipnorm / norm, gb * clipnorm / norm
        mw, mb = 0.5 * mw - 0.01 * gw, 0.5 * mb - 0.01 * gb
        w, b = w + mw, b + mb
    return losses, w.ravel().tolist() + b.tolist()


@pytest.mark.parametrize("flavor", FLAVORS)
def test_keras2_custom_optimizer_trains_with_keras224_numbers(runs, flavor):
    got = oracles.value(runs[flavor], "custom_optimizer")
    for key, clipnorm in (("plain", 0.0), ("clipped", 0.5)):
        losses, weights = keras2_momentum(clipnorm)
        np.testing.assert_allclose(got[key]["loss"], losses, rtol=1e-5)
        np.testing.assert_allclose(np.concatenate(got[key]["weights"]), weights, rtol=1e-5)
        assert got[key]["iterations"] == 3
    assert got["is_optimizer"] == [True, True]
    assert got["bad_kwarg"] == ["TypeError", "Unexpected keyword argument passed to optimizer: foo"]
    assert got["old_order"] == {"loss": "loss", "params": ["p"]}


def test_keras1_legacy_layers(runs):
    got = oracles.value(runs["tf.keras"], "legacy_layers")
    va, vb = np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 7.0])
    expected = {
        "sum": va + vb,
        "mul": va * vb,
        "ave": (va + vb) / 2,
        "max": np.maximum(va, vb),
        "concat": np.concatenate([va, vb]),
        "dot": [va @ vb],
        "cos": [va @ vb / np.linalg.norm(va) / np.linalg.norm(vb)],
    }
    for mode, value in expected.items():
        np.testing.assert_allclose(got["merged"][mode], [value], rtol=1e-5)
    assert got["warned"] == [
        "The `merge` function is deprecated and will be removed after "
        "08/2017. Use instead layers from `keras.layers.merge`, e.g. `add`, "
        "`concatenate`, etc."
    ]
    mw, mb = (np.array(w) for w in got["maxout_w"])
    np.testing.assert_allclose(
        got["maxout"], [(np.einsum("i,fio->fo", va, mw) + mb).max(0)], rtol=1e-5
    )
    w, w_carry, b, b_carry = (np.array(v) for v in got["highway_w"])
    gate = 1 / (1 + np.exp(-(va @ w_carry + b_carry)))
    np.testing.assert_allclose(
        got["highway"], [gate * np.maximum(va @ w + b, 0) + (1 - gate) * va], rtol=1e-5
    )
    assert got["atrous"] == [[3, 3], [2, 2]]
    assert got["recurrent"][0] == "TypeError" and "keras.layers.RNN(cell)" in got["recurrent"][1]
    assert got["merge_models"][0] == "TypeError"


def test_cudnn_layers_compute_what_cudnn_computes(runs):
    got = oracles.value(runs["tf.keras"], "cudnn")
    for name in ("lstm", "gru"):
        ours, reference = got[name]
        np.testing.assert_allclose(ours, reference, rtol=1e-5, atol=1e-6)


def test_keras2_utilities(runs):
    got = oracles.value(runs["tf.keras"], "utils")
    assert got["len"] == 6 and got["shape"] == [6, 2]
    assert got["row"] == [40, 50] and got["slice"] == [[60, 70], [80, 90]]
    assert got["past_end"][0] == "IndexError"
    assert got["pictures"] == ["a.jpg", "b.PNG"]
    assert got["flipped"] == [[5.0, 4.0, 3.0], [2.0, 1.0, 0.0]]
    assert got["one_gpu"] == [
        "ValueError",
        "For multi-gpu usage to be effective, call "
        "`multi_gpu_model` with `gpus >= 2`. Received: `gpus=1`",
    ]
    assert got["two_gpus"][0] == "ValueError"
    assert (
        "we expect the following devices to be available: ['/cpu:0', '/gpu:0', '/gpu:1']"
        in got["two_gpus"][1]
    )
    assert got["enqueuer_base"] is True


def test_k_function_with_learning_phase_and_k_gradients_as_in_keras2(runs):
    """Saliency maps, gradients w.r.t. weights and Grad-CAM through K.function, with the
    learning phase as an input (BatchNormalization makes phase 0 and 1 differ): the same
    numbers as the real Keras 2 graph engine (float32: training-phase BatchNormalization
    gradients differ by up to 4e-5 between the two graphs)."""
    expected = oracles.value(runs["tv1"], "graph_idioms")
    got = oracles.value(runs["graph"], "graph_idioms")
    for key in ("test", "train", "weights", "gradcam", "phase0", "predict"):
        for ours, theirs in zip(got[key], expected[key], strict=True):
            np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4, err_msg=key)
    assert not np.allclose(got["test"][1], got["train"][1])
    np.testing.assert_allclose(got["phase0"], got["predict"], rtol=1e-6)


def test_sessions_say_what_replaces_them(runs):
    got = oracles.value(runs["graph"], "session")
    assert got["value"] == [1.0, 2.0] and got["pair"] == [[1.0, 2.0], [1.0, 2.0]]
    for key in ("symbolic", "feed"):
        assert got[key][0] == "RuntimeError" and "K.function(inputs, outputs)" in got[key][1]
    assert (
        len(got["warned"]) == 1 and "tf.config.experimental.set_memory_growth" in got["warned"][0]
    )


@pytest.mark.parametrize("flavor", FLAVORS)
def test_keras224_helpers_the_conformance_suite_reads(runs, flavor):
    got = oracles.value(runs[flavor], "keras224_helpers")
    yt, yp = np.array([1.0, 0.0, 1.0]), np.array([0.5, 0.5, 1.0])
    np.testing.assert_allclose(
        got["cosine"], [-yt @ yp / np.linalg.norm(yt) / np.linalg.norm(yp)], rtol=1e-6
    )
    assert got["optimizer"] == ["compatkeras.legacy.optimizers", "SGD", "sgd", True]
    assert got["metric_name"] == "binary_accuracy"
    if flavor == "keras-2.2":  # Keras 2.2.4: the batch mean
        assert got["top_k"] == [0.0, 0.5, 1.0]
    else:  # tf-keras: one value per sample
        assert got["top_k"] == [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]]
    # The sigmoid of X[:, :2] summed is > 0.5 for every row: rows 1 and 2 (labels 1) are true
    # positives; the running count is reported as is and reset each epoch.
    names = {"tf.keras": "true_positives", "keras-2.2": "true_positives"}
    assert got["stateful"][names[flavor]] == [2.0, 2.0]
    assert got["weighted"] == pytest.approx(1.0 / 0.5 * 0.5)  # 2.2.4: mean(w*L)/mean(w != 0)
    assert got["lengths"][0] == "ValueError"
    assert got["yaml"] == "Sequential" and got["loss_attr"] == "binary_crossentropy"
    assert got["unpack"] == [5, [1, 2]]
    assert got["lengths_none"][0] == "ValueError"  # 2.2.4: missing weights count as 0 samples
    assert got["h5file"] == "Sequential"
    assert got["summary_warned"] == [
        "Discrepancy between trainable weights and collected trainable weights, did you set "
        "`model.trainable` without calling `model.compile` after ?"
    ]


@pytest.mark.parametrize("flavor", FLAVORS)
def test_sequential_compiled_before_its_input_shape_builds_at_the_first_data(runs, flavor):
    got = oracles.value(runs[flavor], "deferred_sequential")
    # Dense(4) then Dense(1), all-ones kernels, 3 ones in: every prediction is 12, the target 1.
    assert got["history"] == [[121.0], [11.0]]
    assert got["before"] == [] and got["after"][0] == "loss"
    assert got["generator"][0] == "RuntimeError" and "input_shape" in got["generator"][1]
