"""`tf.distribute.MultiWorkerMirroredStrategy` on loopback: two worker processes (`TF_CONFIG`,
one CPU replica each) train the same model on both surfaces and on tf-keras, from a dataset and
from arrays; every worker of
every provider ends with tf-keras's losses and weights (1e-6). The workers run in parallel and
are killed if they outlive the timeout, so a stuck collective fails the test instead of hanging."""

import json
import os
import socket
import subprocess
import sys
import tempfile

import numpy as np
import pytest

WORKER = """
import json, sys
import tensorflow as tf
provider, out = sys.argv[1], sys.argv[2]
strategy = tf.distribute.MultiWorkerMirroredStrategy()
if provider == 'tf_keras':
    import tf_keras as keras
    SGD = keras.optimizers.SGD
elif provider == 'legacy':
    import compatkeras as keras
    SGD = keras.optimizers.SGD
else:
    import compatkeras.v3 as keras
    SGD = keras.optimizers.SGD
import numpy as np
r = np.random.RandomState(0)
x = r.rand(32, 4).astype('float32')
y = 0.5 * x.sum(1, keepdims=True)
with strategy.scope():
    i = keras.Input((4,))
    m = keras.Model(i, keras.layers.Dense(1, kernel_initializer='ones')(i))
    m.compile(SGD(0.05), 'mse')
dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(8)
h = m.fit(dataset, epochs=2, verbose=0)
arrays = m.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
with open(out, 'w') as f:
    json.dump({'replicas': strategy.num_replicas_in_sync,
               'loss': h.history['loss'] + arrays.history['loss'],
               'weights': [w.ravel().tolist() for w in m.get_weights()]}, f)
"""

TIMEOUT = 240


def _free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("localhost", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _train(provider, tmp):
    cluster = [f"localhost:{p}" for p in _free_ports(2)]
    outs = [os.path.join(tmp, f"{provider}-{i}.json") for i in range(2)]
    procs = []
    for index in range(2):
        env = dict(
            os.environ,
            TF_CONFIG=json.dumps(
                {"cluster": {"worker": cluster}, "task": {"type": "worker", "index": index}}
            ),
            TF_CPP_MIN_LOG_LEVEL="2",
        )
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", WORKER, provider, outs[index]],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    errors = []
    try:
        for proc in procs:
            _, err = proc.communicate(timeout=TIMEOUT)
            if proc.returncode != 0:
                errors.append(err[-3000:])
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert not errors, f"{provider} workers failed:\n" + "\n".join(errors)
    results = []
    for out in outs:
        with open(out) as f:
            results.append(json.load(f))
    return results


@pytest.fixture(scope="module")
def results():
    with tempfile.TemporaryDirectory() as tmp:
        return {p: _train(p, tmp) for p in ("tf_keras", "legacy", "v3")}


@pytest.mark.parametrize("provider", ["legacy", "v3"])
def test_multi_worker_training_gives_tf_keras_numbers(results, provider):
    expected = results["tf_keras"][0]
    assert expected["replicas"] == 2
    for worker in results[provider]:
        assert worker["replicas"] == 2
        np.testing.assert_allclose(worker["loss"], expected["loss"], rtol=1e-6)
        for got, want in zip(worker["weights"], expected["weights"], strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
