"""The drop-in: make `keras`, `tensorflow.keras` and `tf.keras` mean `compatkeras.legacy`.

`install()` works whatever was imported before it (TensorFlow, Keras 3, `tf.keras` already
touched): the modules already loaded under those names are set aside and restored by
`uninstall()`. This is what `TF_USE_LEGACY_KERAS` cannot do, since TensorFlow reads that variable
once, when it is first imported.

`main()` is `python -m compatkeras [-m module | script] [args...]`.
"""

import builtins
import os
import runpy
import sys
import types

from compatkeras._aliases import AliasFinder, add_finder, remove_finder

# tf-keras's homes of tf.keras 2.x's `optimizer_v2/*` modules (tf-keras's own paths, plain names
# so that the drop-in does not import TensorFlow to list them).
_OPTIMIZER_V2_MODULES = {
    **{
        name: f"legacy.{name}"
        for name in ("adadelta", "adagrad", "adam", "adamax", "ftrl", "gradient_descent")
        + ("nadam", "optimizer_v2", "rmsprop")
    },
    "learning_rate_schedule": "schedules.learning_rate_schedule",
}

_ALIASES = {
    "keras": "compatkeras.legacy",
    "tensorflow.keras": "compatkeras.legacy",
    # TF 1.x-era paths that Keras 2 programs import (`set_session`, `tensorflow.python.keras`
    # layers in older libraries).
    "tensorflow.compat.v1.keras": "compatkeras.legacy",
    "tensorflow.python.keras": "compatkeras.legacy",
    # tf.keras 2.x's optimizer modules, which custom optimizers subclass (keras-adamw), moved
    # in tf-keras (`compatkeras.legacy.optimizer_v2` holds them for `from ... import adam`).
    **{
        f"{prefix}.optimizer_v2.{name}": f"tf_keras.src.optimizers.{path}"
        for prefix in ("tensorflow.python.keras", "keras", "tensorflow.keras")
        for name, path in _OPTIMIZER_V2_MODULES.items()
    },
}
# Module attributes that hand out a Keras namespace without an import statement (`tf.keras`,
# and `from tensorflow.python import keras`, which reads the attribute TensorFlow's own import
# of its old internal package left on `tensorflow.python`).
_KERAS_ATTRIBUTES = (
    "tensorflow",
    "tensorflow.compat.v1",
    "tensorflow.compat.v2",
    "tensorflow.python",
)

# A tf.keras 2.x module path that the Keras 2 namespace has no module for
# (`tensorflow.keras.optimizers.schedules`, `keras.layers.experimental.preprocessing`) is
# tf-keras's own module.
# A module path of tf.keras 2.x's internals (`tensorflow.python.keras.backend_config`,
# `keras.engine.base_layer`, which libraries such as keras-bert import) is tf-keras's module of
# the same path under `tf_keras.src`.
_finder = AliasFinder(_ALIASES, fallbacks={"compatkeras.legacy": ("tf_keras", "tf_keras.src")})
_saved_modules = {}
_saved_attributes = {}
_installed = False


def _is_redirected(name):
    return _finder.target_of(name) is not None


def install():
    """Redirect Keras imports to `compatkeras.legacy` in this process. Idempotent."""
    global _installed
    if _installed:
        return
    import compatkeras.legacy as legacy  # imports TensorFlow too

    for name in list(sys.modules):
        if _is_redirected(name):
            _saved_modules[name] = sys.modules.pop(name)
    add_finder(_finder)
    # Libraries tell Keras from tf.keras by `keras.__name__` (keras-contrib, ktrain): under the
    # drop-in `import keras` must look like Keras.
    _saved_attributes["__name__"] = legacy.__name__
    legacy.__name__ = "keras"
    for owner_name in _KERAS_ATTRIBUTES:
        owner = sys.modules.get(owner_name)
        if owner is None:
            continue
        if "keras" in vars(owner):
            _saved_attributes[owner_name] = vars(owner)["keras"]
        owner.keras = legacy
    _installed = True


def uninstall():
    """Undo `install()`: the modules and attributes seen before it come back."""
    global _installed
    if not _installed:
        return
    remove_finder(_finder)
    for name in [n for n in sys.modules if _is_redirected(n)]:
        del sys.modules[name]
    sys.modules.update(_saved_modules)
    _saved_modules.clear()
    sys.modules["compatkeras.legacy"].__name__ = _saved_attributes.pop("__name__")
    for owner_name in _KERAS_ATTRIBUTES:
        owner = sys.modules.get(owner_name)
        if owner is None:
            continue
        if owner_name in _saved_attributes:
            owner.keras = _saved_attributes.pop(owner_name)
        elif "keras" in vars(owner):
            delattr(owner, "keras")
    _installed = False


def is_installed():
    return _installed


USAGE = """usage: python -m compatkeras SCRIPT [ARGS...]
       python -m compatkeras -m MODULE [ARGS...]

Runs an unmodified Keras 2 program with `keras`, `tensorflow.keras` and `tf.keras`
resolved to compatkeras.legacy."""


def _strip_runner_frames(tb):
    """Drop this module's and runpy's frames, so a traceback reads as under `python SCRIPT`."""
    # runpy is frozen in CPython 3.11+, so its frames are known by module name, not file.
    while tb is not None and tb.tb_frame.f_globals.get("__name__") in ("runpy", __name__):
        tb = tb.tb_next
    return tb


def _run_script(path):
    """Run a file as `python PATH` does: a fresh `__main__` module (kept in `sys.modules`, so
    pickling and atexit see it), an absolute `__file__`, `argv[0]` as typed, and the script's
    folder first on `sys.path`. (`runpy.run_path` would rewrite `argv[0]` and restore the old
    `__main__` afterwards.)"""
    script = os.path.abspath(path)
    sys.path[0] = os.path.dirname(script)
    module = types.ModuleType("__main__")
    module.__file__ = script
    module.__builtins__ = builtins
    sys.modules["__main__"] = module
    with open(script, "rb") as f:  # bytes: compile() honours a coding cookie or BOM
        code = compile(f.read(), script, "exec")
    exec(code, module.__dict__)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE, file=sys.stderr if not argv else sys.stdout)
        return 2 if not argv else 0
    if argv[0] == "--version":
        from compatkeras._version import __version__

        print(f"compatkeras {__version__}")
        return 0
    if argv[0] == "-m" and len(argv) < 2:
        print("python -m compatkeras: -m needs a module name\n" + USAGE, file=sys.stderr)
        return 2

    if argv[0] != "-m" and not os.path.exists(argv[0]):
        print(f"python -m compatkeras: can't open file {argv[0]!r}", file=sys.stderr)
        return 2

    install()
    try:
        if argv[0] == "-m":
            sys.argv = [argv[1], *argv[2:]]  # runpy puts the module's path in argv[0]
            runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        else:
            sys.argv = argv
            _run_script(argv[0])
    except SystemExit:
        raise
    except Exception as exc:
        exc = exc.with_traceback(_strip_runner_frames(exc.__traceback__))
        sys.excepthook(type(exc), exc, exc.__traceback__)
        return 1
    return 0
