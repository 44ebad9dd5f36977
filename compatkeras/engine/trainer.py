"""The engine's training contract: compile once, then run fit/evaluate/predict loops and
single batches. A surface builds a `TrainingConfig` and iterables of `data.Batch`; the trainer
owns the steps, the epoch loop, callbacks, and how values are averaged."""

import numpy as np
import tensorflow as tf
import tf_keras

from compatkeras.engine.feeds import DatasetFeed, PythonFeed
from compatkeras.engine.metrics import MetricState
from compatkeras.engine.progress import Averages, BatchLogs, ProgbarLogger
from compatkeras.engine.steps import PredictStep, Steps


class Trainer:
    """Mixed into the engine's `Model`. Public training methods belong to the surfaces; what a
    surface may call is listed in the package docstring (`compatkeras.engine`)."""

    _train_config = None
    _predictor = None
    _engine_spe = 1
    _batch_logs = BatchLogs()
    _progress = None
    _engine_running = None

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
        `(begin, end)` pair per execution with `end` the last step that really ran; values are
        read from the device only for callbacks with batch hooks."""
        if averages is None:
            averages = Averages(self._train_config, self._metric_state, self._steps)
        mode = "train" if train else "test"
        hooks = callbacks is not None and getattr(callbacks, f"_should_call_{mode}_batch_hooks")
        if self._progress is not None:
            self._progress.show(averages)
        if isinstance(feed, DatasetFeed):
            feed.steps = self._steps
        index = 0
        while steps is None or index < steps:
            wanted = self._engine_spe if steps is None else min(self._engine_spe, steps - index)
            group = feed.next_group(wanted)
            if group is None:
                break
            if not self._steps.jit_checked:
                self._steps.check_jit(group.spec)
            self._steps.prepare(train)
            if hooks:
                begin = self._batch_logs.begin(index, group.rows)
                getattr(callbacks, f"on_{mode}_batch_begin")(index, begin)
            group.run(self._steps, train)
            index += group.count
            averages.executed = index
            if hooks:
                end = self._batch_logs.end(averages, index - 1)
                getattr(callbacks, f"on_{mode}_batch_end")(index - 1, end)
            if callbacks is not None and self.stop_training:
                break
        return averages

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
        """`epoch_feed(epoch)` gives one epoch's feed (`engine.feeds`); `validate(epoch)` gives
        val logs (or None when there is no validation this epoch); `epoch_logs(logs)` shapes
        the logs callbacks and History see (default: as they are); `bar_steps` as for
        `_engine_callbacks`."""
        callbacks = self._engine_callbacks(
            callbacks, verbose, params, add_history=True, bar_steps=bar_steps
        )
        self.stop_training = False
        callbacks.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            callbacks.on_epoch_begin(epoch)
            averages = self._run_feed(True, epoch_feed(epoch), steps, callbacks)
            if averages.executed == 0:
                break  # the data had nothing left: no epoch to report (the surface warns)
            logs = averages.logs()
            validation = validate(epoch) if validate is not None else None
            if validation is not None:
                logs.update({f"val_{k}": v for k, v in validation.items()})
            callbacks.on_epoch_end(epoch, epoch_logs(logs) if epoch_logs else logs)
            if self.stop_training:
                break
        callbacks.on_train_end()
        return self.history

    def _engine_callbacks(self, callbacks, verbose, params, add_history=False, bar_steps=None):
        """A tf-keras `CallbackList` with tf-keras's progress bar when `verbose`. `params` (what
        callbacks see): `epochs`, `steps` (None: unknown), `verbose`, and `samples` to count the
        bar in samples (Keras 2.2.4 on arrays) rather than steps. `bar_steps`: count the bar in
        steps up to this many, whatever `params` say."""
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
            return self._run_feed(False, feed, steps).logs()
        params = {"verbose": verbose, "epochs": 1, "steps": steps, **(params or {})}
        cbs = self._engine_callbacks(callbacks, verbose, params, bar_steps=params["steps"])
        cbs.on_test_begin()
        logs = self._run_feed(False, feed, steps, cbs).logs()
        cbs.on_test_end(logs)
        return logs

    def _engine_batch(self, train, batch, accumulate=False):
        """One batch's logs (`batch`: `(x, ys, ws)`). With `accumulate`, the values are the
        running averages over the batches since the last call without it."""
        before = self._engine_running if accumulate else None
        feed = PythonFeed(iter([batch]), 1)
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
    ):
        """Predictions for an iterable of input lists: one array per output, rows in order.
        With `callbacks` (a list) or `verbose`, tf-keras's predict hooks and progress bar run
        around it (`params`: as for `_engine_evaluate`); `on_predict_batch_begin/end` fire once
        per `steps_per_execution` batches, with the last batch that really ran as the end
        index. Once training steps exist, their XLA decision (after any fallback) is used."""
        if self._engine_compiled:
            jit_compile = self._steps.jit_compile
        if self._predictor is None or self._predictor.options != (jit_compile, run_eagerly):
            self._predictor = PredictStep(self, jit_compile=jit_compile, eager=run_eagerly)
        cbs = None
        if callbacks or verbose:
            params = {"verbose": verbose, "epochs": 1, "steps": None, **(params or {})}
            cbs = self._engine_callbacks(callbacks, verbose, params, bar_steps=params["steps"])
            cbs.on_predict_begin()
        chunks = self._predict_loop(xs, cbs, steps_per_execution)
        if cbs is not None:
            cbs.on_predict_end()
        if not chunks:
            return []
        return [np.concatenate([c[i] for c in chunks]) for i in range(len(chunks[0]))]

    def _predict_loop(self, xs, callbacks, spe):
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
                index += len(group)
                if callbacks is not None:
                    callbacks.on_predict_batch_end(index - 1, {"outputs": outputs[-1]})
                group = []
            if x is None or (callbacks is not None and getattr(self, "stop_predicting", False)):
                break
        return chunks

    def _predict_one(self, x):
        outputs = self._predictor.predict(x)
        return [o.numpy() for o in tf.nest.flatten(outputs)]
