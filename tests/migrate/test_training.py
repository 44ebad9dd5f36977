import pytest
from tables import table_tests

FIXES = [
    (  # KRS001 + KRS002: positional order, worker arguments dropped
        "import keras\nm.fit_generator(gen, 100, 5, workers=4, use_multiprocessing=True)\n",
        "import keras\nm.fit(gen, steps_per_epoch=100, epochs=5)\n",
    ),
    (  # `generator=` becomes the first positional argument; multi-line layout kept
        "import keras\nm.fit_generator(generator=gen,\n                steps_per_epoch=10,\n                max_queue_size=20)\n",
        "import keras\nm.fit(gen, steps_per_epoch=10)\n",
    ),
    (  # trailing comma and one argument per line survive
        "import keras\nm.fit_generator(\n    gen,\n    epochs=2,\n    workers=2,\n)\n",
        "import keras\nm.fit(\n    gen,\n    epochs=2,\n)\n",
    ),
    (  # KRS003 adds Keras 2's silent default
        "from keras.models import load_model\nscore = m.evaluate_generator(gen, 20)\n",
        "from keras.models import load_model\nscore = m.evaluate(gen, steps=20, verbose=0)\n",
    ),
    (  # KRS004 keeps an explicit verbose
        "import tensorflow as tf\np = m.predict_generator(gen, steps=3, verbose=1, workers=2)\n",
        "import tensorflow as tf\np = m.predict(gen, steps=3, verbose=1)\n",
    ),
    (  # KRS005 on fit and on the Keras 1 worker names
        "import keras\nm.fit(x, y, nb_epoch=3)\nm.fit_generator(g, nb_epoch=3, nb_worker=2, pickle_safe=True, max_q_size=5)\n",
        "import keras\nm.fit(x, y, epochs=3)\nm.fit(g, epochs=3)\n",
    ),
    (  # tf.keras 2 allowed workers on fit itself
        "import tensorflow as tf\nm.fit(seq, epochs=2, workers=4, use_multiprocessing=True)\n",
        "import tensorflow as tf\nm.fit(seq, epochs=2)\n",
    ),
]

NOOPS = [
    "import keras\nm.fit(gen, steps_per_epoch=100, epochs=5)\n",
    # no Keras import: a different library's fit_generator
    "import mylib\nm.fit_generator(gen, 100, 5, workers=4)\n",
    # the receiver is a non-Keras module
    "import keras\nimport sklearn\nsklearn.fit_generator(gen, workers=2)\n",
    # *args cannot be mapped: reported, left alone
    "import keras\nm.fit_generator(*args, **kwargs)\n",
    # Keras 1 sample counts need the batch size: reported, left alone
    "import keras\nm.fit(g, samples_per_epoch=1000)\n",
]


test_fix, test_noop, test_idempotent = table_tests(FIXES, NOOPS)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import keras\nm.fit_generator(g, workers=2)\n", [("KRS001", True), ("KRS002", True)]),
        ("import keras\nm.fit_generator(*a)\n", [("KRS001", False)]),
        ("import keras\nm.fit_generator(g, 1, 2, 3, 4, 5, 6, 7)\n", [("KRS001", False)]),
        ("import keras\nm.fit(g, samples_per_epoch=10)\n", [("KRS006", False)]),
        ("import keras\nm.fit(x, nb_epoch=1, epochs=2)\n", [("KRS005", False)]),
        ("import keras\nm.predict_generator(g)\n", [("KRS004", True)]),
    ],
)
def test_report(findings, source, expected):
    assert findings(source) == expected


MORE_FIXES = [
    (  # KRS007: the last layer is visible -> argmax; numpy imported as np
        "import keras\nfrom keras.models import Sequential\nfrom keras.layers import Dense\n"
        "model = Sequential()\nmodel.add(Dense(10, activation='softmax'))\nc = model.predict_classes(x)\n",
        "import keras\nfrom keras.models import Sequential\nfrom keras.layers import Dense\nimport numpy as np\n"
        "model = Sequential()\nmodel.add(Dense(10, activation='softmax'))\nc = np.argmax(model.predict(x, verbose=0), axis=-1)\n",
    ),
    (  # one sigmoid unit -> threshold; an explicit verbose is kept
        "import numpy\nfrom keras.models import Sequential\nfrom keras.layers import Dense\n"
        "m = Sequential([Dense(1, activation='sigmoid')])\ny = m.predict_classes(x, verbose=1)\n",
        "import numpy\nfrom keras.models import Sequential\nfrom keras.layers import Dense\n"
        "m = Sequential([Dense(1, activation='sigmoid')])\ny = (m.predict(x, verbose=1) > 0.5).astype(\"int32\")\n",
    ),
    (  # KRS008 on a known model only
        "from keras.models import load_model\nm = load_model('x.h5')\np = m.predict_proba(x, batch_size=8)\n",
        "from keras.models import load_model\nm = load_model('x.h5')\np = m.predict(x, batch_size=8, verbose=0)\n",
    ),
    (  # KRS009
        "import keras\nscores = dict(zip(model.metrics_names, model.evaluate(x, y, verbose=0)))\n",
        "import keras\nscores = model.evaluate(x, y, verbose=0, return_dict=True)\n",
    ),
    (  # KRS011
        "import keras\nmodel.train_on_batch(x, y, reset_metrics=False)\n",
        "import keras\nmodel.train_on_batch(x, y)\n",
    ),
]

MORE_NOOPS = [
    # scikit-learn's predict_proba (reported, not rewritten)
    "import keras\nfrom sklearn.linear_model import LogisticRegression\nclf = LogisticRegression()\np = clf.predict_proba(x)\n",
    # last layer unknown: reported with both forms
    "from keras.models import load_model\nm = load_model('x.h5')\nc = m.predict_classes(x)\n",
    # metrics_names zipped with another model's results
    "import keras\nd = dict(zip(a.metrics_names, b.evaluate(x, y)))\n",
]

test_more_fix, test_more_noop, test_more_idempotent = table_tests(MORE_FIXES, MORE_NOOPS)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import keras\nprint(model.metrics_names[1])\n", [("KRS010", False)]),
        ("import keras\nd = dict(zip(m.metrics_names, m.evaluate(x, y)))\n", [("KRS009", True)]),
        (
            "from keras.models import load_model\nm = load_model('x.h5')\nm.predict_classes(x)\n",
            [("KRS013", False)],
        ),
        ("import keras\nclf.predict_proba(x)\n", [("KRS008", False)]),
    ],
)
def test_more_reports(findings, source, expected):
    assert findings(source) == expected


BUILDER_FIXES = [
    (
        "import keras\nmodel = keras.models.load_model('m.keras')\nmodel._make_predict_function()\n",
        "import keras\nmodel = keras.models.load_model('m.keras')\nmodel.make_predict_function()\n",
    ),
    (
        "from keras.models import Sequential\nm._make_train_function()\nm._make_test_function()\n",
        "from keras.models import Sequential\nm.make_train_function()\nm.make_test_function()\n",
    ),
]
BUILDER_NOOPS = [
    "import torch\nm._make_predict_function()\n",  # no Keras in the file
    "import keras\nimport re\nre._make_predict_function()\n",  # a foreign module
]

test_builder_fix, test_builder_noop, test_builder_idempotent = table_tests(
    BUILDER_FIXES, BUILDER_NOOPS
)


def test_keras_3_models_have_the_public_builders():
    import os

    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile("sgd", "mse")
    for name in ("make_predict_function", "make_train_function", "make_test_function"):
        getattr(model, name)()


def test_a_model_frozen_after_its_own_compile_and_trained_is_an_error(findings):
    """KRS017: the Keras 2 GAN pattern. Checked on Keras 3 (3.15): the discriminator's own
    train_on_batch then changes no weight; with `trainable = True` before it, it does."""
    gan = (
        "from keras.models import Sequential, Model\n"
        "class GAN:\n"
        "    def __init__(self):\n"
        "        self.d = Sequential()\n"
        "        self.d.trainable = False\n"  # before compile: Keras 2 froze it too
        "        self.d.compile('adam', 'mse')\n"
        "        self.d.trainable = False\n"  # after: the one that changes meaning
        "        self.combined = Model(z, self.d(x))\n"
        "        self.combined.compile('adam', 'mse')\n"
        "    def train(self):\n"
        "        self.d.train_on_batch(x, y)\n"
    )
    assert findings(gan).count(("KRS017", False)) == 1
    from compatkeras.migrate import migrate_bytes

    found = [f for f in migrate_bytes(gan.encode()).findings if f.rule == "KRS017"]
    assert found[0].line == 7 and found[0].level.name == "ERROR"
    # Not trained in this file, or never compiled: nothing to say.
    untrained = gan.replace("self.d.train_on_batch", "self.combined.train_on_batch")
    assert ("KRS017", False) not in findings(untrained)
    assert findings("import keras\nbase.trainable = False\nbase.fit(x, y)\n") == []
