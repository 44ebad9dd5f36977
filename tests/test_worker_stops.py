"""Training with worker processes and image-sized batches stops cleanly at every stop point:
the end of `steps_per_epoch` inside a Sequence, an exception in the model, a callback setting
`stop_training`, Ctrl-C, the enqueuers used directly, and the Keras 3 surface's PyDataset.
Each scenario of `stress_fit.py` runs in a process of its own under a timeout, so that a
deadlock fails here instead of holding CI; none may leave a child process or data thread."""

import os

import pytest

from liveness import run_case

TIMEOUT = 180  # TensorFlow's import and two short fits take ~6 s here

EXPECTED = {  # scenario -> (outcome, exception raised)
    "fit_generator": (2, None),  # issue 17's program: 2 epochs of 5 steps over 100 items
    "model_error": (None, "ValueError"),
    "stop_training": ([1, 2], None),  # stopped in epoch 1; the next call trains 2 epochs
    "ctrl_c": (None, "KeyboardInterrupt"),
    "evaluate_predict": ([True, True, [24, 1]], None),  # as evaluate/predict on the batch
    # Keras 2.2.4's test_context_switch: items 100 and 101 are the next pass's 0 and 1, read
    # after on_epoch_end (+1)
    "ordered_enqueuer": ([[1.0, 2.0], [1.0, 2.0]], None),
    "generator_enqueuer": (5, None),
    "v3_pydataset": (2, None),
    "v3_model_error": (None, "ValueError"),
}
FLAVORED = {"fit_generator", "model_error", "ctrl_c", "ordered_enqueuer"}


def params():
    for name in EXPECTED:
        for flavor in ("tf.keras", "keras-2.2") if name in FLAVORED else ("tf.keras",):
            yield pytest.param(name, flavor, id=f"{name}-{flavor}")


@pytest.mark.parametrize("name, flavor", list(params()))
def test_training_stops_cleanly(name, flavor):
    env = dict(os.environ, STRESS_FLAVOR=flavor)
    result = run_case("stress_fit.py", (name,), TIMEOUT, env=env)
    outcome, raised = EXPECTED[name]
    assert (result["outcome"], result["raised"]) == (outcome, raised), result
    assert result["children"] == [] and result["threads"] == [], result
