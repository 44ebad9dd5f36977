"""KRS112 (Keras 2 graph attributes Keras 3's objects lack) and KRS113 (CuDNN weights Keras 3
does not convert): reported at their lines, nothing rewritten."""

import os

import pytest

from compatkeras.migrate import migrate_bytes, project

HEADER = "from keras.layers import Layer, CuDNNGRU, Input\n"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (HEADER + "class L(Layer):\n    def call(self, x):\n        return x._keras_shape\n", 1),
        (HEADER + "n = layer.inbound_nodes[0]\nm = n.input_masks\n", 2),
        (HEADER + "b = y._uses_learning_phase\n", 1),
        ("from keras.layers import *\nn = layer.outbound_nodes\n", 1),
        # not Keras code, or Keras 3's own private names
        ("class C:\n    inbound_nodes = []\nprint(C().inbound_nodes)\n", 0),
        (HEADER + "n = layer._inbound_nodes[0]\n", 0),
    ],
)
def test_graph_attributes_are_reported(source, expected):
    result = migrate_bytes(source.encode())
    assert sum(f.rule == "KRS112" for f in result.findings) == expected


def test_load_weights_with_cudnn_layers_is_reported():
    source = HEADER + "m = Model(i, CuDNNGRU(2)(i))\nm.load_weights('w.h5', by_name=True)\n"
    rules = [f.rule for f in migrate_bytes(source.encode()).findings]
    assert rules.count("KRS113") == 1
    plain = "from keras.layers import GRU\nm.load_weights('w.h5')\n"
    assert "KRS113" not in [f.rule for f in migrate_bytes(plain.encode()).findings]


def test_load_weights_of_a_model_a_project_module_builds_with_cudnn_is_reported(tmp_path):
    files = {
        "model.py": "from keras.layers import CuDNNLSTM, Input\nfrom keras.models import Model\n"
        "def build():\n    i = Input((4, 2))\n    return Model(i, CuDNNLSTM(3)(i))\n",
        "main.py": "from model import build\nm = build()\nm.load_weights('w.h5', by_name=True)\n",
        "other.py": "from keras.models import load_model\nm = load_model('x.h5')\n"
        "m.load_weights('w.h5')\n",
    }
    paths = []
    for name, text in files.items():
        (tmp_path / name).write_text(text)
        paths.append(str(tmp_path / name))
    known = project.scan(paths, [str(tmp_path)])
    found = {}
    for path in paths:
        findings = migrate_bytes(open(path, "rb").read(), path, project=known).findings
        found[os.path.basename(path)] = [(f.rule, f.line) for f in findings if f.rule == "KRS113"]
    assert found == {"model.py": [], "main.py": [("KRS113", 3)], "other.py": []}, found


def test_output_and_input_of_a_sequential_are_its_first_outputs_and_inputs():
    source = (
        "from keras.models import Sequential\nfrom keras.layers import Dense\n"
        "m = Sequential([Dense(2, input_shape=(3,))])\nn = len(m.output) > 1\nx = m.input\n"
        "y = other.output\nz = m.outputs\n"
    )
    result = migrate_bytes(source.encode())
    text = result.new.decode()
    assert "n = len(m.outputs[0]) > 1" in text and "x = m.inputs[0]" in text
    assert "y = other.output" in text and "z = m.outputs\n" in text


def test_the_compiled_loss_attributes_of_a_model_are_reported():
    from compatkeras.migrate import migrate_bytes

    source = (
        "import keras\nimport keras.backend as K\n"
        "model = keras.Sequential([keras.layers.Dense(1)])\n"
        "grads = model.optimizer.get_gradients(model.total_loss, model.trainable_weights)\n"
        "feeds = model.inputs + model.sample_weights + model.targets\n"
        "class Cb(keras.callbacks.Callback):\n"
        "    def on_epoch_end(self, epoch, logs=None):\n"
        "        print(self.model._feed_targets)\n"
        "class Data:\n"
        "    def __init__(self):\n"
        "        self.targets = []\n"  # not a model: left alone
    )
    found = [(f.rule, f.line) for f in migrate_bytes(source.encode()).findings]
    assert ("KRS036", 4) in found  # get_gradients on a Keras 3 optimizer
    assert found.count(("KRS112", 4)) == 1  # total_loss
    assert found.count(("KRS112", 5)) == 2  # sample_weights, targets
    assert ("KRS112", 8) in found  # self.model._feed_targets
    assert not any(line == 11 for _, line in found)
