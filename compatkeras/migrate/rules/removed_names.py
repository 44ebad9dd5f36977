"""Names that NumPy 2 and TensorFlow 2 removed, in Keras code: the program stops on them before
any Keras change matters. NumPy's aliases of the builtins are rewritten (exactly what they
were); TensorFlow 1 names are reported with their TensorFlow 2 spelling."""

import libcst as cst

from compatkeras.migrate import edit
from compatkeras.migrate.model import Level, Mode, rule
from compatkeras.migrate.transform import register

TF1_RENAME = rule(
    "KRS115",
    Level.INFO,
    Mode.AUTO,
    "a TensorFlow 1 function whose TensorFlow 2 name is the same function (`tf.log`)",
    """`tf.log`, `tf.log_sigmoid`, `tf.random_normal`, `tf.random_uniform`, `tf.truncated_normal`
    and `tf.sparse_tensor_to_dense` are gone from TensorFlow 2's top level; `tf.math.log`, ... are
    the very functions TensorFlow 1 exported under both names (the rewrite). `tf.to_float(x)`
    (`to_double`, `to_int32`, `to_int64`) is `tf.cast(x, tf.float32)`, its definition; a
    `name=` is kept. Where such a name is not called or not reached through the module
    (`from tensorflow import log`), it is reported (KRS111).""",
)
NUMPY_ALIAS = rule(
    "KRS110",
    Level.INFO,
    Mode.AUTO,
    "NumPy's removed alias of a builtin (`np.float`) is the builtin",
    """NumPy 1.24 removed `np.float`, `np.int`, `np.bool`, `np.object`, `np.complex` and `np.str`
    (AttributeError), which were the builtins `float`, `int`, ... themselves: the rewrite is the
    builtin, the same object the alias was. `np.float32` and the other sized types are kept.""",
)
TF1_NAME = rule(
    "KRS111",
    Level.ERROR,
    Mode.REPORT,
    "a TensorFlow 1 name that TensorFlow 2 does not have",
    """`tf.to_float`, `tf.log`, `tf.Session`, `tf.placeholder`, `tf.contrib`, `tf.train.AdamOptimizer`
    and the like raise AttributeError on TensorFlow 2. Each is reported with its TensorFlow 2
    spelling; TensorFlow's `tf_upgrade_v2` rewrites most of them.""",
)

# Exactly the builtins (NumPy 1.20 deprecated them as such).
NUMPY_ALIASES = {
    f"numpy.{name}": name for name in ("float", "int", "bool", "object", "complex", "str")
}

# TensorFlow 1 name (canonical) -> what TensorFlow 2 code writes instead.
TF1_NAMES = {
    "tensorflow.to_float": "tf.cast(x, tf.float32)",
    "tensorflow.to_double": "tf.cast(x, tf.float64)",
    "tensorflow.to_int32": "tf.cast(x, tf.int32)",
    "tensorflow.to_int64": "tf.cast(x, tf.int64)",
    "tensorflow.log": "tf.math.log",
    "tensorflow.log_sigmoid": "tf.math.log_sigmoid",
    "tensorflow.div": "tf.math.divide",
    "tensorflow.Print": "tf.print",
    "tensorflow.random_normal": "tf.random.normal",
    "tensorflow.random_uniform": "tf.random.uniform",
    "tensorflow.truncated_normal": "tf.random.truncated_normal",
    "tensorflow.set_random_seed": "tf.random.set_seed",
    "tensorflow.sparse_tensor_to_dense": "tf.sparse.to_dense",
    "tensorflow.Session": "eager execution and tf.function (tf.compat.v1.Session for TF 1 graphs)",
    "tensorflow.InteractiveSession": "eager execution (tf.compat.v1.InteractiveSession)",
    "tensorflow.ConfigProto": "tf.config (tf.compat.v1.ConfigProto)",
    "tensorflow.GPUOptions": "tf.config.experimental.set_memory_growth",
    "tensorflow.placeholder": "keras.Input, or a tf.function argument",
    "tensorflow.get_variable": "tf.Variable",
    "tensorflow.variable_scope": "tf.name_scope, or Keras layers that own their variables",
    "tensorflow.global_variables_initializer": "nothing (TF 2 variables are initialised when made)",
    "tensorflow.get_default_graph": "tf.function (tf.compat.v1.get_default_graph)",
    "tensorflow.reset_default_graph": "keras.backend.clear_session()",
    "tensorflow.contrib": "the TF 2 replacement of each contrib API (TensorFlow's migration guide)",
    "tensorflow.layers": "keras.layers",
    "tensorflow.train.AdamOptimizer": "keras.optimizers.Adam",
    "tensorflow.train.GradientDescentOptimizer": "keras.optimizers.SGD",
    "tensorflow.train.MomentumOptimizer": "keras.optimizers.SGD(momentum=...)",
    "tensorflow.train.RMSPropOptimizer": "keras.optimizers.RMSprop",
    "tensorflow.train.AdagradOptimizer": "keras.optimizers.Adagrad",
}


# TensorFlow 1 name -> the TensorFlow 2 path of the same function object.
TF1_RENAMES = {
    "tensorflow.log": "math.log",
    "tensorflow.log_sigmoid": "math.log_sigmoid",
    "tensorflow.random_normal": "random.normal",
    "tensorflow.random_uniform": "random.uniform",
    "tensorflow.truncated_normal": "random.truncated_normal",
    "tensorflow.sparse_tensor_to_dense": "sparse.to_dense",
}
# TensorFlow 1's `to_<type>(x, name=...)`: `cast(x, <type>, name=name)`.
TF1_CASTS = {
    "tensorflow.to_float": "float32",
    "tensorflow.to_double": "float64",
    "tensorflow.to_int32": "int32",
    "tensorflow.to_int64": "int64",
}

# The last parts of those names: most attributes end otherwise and are passed over at once.
_TAILS = frozenset(name.rpartition(".")[2] for name in (*NUMPY_ALIASES, *TF1_NAMES))


@register(cst.Attribute)
def removed_name(ctx, original, node):
    tail = original.attr.value
    if tail not in _TAILS:
        return None
    full = ctx.names.qualify(original)
    if full in NUMPY_ALIASES:
        if not ctx.enabled(NUMPY_ALIAS.id, original):
            return None
        ctx.report(NUMPY_ALIAS.id, original, f"np.{tail} -> {NUMPY_ALIASES[full]}")
        return cst.Name(NUMPY_ALIASES[full])
    if full in TF1_RENAMES and _on_tensorflow(ctx, original):
        if ctx.enabled(TF1_RENAME.id, original):
            new = TF1_RENAMES[full]
            ctx.report(TF1_RENAME.id, original, f"tf.{tail} -> tf.{new}")
            return _attribute(node.value, new)
    if full in TF1_NAMES and ctx.enabled(TF1_NAME.id, original):
        ctx.report(
            TF1_NAME.id,
            original,
            f"tf.{full.partition('.')[2]} is not in TensorFlow 2: use {TF1_NAMES[full]}",
            applied=False,
        )
    return None


def _on_tensorflow(ctx, attribute):
    return ctx.names.qualify(attribute.value) == "tensorflow"


def _attribute(value, path):
    for part in path.split("."):
        value = cst.Attribute(value=value, attr=cst.Name(part))
    return value


@register(cst.Call)
def tf1_cast(ctx, original, call):
    """`tf.to_float(x)` -> `tf.cast(x, tf.float32)` (its KRS111 report on `tf.to_float` is
    withdrawn: the attribute was reported when it was left, before this call)."""
    func = original.func
    if not isinstance(func, cst.Attribute) or func.attr.value not in _CAST_TAILS:
        return None
    full = ctx.names.qualify(func)
    if full not in TF1_CASTS or not _on_tensorflow(ctx, func) or edit.has_star_args(call):
        return None
    args = _cast_arguments(call, call.func.value, TF1_CASTS[full])
    if args is None or not ctx.enabled(TF1_RENAME.id, original):
        return None
    ctx.retract(func, TF1_NAME.id)
    ctx.report(
        TF1_RENAME.id, original, f"tf.{func.attr.value}(x) -> tf.cast(x, tf.{TF1_CASTS[full]})"
    )
    return call.with_changes(func=_attribute(call.func.value, "cast"), args=args)


_CAST_TAILS = frozenset(name.rpartition(".")[2] for name in TF1_CASTS)


def _cast_arguments(call, module, dtype):
    """(x, <module>.<dtype>[, name=...]) from `to_<type>(x[, name])`; None for other shapes."""
    positional = edit.positional(call)
    x = positional[0] if positional else None
    name = positional[1] if len(positional) > 1 else None
    for arg in call.args:
        if arg.keyword is None:
            continue
        if arg.keyword.value == "x" and x is None:
            x = arg
        elif arg.keyword.value == "name" and name is None:
            name = arg
        else:
            return None
    if x is None or len(positional) > 2:
        return None
    # Commas keep their layout: x's own goes to the dtype too when a name follows it.
    x_comma = edit.COMMA if x is call.args[-1] else x.comma
    dtype = cst.Arg(
        _attribute(module, dtype), comma=x_comma if name is not None else call.args[-1].comma
    )
    if x.keyword is not None:
        dtype = edit.as_keyword(dtype, "dtype")
    args = [x.with_changes(comma=x_comma), dtype]
    if name is not None:
        args.append(edit.as_keyword(name, "name"))
    return args
