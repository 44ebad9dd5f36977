import pytest
from tables import table_tests

FIXES = [
    (  # KRS100: removed layer and utils sub-modules
        "from keras.layers.core import Dense, Activation\nfrom keras.layers.merge import concatenate\n",
        "from keras.layers import Dense, Activation\nfrom keras.layers import concatenate\n",
    ),
    (  # a removed module imported as a name keeps its local name
        "from keras.utils import np_utils\ny = np_utils.to_categorical(x)\n",
        "from keras import utils as np_utils\ny = np_utils.to_categorical(x)\n",
    ),
    (  # ... and is split from the names that stay, one import per line, comment kept
        "from keras.utils import np_utils, Sequence  # data\n",
        "from keras import utils as np_utils\nfrom keras.utils import Sequence  # data\n",
    ),
    (  # attribute spellings and `import a.b.c`
        "import keras\nimport keras.utils.np_utils\nkeras.layers.core.Dense(3)\nkeras.utils.np_utils.to_categorical(y)\n",
        "import keras\nimport keras.utils\nkeras.layers.Dense(3)\nkeras.utils.to_categorical(y)\n",
    ),
    (
        "import keras\nfrom keras.utils.np_utils import to_categorical\n",
        "import keras\nfrom keras.utils import to_categorical\n",
    ),
    (  # star import
        "from keras.layers.recurrent import *\n",
        "from keras.layers import *\n",
    ),
    (  # keras.objectives, tensorflow spelling kept, optimizers.legacy
        "from keras import objectives\nfrom keras.objectives import mse\n",
        "from keras import losses as objectives\nfrom keras.losses import mean_squared_error as mse\n",
    ),
    (
        "from tensorflow.keras.optimizers.legacy import Adam\nimport tensorflow as tf\ntf.keras.optimizers.legacy.SGD(0.1)\n",
        "from tensorflow.keras.optimizers import Adam\nimport tensorflow as tf\ntf.keras.optimizers.SGD(0.1)\n",
    ),
    (  # KRS101: keras.engine names and lower-case constraints
        "from keras.engine.topology import Layer, InputSpec\nfrom keras.engine import Network\n",
        "from keras.layers import Layer, InputSpec\nfrom keras.models import Model as Network\n",
    ),
    (
        "from keras.constraints import maxnorm\nimport keras\nkeras.constraints.maxnorm(2)\n",
        "from keras.constraints import max_norm as maxnorm\nimport keras\nkeras.constraints.max_norm(2)\n",
    ),
]

NOOPS = [
    "from keras.layers import Dense\nfrom keras.utils import to_categorical\n",
    # a project's own `layers.core`
    "from myproject.layers.core import Dense\nfrom .utils import np_utils\n",
    # reported, not touched
    "from keras.utils import multi_gpu_model\n",
    "from keras.utils.layer_utils import count_params\n",
    "from keras.wrappers.scikit_learn import KerasClassifier\n",
    "from keras.preprocessing.sequence import pad_sequences\n",
]

FIXES += [
    (  # KRS108: Keras 3's own port of what it dropped, in the tf.keras namespace
        "from keras.preprocessing.image import ImageDataGenerator, load_img\n",
        "from tensorflow.keras.preprocessing.image import ImageDataGenerator\n"
        "from keras.preprocessing.image import load_img\n",
    ),
    (
        "from keras.preprocessing.text import Tokenizer as T, one_hot\n",
        "from tensorflow.keras.preprocessing.text import Tokenizer as T, one_hot\n",
    ),
]

test_fix, test_noop, test_idempotent = table_tests(FIXES, NOOPS)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from keras.utils import multi_gpu_model\n", [("KRS102", False)]),
        ("from keras.wrappers.scikit_learn import KerasClassifier\n", [("KRS102", False)]),
        ("from keras.models import model_from_yaml\n", [("KRS102", False)]),
        ("from keras.preprocessing.text import Tokenizer\n", [("KRS108", True)]),
        ("from keras.utils.layer_utils import count_params\n", [("KRS104", False)]),
        ("from keras.layers.core import Dense\n", [("KRS100", True)]),
        ("from keras.preprocessing.sequence import pad_sequences\n", []),
    ],
)
def test_report(findings, source, expected):
    assert findings(source) == expected


def test_legacy_preprocessing_message_depends_on_the_spelling():
    from compatkeras.migrate import migrate_bytes
    from compatkeras.migrate.runner import default_rules

    without_krs108 = default_rules() - {"KRS108"}
    standalone = migrate_bytes(
        b"from keras.preprocessing.text import Tokenizer\n", selected=without_krs108
    ).findings[0]
    tf_keras = migrate_bytes(
        b"from tensorflow.keras.preprocessing.text import Tokenizer\n"
    ).findings[0]
    assert "fails under `import keras`" in standalone.message
    assert "works only through tf.keras" in tf_keras.message


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "from keras import backend as keras\nkeras.sum(x)\n",
            [("KRS105", False), ("KRS090", True)],
        ),
        ("import keras\nassert keras.__version__.startswith('2')\n", [("KRS106", False)]),
        ("import mylib as keras\nkeras.__version__\n", []),
    ],
)
def test_more_reports(findings, source, expected):
    assert findings(source) == expected


def test_keras_3_keeps_the_preprocessing_krs108_imports_from_tf_keras():
    import importlib

    from compatkeras.migrate.rules.imports import LEGACY

    for full in sorted(LEGACY):
        module, _, name = full.rpartition(".")
        assert getattr(importlib.import_module(f"tensorflow.{module}"), name), full
