"""The Keras 2 -> Keras 3 rewriter (libcst; imports neither TensorFlow nor Keras).

`migrate_bytes(source)` migrates one file's bytes; `cli.main` is the command line
(`python tools/migrate.py`, `compatkeras-migrate`).
"""

from compatkeras.migrate.runner import migrate_bytes, migrate_file

__all__ = ["migrate_bytes", "migrate_file"]
