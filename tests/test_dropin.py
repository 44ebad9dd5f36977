"""`python -m compatkeras` and `compatkeras.install()`, each checked in a subprocess."""

import os
import subprocess
import sys
import textwrap

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


def run(args, cwd, timeout=300):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (HERE, env.get("PYTHONPATH")) if p)
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env
    )


def write(path, source):
    with open(path, "w") as f:
        f.write(textwrap.dedent(source))
    return path


def traceback_lines(stderr):
    """The traceback block of stderr, without TensorFlow's start-up log lines."""
    lines = stderr.splitlines()
    start = max(i for i, line in enumerate(lines) if line.startswith("Traceback"))
    return lines[start:]


def test_keras_imported_after_tensorflow_and_keras3_is_compatkeras(tmp_path):
    script = write(
        tmp_path / "late.py",
        """
        import sys
        import tensorflow as tf
        tf.keras.layers  # touch TensorFlow's own lazy Keras 3 first
        import keras.src  # and Keras 3's internals
        from tensorflow.keras.layers import Dense
        import keras
        from keras.layers.recurrent import LSTM
        import compatkeras.legacy as legacy
        assert keras is legacy, keras
        assert Dense is legacy.layers.Dense and LSTM is legacy.layers.LSTM
        assert tf.keras.layers.Dense is Dense
        assert issubclass(keras.Model, legacy.Model)
        print("OK", __name__, sys.argv[1:])
        """,
    )
    proc = run(["-m", "compatkeras", str(script), "a", "--b"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "OK __main__ ['a', '--b']"


def test_tf_keras_internal_module_paths_are_tf_keras_modules(tmp_path):
    # keras-bert imports `tensorflow.python.keras.backend_config`; Keras 2 libraries import
    # `keras.engine.base_layer`: with no Keras 2 module of that path, tf-keras's own.
    script = write(
        tmp_path / "internals.py",
        """
        from tensorflow.python import keras as python_keras  # keras-adabound's TF_KERAS=1
        from tensorflow.python.keras import backend_config
        from keras.engine.base_layer import InputSpec
        import compatkeras.legacy
        assert python_keras is compatkeras.legacy, python_keras
        # tf.keras 2.x's optimizer modules, which custom optimizers subclass (keras-adamw)
        from tensorflow.python.keras.optimizer_v2.optimizer_v2 import OptimizerV2
        from tensorflow.python.keras.optimizer_v2 import learning_rate_schedule
        from keras.optimizer_v2.adam import Adam
        import tf_keras
        import tf_keras.src.optimizers.legacy.optimizer_v2 as ours
        assert OptimizerV2 is ours.OptimizerV2 and issubclass(Adam, OptimizerV2)
        assert learning_rate_schedule.LearningRateSchedule is (
            tf_keras.optimizers.schedules.LearningRateSchedule)
        from keras import backend as K
        assert K.symbolic(len) is len and K.eager(len) is len  # Keras 2.3's decorators
        import tf_keras.src.backend_config as theirs
        import tf_keras
        assert backend_config is theirs, backend_config
        assert InputSpec is tf_keras.layers.InputSpec
        try:
            import keras.no_such_module
        except ImportError:
            print("OK")
        """,
    )
    proc = run(["-m", "compatkeras", str(script)], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "OK"


def test_failing_script_keeps_exit_code_and_traceback(tmp_path):
    write(
        tmp_path / "fails.py",
        """
        import sys

        def load(name):
            raise ValueError("no such data set: " + name)

        load(sys.argv[1])
        """,
    )
    shim = run(["-m", "compatkeras", "fails.py", "cifar"], cwd=tmp_path)
    plain = run(["fails.py", "cifar"], cwd=tmp_path)
    assert shim.returncode == plain.returncode == 1
    assert traceback_lines(shim.stderr) == traceback_lines(plain.stderr)
    assert traceback_lines(shim.stderr)[-1] == "ValueError: no such data set: cifar"


def test_sys_exit_code_and_argv0_as_typed(tmp_path):
    write(tmp_path / "exits.py", "import sys\nprint(sys.argv[0], __file__)\nsys.exit(7)\n")
    proc = run(["-m", "compatkeras", "exits.py"], cwd=tmp_path)
    assert proc.returncode == 7
    assert proc.stdout.split() == ["exits.py", str(tmp_path / "exits.py")]


def test_missing_script_and_usage(tmp_path):
    proc = run(["-m", "compatkeras", "missing.py"], cwd=tmp_path)
    assert proc.returncode == 2 and "can't open file 'missing.py'" in proc.stderr
    proc = run(["-m", "compatkeras"], cwd=tmp_path)
    assert proc.returncode == 2 and "usage: python -m compatkeras SCRIPT" in proc.stderr


def test_run_module_with_dash_m(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    write(pkg / "__init__.py", "")
    write(
        pkg / "train.py",
        """
        import sys
        from keras.models import Sequential
        import compatkeras.legacy
        assert Sequential is compatkeras.legacy.Sequential
        print(__name__, sys.argv[1:])
        raise SystemExit(3)
        """,
    )
    proc = run(["-m", "compatkeras", "-m", "pkg.train", "x"], cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr[-3000:]
    assert proc.stdout.strip() == "__main__ ['x']"


def test_install_and_uninstall_in_process(tmp_path):
    write(
        tmp_path / "inproc.py",
        """
        import keras as keras3, tensorflow as tf
        lazy = type(tf.__dict__["keras"])
        import compatkeras
        compatkeras.install()
        compatkeras.install()  # idempotent
        import keras
        from tensorflow.keras.utils import to_categorical
        assert keras is compatkeras.legacy and tf.keras is compatkeras.legacy
        assert to_categorical is compatkeras.legacy.utils.to_categorical
        compatkeras.uninstall()
        import keras
        assert keras is keras3, keras
        assert type(tf.__dict__["keras"]) is lazy
        from keras.layers import Dense
        assert Dense.__module__.startswith("keras.src"), Dense.__module__
        print("OK")
        """,
    )
    proc = run(["inproc.py"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "OK"


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_info_flags(tmp_path, flag):
    proc = run(["-m", "compatkeras", flag], cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.strip()
