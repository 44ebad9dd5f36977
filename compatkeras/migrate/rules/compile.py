"""`Model.compile`: Keras 2's positional order and its removed arguments."""

import libcst as cst

from compatkeras.migrate import edit
from compatkeras.migrate import facts as facts_lib
from compatkeras.migrate.model import Level, Mode, rule
from compatkeras.migrate.transform import register

POSITIONAL = rule(
    "KRS020",
    Level.INFO,
    Mode.AUTO,
    "compile() arguments after `loss` become keywords (Keras 3 changed the order)",
    """Keras 2 `compile(optimizer, loss, metrics, loss_weights, sample_weight_mode,
    weighted_metrics, target_tensors)`; Keras 3's third parameter is `loss_weights`, so a positional
    metrics list silently becomes loss weights (and fails with a dtype error). Every positional
    argument after `loss` is given its Keras 2 keyword.""",
)
SAMPLE_WEIGHT_MODE = rule(
    "KRS021",
    Level.INFO,
    Mode.AUTO,
    "`sample_weight_mode` removed: Keras 3 takes 2-D (samples, timesteps) weights without it",
    """Keras 3 `compile()` rejects `sample_weight_mode`; it accepts 2-D sample weights directly.
    Keras 3 and tf.keras normalise the weighted loss as sum(w*L)/N. Standalone Keras 2.2 divided by
    the number of non-zero weights instead, so losses of padded batches differ from Keras 2.2's.""",
)
TARGET_TENSORS = rule(
    "KRS022",
    Level.ERROR,
    Mode.REPORT,
    "`target_tensors` has no Keras 3 equivalent: feed targets through fit(x, y) or tf.data",
    """Keras 3 `compile()` rejects `target_tensors`. Pass the targets as `y` (or in a tf.data
    Dataset of (x, y) pairs) and drop `Input(tensor=...)`; the call is left for a manual edit.""",
)

SESSION_ARGUMENTS = rule(
    "KRS023",
    Level.ERROR,
    Mode.REPORT,
    "`options=`/`run_metadata=` (TensorFlow 1 session arguments) are rejected by Keras 3",
    """Keras 3 `compile()` raises a TypeError for them; use the TensorFlow profiler
    (`tf.profiler.experimental`) or the TensorBoard callback's `profile_batch`.""",
)

SCALAR_METRIC = rule(
    "KRS025",
    Level.WARNING,
    Mode.REPORT,
    "a metric function that reduces the whole batch to one number",
    """A metric function whose `K.sum`/`K.mean`/... have no `axis` returns one number per batch.
    Keras 2 averaged it over an epoch weighting each batch by its size; Keras 3 averages the
    batches equally (a smaller last batch counts as much as a full one), and cannot apply an
    output mask to it (a masked model fails in `fit` with a BroadcastTo rank error). Return one
    value per sample instead (reduce with `axis=-1`), or write a `keras.metrics.Metric`.""",
)

KERAS2_ORDER = (
    "optimizer",
    "loss",
    "metrics",
    "loss_weights",
    "sample_weight_mode",
    "weighted_metrics",
    "target_tensors",
)


@register(cst.Call)
def compile_arguments(ctx, original, call):
    if edit.method_name(call) != "compile" or not ctx.names.imports_keras:
        return None
    if ctx.names.is_foreign(call.func.value):  # re.compile, a project's own compile
        return None
    changed = None
    n = len(edit.positional(call))
    if n > 2 and ctx.enabled(POSITIONAL.id, original):
        if edit.has_star_args(call) or n > len(KERAS2_ORDER):
            ctx.report(
                POSITIONAL.id, original, "*args or too many positional arguments", applied=False
            )
        else:
            call = changed = edit.positional_to_keywords(call, KERAS2_ORDER[2:], start=2)
            ctx.report(POSITIONAL.id, original)
    if edit.keyword_index(call, "sample_weight_mode") is not None and ctx.enabled(
        SAMPLE_WEIGHT_MODE.id, original
    ):
        call = changed = edit.remove_keyword(call, "sample_weight_mode")
        ctx.report(SAMPLE_WEIGHT_MODE.id, original)
    if edit.keyword_index(call, "target_tensors") is not None and ctx.enabled(
        TARGET_TENSORS.id, original
    ):
        ctx.report(TARGET_TENSORS.id, original, applied=False)
    if any(
        edit.keyword_index(call, k) is not None for k in ("options", "run_metadata")
    ) and ctx.enabled(SESSION_ARGUMENTS.id, original):
        ctx.report(SESSION_ARGUMENTS.id, original, applied=False)
    _scalar_metrics(ctx, original, call)
    return changed


def _scalar_metrics(ctx, original, call):
    metrics = edit.keyword_value(call, "metrics")
    if not isinstance(metrics, (cst.List, cst.Tuple)) or not ctx.enabled(
        SCALAR_METRIC.id, original
    ):
        return
    names = [e.value.value for e in metrics.elements if isinstance(e.value, cst.Name)]
    scalar = [name for name in names if name in _batch_reducers(ctx)]
    if scalar:
        message = f"{', '.join(scalar)}: {SCALAR_METRIC.summary}; Keras 3 weights batches equally"
        ctx.report(SCALAR_METRIC.id, original, message, applied=False)


def _batch_reducers(ctx):
    """Names of this file's top-level functions that call a reduction without `axis`."""
    if "batch_reducers" not in ctx.cache:
        ctx.cache["batch_reducers"] = facts_lib.batch_reducers(ctx.tree)
    return ctx.cache["batch_reducers"]


UNMASKABLE_METRIC = rule(
    "KRS026",
    Level.ERROR,
    Mode.REPORT,
    "training a masked model compiled with a metric that returns one number: Keras 3 fails here",
    """The model comes from a function that gives it an output mask (`Embedding(mask_zero=True)`,
    `Masking`) and compiles it with a metric function that reduces the whole batch (KRS025, at
    that compile call). Keras 2 multiplied the number by the mask and divided by the mask's
    mean; Keras 3 applies the mask to the metric's values and fails in `fit`/`evaluate` with a
    BroadcastTo rank error. Make the metric return one value per sample (`axis=-1`) or write a
    `keras.metrics.Metric`; the numbers then follow Keras 3's masked averaging.""",
)
_MASKED_CALLS = frozenset(
    {"fit", "fit_generator", "evaluate", "evaluate_generator", "train_on_batch", "test_on_batch"}
)


@register(cst.Call)
def unmaskable_metric(ctx, original, call):
    """KRS026 at each training or evaluation call on a model such a function returned."""
    receiver = original.func.value if isinstance(original.func, cst.Attribute) else None
    if not isinstance(receiver, cst.Name) or original.func.attr.value not in _MASKED_CALLS:
        return None
    source = ctx.facts.call_results.get(receiver.value)
    if source is None or source in facts_lib.MODEL_FACTORIES:
        return None
    found = _unmaskable(ctx).get(source)
    if found is None or not ctx.enabled(UNMASKABLE_METRIC.id, original):
        return None
    where, line, metrics = found
    message = (
        f"{receiver.value} comes from {source}(), compiled at {where}:{line} with "
        f"{', '.join(metrics)}: one number per batch, which Keras 3 cannot mask (fails here)"
    )
    ctx.report(UNMASKABLE_METRIC.id, original, message, applied=False)
    return None


def _unmaskable(ctx):
    """This file's unmaskable factories and the project's, as (file, line, metrics)."""
    if "unmaskable" not in ctx.cache:
        project = ctx.names.project
        found = dict(project.unmaskable) if project is not None else {}
        if facts_lib.mentions_masks(ctx.whole):
            local = facts_lib.unmaskable_factories(ctx.tree)
            found.update({name: ("this file", *value) for name, value in local.items()})
        ctx.cache["unmaskable"] = found
    return ctx.cache["unmaskable"]


SYMBOLIC_LOSS = rule(
    "KRS024",
    Level.ERROR,
    Mode.REPORT,
    "`model.add_loss(tensor)` on a functional model: Keras 3 does not take symbolic losses",
    """Keras 2 let a functional model add a loss built from its own tensors (the VAE example's
    `vae.add_loss(K.mean(reconstruction + kl))`). Keras 3 raises NotImplementedError there: compute
    the loss in a layer's `call()` with `self.add_loss(...)` (an endpoint layer), or override
    `train_step`/`compute_loss`.""",
)


@register(cst.Call)
def model_add_loss(ctx, original, call):
    if edit.method_name(call) != "add_loss" or not ctx.names.imports_keras:
        return None
    receiver = call.func.value
    if isinstance(receiver, cst.Name) and receiver.value in ctx.facts.model_names:
        if ctx.enabled(SYMBOLIC_LOSS.id, original):
            ctx.report(SYMBOLIC_LOSS.id, original, applied=False)
    return None
