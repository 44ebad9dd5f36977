"""Optimizers: Keras 2 constructor arguments (`lr`, `decay`, lower-case names) to Keras 3."""

import libcst as cst

from compatkeras.migrate import edit
from compatkeras.migrate.model import Level, Mode, rule
from compatkeras.migrate.names import canonical, dotted
from compatkeras.migrate.transform import register

LR = rule(
    "KRS030",
    Level.INFO,
    Mode.AUTO,
    "`lr` is `learning_rate` in Keras 3",
    """Keras 3 optimizers reject `lr=` (ValueError: Argument(s) not recognized); tf-keras's new
    optimizers silently ignore it. The value is passed as `learning_rate=` instead.""",
)
DECAY = rule(
    "KRS031",
    Level.INFO,
    Mode.GUARDED,
    "`decay=d` is `learning_rate=InverseTimeDecay(lr, decay_steps=1, decay_rate=d)`",
    """Keras 3 only warns that `decay` is ignored, so the learning rate silently stops decaying.
    Keras 2 used lr / (1 + decay * iterations), which is exactly
    keras.optimizers.schedules.InverseTimeDecay(lr, decay_steps=1, decay_rate=decay). `decay=0`
    is simply dropped. Without an explicit learning rate the Keras 2 default is used where Keras
    2.2 and tf.keras agree on it (SGD 0.01, RMSprop 0.001, Adam 0.001); for the other optimizers
    the call is reported instead, because the two defaults differ. A file that also changes the
    learning rate (ReduceLROnPlateau, LearningRateScheduler, `K.set_value(opt.lr, v)`, `opt.lr =
    v`) is reported instead: Keras 3 refuses to set the rate of an optimizer built on a schedule.
    Every `decay` left in place is an ERROR: Keras 3 ignores it.""",
)
LOWER_CASE = rule(
    "KRS032",
    Level.INFO,
    Mode.AUTO,
    "lower-case optimizer aliases are gone in Keras 3: use the class",
    """Keras 2 exported `keras.optimizers.adam`, `sgd`, `rmsprop`, ... as aliases of the classes;
    Keras 3 does not. Calls use the class; `from keras.optimizers import adam` becomes
    `from keras.optimizers import Adam as adam`, so the rest of the file is untouched.""",
)

CLASSES = ("SGD", "RMSprop", "Adagrad", "Adadelta", "Adam", "Adamax", "Nadam", "Ftrl", "AdamW")
ALIASES = {name.lower(): name for name in CLASSES[:7]}
# Keras 2 default learning rates where Keras 2.2.4 and tf.keras 2 agree.
SAFE_DEFAULT_LR = {"SGD": "0.01", "RMSprop": "0.001", "Adam": "0.001"}


def _optimizer(ctx, func):
    """The Keras optimizer class a callee names, or None."""
    name = ctx.names.qualify(func)
    if name is None or not name.startswith("keras.optimizers."):
        return None
    short = name[len("keras.optimizers.") :]
    if short in CLASSES:
        return short
    return ALIASES.get(short)


def _schedule_prefix(ctx, call):
    """Source text that names `keras.optimizers` in this file, importing `keras` if needed."""
    if isinstance(call.func, cst.Attribute):
        owner = call.func.value
        if ctx.names.qualify(owner) == "keras.optimizers":
            return dotted(owner)
    local = ctx.names.module_name("keras.optimizers")
    if local is not None:
        return local
    keras_name = ctx.keras_name()
    return None if keras_name is None else f"{keras_name}.optimizers"


@register(cst.Call)
def optimizer_arguments(ctx, original, call):
    cls = _optimizer(ctx, call.func)
    if cls is None:
        return None
    short = dotted(call.func).rsplit(".", 1)[-1]
    if (
        short != cls
        and isinstance(call.func, cst.Attribute)
        and ctx.enabled(LOWER_CASE.id, original)
    ):
        call = call.with_changes(func=call.func.with_changes(attr=cst.Name(cls)))
        ctx.report(LOWER_CASE.id, original)
    if edit.keyword_index(call, "decay") is not None and ctx.enabled(DECAY.id, original):
        call = _decay(ctx, original, call, cls)
    if edit.keyword_index(call, "lr") is not None and ctx.enabled(LR.id, original):
        if edit.keyword_index(call, "learning_rate") is None:
            call = edit.rename_keyword(call, "lr", "learning_rate")
            ctx.report(LR.id, original)
        else:
            ctx.report(
                LR.id, original, "both `lr` and `learning_rate` given: remove one", applied=False
            )
    return call


def _decay_left(ctx, original, message):
    """A `decay=` this rule could not rewrite: an ERROR, since Keras 3 ignores it (a warning
    only) and the learning rate silently stops decaying."""
    ctx.report(DECAY.id, original, message, applied=False, level=Level.ERROR)


def _decay(ctx, original, call, cls):
    decay = edit.keyword_value(call, "decay")
    if edit.is_literal_zero(decay):
        ctx.report(DECAY.id, original, "`decay=0` dropped: it is the Keras 3 behaviour")
        return edit.remove_keyword(call, "decay")
    if edit.has_star_args(call):
        _decay_left(ctx, original, "decay with *args/**kwargs: rewrite by hand")
        return call
    if ctx.facts.lr_changers:
        changers = ", ".join(sorted(set(ctx.facts.lr_changers))[:2])
        _decay_left(
            ctx,
            original,
            f"decay left: this file also sets the learning rate ({changers}), which a schedule "
            "refuses; Keras 3 ignores `decay` (a warning only): combine both by hand",
        )
        return call
    lr_index = edit.keyword_index(call, "lr")
    if lr_index is None:
        lr_index = edit.keyword_index(call, "learning_rate")
    if lr_index is None and edit.positional(call):
        lr_index = call.args.index(edit.positional(call)[0])
    if lr_index is None and cls not in SAFE_DEFAULT_LR:
        _decay_left(
            ctx,
            original,
            f"{cls}(decay=...) without a learning rate: Keras 2.2 and tf.keras defaults differ; "
            "pass learning_rate=InverseTimeDecay(<lr>, decay_steps=1, decay_rate=...) by hand",
        )
        return call
    prefix = _schedule_prefix(ctx, call)
    if prefix is None:
        _decay_left(ctx, original, "`keras` is rebound in this file: rewrite by hand")
        return call
    lr = call.args[lr_index].value if lr_index is not None else cst.Float(SAFE_DEFAULT_LR[cls])
    schedule = cst.Call(
        func=edit.expression(f"{prefix}.schedules.InverseTimeDecay"),
        args=[
            edit.arg(lr),
            edit.arg(cst.Integer("1"), "decay_steps"),
            edit.arg(decay, "decay_rate", last=True),
        ],
    )
    if lr_index is None:
        i = edit.keyword_index(call, "decay")
        call = edit.set_argument_value(call, i, schedule)
        call = edit.rename_keyword(call, "decay", "learning_rate")
    else:
        call = edit.set_argument_value(call, lr_index, schedule)
        call = edit.remove_keyword(call, "decay")
    ctx.report(DECAY.id, original)
    return call


@register(cst.ImportFrom)
def lower_case_import(ctx, original, node):
    if node.module is None or canonical(dotted(node.module)) != "keras.optimizers":
        return None
    new = edit.import_renamed(node, ALIASES)
    if new is None or not ctx.enabled(LOWER_CASE.id, original):
        return None
    ctx.report(LOWER_CASE.id, original)
    return new


EPSILON_NONE = rule(
    "KRS033",
    Level.INFO,
    Mode.AUTO,
    "`epsilon=None` dropped: it meant K.epsilon() (1e-7), Keras 3's default",
    """Keras 2 read `epsilon=None` as `K.epsilon()`; Keras 3 accepts None silently and divides by
    it at the first step. Keras 3's default epsilon is 1e-7, the same value.""",
)
SCHEDULE_DECAY = rule(
    "KRS034",
    Level.WARNING,
    Mode.REPORT,
    "`Nadam(schedule_decay=)` has no Keras 3 equivalent",
    """Keras 3's Nadam has no momentum schedule argument; the value is ignored. Remove it, or keep
    this model on tf-keras's legacy Nadam if the schedule matters.""",
)
LR_ATTRIBUTE = rule(
    "KRS035",
    Level.INFO,
    Mode.AUTO,
    "`optimizer.lr` is `optimizer.learning_rate`",
    """Keras 3 optimizers have no `lr` attribute (AttributeError). Reads and `K.set_value(...)`
    targets use `learning_rate`. With a schedule (e.g. after KRS031), Keras 3's
    `learning_rate` is the current decayed value where Keras 2's `lr` was the base rate, and
    `assign` fails.""",
)
GET_UPDATES = rule(
    "KRS036",
    Level.ERROR,
    Mode.REPORT,
    "`get_updates`: Keras 3 optimizers have none (a custom one implements `build()` + "
    "`update_step()`)",
    """`Optimizer.get_updates` no longer exists. A custom optimizer class must be rewritten for
    Keras 3's optimizer API (see keras.optimizers.Optimizer). A call (`opt.get_updates(loss=loss,
    params=model.trainable_weights)` handed to `K.function(..., updates)`: WGAN-GP, keras-rl's
    DDPG) raises AttributeError: compute the step with `tf.GradientTape` and
    `optimizer.apply_gradients`, or train through `train_on_batch`.""",
)


@register(cst.Call)
def optimizer_leftovers(ctx, original, call):
    cls = _optimizer(ctx, original.func)
    if cls is None:
        return None
    new = call
    epsilon = edit.keyword_value(new, "epsilon")
    if (
        isinstance(epsilon, cst.Name)
        and epsilon.value == "None"
        and ctx.enabled(EPSILON_NONE.id, original)
    ):
        new = edit.remove_keyword(new, "epsilon")
        ctx.report(EPSILON_NONE.id, original)
    if edit.keyword_index(new, "schedule_decay") is not None and ctx.enabled(
        SCHEDULE_DECAY.id, original
    ):
        ctx.report(SCHEDULE_DECAY.id, original, applied=False)
    return new if new is not call else None


@register(cst.Attribute)
def lr_attribute(ctx, original, node):
    """`model.optimizer.lr` / `self.model.optimizer.lr` (the receiver must end in `.optimizer`)."""
    if node.attr.value != "lr" or not ctx.names.imports_keras:
        return None
    owner = original.value
    is_optimizer = (isinstance(owner, cst.Attribute) and owner.attr.value == "optimizer") or (
        isinstance(owner, cst.Name) and owner.value in ("optimizer", "opt")
    )
    if not is_optimizer or not ctx.enabled(LR_ATTRIBUTE.id, original):
        return None
    ctx.report(LR_ATTRIBUTE.id, original)
    return node.with_changes(attr=cst.Name("learning_rate"))


@register(cst.Call)
def get_updates_call(ctx, original, call):
    func = original.func
    if not (
        isinstance(func, cst.Attribute) and func.attr.value in ("get_updates", "get_gradients")
    ):
        return None
    if not ctx.names.imports_keras or ctx.names.is_foreign(func.value):
        return None
    if isinstance(func.value, cst.Call) and isinstance(func.value.func, cst.Name):
        if func.value.func.value == "super":
            return None  # inside a custom optimizer: its class is reported
    if ctx.enabled(GET_UPDATES.id, original):
        message = (
            f"`{func.attr.value}(...)` does not exist on Keras 3 optimizers (AttributeError): "
            "compute the step with tf.GradientTape and optimizer.apply_gradients"
        )
        ctx.report(GET_UPDATES.id, original, message, applied=False)
    return None


@register(cst.ClassDef)
def custom_optimizer(ctx, original, node):
    bases = [ctx.names.qualify(b.value) for b in original.bases]
    if not any(b and b.startswith("keras.optimizers.") for b in bases):
        return None
    defines = {s.name.value for s in original.body.body if isinstance(s, cst.FunctionDef)}
    if "get_updates" in defines and ctx.enabled(GET_UPDATES.id, original):
        ctx.report(GET_UPDATES.id, original, applied=False)
    return None
