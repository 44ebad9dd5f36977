"""Backend functions: `K.*` (K = keras.backend / tf.keras.backend) to `keras.ops`.

Keras 3's `keras.backend` keeps only 14 names; `tf.keras.backend` still has the old functions on
TensorFlow 2.16+, so a file that mixes `K.*` and `keras.ops` is worse than one that keeps `K.*`.
The rewrite is therefore all or nothing per file: it happens only when every `K.*` use in the file
is in `OPS` (with arguments it can map) or in `KEPT`. Otherwise each use that blocks it is
reported and the file keeps `K.*`.
"""

import ast
import dataclasses

import libcst as cst

from compatkeras.migrate import edit
from compatkeras.migrate import facts as facts_lib
from compatkeras.migrate.model import Level, Mode, rule
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
    `K.set_value(v, x)` is `v.assign(x)`, `K.int_shape(x)` is `tuple(x.shape)`. Applied only when
    every `K.*` use in the file can be rewritten (KRS092).""",
)
NO_EQUIVALENT = rule(
    "KRS091",
    Level.ERROR,
    Mode.REPORT,
    "backend function without a Keras 3 equivalent",
    """`K.function`, `K.gradients`, `K.placeholder`, `K.get_session`/`set_session`,
    `K.learning_phase`/`set_learning_phase`, `K.rnn`, `K.moving_average_update`, `K.map_fn`,
    `K.foldl`/`foldr`, `K.name_scope`, `K.image_dim_ordering`, ... have no `keras.ops` counterpart:
    use `tf.GradientTape`, `keras.Input`, `training=` arguments, `keras.ops.scan`/`map`. They still
    exist in `tf.keras.backend` on TensorFlow 2.16+, not under `import keras`.""",
)
KEPT_AS_K = rule(
    "KRS092",
    Level.WARNING,
    Mode.REPORT,
    "this `K.*` use blocks the file's `keras.ops` rewrite: all `K.*` calls are kept",
    """A `K.*` function without a mapped equivalent, one called with arguments the mapping does not
    cover (e.g. `K.relu(x, alpha=0.1)`, `*args`), or `K` used as a value. The file keeps `K.*`
    everywhere; it runs as long as K is `tf.keras.backend` (not under Keras 3's `import keras`).""",
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
    "constant": _op(
        "ops.convert_to_tensor",
        "value dtype shape name",
        2,
        renames={"value": "x", "shape": None, **_NO_NAME},
    ),
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
NONE = frozenset(
    {
        "function",
        "gradients",
        "placeholder",
        "get_session",
        "set_session",
        "learning_phase",
        "set_learning_phase",
        "rnn",
        "moving_average_update",
        "map_fn",
        "foldl",
        "foldr",
        "name_scope",
        "image_dim_ordering",
        "set_image_dim_ordering",
        "batch_dot",
        "ctc_batch_cost",
        "ctc_decode",
        "conv1d",
        "conv2d",
        "conv3d",
        "pool2d",
        "pool3d",
        "batch_get_value",
        "batch_set_value",
        "get_variable_shape",
        "count_params",
        "print_tensor",
        "in_train_phase",
        "in_test_phase",
    }
)

# The modules the targets live in: (local name to import, import statement).
_HOMES = {
    "ops": ("keras.ops", "ops", "from keras import ops"),
    "random": ("keras.random", "random", "from keras import random"),
}


def _problem(name, positional, keywords, star, lambdas, first_is_name):
    """Why `K.name(...)` with these arguments cannot be rewritten, or None."""
    if name in KEPT:
        return None
    if name not in OPS:
        return "no keras.ops equivalent" if name in NONE else "not in the rewrite table"
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
    if op.template:
        given = set(op.params[:positional]) | set(keywords)
        if len(given) != len(op.params):
            return "arguments left to their defaults"
    if op.simple_first and not first_is_name:
        return "the argument is used twice: it must be a plain name"
    if name == "switch" and lambdas:
        return "callables (a scalar condition): use ops.cond"
    return None


def _locals(ctx):
    return [n for n in ctx.names.bindings if ctx.names.binds_module(n, "keras.backend")]


def _arguments(args, star, is_lambda, is_name, keyword):
    """`_problem`'s view of a call's arguments, from either tree."""
    positional = [a for a in args if keyword(a) is None]
    return dict(
        positional=len(positional),
        keywords=[keyword(a) for a in args if keyword(a)],
        star=star,
        lambdas=any(is_lambda(a) for a in positional),
        first_is_name=bool(positional) and is_name(positional[0]),
    )


def _scan(ctx):
    """(backend names, [reasons]) where the reasons are the uses that block the file's rewrite;
    read once per file from the `ast` tree."""
    cached = ctx.cache.get("backend")
    if cached is not None:
        return cached
    names = set(_locals(ctx))
    blocked = []
    called = set()

    def is_backend(node):
        kind = type(node)
        if kind is ast.Name:
            return node.id in names
        return (
            kind is ast.Attribute
            and node.attr == "backend"
            and (ctx.names.qualify_name(facts_lib.dotted(node)) == "keras.backend")
        )

    calls, attributes = [], []
    by_func = {id(call.func): call for call in ctx.facts.calls}
    for node in ctx.facts.owned_attributes:  # gathered by the facts' walk
        if is_backend(node.value):
            call = by_func.get(id(node))
            (calls if call is not None else attributes).append(call or node)
    for node in calls:
        called.add(id(node.func))
        items = [*node.args, *node.keywords]
        reason = _problem(
            node.func.attr,
            **_arguments(
                items,
                any(isinstance(a, ast.Starred) for a in node.args)
                or any(k.arg is None for k in node.keywords),
                lambda a: isinstance(a, ast.Lambda),
                lambda a: isinstance(a, ast.Name),
                lambda a: a.arg if isinstance(a, ast.keyword) else None,
            ),
        )
        if reason:
            blocked.append(f"K.{node.func.attr} ({reason}, line {node.lineno})")
    for node in attributes:
        if id(node) not in called and node.attr not in KEPT:
            blocked.append(f"K.{node.attr} (used as a value, line {node.lineno})")
    if names & ctx.facts.bare_names:
        blocked.append("the backend module used as a value")
    ctx.cache["backend"] = (names, blocked)
    return names, blocked


@register(cst.Call)
def backend_call(ctx, original, call):
    func = original.func
    if not isinstance(func, cst.Attribute):
        return None
    owner = func.value
    if isinstance(owner, cst.Name):
        if not ctx.names.binds_module(owner.value, "keras.backend"):
            return None
    elif not (
        isinstance(owner, cst.Attribute)
        and owner.attr.value == "backend"
        and ctx.names.qualify(owner) == "keras.backend"
    ):
        return None
    name = func.attr.value
    if name in KEPT:
        return None
    names, blocked = _scan(ctx)
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
    if name in NONE:
        if ctx.enabled(NO_EQUIVALENT.id, original):
            ctx.report(
                NO_EQUIVALENT.id, original, f"K.{name}: {NO_EQUIVALENT.summary}", applied=False
            )
        return None
    if reason is not None:
        if ctx.enabled(KEPT_AS_K.id, original):
            ctx.report(
                KEPT_AS_K.id, original, f"K.{name}: {reason}; {KEPT_AS_K.summary}", applied=False
            )
        return None
    if blocked or not ctx.enabled(TO_OPS.id, original):
        if blocked and not ctx.cache.get("backend-told") and ctx.enabled(KEPT_AS_K.id, original):
            ctx.cache["backend-told"] = True
            ctx.report(
                KEPT_AS_K.id,
                original,
                "K.* kept in this file because of "
                + "; ".join(blocked[:3])
                + ("; ..." if len(blocked) > 3 else ""),
                applied=False,
            )
        return None
    return _rewrite(ctx, original, call, name)


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
        new = edit.template(text, *[values[p].value for p in op.params])
        ctx.report(TO_OPS.id, original, f"K.{name} -> {op.target.split('(')[0] or 'method'}")
        return new.with_changes(lpar=call.lpar, rpar=call.rpar)
    module, _, function = op.target.rpartition(".")
    owner = ctx.name_for(*_HOMES[module]) if module else _keras_name(ctx)
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
            new_args.append(edit.arg(edit.expression(text), keyword, last=True))
    ctx.report(TO_OPS.id, original, f"K.{name} -> {op.target}")
    return call.with_changes(
        func=edit.expression(f"{owner}.{function}"), args=_fix_commas(new_args, call.args)
    )


def _keras_name(ctx):
    for name in ctx.names.bindings:
        if ctx.names.binds_module(name, "keras"):
            return name
    if "keras" not in ctx.names.bindings:
        ctx.require_import("import keras")
        return "keras"
    return None


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
