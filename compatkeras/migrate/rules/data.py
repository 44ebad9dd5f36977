"""Data input: `Sequence` subclasses as Keras 3 `PyDataset`s, and worker options on them."""

import libcst as cst

from compatkeras.migrate import edit
from compatkeras.migrate.model import Level, Mode, rule
from compatkeras.migrate.transform import register

PYDATASET_BASE = rule(
    "KRS040",
    Level.INFO,
    Mode.AUTO,
    "`keras.utils.Sequence` is `keras.utils.PyDataset` in Keras 3",
    """Keras 3.15 keeps `Sequence` as an alias of `PyDataset`, so this is cosmetic; it makes the
    worker options (KRS041/KRS042) discoverable. Only the attribute spelling
    (`keras.utils.Sequence`) is renamed; a from-imported `Sequence` keeps working.""",
)
SUPER_INIT = rule(
    "KRS041",
    Level.INFO,
    Mode.GUARDED,
    "PyDataset subclass: `**kwargs` forwarded to `super().__init__`",
    """Keras 3 warns "Your `PyDataset` class should call `super().__init__(**kwargs)`" and only
    then reads `workers`, `use_multiprocessing` and `max_queue_size`. An `__init__` without
    `*args`/`**kwargs` that does not call `super().__init__` gains a `**kwargs` parameter and the
    call as its first statement. An `__init__` that calls `super().__init__()` without forwarding
    is reported.""",
)
WORKERS_MOVED = rule(
    "KRS042",
    Level.INFO,
    Mode.GUARDED,
    "worker arguments moved from fit/evaluate/predict into the PyDataset constructor",
    """When the data argument is `MyDataset(...)` and `class MyDataset` (a Sequence/PyDataset
    subclass of this file) accepts them, `workers`, `use_multiprocessing` and `max_queue_size`
    (Keras 1: `nb_worker`, `pickle_safe`, `max_q_size`) go to that constructor call, as Keras 3
    expects. Otherwise they are dropped with KRS002.""",
)

BASES = ("keras.utils.Sequence", "keras.utils.PyDataset", "keras.utils.data_utils.Sequence")
KERAS1_NAMES = {
    "nb_worker": "workers",
    "pickle_safe": "use_multiprocessing",
    "max_q_size": "max_queue_size",
}


def is_dataset_class(ctx, facts):
    return any(ctx.names.qualify_name(b) in BASES for b in facts.bases if b)


def accepts_worker_arguments(ctx, class_name):
    """Whether `class_name(...)`, defined in this file, takes the PyDataset keywords (after
    KRS041 has run on it)."""
    facts = ctx.facts.classes.get(class_name)
    if facts is None or not is_dataset_class(ctx, facts) or len(facts.bases) != 1:
        return False
    if not facts.has_init or facts.init_forwards_kwargs:
        return True
    return (
        not facts.init_star_args and not facts.init_calls_super and ctx.enabled(SUPER_INIT.id, None)
    )


def move_worker_arguments(ctx, original, call, present):
    """fit(MyDataset(a), workers=2) -> fit(MyDataset(a, workers=2)); None when not possible."""
    positional = edit.positional(call)
    if not positional or not ctx.enabled(WORKERS_MOVED.id, original):
        return None
    data = positional[0].value
    if not (isinstance(data, cst.Call) and isinstance(data.func, cst.Name)):
        return None
    if not accepts_worker_arguments(ctx, data.func.value) or edit.has_star_args(data):
        return None
    for name in present:
        new_name = KERAS1_NAMES.get(name, name)
        if edit.keyword_index(data, new_name) is None:
            data = edit.add_keyword(data, new_name, edit.keyword_value(call, name))
        call = edit.remove_keyword(call, name)
    index = call.args.index(edit.positional(call)[0])
    ctx.report(
        WORKERS_MOVED.id, original, f"moved {', '.join(present)} into {data.func.value}(...)"
    )
    return edit.set_argument_value(call, index, data)


def _super_init_statement():
    return edit.statement("super().__init__(**kwargs)\n")


def _with_kwargs(function):
    params = function.params
    return function.with_changes(
        params=params.with_changes(star_kwarg=cst.Param(cst.Name("kwargs"), star="**"))
    )


def _insert_first(function, statement):
    body = list(function.body.body)
    at = 0
    if (
        body
        and isinstance(body[0], cst.SimpleStatementLine)
        and isinstance(body[0].body[0], cst.Expr)
        and isinstance(body[0].body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    ):
        at = 1  # after the docstring
    body.insert(at, statement)
    return function.with_changes(body=function.body.with_changes(body=body))


@register(cst.ClassDef)
def dataset_class(ctx, original, node):
    bases = [ctx.names.qualify(b.value) for b in original.bases]
    if not any(b in BASES for b in bases):
        return None
    new = node
    if ctx.enabled(PYDATASET_BASE.id, original):
        args = []
        for arg, full in zip(node.bases, bases, strict=True):
            if (
                full in BASES
                and isinstance(arg.value, cst.Attribute)
                and arg.value.attr.value == "Sequence"
            ):
                arg = arg.with_changes(value=arg.value.with_changes(attr=cst.Name("PyDataset")))
                ctx.report(PYDATASET_BASE.id, original)
            args.append(arg)
        new = new.with_changes(bases=args)
    facts = ctx.facts.classes.get(node.name.value)
    if (
        facts is None
        or not facts.has_init
        or facts.init_forwards_kwargs
        or not ctx.enabled(SUPER_INIT.id, original)
    ):
        return new if new is not node else None
    if facts.init_calls_super or facts.init_star_args or len(original.bases) != 1:
        ctx.report(
            SUPER_INIT.id,
            original,
            "__init__ does not forward **kwargs to "
            "super().__init__: workers/use_multiprocessing/max_queue_size cannot be set",
            applied=False,
        )
        return new if new is not node else None
    body = []
    for statement in new.body.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value == "__init__":
            statement = _insert_first(_with_kwargs(statement), _super_init_statement())
        body.append(statement)
    ctx.report(SUPER_INIT.id, original)
    return new.with_changes(body=new.body.with_changes(body=body))
