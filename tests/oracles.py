"""Run test scenarios under a real library in a fresh interpreter and return their results.

Each oracle is a prelude that imports one library as `keras` (and TensorFlow as `tf`):

- `tv1`: tf-keras's v1 graph engine (the real Keras 2 engine), eager execution disabled;
- `tv2`: tf-keras 2.x, eager;
- `keras3`: Keras 3 on the TensorFlow backend;
- `compatkeras`: compatkeras's Keras 2 namespace, in a clean process like the others;
- `v3`: compatkeras's Keras 3 surface (`import compatkeras.v3 as keras`);
- `v3-2cpu`, `tv2-2cpu`, `compatkeras-2cpu`: on two logical CPU devices (for
  `tf.distribute.MirroredStrategy`);
- `compatkeras-2.2`: the same under the "keras-2.2" flavor;
- `dropin`: the same, with `compatkeras.install()` done, so the scenario's own `import keras`
  lines get compatkeras (as under `python -m compatkeras`).

A scenario is Python source that leaves its answer in `result` (numbers, lists, dicts, strings;
numpy values are converted). All scenarios of one call run in one subprocess, so a test module
pays TensorFlow's import once: call `run()` from a module-scoped fixture. An exception inside a
scenario is returned as `{"error": type name, "message": text}` instead of a value.
"""

import json
import os
import subprocess
import sys
import tempfile

PRELUDES = {
    "tv1": (
        "import tensorflow as tf\n"
        "tf.compat.v1.disable_eager_execution()\n"
        "import tf_keras as keras\n"
        "SGD = keras.optimizers.legacy.SGD\n"
    ),
    "tv2": "import tensorflow as tf\nimport tf_keras as keras\nSGD = keras.optimizers.SGD\n",
    "keras3": (
        "import os\nos.environ['KERAS_BACKEND'] = 'tensorflow'\n"
        "import tensorflow as tf\nimport keras\nSGD = keras.optimizers.SGD\n"
    ),
    "compatkeras": (
        "import tensorflow as tf\nimport compatkeras as keras\nSGD = keras.optimizers.SGD\n"
    ),
    "v3": "import tensorflow as tf\nimport compatkeras.v3 as keras\nSGD = keras.optimizers.SGD\n",
    # Two logical CPU devices (set before TensorFlow initialises), for MirroredStrategy tests.
    "v3-2cpu": (
        "import tensorflow as tf\n"
        "tf.config.set_logical_device_configuration(tf.config.list_physical_devices('CPU')[0],\n"
        "    [tf.config.LogicalDeviceConfiguration()] * 2)\n"
        "import compatkeras.v3 as keras\nSGD = keras.optimizers.SGD\n"
    ),
    "tv2-2cpu": (
        "import tensorflow as tf\n"
        "tf.config.set_logical_device_configuration(tf.config.list_physical_devices('CPU')[0],\n"
        "    [tf.config.LogicalDeviceConfiguration()] * 2)\n"
        "import tf_keras as keras\nSGD = keras.optimizers.SGD\n"
    ),
    "compatkeras-2cpu": (
        "import tensorflow as tf\n"
        "tf.config.set_logical_device_configuration(tf.config.list_physical_devices('CPU')[0],\n"
        "    [tf.config.LogicalDeviceConfiguration()] * 2)\n"
        "import compatkeras as keras\nSGD = keras.optimizers.SGD\n"
    ),
    "compatkeras-2.2": (
        "import tensorflow as tf\nimport compatkeras as keras\nSGD = keras.optimizers.SGD\n"
        "keras.legacy.set_flavor('keras-2.2')\n"
    ),
    "dropin": (
        "import compatkeras\ncompatkeras.install()\n"
        "import tensorflow as tf\nimport keras\nSGD = keras.optimizers.SGD\n"
    ),
    # A tf.keras 2.x program that turns eager execution off, under the drop-in.
    "dropin-graph": (
        "import compatkeras\ncompatkeras.install()\n"
        "import tensorflow as tf\ntf.compat.v1.disable_eager_execution()\n"
        "from tensorflow import keras\nSGD = keras.optimizers.SGD\n"
    ),
}

# Fixtures of the legacy spec (§G), the same source under every oracle.
COMMON = """
import numpy as np
X4 = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], 'float32')
Y4 = np.array([[2], [1], [0], [1]], 'float32')

def lin3():
    inp = keras.Input((3,), name='inp')
    out = keras.layers.Dense(1, use_bias=False, kernel_initializer='ones', name='out')(inp)
    return keras.Model(inp, out)

def two_out():
    inp = keras.Input((3,), name='inp')
    out1 = keras.layers.Dense(1, use_bias=False, kernel_initializer='ones', name='out1')(inp)
    out2 = keras.layers.Dense(2, activation='softmax', use_bias=False,
                              kernel_initializer=keras.initializers.Constant(0.1), name='out2')(inp)
    return keras.Model(inp, [out1, out2])
"""

_RUNNER = """
import json, sys
import numpy as np

def _plain(v):
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if hasattr(v, 'numpy'):
        v = v.numpy()
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, np.generic):
        return v.item()
    return v

with open(sys.argv[1]) as f:
    _scenarios = json.load(f)
_results = {}
for _name, _src in _scenarios.items():
    keras.backend.clear_session()
    _ns = dict(globals())
    try:
        exec(_src, _ns)
        _results[_name] = {'value': _plain(_ns.get('result'))}
    except Exception as _e:
        _results[_name] = {'error': type(_e).__name__, 'message': str(_e)}
with open(sys.argv[2], 'w') as f:
    json.dump(_results, f)
"""


def run(oracle, scenarios, timeout=900):
    """Run `{name: source}` under `oracle`; return `{name: {"value": ...} or {"error": ...}}`."""
    program = PRELUDES[oracle] + COMMON + _RUNNER
    with tempfile.TemporaryDirectory() as tmp:
        src, out = os.path.join(tmp, "scenarios.json"), os.path.join(tmp, "results.json")
        with open(src, "w") as f:
            json.dump(scenarios, f)
        proc = subprocess.run(
            [sys.executable, "-c", program, src, out],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if proc.returncode != 0 or not os.path.exists(out):
            raise RuntimeError(
                f"oracle {oracle!r} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}"
            )
        with open(out) as f:
            return json.load(f)


def value(results, name):
    """The value of one scenario; a scenario that raised fails the calling test with its error."""
    entry = results[name]
    if "error" in entry:
        raise AssertionError(f"scenario {name!r} raised {entry['error']}: {entry['message']}")
    return entry["value"]


def leaves(value):
    """The numbers, strings and Nones of a scenario's result, in order (dicts in key order)."""
    if isinstance(value, dict):
        return [leaf for key in value for leaf in leaves(value[key])]
    if isinstance(value, list):
        return [leaf for item in value for leaf in leaves(item)]
    return [value]


def numbers(value):
    """Every number of a result, as floats, in order (to compare with a tolerance)."""
    return [float(v) for v in leaves(value) if not isinstance(v, str) and v is not None]


def strings(value):
    return [v for v in leaves(value) if isinstance(v, str)]


def structure(value):
    """A result's shape: its dict keys and list lengths, with each leaf's kind."""
    if isinstance(value, dict):
        return {k: structure(v) for k, v in value.items()}
    if isinstance(value, list):
        return [structure(v) for v in value]
    return type(value).__name__ if isinstance(value, (str, type(None))) else "number"


def assert_same(ours, theirs, rtol=0.0, atol=1e-6):
    """Two results alike: the same structure and strings, numbers within the tolerance."""
    import numpy as np

    assert structure(ours) == structure(theirs), (ours, theirs)
    assert strings(ours) == strings(theirs), (ours, theirs)
    np.testing.assert_allclose(numbers(ours), numbers(theirs), rtol=rtol, atol=atol)
