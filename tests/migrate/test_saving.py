import pytest
from tables import table_tests

from compatkeras.migrate import migrate_bytes

FIXES = [
    (  # KRS060
        "import keras\nmodel.save('m.h5', save_format='h5')\nmodel.save(\"m\", save_format='h5')\n",
        "import keras\nmodel.save('m.h5')\nmodel.save(\"m.h5\")\n",
    ),
    (  # KRS063: save_weights and the load_weights of the same literal
        "import keras\nmodel.save_weights('w.h5')\nmodel.load_weights('w.h5')\nmodel.load_weights('old.h5')\n",
        "import keras\nmodel.save_weights('w.weights.h5')\nmodel.load_weights('w.weights.h5')\nmodel.load_weights('old.h5')\n",
    ),
]

NOOPS = [
    "import keras\nmodel.save('m.keras')\nmodel.save_weights('w.weights.h5')\n",
    # not Keras: PIL and numpy
    "import keras\nfrom PIL import Image\nImage.save('x')\n",
    "import numpy as np\nnp.save('x.h5', a)\n",
    # reported only
    "import keras\nmodel.save('saved_model_dir')\n",
    "import keras\nmodel.save(path, save_format='tf')\n",
    "import keras\ny = model.to_yaml()\n",
]

test_fix, test_noop, test_idempotent = table_tests(FIXES, NOOPS)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import keras\nmodel.save('saved_model_dir')\n", [("KRS061", False)]),
        ("import keras\nmodel.save(p, save_format='tf')\n", [("KRS061", False)]),
        ("import keras\nmodel.save('m.h5')\n", [("KRS062", False)]),
        ("import keras\nmodel.save(p, save_format='h5')\n", [("KRS060", False)]),
        ("import keras\nmodel.to_yaml()\n", [("KRS064", False)]),
    ],
)
def test_report(findings, source, expected):
    assert findings(source) == expected


def test_load_weights_follows_a_weights_only_checkpoint(fix):
    source = (
        "import keras\ncb = keras.callbacks.ModelCheckpoint('best.h5', save_weights_only=True)\n"
        "model.load_weights('best.h5')\n"
    )
    assert fix(source) == source.replace("best.h5", "best.weights.h5")


def test_loading_a_saved_model_folder_is_reported(findings):
    assert findings("from keras.models import load_model\nm = load_model('export/1')\n") == [
        ("KRS065", False)
    ]
    assert findings("from keras.models import load_model\nm = load_model('m.h5')\n") == []


def test_by_name_loading_of_a_renamed_weights_file_is_an_error(findings):
    # Keras 3 raises "`by_name` only supports loading legacy '.h5' or '.hdf5' files".
    source = "import keras\nm.save_weights('w.h5')\nm.load_weights('w.h5', by_name=True)\n"
    assert ("KRS067", False) in findings(source)
    for kept in ("m.load_weights('w.h5', by_name=False)", "m.load_weights('old.h5', by_name=True)"):
        text = f"import keras\nm.save_weights('w.h5')\n{kept}\n"
        assert "KRS067" not in [rule for rule, _ in findings(text)], kept


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("m = Model(i, Embedding(3, 4, mask_zero=True)(i))\nm.save(p)\nn = load_model(p)\n", 1),
        ("x = Masking()(i)\nn = load_model('m.hdf5')\n", 1),
        ("x = Masking()(i)\nn = load_model('m.keras')\n", 0),
        ("x = Embedding(3, 4, mask_zero=False)(i)\nn = load_model('m.h5')\n", 0),
        ("x = Embedding(3, 4)(i)\nn = load_model('m.h5')\n", 0),
    ],
)
def test_loading_an_h5_model_with_an_input_mask_is_an_error(source, expected):
    # Keras 3.15 writes the mask's NotEqual op into a legacy .h5 and cannot read it back.
    header = (
        "from keras.layers import Embedding, Masking\nfrom keras.models import Model, load_model\n"
    )
    if "m.save(p)" in source:
        source = "p = 'model.h5'\n" + source
    findings = migrate_bytes((header + source).encode()).findings
    assert sum(f.rule == "KRS068" for f in findings) == expected, findings


def test_a_mask_built_in_an_imported_tf_keras_module_counts(tmp_path):
    # keras-self-attention's tests: util.py (`from tensorflow import keras`) builds the masked
    # model, test_save_load.py saves it to an .h5 and loads it back.
    from compatkeras.migrate import project

    (tmp_path / "util.py").write_text(
        "from tensorflow import keras\ndef get_model():\n"
        "    i = keras.layers.Input((None,))\n"
        "    return keras.models.Model(i, keras.layers.Embedding(3, 4, mask_zero=True)(i))\n"
    )
    (tmp_path / "test_it.py").write_text(
        "from tensorflow import keras\nfrom .util import get_model\nm = get_model()\n"
        "path = 'att_%f.h5' % r\nm.save(path)\nm = keras.models.load_model(path)\n"
    )
    paths = [str(tmp_path / "util.py"), str(tmp_path / "test_it.py")]
    known = project.scan(paths, [str(tmp_path)])
    assert known.module("util").masks
    with open(paths[1], "rb") as f:
        findings = migrate_bytes(f.read(), paths[1], project=known).findings
    assert [(f.rule, f.line) for f in findings if f.rule == "KRS068"] == [("KRS068", 6)]


WEIGHTS_FILE = (
    "import os\nfrom keras.callbacks import ModelCheckpoint\n"
    'weights_file = "weights/best.h5"\n'
    "if os.path.exists(weights_file):\n    model.load_weights(weights_file)\n"
    "cb = ModelCheckpoint(weights_file, save_best_only=True, save_weights_only=True)\n"
)


def test_a_weights_path_assigned_once_at_the_top_is_renamed_where_it_is_assigned(fix, findings):
    assert fix(WEIGHTS_FILE) == WEIGHTS_FILE.replace("best.h5", "best.weights.h5")
    assert findings(WEIGHTS_FILE) == [("KRS063", True)]
    saved = "import keras\nw = 'w.hdf5'\nm.save_weights(w)\nm.load_weights(w)\n"
    assert fix(saved) == saved.replace("w.hdf5", "w.weights.h5")


@pytest.mark.parametrize(
    "source",
    [
        "import keras\nw = 'a.h5'\nw = 'b.h5'\nm.save_weights(w)\n",  # assigned twice
        "import keras\ndef f():\n    w = 'a.h5'\n    m.save_weights(w)\n",  # not at the top
        "import keras\nw = 'a.h5'\nm.load_weights(w)\n",  # only read: a Keras 2 file
        "import keras\nw = 'a.h5'\ncb = keras.callbacks.ModelCheckpoint(w)\n",  # a full model
        "import keras\nw = 'a.h5'\ndef save(m, w):\n    m.save_weights(w)\n",  # a parameter
    ],
)
def test_other_weights_names_are_left(fix, source):
    assert fix(source) == source
