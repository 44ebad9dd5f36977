"""Which Keras object a name stands for, from the file's own imports (no Keras import here).

The table is flat and in source order: a later import rebinds a name (`from keras import backend
as keras` shadows `import keras`). `tensorflow.keras.X` and `tf.keras.X` are read as `keras.X`.
Relative imports are the project's own modules and never Keras.
"""

import functools

import libcst as cst


def dotted(node):
    """`a.b.c` for a Name/Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = dotted(node.value)
        return None if head is None else f"{head}.{node.attr.value}"
    return None


# What `from keras.X import *` binds, for the modules whose names a file may use unqualified
# (Keras 2.2.4's public names; tests/migrate/test_names.py checks them against that list).
# A star import of a module not listed here is resolved last, and `keras.layers` takes the
# CapWords names no listed module claims.
STAR_EXPORTS = {
    "keras.models": frozenset(
        "Model Sequential load_model save_model model_from_config model_from_json "
        "model_from_yaml clone_model".split()
    ),
    "keras.optimizers": frozenset(
        "Optimizer SGD RMSprop Adagrad Adadelta Adam Adamax Nadam TFOptimizer sgd rmsprop "
        "adagrad adadelta adam adamax nadam serialize deserialize get clip_norm".split()
    ),
    "keras.callbacks": frozenset(
        "Callback CallbackList BaseLogger TerminateOnNaN ProgbarLogger History ModelCheckpoint "
        "EarlyStopping RemoteMonitor LearningRateScheduler TensorBoard ReduceLROnPlateau "
        "CSVLogger LambdaCallback".split()
    ),
}
COMPAT_PREFIXES = ("tensorflow.compat.v1.keras", "tensorflow.compat.v2.keras")


@functools.lru_cache(maxsize=4096)
def canonical(name):
    for prefix in ("tensorflow.keras", "tensorflow.python.keras", *COMPAT_PREFIXES):
        if name == prefix or name.startswith(prefix + "."):
            return "keras" + name[len(prefix) :]
    return name


def is_keras(name):
    return name == "keras" or name.startswith("keras.")


def _star_home(stars, head):
    """Which of the star-imported Keras modules (in import order) binds `head`."""
    for module in reversed(stars):
        if head in STAR_EXPORTS.get(module, ()):
            return module
    unlisted = [m for m in stars if m not in STAR_EXPORTS]
    if "keras.layers" in unlisted and (head[:1].isupper() or len(unlisted) == 1):
        return "keras.layers"
    return (unlisted or stars)[-1]


def _blocks(statement):
    """The statement lists directly inside a compound statement, in source order."""
    for name in ("body", "orelse", "finalbody"):
        node = getattr(statement, name, None)
        if isinstance(node, cst.If):  # an `elif` is an If nested as `orelse`
            yield [node]
            continue
        while node is not None and not isinstance(node, (list, tuple)):
            node = getattr(node, "body", None)  # Else/Finally -> IndentedBlock -> statements
        if node is not None:
            yield node
    for handler in getattr(statement, "handlers", ()):  # try/except
        yield handler.body.body
    for case in getattr(statement, "cases", ()):  # match
        yield case.body.body


def _statements(body, nested=False):
    """`(statement, nested)` for every statement, nested ones included, without descending
    into expressions (imports are statements, so the scan costs a fraction of a full tree
    visit). `nested`: inside a function or class body, where an import binds no module name."""
    for statement in body:
        yield statement, nested
        if isinstance(statement, cst.BaseCompoundStatement):
            inner = nested or isinstance(statement, (cst.FunctionDef, cst.ClassDef))
            for block in _blocks(statement):
                yield from _statements(block, inner)


class ImportTable:
    def __init__(self, project=None):
        self.bindings = {}  # local name -> full dotted name it was imported as
        # The names those imports bind at module level (not only inside a function or class):
        # new code may refer to these anywhere in the file.
        self.module_scope = set()
        self._nested = False
        self.star_modules = []
        self.from_modules = set()  # id() of every `from X import` module node (X is absolute)
        self.import_parts = set()  # id() of the attributes an `import a.b.c` statement names
        self.project = project  # `project.Project` of the run, or None
        self.project_keras = False  # imports a project module that uses Keras
        self.project_modules = []  # `project.Module`s of the project modules it imports from

    @classmethod
    def of(cls, *modules, project=None):
        """The table of one module, or of several read in order (a notebook's cells)."""
        table = cls(project)
        for module in modules:
            table._read(module)
        return table

    def _read(self, module):
        for statement, nested in _statements(module.body):
            self._nested = nested
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.Import):
                        self.visit_Import(small)
                    elif isinstance(small, cst.ImportFrom):
                        self.visit_ImportFrom(small)

    def visit_Import(self, node):
        for alias in node.names:
            part = alias.name
            while isinstance(part, cst.Attribute):
                self.import_parts.add(id(part))
                part = part.value
            full = dotted(alias.name)
            if alias.asname is not None:
                self._bind(alias.asname.name.value, full)
            else:
                head = full.split(".", 1)[0]
                self._bind(head, head)

    def _bind(self, local, full):
        self.bindings[local] = full
        if not self._nested:
            self.module_scope.add(local)

    def visit_ImportFrom(self, node):
        if self.project is not None and node.module is not None:
            self._project_import(node)
        if node.relative or node.module is None:
            return
        self.from_modules.add(id(node.module))
        module = dotted(node.module)
        if isinstance(node.names, cst.ImportStar):
            self.star_modules.append(module)
            return
        for alias in node.names:
            local = alias.asname.name.value if alias.asname is not None else alias.name.value
            self._bind(local, f"{module}.{dotted(alias.name)}")

    def _project_import(self, node):
        """`from model import *` where the project's `model.py` uses Keras: its Keras names
        (and star imports) count as this file's own."""
        used = self.project.module(dotted(node.module))
        if used is None:
            return
        self.project_keras = True
        self.project_modules.append(used)
        if isinstance(node.names, cst.ImportStar):
            self.bindings.update(used.bindings)
            self.star_modules.extend(used.stars)
            return
        for alias in node.names:
            name = dotted(alias.name)
            if name in used.bindings:
                local = alias.asname.name.value if alias.asname is not None else name
                self.bindings[local] = used.bindings[name]

    @functools.cached_property
    def imports_keras(self):
        """The cheap proxy for "method calls here are on Keras models" (spec §3 preamble);
        computed once, after the table is read."""
        if self.project_keras:
            return True
        targets = [canonical(t) for t in (*self.bindings.values(), *self.star_modules)]
        return any(is_keras(t) or t == "tensorflow" or t.startswith("tensorflow.") for t in targets)

    def qualify(self, node):
        """The canonical dotted name `node` refers to, or None when it is not imported."""
        return self.qualify_name(dotted(node))

    def qualify_name(self, name):
        """`qualify` for a dotted name given as text (`"K.sum"`), memoised per table."""
        if name is None:
            return None
        cache = self.__dict__.setdefault("_qualified", {})
        if name not in cache:
            cache[name] = self._qualify(name)
        return cache[name]

    def _qualify(self, name):
        head, _, rest = name.partition(".")
        if head in self.bindings:
            full = self.bindings[head]
        else:
            stars = [canonical(m) for m in self.star_modules if is_keras(canonical(m))]
            if not stars:
                return None
            full = f"{_star_home(stars, head)}.{head}"
        return canonical(f"{full}.{rest}" if rest else full)

    def binds_module(self, local, module):
        """Whether the local name `local` is the module `module` (e.g. `keras` is `keras`)."""
        bound = self.bindings.get(local)
        return bound is not None and canonical(bound) == module

    def module_name(self, module):
        """A name that an import binds to `module` at module level, usable anywhere in the
        file; None when there is none (an import inside one function serves only that one)."""
        for local in self.bindings:
            if local in self.module_scope and self.binds_module(local, module):
                return local
        return None

    def free_for(self, local, module):
        """Whether a module-level `import module as local` may be added: `local` is not bound
        at module level, and where it is bound (inside a function) it is that same module."""
        if local in self.module_scope:
            return False
        return local not in self.bindings or self.binds_module(local, module)

    def is_foreign(self, node):
        """Whether `node`'s head name is an import of something that is not Keras or TensorFlow
        (`re.compile`, `PIL.Image.save`): method rules never touch those."""
        name = dotted(node)
        if name is None:
            return False
        head = name.split(".", 1)[0]
        if head not in self.bindings:
            return False
        full = canonical(self.bindings[head])
        return not (is_keras(full) or full.split(".", 1)[0] == "tensorflow")
