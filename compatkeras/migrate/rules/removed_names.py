"""Names that NumPy 2 and TensorFlow 2 removed, in Keras code: the program stops on them before
any Keras change matters. NumPy's aliases of the builtins are rewritten (exactly what they
were); TensorFlow 1 names are reported with their TensorFlow 2 spelling."""

import libcst as cst

from compatkeras.migrate.model import Level, Mode, rule
from compatkeras.migrate.transform import register

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
    if full in TF1_NAMES and ctx.enabled(TF1_NAME.id, original):
        ctx.report(
            TF1_NAME.id,
            original,
            f"tf.{full.partition('.')[2]} is not in TensorFlow 2: use {TF1_NAMES[full]}",
            applied=False,
        )
    return None
