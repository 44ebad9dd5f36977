"""The Keras 2 `compile` of `compatkeras.legacy.Model` and what programs call around it
(`metrics_names`, `summary`'s trainable-weights warning, Keras 2's private `_make_*_function`
builders): Keras 2's arguments checked and turned into the engine's `TrainingConfig`
(`legacy.compile`), tf.keras 2.x's execution options (`run_eagerly`, `steps_per_execution`,
`jit_compile`), and the attributes Keras 2 programs and savers read after compile."""

import dataclasses
import warnings

import tf_keras
from tf_keras.src.saving import saving_lib, serialization_lib

from compatkeras.engine.model import CompileContainerStandIn
from compatkeras.engine.progress import BatchLogs
from compatkeras.legacy import deferred, flavors
from compatkeras.legacy.compile import build_config
from compatkeras.legacy.tf_keras_training import runs_own_steps, tf_keras_when_own_steps

_SESSION_KWARGS = ("feed_dict", "fetches", "options", "run_metadata")


def _steps_per_execution(value):
    """tf.keras 2.x's `steps_per_execution` (None: 1), checked as an int >= 1."""
    if value is None:
        return 1
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(
            "`steps_per_execution` must be an integer >= 1 (the number of batches each "
            f"compiled call runs). Received: steps_per_execution={value!r}"
        )
    return value


def _default_optimizer(optimizer):
    """tf.keras 2.x's `compile(optimizer="rmsprop")` default; Keras 2.2.4 required one."""
    if optimizer is not None:
        return optimizer
    if flavors.get_flavor() == flavors.KERAS_2_2:
        raise TypeError("compile() missing 1 required positional argument: 'optimizer'")
    return "rmsprop"


class Keras2BatchLogs(BatchLogs):
    """Keras 2 batch logs: `batch` and `size` at begin; at end this batch's own losses and
    per-batch metrics with the running metrics so far."""

    def begin(self, index, rows):
        return {"batch": index} if rows is None else {"batch": index, "size": rows}

    def end(self, averages, index):
        return dict(averages.batch_logs(), batch=index, size=int(averages.last_rows))


class CompileMethods:
    """Mixed into the legacy model with `LegacyTraining`'s fit/evaluate/predict methods."""

    @tf_keras_when_own_steps
    def compile(
        self,
        optimizer=None,
        loss=None,
        metrics=None,
        loss_weights=None,
        sample_weight_mode=None,
        weighted_metrics=None,
        target_tensors=None,
        *,
        run_eagerly=None,
        steps_per_execution=None,
        jit_compile=None,
        **kwargs,
    ):
        optimizer = _default_optimizer(optimizer)
        unknown = {k for k in kwargs if k not in _SESSION_KWARGS}
        if unknown:
            raise TypeError(f"Invalid keyword argument(s) in `compile`: {unknown}")
        # tf.keras 2.x's execution options (TF 2.4+), keyword-only as tf.keras programs pass them.
        execution = {
            "run_eagerly": run_eagerly,
            "steps_per_execution": steps_per_execution,
            "jit_compile": jit_compile,
        }
        if deferred.unbuilt(self):
            arguments = (optimizer, loss, metrics, loss_weights, sample_weight_mode)
            deferred.keep(self, (*arguments, weighted_metrics, target_tensors), kwargs | execution)
            return
        if kwargs:
            warnings.warn(
                f"compile() arguments {sorted(kwargs)} configure a TF1 session and are ignored: "
                "TensorFlow 2 runs compiled functions, not sessions.",
                stacklevel=2,
            )
        # In the model's distribution scope (a model built under a strategy, or a
        # `multi_gpu_model` replica compiled outside it), as tf-keras compiles.
        with self.distribute_strategy.scope():
            config = build_config(
                self,
                optimizer,
                loss,
                metrics,
                loss_weights,
                sample_weight_mode,
                weighted_metrics,
                target_tensors,
            )
            config = dataclasses.replace(
                config, run_eagerly=bool(run_eagerly), jit_compile=bool(jit_compile)
            )
            self._engine_compile(
                config, _steps_per_execution(steps_per_execution), batch_logs=Keras2BatchLogs()
            )
        # What `model.save("m.h5")` writes as `training_config`, through tf-keras's HDF5 code;
        # bound target tensors are data, not configuration, so they are not saved.
        self._legacy_compile_args = {
            "loss": loss,
            "metrics": metrics,
            "loss_weights": loss_weights,
            "sample_weight_mode": sample_weight_mode,
            "weighted_metrics": weighted_metrics,
        }
        # What tf-keras's `.keras` archive stores and `compile_from_config` reads back.
        self._compile_config = serialization_lib.Config(
            optimizer=optimizer,
            loss=loss,
            metrics=metrics,
            loss_weights=loss_weights,
            sample_weight_mode=sample_weight_mode,
            weighted_metrics=weighted_metrics,
            **execution,
        )
        # Keras 2.2.4 trained the weights that were trainable at compile time and warned when
        # they changed without a new compile.
        self._compiled_trainable_count = len(self.trainable_weights)
        # Keras 2 model attributes that programs and callbacks read after compile.
        self.loss, self.loss_weights = loss, loss_weights
        self.sample_weight_mode = sample_weight_mode
        self._is_compiled = True  # tf-keras reads it as `_compile_was_called` when saving
        self.compiled_loss = self.compiled_metrics = CompileContainerStandIn()

    def compile_from_config(self, config):
        """tf-keras's skips a model whose `compile` is not its own (ours, which also passes
        models with their own steps on to tf-keras's)."""
        self.compile(**saving_lib.deserialize_keras_object(config))

    @tf_keras_when_own_steps
    def _get_compile_args(self, user_metrics=True):
        """The compile arguments tf-keras's savers record (with the optimizer object)."""
        self._check_compiled()
        return {"optimizer": self.optimizer, **self._legacy_compile_args}

    @property
    def metrics_names(self):
        """['loss', '<output>_loss'..., metric names...], available right after compile."""
        if runs_own_steps(self):
            return tf_keras.Model.metrics_names.fget(self)
        return self._engine_config.log_names if self._engine_compiled else []

    def _check_compiled(self):
        if deferred.pending(self):
            raise RuntimeError(
                "This Sequential model does not know its input shape yet: give its first layer "
                "`input_shape=...`, or call fit/evaluate/train_on_batch with arrays first."
            )
        if not self._engine_compiled:
            raise RuntimeError("You must compile your model before using it.")

    def _check_trainable_count(self):
        if len(self.trainable_weights) != getattr(self, "_compiled_trainable_count", None):
            warnings.warn(
                "Discrepancy between trainable weights and collected trainable weights, did you "
                "set `model.trainable` without calling `model.compile` after ?",
                stacklevel=3,
            )

    def summary(self, *args, **kwargs):
        if self._engine_compiled:
            self._check_trainable_count()  # Keras 2.2.4 warned here too
        return super().summary(*args, **kwargs)

    def _make_train_function(self):
        """Keras 2.2.4's private builder, which programs call before saving or before reading
        the optimizer's state (`model.optimizer.weights`, `get_weights()`: keras-contrib's
        `save_all_weights`): the engine builds its step at the first batch; the optimizer's
        weights are made here, in Keras 2.2.4's order (iterations, then each kind of slot)."""
        self._check_compiled()
        optimizer = getattr(self, "optimizer", None)
        if self._engine_compiled and hasattr(optimizer, "_create_all_weights"):
            config = self._engine_config
            variables = getattr(config, "variables", None)
            variables = list(variables) if variables is not None else self.trainable_weights
            with self.distribute_strategy.scope():
                optimizer._create_all_weights(variables)

    def _make_test_function(self):
        self._check_compiled()

    def _make_predict_function(self):
        """Keras 2's private builder that serving code calls once before handing the model to
        web-server threads (`model._make_predict_function()`): TensorFlow 2 builds the function
        at the first `predict`, thread-safely, so there is nothing to do first."""
