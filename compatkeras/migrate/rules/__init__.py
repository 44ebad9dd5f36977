"""Rule families, one module each. Importing this package registers them all."""

from compatkeras.migrate.rules import compile, optimizers, training  # noqa: F401
