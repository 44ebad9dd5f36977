"""KRS027 (Keras 2 loss names Keras 3 spells otherwise, or cannot load back from an `.h5`) and
KRS028 (metric names Keras 3 does not know): rows, and both tables checked against Keras 3."""

import pytest
from tables import table_tests

from compatkeras.migrate import migrate_bytes
from compatkeras.migrate.rules.loss_names import LOSSES, METRICS

FIXES = [
    (
        "import keras\nm.compile('adam', 'logcosh', metrics=['mse'])\n",
        "import keras\nm.compile('adam', 'log_cosh', metrics=['mse'])\n",
    ),
    (
        "import keras\nm.compile(optimizer='adam', loss={'a': 'mse', 'b': [\"kld\"]})\n",
        "import keras\nm.compile(optimizer='adam', loss={'a': 'mean_squared_error', 'b': "
        '["kl_divergence"]})\n',
    ),
    (
        "import keras\nm.compile(loss=['cosine_proximity', 'MAE'], optimizer=opt)\n",
        "import keras\nm.compile(loss=['cosine_similarity', 'mean_absolute_error'], optimizer=opt)\n",
    ),
]

FIXES.append(
    (  # only the names: an output called 'mae', a string inside a call, are left
        "import keras\nm.compile('adam', {'mae': 'mse', 'b': focal('mse')})\n",
        "import keras\nm.compile('adam', {'mae': 'mean_squared_error', 'b': focal('mse')})\n",
    )
)

NOOPS = [
    "import keras\nm.compile('adam', 'mean_squared_error', metrics=['mae', 'mse', 'acc'])\n",
    "import keras\nm.compile('adam', loss=my_loss, metrics=['mape'])\n",
    "import re\np = re.compile('mse')\n",  # not Keras
    "import keras\nm.compile('adam', u'mse' + suffix)\n",  # computed: left
]

test_fix, test_noop, test_idempotent = table_tests(FIXES, NOOPS)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("m.compile('adam', 'mse', metrics=['kld', 'logcosh'])", 2),
        ("m.compile('adam', 'mse', ['cosine'])", 1),
        ("m.compile('adam', 'mse', metrics={'out': ['cosine_proximity', 'mae']})", 1),
        ("m.compile('adam', 'kld', metrics=['mae'])", 0),
    ],
)
def test_metric_names_keras_3_does_not_know_are_errors(source, expected):
    findings = migrate_bytes(f"import keras\n{source}\n".encode()).findings
    assert sum(f.rule == "KRS028" and f.level.name == "ERROR" for f in findings) == expected


def test_the_tables_against_keras_3():
    import keras

    for old, new in LOSSES.items():
        keras.losses.get(new)  # Keras 3 knows the new name
        try:
            known = keras.losses.get(old)
        except ValueError:
            continue  # `logcosh`, `cosine_proximity`...: Keras 3 refused the old one
        assert known is keras.losses.get(new), old  # an alias of the same function
    for old in METRICS:
        with pytest.raises(ValueError):
            keras.metrics.get(old)


@pytest.mark.parametrize("name", ["mse", "mean_squared_error"])
def test_why_short_loss_names_are_rewritten(tmp_path, name):
    """Keras 3.15 writes `loss='mse'` into an `.h5` as `keras.metrics.mse` and cannot load it
    back; the full name loads. The day the short name loads, the rewrite of the short names can
    go (the ones Keras 3 refuses outright stay)."""
    import keras
    import numpy as np

    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    model.compile("adam", name)
    model.fit(np.zeros((4, 3)), np.zeros((4, 1)), verbose=0)
    model.save(tmp_path / "m.h5")
    if name == "mse":
        with pytest.raises(ValueError, match="KerasSaveable"):
            keras.models.load_model(tmp_path / "m.h5")
    else:
        keras.models.load_model(tmp_path / "m.h5")
