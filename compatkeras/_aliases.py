"""Module aliases: make `import A.x.y` return the module `B.x.y`.

One meta-path finder serves three needs: the top-level `compatkeras.layers` etc. (aliases of
`compatkeras.legacy.*`), Keras 2 paths that tf-keras already provides module by module
(`keras.applications.vgg16`, `keras.datasets.mnist`), and the drop-in runner (`keras`,
`tensorflow.keras` -> `compatkeras.legacy`).

The loader imports the target and puts it into `sys.modules` under the alias name. The import
system re-reads `sys.modules` after `exec_module`, so the importer gets the target module itself:
one module object, one set of classes, whatever name was used to reach it.
"""

import importlib
import importlib.abc
import importlib.util
import sys


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        return None  # a throw-away module; exec_module swaps in the real one

    def exec_module(self, module):
        sys.modules[module.__name__] = importlib.import_module(self.target)


class AliasFinder(importlib.abc.MetaPathFinder):
    """Finds `alias[.rest]` as `target[.rest]` for each (alias, target) prefix pair.

    Private components (`keras._tf_keras`) and `src` (`keras.src`) are never aliased, so the
    internals of a real Keras that was imported before keep working.
    """

    def __init__(self, table, fallbacks=None):
        # Longest alias first, so `compatkeras.legacy.applications` wins over a shorter prefix.
        self.table = sorted(table.items(), key=lambda kv: -len(kv[0]))
        # The drop-in's finder sits first on `sys.meta_path`, so it sees every import
        # TensorFlow makes (thousands): most are rejected by their top-level name alone.
        self.by_root = {}
        for alias, target in self.table:
            self.by_root.setdefault(alias.partition(".")[0], []).append((alias, target))
        # target prefix -> where a module the target does not have is looked for instead (one
        # package, or several in order).
        self.fallbacks = {
            prefix: (others,) if isinstance(others, str) else tuple(others)
            for prefix, others in (fallbacks or {}).items()
        }

    def target_of(self, fullname):
        for alias, target in self.by_root.get(fullname.partition(".")[0], ()):
            if fullname == alias:
                return target
            if fullname.startswith(alias + "."):
                rest = fullname[len(alias) + 1 :]
                head = rest.split(".", 1)[0]
                if head.startswith("_") or head == "src":
                    return None
                return f"{target}.{rest}"
        return None

    def find_spec(self, fullname, path=None, target=None):
        real = self.target_of(fullname)
        if real is None:
            return None
        for candidate in (real, *self._fallbacks(real)):
            if _exists(candidate):
                return importlib.util.spec_from_loader(fullname, _AliasLoader(candidate))
        return None

    def _fallbacks(self, real):
        for prefix, others in self.fallbacks.items():
            if real.startswith(prefix + "."):
                return [other + real[len(prefix) :] for other in others]
        return []


def _exists(name):
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def add_finder(finder, first=True):
    """Put `finder` on `sys.meta_path`: first when its aliases must win over installed packages
    (the drop-in's `keras`), else last, where only names no installed module has reach it."""
    if finder not in sys.meta_path:
        if first:
            sys.meta_path.insert(0, finder)
        else:
            sys.meta_path.append(finder)


def remove_finder(finder):
    while finder in sys.meta_path:
        sys.meta_path.remove(finder)


# The public Keras 2 sub-namespaces of `compatkeras.legacy` (`compatkeras.<name>` is each of them).
KERAS2_MODULES = (
    "activations",
    "applications",
    "backend",
    "callbacks",
    "constraints",
    "datasets",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "mixed_precision",
    "models",
    "objectives",
    "optimizers",
    "preprocessing",
    "regularizers",
    "saving",
    "utils",
    "wrappers",
)
