"""Training calls: the generator methods, Keras 1 keyword names and the worker arguments."""

import libcst as cst

from compatkeras.migrate import edit
from compatkeras.migrate import facts as facts_lib
from compatkeras.migrate.model import Level, Mode, rule
from compatkeras.migrate.rules import data
from compatkeras.migrate.transform import register

FIT_GENERATOR = rule(
    "KRS001",
    Level.INFO,
    Mode.AUTO,
    "`fit_generator` is `fit` in Keras 3",
    """Keras 3 removed `fit_generator`; `fit` takes the same generators and Sequences. Positional
    arguments after the generator become keywords in the Keras 2 order (steps_per_epoch, epochs,
    verbose, callbacks, validation_data, validation_steps), because `fit`'s own order differs; a
    `generator=` keyword becomes the first positional argument, since `fit` has no such keyword.
    Calls with more than 7 positional arguments or with *args are reported, not rewritten.""",
)
WORKERS = rule(
    "KRS002",
    Level.WARNING,
    Mode.AUTO,
    "`workers`/`use_multiprocessing`/`max_queue_size` moved to the `keras.utils.PyDataset` constructor",
    """Keras 3 `fit`/`evaluate`/`predict` reject these arguments (TypeError / ValueError). They are
    removed from the call; give them to your PyDataset instead
    (`super().__init__(workers=..., use_multiprocessing=..., max_queue_size=...)`). Plain Python
    generators are consumed on one thread in Keras 3. The Keras 1 names `nb_worker`, `pickle_safe`
    and `max_q_size` are removed the same way.""",
)
EVALUATE_GENERATOR = rule(
    "KRS003",
    Level.INFO,
    Mode.AUTO,
    "`evaluate_generator` is `evaluate` in Keras 3",
    """Keras 3 removed `evaluate_generator`. Positional arguments after the generator become
    keywords (steps, max_queue_size, workers, use_multiprocessing, verbose); `verbose=0` is added
    when absent, since Keras 2 defaulted to silent and Keras 3 to a progress bar.""",
)
PREDICT_GENERATOR = rule(
    "KRS004",
    Level.WARNING,
    Mode.AUTO,
    "`predict_generator` is `predict` in Keras 3; the generator must yield tuples",
    """Keras 3 removed `predict_generator`. Rewritten like KRS003. Keras 3 requires a plain
    generator to yield tuples `(x,)` or `(x, y)` (a bare array raises "the generator must return
    a tuple"); a PyDataset/Sequence returning bare x is fine. Check your generator.""",
)
NB_EPOCH = rule(
    "KRS005",
    Level.INFO,
    Mode.AUTO,
    "`nb_epoch` is `epochs`",
    """Keras 1 name, accepted with a warning by Keras 2 and rejected by Keras 3.""",
)
SAMPLES = rule(
    "KRS006",
    Level.ERROR,
    Mode.REPORT,
    "samples_per_epoch/nb_val_samples/val_samples count samples; use steps_per_epoch=... // batch_size",
    """Keras 1 counted samples, Keras 2 and 3 count batches (steps). The value must be divided by
    the batch size, which is not known statically, so the call is left for a manual edit.""",
)

FIT_GENERATOR_ORDER = (
    "steps_per_epoch",
    "epochs",
    "verbose",
    "callbacks",
    "validation_data",
    "validation_steps",
)
EVAL_PREDICT_ORDER = ("steps", "max_queue_size", "workers", "use_multiprocessing", "verbose")
RENAMED = {
    "fit_generator": ("fit", FIT_GENERATOR, FIT_GENERATOR_ORDER),
    "evaluate_generator": ("evaluate", EVALUATE_GENERATOR, EVAL_PREDICT_ORDER),
    "predict_generator": ("predict", PREDICT_GENERATOR, EVAL_PREDICT_ORDER),
}
TRAINING_METHODS = {"fit", "evaluate", "predict", *RENAMED}
WORKER_ARGUMENTS = (
    "workers",
    "use_multiprocessing",
    "max_queue_size",
    "nb_worker",
    "pickle_safe",
    "max_q_size",
)
SAMPLE_COUNTS = ("samples_per_epoch", "nb_val_samples", "val_samples")


def _is_keras_method(ctx, call, names):
    method = edit.method_name(call)
    return method in names and ctx.names.imports_keras and not ctx.names.is_foreign(call.func.value)


@register(cst.Call)
def generator_methods(ctx, original, call):
    if not _is_keras_method(ctx, call, RENAMED):
        return None
    new_name, this_rule, order = RENAMED[edit.method_name(call)]
    if not ctx.enabled(this_rule.id, original):
        return None
    if edit.has_star_args(call) or len(edit.positional(call)) > len(order) + 1:
        ctx.report(
            this_rule.id,
            original,
            "*args or too many positional arguments: rewrite by hand",
            applied=False,
        )
        return None
    if edit.keyword_index(call, "generator") is not None:
        if edit.positional(call):
            ctx.report(
                this_rule.id,
                original,
                "both a positional generator and `generator=`",
                applied=False,
            )
            return None
        call = edit.keyword_to_first_positional(call, "generator")
    call = edit.positional_to_keywords(call, order, start=1)
    if new_name != "fit" and edit.keyword_index(call, "verbose") is None:
        call = edit.add_keyword(call, "verbose", cst.Integer("0"))
    ctx.report(this_rule.id, original)
    return call.with_changes(func=call.func.with_changes(attr=cst.Name(new_name)))


@register(cst.Call)
def training_keywords(ctx, original, call):
    if not _is_keras_method(ctx, call, TRAINING_METHODS):
        return None
    changed = None
    if edit.keyword_index(call, "nb_epoch") is not None and ctx.enabled(NB_EPOCH.id, original):
        if edit.keyword_index(call, "epochs") is None:
            call = changed = edit.rename_keyword(call, "nb_epoch", "epochs")
            ctx.report(NB_EPOCH.id, original)
        else:
            ctx.report(
                NB_EPOCH.id, original, "both `nb_epoch` and `epochs`: remove one", applied=False
            )
    present = [n for n in WORKER_ARGUMENTS if edit.keyword_index(call, n) is not None]
    moved = data.move_worker_arguments(ctx, original, call, present) if present else None
    if moved is not None:
        call = changed = moved
    elif present and ctx.enabled(WORKERS.id, original):
        for name in present:
            call = changed = edit.remove_keyword(call, name)
        ctx.report(WORKERS.id, original, f"removed {', '.join(present)}: {WORKERS.summary}")
    for name in SAMPLE_COUNTS:
        if edit.keyword_index(call, name) is not None and ctx.enabled(SAMPLES.id, original):
            ctx.report(SAMPLES.id, original, applied=False)
            break
    return changed


PREDICT_CLASSES = rule(
    "KRS007",
    Level.WARNING,
    Mode.GUARDED,
    "`predict_classes` was removed: argmax or threshold of `predict`",
    """Removed in TensorFlow 2.6 / Keras 3. Keras 2 chose at run time: `argmax(proba, axis=-1)` when
    the output has several units, `(proba > 0.5).astype('int32')` for one. Rewritten when the
    model's last layer is visible in this file (`model.add(Dense(n, activation='softmax'))`,
    `Sequential([..., Dense(1, activation='sigmoid')])`); otherwise reported with both forms.
    Keras 2's `verbose=0` default is kept. Needs numpy (imported as `np` if absent).""",
)
PREDICT_CLASSES_LEFT = rule(
    "KRS013",
    Level.ERROR,
    Mode.REPORT,
    "`predict_classes` left: the model's last layer is not visible here",
    """Keras 3 has no `predict_classes` (AttributeError). Keras 2 chose at run time between
    `np.argmax(m.predict(x), axis=-1)` (several outputs) and `(m.predict(x) > 0.5).astype('int32')`
    (one sigmoid output); the rewriter picks only when it sees the last layer (KRS007).""",
)
PREDICT_PROBA = rule(
    "KRS008",
    Level.INFO,
    Mode.GUARDED,
    "`predict_proba` was removed: use `predict`",
    """Keras 2's Sequential.predict_proba was predict plus a range check. Rewritten only for
    receivers assigned from Sequential/Model/load_model in this file (scikit-learn and project
    classes have their own predict_proba); others are reported.""",
)
METRICS_ZIP = rule(
    "KRS009",
    Level.INFO,
    Mode.AUTO,
    "`dict(zip(m.metrics_names, m.evaluate(...)))` is `m.evaluate(..., return_dict=True)`",
    """Keras 3's `metrics_names` is ['loss', 'compile_metrics'] after compile; the zip silently
    pairs wrong keys with values. `return_dict=True` gives the right names (also for
    train_on_batch / test_on_batch).""",
)
METRICS_NAMES = rule(
    "KRS010",
    Level.ERROR,
    Mode.REPORT,
    "`metrics_names` no longer lists each metric in Keras 3",
    """Keras 3's `model.metrics_names` is ['loss', 'compile_metrics'] once compiled. Use
    `return_dict=True` results or `history.history` keys instead of indexing it.""",
)
RESET_METRICS = rule(
    "KRS011",
    Level.INFO,
    Mode.AUTO,
    "`reset_metrics=` removed from train_on_batch/test_on_batch",
    """Keras 3 has no `reset_metrics` argument (TypeError); metrics accumulate until
    `model.reset_metrics()` is called.""",
)

NUMPY = ("numpy", "np", "import numpy as np")


def _receiver_is_model(ctx, node):
    return isinstance(node, cst.Name) and node.value in ctx.facts.model_names


@register(cst.Call)
def removed_predictors(ctx, original, call):
    method = edit.method_name(call)
    if method not in ("predict_classes", "predict_proba") or not _is_keras_method(
        ctx, call, {method}
    ):
        return None
    receiver = original.func.value
    if method == "predict_proba":
        if not ctx.enabled(PREDICT_PROBA.id, original):
            return None
        if not _receiver_is_model(ctx, receiver):
            ctx.report(
                PREDICT_PROBA.id,
                original,
                "predict_proba on a receiver not known to be a "
                "Keras model: if it is one, use predict(..., verbose=0)",
                applied=False,
            )
            return None
        ctx.report(PREDICT_PROBA.id, original)
        return _predict(call)
    if not ctx.enabled(PREDICT_CLASSES.id, original):
        return None
    last = ctx.facts.last_activation.get(receiver.value) if isinstance(receiver, cst.Name) else None
    kind = None
    if last is not None:
        activation, units = last
        if activation == "softmax":
            kind = "argmax"
        elif activation == "sigmoid" and units == 1:
            kind = "threshold"
    if kind is None:
        ctx.report(
            PREDICT_CLASSES_LEFT.id,
            original,
            "predict_classes: use np.argmax(m.predict(x), "
            "axis=-1) for several outputs, (m.predict(x) > 0.5).astype('int32') for one",
            applied=False,
        )
        return None
    np_name = ctx.name_for(*NUMPY)
    if np_name is None:
        return None
    ctx.report(PREDICT_CLASSES.id, original)
    predict = _predict(call)
    if kind == "argmax":
        return edit.template(f"{np_name}.argmax(__0__, axis=-1)", predict)
    return edit.template('(__0__ > 0.5).astype("int32")', predict)


def _predict(call):
    call = call.with_changes(func=call.func.with_changes(attr=cst.Name("predict")))
    if edit.keyword_index(call, "verbose") is None and len(edit.positional(call)) < 3:
        call = edit.add_keyword(call, "verbose", cst.Integer("0"))
    return call


def _is_metrics_names(node):
    return isinstance(node, cst.Attribute) and node.attr.value == "metrics_names"


@register(cst.Call)
def metrics_zip(ctx, original, call):
    """dict(zip(m.metrics_names, m.evaluate(...)))"""
    if not (isinstance(call.func, cst.Name) and call.func.value == "dict" and len(call.args) == 1):
        return None
    inner = call.args[0].value
    if not (
        isinstance(inner, cst.Call)
        and isinstance(inner.func, cst.Name)
        and inner.func.value == "zip"
        and len(inner.args) == 2
    ):
        return None
    names, values = inner.args[0].value, inner.args[1].value
    if not (
        _is_metrics_names(names)
        and isinstance(values, cst.Call)
        and edit.method_name(values) in ("evaluate", "train_on_batch", "test_on_batch")
    ):
        return None
    if not ctx.names.imports_keras or not ctx.enabled(METRICS_ZIP.id, original):
        return None
    if names.value.deep_equals(values.func.value) is False or edit.has_star_args(values):
        return None
    original_names = original.args[0].value.args[0].value
    ctx.retract(original_names, METRICS_NAMES.id)
    ctx.report(METRICS_ZIP.id, original)
    if edit.keyword_index(values, "return_dict") is not None:
        return None
    return edit.add_keyword(values, "return_dict", cst.Name("True")).with_changes(
        lpar=call.lpar, rpar=call.rpar
    )


@register(cst.Attribute)
def metrics_names(ctx, original, node):
    if node.attr.value != "metrics_names" or not ctx.names.imports_keras:
        return None
    if _defines_metrics_names(ctx) and not _looks_like_model(ctx, original.value):
        return None  # the file's own classes have a `metrics_names` (an RL agent's)
    if ctx.enabled(METRICS_NAMES.id, original):
        ctx.report(METRICS_NAMES.id, original, applied=False)
    return None


def _defines_metrics_names(ctx):
    return any("metrics_names" in c.methods for c in ctx.facts.classes.values())


def _looks_like_model(ctx, node):
    """`model`, `self.model`, `self.target_model`, or a name assigned a Keras model here."""
    if isinstance(node, cst.Name):
        return node.value in ctx.facts.model_names or node.value.endswith("model")
    return isinstance(node, cst.Attribute) and node.attr.value.endswith("model")


@register(cst.Call)
def reset_metrics_argument(ctx, original, call):
    if edit.method_name(call) not in ("train_on_batch", "test_on_batch"):
        return None
    if edit.keyword_index(call, "reset_metrics") is None or not _is_keras_method(
        ctx, call, {"train_on_batch", "test_on_batch"}
    ):
        return None
    if not ctx.enabled(RESET_METRICS.id, original):
        return None
    ctx.report(RESET_METRICS.id, original)
    return edit.remove_keyword(call, "reset_metrics")


KERAS_ONLY = rule(
    "KRS012",
    Level.WARNING,
    Mode.REPORT,
    "Keras-only method in a file that imports neither Keras nor a project module that does",
    """`fit_generator`, `evaluate_generator`, `predict_generator` and `predict_classes` exist only
    on Keras 2 models, and Keras 3 removed them. The receiver comes from somewhere the rewriter
    cannot see (a module outside this run, a function's parameter): rewrite the call as KRS001,
    KRS003, KRS004 or KRS007 describe, or run the rewriter on the whole project so it learns where
    the model is built.""",
)
_KERAS_ONLY_METHODS = (
    "fit_generator",
    "evaluate_generator",
    "predict_generator",
    "predict_classes",
)


@register(cst.Call)
def keras_only_method(ctx, original, call):
    method = edit.method_name(call)
    if method not in facts_lib.KERAS_ONLY_METHODS or ctx.names.imports_keras:
        return None
    if not ctx.names.is_foreign(call.func.value) and ctx.enabled(KERAS_ONLY.id, original):
        ctx.report(KERAS_ONLY.id, original, f"{method}: {KERAS_ONLY.summary}", applied=False)
    return None
