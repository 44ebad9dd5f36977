"""The Keras 2 import paths: each line imports under the drop-in runner, and gives the very same
objects as its `compatkeras.legacy` spelling.

The lines come from real Keras 2 programs (the keras 2.2 `examples/` folder, custom-layer
tutorials, TF1-era `tensorflow.keras` code). All run in one `python -m compatkeras` subprocess.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap

import pytest

# (Keras 2 line, its compatkeras.legacy spelling or None to derive it, expected ImportError text).
IMPORT_LINES = [
    ("import keras", "import compatkeras.legacy as keras", None),
    ("from keras import backend as K", None, None),
    ("import keras.backend as K", "import compatkeras.legacy.backend as K", None),
    ("from keras import optimizers, losses, metrics, callbacks", None, None),
    ("from keras import regularizers, initializers, constraints, activations", None, None),
    ("from keras.models import Sequential, Model", None, None),
    ("from keras.models import load_model, model_from_json, clone_model, save_model", None, None),
    ("from keras.layers import Input, Dense, Dropout, Activation, Flatten", None, None),
    ("from keras.layers import Conv2D, MaxPooling2D, BatchNormalization", None, None),
    ("from keras.layers import LSTM, GRU, SimpleRNN, Embedding, TimeDistributed", None, None),
    ("from keras.layers import Bidirectional, Masking, Lambda, Reshape, Permute", None, None),
    ("from keras.layers import concatenate, add, multiply, Concatenate", None, None),
    ("from keras.layers import Layer, InputSpec, InputLayer", None, None),
    ("from keras.layers import Convolution2D, Deconvolution2D, Conv2DTranspose", None, None),
    ("from keras.layers.core import Dense, Dropout, Activation, Flatten, Lambda", None, None),
    ("from keras.layers.core import Reshape, Permute, RepeatVector, Masking", None, None),
    ("from keras.layers.convolutional import Conv1D, Conv2D, MaxPooling2D", None, None),
    ("from keras.layers.convolutional import UpSampling2D, ZeroPadding2D, Cropping2D", None, None),
    ("from keras.layers.pooling import GlobalAveragePooling1D, GlobalMaxPooling2D", None, None),
    ("from keras.layers.recurrent import LSTM, GRU, SimpleRNN, RNN", None, None),
    ("from keras.layers.recurrent import LSTMCell, GRUCell, StackedRNNCells", None, None),
    ("from keras.layers.merge import add, concatenate, multiply, dot", None, None),
    ("from keras.layers.merge import Add, Concatenate, Average, Maximum, Dot", None, None),
    ("from keras.layers.normalization import BatchNormalization", None, None),
    ("from keras.layers.embeddings import Embedding", None, None),
    ("from keras.layers.advanced_activations import LeakyReLU, PReLU, ELU, ReLU", None, None),
    ("from keras.layers.wrappers import TimeDistributed, Bidirectional, Wrapper", None, None),
    ("from keras.layers.noise import GaussianNoise, GaussianDropout, AlphaDropout", None, None),
    ("from keras.layers.local import LocallyConnected1D, LocallyConnected2D", None, None),
    ("from keras.layers.convolutional_recurrent import ConvLSTM2D", None, None),
    ("from keras.engine.topology import Layer, InputSpec", None, None),
    ("from keras.engine.topology import Input, Network, get_source_inputs", None, None),
    ("from keras.engine import Layer, InputSpec", None, None),
    ("from keras.engine.base_layer import Layer, InputSpec", None, None),
    ("from keras.engine.input_layer import Input, InputLayer", None, None),
    ("from keras.engine.training import Model", None, None),
    ("from keras.engine.sequential import Sequential", None, None),
    (
        "from keras.optimizers import SGD, RMSprop, Adagrad, Adadelta, Adam, Adamax, Nadam",
        None,
        None,
    ),
    (
        "from keras.optimizers import sgd, rmsprop, adagrad, adadelta, adam, adamax, nadam",
        None,
        None,
    ),
    ("from keras.losses import mse, binary_crossentropy, categorical_crossentropy", None, None),
    ("from keras.objectives import categorical_crossentropy, mean_squared_error", None, None),
    ("from keras.metrics import categorical_accuracy, top_k_categorical_accuracy", None, None),
    ("from keras.callbacks import ModelCheckpoint, EarlyStopping, ReduceLROnPlateau", None, None),
    ("from keras.callbacks import TensorBoard, CSVLogger, LambdaCallback, Callback", None, None),
    ("from keras.regularizers import l1, l2, l1_l2", None, None),
    ("from keras.initializers import glorot_uniform, he_normal, Constant", None, None),
    ("from keras.constraints import max_norm, non_neg, unit_norm", None, None),
    ("from keras.constraints import maxnorm, nonneg, unitnorm", None, None),  # 2.2.4's legacy
    ("from keras.initializers import zero, one, uniform, normal", None, None),
    ("from keras.activations import relu, softmax, sigmoid", None, None),
    ("from keras.utils import to_categorical, Sequence, plot_model, get_file", None, None),
    ("from keras.utils import np_utils", None, None),
    ("from keras.utils.np_utils import to_categorical, normalize", None, None),
    ("from keras.utils.data_utils import Sequence, get_file", None, None),
    ("from keras.utils.data_utils import OrderedEnqueuer, GeneratorEnqueuer", None, None),
    ("from keras.utils import OrderedEnqueuer, GeneratorEnqueuer", None, None),
    (
        "from keras.utils.generic_utils import Progbar, CustomObjectScope, get_custom_objects",
        None,
        None,
    ),
    ("from keras.utils.vis_utils import plot_model, model_to_dot", None, None),
    ("from keras.utils.layer_utils import count_params, print_summary", None, None),
    ("from keras.utils.conv_utils import conv_output_length, normalize_tuple", None, None),
    ("from keras.utils.io_utils import ask_to_proceed_with_overwrite", None, None),
    (
        "from keras.preprocessing.image import ImageDataGenerator, load_img, img_to_array",
        None,
        None,
    ),
    ("from keras.preprocessing.sequence import pad_sequences, TimeseriesGenerator", None, None),
    ("from keras.preprocessing.text import Tokenizer, text_to_word_sequence", None, None),
    ("from keras.preprocessing import image, sequence, text", None, None),
    ("from keras.datasets import mnist, cifar10, imdb", None, None),
    ("from keras.applications.vgg16 import VGG16, preprocess_input", None, None),
    ("from keras.applications.resnet50 import ResNet50, decode_predictions", None, None),
    ("from keras.applications import vgg19, inception_v3", None, None),
    ("from keras.backend.tensorflow_backend import set_session, get_session", None, None),
    ("from tensorflow import keras", "from compatkeras import legacy as keras", None),
    ("import tensorflow.keras as keras", "import compatkeras.legacy as keras", None),
    ("from tensorflow.keras.layers import LSTM, Dense", None, None),
    ("from tensorflow.keras.models import Sequential, load_model", None, None),
    ("from tensorflow.keras.optimizers import Adam", None, None),
    ("from tensorflow.keras import backend as K", None, None),
    ("from tensorflow.keras.callbacks import EarlyStopping", None, None),
    ("from tensorflow.keras.preprocessing.sequence import pad_sequences", None, None),
    ("from tensorflow.keras.utils import to_categorical", None, None),
    ("from keras.wrappers.scikit_learn import KerasClassifier, KerasRegressor", None, None),
    # tf.keras 2.x module paths the Keras 2 namespace has no module for: tf-keras's own.
    (
        "from tensorflow.keras.optimizers.schedules import ExponentialDecay",
        "from tf_keras.optimizers.schedules import ExponentialDecay",
        None,
    ),
    (
        "from tensorflow.keras.layers.experimental.preprocessing import Normalization",
        "from tf_keras.layers.experimental.preprocessing import Normalization",
        None,
    ),
    ("from tensorflow.keras.optimizers import AdamW, Adam", None, None),
]


def legacy_spelling(line, explicit):
    if explicit:
        return explicit
    return re.sub(r"^from (tensorflow\.keras|keras)\b", "from compatkeras.legacy", line)


# Runs under `python -m compatkeras`: each Keras 2 line through the drop-in, then its legacy
# spelling directly, and compares what the two bound.
_PROBE = textwrap.dedent(
    """
    import json, sys
    import tensorflow as tf
    import compatkeras.legacy
    lines = json.load(open(sys.argv[1]))
    out = []
    for keras2, legacy in lines:
        dropin_ns, legacy_ns, entry = {}, {}, {"line": keras2}
        try:
            exec(keras2, dropin_ns)
            exec(legacy, legacy_ns)
            names = sorted(n for n in dropin_ns if n != "__builtins__")
            entry["names"] = names
            entry["same"] = {n: dropin_ns[n] is legacy_ns.get(n) for n in names}
        except ImportError as e:
            entry["import_error"] = str(e)
        out.append(entry)
    out.append({"tf.keras is legacy": tf.keras is compatkeras.legacy})
    json.dump(out, open(sys.argv[2], "w"))
    """
)


@pytest.fixture(scope="module")
def probed():
    with tempfile.TemporaryDirectory() as tmp:
        lines = os.path.join(tmp, "lines.json")
        script = os.path.join(tmp, "probe.py")
        out = os.path.join(tmp, "out.json")
        with open(lines, "w") as f:
            json.dump([(k2, legacy_spelling(k2, ex)) for k2, ex, _ in IMPORT_LINES], f)
        with open(script, "w") as f:
            f.write(_PROBE)
        proc = subprocess.run(
            [sys.executable, "-m", "compatkeras", script, lines, out],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        with open(out) as f:
            results = json.load(f)
    return {r["line"]: r for r in results[:-1]}, results[-1]


def test_table_is_large_enough():
    assert len(IMPORT_LINES) >= 40


@pytest.mark.parametrize(
    ("line", "explicit", "error"), IMPORT_LINES, ids=[t[0] for t in IMPORT_LINES]
)
def test_import_line(probed, line, explicit, error):
    entry = probed[0][line]
    if error:
        assert error in entry.get("import_error", ""), entry
        return
    assert "import_error" not in entry, entry
    assert entry["names"], entry
    # The drop-in and the compatkeras.legacy spelling bind the very same objects.
    assert all(entry["same"].values()), entry


def test_tf_keras_attribute_is_the_legacy_namespace(probed):
    assert probed[1] == {"tf.keras is legacy": True}


def test_top_level_namespace_is_the_legacy_one():
    import compatkeras as keras

    for name in (
        "layers",
        "models",
        "optimizers",
        "losses",
        "objectives",
        "metrics",
        "callbacks",
        "utils",
        "backend",
        "regularizers",
        "initializers",
        "constraints",
        "activations",
        "preprocessing",
        "datasets",
        "applications",
    ):
        assert getattr(keras, name) is getattr(keras.legacy, name), name
    assert keras.Model is keras.legacy.Model
    assert keras.Sequential is keras.legacy.Sequential
    assert keras.Input is keras.layers.Input
    # The package has its own version; the Keras 2 namespace reports the Keras 2 it reproduces
    # (what `import keras` shows under the drop-in; test_legacy_keras224_api.py).
    import tf_keras

    from compatkeras._version import __version__

    assert keras.__version__ == __version__
    assert keras.legacy.__version__ == tf_keras.__version__
    import compatkeras.layers.core as core

    assert core is keras.legacy.layers.core
    assert core.Dense is keras.layers.Dense


def test_package_aliases_wait_behind_the_path_finder():
    """`compatkeras.layers` and `compatkeras.legacy.datasets.mnist` have no file, so the path
    finder passes them on; the thousands of modules TensorFlow imports never reach the aliases."""
    import importlib.machinery

    import compatkeras.datasets.mnist as mnist
    import compatkeras.layers as layers
    from compatkeras._aliases import AliasFinder

    path_finder = sys.meta_path.index(importlib.machinery.PathFinder)
    for name in ("compatkeras.layers.core", "compatkeras.legacy.datasets.mnist"):
        where = [
            i
            for i, finder in enumerate(sys.meta_path)
            if isinstance(finder, AliasFinder) and finder.target_of(name)
        ]
        assert where and min(where) > path_finder, (name, sys.meta_path)
    assert layers.Dense.__module__.startswith("tf_keras") and callable(mnist.load_data)


_LAZY_PROBE = """
import sys
import compatkeras
compatkeras.layers.Dense
print(" ".join(sorted(m for m in sys.modules if m.startswith("compatkeras"))))
import compatkeras.legacy as keras
keras.Model, keras.backend.floatx, keras.legacy.interfaces.legacy_get_updates_support
from compatkeras.legacy import saving
print(saving.__name__, keras.optimizers.Adam.get_updates._keras2)
"""


def test_a_namespace_loads_when_first_used():
    """`import compatkeras; compatkeras.layers.Dense` loads the layers, not the models, the
    backend or the training engine (the import goal of the benchmark); the rest loads on first
    use, and `keras.saving` is ours, not tf-keras's module of that name."""
    proc = subprocess.run(
        [sys.executable, "-c", _LAZY_PROBE], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    loaded, last = proc.stdout.strip().splitlines()
    loaded = loaded.split()
    assert "compatkeras.legacy.layers" in loaded
    for heavy in ("compatkeras.engine", "compatkeras.legacy.models", "compatkeras.legacy.backend"):
        assert heavy not in loaded, loaded
    assert last == "compatkeras.legacy.saving True"
