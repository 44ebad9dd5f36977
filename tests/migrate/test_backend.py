import pytest
from tables import table_tests

FIXES = [
    (  # KRS090: Keras 2's 'th'/'tf' spelling of the data format, as an expression
        "import keras.backend as K\nimport keras\n"
        "shape = (3, 8, 8) if K.image_dim_ordering() == 'th' else (8, 8, 3)\n",
        "import keras.backend as K\nimport keras\n"
        "shape = (3, 8, 8) if ('th' if keras.config.image_data_format() == 'channels_first' "
        "else 'tf') == 'th' else (8, 8, 3)\n",
    ),
    (  # KRS090: names, argument names and defaults that differ; `from keras import ops` added
        "from keras import backend as K\n"
        "def loss(y_true, y_pred):\n"
        "    d = K.square(y_pred - y_true)\n"
        "    c = K.concatenate([a, b])\n"
        "    i = K.argmax(y_pred)\n"
        "    g = K.gather(emb, idx)\n"
        "    h = K.hard_sigmoid(a + b)\n"
        "    s = K.int_shape(x)[1]\n"
        "    p = K.permute_dimensions(x, (0, 2, 1))\n"
        "    return K.mean(d, axis=-1) + K.epsilon() + K.clip(x, min_value=0., max_value=1.)\n",
        "from keras import backend as K\n"
        "from keras import ops\n"
        "def loss(y_true, y_pred):\n"
        "    d = ops.square(y_pred - y_true)\n"
        "    c = ops.concatenate([a, b], axis=-1)\n"
        "    i = ops.argmax(y_pred, axis=-1)\n"
        "    g = ops.take(emb, idx, axis=0)\n"
        "    h = ops.clip(0.2 * (a + b) + 0.5, 0.0, 1.0)\n"
        "    s = tuple(x.shape)[1]\n"
        "    p = ops.transpose(x, (0, 2, 1))\n"
        "    return ops.mean(d, axis=-1) + K.epsilon() + ops.clip(x, x_min=0., x_max=1.)\n",
    ),
    (  # set_value/get_value, random, Variable; `random` is the stdlib here
        "import random\nimport keras.backend as K\n"
        "K.set_value(v, 0.1)\nx = K.get_value(v)\ny = K.random_normal((2, 3), stddev=2.0)\n"
        "w = K.variable(np.zeros(3), name='w')\n",
        "import random\nimport keras.backend as K\nfrom keras import ops\nimport keras\n"
        "v.assign(0.1)\nx = ops.convert_to_numpy(v)\ny = keras.random.normal((2, 3), stddev=2.0)\n"
        "w = keras.Variable(np.zeros(3), name='w')\n",
    ),
    (  # an existing `from keras import ops` is used; multi-line call layout kept
        "from keras import ops\nfrom tensorflow.keras import backend as K\ny = K.sum(x,\n          axis=1,)\n",
        "from keras import ops\nfrom tensorflow.keras import backend as K\ny = ops.sum(x,\n          axis=1,)\n",
    ),
]

FIXES += [
    (  # per call: K.function has no equivalent and stays; K.sum is rewritten all the same
        "from tensorflow.keras import backend as K\nf = K.function([a], [b])\ny = K.sum(x)\n",
        "from tensorflow.keras import backend as K\nfrom keras import ops\n"
        "f = K.function([a], [b])\ny = ops.sum(x)\n",
    ),
    (  # no exact ops form (an argument ops.relu lacks, callables): Keras 3's tf.keras.backend
        "import keras.backend as K\ny = K.sum(x) + K.relu(x, alpha=0.1)\n"
        "z = K.switch(c, lambda: a, lambda: b)\nr = K.rnn(step, inputs, states)\n",
        "import keras.backend as K\nfrom keras import ops\nimport tensorflow as tf\n"
        "y = ops.sum(x) + tf.keras.backend.relu(x, alpha=0.1)\n"
        "z = tf.keras.backend.switch(c, lambda: a, lambda: b)\n"
        "r = tf.keras.backend.rnn(step, inputs, states)\n",
    ),
    (  # an existing TensorFlow import is used
        "import tensorflow as tflow\nfrom keras import backend as K\nc = K.ctc_batch_cost(y, p, i, l)\n",
        "import tensorflow as tflow\nfrom keras import backend as K\n"
        "c = tflow.keras.backend.ctc_batch_cost(y, p, i, l)\n",
    ),
    (  # functions Keras 3's ops gained: logsumexp, dtype, map
        "from keras import backend as K\nm = K.cast(n, K.dtype(p))\n"
        "s = K.logsumexp(p, axis=-1, keepdims=True)\nq = K.map_fn(f, elems=xs)\n",
        "from keras import backend as K\nfrom keras import ops\nm = ops.cast(n, ops.dtype(p))\n"
        "s = ops.logsumexp(p, axis=-1, keepdims=True)\nq = ops.map(f, xs=xs)\n",
    ),
]

NOOPS = [
    # through tf.keras.backend, functions without an ops form exist on TensorFlow 2.16+
    "from tensorflow.keras import backend as K\ny = K.relu(x, alpha=0.1) + K.batch_dot(a, b)\n",
    # batch_dot changed in Keras 2.3: reported, left
    "from keras import backend as K\ny = K.batch_dot(a, b, axes=[2, 3])\n",
    # K passed around as a value
    "from keras import backend as K\nhelper(K)\n",
    # kept names
    "from keras import backend as K\ne = K.epsilon()\nK.clear_session()\n",
    # a backend that is not Keras's
    "import mylib.backend as K\ny = K.sum(x)\n",
]

test_fix, test_noop, test_idempotent = table_tests(FIXES, NOOPS)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "from keras import backend as K\nf = K.function([a], [b])\ny = K.sum(x)\n",
            [("KRS091", False), ("KRS090", True)],
        ),
        ("from keras import backend as K\ny = K.relu(x, alpha=0.1)\n", [("KRS093", True)]),
        ("from keras import backend as K\ny = K.sum(x)\n", [("KRS090", True)]),
        ("from keras import backend as K\nf = K.learning_phase()\n", [("KRS091", False)]),
        ("from keras import backend as K\nf = K.batch_dot(a, b)\n", [("KRS091", False)]),
        ("from keras import backend as K\nf = Lambda(K.square)\n", [("KRS092", False)]),
        ("from keras import backend as K\nf = K.floatx\n", []),
        ("from tensorflow.keras import backend as K\nf = Lambda(K.square)\n", []),
    ],
)
def test_report(findings, source, expected):
    assert findings(source) == expected


def test_each_unrewritable_call_is_reported_at_its_own_line():
    from compatkeras.migrate import migrate_bytes

    source = (
        b"from keras import backend as K\na = K.function(x)\nb = K.sum(x)\nc = K.placeholder(s)\n"
    )
    found = [(f.line, f.rule) for f in migrate_bytes(source).findings]
    assert found == [(2, "KRS091"), (3, "KRS090"), (4, "KRS091")]


def test_attribute_spelling_is_rewritten_too(fix):
    source = "import keras\nv = keras.backend.get_value(model.optimizer.lr)\ne = keras.backend.epsilon()\n"
    assert fix(source) == (
        "import keras\nfrom keras import ops\n"
        "v = ops.convert_to_numpy(model.optimizer.learning_rate)\ne = keras.backend.epsilon()\n"
    )
