"""A compiled model's state on Keras 3: Keras 2's private function builders, and a model frozen
after its own compile (the Keras 2 GAN pattern)."""

import libcst as cst

from compatkeras.migrate import facts as facts_lib
from compatkeras.migrate.model import Level, Mode, rule
from compatkeras.migrate.names import dotted
from compatkeras.migrate.rules.training import _is_keras_method
from compatkeras.migrate.transform import register

PRIVATE_BUILDERS = rule(
    "KRS016",
    Level.INFO,
    Mode.AUTO,
    "`model._make_predict_function()` is `model.make_predict_function()`",
    """Keras 2's private builders (`_make_predict_function`, called by serving code before
    threads; `_make_train_function`, `_make_test_function`) do not exist on Keras 3's models
    (AttributeError). Keras 3's TensorFlow models have the public `make_predict_function()`,
    `make_train_function()` and `make_test_function()`, which build the same functions.""",
)
_BUILDERS = {
    "_make_predict_function": "make_predict_function",
    "_make_train_function": "make_train_function",
    "_make_test_function": "make_test_function",
}


@register(cst.Call)
def private_builders(ctx, original, call):
    if not _is_keras_method(ctx, call, _BUILDERS) or call.args:
        return None
    if not ctx.enabled(PRIVATE_BUILDERS.id, original):
        return None
    ctx.report(PRIVATE_BUILDERS.id, original)
    public = _BUILDERS[call.func.attr.value]
    return call.with_changes(func=call.func.with_changes(attr=cst.Name(public)))


FROZEN_AFTER_COMPILE = rule(
    "KRS017",
    Level.ERROR,
    Mode.REPORT,
    "a model frozen after its own compile still trained in Keras 2; Keras 3 freezes it",
    """The Keras 2 GAN pattern compiles the discriminator, then sets
    `discriminator.trainable = False` to build and compile the combined model, and keeps calling
    `discriminator.train_on_batch(...)`. Keras 2 took a model's trainable weights when it
    compiled, so the discriminator still trained. Keras 3 reads `trainable` when the training
    function is first built (at the first `train_on_batch`/`fit`), so the discriminator silently
    trains nothing. Set `discriminator.trainable = True` right before its first training call
    (and False again before the combined model's first one), or write the GAN as one model with
    its own `train_step`.""",
)


def _is_false(node):
    return isinstance(node, cst.Name) and node.value == "False"


@register(cst.Assign)
def frozen_after_compile(ctx, original, node):
    if len(original.targets) != 1 or not _is_false(original.value):
        return None
    target = original.targets[0].target
    if not (isinstance(target, cst.Attribute) and target.attr.value == "trainable"):
        return None
    receiver = dotted(target.value)
    if receiver is None or not ctx.names.imports_keras:
        return None
    seen = ctx.cache.setdefault("freezes", {})
    ordinal = seen[receiver] = seen.get(receiver, -1) + 1  # statements come in source order
    if ordinal not in facts_lib.freezes_after_compile(ctx.facts, receiver):
        return None
    if ctx.enabled(FROZEN_AFTER_COMPILE.id, original):
        message = (
            f"`{receiver}` is frozen after its own compile and trained later: Keras 3 trains "
            f"nothing through `{receiver}`'s own training calls (Keras 2 still did). Set "
            f"`{receiver}.trainable = True` before its first training call"
        )
        ctx.report(FROZEN_AFTER_COMPILE.id, original, message, applied=False)
    return None
