"""Files in, files out: parse, migrate, and write back without ever losing a byte.

A file that cannot be read or parsed is left untouched and reported. Only changed files are
written, through a temporary file in the same folder and `os.replace`, so a crash leaves the old
file or the new one, never half of one; mode bits are kept and a symlink's target is written.
"""

import concurrent.futures
import dataclasses
import difflib
import fnmatch
import functools
import multiprocessing
import os
import shutil
import tempfile

import libcst as cst

import compatkeras.migrate.rules  # noqa: F401  (registers every rule family)
from compatkeras.migrate.model import RULES
from compatkeras.migrate.transform import transform

SKIPPED_DIRS = {".git", ".hg", ".svn", ".tox", ".venv", "venv", "__pycache__", "build", "dist",
                "node_modules", ".eggs"}


@dataclasses.dataclass
class Outcome:
    path: str
    old: bytes
    new: bytes
    findings: list
    error: str = None

    @property
    def changed(self):
        return self.error is None and self.new != self.old


def migrate_bytes(source, path="<string>", selected=None):
    """Migrate one file's bytes. Files that mention neither Keras nor TensorFlow (the same test
    as `ImportTable.imports_keras`, done on raw bytes) are not even parsed."""
    selected = set(RULES) if selected is None else selected
    if b"keras" not in source and b"tensorflow" not in source:
        return Outcome(path, source, source, [])
    try:
        module = cst.parse_module(source)
    except (cst.ParserSyntaxError, UnicodeDecodeError, SyntaxError) as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return Outcome(path, source, source, [], error=f"cannot parse: {message}")
    new, findings = transform(module, path, selected)
    return Outcome(path, source, new.bytes, findings)


def migrate_file(path, selected=None):
    try:
        with open(path, "rb") as f:
            source = f.read()
    except OSError as exc:
        return Outcome(path, b"", b"", [], error=f"cannot read: {exc.strerror}")
    return migrate_bytes(source, path, selected)


def migrate_files(paths, selected=None, jobs=1):
    """Outcomes for many files, in the given order; `jobs > 1` parses them in worker processes
    (the caller still does every write)."""
    paths = list(paths)
    if jobs <= 1 or len(paths) < 2:
        return [migrate_file(p, selected) for p in paths]
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    chunk = max(1, len(paths) // (jobs * 8))  # a few chunks per worker keeps both cores busy
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context) as pool:
        return list(pool.map(functools.partial(migrate_file, selected=selected), paths, chunksize=chunk))


def python_files(paths, exclude=()):
    """The .py files named or found under the given folders, in a stable order."""
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
                for name in sorted(files):
                    full = os.path.join(root, name)
                    if name.endswith(".py") and not _excluded(full, exclude):
                        yield full
        elif not _excluded(path, exclude):
            yield path


def _excluded(path, patterns):
    return any(fnmatch.fnmatch(path, p) or fnmatch.fnmatch(os.path.basename(path), p)
               for p in patterns)


def write_atomically(path, data):
    real = os.path.realpath(path)
    folder, name = os.path.split(real)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".migrate-tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        shutil.copymode(real, tmp)
        os.replace(tmp, real)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def unified_diff(outcome):
    def lines(data):
        return data.decode("utf-8", errors="replace").splitlines(keepends=True)

    return "".join(
        difflib.unified_diff(
            lines(outcome.old), lines(outcome.new), f"{outcome.path}", f"{outcome.path}"
        )
    )
