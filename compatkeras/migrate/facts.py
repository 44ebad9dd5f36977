"""What a few rules need to know about the whole file before they rewrite one call: its classes,
the metric names it compiles with, which names hold Keras models, ...

Read with Python's own `ast` (a C parser, about ten times faster than libcst), once per file and
only when a rule asks, so files that never need it pay nothing.
"""

import ast
import collections
import dataclasses
import re

# Methods only Keras 2 models have (Keras 3 removed them); `predict_proba` is scikit-learn's too.
KERAS_ONLY_METHODS = ("fit_generator", "evaluate_generator", "predict_generator", "predict_classes")
KERAS_ONLY_CALL = re.compile(rb"\.(?:" + "|".join(KERAS_ONLY_METHODS).encode() + rb")\(")
MODEL_FACTORIES = frozenset({"Sequential", "Model", "load_model", "model_from_json", "clone_model"})


def dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = dotted(node.value)
        return None if head is None else f"{head}.{node.attr}"
    return None


def _string(node):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _keyword(call, name):
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


@dataclasses.dataclass
class ClassFacts:
    bases: tuple
    has_init: bool = False
    init_star_args: bool = False  # *args or **kwargs in __init__'s signature
    init_forwards_kwargs: bool = False  # super().__init__(**kwargs) with the **kwargs parameter
    init_calls_super: bool = False
    methods: frozenset = frozenset()


@dataclasses.dataclass
class Facts:
    classes: dict
    compile_metrics: set  # string literals in compile(metrics=[...]) / weighted_metrics
    model_names: set  # names assigned from Sequential(...), Model(...), load_model(...), ...
    last_activation: dict  # model name -> (activation, units or None) of its last added layer
    saved_weights: set  # paths (as `ast.unparse` spells them) given to save_weights(...) or
    # weights-only checkpoints
    attributes: dict  # name -> {attribute names used on it}
    bare_names: set  # names used other than as `name.attribute`
    lr_changers: list = dataclasses.field(default_factory=list)  # code that sets the learning rate
    # Nodes other readers need, gathered by the same walk: every call and `from` import (for
    # report positions), and `x.attr` / `a.backend.attr` nodes (for the backend rule).
    calls: list = dataclasses.field(default_factory=list)
    import_froms: list = dataclasses.field(default_factory=list)
    owned_attributes: list = dataclasses.field(default_factory=list)
    factories: frozenset = MODEL_FACTORIES  # callees whose result is a Keras model
    sequential_names: set = dataclasses.field(default_factory=set)  # assigned Sequential(...)
    call_results: dict = dataclasses.field(default_factory=dict)  # `n = f(...)`: n -> "f"
    # `weights_file = "w/best.h5"`: a name the module assigns once, at its top level, to a
    # string that ends in .h5/.hdf5 and that save_weights / a weights-only checkpoint gets.
    weights_literals: dict = dataclasses.field(default_factory=dict)  # name -> the string
    # Receivers (as `ast.unparse` spells them: "d", "self.discriminator") of `.compile(...)`,
    # with the line of the first, and of training calls (`fit`, `train_on_batch`, ...).
    compiled_at: dict = dataclasses.field(default_factory=dict)
    trained: set = dataclasses.field(default_factory=set)
    # `x.trainable = False` statements: receiver -> their lines, in source order.
    freezes: dict = dataclasses.field(default_factory=dict)


def _class_facts(node):
    facts = ClassFacts(tuple(dotted(b) for b in node.bases))
    methods = set()
    for item in node.body:
        if not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        methods.add(item.name)
        if item.name != "__init__":
            continue
        facts.has_init = True
        kwarg = item.args.kwarg.arg if item.args.kwarg else None
        facts.init_star_args = bool(item.args.vararg or item.args.kwarg)
        for sub in ast.walk(item):
            if (
                isinstance(sub, ast.Call)
                and isinstance(sub.func, ast.Attribute)
                and sub.func.attr == "__init__"
            ):
                facts.init_calls_super = True
                if kwarg and any(
                    k.arg is None and isinstance(k.value, ast.Name) and k.value.id == kwarg
                    for k in sub.keywords
                ):
                    facts.init_forwards_kwargs = True
    facts.methods = frozenset(methods)
    return facts


def _layer_activation(call):
    """(activation, units) of `Dense(n, activation='softmax')` or `Activation('softmax')`."""
    if not isinstance(call, ast.Call):
        return None
    name = (dotted(call.func) or "").rsplit(".", 1)[-1]
    if name == "Activation" and call.args:
        return (_string(call.args[0]), None)
    if name == "Dense":
        activation = _keyword(call, "activation")
        if activation is None and len(call.args) > 1:
            activation = call.args[1]
        units = _keyword(call, "units") or (call.args[0] if call.args else None)
        units = units.value if isinstance(units, ast.Constant) else None
        return (_string(activation) if activation is not None else "linear", units)
    return None


def read(tree, factories=frozenset()):
    """The facts, in one walk over the tree. `factories`: the project's functions that return
    Keras models (`project.Project.factories`)."""
    facts = Facts({}, set(), set(), {}, set(), {}, set())
    facts.factories = MODEL_FACTORIES | factories
    owned, names, adds = set(), [], []
    for node in ast.walk(tree):
        kind = type(node)
        if kind is ast.Name:
            names.append(node)
        elif kind is ast.Attribute:
            owner = node.value
            if type(owner) is ast.Name:
                facts.attributes.setdefault(owner.id, set()).add(node.attr)
                owned.add(id(owner))
                facts.owned_attributes.append(node)
            elif type(owner) is ast.Attribute and owner.attr == "backend":
                facts.owned_attributes.append(node)
        elif kind is ast.Call:
            facts.calls.append(node)
            func = node.func
            if type(func) is ast.Attribute:
                _method_call(facts, node)
                if func.attr == "add" and type(func.value) is ast.Name and node.args:
                    adds.append(node)
            _checkpoint(facts, node)
            _lr_changer(facts, node)
        elif kind is ast.Assign:
            _lr_changer(facts, node)
            _freeze(facts, node)
            if isinstance(node.value, ast.Call):
                _model_assignment(facts, node)
        elif kind is ast.ClassDef:
            facts.classes[node.name] = _class_facts(node)
        elif kind is ast.ImportFrom:
            facts.import_froms.append(node)
    # ast.walk is breadth-first: the last `.add(...)` in source order decides.
    for call in sorted(adds, key=lambda n: (n.lineno, n.col_offset)):
        receiver = call.func.value.id
        if receiver in facts.model_names:
            facts.last_activation[receiver] = _layer_activation(call.args[0])
    facts.bare_names = {n.id for n in names if id(n) not in owned}
    _weights_literals(facts, tree, names)
    return facts


def _weights_literals(facts, tree, names):
    wanted = {p for p in facts.saved_weights if p.isidentifier()}
    if not wanted:
        return
    stores = collections.Counter(n.id for n in names if not isinstance(n.ctx, ast.Load))
    # A parameter of that name is another variable wherever it is in scope.
    stores.update(a.arg for a in ast.walk(tree) if isinstance(a, ast.arg) and a.arg in wanted)
    for statement in getattr(tree, "body", ()):
        if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1):
            continue
        target, value = statement.targets[0], statement.value
        if (
            isinstance(target, ast.Name)
            and target.id in wanted
            and stores[target.id] == 1
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
            and value.value.endswith((".h5", ".hdf5"))
            and not value.value.endswith(".weights.h5")
        ):
            facts.weights_literals[target.id] = value.value


def _model_assignment(facts, node):
    """`model = Sequential(...)` / `Model(...)` / `load_model(...)`."""
    callee = (dotted(node.value.func) or "").rsplit(".", 1)[-1]
    for target in node.targets:
        if isinstance(target, ast.Name):
            facts.call_results[target.id] = callee
    if callee not in facts.factories:
        return
    for target in node.targets:
        if isinstance(target, ast.Name):
            facts.model_names.add(target.id)
            if callee == "Sequential":
                facts.sequential_names.add(target.id)
            layers = node.value.args[0] if node.value.args else None
            if callee == "Sequential" and isinstance(layers, ast.List) and layers.elts:
                found = _layer_activation(layers.elts[-1])
                if found:
                    facts.last_activation[target.id] = found


_TRAINING_CALLS = ("fit", "fit_generator", "train_on_batch")


def _freeze(facts, node):
    target = node.targets[0] if len(node.targets) == 1 else None
    if isinstance(target, ast.Attribute) and target.attr == "trainable":
        if isinstance(node.value, ast.Constant) and node.value.value is False:
            lines = facts.freezes.setdefault(ast.unparse(target.value), [])
            lines.append(node.lineno)
            lines.sort()


def freezes_after_compile(facts, receiver):
    """Which of `receiver`'s `trainable = False` statements (by their order in the source)
    come after its first compile, when it is also trained in the file."""
    compiled = facts.compiled_at.get(receiver)
    if compiled is None or receiver not in facts.trained:
        return set()
    return {i for i, line in enumerate(facts.freezes.get(receiver, ())) if line > compiled}


def _method_call(facts, call):
    method = call.func.attr
    if method == "compile" or method in _TRAINING_CALLS:
        receiver = ast.unparse(call.func.value)
        if method == "compile":
            first = facts.compiled_at.get(receiver, call.lineno)
            facts.compiled_at[receiver] = min(first, call.lineno)
        else:
            facts.trained.add(receiver)
    if method == "compile":
        for value in (
            _keyword(call, "metrics"),
            _keyword(call, "weighted_metrics"),
            call.args[2] if len(call.args) > 2 else None,
        ):
            if isinstance(value, (ast.List, ast.Tuple)):
                facts.compile_metrics.update(s for s in map(_string, value.elts) if s)
            elif isinstance(value, ast.Dict):
                for item in value.values:
                    items = item.elts if isinstance(item, (ast.List, ast.Tuple)) else [item]
                    facts.compile_metrics.update(s for s in map(_string, items) if s)
    elif method == "save_weights" and call.args:
        facts.saved_weights.add(ast.unparse(call.args[0]))


_LR_CALLBACKS = ("ReduceLROnPlateau", "LearningRateScheduler")


def _is_lr(node):
    return isinstance(node, ast.Attribute) and node.attr in ("lr", "learning_rate")


def _lr_changer(facts, node):
    """Code that changes a learning rate after the optimizer was built (which a schedule
    refuses): LR callbacks, `K.set_value(opt.lr, v)`, `opt.lr = v`."""
    if isinstance(node, ast.Call):
        name = (dotted(node.func) or "").rsplit(".", 1)[-1]
        if name in _LR_CALLBACKS or (name == "set_value" and node.args and _is_lr(node.args[0])):
            facts.lr_changers.append(f"{name} (line {node.lineno})")
    elif isinstance(node, ast.Assign) and any(_is_lr(t) for t in node.targets):
        facts.lr_changers.append(f"a learning rate assignment (line {node.lineno})")


def _checkpoint(facts, call):
    """`ModelCheckpoint('w.h5', save_weights_only=True)` writes weights like save_weights."""
    if (dotted(call.func) or "").rsplit(".", 1)[-1] != "ModelCheckpoint":
        return
    weights_only = _keyword(call, "save_weights_only")
    if not (isinstance(weights_only, ast.Constant) and weights_only.value is True):
        return
    path = call.args[0] if call.args else _keyword(call, "filepath")
    if path is not None:
        facts.saved_weights.add(ast.unparse(path))


def returned_calls(function):
    """Names of the functions whose result `function` may return (directly or via a name)."""
    assigned, returned = {}, set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            callee = (dotted(node.value.func) or "").rsplit(".", 1)[-1]
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, set()).add(callee)
        elif isinstance(node, ast.Return) and node.value is not None:
            if isinstance(node.value, ast.Call):
                returned.add((dotted(node.value.func) or "").rsplit(".", 1)[-1])
            elif isinstance(node.value, ast.Name):
                returned |= assigned.get(node.value.id, set())
    return returned


# Reductions that, called without `axis`, turn a batch into one number.
REDUCTIONS = frozenset(
    {"sum", "mean", "max", "min", "prod", "reduce_sum", "reduce_mean", "reduce_max"}
)


def whole_batch(node):
    """`K.sum(x)` / `tf.reduce_mean(x)`: one argument, no `axis`."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in REDUCTIONS
        and len(node.args) == 1
        and not any(k.arg == "axis" for k in node.keywords)
    )


def batch_reducers(tree):
    """Names of the module's top-level functions that call a reduction without `axis`."""
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and any(whole_batch(n) for n in ast.walk(node))
    }


def compiled_metric_names(call):
    """The plain names in `compile(metrics=[...])` (or its third positional argument)."""
    metrics = _keyword(call, "metrics") or (call.args[2] if len(call.args) > 2 else None)
    if not isinstance(metrics, (ast.List, ast.Tuple)):
        return []
    return [e.id for e in metrics.elts if isinstance(e, ast.Name)]


def mentions_masks(text):
    """The cheap test before `masks` is looked for in a tree (text or bytes of a file)."""
    if isinstance(text, bytes):
        return b"mask_zero" in text or b"Masking" in text
    return "mask_zero" in text or "Masking" in text


def masks(node):
    """`mask_zero=True` or a `Masking(...)` call: a layer that gives its output a mask."""
    if isinstance(node, ast.keyword):
        return node.arg == "mask_zero" and getattr(node.value, "value", None) is True
    return isinstance(node, ast.Call) and (dotted(node.func) or "").endswith("Masking")


def unmaskable_factories(tree):
    """{function: (compile line, [metric names])} for the module's top-level functions that
    build a model with an output mask (`mask_zero=True`, `Masking`) and compile it with a
    metric function of this module that returns one number per batch: Keras 3 fails in `fit`
    and `evaluate` on such a model (it cannot mask one number)."""
    reducers, found = None, {}
    for function in tree.body:
        if not isinstance(function, ast.FunctionDef):
            continue
        nodes = list(ast.walk(function))
        if not any(masks(n) for n in nodes):
            continue
        if reducers is None:
            reducers = batch_reducers(tree)
        for node in nodes:
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "compile":
                scalar = [n for n in compiled_metric_names(node) if n in reducers]
                if scalar:
                    found[function.name] = (node.lineno, scalar)
                    break
    return found
