"""The Keras 2 training methods of `compatkeras.legacy.Model`: signatures, defaults, checks,
return shapes and names. Every number comes from the engine (`compatkeras.engine.trainer`)."""

import math
import warnings

import numpy as np

from compatkeras.engine.data import ArraySource, Batch
from compatkeras.legacy import data as data_lib
from compatkeras.legacy import deferred, tf_data
from compatkeras.legacy import flavors as flavor_lib
from compatkeras.legacy.compile_methods import CompileMethods
from compatkeras.legacy.data import unpack_singleton
from compatkeras.legacy.generators import GeneratorMethods, is_generator_like
from compatkeras.legacy.tf_keras_training import tf_keras_when_own_steps


def _tf_keras_only(method, **arguments):
    """tf.keras 2.x arguments that Keras 2.2.4 did not have: its TypeError in that flavor."""
    if flavor_lib.get_flavor() != flavor_lib.KERAS_2_2:
        return
    for name, value in arguments.items():
        if value not in (None, False):
            raise TypeError(f"{method}() got an unexpected keyword argument '{name}'")


def _result(logs, return_dict):
    """A dict of floats (tf.keras's `return_dict=True`), or Keras 2's value or list."""
    if return_dict:
        return {name: float(value) for name, value in logs.items()}
    return unpack_singleton(list(logs.values()))


def _arrays(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _plain_key(x, y):
    """The kinds, shapes and dtypes of numpy inputs and targets (arrays or lists of arrays),
    else None."""
    parts = []
    for value in (x, y):
        for array in _arrays(value):
            if type(array) is not np.ndarray:
                return None
            parts.append((array.shape, array.dtype.str))
        parts.append(type(value))
    return tuple(parts)


def _passed_through(standardized, given):
    """Whether standardising returned the given arrays themselves (no reshape, no copy)."""
    given = _arrays(given)
    return len(standardized) == len(given) and all(
        a is b for a, b in zip(standardized, given, strict=True)
    )


class LegacyTraining(CompileMethods, GeneratorMethods):
    """Keras 2.2.4 / tf.keras 2.x `Model` training API (legacy spec §A, §E, §F)."""

    # -- data -------------------------------------------------------------------------------

    def _standardize(self, x, y=None, sample_weight=None, class_weight=None):
        """(inputs, targets, weights, symbolic): lists for the engine, checked the Keras 2 way.

        Plain numpy batches of shapes and dtypes seen before (a generator's, a GAN loop's
        `train_on_batch`) pass the same checks: those that passed, and needed no conversion, are
        not run again (the checks read shapes, never values: ~28 us a batch, half of what a
        `fit_generator` worker does per batch)."""
        key = None
        if sample_weight is None and class_weight is None:
            key = _plain_key(x, y)
            known = self.__dict__.get("_plain_batches", {}).get(key)
            if known is not None and known[0] is self._engine_config:
                if known[1] == flavor_lib.get_flavor():
                    return _arrays(x), _arrays(y), list(known[2]), False
        xs, ys, ws, symbolic = self._standardize_checked(x, y, sample_weight, class_weight)
        if key is not None and _passed_through(xs, x) and _passed_through(ys, y):
            if all(w is None or type(w) is np.ndarray for w in ws):
                for w in ws:
                    if w is not None:
                        w.flags.writeable = False  # shared by the batches of this shape
                plans = self.__dict__.setdefault("_plain_batches", {})
                plans[key] = (self._engine_config, flavor_lib.get_flavor(), ws)
        return xs, ys, ws, symbolic

    def _standardize_checked(self, x, y, sample_weight, class_weight):
        config = self._engine_config
        xs, all_bound = data_lib.model_inputs(self, x)
        fed = config.fed_outputs
        # Nothing fed at all: step-wise on the tensors. With targets, the tensors' rows are
        # batched along with them (Keras 2.2.4 fed the targets and read the whole tensors).
        symbolic = all_bound and (y is None or not fed)
        if all_bound and not symbolic:
            xs = [data_lib.bound_value(t) for t in xs]
        shapes = [tuple(self.outputs[self.output_names.index(o.name)].shape) for o in fed]
        if y is None and fed:
            names = [o.name for o in fed]
            raise ValueError(
                f"Error when checking model target: no target data was passed for the outputs "
                f"{names}. Pass `y`, or bind targets with compile(target_tensors=...)."
            )
        ys = data_lib.standardize_input_data(
            y, [o.name for o in fed], shapes, "target", check_shapes=False
        )
        names = [o.name for o in fed]
        sample_weights = data_lib.per_output(sample_weight, names, "sample_weight")
        class_weights = data_lib.per_output(class_weight, names, "class_weight")
        keras22 = flavor_lib.get_flavor() == flavor_lib.KERAS_2_2
        ws = [
            data_lib.standardize_weights(t, sw, cw, o.temporal, keras22)
            for t, sw, cw, o in zip(ys, sample_weights, class_weights, fed, strict=True)
        ]
        if not symbolic:
            data_lib.check_array_lengths(xs, ys, ws)
            data_lib.check_loss_and_target_compatibility(ys, fed, shapes)
        return xs, ys, ws, symbolic

    def _evaluation_feed(self, source, batch_size, steps):
        return source.whole_feed(steps) if steps is not None else source.feed(batch_size)

    def _bar_steps(self, steps):
        """The progress bar counts steps in the tf.keras flavor (tf.keras 2.x), samples in the
        keras-2.2 flavor on arrays (Keras 2.2.4)."""
        return steps if flavor_lib.get_flavor() == flavor_lib.TF_KERAS else None

    def _check_steps_and_batch_size(self, steps, batch_size, argument):
        if steps is None or batch_size is None:
            return batch_size
        if flavor_lib.get_flavor() == flavor_lib.KERAS_2_2:
            raise ValueError(f"If {argument} is set, the `batch_size` must be None.")
        warnings.warn(
            "When passing input data as arrays, do not specify `steps_per_epoch`/`steps` "
            "argument. Please use `batch_size` instead.",
            stacklevel=3,
        )
        return None

    # -- the public Keras 2 methods -----------------------------------------------------------

    @tf_keras_when_own_steps
    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        epochs=1,
        verbose=1,
        callbacks=None,
        validation_split=0.0,
        validation_data=None,
        shuffle=True,
        class_weight=None,
        sample_weight=None,
        initial_epoch=0,
        steps_per_epoch=None,
        validation_steps=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        **kwargs,
    ):
        if "nb_epoch" in kwargs:
            warnings.warn(
                "The `nb_epoch` argument in `fit` has been renamed `epochs`.", stacklevel=2
            )
            epochs = kwargs.pop("nb_epoch")
        validation_freq, validation_batch_size = data_lib.pop_validation_options(kwargs)
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments: {kwargs}")
        deferred.build_from(self, x)
        if tf_data.is_dataset(x):
            tf_data.check_no_targets(y, sample_weight)
            x, steps_per_epoch = tf_data.batches(x, steps_per_epoch, "steps_per_epoch", True)
            if tf_data.is_dataset(validation_data):
                validation_data, validation_steps = tf_data.batches(
                    validation_data, validation_steps, "validation_steps"
                )
            workers, shuffle = 0, False  # read on this thread, in the dataset's own order
        if is_generator_like(x):
            return self.fit_generator(
                x,
                steps_per_epoch,
                epochs,
                verbose=verbose,
                callbacks=callbacks,
                validation_data=validation_data,
                validation_steps=validation_steps,
                class_weight=class_weight,
                max_queue_size=max_queue_size,
                workers=workers,
                use_multiprocessing=use_multiprocessing,
                shuffle=shuffle,
                initial_epoch=initial_epoch,
                validation_freq=validation_freq,
            )
        self._check_compiled()
        self._check_trainable_count()
        batch_size = self._check_steps_and_batch_size(
            steps_per_epoch, batch_size, "steps_per_epoch"
        )
        if batch_size is None and steps_per_epoch is None:
            batch_size = 32
        tensors = _keras22_tensors(x, y)
        xs, ys, ws, symbolic = self._standardize(x, y, sample_weight, class_weight)
        if steps_per_epoch is None and tensors:
            raise data_lib.tensor_steps_error("steps_per_epoch")
        if symbolic and steps_per_epoch is None:
            raise ValueError(
                "If fitting from data tensors, you should specify the `steps_per_epoch` argument."
            )

        validation = None
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                count = len(validation_data) if hasattr(validation_data, "__len__") else 1
                raise ValueError(
                    "When passing validation_data, it must contain 2 (x_val, y_val) or 3 (x_val, "
                    f"y_val, val_sample_weights) items, however it contains {count} items"
                )
            vx, vy, vw = (*validation_data, None)[:3]
            validation = self._standardize(vx, vy, vw)[:3]
        elif 0.0 < validation_split < 1.0:
            if symbolic or tensors:
                raise ValueError(
                    "If your data is in the form of symbolic tensors, you cannot use "
                    "`validation_split`."
                )
            # The last samples, taken before any shuffling (Keras 2).
            split_at = int(xs[0].shape[0] * (1.0 - validation_split))
            validation = tuple(data_lib.slice_arrays(a, split_at) for a in (xs, ys, ws))
            xs, ys, ws = (data_lib.slice_arrays(a, 0, split_at) for a in (xs, ys, ws))
        if validation_steps is not None and steps_per_epoch is None:
            raise ValueError(
                "Can only use `validation_steps` when doing step-wise training, i.e. "
                "`steps_per_epoch` must be set."
            )
        if validation is not None and steps_per_epoch is not None and validation_steps is None:
            raise ValueError(
                "Must specify `validation_steps` to perform validation when doing step-wise "
                "training."
            )

        source = ArraySource(xs, ys, ws)
        if any(o.target is not None for o in self._engine_config.outputs):
            # A bound target (`target_tensors`) is read whole at every step and cannot follow a
            # permutation of x: shuffled, the rows would no longer match (tf-keras's v1 engine
            # does not shuffle them either).
            shuffle = False
        if steps_per_epoch is not None:
            steps, samples = steps_per_epoch, steps_per_epoch

            def epoch_feed(epoch):
                return source.whole_feed(steps_per_epoch)
        else:
            steps, samples = source.num_batches(batch_size), source.num_samples

            def epoch_feed(epoch):
                return source.feed(batch_size, shuffle)

        validate = None
        if validation is not None:
            validation_source = ArraySource(*validation)

            def validate(epoch, fit_callbacks):
                feed = self._evaluation_feed(
                    validation_source, validation_batch_size or batch_size, validation_steps
                )
                hooks = data_lib.test_hooks(fit_callbacks)
                return self._engine_evaluate(feed, validation_steps, hooks)

            validate = data_lib.every(validate, validation_freq)

        data_lib.give_validation_data(callbacks, validation)
        names = self.metrics_names
        params = {
            "batch_size": batch_size,
            "epochs": epochs,
            "steps": steps_per_epoch,
            "samples": samples,
            "verbose": verbose,
            "do_validation": validation is not None,
            "metrics": names + ([f"val_{n}" for n in names] if validation is not None else []),
        }
        return self._engine_fit(
            epoch_feed,
            epochs,
            initial_epoch,
            callbacks,
            verbose,
            steps,
            params,
            validate,
            bar_steps=self._bar_steps(steps),
        )

    @tf_keras_when_own_steps
    def evaluate(
        self,
        x=None,
        y=None,
        batch_size=None,
        verbose=1,
        sample_weight=None,
        steps=None,
        callbacks=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        return_dict=False,
    ):
        _tf_keras_only("evaluate", callbacks=callbacks, return_dict=return_dict)
        deferred.build_from(self, x)
        if tf_data.is_dataset(x):
            tf_data.check_no_targets(y, sample_weight)
            x, steps = tf_data.batches(x, steps, "steps")
            workers = 0
        if is_generator_like(x):
            logs = self._evaluate_generator_logs(
                x, steps, max_queue_size, workers, use_multiprocessing, verbose, callbacks
            )
            return _result(logs, return_dict)
        self._check_compiled()
        batch_size = self._check_steps_and_batch_size(steps, batch_size, "steps")
        if batch_size is None and steps is None:
            batch_size = 32
        if steps is None and _keras22_tensors(x, y):
            raise data_lib.tensor_steps_error("steps")
        xs, ys, ws, symbolic = self._standardize(x, y, sample_weight)
        if symbolic and steps is None:
            raise ValueError(
                "If evaluating from data tensors, you should specify the `steps` argument."
            )
        source = ArraySource(xs, ys, ws)
        feed = self._evaluation_feed(source, batch_size, steps)
        count = steps if steps is not None else source.num_batches(batch_size)
        logs = self._engine_evaluate(feed, steps, callbacks, verbose, {"steps": count})
        return _result(logs, return_dict)

    @tf_keras_when_own_steps
    def predict(
        self,
        x,
        batch_size=None,
        verbose=0,
        steps=None,
        callbacks=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
    ):
        _tf_keras_only("predict", callbacks=callbacks)
        deferred.build_from(self, x)
        if tf_data.is_dataset(x):
            x, steps = tf_data.batches(x, steps, "steps")
            workers = 0
        if is_generator_like(x):
            return self._predict_generator_outputs(
                x, steps, max_queue_size, workers, use_multiprocessing, verbose, callbacks
            )
        batch_size = self._check_steps_and_batch_size(steps, batch_size, "steps")
        if batch_size is None and steps is None:
            batch_size = 32
        xs, symbolic = data_lib.model_inputs(self, x)
        if symbolic:
            if steps is None:
                raise ValueError(
                    "If predicting from data tensors, you should specify the `steps` argument."
                )
            batches = (b.x for b in ArraySource(xs, [], []).whole(steps))
            count = steps
        else:
            source = ArraySource(xs, [], [])
            batches = (b.x for b in (source.whole(steps) if steps else source.batches(batch_size)))
            count = steps or source.num_batches(batch_size)
        outputs = self._engine_predict(batches, callbacks, verbose=verbose, params={"steps": count})
        return outputs[0] if len(outputs) == 1 else outputs

    @tf_keras_when_own_steps
    def train_on_batch(
        self,
        x,
        y=None,
        sample_weight=None,
        class_weight=None,
        reset_metrics=True,
        return_dict=False,
    ):
        """`reset_metrics=False` (tf.keras 2): the values are running averages over the calls
        since the last one with True, weighted by batch size."""
        _tf_keras_only("train_on_batch", return_dict=return_dict)
        deferred.build_from(self, x)
        self._check_compiled()
        self._check_trainable_count()
        xs, ys, ws, _ = self._standardize(x, y, sample_weight, class_weight)
        logs = self._engine_batch(True, Batch(xs, ys, ws), accumulate=not reset_metrics)
        return _result(logs, return_dict)

    @tf_keras_when_own_steps
    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True, return_dict=False):
        _tf_keras_only("test_on_batch", return_dict=return_dict)
        deferred.build_from(self, x)
        self._check_compiled()
        xs, ys, ws, _ = self._standardize(x, y, sample_weight)
        logs = self._engine_batch(False, Batch(xs, ys, ws), accumulate=not reset_metrics)
        return _result(logs, return_dict)

    @tf_keras_when_own_steps
    def predict_on_batch(self, x):
        deferred.build_from(self, x)
        xs, _ = data_lib.model_inputs(self, x)
        outputs = self._engine_predict([xs])
        return outputs[0] if len(outputs) == 1 else outputs


def _keras22_tensors(x, y):
    """Data given as backend tensors, under "keras-2.2" (Keras 2.2.4 read them a batch per
    step); tf.keras 2.x programs pass eager tensors as arrays."""
    return flavor_lib.get_flavor() == flavor_lib.KERAS_2_2 and data_lib.has_tensors(x, y)
