"""tf.keras 2.x's training API for models that bring their own step, on the Keras 2 surface.

tf.keras 2.2+ programs customise `fit` by overriding `train_step` / `test_step` /
`predict_step` (GANs, VAEs, custom losses), and subclass `Model` with a `call()` of their own.
Keras 2's step, built from `compile()`'s losses and metrics, cannot stand in for either: running
it would silently ignore the user's step. Such models get tf.keras 2.x's API instead:
tf-keras's `compile` (the `compiled_loss`, `compiled_metrics`, `optimizer` and `metrics` a
user's step calls are tf-keras's objects), tf.keras 2.x's input rules (`legacy.tf_keras_data`),
and the engine for the rest: the epochs over the data (`engine.passes`), the enqueuer, and the
loop executing the model's own steps (`engine.own_steps`), whose returned dicts become the
logs, as tf-keras's `fit` does.
"""

import functools
import warnings

import tf_keras
from tf_keras.src.engine import data_adapter, training_utils
from tf_keras.src.engine import training as tfk_training

from compatkeras.engine.feeds import DatasetFeed, pull
from compatkeras.legacy import tf_keras_data
from compatkeras.legacy.tf_keras_data import PythonData, engine_reads, no_targets

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
        if engine_reads(x):
            return _fit_python(
                self, x, y, sample_weight, epochs, verbose, callbacks, validation_data, shuffle,
                class_weight, initial_epoch, steps_per_epoch, validation_steps,
                validation_batch_size or batch_size, validation_freq, workers_options,
            )  # fmt: skip
        with (
            self.distribute_strategy.scope(),
            training_utils.RespectCompiledTrainableState(self),
        ):
            passes = tf_keras_data.dataset_passes(
                self,
                x,
                y,
                sample_weight,
                batch_size,
                steps_per_epoch,
                initial_epoch,
                epochs,
                shuffle,
                class_weight,
                **workers_options,
            )
            self._train_counter.assign(0)

            def validate(epoch, fit_callbacks):
                _warn_if_ran_out(passes, epochs - initial_epoch)
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

            params = {"verbose": verbose, "epochs": epochs, "steps": passes.steps}
            try:
                history = self._engine_fit(
                    passes, epochs, initial_epoch, callbacks, verbose, passes.steps, params,
                    validate,
                )  # fmt: skip
            finally:
                passes.close()  # the last pass's end hook (a Sequence's `on_epoch_end`)
            # An epoch that found no data ended the fit before its validation.
            _warn_if_ran_out(passes, epochs - initial_epoch)
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
        if engine_reads(x):
            no_targets(y, sample_weight)
            data = PythonData(x, steps, workers, use_multiprocessing, max_queue_size)
            try:
                with self.distribute_strategy.scope():
                    logs = self._engine_evaluate(
                        data(), data.steps, callbacks, verbose, {"steps": data.steps}
                    )
            finally:
                data.close()
        else:
            with self.distribute_strategy.scope():
                passes = tf_keras_data.dataset_passes(
                    self,
                    x,
                    y,
                    sample_weight,
                    batch_size,
                    steps,
                    max_queue_size=max_queue_size,
                    workers=workers,
                    use_multiprocessing=use_multiprocessing,
                )
                logs = self._engine_evaluate(
                    passes(), passes.steps, callbacks, verbose, {"steps": passes.steps}
                )
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
        if engine_reads(x):
            data = PythonData(x, steps, workers, use_multiprocessing, max_queue_size)
            try:
                with self.distribute_strategy.scope():
                    outputs = self._engine_predict(
                        data.batches(), callbacks, verbose=verbose, params={"steps": data.steps},
                        own_step=True,
                    )  # fmt: skip
            finally:
                data.close()
            return _checked_predictions(outputs)
        with self.distribute_strategy.scope():
            passes = tf_keras_data.dataset_passes(
                self,
                x,
                batch_size=batch_size,
                steps=steps,
                max_queue_size=max_queue_size,
                workers=workers,
                use_multiprocessing=use_multiprocessing,
            )
            outputs = self._engine_predict(
                passes.batches(),
                callbacks,
                verbose=verbose,
                params={"steps": passes.steps},
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
    no_targets(y, sample_weight)
    data = PythonData(
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
            total = (epochs - initial_epoch) * (data.steps or data.feed.taken)
            warnings.warn(_RAN_OUT.format(total), stacklevel=4)
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


def _warn_if_ran_out(passes, epochs):
    """tf-keras's warning when the data ended before `steps_per_epoch * epochs` batches (it
    logs it; a Python warning here, which a program can see and filter)."""
    if passes.ran_out():
        warnings.warn(_RAN_OUT.format(epochs * (passes.per_epoch or 0)), stacklevel=5)
