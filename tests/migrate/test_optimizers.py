import textwrap

import pytest
from tables import table_tests

FIXES = [
    (  # KRS030
        "import keras\nopt = keras.optimizers.Adam(lr=0.001)\n",
        "import keras\nopt = keras.optimizers.Adam(learning_rate=0.001)\n",
    ),
    (  # through a from-import and tf.keras, keeping comments and spacing
        "from tensorflow.keras.optimizers import RMSprop\nopt = RMSprop(lr = 1e-3,  # tuned\n    rho=0.9)\n",
        "from tensorflow.keras.optimizers import RMSprop\nopt = RMSprop(learning_rate = 1e-3,  # tuned\n    rho=0.9)\n",
    ),
    (  # KRS031 with an explicit lr, through the module's own `keras.optimizers` spelling
        "import keras\nopt = keras.optimizers.SGD(lr=0.1, decay=1e-6, momentum=0.9)\n",
        "import keras\nopt = keras.optimizers.SGD(learning_rate=keras.optimizers.schedules.InverseTimeDecay(0.1, decay_steps=1, decay_rate=1e-6), momentum=0.9)\n",
    ),
    (  # tf.keras stays tf.keras
        "import tensorflow as tf\nopt = tf.keras.optimizers.Adam(0.01, decay=0.5)\n",
        "import tensorflow as tf\nopt = tf.keras.optimizers.Adam(tf.keras.optimizers.schedules.InverseTimeDecay(0.01, decay_steps=1, decay_rate=0.5))\n",
    ),
    (  # a bare class name: `import keras` is added for the schedule
        "from keras.optimizers import Adam\n\nopt = Adam(lr=1e-3, decay=1e-4)\n",
        "from keras.optimizers import Adam\nimport keras\n\nopt = Adam(learning_rate=keras.optimizers.schedules.InverseTimeDecay(1e-3, decay_steps=1, decay_rate=1e-4))\n",
    ),
    (  # `from keras import optimizers` is reused
        "from keras import optimizers\nopt = optimizers.SGD(decay=0.01)\n",
        "from keras import optimizers\nopt = optimizers.SGD(learning_rate=optimizers.schedules.InverseTimeDecay(0.01, decay_steps=1, decay_rate=0.01))\n",
    ),
    (  # decay=0 is dropped
        "import keras\nopt = keras.optimizers.Adam(lr=0.1, decay=0.)\n",
        "import keras\nopt = keras.optimizers.Adam(learning_rate=0.1)\n",
    ),
    (  # KRS032, attribute form and import form
        "from keras import optimizers\nopt = optimizers.adam(lr=0.1)\n",
        "from keras import optimizers\nopt = optimizers.Adam(learning_rate=0.1)\n",
    ),
    (
        "from keras.optimizers import sgd, Adam\nopt = sgd(0.1)\n",
        "from keras.optimizers import SGD as sgd, Adam\nopt = sgd(0.1)\n",
    ),
]

NOOPS = [
    "import keras\nopt = keras.optimizers.Adam(learning_rate=0.001)\n",
    # not Keras: a project's own optimizer and an unrelated `lr`
    "from mylib.optim import Adam\nopt = Adam(lr=0.1, decay=0.5)\n",
    "import torch\nopt = torch.optim.SGD(params, lr=0.1)\n",
    # no Keras anywhere: the file is not even parsed
    "def f(lr=0.1, decay=1):\n    return lr * decay\n",
    # Keras 3 names already
    "import keras\nkeras.optimizers.SGD(learning_rate=keras.optimizers.schedules.InverseTimeDecay(0.1, 1, 0.5))\n",
]


test_fix, test_noop, test_idempotent = table_tests(FIXES, NOOPS)


def test_decay_without_lr_on_an_optimizer_whose_default_changed_is_reported(fix, findings):
    source = "import keras\nopt = keras.optimizers.Adagrad(decay=0.1)\n"
    assert fix(source) == source
    assert findings(source) == [("KRS031", False)]


def test_both_lr_and_learning_rate_is_reported(findings):
    assert findings("import keras\nkeras.optimizers.SGD(lr=1, learning_rate=2)\n") == [
        ("KRS030", False)
    ]


def test_keras_rebound_is_reported_not_rewritten(fix, findings):
    source = textwrap.dedent(
        """\
        from keras import backend as keras
        from keras.optimizers import SGD
        opt = SGD(lr=0.1, decay=0.5)
        """
    )
    assert "InverseTimeDecay" not in fix(source)
    assert ("KRS031", False) in findings(source)


def test_suppression_comment(fix, findings):
    source = "import keras\nopt = keras.optimizers.Adam(lr=0.1)  # migrate: ignore[KRS030]\n"
    assert fix(source) == source
    assert findings(source) == []
    assert fix(source.replace("[KRS030]", "[KRS999]")) != source


MORE_FIXES = [
    (  # KRS033
        "import keras\nkeras.optimizers.Adam(lr=0.1, epsilon=None)\n",
        "import keras\nkeras.optimizers.Adam(learning_rate=0.1)\n",
    ),
    (  # KRS035 on reads, writes and K.set_value targets
        "import keras\nfrom keras import backend as K\nK.set_value(self.model.optimizer.lr, 0.1)\n"
        "print(model.optimizer.lr)\n",
        "import keras\nfrom keras import backend as K\nself.model.optimizer.learning_rate.assign(0.1)\n"
        "print(model.optimizer.learning_rate)\n",
    ),
]
MORE_NOOPS = [
    "import keras\nscheduler.lr = 0.1\n",  # not an optimizer
    "import torch\nopt.lr\n",
]

test_more_fix, test_more_noop, test_more_idempotent = table_tests(MORE_FIXES, MORE_NOOPS)


def test_leftovers_are_reported(findings):
    assert findings("import keras\nkeras.optimizers.Nadam(schedule_decay=0.004)\n") == [
        ("KRS034", False)
    ]
    source = (
        "import keras\nclass Mine(keras.optimizers.Optimizer):\n"
        "    def get_updates(self, loss, params):\n        return []\n"
    )
    assert findings(source) == [("KRS036", False)]


def test_decay_is_not_rewritten_when_the_file_changes_the_learning_rate(fix, findings):
    source = (
        "import keras\nopt = keras.optimizers.SGD(lr=0.1, decay=0.01)\n"
        "cb = keras.callbacks.ReduceLROnPlateau(monitor='loss')\n"
    )
    assert "InverseTimeDecay" not in fix(source) and "decay=0.01" in fix(source)
    found = [
        f
        for f in __import__("compatkeras.migrate", fromlist=["x"])
        .migrate_bytes(source.encode())
        .findings
        if f.rule == "KRS031"
    ]
    assert not found[0].applied and "ReduceLROnPlateau (line 3)" in found[0].message
    # Keras 3 only warns that it ignores `decay`: the rate silently stops decaying.
    assert found[0].level.name == "ERROR"


@pytest.mark.parametrize(
    "call",
    ["keras.optimizers.Adadelta(decay=0.01)", "keras.optimizers.SGD(*args, decay=0.01)"],
)
def test_every_decay_left_in_place_is_an_error(call):
    from compatkeras.migrate import migrate_bytes

    found = migrate_bytes(f"import keras\nopt = {call}\n".encode()).findings
    assert [(f.rule, f.applied, f.level.name) for f in found if f.rule == "KRS031"] == [
        ("KRS031", False, "ERROR")
    ]
    done = migrate_bytes(b"import keras\nopt = keras.optimizers.SGD(lr=0.1, decay=0.01)\n")
    assert [(f.applied, f.level.name) for f in done.findings if f.rule == "KRS031"] == [
        (True, "INFO")
    ]


def test_a_rewriting_info_rule_that_could_not_rewrite_reports_a_warning():
    from compatkeras.migrate import migrate_bytes
    from compatkeras.migrate.model import RULES, Level, Mode

    # KRS030 (INFO, AUTO) renames `lr`, and reports the call that has both names.
    source = b"import keras\nopt = keras.optimizers.Adam(lr=0.1, learning_rate=0.2)\n"
    found = [f for f in migrate_bytes(source).findings if RULES[f.rule].level == Level.INFO]
    assert found and all(not f.applied for f in found), found
    for f in found:
        rule = RULES[f.rule]
        assert f.level == (Level.INFO if rule.mode == Mode.REPORT else Level.WARNING), f


def test_a_get_updates_call_is_an_error_keras_3_would_raise_at():
    from compatkeras.migrate import migrate_bytes

    source = (
        "import keras\nimport keras.backend as K\n"
        "updates = keras.optimizers.Adam(1e-4).get_updates(net.trainable_weights, [], loss)\n"
        "train = K.function([x], [loss], updates)\n"
        "class Wrapper(keras.optimizers.Optimizer):\n"
        "    def get_updates(self, loss, params):\n"
        "        return self.inner.get_updates(loss=loss, params=params)\n"
    )
    found = [(f.rule, f.line, f.level.name) for f in migrate_bytes(source.encode()).findings]
    assert ("KRS036", 3, "ERROR") in found  # the call
    assert ("KRS036", 5, "ERROR") in found  # the class
    assert ("KRS036", 7, "ERROR") in found  # a wrapper's call of another optimizer's
    not_keras = migrate_bytes(b"import re\nre.get_updates(1)\n").findings
    assert not any(f.rule == "KRS036" for f in not_keras)
