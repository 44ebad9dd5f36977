"""Keras 3 models on compatkeras's engine: Keras 3's training methods (`compile`, `fit`,
`evaluate`, `predict`, `train_on_batch`, `test_on_batch`, `predict_on_batch`) whose steps run
in the engine's loop (`engine.Runner`), `steps_per_execution` of the model's own Keras 3
`train_step` / `test_step` / `predict_step` per compiled call.

`Keras3Training` is a mixin for `keras.Model` subclasses, and its methods also work bound to any
Keras 3 model (Keras 3's own test suite is run by setting them on Keras 3's `TensorFlowTrainer`),
so they use no zero-argument `super()` and keep references to Keras 3's own methods taken at
import. What stays Keras 3's: the data adapters (`TFEpochIterator`), the callback container and
progress bar, `train_step`, `compute_loss`, metrics, the symbolic build before the first step.
"""

import warnings

import tensorflow as tf
from keras.src import callbacks as k3_callbacks
from keras.src import optimizers as k3_optimizers
from keras.src.backend import config as k3_config
from keras.src.backend.tensorflow import trainer as k3_tf_trainer
from keras.src.saving import serialization_lib
from keras.src.trainers import trainer as k3_trainer
from keras.src.trainers.compile_utils import CompileMetrics
from keras.src.trainers.data_adapters import array_slicing, data_adapter_utils
from keras.src.utils.python_utils import pythonify_logs

from compatkeras.v3 import data as v3_data
from compatkeras.v3 import keras3_data
from compatkeras.v3.keras3_runner import (
    KERAS3_INDICES,
    after_steps,
    ready,
    resolve_jit,
    runner_of,
)

# Keras 3's own methods, taken at import: the suite's contract may later put ours in their place.
_keras_compile = k3_trainer.Trainer.compile
_keras_compile_from_config = k3_trainer.Trainer.compile_from_config
_keras_train_step = k3_tf_trainer.TensorFlowTrainer.train_step


def _worker_options(method, kwargs):
    """Keras 2's worker arguments, taken with a DeprecationWarning (`compatkeras.v3.data`);
    any other unknown argument is Keras 3's TypeError."""
    options = v3_data.worker_options(method, kwargs)
    if kwargs:
        raise TypeError(f"{method}() got an unexpected keyword argument {next(iter(kwargs))!r}")
    return options


def check_steps_per_execution(value):
    """Keras 3 leaves it unchecked (a float or 0 fails later, or loops)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(
            "`steps_per_execution` must be an integer >= 1 (the number of batches each "
            f"compiled call runs). Received: steps_per_execution={value!r}"
        )
    return value


def _check_steps(**steps):
    """Clearer than Keras 3's own failure (a TypeError deep in the loop, or an
    OutOfRangeError): steps are whole numbers."""
    for name, value in steps.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"`{name}` must be an integer or None. Received: {name}={value!r}")


def _check_targets(model, x, y):
    """Keras 3 fails with "None values not supported" deep in its loss when array data has no
    `y` for a compiled loss; this names the outputs and the fix. Only for Keras 3's own
    `train_step` and `compute_loss` (an override may need no targets)."""
    if (
        y is not None
        or getattr(model, "_compile_loss", None) is None
        or not v3_data.array_like(x)
        or type(model).train_step is not _keras_train_step
        or type(model).compute_loss is not k3_trainer.Trainer.compute_loss
    ):
        return
    raise ValueError(
        f"No target data (`y`) for the outputs {list(model.output_names)}, which have a loss. "
        "Pass `y`, or compile them with loss=None."
    )


def _in_order(model, logs):
    """The logs as a list in the order of `model.metrics` (one value when there is one), then
    the other keys sorted: Keras 3's `_flatten_metrics_in_order`, but with each name once
    (Keras 3 lists a metric twice when a weighted metric has its name: docs/deviations.md)."""
    names = []
    for metric in model.metrics:
        subs = metric.metrics if isinstance(metric, CompileMetrics) else None
        names += [m.name for m in subs] if subs is not None else [metric.name]
    names = [name for name in dict.fromkeys(names) if name in logs]
    results = [logs[name] for name in names]
    results += [logs[key] for key in sorted(logs) if key not in names]
    return results[0] if len(results) == 1 else results


def _callback_list(model, callbacks, verbose, epochs, steps, add_history=False):
    if isinstance(callbacks, k3_callbacks.CallbackList):
        return callbacks
    return k3_callbacks.CallbackList(
        callbacks,
        add_history=add_history,
        add_progbar=verbose != 0,
        verbose=verbose,
        epochs=epochs,
        steps=steps,
        model=model,
    )


class Keras3Training:
    """Keras 3's training methods, run on compatkeras's engine."""

    def compile(
        self,
        optimizer="rmsprop",
        loss=None,
        loss_weights=None,
        metrics=None,
        weighted_metrics=None,
        run_eagerly=False,
        steps_per_execution=1,
        jit_compile="auto",
        auto_scale_loss=True,
    ):
        check_steps_per_execution(steps_per_execution)
        jit_compile, jit_auto = resolve_jit(self, jit_compile, run_eagerly)
        _keras_compile(
            self,
            optimizer=optimizer,
            loss=loss,
            loss_weights=loss_weights,
            metrics=metrics,
            weighted_metrics=weighted_metrics,
            run_eagerly=run_eagerly,
            steps_per_execution=steps_per_execution,
            jit_compile=jit_compile,
            auto_scale_loss=auto_scale_loss,
        )
        runner = runner_of(self)
        runner.options = None  # new steps at the next call, as Keras 3 resets its functions
        runner.jit_auto = jit_auto and bool(self.jit_compile)

    def compile_from_config(self, config):
        """Keras 3's, with this `compile` counted as Keras 3's own: Keras 3 skips compiling a
        loaded model whose class overrides `compile` (a user's custom one still is)."""
        if type(self).compile is not Keras3Training.compile:
            return _keras_compile_from_config(self, config)
        self.compile(**serialization_lib.deserialize_keras_object(config))
        if hasattr(self, "optimizer") and self.built:
            self.optimizer.build(self.trainable_variables)

    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        epochs=1,
        verbose="auto",
        callbacks=None,
        validation_split=0.0,
        validation_data=None,
        shuffle=True,
        class_weight=None,
        sample_weight=None,
        initial_epoch=0,
        steps_per_epoch=None,
        validation_steps=None,
        validation_batch_size=None,
        validation_freq=1,
        **kwargs,
    ):
        options = _worker_options("fit", kwargs)
        self._assert_compile_called("fit")
        _check_steps(steps_per_epoch=steps_per_epoch, validation_steps=validation_steps)
        _check_targets(self, x, y)
        max_epochs = k3_config.max_epochs()
        if max_epochs and max_epochs < epochs:
            warnings.warn(f"Limiting epochs to {max_epochs}", stacklevel=2)
            epochs = max_epochs
        self._eval_epoch_iterator = None
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = array_slicing.train_validation_split(
                (x, y, sample_weight), validation_split=validation_split
            )
        if validation_data is not None:
            val_x, val_y, val_sample_weight = data_adapter_utils.unpack_x_y_sample_weight(
                validation_data
            )
        feeds = keras3_data.epoch_feeds(
            self,
            x=x,
            y=y,
            sample_weight=sample_weight,
            batch_size=batch_size,
            steps_per_epoch=steps_per_epoch,
            shuffle=shuffle,
            class_weight=class_weight,
            options=options,
        )

        def validate(epoch, _callbacks):
            feeds.end_epoch(self, last=epoch + 1 >= epochs)
            if validation_data is None or not self._should_eval(epoch, validation_freq):
                return None
            # Arrays and tf.data: Keras 3's adapter, made once and kept for every epoch.
            # PyDatasets and generators: a fresh pass of the engine's reader each time.
            cached = not keras3_data.is_python_data(val_x)
            if cached and getattr(self, "_eval_epoch_iterator", None) is None:
                self._eval_epoch_iterator = keras3_data.epoch_iterator(
                    self,
                    x=val_x,
                    y=val_y,
                    sample_weight=val_sample_weight,
                    batch_size=validation_batch_size or batch_size,
                    steps_per_epoch=validation_steps,
                    shuffle=False,
                )
            return Keras3Training.evaluate(
                self,
                x=val_x,
                y=val_y,
                sample_weight=val_sample_weight,
                batch_size=validation_batch_size or batch_size,
                steps=validation_steps,
                callbacks=callbacks,
                return_dict=True,
                _use_cached_eval_dataset=cached,
            )

        try:  # from here on, the feeds' workers are stopped whatever happens
            callbacks = _callback_list(
                self, callbacks, verbose, epochs, feeds.num_batches, add_history=True
            )
            runner = ready(self)
            runner._engine_fit(
                feeds,
                epochs,
                lambda: self._initial_epoch or initial_epoch,
                callbacks,
                verbose,
                steps_per_epoch,
                params={},
                validate=validate,
            )
            feeds.end_epoch(self)  # an epoch that found no data ends here
            after_steps(self, runner)
        finally:
            feeds.close()
        if isinstance(self.optimizer, k3_optimizers.Optimizer) and epochs > 0:
            self.optimizer.finalize_variable_values(self.trainable_weights)
        if getattr(self, "_eval_epoch_iterator", None) is not None:
            del self._eval_epoch_iterator
        return self.history

    def evaluate(
        self,
        x=None,
        y=None,
        batch_size=None,
        verbose="auto",
        sample_weight=None,
        steps=None,
        callbacks=None,
        return_dict=False,
        **kwargs,
    ):
        self._assert_compile_called("evaluate")
        use_cached = kwargs.pop("_use_cached_eval_dataset", False)
        options = v3_data.worker_options("evaluate", kwargs)
        if kwargs:
            raise ValueError(f"Arguments not recognized: {kwargs}")
        _check_steps(steps=steps)
        _check_targets(self, x, y)
        if use_cached:
            epoch_iterator = self._eval_epoch_iterator
            keras3_data.symbolic_build(self, epoch_iterator)
            epoch_iterator.reset()
            feeds = keras3_data.EpochFeeds(epoch_iterator)
        else:
            feeds = keras3_data.epoch_feeds(
                self,
                x=x,
                y=y,
                sample_weight=sample_weight,
                batch_size=batch_size,
                steps_per_epoch=steps,
                shuffle=False,
                options=options,
            )
        self.stop_evaluating = False
        try:
            callbacks = _callback_list(self, callbacks, verbose, 1, feeds.num_batches)
            runner = ready(self)
            logs = runner._engine_evaluate(feeds(), steps, callbacks, verbose)
        finally:
            feeds.close()
        logs = pythonify_logs(logs)
        if return_dict:
            return logs
        return _in_order(self, logs)

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None, **kwargs):
        options = _worker_options("predict", kwargs)
        feeds = keras3_data.epoch_feeds(
            self,
            x=x,
            batch_size=batch_size,
            steps_per_epoch=steps,
            shuffle=False,
            build=False,
            options=options,
        )
        self.stop_predicting = False
        try:
            callbacks = _callback_list(self, callbacks, verbose, 1, feeds.num_batches)
            runner = runner_of(self)
            feed = feeds()
            count = feed.num_batches if steps is None else steps
            batches = feeds.batches(count)
            return runner._engine_predict(
                batches,
                callbacks,
                self.steps_per_execution,
                bool(self.jit_compile),
                bool(self.run_eagerly),
                verbose,
                own_step=True,
                batch_logs=KERAS3_INDICES,
            )
        finally:
            feeds.close()

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        self._assert_compile_called("train_on_batch")
        if class_weight is not None:
            if sample_weight is not None:
                raise ValueError(
                    "Arguments `sample_weight` and `class_weight` cannot be specified at the "
                    f"same time. Received: sample_weight={sample_weight}, "
                    f"class_weight={class_weight}"
                )
            sample_weight = data_adapter_utils.class_weight_to_sample_weights(y, class_weight)
        return _one_batch(self, True, (x, y, sample_weight), return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._assert_compile_called("test_on_batch")
        return _one_batch(self, False, (x, y, sample_weight), return_dict)

    def predict_on_batch(self, x):
        return runner_of(self)._engine_predict(
            [(x,)],
            jit_compile=bool(self.jit_compile),
            run_eagerly=bool(self.run_eagerly),
            own_step=True,
        )


def _one_batch(model, train, batch, return_dict):
    x = batch[0]
    if keras3_data.is_python_data(x) or isinstance(x, (tf.data.Dataset, tf.data.Iterator)):
        method = "train_on_batch" if train else "test_on_batch"
        raise ValueError(
            f"`{method}` takes one batch of arrays or tensors, not a {type(x).__name__}: "
            "iterate over the data and pass each batch, or use `fit` / `evaluate`."
        )
    model._maybe_symbolic_build(data_batch=batch)
    logs = pythonify_logs(ready(model)._engine_batch(train, batch))
    if return_dict:
        return logs
    return _in_order(model, logs)
