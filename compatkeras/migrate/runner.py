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
from compatkeras.migrate import facts, notebook
from compatkeras.migrate.model import default_rules
from compatkeras.migrate.transform import transform

SKIPPED_DIRS = {
    ".git",
    ".hg",
    ".svn",
    ".tox",
    ".venv",
    "venv",
    "__pycache__",
    "build",
    "dist",
    "node_modules",
    ".eggs",
}


@dataclasses.dataclass
class Outcome:
    path: str
    old: bytes
    new: bytes
    findings: list
    error: str = None  # the file could not be read or parsed: left untouched
    problems: list = dataclasses.field(default_factory=list)  # parts left untouched (cells)
    was_changed: bool = None  # set when the bytes were dropped (`slim`)

    @property
    def changed(self):
        if self.was_changed is not None:
            return self.was_changed
        return self.error is None and self.new != self.old

    def slim(self):
        """The outcome without the file's bytes (what `--check` needs from a worker)."""
        return dataclasses.replace(self, old=None, new=None, was_changed=self.changed)


def _may_use_keras(source, project):
    """The raw-bytes test for "worth parsing": Keras or TensorFlow named, a Keras-only method
    called, a project module that uses Keras imported, or a generator a training call of the
    project reads defined."""
    if b"keras" in source or b"tensorflow" in source or facts.KERAS_ONLY_CALL.search(source):
        return True
    if project is None:
        return False
    return project.uses_keras_module(source) or project.defines_generator(source)


def migrate_bytes(source, path="<string>", selected=None, project=None, keep_bytes=True):
    """Migrate one file's bytes. Files that `_may_use_keras` rejects are not even parsed.
    Without `keep_bytes` the outcome is `slim` and the new code is never generated (`--check`:
    a module that a rule rewrote counts as changed)."""
    selected = default_rules() if selected is None else selected
    if not _may_use_keras(source, project):
        return Outcome(path, source, source, [])
    try:
        module = cst.parse_module(source)
    except (cst.ParserSyntaxError, UnicodeDecodeError, SyntaxError) as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return Outcome(path, source, source, [], error=f"cannot parse: {message}")
    text = source.decode(module.encoding)
    new, findings = transform(
        module, path, selected, source=text.removeprefix("\ufeff"), project=project
    )
    if not keep_bytes:
        return Outcome(path, None, None, findings, was_changed=new is not module)
    return Outcome(path, source, source if new is module else new.bytes, findings)


def migrate_file(path, selected=None, project=None, keep_bytes=True):
    try:
        with open(path, "rb") as f:
            source = f.read()
    except OSError as exc:
        return Outcome(path, b"", b"", [], error=f"cannot read: {exc.strerror}")
    if path.endswith(".ipynb"):
        selected = default_rules() if selected is None else selected
        if b"keras" not in source and b"tensorflow" not in source:
            return Outcome(path, source, source, [])
        outcome = notebook.migrate_notebook(source, path, selected, Outcome)
        return outcome if keep_bytes else outcome.slim()
    return migrate_bytes(source, path, selected, project, keep_bytes)


_WORKER_PROJECT = None  # the run's Project, set once per worker process


def _set_project(project):
    global _WORKER_PROJECT
    _WORKER_PROJECT = project


def _migrate_in_worker(path, selected, slim):
    return migrate_file(path, selected, _WORKER_PROJECT, keep_bytes=not slim)


def migrate_files(paths, selected=None, jobs=1, progress=None, keep_bytes=True, project=None):
    """Outcomes for many files, in the given order; `jobs > 1` parses them in worker processes
    (the caller still does every write). `progress(n)` is called as files finish. Without
    `keep_bytes` the workers send back no file contents (`Outcome.slim`). `project` is the
    run's `project.Project` (sent to each worker once)."""
    paths = list(paths)
    if jobs <= 1 or len(paths) < 2:
        results = (migrate_file(p, selected, project, keep_bytes) for p in paths)
        return _counted(results, progress)
    work = functools.partial(_migrate_in_worker, selected=selected, slim=not keep_bytes)
    with worker_pool(jobs, _set_project, (project,)) as pool:
        return _counted(pool.map(work, paths, chunksize=chunk_size(len(paths), jobs)), progress)


def worker_pool(jobs, initializer=None, initargs=()):
    """The process pool of a `-j` run (forked where the platform can: no re-import)."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    return concurrent.futures.ProcessPoolExecutor(
        jobs, mp_context=context, initializer=initializer, initargs=initargs
    )


def chunk_size(count, jobs):
    """A few chunks per worker keeps every core busy to the end."""
    return max(1, count // (jobs * 8))


def _counted(results, progress):
    outcomes = []
    for outcome in results:
        outcomes.append(outcome)
        if progress is not None:
            progress(len(outcomes))
    return outcomes


def python_files(paths, exclude=(), notebooks=True):
    """The .py (and .ipynb) files named or found under the given folders, in a stable order."""
    suffixes = (".py", ".ipynb") if notebooks else (".py",)
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(
                    d for d in dirs if d not in SKIPPED_DIRS and d != ".ipynb_checkpoints"
                )
                for name in sorted(files):
                    full = os.path.join(root, name)
                    if name.endswith(suffixes) and not _excluded(full, exclude):
                        yield full
        elif not _excluded(path, exclude):
            yield path


def _excluded(path, patterns):
    return any(
        fnmatch.fnmatch(path, p) or fnmatch.fnmatch(os.path.basename(path), p) for p in patterns
    )


def write_atomically(path, data, like=None):
    """Write through a temporary file in the same folder and `os.replace`. The mode bits are the
    existing file's (or `like`'s for a new file); a symlink's target is what gets written."""
    real = os.path.realpath(path)
    folder, name = os.path.split(real)
    model = real if os.path.exists(real) else like
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".migrate-tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if model is not None:
            shutil.copymode(model, tmp)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, real)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


@dataclasses.dataclass
class TreePlan:
    migrate: list  # (source, destination) of the files the rules read
    copy: list  # (source, destination) of the other files
    links: list  # (destination, link text) of symlinks, recreated as symlinks
    folders: list  # destination folders, parents first


def tree_plan(intree, outtree, force=False, exclude=(), notebooks=True):
    """What `--intree D --outtree E` will do; ValueError for a plan that could lose data."""
    if not os.path.isdir(intree):
        raise ValueError(f"--intree {intree!r} is not a folder")
    src, dst = os.path.realpath(intree), os.path.realpath(outtree)
    if dst == src or dst.startswith(src + os.sep):
        raise ValueError("--outtree must not be --intree or a folder inside it")
    if (
        os.path.exists(outtree)
        and (not os.path.isdir(outtree) or os.listdir(outtree))
        and not force
    ):
        raise ValueError(
            f"--outtree {outtree!r} exists and is not empty (use --force to write into it)"
        )
    suffixes = (".py", ".ipynb") if notebooks else (".py",)
    plan = TreePlan([], [], [], [outtree])
    for root, dirs, files in os.walk(intree):
        dirs[:] = sorted(d for d in dirs if d not in (".git", ".hg", ".svn", "__pycache__"))
        rel = os.path.relpath(root, intree)
        target_root = os.path.normpath(os.path.join(outtree, rel))
        for d in dirs:
            full = os.path.join(root, d)
            if os.path.islink(full):
                plan.links.append((os.path.join(target_root, d), os.readlink(full)))
            else:
                plan.folders.append(os.path.join(target_root, d))
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(root, d))]
        for name in sorted(files):
            full, target = os.path.join(root, name), os.path.join(target_root, name)
            if os.path.islink(full):
                plan.links.append((target, os.readlink(full)))
            elif name.endswith(suffixes) and not _excluded(full, exclude):
                plan.migrate.append((full, target))
            else:
                plan.copy.append((full, target))
    return plan


def write_tree(plan, outcomes, copy_other_files=True):
    """Carry out a `tree_plan` with the migrated files' outcomes (in `plan.migrate` order). A
    file that could not be parsed is copied unchanged, so the new tree is complete."""
    for folder in plan.folders:
        os.makedirs(folder, exist_ok=True)
    for (source, target), outcome in zip(plan.migrate, outcomes, strict=True):
        data = outcome.new if outcome.error is None else outcome.old
        if outcome.error is not None and not outcome.old:
            continue  # unreadable: nothing to copy
        write_atomically(target, data, like=source)
    if copy_other_files:
        for source, target in plan.copy:
            shutil.copy2(source, target)
    for target, text in plan.links:
        if os.path.lexists(target):
            os.unlink(target)
        os.symlink(text, target)


def unified_diff(outcome, context=3):
    def lines(data):
        return data.decode("utf-8", errors="replace").splitlines(keepends=True)

    return "".join(
        difflib.unified_diff(
            lines(outcome.old), lines(outcome.new), f"{outcome.path}", f"{outcome.path}", n=context
        )
    )
