import pytest
from tables import table_tests

from compatkeras.migrate import migrate_bytes, project

FIXES = [
    (  # KRS020: Keras 3's third positional is loss_weights
        "import keras\nm.compile('adam', 'hinge', ['mae'])\n",
        "import keras\nm.compile('adam', 'hinge', metrics=['mae'])\n",
    ),
    (
        "import keras\nm.compile(opt, loss, ['acc'], [1., .5])\n",
        "import keras\nm.compile(opt, loss, metrics=['acc'], loss_weights=[1., .5])\n",
    ),
    (  # KRS021
        "import keras\nm.compile(optimizer='adam', loss='hinge', sample_weight_mode='temporal')\n",
        "import keras\nm.compile(optimizer='adam', loss='hinge')\n",
    ),
    (  # positional sample_weight_mode: named first, then dropped
        "import keras\nm.compile('sgd', 'hinge', None, None, 'temporal')\n",
        "import keras\nm.compile('sgd', 'hinge', metrics=None, loss_weights=None)\n",
    ),
]

NOOPS = [
    "import keras\nm.compile(optimizer='adam', loss='hinge', metrics=['mae'])\n",
    "import keras\nm.compile('adam', 'hinge')\n",
    # re.compile and a project's compile are not Keras
    "import re\nimport keras\npattern = re.compile('a+', re.I, 0)\n",
    "import keras\nimport mylib\nmylib.compile(a, b, c, sample_weight_mode='x')\n",
    # target_tensors is reported, never rewritten
    "import keras\nm.compile('sgd', 'hinge', target_tensors=[y])\n",
]


test_fix, test_noop, test_idempotent = table_tests(FIXES, NOOPS)


def test_target_tensors_is_an_error(findings):
    assert findings("import keras\nm.compile('sgd', 'hinge', target_tensors=[y])\n") == [
        ("KRS022", False)
    ]


def test_session_arguments_are_reported(findings):
    assert findings("import keras\nm.compile('sgd', 'hinge', options=o, run_metadata=r)\n") == [
        ("KRS023", False)
    ]


SCALAR_METRIC_SOURCE = """import keras.backend as K

def r2(y_true, y_pred):
    ss_res = K.sum(K.square(y_true - y_pred))
    return 1 - ss_res / (K.sum(K.square(y_true - K.mean(y_true))) + K.epsilon())

def rmse(y_true, y_pred):
    return K.sqrt(K.mean(K.square(y_pred - y_true), axis=-1))

m.compile('adam', 'hinge', metrics=[{metrics}])
"""


def test_a_metric_that_reduces_the_batch_is_warned_about(findings):
    found = findings(SCALAR_METRIC_SOURCE.format(metrics="r2, rmse, 'mae'"))
    assert [f for f in found if f[0] == "KRS025"] == [("KRS025", False)]


def test_per_sample_metrics_are_not_warned_about(findings):
    found = findings(SCALAR_METRIC_SOURCE.format(metrics="rmse, 'mae'"))
    assert [f for f in found if f[0] == "KRS025"] == []


_TAGGER = (
    "import keras.backend as K\nfrom keras.models import Sequential\n"
    "from keras.layers import Embedding, Dense, Masking\n"
    "def masked_accuracy(y_true, y_pred):\n    return K.mean(K.equal(y_true, y_pred))\n"
    "def build(mask):\n    m = Sequential()\n    m.add(Embedding(9, 4, mask_zero=mask))\n"
    "    m.compile('adam', 'hinge', metrics=[masked_accuracy])\n    return m\n"
)


@pytest.mark.parametrize(
    ("mask", "expected"),
    [("True", [("KRS026", 12), ("KRS026", 13)]), ("False", [])],
)
def test_training_a_masked_model_with_a_batch_scalar_metric_is_an_error(mask, expected):
    source = _TAGGER.replace("mask_zero=mask", f"mask_zero={mask}")
    source += "t = build(1)\nt.fit(x, y)\nt.evaluate(x, y)\nt.predict(x)\n"
    findings = migrate_bytes(source.encode()).findings
    assert [(f.rule, f.line) for f in findings if f.rule == "KRS026"] == expected


def test_the_masked_model_is_followed_into_another_file(tmp_path):
    (tmp_path / "layers.py").write_text(_TAGGER.replace("mask_zero=mask", "mask_zero=True"))
    (tmp_path / "main.py").write_text(
        "from layers import build\ntagger = build(1)\ntagger.fit_generator(g, 4)\nother.fit(x)\n"
    )
    paths = [str(tmp_path / "layers.py"), str(tmp_path / "main.py")]
    known = project.scan(paths, [str(tmp_path)])
    assert known.unmaskable == {"build": (paths[0], 9, ["masked_accuracy"])}
    findings = migrate_bytes(open(paths[1], "rb").read(), paths[1], project=known).findings
    found = [(f.rule, f.line) for f in findings if f.rule.startswith("KRS02")]
    assert found == [("KRS026", 3)], found
    message = next(f.message for f in findings if f.rule == "KRS026")
    assert f"compiled at {paths[0]}:9 with masked_accuracy" in message, message
