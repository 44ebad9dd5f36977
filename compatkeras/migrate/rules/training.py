"""Training calls: the generator methods, Keras 1 keyword names and the worker arguments."""

import libcst as cst

from compatkeras.migrate import edit
from compatkeras.migrate.model import Level, Mode, rule
from compatkeras.migrate.transform import register

FIT_GENERATOR = rule(
    "KRS001", Level.INFO, Mode.AUTO,
    "`fit_generator` is `fit` in Keras 3",
    """Keras 3 removed `fit_generator`; `fit` takes the same generators and Sequences. Positional
    arguments after the generator become keywords in the Keras 2 order (steps_per_epoch, epochs,
    verbose, callbacks, validation_data, validation_steps), because `fit`'s own order differs; a
    `generator=` keyword becomes the first positional argument, since `fit` has no such keyword.
    Calls with more than 7 positional arguments or with *args are reported, not rewritten.""",
)
WORKERS = rule(
    "KRS002", Level.WARNING, Mode.AUTO,
    "`workers`/`use_multiprocessing`/`max_queue_size` moved to the `keras.utils.PyDataset` constructor",
    """Keras 3 `fit`/`evaluate`/`predict` reject these arguments (TypeError / ValueError). They are
    removed from the call; give them to your PyDataset instead
    (`super().__init__(workers=..., use_multiprocessing=..., max_queue_size=...)`). Plain Python
    generators are consumed on one thread in Keras 3. The Keras 1 names `nb_worker`, `pickle_safe`
    and `max_q_size` are removed the same way.""",
)
EVALUATE_GENERATOR = rule(
    "KRS003", Level.INFO, Mode.AUTO,
    "`evaluate_generator` is `evaluate` in Keras 3",
    """Keras 3 removed `evaluate_generator`. Positional arguments after the generator become
    keywords (steps, max_queue_size, workers, use_multiprocessing, verbose); `verbose=0` is added
    when absent, since Keras 2 defaulted to silent and Keras 3 to a progress bar.""",
)
PREDICT_GENERATOR = rule(
    "KRS004", Level.WARNING, Mode.AUTO,
    "`predict_generator` is `predict` in Keras 3; the generator must yield tuples",
    """Keras 3 removed `predict_generator`. Rewritten like KRS003. Keras 3 requires a plain
    generator to yield tuples `(x,)` or `(x, y)` (a bare array raises "the generator must return
    a tuple"); a PyDataset/Sequence returning bare x is fine. Check your generator.""",
)
NB_EPOCH = rule(
    "KRS005", Level.INFO, Mode.AUTO,
    "`nb_epoch` is `epochs`",
    """Keras 1 name, accepted with a warning by Keras 2 and rejected by Keras 3.""",
)
SAMPLES = rule(
    "KRS006", Level.ERROR, Mode.REPORT,
    "samples_per_epoch/nb_val_samples/val_samples count samples; use steps_per_epoch=... // batch_size",
    """Keras 1 counted samples, Keras 2 and 3 count batches (steps). The value must be divided by
    the batch size, which is not known statically, so the call is left for a manual edit.""",
)

FIT_GENERATOR_ORDER = (
    "steps_per_epoch", "epochs", "verbose", "callbacks", "validation_data", "validation_steps",
)
EVAL_PREDICT_ORDER = ("steps", "max_queue_size", "workers", "use_multiprocessing", "verbose")
RENAMED = {
    "fit_generator": ("fit", FIT_GENERATOR, FIT_GENERATOR_ORDER),
    "evaluate_generator": ("evaluate", EVALUATE_GENERATOR, EVAL_PREDICT_ORDER),
    "predict_generator": ("predict", PREDICT_GENERATOR, EVAL_PREDICT_ORDER),
}
TRAINING_METHODS = {"fit", "evaluate", "predict", *RENAMED}
WORKER_ARGUMENTS = (
    "workers", "use_multiprocessing", "max_queue_size", "nb_worker", "pickle_safe", "max_q_size",
)
SAMPLE_COUNTS = ("samples_per_epoch", "nb_val_samples", "val_samples")


def _is_keras_method(ctx, call, names):
    method = edit.method_name(call)
    return (
        method in names and ctx.names.imports_keras and not ctx.names.is_foreign(call.func.value)
    )


@register(cst.Call)
def generator_methods(ctx, original, call):
    if not _is_keras_method(ctx, call, RENAMED):
        return None
    new_name, this_rule, order = RENAMED[edit.method_name(call)]
    if not ctx.enabled(this_rule.id, original):
        return None
    if edit.has_star_args(call) or len(edit.positional(call)) > len(order) + 1:
        ctx.report(this_rule.id, original, "*args or too many positional arguments: rewrite by hand",
                   applied=False)
        return None
    if edit.keyword_index(call, "generator") is not None:
        if edit.positional(call):
            ctx.report(this_rule.id, original, "both a positional generator and `generator=`",
                       applied=False)
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
            ctx.report(NB_EPOCH.id, original, "both `nb_epoch` and `epochs`: remove one", applied=False)
    present = [n for n in WORKER_ARGUMENTS if edit.keyword_index(call, n) is not None]
    if present and ctx.enabled(WORKERS.id, original):
        for name in present:
            call = changed = edit.remove_keyword(call, name)
        ctx.report(WORKERS.id, original, f"removed {', '.join(present)}: {WORKERS.summary}")
    for name in SAMPLE_COUNTS:
        if edit.keyword_index(call, name) is not None and ctx.enabled(SAMPLES.id, original):
            ctx.report(SAMPLES.id, original, applied=False)
            break
    return changed
