"""Saving and loading: file formats Keras 3 infers from the path, and what it no longer writes.

`save` is also PIL's, numpy's, ...: the rules here fire only on receivers that are not imported
foreign modules, in files that import Keras, and only rewrite on Keras-only arguments
(`save_format=`) or the Keras-only method `save_weights`.
"""

import ast

import libcst as cst

from compatkeras.migrate import edit, paths
from compatkeras.migrate import facts as facts_lib
from compatkeras.migrate.model import Level, Mode, rule
from compatkeras.migrate.transform import register

SAVE_FORMAT = rule(
    "KRS060",
    Level.INFO,
    Mode.GUARDED,
    "`save_format='h5'` dropped: Keras 3 infers the format from the path",
    """Keras 3 deprecates `save_format` ("can be inferred from the file path"). Dropped when the path
    is a literal ending in `.h5`/`.hdf5`, or `.h5` is appended to a literal path without suffix.""",
)
SAVED_MODEL = rule(
    "KRS061",
    Level.ERROR,
    Mode.REPORT,
    "SavedModel directories are not written by `model.save` in Keras 3: use `model.export(path)`",
    """`model.save('dir')` and `save_format='tf'` raise "Invalid filepath extension for saving" in
    Keras 3. Use `model.save('x.keras')` to keep a model, `model.export('dir')` for serving, and
    `keras.layers.TFSMLayer(dir, call_endpoint='serving_default')` to load an old SavedModel.""",
)
H5_MODEL = rule(
    "KRS062",
    Level.INFO,
    Mode.REPORT,
    "`.h5` full-model files still work in Keras 3 (legacy); `.keras` is the native format",
    """Keras 3 saves and loads `.h5` with a legacy warning. Note: reloading a Keras 3 `.h5` with
    `compile=True` fails for `loss='mse'` (string aliases do not deserialize); use
    'mean_squared_error', a loss object, `compile=False` or `.keras`.""",
)
WEIGHTS_PATH = rule(
    "KRS063",
    Level.INFO,
    Mode.GUARDED,
    "`save_weights` paths must end in `.weights.h5` in Keras 3",
    """`model.save_weights('w.h5')` fails in Keras 3 ("The filename must end in `.weights.h5`").
    A path whose end is a literal gets the suffix (`'w.h5'`, `d + '/w.h5'`,
    `os.path.join(d, 'w.h5')`, `f'{d}/w.h5'`, `'w_{}.h5'.format(n)`); `load_weights` of the same
    path expression in this file is renamed with it. Other `load_weights('x.h5')` calls are left:
    Keras 3 still reads Keras 2 `.h5` weights.""",
)
UNSEEN_WEIGHTS_PATH = rule(
    "KRS066",
    Level.ERROR,
    Mode.REPORT,
    "weights path whose end is not visible here: Keras 3 needs it to end in `.weights.h5`",
    """`model.save_weights(path)` and `ModelCheckpoint(path, save_weights_only=True)` with a path
    computed elsewhere (a variable, a parameter, a function's result), or one ending in another
    suffix (a TensorFlow checkpoint prefix): Keras 3 raises unless it ends in `.weights.h5`.""",
)
BY_NAME = rule(
    "KRS067",
    Level.ERROR,
    Mode.REPORT,
    "`load_weights(..., by_name=True)` of a `.weights.h5` file: Keras 3 refuses `by_name` there",
    """Keras 3 matches weights by layer name only in legacy `.h5` files (written by Keras 2 or
    tf-keras); loading a `.weights.h5` (what `save_weights` writes in Keras 3, and what this
    file's `save_weights` path was renamed to) with `by_name=True` raises ValueError. Without
    `by_name`, Keras 3 matches layers by their class and order, not their names: drop it when
    the saving and loading models have the same layers in the same order; otherwise copy the
    layers' weights by name (`dst.get_layer(n).set_weights(src.get_layer(n).get_weights())`).""",
)
YAML = rule(
    "KRS064",
    Level.ERROR,
    Mode.REPORT,
    "YAML model config is gone in Keras 3: use `to_json()` / `model_from_json`",
    """`model.to_yaml()` and `keras.models.model_from_yaml` were removed (security).""",
)


def _string(node):
    if isinstance(node, cst.SimpleString) and node.evaluated_value == node.raw_value:
        return node.raw_value
    return None


def _set_string(node, text):
    return node.with_changes(value=f"{node.prefix}{node.quote}{text}{node.quote}")


def _path_index(call, keyword):
    positional = edit.positional(call)
    if positional:
        return call.args.index(positional[0])
    return edit.keyword_index(call, keyword)


@register(cst.Call)
def saving_calls(ctx, original, call):
    method = edit.method_name(call)
    if (
        method not in ("save", "save_weights", "load_weights", "to_yaml")
        or not ctx.names.imports_keras
    ):
        return None
    if ctx.names.is_foreign(call.func.value):
        return None
    if method == "to_yaml":
        if ctx.enabled(YAML.id, original):
            ctx.report(YAML.id, original, applied=False)
        return None
    if method == "save":
        return _save(ctx, original, call)
    index = _path_index(call, "filepath")
    if index is None or edit.has_star_args(call) or not ctx.enabled(WEIGHTS_PATH.id, original):
        return None
    node = call.args[index].value
    if isinstance(node, cst.Name) and node.value in ctx.facts.weights_literals:
        if method == "save_weights":  # its assignment is renamed (`weights_literal`)
            ctx.report(WEIGHTS_PATH.id, original, literal_message(ctx, node.value))
        return None
    found = paths.tail(node)
    new_text = paths.weights_suffix(found[0]) if found is not None else None
    if method == "load_weights":
        if new_text is None or _path_key(original.args[index].value) not in ctx.facts.saved_weights:
            return None  # reading a Keras 2 file: Keras 3 reads legacy .h5 weights
        by_name = edit.keyword_value(call, "by_name")
        if by_name is not None and not _is_false(by_name) and ctx.enabled(BY_NAME.id, original):
            ctx.report(BY_NAME.id, original, applied=False)
    elif new_text is None:
        if (found is None or not found[0].endswith(".weights.h5")) and ctx.enabled(
            UNSEEN_WEIGHTS_PATH.id, original
        ):
            ctx.report(UNSEEN_WEIGHTS_PATH.id, original, applied=False)
        return None
    ctx.report(WEIGHTS_PATH.id, original)
    return edit.set_argument_value(call, index, found[1](new_text))


def literal_message(ctx, name):
    old = ctx.facts.weights_literals[name]
    return f"{name} = '{old}' becomes '{paths.weights_suffix(old)}' (Keras 3's weights suffix)"


@register(cst.Assign)
def weights_literal(ctx, original, node):
    """`weights_file = "w/best.h5"` at the top of the module, when save_weights or a
    weights-only checkpoint writes to `weights_file` (the calls report it: KRS063)."""
    literals = ctx.facts.weights_literals if ctx.names.imports_keras else None
    if not literals or len(node.targets) != 1:
        return None
    target, value = node.targets[0].target, node.value
    if not (isinstance(target, cst.Name) and target.value in literals):
        return None
    if not isinstance(value, cst.SimpleString) or value.evaluated_value != literals[target.value]:
        return None
    if not ctx.enabled(WEIGHTS_PATH.id, None):
        return None
    return node.with_changes(value=_set_string(value, paths.weights_suffix(value.raw_value)))


def _is_false(node):
    return isinstance(node, cst.Name) and node.value in ("False", "None")


def _path_key(node):
    """A path expression as `facts.saved_weights` holds it (the `ast` spelling)."""
    try:
        return ast.unparse(ast.parse(cst.Module([]).code_for_node(node).strip(), mode="eval"))
    except SyntaxError:
        return None


def _save(ctx, original, call):
    save_format = edit.keyword_value(call, "save_format")
    index = _path_index(call, "filepath")
    if index is None:
        return None
    node = call.args[index].value
    path = _string(node)
    if save_format is not None:
        fmt = _string(save_format)
        if fmt in ("tf", "SavedModel") and ctx.enabled(SAVED_MODEL.id, original):
            ctx.report(SAVED_MODEL.id, original, applied=False)
            return None
        if fmt == "h5" and ctx.enabled(SAVE_FORMAT.id, original):
            if path is not None and path.endswith((".h5", ".hdf5")):
                ctx.report(SAVE_FORMAT.id, original)
                return edit.remove_keyword(call, "save_format")
            if path is not None and "." not in path.rsplit("/", 1)[-1]:
                ctx.report(
                    SAVE_FORMAT.id,
                    original,
                    f"'{path}' saved as '{path}.h5' (Keras 3 infers the format from the suffix)",
                )
                call = edit.set_argument_value(call, index, _set_string(node, f"{path}.h5"))
                return edit.remove_keyword(call, "save_format")
            ctx.report(
                SAVE_FORMAT.id,
                original,
                "save_format='h5' with a path that is not a "
                "literal: make the path end in .h5 and drop save_format",
                applied=False,
            )
        return None
    if path is None:
        return None
    tail = path.rsplit("/", 1)[-1]
    if "." not in tail and ctx.enabled(SAVED_MODEL.id, original):
        ctx.report(SAVED_MODEL.id, original, applied=False)
    elif tail.endswith((".h5", ".hdf5")) and ctx.enabled(H5_MODEL.id, original):
        ctx.report(H5_MODEL.id, original, applied=False)
    return None


SAVED_MODEL_LOAD = rule(
    "KRS065",
    Level.ERROR,
    Mode.REPORT,
    "`load_model` of a SavedModel folder: Keras 3 loads `.keras`/`.h5` files only",
    """Keras 3's `load_model` rejects a SavedModel directory. Wrap it for inference with
    `keras.layers.TFSMLayer(path, call_endpoint='serving_default')`, or re-save the model as
    `.keras` with the Keras version that wrote it.""",
)


MASKED_H5 = rule(
    "KRS068",
    Level.ERROR,
    Mode.REPORT,
    "`load_model` of an `.h5` in a file whose models have an input mask: Keras 3 cannot read it",
    """Keras 3 (3.15) writes a model with an input mask (`Embedding(mask_zero=True)`, `Masking`)
    into a legacy `.h5` file with the mask's `NotEqual` operation as a layer, and its
    `load_model` then fails: "Unknown layer: 'NotEqual'". Save and load such models as `.keras`
    (`model.save('m.keras')`); an `.h5` written by Keras 2 or tf-keras still loads.""",
)


def _has_masks(ctx):
    """This file, or a project module it imports from (a test's `util.py` that builds the
    model), makes a layer with an output mask."""
    if "masks" not in ctx.cache:
        ctx.cache["masks"] = any(m.masks for m in ctx.names.project_modules) or (
            facts_lib.mentions_masks(ctx.whole)
            and any(facts_lib.masks(node) for node in ast.walk(ctx.tree))
        )
    return ctx.cache["masks"]


def _h5_path(ctx, node):
    """Whether the path `node` ends in `.h5`/`.hdf5`, or (not visible) the file names one."""
    found = paths.tail(node) if node is not None else None
    if found is not None:
        return found[0].endswith((".h5", ".hdf5"))
    return ".h5" in ctx.whole or ".hdf5" in ctx.whole


@register(cst.Call)
def load_saved_model(ctx, original, call):
    full = ctx.names.qualify(original.func)
    if full not in ("keras.models.load_model", "keras.saving.load_model"):
        return None
    index = _path_index(call, "filepath")
    node = call.args[index].value if index is not None else None
    if _has_masks(ctx) and _h5_path(ctx, node) and ctx.enabled(MASKED_H5.id, original):
        ctx.report(MASKED_H5.id, original, applied=False)
    path = _string(node) if node is not None else None
    if (
        path is not None
        and "." not in path.rstrip("/").rsplit("/", 1)[-1]
        and ctx.enabled(SAVED_MODEL_LOAD.id, original)
    ):
        ctx.report(SAVED_MODEL_LOAD.id, original, applied=False)
    return None
