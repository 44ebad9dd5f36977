"""Layer sizes Keras 3 checks more strictly: the batch size of stateful models, which Keras 3
takes only from `keras.Input(batch_shape=...)`, and unit counts computed with numpy."""

import libcst as cst

from compatkeras.migrate import edit
from compatkeras.migrate.model import Level, Mode, rule
from compatkeras.migrate.rules.layers import _layer
from compatkeras.migrate.transform import register

BATCH_INPUT = rule(
    "KRS083",
    Level.INFO,
    Mode.GUARDED,
    "a first layer's `batch_input_shape=`/`batch_size=` is `keras.Input(batch_shape=...)`",
    """Keras 3 layers reject `batch_input_shape` and `batch_size` ("Unrecognized keyword
    arguments"); stateful RNNs need the batch size from an input. In `model.add(LSTM(...,
    batch_input_shape=(b, t, f)))` and `Sequential([LSTM(..., batch_size=b, input_shape=(t, f)),
    ...])` the shape moves into a `keras.Input(batch_shape=(b, t, f))` added before the layer.""",
)
BATCH_ARGUMENT = rule(
    "KRS084",
    Level.ERROR,
    Mode.REPORT,
    "`batch_input_shape=`/`batch_size=` on a layer: Keras 3 rejects them",
    """Only the first layer of a `Sequential` (`model.add(...)` or the list) is rewritten (KRS083).
    Elsewhere give the batch size to `keras.Input(batch_shape=...)` and drop the argument.""",
)
NUMPY_UNITS = rule(
    "KRS085",
    Level.INFO,
    Mode.AUTO,
    "`Dense(np.prod(shape))`: Keras 3 needs a Python int",
    """Keras 3 checks `units`/`filters` with `isinstance(value, int)`, which a numpy integer fails
    ("expected a positive integer. Received: units=64"). `np.prod(...)` there is wrapped in
    `int(...)` (the Keras-GAN pattern `Dense(np.prod(img_shape))`).""",
)

_SHAPE_KEYWORDS = ("batch_input_shape", "batch_size", "input_shape", "input_dim")


def _batch_shape(call):
    """The `batch_shape` text for a layer call with batch arguments, or None."""
    full = edit.keyword_value(call, "batch_input_shape")
    if full is not None:
        return _code(full)
    size = edit.keyword_value(call, "batch_size")
    shape = edit.keyword_value(call, "input_shape")
    dim = edit.keyword_value(call, "input_dim")
    if size is None:
        return None
    if dim is not None:
        return f"({_code(size)}, {_code(dim)})"
    if isinstance(shape, cst.Tuple):
        items = ", ".join(_code(e.value) for e in shape.elements)
        return f"({_code(size)}, {items})"
    if shape is not None:
        return f"({_code(size)},) + tuple({_code(shape)})"
    return None


def _code(node):
    return cst.Module([]).code_for_node(node)


def _has_batch_arguments(call):
    return any(edit.keyword_index(call, k) is not None for k in ("batch_input_shape", "batch_size"))


def _without_shape_keywords(call):
    for name in _SHAPE_KEYWORDS:
        if edit.keyword_index(call, name) is not None:
            call = edit.remove_keyword(call, name)
    return call


def _input(ctx, shape):
    name = ctx.name_for("keras.layers.Input", "Input", "from keras.layers import Input")
    return None if name is None else edit.expression(f"{name}(batch_shape={shape})")


def _moved_input(ctx, layer, old_layer):
    """The `Input(batch_shape=...)` that takes over `layer`'s batch arguments (reported), or
    None when the rule is off or the shape cannot be written."""
    if not ctx.enabled(BATCH_INPUT.id, old_layer):
        return None
    shape = _batch_shape(layer)
    new_input = _input(ctx, shape) if shape is not None else None
    if new_input is not None:
        ctx.retract(old_layer, BATCH_ARGUMENT.id)
        ctx.report(BATCH_INPUT.id, old_layer)
    return new_input


@register(cst.Call)
def batch_arguments(ctx, original, call):
    """Report every layer with batch arguments; `first_layer_add` / `first_layer_list` rewrite
    the ones they can and withdraw the report."""
    if _has_batch_arguments(call) and _layer(ctx, original.func) is not None:
        if _layer(ctx, original.func) not in ("Input", "InputLayer"):
            if ctx.enabled(BATCH_ARGUMENT.id, original):
                ctx.report(BATCH_ARGUMENT.id, original, applied=False)
    return None


@register(cst.SimpleStatementLine)
def first_layer_add(ctx, original, line):
    """`model.add(LSTM(..., batch_input_shape=s))` -> `model.add(Input(batch_shape=s))` first."""
    if len(line.body) != 1 or not isinstance(line.body[0], cst.Expr):
        return None
    add, old_add = line.body[0].value, original.body[0].value
    if not (isinstance(add, cst.Call) and edit.method_name(add) == "add" and len(add.args) == 1):
        return None
    layer, old_layer = add.args[0].value, old_add.args[0].value
    receiver = _code(add.func.value)
    added = ctx.cache.setdefault("added-to", set())  # statements leave in source order
    if receiver in added:
        return None  # not the first layer: Keras 2 ignored the shape, the report stays
    added.add(receiver)
    if not isinstance(layer, cst.Call) or not _has_batch_arguments(layer):
        return None
    if _layer(ctx, old_layer.func) is None:
        return None
    new_input = _moved_input(ctx, layer, old_layer)
    if new_input is None:
        return None
    first = line.with_changes(
        body=[cst.Expr(add.with_changes(args=[add.args[0].with_changes(value=new_input)]))],
        trailing_whitespace=cst.TrailingWhitespace(),
    )
    new_layer = _without_shape_keywords(layer)
    second = line.with_changes(
        body=[line.body[0].with_changes(value=edit.set_argument_value(add, 0, new_layer))],
        leading_lines=[],
    )
    return cst.FlattenSentinel([first, second])


@register(cst.Call)
def first_layer_list(ctx, original, call):
    """`Sequential([LSTM(..., batch_size=b, input_shape=s), ...])`."""
    if ctx.names.qualify(original.func) not in ("keras.models.Sequential", "keras.Sequential"):
        return None
    if not call.args or not isinstance(call.args[0].value, cst.List):
        return None
    items = call.args[0].value.elements
    if not items or not isinstance(items[0].value, cst.Call):
        return None
    layer = items[0].value
    old_layer = original.args[0].value.elements[0].value
    if not _has_batch_arguments(layer):
        return None
    new_input = _moved_input(ctx, layer, old_layer)
    if new_input is None:
        return None
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    first = cst.Element(new_input, comma=comma)
    rest = [items[0].with_changes(value=_without_shape_keywords(layer)), *items[1:]]
    new_list = call.args[0].value.with_changes(elements=[first, *rest])
    return edit.set_argument_value(call, 0, new_list)


@register(cst.Call)
def numpy_units(ctx, original, call):
    cls = _layer(ctx, original.func) if call.args else None
    if cls is None or call.args[0].keyword is not None:
        return None
    value = call.args[0].value
    if not (isinstance(value, cst.Call) and ctx.names.qualify(value.func) == "numpy.prod"):
        return None
    if not ctx.enabled(NUMPY_UNITS.id, original):
        return None
    ctx.report(NUMPY_UNITS.id, original)
    return edit.set_argument_value(call, 0, edit.template("int(__0__)", value))


RESET_STATES = rule(
    "KRS086",
    Level.INFO,
    Mode.GUARDED,
    "`model.reset_states()` is a reset of each stateful layer in Keras 3",
    """Keras 3 models have no `reset_states` (AttributeError); their stateful RNN layers do.
    Keras 2's method reset every layer with `stateful=True`, which is what the rewrite does:
    `[layer.reset_states() for layer in model.layers if getattr(layer, "stateful", False)]`.
    Applied to receivers assigned a model in this file.""",
)


@register(cst.Call)
def model_reset_states(ctx, original, call):
    if edit.method_name(call) != "reset_states" or call.args or not ctx.names.imports_keras:
        return None
    receiver = call.func.value
    if not (isinstance(receiver, cst.Name) and receiver.value in ctx.facts.model_names):
        return None
    if not ctx.enabled(RESET_STATES.id, original):
        return None
    ctx.report(RESET_STATES.id, original)
    return edit.template(
        '[layer.reset_states() for layer in __0__.layers if getattr(layer, "stateful", False)]',
        receiver,
    )
