"""Keras 2 `keras.callbacks`: tf-keras's, with the Keras 2 forms that tf-keras changed.

- `EarlyStopping` in the "keras-2.2" flavor (read when it is built) stops as Keras 2.2.4 did:
  `baseline` is the value to beat from the first epoch on, and `restore_best_weights` restores
  at the epoch that stops training (tf-keras: at the end of training, and it waits `patience`
  epochs past the baseline).
- `ReduceLROnPlateau(epsilon=...)`: Keras 2's name for `min_delta`, with its deprecation warning.
- `TensorBoard` takes Keras 2.2.4's arguments (and, in the "keras-2.2" flavor, its positional
  order); those TensorFlow 2 cannot honour (`write_grads`, `batch_size`,
  `embeddings_layer_names`, `embeddings_data`) warn with what is written instead.

- `ModelCheckpoint`, `EarlyStopping` and `ReduceLROnPlateau` that monitor `val_acc` when the logs
  have `val_accuracy` (or the other way round) monitor the name the logs have, with a warning:
  Keras 2.2.4 logged `metrics=['accuracy']` as `acc`, tf.keras 2.x as `accuracy`, and a program
  written for the one run in the other flavor would otherwise never save or stop (tf-keras only
  warns at each epoch). A deliberate difference, in docs/deviations.md.

The legacy `fit`/`fit_generator` give callbacks Keras 2's `validation_data` list.
"""

import warnings

import numpy as np
import tf_keras
from tf_keras.callbacks import *

from compatkeras.legacy import flavors as _flavors


def _other_spelling(monitor):
    if monitor.endswith("accuracy"):
        return monitor[: -len("accuracy")] + "acc"
    if monitor.endswith("acc"):
        return monitor + "uracy"
    return None


def _follow_accuracy_name(callback, logs):
    """Monitor `val_accuracy` where the callback asks for `val_acc` that the logs lack (and
    the other way round): the two Keras 2 flavors' names of the same metric."""
    if not logs or callback.monitor in logs:
        return
    other = _other_spelling(callback.monitor)
    if other is not None and other in logs:
        warnings.warn(
            f"{type(callback).__name__}: the logs have no {callback.monitor!r} but have "
            f"{other!r}, the same metric under the other Keras 2 name (Keras 2.2.4 logged "
            f"metrics=['accuracy'] as 'acc', tf.keras 2.x as 'accuracy'): monitoring {other!r}.",
            stacklevel=3,
        )
        callback.monitor = other


class ModelCheckpoint(tf_keras.callbacks.ModelCheckpoint):
    __doc__ = tf_keras.callbacks.ModelCheckpoint.__doc__

    def on_train_batch_end(self, batch, logs=None):
        if self.save_best_only:
            _follow_accuracy_name(self, logs)
        return super().on_train_batch_end(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_best_only:
            _follow_accuracy_name(self, logs)
        return super().on_epoch_end(epoch, logs)


class EarlyStopping(tf_keras.callbacks.EarlyStopping):
    __doc__ = tf_keras.callbacks.EarlyStopping.__doc__

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._keras22 = _flavors.is_keras22()
        if self._keras22 and self.monitor_op is np.less and "acc" in self.monitor:
            self.monitor_op, self.min_delta = np.greater, -self.min_delta  # 2.2.4's "auto"

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        if self._keras22 and self.baseline is not None:
            self.best = self.baseline

    def on_epoch_end(self, epoch, logs=None):
        _follow_accuracy_name(self, logs)
        if not self._keras22:
            return super().on_epoch_end(epoch, logs)
        current = self.get_monitor_value(logs)
        if current is None:
            return
        if self._is_improvement(current, self.best):
            self.best, self.wait = current, 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                if self.verbose > 0:
                    print("Restoring model weights from the end of the best epoch")
                self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if not self._keras22:
            return super().on_train_end(logs)
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1:05d}: early stopping")


class ReduceLROnPlateau(tf_keras.callbacks.ReduceLROnPlateau):
    __doc__ = tf_keras.callbacks.ReduceLROnPlateau.__doc__

    def __init__(self, *args, **kwargs):
        if "epsilon" in kwargs:
            warnings.warn(
                "`epsilon` argument is deprecated and will be removed, use `min_delta` instead.",
                stacklevel=2,
            )
            kwargs["min_delta"] = kwargs.pop("epsilon")
        super().__init__(*args, **kwargs)

    def on_epoch_end(self, epoch, logs=None):
        _follow_accuracy_name(self, logs)
        return super().on_epoch_end(epoch, logs)


# Keras 2.2.4's TensorBoard arguments in their positional order.
_TENSORBOARD_22 = (
    "log_dir",
    "histogram_freq",
    "batch_size",
    "write_graph",
    "write_grads",
    "write_images",
    "embeddings_freq",
    "embeddings_layer_names",
    "embeddings_metadata",
    "embeddings_data",
    "update_freq",
)
_NOT_WRITTEN = {
    "write_grads": "gradient histograms are not written; weight histograms are (`histogram_freq`)",
    "batch_size": "",
    "embeddings_layer_names": "the projector shows the weights of every `Embedding` layer",
    "embeddings_data": "the projector shows the weights of every `Embedding` layer, not layer "
    "outputs on given data",
}


class TensorBoard(tf_keras.callbacks.TensorBoard):
    __doc__ = tf_keras.callbacks.TensorBoard.__doc__

    def __init__(self, *args, **kwargs):
        self._keras22 = _flavors.is_keras22()
        if args and self._keras22:
            if len(args) > len(_TENSORBOARD_22):
                raise TypeError(f"TensorBoard takes at most {len(_TENSORBOARD_22)} arguments")
            duplicated = set(_TENSORBOARD_22[: len(args)]) & set(kwargs)
            if duplicated:
                raise TypeError(f"TensorBoard got multiple values for {sorted(duplicated)}")
            kwargs.update(zip(_TENSORBOARD_22, args, strict=False))
            args = ()
        for name, why in _NOT_WRITTEN.items():
            value = kwargs.pop(name, None)
            # `batch_size` only chunked Keras 2's histogram computation: what was written did
            # not depend on it, so dropping it loses nothing.
            if name != "batch_size" and value is not None and value is not False:
                warnings.warn(f"TensorBoard: `{name}` is not honoured: {why}.", stacklevel=2)
        super().__init__(*args, **kwargs)

    def on_epoch_end(self, epoch, logs=None):
        if self._keras22 and self.histogram_freq and not getattr(self, "validation_data", None):
            raise ValueError(
                "If printing histograms, validation_data must be provided, and cannot be a "
                "generator."
            )
        return super().on_epoch_end(epoch, logs)
