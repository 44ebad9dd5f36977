"""Rule families, one module each. Importing this package registers them all."""

from compatkeras.migrate.rules import (  # noqa: F401
    backend,
    callbacks,
    compile,
    compiled_state,
    data,
    graph,
    imports,
    initializers,
    layers,
    loss_names,
    optimizers,
    removed_names,
    saving,
    shapes,
    target,  # noqa: F401, E402  (last: retargets the others' imports)
    training,
    yields,
)
