"""The rule tables against the real libraries (tf_upgrade_v2's `*_test.py` idea).

Every name and keyword a rule *writes* must exist in the installed Keras 3 (namespace or
`inspect.signature`); every name a rule *matches* must exist in tf-keras, or be listed below as
Keras 1 / keras 2.2 only. The checks are built from the rule modules' own tables, so a new table
row is checked without a new test. One subprocess per library.
"""

import json

import pytest

from compatkeras.migrate.rules import (
    backend,
    callbacks,
    compile,
    data,
    imports,
    layers,
    optimizers,
    training,
)

import oracles

# Layer keyword arguments every Keras 3 layer takes through `Layer.__init__(**kwargs)`.
LAYER_KWARGS = [
    "input_shape",
    "input_dim",
    "batch_input_shape",
    "batch_size",
    "dtype",
    "name",
    "trainable",
]
# Matched names that tf-keras 2.21 no longer has (keras 2.2.4 / Keras 1 only, see
# ../shared/spec/migrate-rules.md §2.1): the rules still have to recognise them.
KERAS1_ONLY_LAYERS = {
    "Deconvolution2D",
    "Deconv2D",
    "Deconvolution3D",
    "Deconv3D",
    "AtrousConvolution1D",
    "AtrousConv1D",
    "AtrousConvolution2D",
    "AtrousConv2D",
    "CuDNNLSTM",
    "CuDNNGRU",
    "Merge",
    "Highway",
    "MaxoutDense",
    "Recurrent",
    "Convolution2DTranspose",
}
KERAS22_ONLY_BACKEND = {
    "logsumexp",
    "image_dim_ordering",
    "set_image_dim_ordering",
    "get_variable_shape",
    "set_epsilon",
    "get_session",
    "set_session",
}  # TF 1 sessions: tf.compat.v1


def _k3_checks():
    """(id, kind, target, argument) rows for Keras 3."""
    rows = []

    def exists(path):
        rows.append((f"exists {path}", "exists", path, None))

    def param(path, name):
        rows.append((f"{path}({name}=)", "param", path, name))

    def no_param(path, name):
        rows.append((f"{path} rejects {name}", "no_param", path, name))

    def works(code):  # for callables whose signature is (*args, **kwargs)
        rows.append((code, "code", None, code))

    # imports
    for new in sorted(set(imports.SUBMODULES.values())):
        exists(new)
    for new in sorted(set(imports.MOVED.values())):
        exists(new)
    for name in sorted(imports.KERAS3_UTILS):
        exists(f"keras.utils.{name}")
    # layers
    for cls, table in sorted(layers.KWARGS.items()):
        target = layers.RENAMES.get(cls, cls)
        exists(f"keras.layers.{target}")
        for old, new in sorted(table.items()):
            if layers.VALUES.get(old, {None: None}).get("cpu", "") is not None:  # not dropped
                param(f"keras.layers.{target}", new)
    for new in sorted(set(layers.RENAMES.values())):
        exists(f"keras.layers.{new}")
    param("keras.layers.Conv2D", "dilation_rate")
    param("keras.layers.Conv1D", "dilation_rate")
    param("keras.layers.ReLU", "threshold")
    param("keras.layers.LeakyReLU", "negative_slope")
    param("keras.layers.LSTM", "unit_forget_bias")
    param("keras.layers.LSTM", "input_shape")
    param("keras.layers.Conv2D", "kernel_size")
    param("keras.layers.Conv3D", "kernel_size")
    works("i = keras.Input((2,))\nkeras.Model(inputs=i, outputs=keras.layers.Dense(1)(i))")
    for function in sorted(set(layers.MERGE_MODES.values())):
        exists(f"keras.layers.{function}")
    param("keras.layers.concatenate", "axis")
    param("keras.layers.dot", "axes")
    param("keras.layers.Dot", "normalize")
    for name in ("name", "shape", "dtype", "initializer", "regularizer", "trainable", "constraint"):
        param("keras.layers.Layer.add_weight", name)
    for cls in sorted(layers.RNN_CLASSES - {"CuDNNGRU"}):
        param(f"keras.layers.{cls}", "recurrent_activation")
    param("keras.layers.GRU", "reset_after")
    # optimizers
    for cls in optimizers.CLASSES:
        param(f"keras.optimizers.{cls}", "learning_rate")
        no_param(f"keras.optimizers.{cls}", "lr")
    for name in ("initial_learning_rate", "decay_steps", "decay_rate"):
        param("keras.optimizers.schedules.InverseTimeDecay", name)
    param("keras.optimizers.Adam", "epsilon")
    no_param("keras.optimizers.Nadam", "schedule_decay")
    # compile
    for name in compile.KERAS2_ORDER[:4] + ("weighted_metrics",):
        param("keras.Model.compile", name)
    for name in ("sample_weight_mode", "target_tensors", "options", "run_metadata"):
        no_param("keras.Model.compile", name)
    # training
    for name in training.FIT_GENERATOR_ORDER:
        param("keras.Model.fit", name)
    for name in training.EVAL_PREDICT_ORDER:
        if name in ("steps", "verbose"):
            param("keras.Model.evaluate", name)
            param("keras.Model.predict", name)
    for method in ("fit", "evaluate", "predict"):
        no_param(f"keras.Model.{method}", "workers")
    for method in ("evaluate", "train_on_batch", "test_on_batch"):
        param(f"keras.Model.{method}", "return_dict")
    for method in ("train_on_batch", "test_on_batch"):
        no_param(f"keras.Model.{method}", "reset_metrics")
    for name in ("workers", "use_multiprocessing", "max_queue_size"):
        param("keras.utils.PyDataset", name)
    for base in data.BASES[:2]:
        exists(base)
    # callbacks
    for cls, dropped in sorted(callbacks.DROPPED.items()):
        for name in dropped:
            no_param(f"keras.callbacks.{cls}", name)
    param("keras.callbacks.ReduceLROnPlateau", "min_delta")
    for cls in callbacks.MONITORED:
        param(f"keras.callbacks.{cls}", "mode")
        param(f"keras.callbacks.{cls}", "monitor")
    for name in callbacks.CHECKPOINT_ORDER[:-1]:
        param("keras.callbacks.ModelCheckpoint", name)
    no_param("keras.callbacks.ModelCheckpoint", "period")
    # backend
    homes = {"ops": "keras.ops", "random": "keras.random", "": "keras"}
    for _, op in sorted(backend.OPS.items()):
        if op.template:
            for function in _template_functions(op.target):
                exists(function)
            continue
        module, _, function = op.target.rpartition(".")
        path = f"{homes[module]}.{function}"
        exists(path)
        for old in op.params[op.unnamed :]:  # the leading unnamed ones stay positional
            new = op.renames.get(old, old)
            if new is not None:
                param(path, new)
        for keyword in op.defaults:
            param(path, keyword)
        rows.append((f"{path} positional {op.positional}", "positional", path, op.positional))
    for name in sorted(backend.KERAS3_BACKEND):
        exists(f"keras.backend.{name}")
    for name in sorted(backend.LEGACY):  # reached as tf.keras.backend on TensorFlow 2.16+
        exists(f"keras._tf_keras.keras.backend.{name}")
    return rows


def _template_functions(text):
    found = []
    for part in text.replace("(", " ").replace(",", " ").split():
        if part.startswith("ops."):
            found.append("keras." + part)
    return found


def _old_checks():
    """Names the rules match, against tf-keras."""
    rows = []
    for cls in sorted({*layers.KWARGS, *layers.RENAMES, *layers.REMOVED}):
        if cls not in KERAS1_ONLY_LAYERS and cls not in ("Input",):
            rows.append((f"tf_keras.layers.{cls}", "exists", f"tf_keras.layers.{cls}", None))
    for name, op in sorted(backend.OPS.items()):
        if name in KERAS22_ONLY_BACKEND:
            continue
        rows.append((f"tf_keras.backend.{name}", "exists", f"tf_keras.backend.{name}", None))
        for old in op.params:
            rows.append(
                (f"tf_keras.backend.{name}({old}=)", "param", f"tf_keras.backend.{name}", old)
            )
    for name in sorted(backend.LEGACY - KERAS22_ONLY_BACKEND):
        rows.append((f"tf_keras.backend.{name}", "exists", f"tf_keras.backend.{name}", None))
    for cls in optimizers.CLASSES[:7]:
        code = f"tf_keras.optimizers.legacy.{cls}(learning_rate=0.1, decay=0.5)"
        rows.append((code, "code", None, "import tf_keras\n" + code))
    for name in ("workers", "use_multiprocessing", "max_queue_size"):
        rows.append((f"tf_keras.Model.fit({name}=)", "param", "tf_keras.Model.fit", name))
    return rows


CHECKER = """
import importlib, inspect
rows = json.loads(ROWS)

def resolve(path):
    parts = path.split('.')
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module('.'.join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(path)

def parameters(obj):
    return inspect.signature(obj).parameters

result = {}
for check_id, kind, path, arg in rows:
    try:
        obj = resolve(path) if path else None
        if kind == 'param':
            params = parameters(obj)
            ok = arg in params or (inspect.isclass(obj) and arg in LAYER_KWARGS
                                   and issubclass(obj, keras.layers.Layer))
            result[check_id] = None if ok else f'no parameter {arg}: {list(params)}'
        elif kind == 'no_param':
            result[check_id] = f'still has {arg}' if arg in parameters(obj) else None
        elif kind == 'positional':
            params = [p for p in parameters(obj).values() if p.name != 'self']
            kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
            ok = all(p.kind in kinds for p in params[:arg]) and len(params) >= arg
            result[check_id] = None if ok else f'fewer than {arg} positional parameters'
        elif kind == 'code':
            exec(arg, {'keras': keras})
            result[check_id] = None
        else:
            result[check_id] = None
    except Exception as e:
        result[check_id] = f'{type(e).__name__}: {e}'
"""

K3_ROWS = _k3_checks()
OLD_ROWS = _old_checks()


def _program(rows):
    return (
        f"import json\nROWS = {json.dumps(json.dumps(rows))}\n"
        f"LAYER_KWARGS = {LAYER_KWARGS!r}\n{CHECKER}"
    )


@pytest.fixture(scope="module")
def keras3_answers():
    return oracles.value(oracles.run("keras3", {"api": _program(K3_ROWS)}), "api")


@pytest.fixture(scope="module")
def tf_keras_answers():
    return oracles.value(
        oracles.run(
            "tv2",
            {
                "api": _program(OLD_ROWS).replace(
                    "keras.layers.Layer", "__import__('tf_keras').layers.Layer"
                )
            },
        ),
        "api",
    )


@pytest.mark.parametrize("check_id", [row[0] for row in K3_ROWS])
def test_what_rules_write_exists_in_keras3(keras3_answers, check_id):
    assert keras3_answers[check_id] is None, keras3_answers[check_id]


@pytest.mark.parametrize("check_id", [row[0] for row in OLD_ROWS])
def test_what_rules_match_existed_in_tf_keras(tf_keras_answers, check_id):
    assert tf_keras_answers[check_id] is None, tf_keras_answers[check_id]


def test_the_tables_are_not_empty():
    assert len(K3_ROWS) > 300 and len(OLD_ROWS) > 150, (len(K3_ROWS), len(OLD_ROWS))
