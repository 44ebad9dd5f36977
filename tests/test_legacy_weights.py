"""Keras 2's HDF5 weights and models on the legacy surface: `load_weights(path, by_name,
skip_mismatch, reshape)` in Keras 2's argument order, `reshape=True`, a `UserWarning` per
skipped layer, models saved into and loaded from an open `h5py.File` or `h5py.Group`, and a
loss class that has `get_config` but no `from_config` (Keras 2.2.4 rebuilt it as
`cls(**config)`). Oracles: the saved model's own predictions and losses, and the weights as
saved. One subprocess.
"""

import pytest

import oracles

SCENARIO = """
import os, tempfile, warnings, h5py
L = keras.layers
x = np.random.RandomState(0).rand(4, 3).astype('float32')
def error(fn):
    try:
        fn()
    except Exception as e:
        return [type(e).__name__, str(e)]

# reshape: a Dense kernel (2, 3) into a 1x1 convolution's (1, 1, 2, 3)
first = keras.models.Sequential([L.Conv2D(2, 1, input_shape=(1, 1, 1), name='rick'),
                                 L.Flatten(), L.Dense(3, name='morty')])
path = tempfile.mkstemp('.h5')[1]
first.save_weights(path)
second = keras.models.Sequential([L.Conv2D(2, 1, input_shape=(1, 1, 1), name='rick'),
                                  L.Conv2D(3, 1, name='morty')])
refused = [error(lambda: second.load_weights(path, True)), error(lambda: second.load_weights(path))]
second.load_weights(path, True, False, True)
image = x[:, :1, None, None]
reshape = [refused, np.abs(second.predict(image)[:, 0, 0] - first.predict(image)).max()]

# skip_mismatch (by name, Keras 2's second positional argument)
small = keras.models.Sequential([L.Dense(2, input_shape=(3,), name='rick'), L.Dense(3, name='morty')])
small.save_weights(path)
other = keras.models.Sequential([L.Dense(2, input_shape=(3,), name='rick'), L.Dense(4, name='morty')])
with warnings.catch_warnings(record=True) as seen:
    warnings.simplefilter('always')
    other.load_weights(path, True, True)
skip = [[str(w.message) for w in seen if issubclass(w.category, UserWarning)],
        all((a == b).all() for a, b in zip(small.layers[0].get_weights(), other.layers[0].get_weights()))]

# whole models into an open file and into a group of it
inp = L.Input((3,))
model = keras.models.Model(inp, L.Dense(2)(L.Dense(4)(inp)))
model.compile('adam', 'mse')
model.train_on_batch(x, x[:, :2])
expected = model.predict(x)
groups = []
with h5py.File(tempfile.mkstemp('.h5')[1], 'w') as f:
    keras.models.save_model(model, f)
    groups.append(np.abs(keras.models.load_model(f).predict(x) - expected).max())
    model.save(f.create_group('inner'))
    loaded = keras.models.load_model(f['inner'])
    groups.append(np.abs(loaded.predict(x) - expected).max())
    groups.append(loaded.optimizer.iterations.numpy().item())

# a loss class with get_config only
class HalfMse:
    def __init__(self, fraction):
        self.fraction = fraction
    def __call__(self, y_true, y_pred):
        return self.fraction * keras.losses.mse(y_true, y_pred)
    def get_config(self):
        return {'fraction': self.fraction}

with keras.utils.custom_object_scope({'HalfMse': HalfMse}):
    rebuilt = keras.losses.deserialize(keras.losses.serialize(HalfMse(0.3)))
    lm = keras.models.Sequential([L.Dense(1, input_shape=(3,), name='out')])
    lm.compile('sgd', loss=HalfMse(0.3))
    lm.train_on_batch(x, x[:, :1])
    lpath = tempfile.mkstemp('.h5')[1]
    lm.save(lpath)
    back = keras.models.load_model(lpath)
loss_class = [type(rebuilt).__name__, rebuilt.fraction,
              back.evaluate(x, x[:, :1], verbose=0) - lm.evaluate(x, x[:, :1], verbose=0)]
result = {'reshape': reshape, 'skip': skip, 'groups': groups, 'loss_class': loss_class}
"""


@pytest.fixture(scope="module")
def got():
    return oracles.value(oracles.run("compatkeras", {"weights": SCENARIO}), "weights")


def test_reshape_loads_arrays_of_the_same_size_and_is_refused_without_it(got):
    refused, gap = got["reshape"]
    assert [r[0] for r in refused] == ["ValueError", "ValueError"]
    assert "reshape=True" in refused[0][1]
    assert gap < 1e-6  # the 1x1 convolution computes what the Dense layer computed


def test_skip_mismatch_warns_per_skipped_layer_and_loads_the_rest(got):
    messages, first_layer_loaded = got["skip"]
    assert len(messages) == 1 and "morty" in messages[0] and "Skipping" in messages[0]
    assert first_layer_loaded


def test_models_save_into_and_load_from_open_files_and_groups(got):
    file_gap, group_gap, iterations = got["groups"]
    assert file_gap < 1e-6 and group_gap < 1e-6
    assert iterations == 1  # the optimizer state came along


def test_a_loss_class_without_from_config_is_rebuilt_from_its_config(got):
    name, fraction, loss_gap = got["loss_class"]
    assert (name, fraction) == ("HalfMse", 0.3)
    assert abs(loss_gap) < 1e-7
