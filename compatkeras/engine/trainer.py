"""The engine's training contract: compile once, then run fit/evaluate/predict loops and
single batches. A surface builds a `TrainingConfig` and iterables of `data.Batch`; the trainer
owns the steps, the epoch loop, callbacks, and how values are averaged."""

import numpy as np
import tensorflow as tf
import tf_keras

from compatkeras.engine.data import Batch, DatasetEpoch
from compatkeras.engine.feeds import DatasetFeed, PythonFeed
from compatkeras.engine.metrics import MetricState
from compatkeras.engine.steps import PredictStep, Steps


class _Averages:
    """Epoch values from step outputs: losses and per-batch metrics are averaged by batch size,
    running metrics are read from the `MetricState`."""

    def __init__(self, config, metric_state):
        self.metric_state = metric_state
        self.names = config.log_names
        self.losses = len(self.names) - len(metric_state.specs)
        self.averaged = self.losses + metric_state.running.count(False)
        self.sums = np.zeros(self.averaged)
        self.count = 0.0
        self.last = np.zeros(self.averaged)

    def add(self, values, size):
        self.last = np.array([float(v) for v in values])
        self.sums += self.last * size
        self.count += size

    def _merge(self, averaged):
        """Averaged values and running results back in log order."""
        averaged, running = iter(averaged), iter(self.metric_state.results())
        values = [next(averaged) for _ in range(self.losses)]
        values += [next(running) if r else next(averaged) for r in self.metric_state.running]
        return dict(zip(self.names, values, strict=True))

    def logs(self):
        return self._merge(self.sums / self.count if self.count else np.zeros(self.averaged))

    def batch_logs(self):
        """Keras 2 batch logs: this batch's own losses and per-batch metrics (callbacks such as
        LR finders read the batch loss here), and the running metrics so far."""
        return self._merge(self.last)

    def values(self):
        return list(self.logs().values())


class _DeviceAverages(_Averages):
    """Epoch values from the sums the executions keep on the device (`Steps.totals`): read
    only when logs are asked for, so steps run without waiting for Python."""

    def __init__(self, config, metric_state, steps):
        super().__init__(config, metric_state)
        self.steps_object = steps
        steps.reset_totals()

    def logs(self):
        self.count = float(self.steps_object.sizes.numpy())
        self.sums = self.steps_object.totals.numpy()
        return super().logs()


class _ProgbarLogger(tf_keras.callbacks.ProgbarLogger):
    """tf-keras's progress bar, told which values are running means (shown as they are, not
    averaged again) and not showing the `batch`/`size` bookkeeping keys of Keras 2 batch logs."""

    def set_params(self, params):
        if params.get("verbose") == "auto":  # Keras 3 keeps "auto" in params; the bar shows steps
            params = dict(params, verbose=1)
        super().set_params(params)

    def _batch_update_progbar(self, batch, logs=None):
        if self.use_steps:  # in samples mode tf-keras pops them itself, counting `size`
            logs = {k: v for k, v in (logs or {}).items() if k not in ("batch", "size")}
        super()._batch_update_progbar(batch, logs)


class Trainer:
    """Mixed into the engine's `Model`. Public training methods belong to the surfaces."""

    _train_config = None
    _predictor = None
    _engine_spe = 1
    _batch_logs_format = None

    def _engine_compile(self, config, steps_per_execution=1, batch_logs=None):
        """`batch_logs`: None for Keras 2 batch logs (this batch's values, `batch`, `size`), or
        a function shaping the running epoch values that callbacks get after each execution."""
        self._train_config = config
        self.optimizer = config.optimizer
        self._metric_state = MetricState(config)
        self._steps = Steps(self, config, self._metric_state)
        self._engine_spe = steps_per_execution
        self._batch_logs_format = batch_logs
        self._predictor = None

    @property
    def _engine_compiled(self):
        return self._train_config is not None

    def _run_feed(self, train, feed, steps, callbacks=None):
        """Executions of up to `steps_per_execution` steps over a feed, for `steps` steps or
        until the feed runs out (`feed.exhausted`). Callbacks see one `(begin, end)` pair per
        execution with `end` the last step that really ran."""
        self._metric_state.reset()
        averages = _DeviceAverages(self._train_config, self._metric_state, self._steps)
        mode = "train" if train else "test"
        hooks = callbacks is not None and getattr(callbacks, f"_should_call_{mode}_batch_hooks")
        begin_hook = getattr(callbacks, f"on_{mode}_batch_begin", None)
        end_hook = getattr(callbacks, f"on_{mode}_batch_end", None)
        if isinstance(feed, DatasetFeed):
            feed.steps = self._steps
        index = 0
        while steps is None or index < steps:
            wanted = self._engine_spe if steps is None else min(self._engine_spe, steps - index)
            group = feed.next_group(wanted)
            if group is None:
                break
            if group.spec is not None:
                self._steps.check_jit(group.spec)
            if hooks:
                begin_hook(index)
            group.run(self._steps, train)
            index += group.count
            if hooks:
                end_hook(index - 1, self._batch_logs(averages, index - 1))
            if callbacks is not None and self.stop_training:
                break
        averages.steps = index
        return averages

    def _batch_logs(self, averages, index):
        """Running epoch values as the surface shapes them (feeds serve the Keras 3 surface;
        Keras 2 batch logs come from `_run_batches`' own loop)."""
        logs = averages.logs()
        return self._batch_logs_format(logs) if self._batch_logs_format is not None else logs

    def _run_batches(self, train, batches, callbacks=None, steps=None, averages=None):
        """Run train or test steps over `batches`: an iterable of `Batch`, a `DatasetEpoch`, or
        a feed (`engine.feeds`). Given the `averages` of an earlier call, values and metrics
        go on accumulating from there (tf.keras's `train_on_batch(reset_metrics=False)`)."""
        if isinstance(batches, (DatasetFeed, PythonFeed)):
            return self._run_feed(train, batches, steps, callbacks)
        if averages is None:
            self._metric_state.reset()
            averages = _Averages(self._train_config, self._metric_state)
        if self._steps.replicas > 1:
            # Under a distribution strategy every batch is split over the replicas.
            if isinstance(batches, DatasetEpoch):
                batches = (
                    Batch(*element, size=size)
                    for element, size in zip(batches.dataset, batches.sizes, strict=True)
                )
            step = self._steps.replicated_step
            steps = ((lambda b=b: step(train, b.x, b.ys, b.ws), b.size) for b in batches)
        elif isinstance(batches, DatasetEpoch):
            step = self._steps.train_next if train else self._steps.test_next
            iterator = iter(batches.dataset)
            steps = ((lambda: step(iterator), size) for size in batches.sizes)
        else:
            step = self._steps.train if train else self._steps.test
            steps = ((lambda b=b: step(b.x, b.ys, b.ws), b.size) for b in batches)
        hooks = callbacks is not None and callbacks._should_call_train_batch_hooks
        for index, (run, size) in enumerate(steps):
            if hooks:
                callbacks.on_train_batch_begin(index, {"batch": index, "size": size})
            averages.add(run(), size)
            if hooks:
                callbacks.on_train_batch_end(
                    index, dict(averages.batch_logs(), batch=index, size=size)
                )
            if callbacks is not None and self.stop_training:
                break
        return averages

    def _engine_fit(
        self,
        epoch_batches,
        epochs,
        initial_epoch,
        callbacks,
        verbose,
        steps,
        params,
        validate=None,
        epoch_logs=None,
    ):
        """`epoch_batches(epoch)` gives one epoch's batches; `validate(epoch)` gives val logs
        (or None when there is no validation this epoch); `epoch_logs(logs)` shapes the logs
        callbacks and History see (default: as they are)."""
        callbacks = self._engine_callbacks(callbacks, verbose, params, add_history=True)
        self.stop_training = False
        callbacks.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            callbacks.on_epoch_begin(epoch)
            averages = self._run_batches(True, epoch_batches(epoch), callbacks, steps)
            if getattr(averages, "steps", None) == 0:
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

    def _engine_callbacks(self, callbacks, verbose, params, add_history=False):
        """A tf-keras `CallbackList` with compatkeras's progress bar when `verbose`."""
        callbacks = list(callbacks or [])
        if verbose:
            state = self._metric_state
            if self._batch_logs_format is not None:
                stateful = list(self._train_config.log_names)
            else:
                stateful = [m.name for m, r in zip(state.specs, state.running, strict=True) if r]
            # Counted in samples when the surface reports them (Keras 2 on arrays), else in steps.
            count_mode = (
                "samples" if params.get("steps") is None and params.get("samples") else "steps"
            )
            callbacks.append(_ProgbarLogger(count_mode=count_mode, stateful_metrics=stateful))
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

    def _engine_evaluate(self, batches, steps=None, callbacks=None):
        """Epoch values of a test pass, in `log_names` order."""
        return self._run_batches(False, batches, callbacks, steps).values()

    def _engine_batch(self, train, batch, accumulate=False):
        """One batch's logs. With `accumulate`, the values are the running averages over the
        batches since the last call without it."""
        before = getattr(self, "_engine_running", None) if accumulate else None
        averages = self._run_batches(train, [batch], averages=before)
        self._engine_running = averages if accumulate else None
        return averages.values()

    def _engine_predict(
        self, xs, callbacks=None, steps_per_execution=1, jit_compile=False, run_eagerly=False
    ):
        """Predictions for an iterable of input lists: one array per output, rows in order.
        With callbacks, `on_predict_batch_begin/end` fire once per `steps_per_execution`
        batches, with the last batch that really ran as the end index. Once training steps
        exist, their XLA decision (after any fallback) is used."""
        if self._engine_compiled:
            jit_compile = self._steps.jit_compile
        if self._predictor is None or self._predictor.options != (jit_compile, run_eagerly):
            self._predictor = PredictStep(self, jit_compile=jit_compile, eager=run_eagerly)
        spe = steps_per_execution
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
        if not chunks:
            return []
        return [np.concatenate([c[i] for c in chunks]) for i in range(len(chunks[0]))]

    def _predict_one(self, x):
        outputs = self._predictor.predict(x)
        return [o.numpy() for o in tf.nest.flatten(outputs)]
