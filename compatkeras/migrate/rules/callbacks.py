"""Callbacks: arguments Keras 3 rejects or, worse, silently ignores."""

import libcst as cst

from compatkeras.migrate import edit, paths
from compatkeras.migrate.model import Level, Mode, rule
from compatkeras.migrate.rules import saving
from compatkeras.migrate.transform import register

PROGBAR = rule(
    "KRS050",
    Level.INFO,
    Mode.AUTO,
    "`ProgbarLogger()` takes no arguments in Keras 3",
    """Keras 3's ProgbarLogger constructor has no `count_mode`/`stateful_metrics` (TypeError); it
    always counts steps. The arguments are dropped.""",
)
PERIOD = rule(
    "KRS051",
    Level.ERROR,
    Mode.REPORT,
    "`ModelCheckpoint(period=)` is gone: use `save_freq` (in batches) or save every epoch",
    """Keras 3 raises a TypeError for `period`. `save_freq=N * steps_per_epoch` saves every N epochs
    only when the number of steps per epoch is known, so this is left for a manual edit.""",
)
WEIGHTS_SUFFIX = rule(
    "KRS052",
    Level.INFO,
    Mode.GUARDED,
    "weights-only checkpoint paths must end in `.weights.h5` in Keras 3",
    """`ModelCheckpoint('w.h5', save_weights_only=True)` fails in Keras 3 ("The filepath provided
    must end in `.weights.h5`"). A literal path ending in `.h5`/`.hdf5` is given the
    `.weights.h5` suffix; anything else is reported.""",
)
MODEL_SUFFIX = rule(
    "KRS053",
    Level.WARNING,
    Mode.GUARDED,
    "full-model checkpoint `.hdf5` is rejected by Keras 3: saved as `.keras`",
    """Keras 3's ModelCheckpoint only accepts `.keras` (or `.h5`, legacy) for full models; a
    literal `.hdf5` path becomes `.keras`. The file format changes: check what reads it.""",
)
ACC_MODE = rule(
    "KRS054",
    Level.INFO,
    Mode.AUTO,
    "`mode='max'` added for an accuracy monitor",
    """Keras 2's `mode='auto'` chose 'max' for any monitor containing 'acc'. Keras 3 decides from the
    metric object and raises "Keras isn't able to automatically determine whether ..." for a
    plain name; `mode='max'` keeps the Keras 2 behaviour.""",
)
ACC_NAME = rule(
    "KRS055",
    Level.WARNING,
    Mode.GUARDED,
    "monitor 'val_acc'/'acc' renamed to 'val_accuracy'/'accuracy' (the file compiles with 'accuracy')",
    """Keras 3 logs `metrics=['accuracy']` as 'accuracy' / 'val_accuracy' (Keras 2.2 logged 'acc').
    A callback monitoring 'val_acc' then never fires: EarlyStopping only warns that the metric is
    not available. Rewritten when the file compiles with 'accuracy' and never with 'acc';
    otherwise left (with `metrics=['acc']` the key stays 'acc' in Keras 3).""",
)
EPSILON = rule(
    "KRS056",
    Level.INFO,
    Mode.AUTO,
    "`ReduceLROnPlateau(epsilon=)` is `min_delta=`",
    """Keras 3 swallows the unknown `epsilon` without any warning and keeps min_delta=1e-4: the
    threshold silently changes.""",
)
TENSORBOARD = rule(
    "KRS057",
    Level.WARNING,
    Mode.AUTO,
    "TensorBoard arguments removed in Keras 3 dropped",
    """`batch_size`, `write_grads`, `embeddings_layer_names` and `embeddings_data` raise a TypeError
    in Keras 3; they are dropped (gradient histograms and embedding data are no longer written).""",
)

DROPPED = {
    "ProgbarLogger": ("count_mode", "stateful_metrics"),
    "TensorBoard": ("batch_size", "write_grads", "embeddings_layer_names", "embeddings_data"),
}
MONITORED = ("EarlyStopping", "ModelCheckpoint", "ReduceLROnPlateau")
CHECKPOINT_ORDER = (
    "filepath",
    "monitor",
    "verbose",
    "save_best_only",
    "save_weights_only",
    "mode",
    "period",
)


def _callback(ctx, func):
    full = ctx.names.qualify(func)
    if full is None or not full.startswith("keras.callbacks."):
        return None
    return full.rsplit(".", 1)[1]


def _string(node):
    return node.evaluated_value if isinstance(node, cst.SimpleString) else None


def _replace_string(node, text):
    """The same literal (prefix and quotes kept) holding `text`, which must need no escapes."""
    return node.with_changes(value=f"{node.prefix}{node.quote}{text}{node.quote}")


@register(cst.Call)
def callback_arguments(ctx, original, call):
    cls = _callback(ctx, original.func)
    if cls is None:
        return None
    new = call
    if cls in DROPPED:
        this = PROGBAR if cls == "ProgbarLogger" else TENSORBOARD
        present = [k for k in DROPPED[cls] if edit.keyword_index(new, k) is not None]
        if cls == "ProgbarLogger" and edit.positional(new):
            present.append("positional arguments")
        if present and ctx.enabled(this.id, original):
            new = new.with_changes(args=[]) if cls == "ProgbarLogger" else new
            for name in present:
                new = edit.remove_keyword(new, name)
            ctx.report(this.id, original, f"dropped {', '.join(present)}: {this.summary}")
    if (
        cls == "ReduceLROnPlateau"
        and edit.keyword_index(new, "epsilon") is not None
        and ctx.enabled(EPSILON.id, original)
    ):
        if edit.keyword_index(new, "min_delta") is None:
            new = edit.rename_keyword(new, "epsilon", "min_delta")
            ctx.report(EPSILON.id, original)
    if cls in MONITORED:
        new = _monitor(ctx, original, new, cls)
    if cls == "ModelCheckpoint":
        new = _checkpoint(ctx, original, new)
    return new if new is not call else None


def _monitor(ctx, original, call, cls):
    if cls == "ModelCheckpoint" and len(edit.positional(call)) > 1 and not edit.has_star_args(call):
        call = edit.positional_to_keywords(call, CHECKPOINT_ORDER[1:], start=1)
    elif cls != "ModelCheckpoint" and edit.positional(call):
        return call  # positional monitor: rare, left alone
    monitor = edit.keyword_value(call, "monitor")
    name = _string(monitor) if monitor is not None else None
    if name is None or "acc" not in name:
        return call
    if name in ("acc", "val_acc") and ctx.enabled(ACC_NAME.id, original):
        metrics = ctx.facts.compile_metrics
        if "accuracy" in metrics and "acc" not in metrics:
            new_name = name.replace("acc", "accuracy")
            call = edit.set_argument_value(
                call, edit.keyword_index(call, "monitor"), _replace_string(monitor, new_name)
            )
            ctx.report(ACC_NAME.id, original)
    mode = edit.keyword_value(call, "mode")
    if (mode is None or _string(mode) == "auto") and ctx.enabled(ACC_MODE.id, original):
        if mode is None:
            call = edit.add_keyword(call, "mode", cst.SimpleString("'max'"))
        else:
            call = edit.set_argument_value(
                call, edit.keyword_index(call, "mode"), _replace_string(mode, "max")
            )
        ctx.report(ACC_MODE.id, original)
    return call


def _checkpoint(ctx, original, call):
    if edit.keyword_index(call, "period") is not None and ctx.enabled(PERIOD.id, original):
        ctx.report(PERIOD.id, original, applied=False)
    path_arg = edit.positional(call)[0] if edit.positional(call) else None
    index = (
        call.args.index(path_arg) if path_arg is not None else edit.keyword_index(call, "filepath")
    )
    if index is None:
        return call
    path_node = call.args[index].value
    weights_only = edit.keyword_value(call, "save_weights_only")
    weights_only = isinstance(weights_only, cst.Name) and weights_only.value == "True"
    if weights_only and isinstance(path_node, cst.Name):
        literal = ctx.facts.weights_literals.get(path_node.value)
        if literal is not None and ctx.enabled(saving.WEIGHTS_PATH.id, original):
            message = saving.literal_message(ctx, path_node.value)
            ctx.report(saving.WEIGHTS_PATH.id, original, message)
            return call  # the assignment is renamed (`saving.weights_literal`)
    found = paths.tail(path_node)
    path = found[0] if found is not None else None
    if path is None or path.endswith((".weights.h5", ".keras")):
        if path is None and weights_only and ctx.enabled(saving.UNSEEN_WEIGHTS_PATH.id, original):
            ctx.report(saving.UNSEEN_WEIGHTS_PATH.id, original, applied=False)
        return call
    new_path = paths.weights_suffix(path)
    if weights_only and new_path is not None and ctx.enabled(WEIGHTS_SUFFIX.id, original):
        ctx.report(WEIGHTS_SUFFIX.id, original)
        return edit.set_argument_value(call, index, found[1](new_path))
    if weights_only and ctx.enabled(saving.UNSEEN_WEIGHTS_PATH.id, original):
        ctx.report(saving.UNSEEN_WEIGHTS_PATH.id, original, applied=False)
        return call
    if not weights_only and path.endswith(".hdf5") and ctx.enabled(MODEL_SUFFIX.id, original):
        ctx.report(MODEL_SUFFIX.id, original)
        return edit.set_argument_value(call, index, found[1](path[: -len(".hdf5")] + ".keras"))
    return call


@register(cst.Subscript)
def history_key(ctx, original, node):
    """`history.history['val_acc']` in a file that compiles with 'accuracy' (KRS055)."""
    owner = node.value
    if not (isinstance(owner, cst.Attribute) and owner.attr.value == "history"):
        return None
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    key = node.slice[0].slice.value
    if _string(key) not in ("acc", "val_acc") or not ctx.names.imports_keras:
        return None
    metrics = ctx.facts.compile_metrics
    if "accuracy" not in metrics or "acc" in metrics or not ctx.enabled(ACC_NAME.id, original):
        return None
    ctx.report(ACC_NAME.id, original, f"history key {_string(key)!r}: {ACC_NAME.summary}")
    new_key = _replace_string(key, _string(key).replace("acc", "accuracy"))
    index = node.slice[0].slice.with_changes(value=new_key)
    return node.with_changes(slice=[node.slice[0].with_changes(slice=index)])
