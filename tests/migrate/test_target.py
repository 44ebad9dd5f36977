"""`--target compatkeras` (KRS120 imports, KRS121 Keras 2 preprocessing): (before, after) rows
under that target, nothing of it under the default target, and migrated code that runs on
compatkeras.v3."""

import os
import subprocess
import sys
import textwrap

import pytest
from tables import table_tests

from compatkeras.migrate import cli, migrate_bytes
from compatkeras.migrate.model import default_rules
from compatkeras.migrate.rules.target import retarget_statement

TARGET = default_rules() | {"KRS120", "KRS121"}


@pytest.fixture
def fix():
    def run(source):
        outcome = migrate_bytes(textwrap.dedent(source).encode(), "t.py", TARGET)
        assert outcome.error is None, outcome.error
        return outcome.new.decode()

    return run


FIXES = [
    ("import keras\nm = keras.Model()\n", "import compatkeras.v3 as keras\nm = keras.Model()\n"),
    ("import keras as k\n", "import compatkeras.v3 as k\n"),
    ("import keras.backend as K\n", "import compatkeras.v3.backend as K\n"),
    ("import keras.layers\n", "import compatkeras.v3 as keras\n"),
    ("from keras import layers\n", "from compatkeras.v3 import layers\n"),
    (
        "from keras.layers.core import Dense\n",
        "from compatkeras.v3.layers import Dense\n",
    ),
    (
        "from tensorflow.keras.layers import Conv2D\n",
        "from compatkeras.v3.layers import Conv2D\n",
    ),
    ("from tensorflow import keras\n", "from compatkeras import v3 as keras\n"),
    ("from tensorflow import keras as tk\n", "from compatkeras import v3 as tk\n"),
    (
        "import tensorflow as tf\nd = tf.keras.layers.Dense(2)\n",
        "import tensorflow as tf\nimport compatkeras.v3\nd = compatkeras.v3.layers.Dense(2)\n",
    ),
    (
        "from keras.preprocessing.image import ImageDataGenerator\n",
        "from compatkeras.preprocessing.image import ImageDataGenerator\n",
    ),
    (
        "from keras.preprocessing.text import Tokenizer, one_hot\n",
        "from compatkeras.preprocessing.text import Tokenizer, one_hot\n",
    ),
    (
        "import keras\ng = keras.preprocessing.image.ImageDataGenerator()\n",
        "import compatkeras.v3 as keras\nimport compatkeras.preprocessing.image\n"
        "g = compatkeras.preprocessing.image.ImageDataGenerator()\n",
    ),
]

NOOPS = [
    "import tensorflow as tf\nx = tf.constant(1)\n",
    "import tensorflow.keras\n",
    "from tensorflow import nn\n",
    "import compatkeras.v3 as keras\n",
]

test_fix, test_noop, test_idempotent = table_tests(FIXES, NOOPS)


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("import keras", "import compatkeras.v3 as keras"),
        ("import keras.ops as ops", "import compatkeras.v3.ops as ops"),
        ("from keras import ops", "from compatkeras.v3 import ops"),
        ("from keras.layers import Dense", "from compatkeras.v3.layers import Dense"),
        ("import numpy as np", "import numpy as np"),
        ("import kerastuner", "import kerastuner"),
    ],
)
def test_imports_other_rules_add_are_retargeted(statement, expected):
    assert retarget_statement(statement) == expected


def test_the_default_target_keeps_keras():
    source = b"import keras\nfrom keras.preprocessing.image import ImageDataGenerator\n"
    outcome = migrate_bytes(source, "t.py")
    assert outcome.new == source.replace(b"from keras.", b"from tensorflow.keras.")
    assert [f.rule for f in outcome.findings] == ["KRS108"]
    target = migrate_bytes(source, "t.py", TARGET)
    assert [f.rule for f in target.findings] == ["KRS120", "KRS121"]


def test_the_cli_takes_the_target(tmp_path, capsys):
    path = tmp_path / "p.py"
    path.write_text("import keras\n")
    assert cli.main(["--target", "compatkeras", "--inplace", str(path)]) == 1
    assert path.read_text() == "import compatkeras.v3 as keras\n"
    with pytest.raises(SystemExit):
        cli.main(["--target", "jax", str(path)])
    assert "invalid choice" in capsys.readouterr().err


PROGRAM = """
import numpy as np
from keras.models import Sequential
from keras.layers import Conv2D, Flatten, Dense
from keras.preprocessing.image import ImageDataGenerator
from keras.utils import Sequence

x = np.random.rand(32, 8, 8, 3).astype("float32")
y = np.eye(2)[np.random.randint(0, 2, 32)]
model = Sequential([Conv2D(4, 3, input_shape=(8, 8, 3), activation="relu"), Flatten(),
                    Dense(2, activation="softmax")])
model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
flow = ImageDataGenerator(horizontal_flip=True).flow(x, y, batch_size=8)
model.fit_generator(flow, steps_per_epoch=4, epochs=2, verbose=0)

class Batches(Sequence):
    def __len__(self):
        return 4
    def __getitem__(self, i):
        return x[i * 8:(i + 1) * 8], y[i * 8:(i + 1) * 8]

history = model.fit_generator(Batches(), epochs=2, verbose=0)
assert len(history.history["loss"]) == 2, history.history
import compatkeras.v3
assert isinstance(model, compatkeras.v3.Model), type(model)
print("ran")
"""


def test_a_migrated_keras_2_program_runs_on_compatkeras_v3(tmp_path):
    """ImageDataGenerator and a Keras 2 Sequence (which stock Keras 3 refuses) feed a
    compatkeras.v3 model after the migration."""
    path = tmp_path / "program.py"
    path.write_text(PROGRAM)
    assert cli.main(["--target", "compatkeras", "--inplace", str(path)]) == 1
    assert "fit_generator" not in path.read_text()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=300, env=env
    )
    assert proc.returncode == 0 and "ran" in proc.stdout, proc.stderr[-3000:]
