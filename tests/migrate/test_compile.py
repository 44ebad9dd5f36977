from tables import table_tests

FIXES = [
    (  # KRS020: Keras 3's third positional is loss_weights
        "import keras\nm.compile('adam', 'mse', ['mae'])\n",
        "import keras\nm.compile('adam', 'mse', metrics=['mae'])\n",
    ),
    (
        "import keras\nm.compile(opt, loss, ['acc'], [1., .5])\n",
        "import keras\nm.compile(opt, loss, metrics=['acc'], loss_weights=[1., .5])\n",
    ),
    (  # KRS021
        "import keras\nm.compile(optimizer='adam', loss='mse', sample_weight_mode='temporal')\n",
        "import keras\nm.compile(optimizer='adam', loss='mse')\n",
    ),
    (  # positional sample_weight_mode: named first, then dropped
        "import keras\nm.compile('sgd', 'mse', None, None, 'temporal')\n",
        "import keras\nm.compile('sgd', 'mse', metrics=None, loss_weights=None)\n",
    ),
]

NOOPS = [
    "import keras\nm.compile(optimizer='adam', loss='mse', metrics=['mae'])\n",
    "import keras\nm.compile('adam', 'mse')\n",
    # re.compile and a project's compile are not Keras
    "import re\nimport keras\npattern = re.compile('a+', re.I, 0)\n",
    "import keras\nimport mylib\nmylib.compile(a, b, c, sample_weight_mode='x')\n",
    # target_tensors is reported, never rewritten
    "import keras\nm.compile('sgd', 'mse', target_tensors=[y])\n",
]


test_fix, test_noop, test_idempotent = table_tests(FIXES, NOOPS)


def test_target_tensors_is_an_error(findings):
    assert findings("import keras\nm.compile('sgd', 'mse', target_tensors=[y])\n") == [
        ("KRS022", False)
    ]


def test_session_arguments_are_reported(findings):
    assert findings("import keras\nm.compile('sgd', 'mse', options=o, run_metadata=r)\n") == [
        ("KRS023", False)
    ]


SCALAR_METRIC_SOURCE = """import keras.backend as K

def r2(y_true, y_pred):
    ss_res = K.sum(K.square(y_true - y_pred))
    return 1 - ss_res / (K.sum(K.square(y_true - K.mean(y_true))) + K.epsilon())

def rmse(y_true, y_pred):
    return K.sqrt(K.mean(K.square(y_pred - y_true), axis=-1))

m.compile('adam', 'mse', metrics=[{metrics}])
"""


def test_a_metric_that_reduces_the_batch_is_warned_about(findings):
    found = findings(SCALAR_METRIC_SOURCE.format(metrics="r2, rmse, 'mae'"))
    assert [f for f in found if f[0] == "KRS025"] == [("KRS025", False)]


def test_per_sample_metrics_are_not_warned_about(findings):
    found = findings(SCALAR_METRIC_SOURCE.format(metrics="rmse, 'mae'"))
    assert [f for f in found if f[0] == "KRS025"] == []
