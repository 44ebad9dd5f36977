"""KRS110 (NumPy's removed aliases of the builtins) and KRS111 (TensorFlow 1 names): rows, and
both tables checked against the installed NumPy and TensorFlow."""

import re

import numpy as np
import pytest
from tables import table_tests

from compatkeras.migrate import migrate_bytes
from compatkeras.migrate.rules.removed_names import NUMPY_ALIASES, TF1_NAMES

FIXES = [
    (
        "import numpy as np\nimport keras\na = np.zeros(3, dtype=np.float)\nb = x.astype(np.int)\n",
        "import numpy as np\nimport keras\na = np.zeros(3, dtype=float)\nb = x.astype(int)\n",
    ),
    (
        "import numpy\nimport keras\nok = numpy.bool(1) and numpy.object\n",
        "import numpy\nimport keras\nok = bool(1) and object\n",
    ),
]

NOOPS = [
    "import numpy as np\nimport keras\na = np.float32(1) + np.int64(2) + np.bool_(True)\n",
    "import keras\nclass C:\n    float = 1\nc = C()\nprint(c.float, c.int)\n",
    "import tensorflow as tf\ny = tf.math.log(x) + tf.cast(x, tf.float32)\n",
]

test_fix, test_noop, test_idempotent = table_tests(FIXES, NOOPS)


@pytest.mark.parametrize(
    ("source", "count"),
    [
        ("import tensorflow as tf\ny = tf.to_float(x) + tf.log(x)\n", 2),
        ("import tensorflow as tf\ns = tf.Session()\n", 1),
        ("import tensorflow as tf\ni = tf.contrib.layers.xavier_initializer()\n", 1),
        ("from tensorflow import train\no = train.AdamOptimizer(1e-3)\n", 1),
        ("import tensorflow.compat.v1 as tf1\ns = tf1.Session()\n", 0),
    ],
)
def test_tf1_names_are_reported_once_each(source, count):
    findings = [f for f in migrate_bytes(source.encode()).findings if f.rule == "KRS111"]
    assert len(findings) == count


def test_the_numpy_aliases_no_longer_name_the_builtins():
    # Removed in NumPy 1.24 (NumPy 2 brought `np.bool` back as `np.bool_`, not the builtin):
    # the Keras 2-era code meant the builtin, which is what the rewrite writes.
    import builtins

    for full, builtin in NUMPY_ALIASES.items():
        assert getattr(np, full.partition(".")[2], None) is not getattr(builtins, builtin), full


def test_the_tf1_names_are_gone_and_their_tf2_names_exist():
    import tensorflow as tf

    for full, replacement in TF1_NAMES.items():
        obj = tf
        parts = full.split(".")[1:]
        for part in parts[:-1]:
            obj = getattr(obj, part)
        assert not hasattr(obj, parts[-1]), full
        for name in re.findall(r"\btf\.[\w.]+", replacement):
            target = tf
            for part in name.split(".")[1:]:
                target = getattr(target, part)
