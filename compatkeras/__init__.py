"""compatkeras: Keras 2 code on TensorFlow 2.16+.

`import compatkeras as keras` is the Keras 2 namespace (the same objects as `compatkeras.legacy`);
`compatkeras.v3` is the Keras 3 surface on the same engine; `python -m compatkeras SCRIPT` runs
an unmodified Keras 2 program; `compatkeras.install()` does the same redirect in-process.
The namespace (and so TensorFlow) is imported on first attribute access.
"""

from compatkeras._aliases import KERAS2_MODULES as _KERAS2_MODULES
from compatkeras._aliases import AliasFinder, add_finder
from compatkeras._version import __version__

# The public Keras 2 sub-namespaces are importable as `compatkeras.<name>` too (one module
# object). `compatkeras.engine` is not among them: it is the training engine, not `keras.engine`.
# Last on `sys.meta_path`: no file answers to `compatkeras.layers`, and the thousands of imports
# TensorFlow makes never reach it.
add_finder(
    AliasFinder({f"compatkeras.{m}": f"compatkeras.legacy.{m}" for m in _KERAS2_MODULES}),
    first=False,
)

from compatkeras.dropin import install, uninstall  # noqa: E402

# tf.keras 2.x's other top-level names, tf-keras's own (`compatkeras.legacy` takes them from it).
_TF_KERAS_ATTRIBUTES = ("dtensor", "estimator", "experimental", "export")
_LEGACY_ATTRIBUTES = frozenset(
    (*_KERAS2_MODULES, *_TF_KERAS_ATTRIBUTES, "Input", "Model", "Sequential", "legacy")
)


def __getattr__(name):
    # The namespace loads TensorFlow, so it loads on first use: `compatkeras.migrate` (the
    # rewriter) and `compatkeras.dropin` must start without it.
    if name in _LEGACY_ATTRIBUTES:
        import compatkeras.legacy as legacy

        return legacy if name == "legacy" else getattr(legacy, name)
    raise AttributeError(f"module 'compatkeras' has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *_LEGACY_ATTRIBUTES})
