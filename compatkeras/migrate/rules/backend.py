"""Backend functions: `K.*` (K = keras.backend / tf.keras.backend) to `keras.ops`.

Keras 3's `keras.backend` keeps only 14 names, so every `K.*` call is decided on its own: rewritten
to `keras.ops` where the mapping is exact (`OPS`), left where Keras 3's `keras.backend` still has
the name (`KEPT`), moved to `tf.keras.backend` (Keras 3's legacy TensorFlow backend, tf.keras 2.x's
functions) where only that has it (`LEGACY`), and reported at its own line otherwise.
"""

import dataclasses

import libcst as cst

from compatkeras.migrate import edit
from compatkeras.migrate.model import Level, Mode, rule
from compatkeras.migrate.names import dotted
from compatkeras.migrate.transform import register

TO_OPS = rule(
    "KRS090",
    Level.INFO,
    Mode.GUARDED,
    "`K.*` backend function rewritten to `keras.ops` (or `keras.random`, `keras.Variable`)",
    """Keras 3's `keras.backend` has no math functions; `keras.ops` holds their equivalents. Where
    names, argument names or defaults differ the call is adapted: `K.argmax(x)` is
    `ops.argmax(x, axis=-1)` (ops' default axis is None), `K.concatenate(xs)` gets `axis=-1`,
    `K.permute_dimensions` is `ops.transpose`, `K.gather(x, i)` is `ops.take(x, i, axis=0)`,
    `K.switch` is `ops.where`, `K.hard_sigmoid(x)` is `ops.clip(0.2 * x + 0.5, 0.0, 1.0)` (ops'
    hard_sigmoid has another slope), `K.get_value(v)` is `ops.convert_to_numpy(v)`,
    `K.set_value(v, x)` is `v.assign(x)`, `K.int_shape(x)` is `tuple(x.shape)`. Each call is
    decided on its own; the others in the file do not hold it back.""",
)
NO_EQUIVALENT = rule(
    "KRS091",
    Level.ERROR,
    Mode.REPORT,
    "backend function without a Keras 3 equivalent",
    """`K.function`, `K.placeholder`, `K.get_session`/`set_session`, `K.learning_phase`/
    `set_learning_phase`, `K.image_dim_ordering`, ... exist neither in `keras.ops` nor in Keras 3's
    legacy `tf.keras.backend`: use `tf.GradientTape`, `keras.Input`, `training=` arguments,
    `keras.config.image_data_format()`. `K.batch_dot` of standalone Keras 2.2 is reported too:
    Keras 2.3 changed its result for operands of rank > 3, so no rewrite is exact; write it with
    `keras.ops.einsum` or `keras.ops.matmul`. The call is left as it is and fails on Keras 3.""",
)
BACKEND_VALUE = rule(
    "KRS092",
    Level.WARNING,
    Mode.REPORT,
    "a `K.*` name used as a value (not called): not in Keras 3's `keras.backend`",
    """`fn = K.sum`, `Lambda(K.square)`, `getattr(K, name)`: the name is not rewritten, and Keras 3's
    `keras.backend` has only 14 names (`epsilon`, `floatx`, `image_data_format`, ...). Use the
    `keras.ops` function (`keras.ops.sum`) or a lambda.""",
)
TO_LEGACY = rule(
    "KRS093",
    Level.WARNING,
    Mode.GUARDED,
    "`K.*` function without a `keras.ops` form: moved to `tf.keras.backend`",
    """Keras 3 keeps tf.keras 2.x's backend functions in its legacy TensorFlow backend, reachable as
    `tf.keras.backend` on TensorFlow 2.16+ (`K.rnn`, `K.ctc_batch_cost`, `K.conv2d`, `K.map_fn`
    with `dtype=`, `K.relu(x, alpha=...)`, ...). A call of standalone Keras's backend that has no
    exact `keras.ops` form is moved there; the code then needs the TensorFlow backend. Calls
    through `tf.keras.backend` already are left as they are.""",
)


@dataclasses.dataclass(frozen=True)
class Op:
    target: str  # "ops.sum", "random.normal", "Variable"; or a template over __0__, __1__, ...
    params: tuple  # the Keras 2 parameters, in order
    positional: int  # how many leading parameters keep their place in the Keras 3 function
    renames: dict = dataclasses.field(default_factory=dict)  # Keras 2 name -> Keras 3 (None: none)
    defaults: dict = dataclasses.field(default_factory=dict)  # Keras 3 keyword -> text if absent
    template: bool = False
    simple_first: bool = False  # the template repeats __0__: it must be a plain name
    unnamed: int = 0  # leading parameters Keras 3 names differently (x, y -> x1, x2): positional


def _op(target, params, positional=None, **kw):
    names = tuple(params.split())
    return Op(target, names, len(names) if positional is None else positional, **kw)


_NO_NAME = {"name": None}
_KERAS = "__keras__"  # in a default: the file's name for the `keras` module
OPS = {
    **{
        n: _op(f"ops.{n}", "x axis keepdims")
        for n in ("sum", "mean", "max", "min", "prod", "std", "var", "any", "all")
    },
    **{
        n: _op(f"ops.{n}", "x")
        for n in (
            "square",
            "sqrt",
            "exp",
            "log",
            "abs",
            "sign",
            "round",
            "cos",
            "sin",
            "tanh",
            "sigmoid",
            "softplus",
            "softsign",
            "ndim",
            "shape",
            "transpose",
        )
    },
    "stop_gradient": _op("ops.stop_gradient", "variables", unnamed=1),
    **{
        n: _op(f"ops.{n}", "x y", unnamed=2)
        for n in (
            "equal",
            "not_equal",
            "greater",
            "greater_equal",
            "less",
            "less_equal",
            "maximum",
            "minimum",
            "dot",
        )
    },
    "pow": _op("ops.power", "x a", unnamed=2),
    "argmax": _op("ops.argmax", "x axis", defaults={"axis": "-1"}),
    "argmin": _op("ops.argmin", "x axis", defaults={"axis": "-1"}),
    "softmax": _op("ops.softmax", "x axis"),
    "elu": _op("ops.elu", "x alpha"),
    "relu": _op(
        "ops.relu",
        "x alpha max_value threshold",
        1,
        renames={"alpha": None, "max_value": None, "threshold": None},
    ),
    "clip": _op(
        "ops.clip", "x min_value max_value", renames={"min_value": "x_min", "max_value": "x_max"}
    ),
    "cast": _op("ops.cast", "x dtype"),
    "concatenate": _op(
        "ops.concatenate", "tensors axis", renames={"tensors": "xs"}, defaults={"axis": "-1"}
    ),
    "stack": _op("ops.stack", "x axis"),
    "reshape": _op("ops.reshape", "x shape", renames={"shape": "newshape"}),
    "permute_dimensions": _op("ops.transpose", "x pattern", renames={"pattern": "axes"}),
    "expand_dims": _op("ops.expand_dims", "x axis", defaults={"axis": "-1"}),
    "squeeze": _op("ops.squeeze", "x axis"),
    "tile": _op("ops.tile", "x n", renames={"n": "repeats"}),
    "repeat_elements": _op("ops.repeat", "x rep axis", renames={"rep": "repeats"}),
    "cumsum": _op("ops.cumsum", "x axis", defaults={"axis": "0"}),
    "cumprod": _op("ops.cumprod", "x axis", defaults={"axis": "0"}),
    "gather": _op(
        "ops.take", "reference indices", renames={"reference": "x"}, defaults={"axis": "0"}
    ),
    "reverse": _op("ops.flip", "x axes", renames={"axes": "axis"}),
    "one_hot": _op("ops.one_hot", "indices num_classes", renames={"indices": "x"}),
    "arange": _op("ops.arange", "start stop step dtype", defaults={"dtype": "'int32'"}),
    "eye": _op("ops.eye", "size dtype name", 1, renames={"size": "N", **_NO_NAME}),
    **{n: _op(f"ops.{n}", "shape dtype name", 2, renames=_NO_NAME) for n in ("zeros", "ones")},
    **{
        n: _op(f"ops.{n}", "x dtype name", 2, renames=_NO_NAME) for n in ("zeros_like", "ones_like")
    },
    "switch": _op(
        "ops.where",
        "condition then_expression else_expression",
        3,
        renames={"then_expression": "x1", "else_expression": "x2"},
    ),
    "binary_crossentropy": _op("ops.binary_crossentropy", "target output from_logits"),
    "categorical_crossentropy": _op(
        "ops.categorical_crossentropy", "target output from_logits axis"
    ),
    "sparse_categorical_crossentropy": _op(
        "ops.sparse_categorical_crossentropy", "target output from_logits axis"
    ),
    "in_top_k": _op("ops.in_top_k(__1__, __0__, __2__)", "predictions targets k", template=True),
    "flatten": _op("ops.reshape(__0__, (-1,))", "x", template=True),
    "batch_flatten": _op(
        "ops.reshape(__0__, (ops.shape(__0__)[0], -1))", "x", template=True, simple_first=True
    ),
    "hard_sigmoid": _op("ops.clip(0.2 * __0__ + 0.5, 0.0, 1.0)", "x", template=True),
    "l2_normalize": _op("ops.normalize(__0__, axis=__1__, order=2)", "x axis", template=True),
    "int_shape": _op("tuple(__0__.shape)", "x", template=True),
    "get_value": _op("ops.convert_to_numpy(__0__)", "x", template=True),
    "eval": _op("ops.convert_to_numpy(__0__)", "x", template=True),
    "set_value": _op("__0__.assign(__1__)", "x value", template=True),
    "update": _op("__0__.assign(__1__)", "x new_x", template=True),
    "update_add": _op("__0__.assign_add(__1__)", "x increment", template=True),
    "update_sub": _op("__0__.assign_sub(__1__)", "x decrement", template=True),
    # K.constant gave floatx() when no dtype was given; convert_to_tensor keeps numpy's float64.
    "constant": _op(
        "ops.convert_to_tensor",
        "value dtype shape name",
        2,
        renames={"value": "x", "shape": None, **_NO_NAME},
        defaults={"dtype": "__keras__.config.floatx()"},
    ),
    "logsumexp": _op("ops.logsumexp", "x axis keepdims"),
    # Keras 2's spelling of the data format ('th': channels first, 'tf': channels last).
    "image_dim_ordering": _op(
        "('th' if __keras__.config.image_data_format() == 'channels_first' else 'tf')",
        "",
        template=True,
    ),
    "dtype": _op("ops.dtype", "x"),
    "map_fn": _op("ops.map", "fn elems", renames={"fn": "f", "elems": "xs"}),
    "variable": _op("Variable", "value dtype name", 1, renames={"value": "initializer"}),
    "random_normal": _op("random.normal", "shape mean stddev dtype seed"),
    "random_uniform": _op("random.uniform", "shape minval maxval dtype seed"),
    "truncated_normal": _op("random.truncated_normal", "shape mean stddev dtype seed"),
    "dropout": _op(
        "random.dropout", "x level noise_shape seed", renames={"x": "inputs", "level": "rate"}
    ),
}
KEPT = frozenset(
    {
        "epsilon",
        "floatx",
        "set_floatx",
        "image_data_format",
        "set_image_data_format",
        "clear_session",
        "is_keras_tensor",
        "backend",
        "set_epsilon",
    }
)
# The functions of Keras 3's legacy `tf.keras.backend` (keras._tf_keras.keras.backend), which
# tests/migrate/test_api_conformance.py checks against the installed Keras.
LEGACY = frozenset(
    """abs all any arange argmax argmin batch_flatten batch_get_value batch_normalization
    batch_set_value bias_add binary_crossentropy binary_focal_crossentropy cast cast_to_floatx
    categorical_crossentropy categorical_focal_crossentropy clip concatenate constant conv1d conv2d
    conv2d_transpose conv3d cos count_params ctc_batch_cost ctc_decode ctc_label_dense_to_sparse
    cumprod cumsum depthwise_conv2d dot dropout dtype elu equal eval exp expand_dims eye flatten
    foldl foldr gather get_value gradients greater greater_equal hard_sigmoid in_top_k int_shape
    is_sparse l2_normalize less less_equal log map_fn max maximum mean min minimum
    moving_average_update name_scope ndim not_equal one_hot ones ones_like permute_dimensions
    pool2d pool3d pow prod random_bernoulli random_normal random_normal_variable random_uniform
    random_uniform_variable relu repeat repeat_elements reshape resize_images resize_volumes
    reverse rnn round separable_conv2d set_value shape sigmoid sign sin softmax softplus softsign
    sparse_categorical_crossentropy spatial_2d_padding spatial_3d_padding sqrt square squeeze
    stack std stop_gradient sum switch tanh temporal_padding tile to_dense transpose
    truncated_normal update update_add update_sub var variable zeros zeros_like""".split()
)
# Legacy functions whose Keras 2.2 meaning differs from tf.keras 2.x's: never moved silently.
CHANGED_SINCE_KERAS_2_2 = frozenset({"batch_dot"})
# Keras 2 backend functions that neither keras.ops nor the legacy backend has.
_TF1_ONLY = frozenset(
    """function placeholder learning_phase set_learning_phase get_session set_session batch_dot
    logsumexp set_image_dim_ordering in_train_phase in_test_phase
    print_tensor get_variable_shape""".split()
)
# Keras 3's own keras.backend (KEPT plus its new names): attributes that still resolve there.
KERAS3_BACKEND = KEPT | {
    "get_uid",
    "is_float_dtype",
    "is_int_dtype",
    "result_type",
    "standardize_dtype",
}

# The modules the targets live in: (local name to import, import statement).
_HOMES = {
    "ops": ("keras.ops", "ops", "from keras import ops"),
    "random": ("keras.random", "random", "from keras import random"),
}


def _problem(name, positional, keywords, star, lambdas, first_is_name):
    """Why `K.name(...)` with these arguments has no exact `keras.ops` form, or None."""
    if name not in OPS:
        return "no keras.ops equivalent"
    op = OPS[name]
    if star:
        return "*args/**kwargs"
    if positional > len(op.params):
        return "too many positional arguments"
    for keyword in keywords:
        if keyword not in op.params or op.renames.get(keyword, keyword) is None:
            return f"argument `{keyword}`"
    given = set(op.params[:positional]) | set(keywords)
    for i, param in enumerate(op.params[: op.unnamed]):
        if param in keywords and not all(p in given for p in op.params[:i]):
            return f"argument `{param}` by keyword after a missing one"
    if positional > op.positional:
        extra = op.params[op.positional : positional]
        if any(op.renames.get(p, p) is None for p in extra):
            return f"argument `{extra[0]}`"
    if op.template and len(given) != len(op.params):
        return "arguments left to their defaults"
    if op.simple_first and not first_is_name:
        return "the argument is used twice: it must be a plain name"
    if name == "switch" and lambdas:
        return "callables (a scalar condition): use ops.cond"
    return None


def _backend_owner(ctx, owner):
    """Whether `owner` (the `K` of `K.f`) is Keras's backend module, and whether it is spelled
    through TensorFlow (`tf.keras.backend`, `from tensorflow.keras import backend as K`): that
    one is Keras 3's legacy backend on TensorFlow 2.16+, where tf.keras 2.x's functions live on."""
    if isinstance(owner, cst.Name):
        if not ctx.names.binds_module(owner.value, "keras.backend"):
            return None
        return ctx.names.bindings[owner.value].startswith("tensorflow")
    if (
        isinstance(owner, cst.Attribute)
        and owner.attr.value == "backend"
        and ctx.names.qualify(owner) == "keras.backend"
    ):
        head = dotted(owner).split(".", 1)[0]
        return ctx.names.bindings.get(head, "").startswith("tensorflow")
    return None


@register(cst.Attribute)
def backend_value(ctx, original, node):
    """`K.sum` not called (a call's own callee is withdrawn by `backend_call`)."""
    name = node.attr.value
    if name in KERAS3_BACKEND or not (name in LEGACY or name in OPS or name in _TF1_ONLY):
        return None  # not a backend function (`keras.models` where `keras` is the backend)
    via_tf = _backend_owner(ctx, original.value)
    if via_tf is None or (via_tf and name in LEGACY):
        return None
    if ctx.enabled(BACKEND_VALUE.id, original):
        ctx.report(BACKEND_VALUE.id, original, f"K.{name}: {BACKEND_VALUE.summary}", applied=False)
    return None


@register(cst.Call)
def backend_call(ctx, original, call):
    func = original.func
    if not isinstance(func, cst.Attribute):
        return None
    via_tf = _backend_owner(ctx, func.value)
    if via_tf is None:
        return None
    ctx.retract(func, BACKEND_VALUE.id)
    name = func.attr.value
    if name in KEPT:
        return None
    reason = _problem(
        name,
        **_arguments(
            call.args,
            edit.has_star_args(call),
            lambda a: isinstance(a.value, cst.Lambda),
            lambda a: isinstance(a.value, cst.Name),
            lambda a: a.keyword.value if a.keyword else None,
        ),
    )
    if reason is None:
        if not ctx.enabled(TO_OPS.id, original):
            return None
        return _rewrite(ctx, original, call, name)
    if name in LEGACY and via_tf:
        return None  # tf.keras.backend.f still exists on TensorFlow 2.16+
    if name in LEGACY and name not in CHANGED_SINCE_KERAS_2_2:
        if not ctx.enabled(TO_LEGACY.id, original):
            return None
        tf_name = ctx.name_for("tensorflow", "tf", "import tensorflow as tf")
        if tf_name is not None:
            ctx.report(
                TO_LEGACY.id, original, f"K.{name} ({reason}) -> {tf_name}.keras.backend.{name}"
            )
            return call.with_changes(func=edit.expression(f"{tf_name}.keras.backend.{name}"))
        reason = "no free name for `import tensorflow as tf`"
    if name in CHANGED_SINCE_KERAS_2_2:
        reason = "Keras 2.3 changed it for operands of rank > 3: use keras.ops.einsum/matmul"
    elif name not in LEGACY:
        reason = "no keras.ops or tf.keras.backend equivalent"
    if ctx.enabled(NO_EQUIVALENT.id, original):
        ctx.report(NO_EQUIVALENT.id, original, f"K.{name}: {reason}", applied=False)
    return None


def _arguments(args, star, is_lambda, is_name, keyword):
    """`_problem`'s view of a call's arguments."""
    positional = [a for a in args if keyword(a) is None]
    return dict(
        positional=len(positional),
        keywords=[keyword(a) for a in args if keyword(a)],
        star=star,
        lambdas=any(is_lambda(a) for a in positional),
        first_is_name=bool(positional) and is_name(positional[0]),
    )


def _rewrite(ctx, original, call, name):
    op = OPS[name]
    values = {}
    for i, arg in enumerate(call.args):
        values[op.params[i] if arg.keyword is None else arg.keyword.value] = arg
    if op.template:
        text = op.target
        if "ops." in text:
            owner = ctx.name_for(*_HOMES["ops"])
            if owner is None:
                return None
            text = text.replace("ops.", f"{owner}.")
        if _KERAS in text:
            keras_name = ctx.keras_name()
            if keras_name is None:
                return None
            text = text.replace(_KERAS, keras_name)
        new = edit.template(text, *[values[p].value for p in op.params])
        where = op.target.split("(")[0] or ("an expression" if op.target[0] == "(" else "method")
        ctx.report(TO_OPS.id, original, f"K.{name} -> {where}")
        if new.lpar and not call.lpar:
            return new  # a conditional expression keeps its own parentheses
        return new.with_changes(lpar=call.lpar, rpar=call.rpar)
    module, _, function = op.target.rpartition(".")
    owner = ctx.name_for(*_HOMES[module]) if module else ctx.keras_name()
    if owner is None:
        return None
    new_args = []
    for i, param in enumerate(op.params):
        arg = values.get(param)
        if arg is None:
            continue
        if i < op.unnamed:  # Keras 3 names it differently: positional
            new_args.append(arg.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT))
        elif i < op.positional and arg.keyword is None:
            new_args.append(arg)
        else:
            new_args.append(
                edit.arg(arg.value, op.renames.get(param, param)).with_changes(comma=arg.comma)
            )
    present = {op.renames.get(p, p) for p in values}
    for keyword, text in op.defaults.items():
        if keyword not in present:
            if _KERAS in text:  # a default that names Keras itself (`keras.config.floatx()`)
                keras_name = ctx.keras_name()
                if keras_name is None:
                    return None
                text = text.replace(_KERAS, keras_name)
            new_args.append(edit.arg(edit.expression(text), keyword, last=True))
    ctx.report(TO_OPS.id, original, f"K.{name} -> {op.target}")
    return call.with_changes(
        func=edit.expression(f"{owner}.{function}"), args=_fix_commas(new_args, call.args)
    )


def _fix_commas(args, old_args):
    """A comma after every argument but the last; the last one ends as the old last one did
    (a trailing comma stays, none is added)."""
    fixed = []
    for i, arg in enumerate(args):
        if i < len(args) - 1:
            if not isinstance(arg.comma, cst.Comma):
                arg = arg.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        else:
            arg = arg.with_changes(
                comma=old_args[-1].comma if old_args else cst.MaybeSentinel.DEFAULT
            )
        fixed.append(arg)
    return fixed
