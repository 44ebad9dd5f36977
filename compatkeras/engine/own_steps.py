"""Executions of a model's own step: `train_step` / `test_step` / `predict_step` of a class that
overrides them (tf.keras 2.2+ GANs, VAEs, custom losses) or of a subclassed model, run exactly
as tf-keras's `make_train_function` runs them: on every replica (`strategy.run`), the returned
structure reduced per replica, the model's step counters advanced. The structure the last step
returned is the logs; nothing is summed.

`OwnSteps` offers what `Steps` offers the loop (`execute`, `run_list`, `averages`, ...), so
feeds and the epoch loop are the same for both. Two kinds of model bring their own steps:
tf-keras models and Keras 3 models (`keras.Model` on the TensorFlow backend); what differs
between them (step counters, the per-replica reduction, the end-of-pass logs) is a `_Kind`.
"""

import functools

import numpy as np
import tensorflow as tf

from compatkeras.engine import calls
from compatkeras.engine.feeds import replica_shares


class _TfKerasKind:
    """tf-keras's `make_train_function`: step counters advanced, `reduce_per_replica` with the
    model's reduction method, end-of-pass logs from `_validate_and_get_metrics_result`."""

    own_function = False
    groups = False  # one step per call at steps_per_execution 1, as tf-keras 2.x
    autograph = True  # tf-keras converts `train_step` (a Python `if` on a tensor works there)

    def reduce(self, outputs, strategy, reduction):
        from tf_keras.src.engine import training as tfk_training

        return tfk_training.reduce_per_replica(outputs, strategy, reduction=reduction)

    def counted(self, model, train, run):
        from tf_keras.src.engine import training as tfk_training

        counter = model._train_counter if train else model._test_counter

        def counted_run(data):
            outputs = run(data)
            with tf.control_dependencies(tfk_training._minimum_control_deps(outputs)):
                counter.assign_add(1)
            return outputs

        return counted_run

    def plain(self, run):
        """The model's step as it runs where no counter is advanced (predict)."""
        return run

    def reduction(self, model):
        return model.distribute_reduction_method

    def pass_logs(self, model, logs):
        return model._validate_and_get_metrics_result(logs)

    def host(self, outputs):
        """One predict execution's outputs, flat, as kept until the pass ends."""
        return [o.numpy() for o in tf.nest.flatten(outputs)]

    def concat(self, parts):
        return np.concatenate(parts)


class _Keras3Kind:
    """Keras 3's TensorFlow trainer: no step counters (the optimizer counts its iterations),
    Keras 3's `reduce_per_replica` ("auto"), end-of-pass logs from
    `_get_metrics_result_or_logs`."""

    own_function = True
    # At steps_per_execution 1 with no callback watching single batches, the trainer may run
    # several steps per call: nothing can tell (the step, its logs and counters are the same).
    groups = True
    autograph = False  # Keras 3 traces its steps unconverted (`do_not_convert`), errors unwrapped

    def reduce(self, outputs, strategy, reduction):
        from keras.src.backend.tensorflow import trainer as k3_trainer

        if k3_trainer._collective_all_reduce_multi_worker(strategy):
            # Keras 3's "mean" there reduces each log with `axis=0`, which fails on scalars
            # (stock Keras 3 cannot train under MultiWorkerMirroredStrategy). The logs are the
            # same on every worker (metric variables aggregate across them), so the mean of
            # this worker's replicas is the answer.
            return tf.nest.map_structure(
                lambda v: (
                    tf.reduce_mean(strategy.experimental_local_results(v), axis=0)
                    if isinstance(v, tf.distribute.DistributedValues)
                    else v
                ),
                outputs,
            )
        return k3_trainer.reduce_per_replica(outputs, strategy, reduction=reduction)

    def counted(self, model, train, run):
        return self.plain(run)

    def plain(self, run):
        def step(data):  # Keras 3 hands a step None where the data has an empty Optional
            return run(
                tf.nest.map_structure(
                    lambda t: None if isinstance(t, tf.experimental.Optional) else t, data
                )
            )

        return step

    def reduction(self, model):
        return "auto"

    def pass_logs(self, model, logs):
        return model._get_metrics_result_or_logs(logs if logs is not None else {})

    def host(self, outputs):
        """Kept as tensors: Keras 3 joins ragged and sparse outputs as such."""
        return tf.nest.flatten(outputs)

    def concat(self, parts):
        from keras.src.backend.tensorflow import trainer as k3_trainer

        return k3_trainer.convert_to_np_if_not_ragged(k3_trainer.potentially_ragged_concat(parts))


def model_kind(model):
    """The kind of a model that runs its own steps: Keras 3's (its classes live in the `keras`
    package) or tf-keras's."""
    for cls in type(model).__mro__:
        if cls.__module__.startswith("keras.src."):
            return _Keras3Kind()
    return _TfKerasKind()


class LastLogs:
    """The logs of a pass over a model's own steps: the structure the last execution returned,
    read to Python only when asked. `fresh` resets the model's metrics first, as tf-keras does
    at every epoch and evaluation."""

    def __init__(self, model, fresh=True, kind=None):
        if fresh:
            model.reset_metrics()
        self.model = model
        self.kind = kind or model_kind(model)
        self.outputs = None
        self.executed = 0
        self.rows = self.last_rows = 0.0

    def record(self, outputs):
        if outputs is not None:
            self.outputs = outputs

    def logs(self):
        from tf_keras.src.utils import tf_utils

        logs = tf_utils.sync_to_numpy_or_python_type(self.outputs)
        return dict(logs) if isinstance(logs, dict) else logs

    batch_logs = logs

    def epoch_logs(self):
        """The end-of-pass logs by the model's own rules: its metric results when the step
        returned exactly those keys, else what the step returned."""
        return self.kind.pass_logs(self.model, self.logs())

    def values(self):
        return list(self.logs().values())


def _function(fn, eager, autograph):
    return fn if eager else tf.function(fn, reduce_retracing=True, autograph=autograph)


class OwnSteps:
    jit_checked = True  # tf-keras's own rule: the model's `jit_compile` wraps each step

    def __init__(self, model, jit_compile=False, run_eagerly=False, jit_fallback=False):
        self.model = model
        self.strategy = model.distribute_strategy
        self.replicas = self.strategy.num_replicas_in_sync
        self.jit_compile = bool(jit_compile) and not run_eagerly
        self.run_eagerly = run_eagerly
        # XLA chosen automatically: a step XLA cannot compile falls back (`check_jit`).
        self.jit_checked = not (self.jit_compile and jit_fallback)
        self.kind = model_kind(model)
        self._step_functions = {}
        self._executions = {
            train: {
                name: _function(functools.partial(run, train), run_eagerly, self.kind.autograph)
                for name, run in (
                    ("next", self._run_next),
                    ("iterator", self._run_iterator),
                    ("list", self._run_list),
                )
            }
            for train in (True, False)
        }

    def averages(self, fresh=True):
        return LastLogs(self.model, fresh, self.kind)

    @property
    def groups_batches(self):
        """Whether the trainer may group steps into one call on its own (`run_implicit`)."""
        return self.kind.groups and not self.run_eagerly and self.replicas == 1

    def run_implicit(self, train, batches, size):
        """The trainer's own group of Python batches: one call when it is whole, else one call
        per batch (a short last group: no trace for each length)."""
        if len(batches) == size:
            return self.run_list(train, batches)
        outputs = None
        for batch in batches:
            outputs = self.run_list(train, (batch,))
        return outputs

    def check_jit(self, spec):
        """Before the first XLA step chosen automatically: if XLA cannot compile the training
        step for a batch of `spec`, warn (naming the op) and run the steps without XLA."""
        if self.jit_checked:
            return
        self.jit_checked = True
        if calls.xla_falls_back(self._step(True), [spec]):
            self.jit_compile = False
            self._step_functions.clear()

    def prepare(self, train):
        pass

    def distribute_iterator(self, dataset):
        return iter(self.strategy.experimental_distribute_dataset(dataset))

    def distribute_batch(self, batch):
        """A batch pulled into Python (a Sequence's, a generator's) split across the replicas
        as a distributed dataset would split it; one pulled from a distributed iterator as it
        is."""
        return replica_shares(self.strategy, batch)

    def _step(self, train):
        """The model's step as each replica runs it, made once per mode: a `tf.function` of its
        own under XLA, and for Keras 3 models always (as Keras 3's `one_step_on_data`), so an
        execution that calls it in several places, or is traced again, traces the step once."""
        run = self._step_functions.get(train)
        if run is None:
            model = self.model
            run = self.kind.counted(model, train, model.train_step if train else model.test_step)
            if self.jit_compile or (self.kind.own_function and not self.run_eagerly):
                run = tf.function(
                    run,
                    jit_compile=self.jit_compile,
                    reduce_retracing=True,
                    autograph=self.kind.autograph,
                )
            self._step_functions[train] = run
        return run

    def _one(self, train, data):
        outputs = self.strategy.run(self._step(train), args=(data,))
        return self.kind.reduce(outputs, self.strategy, self.kind.reduction(self.model))

    def _run_next(self, train, iterator):
        return self._one(train, next(iterator))

    def _run_iterator(self, train, iterator, count):
        # `tf.while_loop` itself: the loop needs no autograph, which Keras 3's steps run without.
        outputs = self._one(train, next(iterator))
        _, outputs = tf.while_loop(
            lambda i, _: i < count - 1,
            lambda i, _: (i + 1, self._one(train, next(iterator))),
            (tf.constant(0), outputs),
        )
        return outputs

    def _run_list(self, train, batches):
        outputs = None
        for batch in batches:
            outputs = self._one(train, batch)
        return outputs

    def execute(self, train, iterator, count, loop=False):
        """`count` steps from `iterator`; `loop`: through the several-steps function even for
        one (the trainer's own groups: one trace)."""
        executions = self._executions[train]
        if count == 1 and not loop:
            return executions["next"](iterator)
        return executions["iterator"](iterator, tf.constant(count))

    def run_list(self, train, batches):
        return self._executions[train]["list"](tuple(batches))
