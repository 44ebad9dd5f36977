"""The engine's training contract: compile once, then run fit/evaluate/predict loops and
single batches. A surface builds a `TrainingConfig` and iterables of `data.Batch`; the trainer
owns the steps, the epoch loop, callbacks, and how values are averaged."""

import numpy as np
import tf_keras

from compatkeras.engine.data import DatasetEpoch
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


class _ProgbarLogger(tf_keras.callbacks.ProgbarLogger):
    """tf-keras's progress bar, told which values are running means (shown as they are, not
    averaged again) and not showing the `batch`/`size` bookkeeping keys of Keras 2 batch logs."""

    def _batch_update_progbar(self, batch, logs=None):
        if self.use_steps:  # in samples mode tf-keras pops them itself, counting `size`
            logs = {k: v for k, v in (logs or {}).items() if k not in ("batch", "size")}
        super()._batch_update_progbar(batch, logs)


class Trainer:
    """Mixed into the engine's `Model`. Public training methods belong to the surfaces."""

    _train_config = None
    _predictor = None

    def _engine_compile(self, config):
        self._train_config = config
        self.optimizer = config.optimizer
        self._metric_state = MetricState(config)
        self._steps = Steps(self, config, self._metric_state)

    @property
    def _engine_compiled(self):
        return self._train_config is not None

    def _run_batches(self, train, batches, callbacks=None):
        """Run train or test steps over `batches` (an iterable of `Batch` or a `DatasetEpoch`)."""
        self._metric_state.reset()
        averages = _Averages(self._train_config, self._metric_state)
        if isinstance(batches, DatasetEpoch):
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
                callbacks.on_train_batch_end(index, dict(averages.batch_logs(), batch=index, size=size))
            if callbacks is not None and self.stop_training:
                break
        return averages

    def _engine_fit(self, epoch_batches, epochs, initial_epoch, callbacks, verbose, steps,
                    params, validate=None):
        """`epoch_batches(epoch)` gives one epoch's batches; `validate()` gives val logs."""
        callbacks = list(callbacks or [])
        if verbose:
            state = self._metric_state
            stateful = [m.name for m, r in zip(state.specs, state.running, strict=True) if r]
            # Counted in samples when the surface reports them (Keras 2 on arrays), else in steps.
            count_mode = "samples" if params.get("steps") is None and params.get("samples") else "steps"
            callbacks.append(_ProgbarLogger(count_mode=count_mode, stateful_metrics=stateful))
        callbacks = tf_keras.callbacks.CallbackList(
            callbacks, add_history=True, add_progbar=False, model=self, verbose=verbose,
            epochs=epochs, steps=steps,
        )
        callbacks.set_params(params)
        self.stop_training = False
        callbacks.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            callbacks.on_epoch_begin(epoch)
            averages = self._run_batches(True, epoch_batches(epoch), callbacks)
            epoch_logs = averages.logs()
            if validate is not None:
                epoch_logs.update({f"val_{k}": v for k, v in validate().items()})
            callbacks.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        callbacks.on_train_end()
        return self.history

    def _engine_evaluate(self, batches):
        """Epoch values of a test pass, in `log_names` order."""
        return self._run_batches(False, batches).values()

    def _engine_batch(self, train, batch):
        return self._run_batches(train, [batch]).values()

    def _engine_predict(self, xs):
        """Predictions for an iterable of input lists: one array per output, rows in order."""
        if self._predictor is None:
            self._predictor = PredictStep(self)
        chunks = []
        for x in xs:
            outputs = self._predictor.predict(x)
            chunks.append([o.numpy() for o in (outputs if isinstance(outputs, (list, tuple)) else [outputs])])
        if not chunks:
            return []
        return [np.concatenate([c[i] for c in chunks]) for i in range(len(chunks[0]))]
