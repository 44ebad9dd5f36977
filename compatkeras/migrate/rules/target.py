"""`--target compatkeras`: the migrated code imports `compatkeras.v3` (Keras 3's namespace, models
on compatkeras's engine) where it imported Keras, so the same code runs on stock Keras 3 (by
changing the imports back) and on compatkeras; Keras 2's preprocessing that Keras 3 dropped comes
from compatkeras's Keras 2 surface. Opt-in rules: the default target is stock Keras 3.

These handlers run after the other families' (this module registers last), on imports those may
have rewritten already; the imports other rules add are retargeted in `retarget_statement`.
"""

import re

import libcst as cst

from compatkeras.migrate import edit
from compatkeras.migrate.model import Level, Mode, rule
from compatkeras.migrate.names import canonical, dotted
from compatkeras.migrate.rules.imports import (
    LEGACY,
    LEGACY_PREPROCESSING,
    TO_TF_KERAS_PREPROCESSING,
)
from compatkeras.migrate.transform import IMPORT_REWRITERS, register

IMPORTS = rule(
    "KRS120",
    Level.INFO,
    Mode.AUTO,
    "--target compatkeras: Keras imported from compatkeras.v3",
    """With `--target compatkeras`, `import keras` becomes `import compatkeras.v3 as keras`,
    `from keras.layers import Dense` becomes `from compatkeras.v3.layers import Dense`,
    `from tensorflow import keras` becomes `from compatkeras import v3 as keras` and
    `tf.keras.X` becomes `compatkeras.v3.X`: Keras 3's own objects, with models that train on
    compatkeras's engine. Changing these imports back gives stock Keras 3 code.""",
    opt_in=True,
)
PREPROCESSING = rule(
    "KRS121",
    Level.INFO,
    Mode.AUTO,
    "--target compatkeras: Keras 2 preprocessing from compatkeras's Keras 2 surface",
    """With `--target compatkeras`, `ImageDataGenerator`, `Tokenizer`, `TimeseriesGenerator`
    and the other Keras 2 preprocessing names Keras 3 dropped (KRS103) are imported from
    `compatkeras.preprocessing`, and `compatkeras.v3` models train on the Sequences they make.""",
    opt_in=True,
)

V3 = "compatkeras.v3"
_LEGACY_TAILS = frozenset(name.rpartition(".")[2] for name in LEGACY)


def _keras_rest(name):
    """`.layers` for `keras.layers` (and `tensorflow.keras.layers`), '' for `keras`, else None."""
    full = canonical(name)
    if full == "keras":
        return ""
    return full[len("keras") :] if full.startswith("keras.") else None


def _legacy_module(module, names):
    """`compatkeras.preprocessing.image` when a `from keras.preprocessing.image import ...`
    imports a Keras 2 name Keras 3 dropped (all of that module's names are there too)."""
    if not module.startswith("keras.preprocessing."):
        return None
    if any(f"{module}.{n}" in LEGACY for n in names):
        return "compat" + module
    return None


@register(cst.Import)
def import_keras(ctx, original, node):
    if not ctx.enabled(IMPORTS.id, original):
        return None
    names, changed = [], False
    for alias in node.names:
        rest = _keras_rest(dotted(alias.name) or "")
        if rest is None or (alias.asname is None and not dotted(alias.name).startswith("keras")):
            names.append(alias)  # `import tensorflow.keras` binds `tensorflow`: left as it is
            continue
        local = alias.asname.name.value if alias.asname else "keras"
        names.append(
            alias.with_changes(
                name=edit.expression(V3 + (rest if alias.asname else "")),
                asname=cst.AsName(name=cst.Name(local)),
            )
        )
        changed = True
    if not changed:
        return None
    ctx.report(IMPORTS.id, original)
    return node.with_changes(names=names)


@register(cst.ImportFrom)
def import_from_keras(ctx, original, node):
    if node.relative or node.module is None:
        return None
    module = canonical(dotted(node.module) or "")
    star = isinstance(node.names, cst.ImportStar)
    imported = [] if star else [dotted(a.name) for a in node.names]
    legacy = None if star else _legacy_module(module, imported)
    if legacy is not None and ctx.enabled(PREPROCESSING.id, original):
        ctx.retract(original, LEGACY_PREPROCESSING.id)
        ctx.retract(original, TO_TF_KERAS_PREPROCESSING.id)
        ctx.report(PREPROCESSING.id, original)
        return node.with_changes(module=edit.expression(legacy))
    if not ctx.enabled(IMPORTS.id, original):
        return None
    rest = _keras_rest(module)
    if rest is not None:
        ctx.report(IMPORTS.id, original)
        return node.with_changes(module=edit.expression(V3 + rest))
    if module == "tensorflow" and imported == ["keras"]:  # `from tensorflow import keras`
        alias = node.names[0]
        local = alias.asname.name.value if alias.asname else "keras"
        ctx.report(IMPORTS.id, original)
        return node.with_changes(
            module=edit.expression("compatkeras"),
            names=[
                alias.with_changes(name=cst.Name("v3"), asname=cst.AsName(name=cst.Name(local)))
            ],
        )
    return None


@register(cst.Attribute)
def attribute(ctx, original, node):
    """`tf.keras.X` -> `compatkeras.v3.X`; a Keras 2 preprocessing name reached through the
    Keras namespace -> `compatkeras.preprocessing...`."""
    if node.attr.value == "keras" and isinstance(original.value, cst.Name):
        if id(original) in ctx.names.import_parts or not ctx.enabled(IMPORTS.id, original):
            return None
        if not ctx.names.binds_module(original.value.value, "tensorflow"):
            return None
        ctx.require_import(f"import {V3}")
        ctx.report(IMPORTS.id, original)
        return edit.expression(V3)
    if node.attr.value not in _LEGACY_TAILS or PREPROCESSING.id not in ctx.selected:
        return None
    full = ctx.names.qualify(original)
    if full in LEGACY and ctx.enabled(PREPROCESSING.id, original):
        module = full.rpartition(".")[0]
        ctx.require_import(f"import compat{module}")
        ctx.retract(original, LEGACY_PREPROCESSING.id)
        ctx.report(PREPROCESSING.id, original)
        return edit.expression(f"compat{full}")
    return None


_STATEMENT = re.compile(r"(import|from) keras(\.[\w.]+)?( .*)?$")


def retarget_statement(statement):
    """An import another rule adds (`import keras`, `from keras import ops`), for this target."""
    match = _STATEMENT.match(statement)
    if match is None:
        return statement
    kind, rest, tail = match.group(1), match.group(2) or "", match.group(3) or ""
    if kind == "import":
        local = tail.strip().removeprefix("as ").strip() if tail.strip() else "keras"
        module = V3 + rest if tail.strip() else V3
        return f"import {module} as {local}"
    return f"from {V3}{rest}{tail}"


IMPORT_REWRITERS[IMPORTS.id] = retarget_statement
