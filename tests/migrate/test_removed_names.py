"""KRS110 (NumPy's removed aliases of the builtins) and KRS111 (TensorFlow 1 names): rows, and
both tables checked against the installed NumPy and TensorFlow."""

import re

import numpy as np
import pytest
from tables import table_tests

from compatkeras.migrate import migrate_bytes
from compatkeras.migrate.rules.removed_names import (
    NUMPY_ALIASES,
    TF1_CASTS,
    TF1_NAMES,
    TF1_RENAMES,
)

FIXES = [
    (
        "import numpy as np\nimport keras\na = np.zeros(3, dtype=np.float)\nb = x.astype(np.int)\n",
        "import numpy as np\nimport keras\na = np.zeros(3, dtype=float)\nb = x.astype(int)\n",
    ),
    (
        "import numpy\nimport keras\nok = numpy.bool(1) and numpy.object\n",
        "import numpy\nimport keras\nok = bool(1) and object\n",
    ),
    # KRS115: the TensorFlow 2 names of the same functions, and `to_<type>` as its definition.
    (
        "import tensorflow as tf\ny = tf.log(x) + tf.log_sigmoid(x)\nf = tf.log\n",
        "import tensorflow as tf\ny = tf.math.log(x) + tf.math.log_sigmoid(x)\nf = tf.math.log\n",
    ),
    (
        "import tensorflow\nn = tensorflow.random_normal((2, 3), stddev=0.1, seed=1)\n",
        "import tensorflow\nn = tensorflow.random.normal((2, 3), stddev=0.1, seed=1)\n",
    ),
    (
        "import tensorflow as tf\nu = tf.random_uniform([4], 0, 1) * tf.truncated_normal([4])\n"
        "d = tf.sparse_tensor_to_dense(s, default_value=0)\n",
        "import tensorflow as tf\nu = tf.random.uniform([4], 0, 1) * tf.random.truncated_normal([4])\n"
        "d = tf.sparse.to_dense(s, default_value=0)\n",
    ),
    (
        "import tensorflow as tf\nm = tf.to_float(mask)\nk = tf.to_float(\n    mask,\n)\nn = tf.to_int32(x, name='n')\n",
        "import tensorflow as tf\nm = tf.cast(mask, tf.float32)\nk = tf.cast(\n    mask, tf.float32,\n)\nn = tf.cast(x, tf.int32, name='n')\n",
    ),
    (
        "import tensorflow as tf\na = tf.to_double(x=v) + tf.to_int64(\n    v,\n    'i',\n)\n",
        "import tensorflow as tf\na = tf.cast(x=v, dtype=tf.float64) + tf.cast(\n    v,\n    tf.int64,\n    name='i',\n)\n",
    ),
    (
        "def loss(y_true, y_pred):\n    import tensorflow as tf\n    return tf.log(tf.to_float(y_pred))\n",
        "def loss(y_true, y_pred):\n    import tensorflow as tf\n    return tf.math.log(tf.cast(y_pred, tf.float32))\n",
    ),
]

NOOPS = [
    "import numpy as np\nimport keras\na = np.float32(1) + np.int64(2) + np.bool_(True)\n",
    "import keras\nclass C:\n    float = 1\nc = C()\nprint(c.float, c.int)\n",
    "import tensorflow as tf\ny = tf.math.log(x) + tf.cast(x, tf.float32)\n",
    # Not TensorFlow's, or not exactly the same function: left (the last two reported).
    "import numpy as np\nimport keras\ny = np.log(x) + math.log(2)\n",
    "import tensorflow.compat.v1 as tf1\ny = tf1.log(x) + tf1.to_float(x)\n",
    "from tensorflow import log, to_float\ny = log(to_float(x))\n",
    "import tensorflow as tf\ny = tf.to_float(*args)\nz = tf.div(a, b)\n",
]

test_fix, test_noop, test_idempotent = table_tests(FIXES, NOOPS)


@pytest.mark.parametrize(
    ("source", "count"),
    [
        ("import tensorflow as tf\ny = tf.to_float(x) + tf.log(x)\n", 0),
        ("import tensorflow as tf\ny = tf.to_float(*x) + tf.div(x, 2)\n", 2),
        ("from tensorflow import log, to_float\ny = log(to_float(x))\n", 0),
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


def test_the_tf1_renames_name_the_same_functions():
    import tensorflow as tf

    for full, new in TF1_RENAMES.items():
        target = tf
        for part in new.split("."):
            target = getattr(target, part)
        assert getattr(tf.compat.v1, full.partition(".")[2]) is target, full


@pytest.mark.parametrize("full", sorted(TF1_CASTS))
def test_the_tf1_casts_compute_what_tensorflow_1_did(full):
    import tensorflow as tf

    old = getattr(tf.compat.v1, full.partition(".")[2])
    x = tf.constant([[0.5, -1.0], [2.0, 3.25]], tf.float64)
    new = tf.cast(x, getattr(tf, TF1_CASTS[full]))
    assert old(x).dtype == new.dtype
    np.testing.assert_array_equal(old(x).numpy(), new.numpy())


def test_a_rewritten_tf1_cast_is_not_also_reported():
    result = migrate_bytes(b"import tensorflow as tf\ny = tf.to_float(x)\nz = tf.to_float\n")
    rules = sorted((f.rule, f.line) for f in result.findings)
    assert rules == [("KRS111", 3), ("KRS115", 2)], rules
