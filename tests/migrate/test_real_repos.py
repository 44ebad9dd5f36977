"""Rows for what real repositories showed the rewriter missed (issue: the rewriter on real
repositories), with no-op rows for non-Keras code that uses the same names."""

import os

import pytest
from tables import table_tests

from compatkeras.migrate import cli, migrate_bytes, project

FIXES = [
    (  # removed short loss/metric names
        "from keras.losses import mse, mae\nfrom keras.metrics import mape\n",
        "from keras.losses import mean_squared_error as mse, mean_absolute_error as mae\n"
        "from keras.metrics import mean_absolute_percentage_error as mape\n",
    ),
    (
        "from keras.models import model_from_config\n",
        "from keras.saving import deserialize_keras_object as model_from_config\n",
    ),
    (  # stateful RNN: the batch size moves into an Input
        "from keras.models import Sequential\nfrom keras.layers import LSTM, Input\n"
        "m = Sequential()\nm.add(LSTM(4, input_shape=(3, 1), batch_size=1, stateful=True))\n",
        "from keras.models import Sequential\nfrom keras.layers import LSTM, Input\n"
        "m = Sequential()\nm.add(Input(batch_shape=(1, 3, 1)))\nm.add(LSTM(4, stateful=True))\n",
    ),
    (  # weights paths computed from pieces, the end visible
        "import os, keras\nm.save_weights(os.path.join(d, 'cnn') + '.h5')\n"
        "c = keras.callbacks.ModelCheckpoint(os.path.join(d, 'w.{epoch:02d}.hdf5'), "
        "save_weights_only=True)\n",
        "import os, keras\nm.save_weights(os.path.join(d, 'cnn') + '.weights.h5')\n"
        "c = keras.callbacks.ModelCheckpoint(os.path.join(d, 'w.{epoch:02d}.weights.h5'), "
        "save_weights_only=True)\n",
    ),
    (
        "from tensorflow.compat.v1.keras.layers import Dense\n",
        "from tensorflow.keras.layers import Dense\n",
    ),
    (  # Model came from a star import
        "from keras.models import *\nfrom keras.layers import *\nm = Model(input=a, output=b)\n",
        "from keras.models import *\nfrom keras.layers import *\nm = Model(inputs=a, outputs=b)\n",
    ),
    (  # generators yielding lists, read by fit and by predict
        "import keras\ndef g():\n    yield [a, b], y\ndef p():\n    yield [a, b]\n"
        "m.fit_generator(g(), 2)\nm.predict_generator(p(), 2)\n",
        "import keras\ndef g():\n    yield (a, b), y\ndef p():\n    yield ((a, b),)\n"
        "m.fit(g(), steps_per_epoch=2)\nm.predict(p(), steps=2, verbose=0)\n",
    ),
    (
        "from keras.models import Sequential\nm = Sequential()\nm.reset_states()\n",
        "from keras.models import Sequential\nm = Sequential()\n"
        '[layer.reset_states() for layer in m.layers if getattr(layer, "stateful", False)]\n',
    ),
    (
        "import numpy as np\nfrom keras.layers import Dense\nd = Dense(np.prod(shape))\n",
        "import numpy as np\nfrom keras.layers import Dense\nd = Dense(int(np.prod(shape)))\n",
    ),
    (  # one untranslatable K.* call no longer holds the others back
        "import keras.backend as K\nm = K.cast(n, K.dtype(p))\ny = K.batch_dot(a, b)\n",
        "import keras.backend as K\nfrom keras import ops\nm = ops.cast(n, ops.dtype(p))\n"
        "y = K.batch_dot(a, b)\n",
    ),
]

# Rewrites that changed meaning (issue: no rewrite that breaks code), each as it now is.
FIXES += [
    (  # a starred item keeps its star when the list display becomes a tuple
        "import keras\ndef g():\n    yield [image, *y_true], np.zeros(n)\n"
        "def h():\n    yield [x, *ys]\nm.fit_generator(g(), 2)\nm.fit_generator(h(), 2)\n",
        "import keras\ndef g():\n    yield (image, *y_true), np.zeros(n)\n"
        "def h():\n    yield (x, *ys)\nm.fit(g(), steps_per_epoch=2)\nm.fit(h(), steps_per_epoch=2)\n",
    ),
    (  # a generator behind a wrapper function (keras-yolo3's `data_generator_wrapper`)
        "import keras\ndef g(n):\n    while True:\n        yield [image, *y_true], np.zeros(n)\n"
        "def wrapper(n):\n    if n == 0:\n        return None\n    return g(n)\n"
        "def outer(n):\n    it = wrapper(n)\n    return it\n"
        "m.fit_generator(outer(2), 2)\n",
        "import keras\ndef g(n):\n    while True:\n        yield (image, *y_true), np.zeros(n)\n"
        "def wrapper(n):\n    if n == 0:\n        return None\n    return g(n)\n"
        "def outer(n):\n    it = wrapper(n)\n    return it\n"
        "m.fit(outer(2), steps_per_epoch=2)\n",
    ),
    (  # `tf` imported inside another function only: the rewrite adds a module-level import
        "from keras import backend as K\ndef build():\n    import tensorflow as tf\n"
        "    return tf.zeros(3)\ndef step(f, x, s):\n    return K.rnn(f, x, s)\n",
        "from keras import backend as K\nimport tensorflow as tf\ndef build():\n"
        "    import tensorflow as tf\n    return tf.zeros(3)\ndef step(f, x, s):\n"
        "    return tf.keras.backend.rnn(f, x, s)\n",
    ),
    (  # K.constant gave floatx() unless told otherwise; convert_to_tensor keeps float64
        "import numpy as np\nfrom keras import backend as K\nc = K.constant(np.ones(3))\n"
        "d = K.constant(np.ones(3), 'int32')\n",
        "import numpy as np\nfrom keras import backend as K\nfrom keras import ops\nimport keras\n"
        "c = ops.convert_to_tensor(np.ones(3), dtype=keras.config.floatx())\n"
        "d = ops.convert_to_tensor(np.ones(3), 'int32')\n",
    ),
]

FIXES += [
    (  # a Sequence whose batches put several inputs in a list (Keras 3 refuses the list)
        "import keras\nclass B(keras.utils.Sequence):\n    def __getitem__(self, i):\n"
        "        return [self.a[i], self.b[i]], self.y[i]\n",
        "import keras\nclass B(keras.utils.PyDataset):\n    def __getitem__(self, i):\n"
        "        return (self.a[i], self.b[i]), self.y[i]\n",
    ),
]

NOOPS = [
    # a __getitem__ of a class that is no Keras Sequence, a nested helper's return
    "import keras\nclass Table:\n    def __getitem__(self, i):\n        return [1, 2], 3\n",
    "import keras\nclass B(keras.utils.PyDataset):\n    def __getitem__(self, i):\n"
    "        def pair():\n            return [1, 2], 3\n        return pair()\n",
    # an RL agent's own metrics_names, a plain generator nobody trains on, a non-Keras reset
    "import keras\nclass Agent:\n    @property\n    def metrics_names(self):\n        return []\n"
    "a = Agent()\nprint(a.metrics_names)\n",
    "import keras\ndef rows():\n    yield [1, 2], 3\nfor r in rows():\n    print(r)\n",
    "import keras\nparser.reset_states()\n",
    # the same method names on foreign objects, in files that do not use Keras
    "import sklearn\nclf.predict_proba(x)\n",
]

test_fix, test_noop, test_idempotent = table_tests(FIXES, NOOPS)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from tensorflow.compat.v1.keras.backend import set_session\n", ["KRS091", "KRS107"]),
        ("import keras\nm.save_weights(path)\n", ["KRS066"]),
        ("import keras\nkeras.layers.LSTM(3, batch_size=4)(x)\n", ["KRS079", "KRS084"]),
        ("import keras\nm = keras.models.Model(a, b)\nm.add_loss(loss)\n", ["KRS024"]),
        ("model.fit_generator(gen, 10)\n", ["KRS012"]),
        ("import keras\nm.predict_classes(x)\n", ["KRS013"]),
        (
            "import keras\ndef g():\n    yield batch\nm.predict_generator(g(), 1)\n",
            ["KRS004", "KRS015"],
        ),
        (
            "import keras\nclass A:\n    def metrics_names(self):\n        pass\n"
            "n = self.model.metrics_names\n",
            ["KRS010"],
        ),
    ],
)
def test_report(source, expected):
    assert sorted(f.rule for f in migrate_bytes(source.encode()).findings) == expected


def _tree(tmp_path, files):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return str(tmp_path)


def test_a_file_without_keras_learns_from_the_project(tmp_path):
    root = _tree(
        tmp_path,
        {
            "model.py": "from keras.models import *\nfrom keras.callbacks import ModelCheckpoint\n"
            "def unet():\n    model = Model(inputs=a, outputs=b)\n    return model\n",
            "data.py": "import numpy as np\ndef test_gen(n):\n    for _ in range(n):\n"
            "        yield np.zeros((1, 4))\n",
            "main.py": "from model import *\nfrom data import *\nm = unet()\n"
            "c = ModelCheckpoint('u.hdf5')\nm.predict_generator(test_gen(3), 3)\n",
        },
    )
    paths = [os.path.join(root, n) for n in ("data.py", "main.py", "model.py")]
    known = project.scan(paths, [root])
    assert known.factories == {"unet"} and known.generators == {"test_gen": {"predict"}}
    main = migrate_bytes(open(paths[1], "rb").read(), paths[1], project=known).new.decode()
    assert "ModelCheckpoint('u.keras')" in main and "m.predict(test_gen(3), steps=3" in main
    data = migrate_bytes(open(paths[0], "rb").read(), paths[0], project=known).new.decode()
    assert "yield (np.zeros((1, 4)),)" in data
    alone = migrate_bytes(open(paths[1], "rb").read(), paths[1]).findings
    assert [f.rule for f in alone] == ["KRS012"]  # without the project: reported, not rewritten


def test_a_generator_behind_a_wrapper_in_another_file(tmp_path):
    root = _tree(
        tmp_path,
        {
            "data.py": "import numpy as np\ndef gen(n):\n    while True:\n"
            "        yield [np.zeros((n, 4)), np.ones((n, 1))], np.zeros(n)\n",
            "train.py": "import keras\nfrom data import gen\n"
            "def gen_wrapper(n):\n    return None if n == 0 else gen(n)\n"
            "def wrapper(n):\n    return gen(n)\n"
            "m.fit_generator(wrapper(2), steps_per_epoch=3)\n",
        },
    )
    paths = [os.path.join(root, n) for n in ("data.py", "train.py")]
    known = project.scan(paths, [root])
    assert known.generators == {"wrapper": {"train"}, "gen": {"train"}}
    data = migrate_bytes(open(paths[0], "rb").read(), paths[0], project=known).new.decode()
    assert "yield (np.zeros((n, 4)), np.ones((n, 1))), np.zeros(n)" in data


def test_the_scan_in_worker_processes_learns_what_one_process_does(tmp_path):
    files = {
        f"data{i}.py": "import numpy as np\ndef gen(n):\n    while True:\n"
        "        yield [np.zeros((n, 4))], np.zeros(n)\n"
        for i in range(6)
    }
    files.update(
        {
            f"model{i}.py": "from keras.models import *\n"
            f"def build{i}():\n    model = Model(inputs=a, outputs=b)\n    return model\n"
            f"def wrap{i}(n):\n    return gen(n)\n"
            f"build{i}().fit_generator(wrap{i}(2), steps_per_epoch=3)\n"
            for i in range(6)
        }
    )
    root = _tree(tmp_path, files)
    paths = sorted(os.path.join(root, n) for n in files)
    assert project.scan(paths, [root], jobs=2) == project.scan(paths, [root])
    assert project.scan(paths, [root], jobs=2).factories == {f"build{i}" for i in range(6)}


def test_infile_inplace_rewrites_the_file(tmp_path, capsys):
    path = tmp_path / "a.py"
    path.write_text("import keras\nm.fit_generator(g, 2)\n")
    assert cli.main(["--infile", str(path), "--inplace"]) == 1
    assert path.read_text() == "import keras\nm.fit(g, steps_per_epoch=2)\n"
    assert capsys.readouterr().out == ""


def test_infile_check_writes_nothing(tmp_path):
    path = tmp_path / "a.py"
    path.write_text("import keras\nm.fit_generator(g, 2)\n")
    assert cli.main(["--infile", str(path), "--check"]) == 1
    assert path.read_text() == "import keras\nm.fit_generator(g, 2)\n"


def test_outfile_and_inplace_exclude_each_other(tmp_path):
    with pytest.raises(SystemExit):
        cli.main(["--infile", "a.py", "--outfile", "b.py", "--inplace"])
