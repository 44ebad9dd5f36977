"""Initializers: an unseeded random initializer kept in a name and shared between layers."""

import libcst as cst

from compatkeras.migrate import edit
from compatkeras.migrate.model import Level, Mode, rule
from compatkeras.migrate.transform import register

SHARED_UNSEEDED = rule(
    "KRS116",
    Level.INFO,
    Mode.AUTO,
    "an unseeded initializer kept in a name draws new values at each call with "
    "`seed=keras.random.SeedGenerator()`",
    """Keras 2 programs make one initializer and hand it to many layers (`conv_init =
    RandomNormal(0, 0.02)` for every `Conv2D` of a DCGAN or a U-Net): each layer got new values.
    A Keras 3 initializer made without a seed picks one seed when it is made and returns the
    same values at every call, silently, so same-shaped layers start identical. Seeded with a
    `keras.random.SeedGenerator`, it draws new values at every call again (and still saves).
    Only an initializer assigned to a name is rewritten: one made inline serves one layer.""",
)

# Keras 2 / Keras 3 initializer names -> the position of `seed` among their arguments.
_SEED_AT = {
    **dict.fromkeys(
        ("RandomNormal", "random_normal", "normal", "RandomUniform", "random_uniform", "uniform"),
        2,
    ),
    **dict.fromkeys(("TruncatedNormal", "truncated_normal"), 2),
    "VarianceScaling": 3,
    **dict.fromkeys(("Orthogonal", "orthogonal"), 1),
    **dict.fromkeys(
        (
            "glorot_uniform",
            "glorot_normal",
            "he_normal",
            "he_uniform",
            "lecun_normal",
            "lecun_uniform",
            "GlorotUniform",
            "GlorotNormal",
            "HeNormal",
            "HeUniform",
            "LecunNormal",
            "LecunUniform",
        ),
        0,
    ),
}


def _seed_position(ctx, call):
    full = ctx.names.qualify(call.func) if ctx.names.imports_keras else None
    if full is None or not full.startswith("keras.initializers."):
        return None
    return _SEED_AT.get(full.rsplit(".", 1)[-1])


def _unseeded(call, position):
    if edit.has_star_args(call) or edit.keyword_index(call, "seed") is not None:
        return False
    return len(edit.positional(call)) <= position


@register(cst.Assign)
def shared_initializer(ctx, original, node):
    call = node.value
    if not isinstance(call, cst.Call):
        return None
    position = _seed_position(ctx, call)
    if position is None or not _unseeded(call, position):
        return None
    if not ctx.enabled(SHARED_UNSEEDED.id, original):
        return None
    prefix = ctx.keras_name()
    if prefix is None:
        ctx.report(
            SHARED_UNSEEDED.id,
            original,
            "pass seed=keras.random.SeedGenerator() by hand (`keras` names something else here)",
            applied=False,
        )
        return None
    ctx.report(SHARED_UNSEEDED.id, original)
    seeded = edit.add_keyword(call, "seed", edit.expression(f"{prefix}.random.SeedGenerator()"))
    return node.with_changes(value=seeded)
