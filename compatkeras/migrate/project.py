"""What one file needs to know about the others in the same run: which project modules import
Keras (and which Keras names they re-export), and which functions return Keras models.

A U-Net's `main.py` does `from model import *` and calls `model.fit_generator(...)` on what
`unet()` returned, without importing Keras itself; read alone, it looks like plain Python. The
scan reads every file that mentions Keras once with Python's `ast` (a C parser) before the
rewrite, and the result travels to each worker.
"""

import ast
import dataclasses
import os
import re

from compatkeras.migrate import facts as facts_lib
from compatkeras.migrate import runner
from compatkeras.migrate.names import canonical, is_keras
from compatkeras.migrate.rules import yields

_IMPORTED = re.compile(rb"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import|import[ \t]+([\w.]+))", re.M)


@dataclasses.dataclass(frozen=True)
class Module:
    bindings: dict  # local name -> the Keras name it is bound to (`ModelCheckpoint` -> keras...)
    stars: tuple  # Keras modules it star-imports
    masks: bool = False  # builds a layer with an output mask (`facts.masks`)


@dataclasses.dataclass(frozen=True)
class Project:
    modules: dict  # project module name (`model`, `pkg.model`) -> Module, for modules using Keras
    factories: frozenset  # names of functions that return a Keras model
    generators: dict = dataclasses.field(default_factory=dict)  # name -> {"train", "predict"}
    # factory name -> (file, compile line, metric names): `facts.unmaskable_factories`
    unmaskable: dict = dataclasses.field(default_factory=dict)

    def uses_keras_module(self, source):
        """Whether the file's bytes import one of the project's Keras modules."""
        for match in _IMPORTED.finditer(source):
            name = (match.group(1) or match.group(2)).decode("ascii", "replace").lstrip(".")
            if name in self.modules or name.rsplit(".", 1)[-1] in self.modules:
                return True
        return False

    def defines_generator(self, source):
        """Whether the file's bytes define a generator function some training call reads."""
        return any(f"def {name}(".encode() in source for name in self.generators)

    def module(self, name):
        return self.modules.get(name) or self.modules.get(name.rsplit(".", 1)[-1])


def _module_names(path, roots):
    names = set()
    stem = os.path.splitext(os.path.basename(path))[0]
    if stem != "__init__":
        names.add(stem)
    for root in roots:
        rel = os.path.relpath(path, root)
        if not rel.startswith(".."):
            dotted = os.path.splitext(rel)[0].replace(os.sep, ".")
            names.add(dotted.removesuffix(".__init__"))
    return names


def _keras_imports(nodes):
    bindings, stars = {}, []
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                full = canonical(alias.name)
                if is_keras(full):
                    bindings[alias.asname or alias.name.split(".")[0]] = (
                        full if alias.asname else full.split(".")[0]
                    )
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            module = canonical(node.module)
            for alias in node.names:
                if alias.name == "*":
                    if is_keras(module):
                        stars.append(module)
                    continue
                full = canonical(f"{node.module}.{alias.name}")  # `from tensorflow import keras`
                if is_keras(full):
                    bindings[alias.asname or alias.name] = full
    return Module(bindings, tuple(stars))


def _read(path):
    """One file's part of the scan: (generator uses, Keras imports, {function: returned calls}),
    or None for a file that is not Python, does not mention Keras, or cannot be read."""
    if not path.endswith(".py"):
        return None
    try:
        with open(path, "rb") as f:
            source = f.read()
        if b"keras" not in source and not facts_lib.KERAS_ONLY_CALL.search(source):
            return None
        tree = ast.parse(source)
    except (OSError, SyntaxError, ValueError):
        return None
    nodes = list(ast.walk(tree))  # one walk for every question below
    candidates = yields.top_level_returns(tree)
    imported, unmaskable = _keras_imports(nodes), {}
    if facts_lib.mentions_masks(source) and any(map(facts_lib.masks, nodes)):
        imported = dataclasses.replace(imported, masks=True)
        unmaskable = facts_lib.unmaskable_factories(tree)
    return yields.uses(tree, nodes, candidates), imported, candidates, unmaskable


def _read_all(paths, jobs):
    """`_read` of every path, in worker processes when `jobs > 1` (the scan runs before the
    rewrite and would otherwise be serial time in a parallel run)."""
    if jobs <= 1 or len(paths) < 2 * jobs:
        return map(_read, paths)
    with runner.worker_pool(jobs) as pool:
        return list(pool.map(_read, paths, chunksize=runner.chunk_size(len(paths), jobs)))


def scan(paths, roots=(), jobs=1):
    """The `Project` of these files (read as bytes; unreadable or unparsable ones are skipped)."""
    paths = list(paths)
    modules, candidates, generators, unmaskable = {}, {}, {}, {}
    for path, read in zip(paths, _read_all(paths, jobs), strict=True):
        if read is None:
            continue
        uses, imported, functions, broken = read
        for name, (line, metrics) in broken.items():
            unmaskable[name] = (path, line, metrics)
        for name, kinds in uses.items():
            generators.setdefault(name, set()).update(kinds)
        if not (imported.bindings or imported.stars):
            continue
        for name in _module_names(path, roots):
            modules[name] = imported
        for name, calls in functions.items():
            candidates.setdefault(name, set()).update(calls)
    yields.through_wrappers(generators, candidates)
    factories = set()
    while True:  # a factory may return another factory's model
        known = facts_lib.MODEL_FACTORIES | factories
        new = {name for name, calls in candidates.items() if calls & known} - factories
        if not new:
            return Project(modules, frozenset(factories), generators, unmaskable)
        factories |= new
