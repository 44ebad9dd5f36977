"""Both surfaces under `tf.distribute.MirroredStrategy` over 2 logical CPU devices give the
results of one device (tolerance 1e-6 on losses, metrics and weights: the replicas' sums are
reduced in float64, only the summation order differs). One `v3-2cpu` subprocess.

Each step runs on both replicas (`strategy.run`) over half of every batch; the optimizer sums
the replicas' gradients of the loss scaled by 1/2. Predictions are not distributed.
"""

import pytest

import oracles

SETUP = """
import compatkeras.legacy as legacy
r = np.random.RandomState(0)
x = r.rand(40, 4).astype('float32')
y = 0.5 * x.sum(1, keepdims=True)
strategy = tf.distribute.MirroredStrategy(['/cpu:0', '/cpu:1'])

class DS(keras.utils.PyDataset):
    def __init__(self, **kw):
        super().__init__(**kw)
    def __len__(self):
        return 5
    def __getitem__(self, i):
        return x[i * 8:(i + 1) * 8], y[i * 8:(i + 1) * 8]

def unknown_size():
    def gen():
        for i in range(5):
            yield x[i * 8:(i + 1) * 8], y[i * 8:(i + 1) * 8]
    spec = (tf.TensorSpec((None, 4), tf.float32), tf.TensorSpec((None, 1), tf.float32))
    return tf.data.Dataset.from_generator(gen, output_signature=spec)

def train(module, data, spe=1):
    i = module.Input((4,))
    m = module.Model(i, module.layers.Dense(1, kernel_initializer='ones')(i))
    if module is legacy:
        m.compile(legacy.optimizers.SGD(0.05), 'mse', metrics=['mae'])
        h = m.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
        extra = [float(v) for v in m.train_on_batch(x[:8], y[:8])]
    else:
        m.compile(SGD(0.05), loss='mse', metrics=['mae'], steps_per_execution=spe)
        if data == 'arrays':
            h = m.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
        elif data == 'pydataset':
            h = m.fit(DS(workers=2), epochs=2, shuffle=False, verbose=0)
        else:
            h = m.fit(unknown_size(), epochs=2, verbose=0)
        extra = m.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    return {'history': h.history, 'weights': [w.ravel().tolist() for w in m.get_weights()],
            'extra': extra, 'replicas': m.distribute_strategy.num_replicas_in_sync}

def multi_gpu_model():
    # Keras 2's multi_gpu_model(template, gpus=2), compiled outside any scope; the template
    # holds the trained weights afterwards.
    single = train(legacy, 'arrays')
    i = legacy.Input((4,))
    template = legacy.Model(i, legacy.layers.Dense(1, kernel_initializer='ones')(i))
    m = legacy.utils.multi_gpu_model(template, gpus=2)
    m.compile(legacy.optimizers.SGD(0.05), 'mse', metrics=['mae'])
    h = m.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    extra = [float(v) for v in m.train_on_batch(x[:8], y[:8])]
    try:
        legacy.utils.multi_gpu_model(template, gpus=3)
        too_many = None
    except ValueError as e:
        too_many = str(e)
    return [single, {'history': h.history, 'extra': extra, 'too_many': too_many,
                     'weights': [w.ravel().tolist() for w in template.get_weights()],
                     'replicas': m.distribute_strategy.num_replicas_in_sync}]

def predict_pydataset():
    # Each replica predicts its share of a batch read in Python: every row once.
    def predictions():
        i = keras.Input((4,))
        m = keras.Model(i, keras.layers.Dense(1, kernel_initializer='ones')(i))
        return m.predict(DS(workers=2), verbose=0).ravel().tolist()
    single = predictions()
    with strategy.scope():
        mirrored = predictions()
    return [single, mirrored]

def both(module, data, spe=1):
    single = train(module, data, spe)
    with strategy.scope():
        mirrored = train(module, data, spe)
    return [single, mirrored]
"""

CASES = {
    "v3_arrays_spe1": "both(keras, 'arrays')",
    "v3_arrays_spe3": "both(keras, 'arrays', 3)",
    "v3_pydataset_workers_spe3": "both(keras, 'pydataset', 3)",
    "v3_unknown_size_spe2": "both(keras, 'unknown', 2)",
    "v3_pydataset_predict": "predict_pydataset()",
    "legacy_fit": "both(legacy, 'arrays')",
    "legacy_multi_gpu_model": "multi_gpu_model()",
}


@pytest.fixture(scope="module")
def results():
    return oracles.run(
        "v3-2cpu", {name: SETUP + f"result = {call}" for name, call in CASES.items()}
    )


def close(a, b):
    if isinstance(a, dict):
        assert list(a) == list(b)
        for key in a:
            close(a[key], b[key])
    elif isinstance(a, list):
        assert len(a) == len(b)
        for u, v in zip(a, b, strict=True):
            close(u, v)
    else:
        assert b == pytest.approx(a, abs=1e-6)


@pytest.mark.parametrize("name", sorted(CASES))
def test_mirrored_strategy_matches_one_device(results, name):
    single, mirrored = oracles.value(results, name)
    if name == "v3_pydataset_predict":
        assert len(single) == len(mirrored) == 40
        close(single, mirrored)
        return
    assert single["replicas"] == 1 and mirrored["replicas"] == 2
    close(single["history"], mirrored["history"])
    close(single["weights"], mirrored["weights"])
    close(single["extra"], mirrored["extra"])


def test_multi_gpu_model_asks_for_devices_keras_2_style(results):
    too_many = oracles.value(results, "legacy_multi_gpu_model")[1]["too_many"]
    assert "we expect the following devices to be available: ['/cpu:0', '/gpu:0', '/gpu:1', " in (
        too_many
    )
