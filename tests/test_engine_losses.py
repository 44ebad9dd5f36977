"""compatkeras.engine.losses.reduce_loss against the legacy spec's worked examples (§B.2, §B.3):
the tf.keras column was verified there on tf-keras v1 and v2, the Keras 2.2.4 column by running
Keras 2.2.4's own `weighted_masked_objective` on a numpy stand-in."""

import numpy as np
import pytest

from compatkeras.engine import config
from compatkeras.engine.losses import reduce_loss

TEMPORAL_L = [[1, 4, 9, 16], [0.25, 1, 2.25, 4]]
MASKED_L = [
    [1, 4, 25, 16],
    [0.25, 49, 2.25, 4],
]  # y_pred = x, y_true with big errors at masked steps
MASK = [[1, 1, 0, 1], [1, 0, 1, 1]]

CASES = [
    # (values, weights, mask, tf.keras, keras-2.2)
    (TEMPORAL_L, [[1, 1, 0, 0], [1, 1, 1, 1]], None, 1.5625, 2.083333),
    (TEMPORAL_L, None, None, 4.6875, 4.6875),
    (TEMPORAL_L, [[1, 1, 1, 1], [1, 1, 1, 1]], None, 4.6875, 4.6875),
    (TEMPORAL_L, [[2, 2, 0, 0], [1, 1, 1, 1]], None, 2.1875, 2.916667),
    ([1, 0, 1, 4], [1, 0, 0, 0], None, 0.25, 1.0),
    ([1, 0, 1, 4], [2, 2, 2, 2], None, 3.0, 3.0),
    (MASKED_L, None, MASK, 4.583333, 4.583333),
    (MASKED_L, [[1, 1, 1, 0], [1, 1, 1, 1]], MASK, 1.916667, 2.190476),
    (MASKED_L, MASK, MASK, 4.583333, 6.111112),
]


@pytest.mark.parametrize(("values", "weights", "mask", "tf_keras", "keras22"), CASES)
def test_worked_examples(values, weights, mask, tf_keras, keras22):
    def run(rule):
        w = None if weights is None else np.array(weights, "float32")
        m = None if mask is None else np.array(mask, "float32")
        return float(reduce_loss(np.array(values, "float32"), w, m, rule))

    assert run(config.TF_KERAS) == pytest.approx(tf_keras, abs=1e-5)
    assert run(config.KERAS_2_2) == pytest.approx(keras22, abs=1e-5)


def test_keras22_all_zero_weights_give_nan_as_keras_2_2_4_did():
    assert np.isnan(
        float(reduce_loss(np.ones(3, "float32"), np.zeros(3, "float32"), None, config.KERAS_2_2))
    )
    assert (
        float(reduce_loss(np.ones(3, "float32"), np.zeros(3, "float32"), None, config.TF_KERAS))
        == 0.0
    )


def test_sample_weights_broadcast_over_timesteps():
    values = np.array(TEMPORAL_L, "float32")
    per_sample = np.array([1.0, 0.0], "float32")
    expected = float(np.sum(values[0]) / values.size)
    assert float(reduce_loss(values, per_sample, None, config.TF_KERAS)) == pytest.approx(expected)


def test_config_rejects_unknown_rules():
    with pytest.raises(ValueError, match="loss_rule must be one of"):
        config.TrainingConfig(optimizer=None, outputs=(), loss_rule="keras-1")
    with pytest.raises(ValueError, match="metric_mode must be one of"):
        config.TrainingConfig(optimizer=None, outputs=(), metric_mode="sometimes")
