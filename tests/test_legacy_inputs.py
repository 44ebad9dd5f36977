"""Keras 2 input handling against the real Keras 2 engine (tf-keras's v1 graph engine, TV1):
targets of any numeric dtype (int64, int32, bool, float64) work with every loss and metric,
because Keras 2's target placeholders had the output's dtype; scipy.sparse inputs and targets
(made dense batch by batch); inputs made with `Input(tensor=...)` next to fed ones, and models
cloned onto data tensors; 1-D inputs declared 1-D (`Input(shape=())`); a model that outputs its own loss (the YOLOv3 pattern) trains. Every scenario trains one batch per epoch, where Keras 2.2.4's
per-batch rules and TV1's running means agree, so both flavors must give TV1's numbers."""

import numpy as np
import pytest

import oracles

COMMON = """
X = np.array([[1, 0, 0, 2], [0, 1, 0, 1], [0, 0, 1, 0], [1, 1, 1, 1],
              [2, 0, 1, 0], [0, 2, 0, 1], [1, 0, 2, 0], [0, 1, 1, 2]], 'float32') / 2
LABELS = np.array([0, 1, 1, 0, 1, 0, 0, 1])

def dense(units, activation=None):
    return keras.layers.Dense(units, activation=activation, input_shape=(4,),
                              kernel_initializer=keras.initializers.Constant(0.1),
                              bias_initializer='zeros')

def trained(model, x, y, **fit):
    h = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0, **fit)
    return {'history': [h.history[k] for k in h.history],
            'evaluate': model.evaluate(x, y, batch_size=8, verbose=0),
            'weights': [w.tolist() for w in model.get_weights()]}
"""

SCENARIOS = {
    "masked_scalar_metric": """
K = keras.backend
def gap(y_true, y_pred):  # one number per batch, under a timestep mask (a masked accuracy's shape)
    return K.sum(K.abs(y_true - y_pred)) / 10.0
m = keras.models.Sequential([
    keras.layers.Masking(input_shape=(2, 2)),
    keras.layers.TimeDistributed(keras.layers.Dense(
        1, kernel_initializer=keras.initializers.Constant(0.1)))])
m.compile(SGD(0.1), 'mse', metrics=[gap])
xs = X.reshape(8, 2, 2).copy()
xs[::3, 1] = 0
result = trained(m, xs, xs.sum(-1, keepdims=True) * 0.3)
""",
    "int64_binary_accuracy": """
m = keras.models.Sequential([dense(1, 'sigmoid')])
m.compile(SGD(0.5), 'binary_crossentropy', metrics=['accuracy'])
result = trained(m, X, LABELS.astype('int64'))
""",
    "bool_binary_mse": """
m = keras.models.Sequential([dense(1, 'sigmoid')])
m.compile(SGD(0.5), 'mse', metrics=['mae', 'accuracy'])
result = trained(m, X, LABELS.astype(bool)[:, None])
""",
    "float64_custom_loss": """
K = keras.backend
m = keras.models.Sequential([dense(1)])
m.compile(SGD(0.1), lambda y_true, y_pred: K.square(y_pred - y_true))
result = trained(m, X, (X.sum(1, keepdims=True) * 0.3).astype('float64'))
""",
    "int32_sparse_categorical": """
m = keras.models.Sequential([dense(3, 'softmax')])
m.compile(SGD(0.5), 'sparse_categorical_crossentropy', metrics=['accuracy'])
result = trained(m, X, (np.arange(8) % 3).astype('int32')[:, None])
""",
    "bool_one_hot_categorical": """
m = keras.models.Sequential([dense(3, 'softmax')])
m.compile(SGD(0.5), 'categorical_crossentropy', metrics=['accuracy'])
result = trained(m, X, np.eye(3, dtype=bool)[np.arange(8) % 3])
""",
    "bound_input_next_to_a_fed_one": """
a = keras.layers.Input(tensor=keras.backend.variable(X[:, :3]))
b = keras.layers.Input((4,), name='input_b')
m = keras.models.Model([a, b], keras.layers.Dense(1, kernel_initializer='ones')(
    keras.layers.concatenate([a, b])))
m.compile(SGD(0.05), 'mse')
y = X.sum(1, keepdims=True) * 0.3
h = m.fit({'input_b': X}, y, batch_size=8, epochs=3, verbose=0)
result = {'history': h.history['loss'], 'on_batch': m.train_on_batch(X, y),
          'evaluate': m.evaluate(X, y, batch_size=8, verbose=0),
          'predict': m.predict({'input_b': X}, batch_size=8).tolist()}
""",
    "clone_onto_a_data_tensor": """
m = keras.models.Sequential([dense(2, 'relu'), keras.layers.Dense(
    1, kernel_initializer=keras.initializers.Constant(0.2))])
c = keras.models.clone_model(m, input_tensors=keras.backend.variable(X))
c.set_weights(m.get_weights())
c.compile(SGD(0.05), 'mse')
y = X.sum(1, keepdims=True) * 0.3
result = {'on_batch': [c.train_on_batch(None, y) for _ in range(3)],
          'fit': c.fit(None, y, steps_per_epoch=2, verbose=0).history['loss'],
          'weights': [w.tolist() for w in c.get_weights()]}
""",
    "one_dimensional_input": """
K = keras.backend
a = keras.layers.Input(shape=(), name='scalar')  # one number per sample (DeepCTR's Hash inputs)
b = keras.layers.Input((4,))
h = keras.layers.Lambda(lambda t: K.expand_dims(t, -1))(a)
m = keras.models.Model([a, b], keras.layers.Dense(1, kernel_initializer='ones')(
    keras.layers.concatenate([h, b])))
m.compile(SGD(0.05), 'mse')
xs = [X[:, 0] * 3, X]
result = trained(m, xs, X.sum(1) * 0.3)
result['predict'] = m.predict(xs, batch_size=3).tolist()
""",
    "int_sample_weights": """
m = keras.models.Sequential([dense(1, 'sigmoid')])
m.compile(SGD(0.5), 'binary_crossentropy')
result = trained(m, X, LABELS, sample_weight=np.array([1, 2, 1, 2, 1, 2, 1, 2]))
""",
}


# TV1 takes scipy.sparse data for symbolic tensors (and refuses `validation_split`); Keras 2.2.4
# made each batch dense. The oracle is the same program on the dense arrays.
SPARSE = """
from scipy import sparse
a, b = keras.layers.Input((4,)), keras.layers.Input((4,), sparse=True)
m = keras.models.Model([a, b], [keras.layers.Dense(2, kernel_initializer='ones')(a),
                                keras.layers.Dense(3, kernel_initializer='ones')(b)])
m.compile(SGD(0.05), 'mse')
xs = [sparse.csr_matrix(X), sparse.csr_matrix(X[::-1])]
ys = [sparse.csr_matrix(np.eye(8, 2)), sparse.csr_matrix(np.eye(8, 3, 1))]
if DENSE:  # the oracle: Keras 2 made each batch dense
    xs, ys = [a.toarray() for a in xs], [a.toarray() for a in ys]
h = m.fit(xs, ys, batch_size=2, epochs=2, shuffle=False, validation_split=0.25, verbose=0)
result = {'history': [h.history[k] for k in sorted(h.history)],
          'evaluate': m.evaluate(xs, ys, batch_size=3, verbose=0),
          'predict': [p.tolist() for p in m.predict(xs, batch_size=3)]}
"""


# TV1 cannot build this model's loss (a StridedSlice on the rank-0 output fails); Keras 2.2.4
# trained it: its weighted_masked_objective broadcasts the scalar over the batch's weights and
# takes the mean, so the loss is the scalar itself. The oracle is that formula in numpy.
SCALAR_LOSS = """
K = keras.backend
x = keras.layers.Input((4,)); t = keras.layers.Input((1,))
p = keras.layers.Dense(1, kernel_initializer=keras.initializers.Constant(0.1))(x)
loss = keras.layers.Lambda(lambda a: K.sum(K.square(a[0] - a[1])), output_shape=(1,),
                           name='yolo_loss')([p, t])
m = keras.models.Model([x, t], loss)
m.compile(optimizer=SGD(0.01), loss={'yolo_loss': lambda y_true, y_pred: y_pred})
T = (X.sum(1, keepdims=True) * 0.3).astype('float32')
h = m.fit([X, T], np.zeros(8), batch_size=8, epochs=3, verbose=0)
result = {'history': h.history['loss'], 'weights': [w.tolist() for w in m.get_weights()]}
"""


@pytest.mark.parametrize("flavor", ["compatkeras", "compatkeras-2.2"])
def test_scipy_sparse_data_trains_as_its_dense_arrays(runs, flavor):
    got = oracles.value(runs[flavor], "sparse")
    expected = oracles.value(runs[flavor], "sparse_dense_twin")
    np.testing.assert_allclose(_flat(got), _flat(expected), rtol=1e-6, atol=1e-7)


def keras224_scalar_loss():
    """SCALAR_LOSS by hand: loss = sum((Xw + b - T)^2), plain SGD on it, 3 steps."""
    x = np.array(fixture_x(), "float64")
    t = x.sum(1, keepdims=True) * 0.3
    w, b, losses = np.full((4, 1), 0.1), np.zeros(1), []
    for _ in range(3):
        error = x @ w + b - t
        losses.append(float((error**2).sum()))
        w, b = w - 0.01 * 2 * x.T @ error, b - 0.01 * 2 * error.sum(0)
    return {"history": losses, "weights": [w.tolist(), b.tolist()]}


def fixture_x():
    namespace = {"np": np}
    exec(COMMON.split("LABELS")[0], namespace)
    return namespace["X"]


@pytest.fixture(scope="module")
def runs():
    scenarios = {name: COMMON + source for name, source in SCENARIOS.items()}
    results = {oracle: oracles.run(oracle, scenarios) for oracle in ("tv1",)}
    scenarios["scalar_loss_output"] = COMMON + SCALAR_LOSS
    scenarios["sparse"] = COMMON + "DENSE = False\n" + SPARSE
    scenarios["sparse_dense_twin"] = COMMON + "DENSE = True\n" + SPARSE
    for oracle in ("compatkeras", "compatkeras-2.2"):
        results[oracle] = oracles.run(oracle, scenarios)
    return results


@pytest.mark.parametrize("flavor", ["compatkeras", "compatkeras-2.2"])
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_targets_of_any_dtype_train_as_in_keras2(runs, name, flavor):
    expected = oracles.value(runs["tv1"], name)
    got = oracles.value(runs[flavor], name)
    np.testing.assert_allclose(_flat(got), _flat(expected), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("flavor", ["compatkeras", "compatkeras-2.2"])
def test_a_model_that_outputs_its_own_loss_trains_as_in_keras224(runs, flavor):
    got = oracles.value(runs[flavor], "scalar_loss_output")
    np.testing.assert_allclose(_flat(got), _flat(keras224_scalar_loss()), rtol=1e-5, atol=1e-6)


def _flat(value):
    """Every number of a nested result, in a fixed order."""
    if isinstance(value, dict):
        return np.concatenate([_flat(value[k]) for k in sorted(value)])
    if isinstance(value, list):
        return np.concatenate([_flat(v) for v in value]) if value else np.zeros(0)
    return np.array([value], dtype="float64")
