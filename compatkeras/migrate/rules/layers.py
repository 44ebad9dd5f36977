"""Model construction and layers: Keras 1 keyword names, renamed and removed layer classes,
`merge(mode=...)`, `add_weight`'s positional name, RNN defaults that changed.

`KWARGS` is keras 2.2.4's own Keras 1 conversion table (`compatkeras/_keras1.py`, shared with the
legacy surface, which accepts the Keras 1 names as keras 2.2.4 did).
"""

import libcst as cst

from compatkeras._keras1 import KERNEL_2D, KERNEL_3D, KWARGS, VALUES
from compatkeras.migrate import edit
from compatkeras.migrate.model import Level, Mode, rule
from compatkeras.migrate.names import canonical, dotted
from compatkeras.migrate.transform import register

MODEL_KWARGS = rule(
    "KRS070",
    Level.INFO,
    Mode.AUTO,
    "`Model(input=, output=)` is `Model(inputs=, outputs=)`",
    """Keras 1 names; Keras 3 raises "Unrecognized keyword arguments passed to Model".""",
)
KERAS1_KWARGS = rule(
    "KRS071",
    Level.INFO,
    Mode.GUARDED,
    "Keras 1 layer argument renamed (output_dim -> units, init -> kernel_initializer, ...)",
    """Keras 2 accepted the Keras 1 names with a warning; Keras 3 rejects them ("Unrecognized
    keyword arguments passed to Dense"). The table is keras 2.2.4's own conversion table. Values
    are mapped where Keras 2 mapped them: `dim_ordering` 'tf'/'th' -> `data_format`
    'channels_last'/'channels_first' ('default' is dropped), `consume_less` is dropped (a speed
    choice; Keras 3's SimpleRNN and ConvLSTM2D reject `implementation`), `forget_bias_init='one'` -> `unit_forget_bias=True`,
    `input_dim`+`input_length` -> `input_shape=(input_length, input_dim)`. A non-literal value for
    a mapped argument is reported instead.""",
)
KERAS1_KERNEL = rule(
    "KRS072",
    Level.INFO,
    Mode.GUARDED,
    "Keras 1 kernel size `Conv2D(n, rows, cols)` / `nb_row=`/`nb_col=` is `kernel_size=(rows, cols)`",
    """Keras 1 gave the kernel as separate integers (`Convolution2D(32, 3, 3)`,
    `Convolution3D(n, d1, d2, d3)`, `nb_row=`/`nb_col=`, `kernel_dim1..3=`). Keras 3 would read the
    third positional integer as `strides`. Rewritten only when the sizes are integer literals or
    keywords; other forms are reported.""",
)
RENAMED_CLASS = rule(
    "KRS073",
    Level.INFO,
    Mode.AUTO,
    "layer class renamed in Keras 3 (Deconvolution2D, AtrousConvolution2D, CuDNNLSTM, ThresholdedReLU)",
    """`Deconvolution2D`/`Deconv2D` are `Conv2DTranspose`, `AtrousConvolution1D/2D(atrous_rate=)`
    are `Conv1D/Conv2D(dilation_rate=)`, `CuDNNLSTM`/`CuDNNGRU` are `LSTM`/`GRU` (Keras 3 picks the
    cuDNN kernel itself when the arguments allow it; GRU's Keras 3 defaults are CuDNNGRU's math),
    `ThresholdedReLU(theta)` is `ReLU(threshold=theta)` (Keras 2's default theta was 1.0; at x ==
    theta exactly ReLU gives theta, ThresholdedReLU gave 0). A from-import keeps its local name:
    `from keras.layers import LSTM as CuDNNLSTM`.""",
)
BATCHNORM_MODE = rule(
    "KRS074",
    Level.INFO,
    Mode.GUARDED,
    "`BatchNormalization(mode=0)` dropped; other modes have no Keras 2/3 equivalent",
    """Keras 1's `mode=0` is the only behaviour Keras 2 and 3 have; `mode=1`/`mode=2` (per-sample
    and batch-statistics-at-test-time) are reported as errors.""",
)
LEAKY_ALPHA = rule(
    "KRS075",
    Level.INFO,
    Mode.AUTO,
    "`LeakyReLU(alpha=)` is `LeakyReLU(negative_slope=)`",
    """Keras 3 deprecates `alpha` (warning) in favour of `negative_slope`.""",
)
MERGE_FUNCTION = rule(
    "KRS076",
    Level.INFO,
    Mode.GUARDED,
    "Keras 1 `merge(inputs, mode=...)` is `concatenate`/`add`/`multiply`/`average`/`maximum`/`dot`",
    """`merge([a, b], mode='concat', concat_axis=k)` is `layers.concatenate([a, b], axis=k)`;
    'sum' -> `add`, 'mul' -> `multiply`, 'ave' -> `average`, 'max' -> `maximum`, 'dot' ->
    `dot(axes=dot_axes)`, 'cos' -> `dot(axes=dot_axes, normalize=True)`. A callable or non-literal
    `mode`, or `output_shape=`, is reported instead.""",
)
REMOVED_LAYER = rule(
    "KRS077",
    Level.ERROR,
    Mode.REPORT,
    "layer removed in Keras 3 without a drop-in replacement",
    """`Merge([model_a, model_b], mode=...)` inside a `Sequential` needs the functional API;
    `LocallyConnected1D/2D`, `Highway`, `MaxoutDense` and `Recurrent` are gone.""",
)
ADD_WEIGHT = rule(
    "KRS078",
    Level.INFO,
    Mode.AUTO,
    "`add_weight` arguments become keywords (Keras 3 requires `name=` as a keyword)",
    """Keras 2 `add_weight(name, shape, dtype, initializer, regularizer, trainable, constraint)`;
    Keras 3's first parameter is `shape` and `name` must be a keyword. Positional arguments get
    their Keras 2 keywords. The Keras 1 form `add_weight(shape, 'name')` is read as such.""",
)
RNN_DEFAULTS = rule(
    "KRS079",
    Level.WARNING,
    Mode.REPORT,
    "RNN defaults changed since keras 2.2: pin them to reproduce old weights",
    """Standalone keras <= 2.2 used `recurrent_activation='hard_sigmoid'` for LSTM/GRU/ConvLSTM2D
    and `reset_after=False` for GRU; Keras 3 uses 'sigmoid' and `reset_after=True`. Weights trained
    with the old defaults give different outputs (GRU's bias shape differs too). If the file was
    written for keras <= 2.2, pass the old values explicitly (this disables the cuDNN path).""",
)

RENAMES = {
    "Deconvolution2D": "Conv2DTranspose",
    "Deconv2D": "Conv2DTranspose",
    "Deconvolution3D": "Conv3DTranspose",
    "Deconv3D": "Conv3DTranspose",
    "AtrousConvolution1D": "Conv1D",
    "AtrousConv1D": "Conv1D",
    "AtrousConvolution2D": "Conv2D",
    "AtrousConv2D": "Conv2D",
    "CuDNNLSTM": "LSTM",
    "CuDNNGRU": "GRU",
    "ThresholdedReLU": "ReLU",
}
RENAMED_KWARGS = {"atrous_rate": "dilation_rate"}
REMOVED = {
    "Merge",
    "LocallyConnected1D",
    "LocallyConnected2D",
    "Highway",
    "MaxoutDense",
    "Recurrent",
}
MODELS = {
    "keras.models.Model",
    "keras.Model",
    "keras.engine.training.Model",
    "keras.engine.topology.Model",
    "keras.models.Sequential",
}
MERGE_MODES = {
    "concat": "concatenate",
    "sum": "add",
    "mul": "multiply",
    "ave": "average",
    "max": "maximum",
    "dot": "dot",
    "cos": "dot",
}
RNN_CLASSES = {"LSTM", "GRU", "ConvLSTM2D", "CuDNNGRU"}
# Keras 2 parameters that come first, so a positional argument already gives them.
FIRST_PARAMETERS = {"units", "filters", "rate", "pool_size", "size", "stddev"}
# With these keywords keras 2.2.4 refused Conv2D(n, int, int) and tf.keras read the third int
# as strides: then the call is not Keras 1.
_NOT_KERAS1 = ("padding", "strides", "data_format")


def _layer(ctx, func):
    """The class name a callee names in `keras.layers` (any Keras 2 sub-module), or None."""
    full = ctx.names.qualify(func)
    if full is None or not full.startswith("keras.layers."):
        return None
    return full.rsplit(".", 1)[1]


def _literal(node):
    return node.evaluated_value if isinstance(node, (cst.SimpleString, cst.Integer)) else None


def _rename_keywords(ctx, original, call, table):
    done = []
    for old, new in table.items():
        i = edit.keyword_index(call, old)
        if i is None:
            continue
        if edit.keyword_index(call, new) is not None or (
            new in FIRST_PARAMETERS and edit.positional(call)
        ):
            ctx.report(
                KERAS1_KWARGS.id, original, f"both `{old}` and `{new}`: remove one", applied=False
            )
            continue
        values = VALUES.get(old)
        if values is not None:
            value = _literal(call.args[i].value)
            if value not in values:
                ctx.report(
                    KERAS1_KWARGS.id,
                    original,
                    f"`{old}` with a non-literal or unknown value: map it to `{new}` by hand",
                    applied=False,
                )
                continue
            if values[value] is None:
                call = edit.remove_argument(call, i)
                done.append(f"{old}='{value}' dropped")
                continue
            call = edit.set_argument_value(call, i, edit.expression(values[value]))
        call = edit.rename_keyword(call, old, new)
        done.append(f"{old} -> {new}")
    if done:
        ctx.report(KERAS1_KWARGS.id, original, f"Keras 1 arguments: {', '.join(done)}")
    return call


def _rnn_extras(ctx, original, call):
    i = edit.keyword_index(call, "forget_bias_init")
    if i is not None:
        if (
            _literal(call.args[i].value) == "one"
            and edit.keyword_index(call, "unit_forget_bias") is None
        ):
            call = edit.set_argument_value(call, i, cst.Name("True"))
            call = edit.rename_keyword(call, "forget_bias_init", "unit_forget_bias")
            ctx.report(
                KERAS1_KWARGS.id,
                original,
                "Keras 1 forget_bias_init='one' -> unit_forget_bias=True",
            )
        else:
            ctx.report(
                KERAS1_KWARGS.id,
                original,
                "`forget_bias_init` other than 'one': use `bias_initializer` by hand",
                applied=False,
            )
    dim, length = edit.keyword_index(call, "input_dim"), edit.keyword_index(call, "input_length")
    if dim is not None and length is not None and edit.keyword_index(call, "input_shape") is None:
        shape = edit.template("(__0__, __1__)", call.args[length].value, call.args[dim].value)
        call = edit.set_argument_value(call, dim, shape)
        call = edit.rename_keyword(call, "input_dim", "input_shape")
        call = edit.remove_keyword(call, "input_length")
        ctx.report(KERAS1_KWARGS.id, original, "Keras 1 input_dim, input_length -> input_shape")
    return call


def _kernel(ctx, original, call, cls):
    """Keras 1 separate kernel sizes -> one `kernel_size` tuple."""
    sizes = (
        ("nb_row", "nb_col") if cls in KERNEL_2D else ("kernel_dim1", "kernel_dim2", "kernel_dim3")
    )
    given = [edit.keyword_index(call, k) for k in sizes]
    if all(i is not None for i in given):
        values = [call.args[i].value for i in given]
        call = edit.set_argument_value(
            call,
            given[0],
            edit.template("(" + ", ".join(f"__{n}__" for n in range(len(values))) + ")", *values),
        )
        call = edit.rename_keyword(call, sizes[0], "kernel_size")
        for name in sizes[1:]:
            call = edit.remove_keyword(call, name)
        ctx.report(KERAS1_KERNEL.id, original)
        return call
    positional = edit.positional(call)
    n = len(sizes)
    head = (dotted(original.func) or "").split(".", 1)[0]
    if canonical(ctx.names.bindings.get(head, "")).startswith("tensorflow") or head == "tf":
        return call  # tf.keras: Conv2D(n, 3, 2) meant strides=2
    if any(edit.keyword_index(original, k) is not None for k in _NOT_KERAS1):
        return call
    if len(positional) >= 2 + n - 1 and not edit.has_star_args(call):
        kernel = positional[1 : 1 + n]
        if all(isinstance(a.value, cst.Integer) for a in kernel) and len(positional) <= 1 + n:
            tuple_node = edit.template(
                "(" + ", ".join(f"__{k}__" for k in range(n)) + ")", *[a.value for a in kernel]
            )
            first = call.args.index(kernel[0])
            args = list(call.args)
            args[first] = kernel[0].with_changes(value=tuple_node, comma=kernel[-1].comma)
            del args[first + 1 : first + n]
            ctx.report(KERAS1_KERNEL.id, original)
            return call.with_changes(args=args)
        if all(isinstance(a.value, cst.Integer) for a in kernel):
            ctx.report(
                KERAS1_KERNEL.id,
                original,
                "Keras 1 kernel sizes followed by more positional arguments: rewrite by hand",
                applied=False,
            )
    return call


@register(cst.Call)
def layer_arguments(ctx, original, call):
    cls = _layer(ctx, original.func)
    if cls is None:
        full = ctx.names.qualify(original.func)
        if full in MODELS and ctx.enabled(MODEL_KWARGS.id, original):
            return _model_kwargs(ctx, original, call)
        return None
    if cls in REMOVED and ctx.enabled(REMOVED_LAYER.id, original):
        ctx.report(REMOVED_LAYER.id, original, f"{cls}: {REMOVED_LAYER.summary}", applied=False)
        return None
    if cls in ("merge",) and ctx.enabled(MERGE_FUNCTION.id, original):
        return _merge(ctx, original, call)
    new = call
    if ctx.enabled(KERAS1_KWARGS.id, original):
        new = _rename_keywords(ctx, original, new, KWARGS.get(cls, {}))
        if cls in ("SimpleRNN", "GRU", "LSTM", "ConvLSTM2D", "Conv1D", "Convolution1D"):
            new = _rnn_extras(ctx, original, new)
    if (cls in KERNEL_2D or cls in KERNEL_3D) and ctx.enabled(KERAS1_KERNEL.id, original):
        new = _kernel(ctx, original, new, cls)
    if cls in RENAMES and ctx.enabled(RENAMED_CLASS.id, original):
        new = _renamed_class(ctx, original, new, cls)
    if (
        cls == "BatchNormalization"
        and edit.keyword_index(new, "mode") is not None
        and ctx.enabled(BATCHNORM_MODE.id, original)
    ):
        if _literal(edit.keyword_value(new, "mode")) == 0:
            new = edit.remove_keyword(new, "mode")
            ctx.report(BATCHNORM_MODE.id, original)
        else:
            ctx.report(
                BATCHNORM_MODE.id,
                original,
                "BatchNormalization(mode=1/2) has no Keras 3 equivalent",
                applied=False,
            )
    if (
        cls == "LeakyReLU"
        and edit.keyword_index(new, "alpha") is not None
        and ctx.enabled(LEAKY_ALPHA.id, original)
    ):
        if edit.keyword_index(new, "negative_slope") is None:
            new = edit.rename_keyword(new, "alpha", "negative_slope")
            ctx.report(LEAKY_ALPHA.id, original)
    if cls in RNN_CLASSES and ctx.enabled(RNN_DEFAULTS.id, original):
        _rnn_defaults(ctx, original, new, cls)
    return new if new is not call else None


def _rnn_defaults(ctx, original, call, cls):
    head = (dotted(original.func) or "").split(".", 1)[0]
    bound = ctx.names.bindings.get(head, "")
    if bound.startswith("tensorflow") or cls == "CuDNNGRU":
        return  # tf.keras 2 already had Keras 3's defaults; CuDNNGRU is reset_after math
    missing = [
        k
        for k in ("recurrent_activation",) + (("reset_after",) if cls == "GRU" else ())
        if edit.keyword_index(call, k) is None
    ]
    if missing and not edit.has_star_args(call):
        ctx.report(
            RNN_DEFAULTS.id,
            original,
            f"{cls} without {', '.join(missing)}: {RNN_DEFAULTS.summary}",
            applied=False,
        )


def _renamed_class(ctx, original, call, cls):
    new_cls = RENAMES[cls]
    for old, new in RENAMED_KWARGS.items():
        if edit.keyword_index(call, old) is not None:
            call = edit.rename_keyword(call, old, new)
    if cls == "ThresholdedReLU":
        positional = edit.positional(call)
        if positional:
            call = edit.positional_to_keywords(call, ["theta"], start=0)
        if edit.keyword_index(call, "theta") is not None:
            call = edit.rename_keyword(call, "theta", "threshold")
        else:
            call = edit.add_keyword(call, "threshold", cst.Float("1.0"))
    if isinstance(call.func, cst.Attribute):
        call = call.with_changes(func=call.func.with_changes(attr=cst.Name(new_cls)))
    ctx.report(RENAMED_CLASS.id, original)
    return call


def _model_kwargs(ctx, original, call):
    new = call
    for old, name in (("input", "inputs"), ("output", "outputs")):
        if edit.keyword_index(new, old) is not None and edit.keyword_index(new, name) is None:
            new = edit.rename_keyword(new, old, name)
    if new is call:
        return None
    ctx.report(MODEL_KWARGS.id, original)
    return new


def _merge(ctx, original, call):
    mode = edit.keyword_value(call, "mode")
    mode = "concat" if mode is None else _literal(mode)
    if (
        mode not in MERGE_MODES
        or edit.keyword_index(call, "output_shape") is not None
        or len(edit.positional(call)) != 1
        or edit.has_star_args(call)
    ):
        ctx.report(
            MERGE_FUNCTION.id,
            original,
            "merge() with a callable or unknown mode, "
            "output_shape or extra positional arguments: rewrite by hand",
            applied=False,
        )
        return None
    owner = ctx.name_for("keras.layers", "layers", "from keras import layers")
    if owner is None:
        ctx.report(
            MERGE_FUNCTION.id,
            original,
            "`layers` and `keras` are other names here: rewrite by hand",
            applied=False,
        )
        return None
    new = edit.remove_keyword(call, "mode")
    for old, keyword in (("concat_axis", "axis"), ("dot_axes", "axes")):
        if edit.keyword_index(new, old) is not None:
            new = edit.rename_keyword(new, old, keyword)
    if mode == "concat" and edit.keyword_index(new, "axis") is None:
        new = edit.add_keyword(new, "axis", cst.UnaryOperation(cst.Minus(), cst.Integer("1")))
    if mode in ("dot", "cos") and edit.keyword_index(new, "axes") is None:
        new = edit.add_keyword(new, "axes", cst.UnaryOperation(cst.Minus(), cst.Integer("1")))
    if mode == "cos":
        new = edit.add_keyword(new, "normalize", cst.Name("True"))
    ctx.report(MERGE_FUNCTION.id, original)
    return new.with_changes(func=edit.expression(f"{owner}.{MERGE_MODES[mode]}"))


@register(cst.ImportFrom)
def renamed_layer_import(ctx, original, node):
    """`from keras.layers import CuDNNLSTM` -> `from keras.layers import LSTM as CuDNNLSTM`."""
    if node.module is None or canonical(dotted(node.module)) != "keras.layers":
        return None
    new = edit.import_renamed(node, RENAMES)
    if new is None or not ctx.enabled(RENAMED_CLASS.id, original):
        return None
    ctx.report(RENAMED_CLASS.id, original)
    return new


@register(cst.Call)
def add_weight_keywords(ctx, original, call):
    if edit.method_name(call) != "add_weight" or not ctx.names.imports_keras:
        return None
    positional = edit.positional(call)
    if not positional or not ctx.enabled(ADD_WEIGHT.id, original):
        return None
    if edit.has_star_args(call):
        ctx.report(
            ADD_WEIGHT.id,
            original,
            "add_weight(*args): give `name=` as a keyword by hand",
            applied=False,
        )
        return None
    if isinstance(positional[0].value, (cst.Tuple, cst.List)):  # Keras 1: (shape, name)
        if len(positional) > 2:
            ctx.report(
                ADD_WEIGHT.id,
                original,
                "Keras 1 add_weight with more than (shape, name) positional: rewrite by hand",
                applied=False,
            )
            return None
        order = ("shape", "name")
    else:
        order = ("name", "shape", "dtype", "initializer", "regularizer", "trainable", "constraint")
        if len(positional) > len(order):
            return None
    ctx.report(ADD_WEIGHT.id, original)
    return edit.positional_to_keywords(call, order, start=0)


INPUT_LENGTH = rule(
    "KRS080",
    Level.INFO,
    Mode.REPORT,
    "`Embedding(input_length=)` is deprecated in Keras 3",
    """Keras 3 ignores it with a warning ("Just remove it"). Without it a Sequential model is only
    built at its first call: give it a `keras.Input((input_length,))` first if you need
    `summary()` or the weights before training.""",
)
LAYER_SHAPES = rule(
    "KRS081",
    Level.ERROR,
    Mode.REPORT,
    "a layer's `output_shape`/`input_shape` attribute is gone in Keras 3",
    """Keras 3 layers have no `output_shape`/`input_shape` (AttributeError); models still do. Use
    `layer.output.shape` / `layer.input.shape` (functional models) or `compute_output_shape`.""",
)
PRIVATE_STATE = rule(
    "KRS082",
    Level.ERROR,
    Mode.REPORT,
    "private Keras 2 model state (`metrics_tensors`, `_per_input_losses`, ...) is gone",
    """Code that appended to `model.metrics_tensors` / `model.metrics_names` or read
    `_per_input_losses` (e.g. Mask R-CNN) must log extra values with `add_metric`-free Keras 3
    idioms: a custom `train_step`, or metrics passed to `compile`.""",
)


@register(cst.Call)
def embedding_input_length(ctx, original, call):
    if (
        edit.keyword_index(call, "input_length") is None
        or _layer(ctx, original.func) != "Embedding"
    ):
        return None
    if ctx.enabled(INPUT_LENGTH.id, original):
        ctx.report(INPUT_LENGTH.id, original, applied=False)
    return None


def _is_layer_expression(node):
    """`model.layers[i]` or `model.get_layer(...)`."""
    if isinstance(node, cst.Subscript):
        return isinstance(node.value, cst.Attribute) and node.value.attr.value == "layers"
    return isinstance(node, cst.Call) and edit.method_name(node) == "get_layer"


@register(cst.Attribute)
def layer_attributes(ctx, original, node):
    name = node.attr.value
    if name in ("output_shape", "input_shape") and _is_layer_expression(original.value):
        if ctx.names.imports_keras and ctx.enabled(LAYER_SHAPES.id, original):
            ctx.report(LAYER_SHAPES.id, original, applied=False)
    elif name in ("metrics_tensors", "_per_input_losses", "_per_input_updates"):
        if ctx.names.imports_keras and ctx.enabled(PRIVATE_STATE.id, original):
            ctx.report(
                PRIVATE_STATE.id, original, f"`{name}`: {PRIVATE_STATE.summary}", applied=False
            )
    return None
