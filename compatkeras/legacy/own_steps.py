"""Models that bring their own training step, on the Keras 2 surface.

tf.keras 2.2+ programs customise `fit` by overriding `train_step` / `test_step` /
`predict_step` (GANs, VAEs, custom losses), and subclass `Model` with a `call()` of their own.
Keras 2's step, built from `compile()`'s losses and metrics, cannot stand in for either: running
it would silently ignore the user's step. Such models get tf.keras 2.x's API instead: tf-keras's
`compile` (so `compiled_loss`, `compiled_metrics` and `metrics` are tf-keras's), tf-keras's data
handler for every input kind (arrays, tensors, dicts, tf.data, generators, Sequences), and the
engine's loop executing the model's own steps (`engine.own_steps`), whose returned dicts become
the logs, as tf-keras's `fit` does.
"""

import functools
import itertools
import warnings

import tensorflow as tf
import tf_keras
from tf_keras.src.engine import data_adapter, training_utils
from tf_keras.src.engine import training as tfk_training

from compatkeras.engine.feeds import DatasetFeed, pull
from compatkeras.legacy import python_data

_STEPS = ("train_step", "test_step", "predict_step")
_RAN_OUT = (
    "Your input ran out of data; interrupting training. Make sure that your dataset or "
    "generator can generate at least `steps_per_epoch * epochs` batches (in this case, {} "
    "batches). You may need to use the repeat() function when building your dataset."
)


def runs_own_steps(model):
    """Whether `model` overrides a step method, or is a subclassed (non-graph) model."""
    cls = type(model)
    if any(getattr(cls, name, None) is not getattr(tf_keras.Model, name) for name in _STEPS):
        return True
    if isinstance(model, tf_keras.Sequential):
        return False  # a Sequential without an input shape is not a graph network yet
    return not getattr(model, "_is_graph_network", False)


def tf_keras_when_own_steps(method):
    """`method` of the Keras 2 surface, or, for a model that runs its own steps, tf.keras 2.x's
    method of the same name (`OwnStepMethods` on the engine; tf-keras's own for the rest, such
    as the `*_generator` aliases, which call these)."""
    name = method.__name__

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if runs_own_steps(self):
            own = getattr(OwnStepMethods, name, None) or getattr(tf_keras.Model, name)
            return own(self, *args, **kwargs)
        return method(self, *args, **kwargs)

    return wrapper


def _feed(handler, iterator, steps_per_epoch):
    """The epoch's batches: pulled inside the compiled call when the count is sure to be there
    (an infinite dataset, or a fresh full pass), else one by one so that running out is seen."""
    count = handler.inferred_steps
    dataset = handler._adapter.get_dataset()
    cardinality = int(dataset.cardinality()) if hasattr(dataset, "cardinality") else -2
    full_pass = steps_per_epoch is None and handler._adapter.should_recreate_iterator()
    sure = count is not None and (cardinality == tf.data.INFINITE_CARDINALITY or full_pass)
    return DatasetFeed.over(iterator, count if sure else None), count


class OwnStepMethods:
    """tf.keras 2.x's training API for models with their own steps (not a mixin: the Keras 2
    methods dispatch here through `tf_keras_when_own_steps`)."""

    def compile(self, *args, **kwargs):
        tf_keras.Model.compile(self, *args, **kwargs)
        self._engine_compile_own(
            int(self._steps_per_execution.numpy()), self._jit_compile, self.run_eagerly
        )

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
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
    ):
        self._assert_compile_was_called()
        verbose = tfk_training._get_verbosity(verbose, self.distribute_strategy)
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = data_adapter.train_validation_split(
                (x, y, sample_weight), validation_split=validation_split
            )
        workers_options = {
            "max_queue_size": max_queue_size,
            "workers": workers,
            "use_multiprocessing": use_multiprocessing,
        }
        if python_data.engine_reads(self, x):
            return _fit_python(
                self, x, y, sample_weight, epochs, verbose, callbacks, validation_data, shuffle,
                class_weight, initial_epoch, steps_per_epoch, validation_steps,
                validation_batch_size or batch_size, validation_freq, workers_options,
            )  # fmt: skip
        with (
            self.distribute_strategy.scope(),
            training_utils.RespectCompiledTrainableState(self),
        ):
            handler = data_adapter.get_data_handler(
                x=x,
                y=y,
                sample_weight=sample_weight,
                batch_size=batch_size,
                steps_per_epoch=steps_per_epoch,
                initial_epoch=initial_epoch,
                epochs=epochs,
                shuffle=shuffle,
                class_weight=class_weight,
                model=self,
                steps_per_execution=self._steps_per_execution,
                **workers_options,
            )
            passes = handler.enumerate_epochs()
            self._train_counter.assign(0)

            def epoch_feed(epoch):
                taken = next(passes, None)
                if taken is None:  # the data ran out in an earlier epoch
                    return DatasetFeed.over(iter(()), 0)
                feed, self._own_epoch_steps = _feed(handler, taken[1], steps_per_epoch)
                self._own_feed = feed
                return feed

            def validate(epoch, fit_callbacks):
                _check_ran_out(self, handler)
                if validation_data is None or not self._should_eval(epoch, validation_freq):
                    return None
                return _validation_logs(
                    self,
                    validation_data,
                    validation_batch_size or batch_size,
                    validation_steps,
                    workers_options,
                    fit_callbacks,
                )

            params = {"verbose": verbose, "epochs": epochs, "steps": handler.inferred_steps}
            history = self._engine_fit(
                epoch_feed,
                epochs,
                initial_epoch,
                callbacks,
                verbose,
                handler.inferred_steps,
                params,
                validate,
            )
            next(passes, None)  # the last pass's `on_epoch_end` (a Sequence's)
        return history

    def evaluate(
        self,
        x=None,
        y=None,
        batch_size=None,
        verbose="auto",
        sample_weight=None,
        steps=None,
        callbacks=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        return_dict=False,
    ):
        self._assert_compile_was_called()
        verbose = tfk_training._get_verbosity(verbose, self.distribute_strategy)
        if python_data.engine_reads(self, x):
            python_data.no_targets(y, sample_weight)
            data = python_data.PythonData(x, steps, workers, use_multiprocessing, max_queue_size)
            try:
                with self.distribute_strategy.scope():
                    logs = self._engine_evaluate(
                        data(), data.steps, callbacks, verbose, {"steps": data.steps}
                    )
            finally:
                data.close()
            return (
                logs
                if return_dict
                else tfk_training.flatten_metrics_in_order(logs, self.metrics_names)
            )
        with self.distribute_strategy.scope():
            handler = data_adapter.get_data_handler(
                x=x,
                y=y,
                sample_weight=sample_weight,
                batch_size=batch_size,
                steps_per_epoch=steps,
                initial_epoch=0,
                epochs=1,
                max_queue_size=max_queue_size,
                workers=workers,
                use_multiprocessing=use_multiprocessing,
                model=self,
                steps_per_execution=self._steps_per_execution,
            )
            _, iterator = next(handler.enumerate_epochs())
            feed, count = _feed(handler, iterator, steps)
            params = {"steps": count}
            logs = self._engine_evaluate(feed, count, callbacks, verbose, params)
        return (
            logs if return_dict else tfk_training.flatten_metrics_in_order(logs, self.metrics_names)
        )

    def predict(
        self,
        x,
        batch_size=None,
        verbose="auto",
        steps=None,
        callbacks=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
    ):
        verbose = tfk_training._get_verbosity(verbose, self.distribute_strategy)
        if python_data.engine_reads(self, x):
            data = python_data.PythonData(x, steps, workers, use_multiprocessing, max_queue_size)
            try:
                batches = (
                    data.items if data.steps is None else itertools.islice(data.items, data.steps)
                )
                with self.distribute_strategy.scope():
                    outputs = self._engine_predict(
                        batches, callbacks, verbose=verbose, params={"steps": data.steps},
                        own_step=True,
                    )  # fmt: skip
            finally:
                data.close()
            return _checked_predictions(outputs)
        with self.distribute_strategy.scope():
            handler = data_adapter.get_data_handler(
                x=x,
                batch_size=batch_size,
                steps_per_epoch=steps,
                initial_epoch=0,
                epochs=1,
                max_queue_size=max_queue_size,
                workers=workers,
                use_multiprocessing=use_multiprocessing,
                model=self,
                steps_per_execution=self._steps_per_execution,
            )
            _, iterator = next(handler.enumerate_epochs())
            count = handler.inferred_steps
            outputs = self._engine_predict(
                pull(iterator, count),
                callbacks,
                verbose=verbose,
                params={"steps": count},
                own_step=True,
            )
        return _checked_predictions(outputs)

    def train_on_batch(
        self,
        x,
        y=None,
        sample_weight=None,
        class_weight=None,
        reset_metrics=True,
        return_dict=False,
    ):
        self._assert_compile_was_called()
        with (
            self.distribute_strategy.scope(),
            training_utils.RespectCompiledTrainableState(self),
        ):
            iterator = data_adapter.single_batch_iterator(
                self.distribute_strategy, x, y, sample_weight, class_weight
            )
            logs = self._engine_batch(True, DatasetFeed.over(iterator, 1), not reset_metrics)
        return (
            logs if return_dict else tfk_training.flatten_metrics_in_order(logs, self.metrics_names)
        )

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True, return_dict=False):
        self._assert_compile_was_called()
        with self.distribute_strategy.scope():
            iterator = data_adapter.single_batch_iterator(
                self.distribute_strategy, x, y, sample_weight
            )
            logs = self._engine_batch(False, DatasetFeed.over(iterator, 1), not reset_metrics)
        return (
            logs if return_dict else tfk_training.flatten_metrics_in_order(logs, self.metrics_names)
        )

    def predict_on_batch(self, x):
        with self.distribute_strategy.scope():
            iterator = data_adapter.single_batch_iterator(self.distribute_strategy, x)
            return self._engine_predict(pull(iterator, 1), own_step=True)


def _checked_predictions(outputs):
    if isinstance(outputs, list) and not outputs:
        raise ValueError(
            "Unexpected result of `predict_function` (Empty batch_outputs). Please use "
            "`Model.compile(..., run_eagerly=True)`, or `tf.config.run_functions_eagerly("
            "True)` for more information of where went wrong, or file a issue/bug to "
            "`tf.keras`."
        )
    return outputs


def _fit_python(
    model, x, y, sample_weight, epochs, verbose, callbacks, validation_data, shuffle,
    class_weight, initial_epoch, steps_per_epoch, validation_steps, validation_batch_size,
    validation_freq, workers_options,
):  # fmt: skip
    """`fit` over a Sequence or a generator read by the engine's enqueuer."""
    python_data.no_targets(y, sample_weight)
    data = python_data.PythonData(
        x,
        steps_per_epoch,
        workers_options["workers"],
        workers_options["use_multiprocessing"],
        workers_options["max_queue_size"],
        shuffle,
        class_weight,
    )

    def validate(epoch, fit_callbacks):
        if data.ran_out(last=epoch + 1 >= epochs):
            warnings.warn(_RAN_OUT.format(data.steps or data.feed.taken), stacklevel=4)
            model.stop_training = True
        if validation_data is None or not model._should_eval(epoch, validation_freq):
            return None
        return _validation_logs(
            model,
            validation_data,
            validation_batch_size,
            validation_steps,
            workers_options,
            fit_callbacks,
        )

    try:
        with (
            model.distribute_strategy.scope(),
            training_utils.RespectCompiledTrainableState(model),
        ):
            model._train_counter.assign(0)
            params = {"verbose": verbose, "epochs": epochs, "steps": data.steps}
            return model._engine_fit(
                data, epochs, initial_epoch, callbacks, verbose, data.steps, params, validate
            )
    finally:
        data.close()


def _validation_logs(model, validation_data, batch_size, steps, workers_options, callbacks):
    """`evaluate` of `validation_data` (arrays as `(x, y[, w])`, a dataset, a Sequence or a
    generator) for an epoch's `val_` logs, with the fit's `callbacks` (tf.keras 2.x calls
    their test hooks)."""
    val_x, val_y, val_w = data_adapter.unpack_x_y_sample_weight(validation_data)
    return OwnStepMethods.evaluate(
        model,
        val_x,
        val_y,
        sample_weight=val_w,
        batch_size=batch_size,
        steps=steps,
        callbacks=callbacks,
        verbose=0,
        return_dict=True,
        **workers_options,
    )


def _check_ran_out(model, handler):
    """After an epoch over a feed read one by one: when the data ended before the epoch's
    steps, warn and run no further epoch, as tf-keras does."""
    feed, wanted = model._own_feed, model._own_epoch_steps
    if feed.exhausted and wanted is not None and feed.taken < wanted:
        warnings.warn(_RAN_OUT.format(wanted), stacklevel=4)
        handler._insufficient_data = True
