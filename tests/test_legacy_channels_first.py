"""`channels_first` models train on a CPU, as Keras 2.2.4's did (its backend transposed to
channels-last where TensorFlow has no NCHW kernel; tf-keras's Conv2D, Conv3D, SeparableConv2D,
Conv3DTranspose and 2D poolings raised "only supports the NHWC tensor format on the CPU").

Differential: the same models with the same weights, channels_first on compatkeras against
channels_last on tf-keras (the kernels have the same layout in both formats): predictions with
their axes moved and the weights after training agree at 1e-5."""

import pytest

import oracles

SETUP = """
ours = keras.__name__.startswith('compatkeras')
FORMAT = 'channels_first' if ours else 'channels_last'
keras.backend.set_image_data_format(FORMAT)
L = keras.layers

def to_format(a):  # arrays are made channels_first
    return a if ours else np.moveaxis(a, 1, -1)

def from_format(a):
    return a if ours else np.moveaxis(a, -1, 1)

def run(layers, shape, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.rand(*shape).astype('float32')
    inp = L.Input(to_format(x[:1])[0].shape)
    h = inp
    for layer in layers:
        h = layer(h)
    m = keras.models.Model(inp, h)
    weights = [np.random.RandomState(seed + i + 1).uniform(-0.5, 0.5, w.shape).astype('float32')
               for i, w in enumerate(m.get_weights())]
    m.set_weights(weights)
    before = from_format(m.predict(to_format(x), verbose=0))
    y = np.random.RandomState(seed + 99).rand(*before.shape).astype('float32')
    m.compile(keras.optimizers.SGD(0.05), 'mse')
    m.fit(to_format(x), to_format(y), batch_size=2, epochs=2, shuffle=False, verbose=0)
    return [before, m.get_weights()]
"""

SCENARIOS = {
    "cnn_2d": """
result = run([L.Conv2D(4, 3, padding='same', activation='relu'), L.MaxPooling2D(),
              L.SeparableConv2D(3, 3, padding='same'), L.AveragePooling2D(),
              L.Conv2DTranspose(2, 3)], (4, 2, 8, 8))
""",
    "cnn_3d": """
result = run([L.Conv3D(3, 2, activation='tanh'), L.Conv3DTranspose(2, 2, strides=2)],
             (4, 2, 4, 4, 4))
""",
    # The condition the fix covers: channels_first as such, which tf-keras refuses on a CPU.
    "as_such": """
keras.backend.set_image_data_format('channels_first')
inp = keras.layers.Input((1, 4, 4))
m = keras.models.Model(inp, keras.layers.Conv2D(2, 3)(inp))
result = list(m.predict(np.ones((1, 1, 4, 4), 'float32'), verbose=0).shape)
""",
}
COMPARED = ("cnn_2d", "cnn_3d")


@pytest.fixture(scope="module")
def results():
    scenarios = {name: SETUP + source for name, source in SCENARIOS.items()}
    return {oracle: oracles.run(oracle, scenarios) for oracle in ("compatkeras-2.2", "tv2")}


@pytest.mark.parametrize("name", COMPARED)
def test_channels_first_matches_channels_last(results, name):
    ours = oracles.value(results["compatkeras-2.2"], name)
    oracles.assert_same(ours, oracles.value(results["tv2"], name), atol=1e-5)


def test_it_runs_where_tf_keras_alone_may_refuse_it(results):
    # Most CPU builds have no NCHW convolution kernels (tf-keras alone: UnimplementedError);
    # some (a GPU, oneDNN on some CPUs) do, and then they give the same answer.
    ours = oracles.value(results["compatkeras-2.2"], "as_such")
    assert ours == [1, 2, 2, 2]
    theirs = results["tv2"]["as_such"]
    assert theirs.get("error", "UnimplementedError") == "UnimplementedError", theirs
    assert theirs.get("value", ours) == ours
