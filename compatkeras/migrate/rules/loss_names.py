"""Loss and metric names in `compile`: the strings Keras 2 accepted that Keras 3 spells
otherwise, or reads back wrongly from a saved model."""

import libcst as cst

from compatkeras.migrate import edit
from compatkeras.migrate.model import Level, Mode, rule
from compatkeras.migrate.transform import register

LOSS_NAME = rule(
    "KRS027",
    Level.INFO,
    Mode.AUTO,
    "a Keras 2 loss name that Keras 3 spells otherwise (`'logcosh'`, `'mse'` -> full name)",
    """Keras 3 does not know `'logcosh'`, `'cosine_proximity'`/`'cosine'` or
    `'kullback_leibler_divergence'` ("Could not interpret loss identifier"): they are
    `'log_cosh'`, `'cosine_similarity'` (Keras 2's `cosine_proximity` was already the negative
    cosine, as Keras 3's loss is) and `'kl_divergence'`. The short names `'mse'`, `'mae'`,
    `'mape'`, `'msle'`, `'kld'` still train, but Keras 3.15 saves them into an `.h5` model as
    `keras.metrics.mse`, which its `load_model` then refuses ("not a KerasSaveable
    subclass"); the full names are the same functions and load back. Only the `loss` argument
    is rewritten: metric names are what the history's keys are made of.""",
)
METRIC_NAME = rule(
    "KRS028",
    Level.ERROR,
    Mode.REPORT,
    "a Keras 2 metric name that Keras 3 does not know",
    """`metrics=['logcosh']`, `['cosine']`/`['cosine_proximity']`, `['kld']`,
    `['kullback_leibler_divergence']` raise "Could not interpret metric identifier" in Keras 3.
    Use `keras.metrics.LogCoshError()`, `keras.metrics.KLDivergence()`, or
    `keras.metrics.CosineSimilarity()` (whose sign is the opposite of Keras 2's
    `cosine_proximity`); the history keys change with them.""",
)

LOSSES = {
    "mse": "mean_squared_error",
    "MSE": "mean_squared_error",
    "mae": "mean_absolute_error",
    "MAE": "mean_absolute_error",
    "mape": "mean_absolute_percentage_error",
    "MAPE": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error",
    "MSLE": "mean_squared_logarithmic_error",
    "kld": "kl_divergence",
    "KLD": "kl_divergence",
    "kullback_leibler_divergence": "kl_divergence",
    "logcosh": "log_cosh",
    "cosine": "cosine_similarity",
    "cosine_proximity": "cosine_similarity",
}
METRICS = {
    "logcosh": "keras.metrics.LogCoshError()",
    "kld": "keras.metrics.KLDivergence()",
    "KLD": "keras.metrics.KLDivergence()",
    "kullback_leibler_divergence": "keras.metrics.KLDivergence()",
    "cosine": "keras.metrics.CosineSimilarity() (the opposite sign)",
    "cosine_proximity": "keras.metrics.CosineSimilarity() (the opposite sign)",
}


def _strings(node):
    """The string literals of a loss/metrics value: itself, a list's items, a dict's values."""
    if isinstance(node, cst.SimpleString):
        return [node]
    if isinstance(node, (cst.List, cst.Tuple)):
        return [s for e in node.elements for s in _strings(e.value)]
    if isinstance(node, cst.Dict):
        return [
            s for e in node.elements if isinstance(e, cst.DictElement) for s in _strings(e.value)
        ]
    return []


def _text(string):
    value = string.evaluated_value
    return value if isinstance(value, str) and value == string.raw_value else None


class _Rename(cst.CSTTransformer):
    """Renames exactly the given string nodes (the loss names, not a dict's keys or a string
    inside some call)."""

    def __init__(self, strings):
        super().__init__()
        self.strings = {id(s) for s in strings}

    def leave_SimpleString(self, original, updated):
        new = LOSSES.get(_text(original)) if id(original) in self.strings else None
        if new is None:
            return updated
        return updated.with_changes(value=f"{updated.prefix}{updated.quote}{new}{updated.quote}")


def _argument(call, keyword, position):
    index = edit.keyword_index(call, keyword)
    if index is None:
        positional = edit.positional(call)
        if len(positional) > position and not edit.has_star_args(call):
            index = call.args.index(positional[position])
    return index


@register(cst.Call)
def compile_names(ctx, original, call):
    if edit.method_name(call) != "compile" or not ctx.names.imports_keras:
        return None
    if ctx.names.is_foreign(call.func.value):
        return None
    metrics = _argument(original, "metrics", 2)
    if metrics is not None and ctx.enabled(METRIC_NAME.id, original):
        for string in _strings(original.args[metrics].value):
            if _text(string) in METRICS:
                message = f"metric '{_text(string)}': use {METRICS[_text(string)]}"
                ctx.report(METRIC_NAME.id, original, message, applied=False)
    index = _argument(call, "loss", 1)
    if index is None or not ctx.enabled(LOSS_NAME.id, original):
        return None
    value = call.args[index].value
    strings = [s for s in _strings(value) if _text(s) in LOSSES]
    old = [_text(s) for s in strings]
    if not old:
        return None
    ctx.report(LOSS_NAME.id, original, ", ".join(f"'{o}' -> '{LOSSES[o]}'" for o in old))
    return edit.set_argument_value(call, index, value.visit(_Rename(strings)))
