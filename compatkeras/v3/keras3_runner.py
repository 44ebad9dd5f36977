"""The engine's state for a Keras 3 model (`engine.Runner`, kept on the model): steps made for
its current `steps_per_execution`, XLA and eager settings, Keras 3's batch-end indices, and
Keras 3's `jit_compile="auto"` rule with the engine's XLA fallback."""

from compatkeras import engine
from compatkeras.engine.progress import BatchLogs


def runner_of(model):
    """The engine's state for `model`, made once (not tracked by Keras: not a layer's state)."""
    runner = model.__dict__.get("_compatkeras_runner")
    if runner is None:
        runner = engine.Runner(model)
        runner.options = None
        runner.jit_auto = False
        object.__setattr__(model, "_compatkeras_runner", runner)
    return runner


class Keras3Indices(BatchLogs):
    """Keras 3's batch-end index: `begin + steps_per_execution - 1` even for a last execution
    that ran fewer steps (Keras 3's own callbacks and its tests count on it: `ModelCheckpoint`'s
    `save_freq`, a callback that divides by `steps_per_execution`), except that an execution cut
    short by `steps_per_epoch` (which the engine honours exactly, docs/deviations.md) ends at
    the epoch's last step."""

    def end_index(self, begin, ran, planned, steps):
        end = begin + max(ran, planned)
        return (end if steps is None else min(end, steps)) - 1


KERAS3_INDICES = Keras3Indices()


def ready(model):
    """The runner, with steps for the model's current `steps_per_execution`, XLA and eager
    settings (a change of any of them, or a new compile, makes new steps, as Keras 3 makes new
    train functions)."""
    runner = runner_of(model)
    options = (model.steps_per_execution, bool(model.jit_compile), bool(model.run_eagerly))
    if runner.options != options:
        runner._engine_compile_own(
            *options,
            jit_fallback=getattr(runner, "jit_auto", False),
            batch_logs=KERAS3_INDICES,
        )
        runner.options = options
    return runner


def after_steps(model, runner):
    """An automatic XLA choice that fell back (the engine warned) shows in `jit_compile`, as the
    steps now run."""
    if model.jit_compile and not runner._engine_jit_compile:
        model.jit_compile = False
        runner.options = (model.steps_per_execution, False, bool(model.run_eagerly))


def resolve_jit(model, jit_compile, run_eagerly):
    """(value for Keras 3's `compile`, chosen automatically): `"auto"` resolved here by Keras
    3's own rule, so that the engine can fall back when XLA cannot compile the step."""
    if jit_compile != "auto":
        if jit_compile not in (True, False, None):
            raise ValueError(
                '`jit_compile` must be True, False or "auto". '
                f"Received: jit_compile={jit_compile!r}"
            )
        return jit_compile, False
    if run_eagerly:
        return False, False
    return model._resolve_auto_jit_compile(), True
