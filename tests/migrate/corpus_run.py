"""Runs the corpus programs found in a folder, one after another in this process, and prints
one JSON line per program: {"name", "ok", "error", "line", "file", "numbers"} (`numbers`: what
the program's models computed, from `corpus_record`).

`python corpus_run.py DIR NAME[:FLAVOR]...` runs on whatever `import keras` is here (stock Keras 3);
`python -m compatkeras corpus_run.py DIR NAME...` runs the Keras 2 originals on the drop-in;
`NAME:FLAVOR:old` runs one written for TensorFlow 1 and NumPy < 1.24 with the names those had
(`tf.to_float` from `tf.compat.v1`, `np.float` the builtin) put back while it runs.
A program is `NAME.py` or a folder `NAME/` with a `main.py`. Each runs in a fresh temporary
working directory; `line`/`file` locate the deepest frame of the failure inside the program's
own files, which the test compares with the migration report's ERROR lines.
"""

import contextlib
import gc
import io
import json
import os
import runpy
import sys
import tempfile
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus_record  # noqa: E402  (this folder, found whichever way the script is started)


def _where(exc, folder):
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if os.path.realpath(frame.filename).startswith(folder + os.sep):
            return os.path.relpath(os.path.realpath(frame.filename), folder), frame.lineno
    return None, None


@contextlib.contextmanager
def _old_stack():
    """TensorFlow 1's top-level functions (the same objects, from `tf.compat.v1`) and NumPy's
    aliases of the builtins, for the duration of one program; removed again afterwards."""
    import builtins

    import numpy as np
    import tensorflow as tf

    added = []
    for name in ("to_float", "to_double", "to_int32", "to_int64", "log", "random_normal"):
        added.append((tf, name, getattr(tf.compat.v1, name)))
    for name in ("float", "int", "bool", "object"):
        added.append((np, name, getattr(builtins, name)))
    saved = [(owner, name, owner.__dict__.get(name)) for owner, name, _ in added]
    for owner, name, value in added:
        setattr(owner, name, value)
    try:
        yield
    finally:
        for owner, name, value in saved:
            if value is None:
                delattr(owner, name)
            else:
                setattr(owner, name, value)


def run(folder, name, flavor=None, old=False):
    if flavor:  # read by the drop-in when a model is compiled or a layer built
        os.environ["COMPATKERAS_FLAVOR"] = flavor
    folder = os.path.realpath(folder)
    path = os.path.join(folder, name)
    if os.path.isdir(path):
        home, script = path, os.path.join(path, "main.py")
    else:
        home, script = folder, path + ".py"
    saved_path, saved_cwd = list(sys.path), os.getcwd()
    before = set(sys.modules)
    result = {"name": name, "ok": True, "error": None, "line": None, "file": None}
    import keras  # the drop-in under `python -m compatkeras`, else stock Keras 3

    corpus_record.install(keras)
    corpus_record.reset()
    out = io.StringIO()
    with tempfile.TemporaryDirectory() as scratch:
        os.chdir(scratch)
        sys.path.insert(0, home)
        try:
            stack = _old_stack() if old else contextlib.nullcontext()
            with contextlib.redirect_stdout(out), stack:
                runpy.run_path(script, run_name="__main__")
        except BaseException as exc:  # noqa: BLE001  (a program's failure is the result)
            file, line = _where(exc, folder)
            result.update(
                ok=False, error=f"{type(exc).__name__}: {exc}"[:500], file=file, line=line
            )
        finally:
            os.chdir(saved_cwd)
            sys.path[:] = saved_path
            for module in set(sys.modules) - before:
                origin = getattr(sys.modules[module], "__file__", None) or ""
                if os.path.realpath(origin).startswith(home + os.sep):
                    del sys.modules[module]
    result["numbers"] = list(corpus_record.RECORDS)
    _clear_session()
    return result


def _clear_session():
    keras = sys.modules.get("keras")
    if keras is not None and hasattr(keras, "backend"):
        keras.backend.clear_session()
    gc.collect()


def main(argv):
    folder, names = argv[0], argv[1:]
    for item in names:
        name, _, flavor = item.partition(":")
        flavor, _, old = flavor.partition(":")
        print(json.dumps(run(folder, name, flavor, old == "old")), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
