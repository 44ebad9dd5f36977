"""What the engine reports while it runs: epoch values read from the device, the logs that
batch callbacks get (shaped by the surface), and tf-keras's progress bar."""

import numpy as np
import tf_keras


class Averages:
    """Epoch values from the sums that executions keep on the device (`Steps.totals`, values
    times rows, and `Steps.sizes`), read only when logs are asked for, so steps run without
    waiting for Python. Losses and per-batch metrics are averaged by rows; running metrics are
    read from the `MetricState`. `fresh=False` goes on from the sums already there (tf.keras's
    `train_on_batch(reset_metrics=False)`)."""

    def __init__(self, config, metric_state, steps, fresh=True):
        if fresh:
            metric_state.reset()
            steps.reset_totals()
        self.metric_state = metric_state
        self.names = config.log_names
        self.losses = len(self.names) - len(metric_state.specs) - len(metric_state.model_metrics)
        self._steps = steps
        self._seen = self._read() if not fresh else (np.zeros(steps.value_count), 0.0)
        self.executed = 0  # steps run in this pass
        self.rows = 0.0  # rows so far, as of the last read
        self.last_rows = 0.0

    def _read(self):
        sums, self.rows = self._steps.totals.numpy(), float(self._steps.sizes.numpy())
        return sums, self.rows

    def _merge(self, averaged):
        """Averaged values and running results back in log order."""
        averaged, running = iter(averaged), iter(self.metric_state.results())
        values = [next(averaged) for _ in range(self.losses)]
        values += [next(running) if r else next(averaged) for r in self.metric_state.running]
        values += list(running)  # the model's own metrics
        return dict(zip(self.names, values, strict=True))

    def logs(self):
        """The values of the epoch so far."""
        sums, rows = self._read()
        return self._merge(sums / rows if rows else np.zeros_like(sums))

    def batch_logs(self):
        """The values of the steps since the previous call (Keras 2 batch logs: callbacks such
        as LR finders read the batch loss here), with the running metrics so far."""
        sums, rows = self._read()
        seen_sums, seen_rows = self._seen
        self._seen = (sums, rows)
        self.last_rows = rows - seen_rows
        return self._merge((sums - seen_sums) / self.last_rows if self.last_rows else sums * 0)

    def record(self, outputs):
        """Compiled steps keep their values on the device; nothing to record."""

    epoch_logs = logs

    def values(self):
        return list(self.logs().values())


class BatchLogs:
    """The logs batch callbacks get. A surface hands its own to `Trainer._engine_compile`; this
    default gives nothing at `begin` and the epoch's running values at `end` (tf.keras 2.x and
    Keras 3)."""

    def begin(self, index, rows):
        """`rows`: the batch's rows when known before it runs, else None."""
        return None

    def end(self, averages, index):
        return averages.logs()

    def end_index(self, begin, ran, planned, steps):
        """The index `on_*_batch_end` gets for an execution that began at step `begin`, was to
        run `planned` steps (`steps_per_execution`) and ran `ran` (fewer at the end of the data
        or of `steps`, the steps asked for, None when not asked): the last step that ran
        (tf.keras 2.x)."""
        return begin + ran - 1


class ProgbarLogger(tf_keras.callbacks.ProgbarLogger):
    """tf-keras's progress bar showing the running epoch values (what tf-keras shows), whatever
    logs the surface gives the other callbacks (Keras 2 gives each batch's own values)."""

    def __init__(self, count_mode, names, target=None):
        super().__init__(count_mode=count_mode, stateful_metrics=names)
        self._fixed_target = target
        self.show(None)

    def show(self, averages):
        """The values of this pass (None: the surface's logs, e.g. while predicting)."""
        self._averages, self._shown_rows = averages, 0.0

    def set_params(self, params):
        if params.get("verbose") == "auto":  # Keras 3 keeps "auto" in params; the bar shows steps
            params = dict(params, verbose=1)
        super().set_params(params)
        if self._fixed_target is not None:
            self.target = self._fixed_target
            self._call_batch_hooks = self.verbose == 1

    def _batch_update_progbar(self, batch, logs=None):
        if self._averages is not None:
            logs = self._averages.logs()
            if not self.use_steps:  # tf-keras counts samples from `size`
                logs["size"] = self._averages.rows - self._shown_rows
                self._shown_rows = self._averages.rows
        super()._batch_update_progbar(batch, logs)
