"""Generators handed to `fit`/`evaluate`/`predict`: Keras 3 needs them to yield tuples.

Keras 2 took `yield [x1, x2], y` (lists for several inputs), `yield [x, y]` and, for
`predict_generator`, a bare `yield x`. Keras 3 builds a `tf.data` signature from the first item
and refuses lists ("output_signature must contain ... tf.TypeSpec but found <class 'list'>") and
bare arrays ("the generator must return a tuple"). The generator functions are found by name:
called (or assigned from a call) as the data argument of a training method in this file or, with
a project run, in any file of the project.
"""

import ast

import libcst as cst

from compatkeras.migrate import facts as facts_lib
from compatkeras.migrate.model import Level, Mode, rule
from compatkeras.migrate.transform import register

TUPLES = rule(
    "KRS014",
    Level.INFO,
    Mode.GUARDED,
    "a generator's yield rewritten to the tuples Keras 3 needs",
    """`yield [a, b], y` is `yield (a, b), y`; `yield [x, y]` in a training generator is
    `yield x, y`; in a generator only `predict` reads, `yield [a, b]` is `yield ((a, b),)` and
    `yield np.reshape(...)` / `yield x[i:j]` are `yield (...,)` (Keras 2 read a non-tuple as the
    inputs). A `keras.utils.Sequence`'s `__getitem__` returning `[a, b], y` returns `(a, b), y`.""",
)
UNSURE = rule(
    "KRS015",
    Level.ERROR,
    Mode.REPORT,
    "a generator `predict` reads yields a value that may not be a tuple",
    """Keras 3 raises unless a generator yields tuples; Keras 2's `predict_generator` took a bare
    array. The yielded value here is a name or a call's result whose type is not visible: yield
    `(x,)` if it is an array.""",
)

TRAIN = {"fit", "fit_generator", "evaluate", "evaluate_generator"}
PREDICT = {"predict", "predict_generator"}
DATA_KEYWORDS = ("generator", "x", "validation_data")


def top_level_returns(tree):
    """{top-level function name: names of the functions whose result it may return}."""
    returns = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            returns.setdefault(node.name, set()).update(facts_lib.returned_calls(node))
    return returns


def uses(tree, nodes=None, returns=None):
    """{generator function name: {"train", "predict"}} for the training calls in `tree`.
    `nodes` (every node of `tree`) and `returns` (`top_level_returns`) when the caller has them."""
    nodes = list(ast.walk(tree)) if nodes is None else nodes
    assigned = {}
    for node in nodes:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned[target.id] = facts_lib.dotted(node.value.func)
    found = {}
    for node in nodes:
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        if method not in TRAIN and method not in PREDICT:
            continue
        values = node.args[:1] + [k.value for k in node.keywords if k.arg in DATA_KEYWORDS]
        for value in values:
            name = None
            if isinstance(value, ast.Call):
                name = facts_lib.dotted(value.func)
            elif isinstance(value, ast.Name):
                name = assigned.get(value.id)
            if name:
                kind = "predict" if method in PREDICT else "train"
                found.setdefault(name.rsplit(".", 1)[-1], set()).add(kind)
    through_wrappers(found, top_level_returns(tree) if returns is None else returns)
    return found


def through_wrappers(found, returns):
    """A function that returns another's result (`def wrapper(): return data_generator(...)`,
    the keras-yolo3 pattern) passes its uses on to that one, along chains of wrappers.
    `returns`: {function name: names of the functions whose result it returns}."""
    changed = True
    while changed:
        changed = False
        for name, callees in returns.items():
            for callee in callees:
                kinds = found.get(name)
                if kinds and not kinds <= found.get(callee, set()):
                    found.setdefault(callee, set()).update(kinds)
                    changed = True


def _tuple(elements):
    """A tuple display of the same elements; a starred one (`*y_true`) stays starred."""
    items = [
        cst.StarredElement(e.value) if isinstance(e, cst.StarredElement) else cst.Element(e.value)
        for e in elements
    ]
    if len(items) == 1:
        items = [items[0].with_changes(comma=cst.Comma())]
    return cst.Tuple(items)


def _lists_to_tuples(node):
    """A yielded tuple display with its list displays turned into tuples, or None."""
    changed, elements = False, []
    for element in node.elements:
        if isinstance(element.value, cst.List):
            element = element.with_changes(value=_tuple(element.value.elements))
            changed = True
        elements.append(element)
    return node.with_changes(elements=elements) if changed else None


def _array_like(ctx, node):
    if isinstance(node, cst.Subscript):
        return True
    if isinstance(node, cst.Call):
        return (ctx.names.qualify(node.func) or "").startswith("numpy.")
    return False


def _fixed(ctx, value, kinds):
    """(new value or None, sure) for one yielded value."""
    if isinstance(value, cst.Tuple):
        return _lists_to_tuples(value), True
    if kinds == {"train"}:
        # Keras 2 read a yielded sequence of 2 or 3 as (x, y[, weights]); one with a starred
        # element has that length at run time too, and the tuple keeps it.
        starred = any(isinstance(e, cst.StarredElement) for e in getattr(value, "elements", ()))
        if isinstance(value, cst.List) and (len(value.elements) in (2, 3) or starred):
            pair = _tuple(value.elements)
            return _lists_to_tuples(pair) or pair, True
        return None, True
    if kinds != {"predict"}:
        return None, True  # read by both: Keras 2 itself needed a tuple then
    if isinstance(value, cst.List):
        return _tuple([cst.Element(_tuple(value.elements))]), True
    if _array_like(ctx, value):
        return _tuple([cst.Element(value)]), True
    return None, False


class _Yields(cst.CSTTransformer):
    """Rewrites the yields of one function body, not those of functions nested in it."""

    def __init__(self, ctx, kinds, original):
        super().__init__()
        self.ctx, self.kinds, self.original, self.depth = ctx, kinds, original, 0

    def visit_FunctionDef(self, node):
        self.depth += 1
        return self.depth == 1

    def leave_FunctionDef(self, original_node, updated_node):
        self.depth -= 1
        return updated_node

    def visit_Lambda(self, node):
        return False

    def leave_Yield(self, original_node, updated_node):
        value = updated_node.value
        if value is None or isinstance(value, cst.From):
            return updated_node
        new, sure = _fixed(self.ctx, value, self.kinds)
        if not sure and self.ctx.enabled(UNSURE.id, self.original):
            self.ctx.report(UNSURE.id, self.original, applied=False)
        if new is None:
            return updated_node
        self.ctx.report(TUPLES.id, self.original)
        return updated_node.with_changes(value=new)


def _kinds(ctx, name):
    own = ctx.cache.get("yield-uses")
    if own is None:
        own = ctx.cache["yield-uses"] = uses(ctx.tree) if ctx.names.imports_keras else {}
    project = ctx.names.project
    found = set(own.get(name, ()))
    if project is not None:
        found |= set(project.generators.get(name, ()))
    return found


@register(cst.FunctionDef)
def generator_yields(ctx, original, node):
    if "yield" not in ctx.source or not ctx.enabled(TUPLES.id, original):
        return None
    kinds = _kinds(ctx, original.name.value)
    if not kinds:
        return None
    new_body = node.body.visit(_Yields(ctx, kinds, original))
    return node.with_changes(body=new_body) if not new_body.deep_equals(node.body) else None


_SEQUENCES = {"keras.utils.Sequence", "keras.utils.PyDataset", "keras.utils.data_utils.Sequence"}


class _Returns(cst.CSTTransformer):
    """`return [a, b], y` -> `return (a, b), y` in one method body (not nested functions)."""

    def __init__(self, ctx, original):
        super().__init__()
        self.ctx, self.original = ctx, original

    def visit_FunctionDef(self, node):
        return False

    def visit_Lambda(self, node):
        return False

    def leave_Return(self, original_node, updated_node):
        value = updated_node.value
        new = _lists_to_tuples(value) if isinstance(value, cst.Tuple) else None
        if new is None:
            return updated_node
        self.ctx.report(TUPLES.id, self.original)
        return updated_node.with_changes(value=new)


@register(cst.ClassDef)
def sequence_batches(ctx, original, node):
    """A `Sequence`'s `__getitem__` returning lists inside its batch tuple: Keras 3 builds the
    same `tf.data` signature from it as from a generator's item, and refuses the lists."""
    if "__getitem__" not in ctx.source or not ctx.names.imports_keras:
        return None
    if not any(ctx.names.qualify(base.value) in _SEQUENCES for base in original.bases):
        return None
    if not ctx.enabled(TUPLES.id, original):
        return None
    body = []
    for statement in node.body.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value == "__getitem__":
            statement = statement.with_changes(body=statement.body.visit(_Returns(ctx, original)))
        body.append(statement)
    new = node.body.with_changes(body=body)
    return node.with_changes(body=new) if not new.deep_equals(node.body) else None
