"""Imports and module paths: Keras 2 sub-modules that Keras 3 removed, and names that moved.

The tables are the rule: `SUBMODULES` maps a removed module to the one that holds its public names
now, `MOVED` maps single names, `REMOVED` lists what has no Keras 3 home (reported, never edited).
"""

import libcst as cst

from compatkeras.migrate import edit
from compatkeras.migrate.model import Level, Mode, rule
from compatkeras.migrate.names import COMPAT_PREFIXES, canonical, dotted
from compatkeras.migrate.rules import backend
from compatkeras.migrate.transform import register

SUBMODULE = rule(
    "KRS100",
    Level.INFO,
    Mode.AUTO,
    "Keras 2 sub-module removed in Keras 3: import from its parent",
    """Keras 3 has no `keras.layers.core`, `keras.layers.merge`, `keras.layers.recurrent`, ...,
    `keras.utils.np_utils`, `keras.utils.data_utils`, `keras.utils.generic_utils`,
    `keras.utils.vis_utils` (ModuleNotFoundError). Their public names live in `keras.layers` and
    `keras.utils`; `keras.objectives` is `keras.losses`; `keras.optimizers.legacy.X` is
    `keras.optimizers.X` (Keras 3 raises an ImportError on use). `from keras.utils import np_utils` becomes `from keras import utils as
    np_utils`, so `np_utils.to_categorical(...)` keeps working. A name the parent does not export
    in Keras 3 is reported instead (KRS104).""",
)
MOVED_NAME = rule(
    "KRS101",
    Level.INFO,
    Mode.AUTO,
    "name moved in Keras 3 (keras.engine, lower-case constraints, loss/metric short names, model_from_config)",
    """`keras.engine.topology.Layer`/`InputSpec`/`Input`/`InputLayer` are `keras.layers.*`,
    `keras.losses.mse`/`mae`/`mape`/`msle`/`kld`/`logcosh` (and the `keras.metrics` ones) are
    their long names (`from keras.losses import mean_squared_error as mse`),
    `keras.models.model_from_config` is `keras.saving.deserialize_keras_object`,
    `Network` is `keras.Model`, `get_source_inputs` is in `keras.utils`; `constraints.maxnorm/nonneg/unitnorm` are `max_norm/non_neg/unit_norm`;
    `losses.cosine` is `losses.cosine_similarity` (check the sign: Keras 2's `cosine_proximity`
    loss was the negated similarity, Keras 3's loss is too, metrics are not).""",
)
REMOVED_NAME = rule(
    "KRS102",
    Level.ERROR,
    Mode.REPORT,
    "no Keras 3 equivalent: edit by hand",
    """Names Keras 3 removed without a drop-in replacement: `keras.utils.multi_gpu_model` (use
    `tf.distribute.MirroredStrategy`), `keras.engine.saving` (use `model.load_weights(...,
    by_name=True)`), `keras.wrappers.scikit_learn` (use `keras.wrappers.SKLearnClassifier` /
    `SKLearnRegressor` or scikeras), `model_from_yaml` (use JSON), the private
    `keras.layers.merge._Merge` base, `LocallyConnected1D/2D`.""",
)
LEGACY_PREPROCESSING = rule(
    "KRS103",
    Level.WARNING,
    Mode.REPORT,
    "legacy preprocessing API: not in `import keras` 3",
    """`ImageDataGenerator`, `Tokenizer`, `one_hot`, `hashing_trick`, `text_to_word_sequence`,
    `TimeseriesGenerator`, `skipgrams` and `make_sampling_table` are gone from Keras 3's
    `keras.preprocessing` (they survive only in `tf.keras.preprocessing` on TensorFlow 2.16+).
    Replace them with `image_dataset_from_directory` + preprocessing layers, `TextVectorization`,
    or `timeseries_dataset_from_array`. (`pad_sequences`, `load_img`, `img_to_array` still exist.)""",
)
TO_TF_KERAS_PREPROCESSING = rule(
    "KRS108",
    Level.INFO,
    Mode.AUTO,
    "Keras 2 preprocessing that Keras 3 dropped -> `tensorflow.keras.preprocessing`",
    """`ImageDataGenerator`, `Tokenizer`, `TimeseriesGenerator` and the other names of KRS103
    are gone from `keras.preprocessing` in Keras 3, but Keras 3 keeps its own port of them in
    the `tf.keras` namespace it gives TensorFlow 2.16+ (`keras.src.legacy.preprocessing`), and
    its `fit` trains on their iterators. `from keras.preprocessing.image import
    ImageDataGenerator` becomes `from tensorflow.keras.preprocessing.image import ...`
    (TensorFlow backend; KRS103 says what replaces them on every backend).""",
)
NOT_EXPORTED = rule(
    "KRS104",
    Level.ERROR,
    Mode.REPORT,
    "imported from a removed sub-module, and not exported by its Keras 3 parent",
    """The sub-module is gone in Keras 3 and its parent (`keras.layers`, `keras.utils`) does not
    export this name, so the import cannot simply be moved (e.g. `keras.utils.layer_utils.
    count_params`, `keras.utils.conv_utils.conv_output_length`). The import is left as is.""",
)

_LAYER_MODULES = (
    "advanced_activations",
    "convolutional",
    "convolutional_recurrent",
    "core",
    "cudnn_recurrent",
    "embeddings",
    "local",
    "merge",
    "noise",
    "normalization",
    "pooling",
    "recurrent",
    "wrappers",
)
_UTILS_MODULES = (
    "np_utils",
    "data_utils",
    "generic_utils",
    "vis_utils",
    "io_utils",
    "layer_utils",
    "conv_utils",
)
SUBMODULES = {
    **{f"keras.layers.{m}": "keras.layers" for m in _LAYER_MODULES},
    **{f"keras.utils.{m}": "keras.utils" for m in _UTILS_MODULES},
    "keras.objectives": "keras.losses",
    "keras.optimizers.legacy": "keras.optimizers",
}
# What Keras 3's keras.utils exports (tests/migrate/test_api_conformance.py keeps this honest).
KERAS3_UTILS = frozenset(
    {
        "CustomObjectScope",
        "Progbar",
        "PyDataset",
        "Sequence",
        "array_to_img",
        "custom_object_scope",
        "deserialize_keras_object",
        "get_custom_objects",
        "get_file",
        "get_registered_name",
        "get_registered_object",
        "get_source_inputs",
        "img_to_array",
        "load_img",
        "model_to_dot",
        "normalize",
        "pad_sequences",
        "plot_model",
        "register_keras_serializable",
        "save_img",
        "serialize_keras_object",
        "set_random_seed",
        "to_categorical",
    }
)
_ENGINE = (
    "keras.engine",
    "keras.engine.topology",
    "keras.engine.base_layer",
    "keras.engine.input_layer",
    "keras.engine.network",
    "keras.engine.training",
    "keras.engine.sequential",
    "keras.engine.input_spec",
)
MOVED = {
    **{
        f"{m}.{n}": f"keras.layers.{n}"
        for m in _ENGINE
        for n in ("Layer", "InputSpec", "Input", "InputLayer")
    },
    **{f"{m}.{n}": "keras.models.Model" for m in _ENGINE for n in ("Network", "Model")},
    **{f"{m}.Sequential": "keras.models.Sequential" for m in _ENGINE},
    **{f"{m}.get_source_inputs": "keras.utils.get_source_inputs" for m in _ENGINE},
    "keras.constraints.maxnorm": "keras.constraints.max_norm",
    "keras.constraints.nonneg": "keras.constraints.non_neg",
    "keras.constraints.unitnorm": "keras.constraints.unit_norm",
    "keras.losses.cosine": "keras.losses.cosine_similarity",
    "keras.losses.cosine_proximity": "keras.losses.cosine_similarity",
    # Keras 3 keeps the short names as strings ("mse") but not as module attributes.
    **{
        f"keras.{module}.{short}": f"keras.{module}.{full}"
        for module in ("losses", "metrics")
        for short, full in (
            ("mse", "mean_squared_error"),
            ("mae", "mean_absolute_error"),
            ("mape", "mean_absolute_percentage_error"),
            ("msle", "mean_squared_logarithmic_error"),
            ("kld", "kl_divergence"),
            ("kullback_leibler_divergence", "kl_divergence"),
        )
    },
    "keras.losses.logcosh": "keras.losses.log_cosh",
    "keras.models.model_from_config": "keras.saving.deserialize_keras_object",
}
REMOVED = {
    "keras.utils.multi_gpu_model": "use tf.distribute.MirroredStrategy",
    "keras.utils.training_utils.multi_gpu_model": "use tf.distribute.MirroredStrategy",
    "keras.engine.saving": "use model.load_weights(path, by_name=True) or keras.saving",
    "keras.wrappers.scikit_learn": "use keras.wrappers.SKLearnClassifier/SKLearnRegressor or scikeras",
    "keras.models.model_from_yaml": "YAML is gone: use model.to_json() / keras.models.model_from_json",
    "keras.layers.merge._Merge": "the private base is keras.src.layers.merging.base_merge.Merge",
    "keras.layers.LocallyConnected1D": "removed; use Conv1D or keep tf-keras for this model",
    "keras.layers.LocallyConnected2D": "removed; use Conv2D or keep tf-keras for this model",
}
LEGACY = {
    f"keras.preprocessing.{m}.{n}"
    for m, names in {
        "image": ("ImageDataGenerator", "DirectoryIterator", "NumpyArrayIterator", "Iterator"),
        "text": ("Tokenizer", "one_hot", "hashing_trick", "text_to_word_sequence"),
        "sequence": ("TimeseriesGenerator", "skipgrams", "make_sampling_table"),
    }.items()
    for n in names
}
_TAILS = frozenset(full.rsplit(".", 1)[1] for full in (*SUBMODULES, *MOVED))


def _removed(full):
    for name, hint in REMOVED.items():
        if full == name or full.startswith(name + "."):
            return hint
    return None


def _report_name(ctx, original, full, standalone):
    hint = _removed(full)
    if hint is not None and ctx.enabled(REMOVED_NAME.id, original):
        ctx.report(REMOVED_NAME.id, original, f"{full}: {hint}", applied=False)
    elif full in LEGACY and ctx.enabled(LEGACY_PREPROCESSING.id, original):
        where = "fails under `import keras` 3" if standalone else "works only through tf.keras"
        ctx.report(
            LEGACY_PREPROCESSING.id,
            original,
            f"{full} {where}: {LEGACY_PREPROCESSING.summary}",
            applied=False,
        )


@register(cst.Attribute)
def module_path(ctx, original, node):
    """`keras.layers.core.Dense`, `import keras.utils.np_utils`, `keras.engine.topology.Layer`."""
    if node.attr.value not in _TAILS and not original.attr.value.startswith(
        ("multi_gpu", "model_from")
    ):
        return None
    if id(original) in ctx.names.from_modules:
        return None  # `from keras.utils.np_utils import x`: import_from decides per name
    full = ctx.names.qualify(original)
    if full is None:
        return None
    if full in SUBMODULES and ctx.enabled(SUBMODULE.id, original):
        new = SUBMODULES[full]
        if new == full.rsplit(".", 1)[0]:
            ctx.report(SUBMODULE.id, original)
            return node.value  # keras.layers.core -> keras.layers
        if new.rsplit(".", 1)[0] == full.rsplit(".", 1)[0]:
            ctx.report(SUBMODULE.id, original)
            return node.with_changes(attr=cst.Name(new.rsplit(".", 1)[1]))
    if full in MOVED and ctx.enabled(MOVED_NAME.id, original):
        text = dotted(original)
        old_tail = full[len("keras") :]
        if text is not None and text.endswith(old_tail):
            ctx.report(MOVED_NAME.id, original)
            return edit.expression(text[: -len(old_tail)] + MOVED[full][len("keras") :])
    _report_name(ctx, original, full, standalone=not (dotted(original) or "").startswith("tf"))
    return None


def _split(full):
    module, _, name = full.rpartition(".")
    return module, name


def _import_line(module, names):
    """`from module import a, b as c` for [(name, local or None)]."""
    parts = [name if local in (None, name) else f"{name} as {local}" for name, local in names]
    return edit.statement(f"from {module} import {', '.join(parts)}\n").body[0]


@register(cst.ImportFrom)
def import_from(ctx, original, node):
    if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
        if node.module is not None and not node.relative:
            module = canonical(dotted(node.module))
            if module in SUBMODULES and ctx.enabled(SUBMODULE.id, original):
                new = SUBMODULES[module]
                ctx.report(SUBMODULE.id, original)
                return node.with_changes(module=edit.expression(_spelled(node, new)))
        return None
    written = dotted(node.module)
    module = canonical(written)
    if not module.startswith("keras"):
        return None
    standalone = not written.startswith("tensorflow")
    compat = written.startswith(COMPAT_PREFIXES) and ctx.enabled(COMPAT_V1.id, original)
    targets, touched, rules = [], compat, {COMPAT_V1.id} if compat else set()
    for alias in node.names:
        name = alias.name.value if isinstance(alias.name, cst.Name) else dotted(alias.name)
        local = alias.asname.name.value if alias.asname is not None else name
        full = f"{module}.{name}"
        new = full
        if module == "keras.backend":
            new = _backend_import(ctx, original, name, standalone)
            rules |= {backend.TO_LEGACY.id} if new != full else set()
        elif full in SUBMODULES and ctx.enabled(SUBMODULE.id, original):
            new, rules = SUBMODULES[full], rules | {SUBMODULE.id}  # a module imported as a name
        elif module in SUBMODULES and ctx.enabled(SUBMODULE.id, original):
            parent = SUBMODULES[module]
            if parent == "keras.utils" and name not in KERAS3_UTILS:
                if ctx.enabled(NOT_EXPORTED.id, original):
                    ctx.report(
                        NOT_EXPORTED.id, original, f"{full}: {NOT_EXPORTED.summary}", applied=False
                    )
                return None
            new, rules = f"{parent}.{name}", rules | {SUBMODULE.id}
        if new in MOVED and ctx.enabled(MOVED_NAME.id, original):
            new, rules = MOVED[new], rules | {MOVED_NAME.id}
        elif full in MOVED and ctx.enabled(MOVED_NAME.id, original):
            new, rules = MOVED[full], rules | {MOVED_NAME.id}
        if new in LEGACY and standalone and ctx.enabled(TO_TF_KERAS_PREPROCESSING.id, original):
            new, rules = f"tensorflow.{new}", rules | {TO_TF_KERAS_PREPROCESSING.id}
        else:
            _report_name(ctx, original, new, standalone)
        touched |= new != full
        targets.append((new, local))
    if not touched:
        return None
    groups = {}
    for new, local in targets:
        parent, name = _split(new)
        groups.setdefault(parent, []).append((name, local))
    for rule_id in sorted(rules):
        ctx.report(rule_id, original)
    lines = [_import_line(_spelled(node, parent), names) for parent, names in groups.items()]
    if len(lines) == 1:
        return lines[0].with_changes(semicolon=node.semicolon)
    return cst.FlattenSentinel(lines)


def _backend_import(ctx, original, name, standalone):
    """Where `from keras.backend import name` imports from on Keras 3."""
    full = f"keras.backend.{name}"
    if name in backend.KERAS3_BACKEND:
        return full
    if name in backend.LEGACY and name not in backend.CHANGED_SINCE_KERAS_2_2:
        if standalone and ctx.enabled(backend.TO_LEGACY.id, original):
            return f"tensorflow.keras.backend.{name}"
        return full
    if ctx.enabled(backend.NO_EQUIVALENT.id, original):
        ctx.report(
            backend.NO_EQUIVALENT.id,
            original,
            f"keras.backend.{name}: {backend.NO_EQUIVALENT.summary}",
            applied=False,
        )
    return full


def _spelled(node, module):
    """`module` in the file's own spelling (`tensorflow.keras.x` stays under tensorflow; the
    TensorFlow 1 compatibility path `tensorflow.compat.v1.keras` becomes `tensorflow.keras`)."""
    written = dotted(node.module)
    if written.startswith(COMPAT_PREFIXES) and module.startswith("keras"):
        return "tensorflow." + module
    if module.startswith("tensorflow."):
        return module  # spelled out already (KRS108, KRS092)
    for prefix in ("tensorflow.python.keras", "tensorflow.keras"):
        if written.startswith(prefix):
            return prefix + module[len("keras") :]
    return module


COMPAT_V1 = rule(
    "KRS107",
    Level.INFO,
    Mode.AUTO,
    "`tensorflow.compat.v1.keras` is `tensorflow.keras`",
    """TensorFlow 2.16+ has no `tensorflow.compat.v1.keras` (ModuleNotFoundError); its names live
    in `tensorflow.keras`, which is Keras 3 there. Session functions (`set_session`,
    `get_session`) have no Keras 3 form and are reported (KRS091).""",
)


@register(cst.Attribute)
def compat_attribute(ctx, original, node):
    """`tf.compat.v1.keras.layers.Dense` -> `tf.keras.layers.Dense`."""
    if node.attr.value != "keras" or not ctx.enabled(COMPAT_V1.id, original):
        return None
    text = dotted(original)
    head, _, rest = (text or "").partition(".")
    if rest not in ("compat.v1.keras", "compat.v2.keras"):
        return None
    if not ctx.names.binds_module(head, "tensorflow"):
        return None
    ctx.report(COMPAT_V1.id, original)
    return edit.expression(f"{head}.keras")


@register(cst.SimpleStatementLine)
def one_import_per_line(ctx, original, line):
    """An import split in two by `import_from` gets a line for each part."""
    if len(original.body) != 1 or len(line.body) < 2:
        return None
    parts = [small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT) for small in line.body]
    first = line.with_changes(body=[parts[0]], trailing_whitespace=cst.TrailingWhitespace())
    rest = [cst.SimpleStatementLine(body=[p]) for p in parts[1:-1]]
    last = cst.SimpleStatementLine(body=[parts[-1]], trailing_whitespace=line.trailing_whitespace)
    return cst.FlattenSentinel([first, *rest, last])


SHADOWED = rule(
    "KRS105",
    Level.WARNING,
    Mode.REPORT,
    "`keras` names the backend module here (`from keras import backend as keras`)",
    """The file rebinds `keras` (seen in U-Net code), so `keras.sum(...)` is a backend call. The
    rewriter follows the binding, but a reader will not: rename the alias to `K`.""",
)
VERSION_CHECK = rule(
    "KRS106",
    Level.INFO,
    Mode.REPORT,
    "`keras.__version__` check: Keras 3 reports 3.x",
    """Version gates such as `LooseVersion(keras.__version__) >= '2.0.8'` or asserts on `2.` now see
    3.x; check what the gate protects.""",
)


@register(cst.ImportFrom)
def shadowing_import(ctx, original, node):
    if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
        return None
    if not canonical(dotted(node.module)).startswith("keras"):
        return None
    for alias in node.names:
        if (
            alias.asname is not None
            and alias.asname.name.value == "keras"
            and ctx.enabled(SHADOWED.id, original)
        ):
            ctx.report(SHADOWED.id, original, applied=False)
    return None


@register(cst.Attribute)
def version_check(ctx, original, node):
    if node.attr.value == "__version__" and ctx.names.qualify(original.value) == "keras":
        if ctx.enabled(VERSION_CHECK.id, original):
            ctx.report(VERSION_CHECK.id, original, applied=False)
    return None
