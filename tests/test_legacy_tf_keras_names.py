"""tf.keras 2.x names that the Keras 2 modules take from tf-keras (`compatkeras/legacy/
tf_keras_names.py`): a program written against tf.keras 2.x's optimizers.schedules,
optimizers.AdamW / legacy, utils.set_random_seed, utils.timeseries_dataset_from_array,
saving.register_keras_serializable and keras.experimental trains through compatkeras with
tf-keras's numbers (the `tv2` oracle, tf-keras 2.x itself)."""

import pytest

import oracles

SCENARIOS = {
    "schedules_adamw_legacy_and_datasets": """
import numpy as np
keras.utils.set_random_seed(3)
series = np.sin(np.arange(200, dtype='float32') / 7.0)
data = keras.utils.timeseries_dataset_from_array(
    series[:-5, None], series[5:], sequence_length=5, batch_size=16, shuffle=False)

@keras.saving.register_keras_serializable(package='probe')
class Scale(keras.layers.Layer):
    def call(self, x):
        return 0.5 * x

def model():
    inp = keras.Input((5, 1))
    h = keras.layers.Flatten()(Scale()(inp))
    return keras.Model(inp, keras.layers.Dense(1, kernel_initializer='ones')(h))

losses = {}
schedule = keras.optimizers.schedules.ExponentialDecay(0.05, decay_steps=5, decay_rate=0.5)
for name, opt in [
    ('schedule', keras.optimizers.SGD(learning_rate=schedule)),
    ('adamw', keras.optimizers.AdamW(learning_rate=0.01, weight_decay=0.1)),
    ('legacy_adam', keras.optimizers.legacy.Adam(learning_rate=0.01)),
    ('cosine', keras.optimizers.SGD(learning_rate=keras.experimental.CosineDecay(0.05, 20))),
]:
    m = model()
    m.compile(opt, 'mse')
    losses[name] = m.fit(data, epochs=2, verbose=0).history['loss']
result = {'losses': losses, 'registered': keras.saving.get_registered_name(Scale)}
""",
}


@pytest.fixture(scope="module")
def results():
    return {o: oracles.run(o, SCENARIOS) for o in ("tv2", "compatkeras")}


def test_tf_keras_2_names_train_with_tf_keras_numbers(results):
    expected = oracles.value(results["tv2"], "schedules_adamw_legacy_and_datasets")
    got = oracles.value(results["compatkeras"], "schedules_adamw_legacy_and_datasets")
    assert got["registered"] == expected["registered"] == "probe>Scale"
    assert list(got["losses"]) == list(expected["losses"])
    for name, values in expected["losses"].items():
        assert got["losses"][name] == pytest.approx(values, rel=1e-5), name
