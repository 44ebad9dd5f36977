"""The engine's training contract: compile once, then run fit/evaluate/predict loops and
single batches. A surface builds a `TrainingConfig` and iterables of `data.Batch`; the trainer
owns the steps, the epoch loop, callbacks, and how values are averaged."""

import dataclasses

import tensorflow as tf
import tf_keras

from compatkeras.engine.feeds import DatasetFeed, PythonFeed
from compatkeras.engine.metrics import MetricState
from compatkeras.engine.own_steps import OwnSteps
from compatkeras.engine.progress import BatchLogs, ProgbarLogger
from compatkeras.engine.steps import PredictStep, Steps


def _watches_batches(callback, mode):
    """Whether `callback` has batch hooks of its own for `mode`: tf-keras's callbacks say so;
    for others (Keras 3's), whether their class overrides a batch hook of its `Callback` base."""
    implements = getattr(callback, f"_implements_{mode}_batch_hooks", None)
    if implements is not None:
        return implements()
    base = next((c for c in type(callback).__mro__ if c.__name__ == "Callback"), None)
    if base is None:
        return True
    names = [f"on_{mode}_batch_begin", f"on_{mode}_batch_end"]
    if mode == "train":
        names += ["on_batch_begin", "on_batch_end"]
    return any(getattr(type(callback), n, None) is not getattr(base, n, None) for n in names)


class _OwnStepsConfig:
    """Stands for the training config of a model that runs its own steps."""

    log_names = ()


_OWN_STEPS = _OwnStepsConfig()

# The most batches the trainer runs per call on its own (`_implicit_group`): past this the
# per-call cost is already small against the steps, and the unrolled graph only grows.
_MAX_IMPLICIT = 8

_STOP = {"train": "stop_training", "test": "stop_evaluating"}


class Trainer:
    """Mixed into the engine's `Model`. Public training methods belong to the surfaces; what a
    surface may call is listed in the package docstring (`compatkeras.engine`)."""

    _train_config = None
    _predictor = None
    _engine_spe = 1
    _batch_logs = BatchLogs()
    _progress = None
    _engine_running = None

    @property
    def _engine_model(self):
        """The model whose steps run: the model itself, or a `Runner`'s model."""
        return self

    # -- compile ------------------------------------------------------------------------------

    def _engine_compile(self, config, steps_per_execution=1, batch_logs=None):
        """Build the steps of `config` (a `TrainingConfig`). `batch_logs`: a `BatchLogs` that
        shapes what batch callbacks get (default: the epoch's running values after each
        execution of `steps_per_execution` steps)."""
        self._train_config = config
        self.optimizer = config.optimizer
        self._metric_state = MetricState(config)
        self._steps = Steps(self, config, self._metric_state)
        self._engine_spe = steps_per_execution
        self._batch_logs = batch_logs if batch_logs is not None else BatchLogs()
        self._predictor = None
        self._engine_running = None

    def _engine_compile_own(
        self,
        steps_per_execution=1,
        jit_compile=False,
        run_eagerly=False,
        jit_fallback=False,
        batch_logs=None,
    ):
        """Run the model's own `train_step` / `test_step` / `predict_step` (the surface has
        compiled it as tf-keras does: `compiled_loss`, `compiled_metrics`, `optimizer`).
        `jit_fallback`: XLA was chosen automatically, so a step it cannot compile runs without
        (`_engine_jit_compile` then says False). `batch_logs`: as for `_engine_compile`."""
        self._train_config = _OWN_STEPS
        self._steps = OwnSteps(self._engine_model, jit_compile, run_eagerly, jit_fallback)
        self._engine_spe = steps_per_execution
        self._batch_logs = batch_logs if batch_logs is not None else BatchLogs()
        self._predictor = None
        self._engine_running = None

    def _engine_set_run_eagerly(self, run_eagerly):
        """Run eagerly (or not) from the next call on, keeping what was compiled (tf.keras's
        `model.run_eagerly = True` after compile). Before any compile: nothing to change."""
        steps = getattr(self, "_steps", None)
        if steps is None:
            return
        if self._engine_own_steps:
            if steps.run_eagerly != run_eagerly:
                jit = steps.jit_compile and not run_eagerly
                self._engine_compile_own(
                    self._engine_spe, jit, run_eagerly, batch_logs=self._batch_logs
                )
        elif self._train_config.run_eagerly != run_eagerly:
            config = dataclasses.replace(self._train_config, run_eagerly=run_eagerly)
            self._engine_compile(config, self._engine_spe, self._batch_logs)

    @property
    def _engine_own_steps(self):
        return self._train_config is _OWN_STEPS

    def _engine_reset(self):
        """Forget the compiled steps (a surface compiles again, e.g. with a new XLA setting)."""
        self._train_config = None
        self._predictor = None

    @property
    def _engine_compiled(self):
        return self._train_config is not None

    @property
    def _engine_config(self):
        return self._train_config

    @property
    def _engine_jit_compile(self):
        """Whether the steps run under XLA (after any fallback)."""
        return self._steps.jit_compile

    # -- the loop -------------------------------------------------------------------------------

    def _run_feed(self, train, feed, steps, callbacks=None, averages=None):
        """The one loop: executions of up to `steps_per_execution` steps over a feed, for
        `steps` steps or until the feed runs out (`feed.exhausted`). Callbacks see one
        `(begin, end)` pair per execution (`end`: `BatchLogs.end_index`); values are
        read from the device only for callbacks with batch hooks."""
        if averages is None:
            averages = self._steps.averages()
        mode = "train" if train else "test"
        hooks = self._batch_hooks(callbacks, mode)
        if self._progress is not None:
            self._progress.show(averages)
        if isinstance(feed, DatasetFeed):
            feed.steps = self._steps
        implicit = self._implicit_group(feed, callbacks, mode)
        size = implicit or self._engine_spe
        index = 0
        while steps is None or index < steps:
            wanted = size if steps is None else min(size, steps - index)
            group = feed.next_group(wanted, implicit)
            if group is None:
                break
            if not self._steps.jit_checked:
                self._steps.check_jit(group.spec)
            self._steps.prepare(train)
            first = index
            if hooks:
                begin = self._batch_logs.begin(index, group.rows)
                getattr(callbacks, f"on_{mode}_batch_begin")(index, begin)
            averages.record(group.run(self._steps, train))
            index += group.count
            averages.executed = index
            if hooks:
                last = self._batch_logs.end_index(first, group.count, self._engine_spe, steps)
                end = self._batch_logs.end(averages, last)
                getattr(callbacks, f"on_{mode}_batch_end")(last, end)
            # A callback stops training with `stop_training`, an evaluation with
            # `stop_evaluating` (tf-keras and Keras 3: evaluating ignores `stop_training`).
            if callbacks is not None and getattr(self, _STOP[mode], False):
                break
        return averages

    def _batch_hooks(self, callbacks, mode):
        """Whether any callback has batch hooks for `mode` (tf-keras's container says so; for
        others, assume so). A fit's progress bar ignores the test batches of its validation,
        so then only the other callbacks count (no values are read for the bar alone)."""
        if callbacks is None or not getattr(callbacks, f"_should_call_{mode}_batch_hooks", True):
            return False
        bar = self._progress
        if mode == "test" and bar is not None and getattr(bar, "_called_in_fit", False):
            others = [c for c in getattr(callbacks, "callbacks", ()) if c is not bar]
            return any(_watches_batches(c, mode) for c in others)
        return True

    def _implicit_group(self, feed, callbacks, mode):
        """How many Python batches to run per call when the user asked for one step per call:
        as many as the feed reads ahead anyway (at most `_MAX_IMPLICIT`), when no callback but
        the progress bar (which shows groups as tf-keras does with `steps_per_execution`) has
        batch hooks to see single batches; None: one per call."""
        size = min(getattr(feed, "read_ahead", 0), _MAX_IMPLICIT)
        if size < 2 or self._engine_spe != 1 or not self._steps.groups_batches:
            return None
        if callbacks is not None:
            for callback in callbacks.callbacks:
                if not isinstance(callback, ProgbarLogger) and _watches_batches(callback, mode):
                    return None
        return size

    def _engine_fit(
        self,
        epoch_feed,
        epochs,
        initial_epoch,
        callbacks,
        verbose,
        steps,
        params,
        validate=None,
        epoch_logs=None,
        bar_steps=None,
    ):
        """`epoch_feed(epoch)` gives one epoch's feed (`engine.feeds`); `initial_epoch`: an int,
        or a function read after `on_train_begin` (Keras 3's `BackupAndRestore` sets the model's
        `_initial_epoch` there); `validate(epoch, callbacks)` gives val logs (or None when there
        is no validation this epoch; `callbacks`: the fit's container, for a surface whose
        validation calls the test hooks, as tf.keras 2.x's); `epoch_logs(logs)` shapes the logs
        callbacks and History see (default: as they are); `bar_steps` as for
        `_engine_callbacks`."""
        callbacks = self._engine_callbacks(
            callbacks, verbose, params, add_history=True, bar_steps=bar_steps
        )
        self.stop_training = False
        callbacks.on_train_begin()
        if callable(initial_epoch):  # read after on_train_begin, where callbacks may set it
            initial_epoch = initial_epoch()
        logs = None
        for epoch in range(initial_epoch, epochs):
            callbacks.on_epoch_begin(epoch)
            averages = self._run_feed(True, epoch_feed(epoch), steps, callbacks)
            if averages.executed == 0:
                break  # the data had nothing left: no epoch to report (the surface warns)
            logs = averages.epoch_logs()
            validation = validate(epoch, callbacks) if validate is not None else None
            if validation is not None:
                logs.update({f"val_{k}": v for k, v in validation.items()})
            logs = epoch_logs(logs) if epoch_logs else logs
            callbacks.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        callbacks.on_train_end(logs)
        return self.history

    def _engine_callbacks(self, callbacks, verbose, params, add_history=False, bar_steps=None):
        """A tf-keras `CallbackList` with tf-keras's progress bar when `verbose`. `params` (what
        callbacks see): `epochs`, `steps` (None: unknown), `verbose`, and `samples` to count the
        bar in samples (Keras 2.2.4 on arrays) rather than steps. `bar_steps`: count the bar in
        steps up to this many, whatever `params` say. A container the surface built itself (not
        a list: it has `on_train_begin`) is used as it is, with the progress bar it has (a
        fit's, when its validation runs the test hooks)."""
        if callbacks is not None and not isinstance(callbacks, (list, tuple)):
            if self._progress not in getattr(callbacks, "callbacks", ()):
                self._progress = None
            return callbacks
        callbacks = list(callbacks or [])
        self._progress = None
        if verbose:
            by_samples = params.get("samples") and not params.get("steps") and bar_steps is None
            names = list(self._train_config.log_names) if self._engine_compiled else []
            self._progress = ProgbarLogger(
                "samples" if by_samples else "steps", names, target=bar_steps
            )
            callbacks.append(self._progress)
        callbacks = tf_keras.callbacks.CallbackList(
            callbacks,
            add_history=add_history,
            add_progbar=False,
            model=self,
            verbose=verbose,
            epochs=params.get("epochs", 1),
            steps=params.get("steps"),
        )
        callbacks.set_params(params)
        return callbacks

    def _engine_evaluate(self, feed, steps=None, callbacks=None, verbose=0, params=None):
        """The logs of a test pass over `feed`, in `log_names` order. With `callbacks` (a list)
        or `verbose`, tf-keras's test hooks and progress bar run around it; `params` go to
        them (`steps`: the bar's target)."""
        if not callbacks and not verbose:
            return self._run_feed(False, feed, steps).epoch_logs()
        params = {"verbose": verbose, "epochs": 1, "steps": steps, **(params or {})}
        cbs = self._engine_callbacks(callbacks, verbose, params, bar_steps=params["steps"])
        cbs.on_test_begin()
        logs = self._run_feed(False, feed, steps, cbs).epoch_logs()
        cbs.on_test_end(logs)
        return logs

    def _engine_batch(self, train, batch, accumulate=False):
        """One batch's logs (`batch`: `(x, ys, ws)`, or a one-batch feed). With `accumulate`,
        the values are the running averages over the batches since the last call without
        it."""
        before = self._engine_running if accumulate else None
        if accumulate and before is None and self._engine_own_steps:
            before = self._steps.averages(fresh=False)  # tf-keras: no reset without asking
        feed = batch if isinstance(batch, DatasetFeed) else PythonFeed(iter([batch]), 1)
        averages = self._run_feed(train, feed, 1, averages=before)
        self._engine_running = averages if accumulate else None
        return averages.logs()

    def _engine_predict(
        self,
        xs,
        callbacks=None,
        steps_per_execution=1,
        jit_compile=False,
        run_eagerly=False,
        verbose=0,
        params=None,
        own_step=False,
        batch_logs=None,
    ):
        """Predictions for an iterable of input lists: one array per output, rows in order.
        With `own_step`, the items are batches as the surface's adapter gives them, the
        model's `predict_step` runs on them, and the result keeps its structure (tf-keras).
        With `callbacks` (a list) or `verbose`, tf-keras's predict hooks and progress bar run
        around it (`params`: as for `_engine_evaluate`); `on_predict_batch_begin/end` fire once
        per `steps_per_execution` batches, with the last batch that really ran as the end
        index (`batch_logs.end_index`, default: the compiled one's). Once training steps exist,
        their XLA decision (after any fallback) is used."""
        if self._engine_compiled:
            jit_compile = self._steps.jit_compile
        options = (jit_compile, run_eagerly, own_step)
        if self._predictor is None or self._predictor.options != options:
            self._predictor = PredictStep(self._engine_model, *options)
        cbs = None
        if callbacks or verbose:
            params = {"verbose": verbose, "epochs": 1, "steps": None, **(params or {})}
            cbs = self._engine_callbacks(callbacks, verbose, params, bar_steps=params["steps"])
            cbs.on_predict_begin()
        indices = batch_logs if batch_logs is not None else self._batch_logs
        chunks = self._predict_loop(xs, cbs, steps_per_execution, indices)
        if cbs is not None:
            cbs.on_predict_end()
        if not chunks:
            return []
        arrays = [self._predictor.concat([c[i] for c in chunks]) for i in range(len(chunks[0]))]
        if own_step:
            return tf.nest.pack_sequence_as(self._predicted_structure, arrays)
        return arrays

    def _predict_loop(self, xs, callbacks, spe, indices):
        chunks, group = [], []
        xs = iter(xs)
        index = 0
        while True:
            x = next(xs, None)
            if x is not None:
                group.append(x)
            if group and (x is None or len(group) == spe):
                if callbacks is not None:
                    callbacks.on_predict_batch_begin(index)
                outputs = [self._predict_one(g) for g in group]
                chunks.extend(outputs)
                if callbacks is not None:
                    last = indices.end_index(index, len(group), spe, None)
                    callbacks.on_predict_batch_end(last, {"outputs": outputs[-1]})
                index += len(group)
                group = []
            if x is None or (callbacks is not None and getattr(self, "stop_predicting", False)):
                break
        return chunks

    def _predict_one(self, x):
        outputs = self._predictor.predict(x)
        self._predicted_structure = outputs
        return self._predictor.host(outputs)


class Runner(Trainer):
    """The engine's loop for a model that does not mix in `Trainer` (a Keras 3 `keras.Model`,
    whose training methods a surface replaces): the engine's state lives here, and what the
    loop reads of the model (`stop_training`, `history`) is the model's own."""

    def __init__(self, model):
        self.model = model

    @property
    def _engine_model(self):
        return self.model

    @property
    def stop_training(self):
        return self.model.stop_training

    @stop_training.setter
    def stop_training(self, value):
        self.model.stop_training = value

    @property
    def history(self):
        return getattr(self.model, "history", None)

    @property
    def stop_evaluating(self):
        return getattr(self.model, "stop_evaluating", False)

    @property
    def stop_predicting(self):
        return getattr(self.model, "stop_predicting", False)

    @property
    def distribute_strategy(self):
        return self.model.distribute_strategy
