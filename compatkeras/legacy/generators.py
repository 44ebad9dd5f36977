"""Keras 2.2.4's generator methods: `fit_generator`, `evaluate_generator`, `predict_generator`
(legacy spec §D): the positional-argument limit and Keras 1 renames, the steps rules and errors,
output checks, and when `Sequence.on_epoch_end` runs.

Batches come from the engine's enqueuer (`compatkeras.engine.enqueuer`): worker threads, or
processes with `use_multiprocessing=True`, or the calling thread with `workers=0`.
"""

import functools
import inspect
import itertools
import warnings

import numpy as np
import tensorflow as tf
import tf_keras

from compatkeras.engine.data import ArraySource, Batch, tensor_batch
from compatkeras.engine.enqueuer import open_stream
from compatkeras.engine.feeds import PythonFeed
from compatkeras.legacy import data as data_lib
from compatkeras.legacy import flavors as flavor_lib
from compatkeras.legacy.data import unpack_singleton
from compatkeras.legacy.tf_keras_training import tf_keras_when_own_steps

_KERAS1_RENAMES = (
    ("samples_per_epoch", "steps_per_epoch"),
    ("val_samples", "steps"),
    ("nb_epoch", "epochs"),
    ("nb_val_samples", "validation_steps"),
    ("nb_worker", "workers"),
    ("pickle_safe", "use_multiprocessing"),
    ("max_q_size", "max_queue_size"),
)
_POSITIONAL = ("generator", "steps_per_epoch", "epochs")


def is_sequence(value):
    return isinstance(value, tf_keras.utils.Sequence)


def is_generator_like(value):
    return (
        is_sequence(value)
        or inspect.isgenerator(value)
        or (hasattr(value, "__next__") and hasattr(value, "__iter__"))
    )


def keras1_interface(method):
    """Keras 2.2.4's `legacy_generator_methods_support`: at most 3 positional arguments, and the
    Keras 1 keyword names renamed with a warning."""
    name = method.__name__

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if len(args) > len(_POSITIONAL):
            raise TypeError(
                f"`{name}` can accept only {len(_POSITIONAL)} positional arguments {_POSITIONAL}, "
                f"but you passed the following positional arguments: {list(args)}"
            )
        renamed = False
        for old, new in _KERAS1_RENAMES:
            if old not in kwargs:
                continue
            if new in kwargs:
                raise TypeError(
                    f"For the `{new}` argument, the layer received both the legacy keyword "
                    f"argument `{old}` and the Keras 2 keyword argument `{new}`. Stick to the latter!"
                )
            value = kwargs.pop(old)
            if old == "samples_per_epoch" and args and hasattr(args[0], "batch_size"):
                value = value // args[0].batch_size
            kwargs[new] = value
            renamed = True
        if renamed:
            warnings.warn(
                f"Update your `{name}` call to the Keras 2 API: `{name}{inspect.signature(method)}`",
                stacklevel=2,
            )
        return method(self, *args, **kwargs)

    return wrapper


def _check_output(output, strict_tuple_text):
    if not hasattr(output, "__len__") or len(output) not in (2, 3):
        raise ValueError(f"{strict_tuple_text}Found: {output}")
    x, y, sample_weight = (*output, None)[:3]
    return x, y, sample_weight


def _rows(batch):
    first = batch.x[0] if batch.x else None
    return int(first.shape[0]) if getattr(first, "shape", None) else 1


def _open(generator, workers, use_multiprocessing, max_queue_size, shuffle=False, transform=None):
    """The stream of a generator or Sequence under Keras 2.2.4's rules: with `workers > 0` a
    Sequence is shuffled per pass (if asked) and `on_epoch_end` runs between passes; with
    `workers=0` it is read in order and `on_epoch_end` never runs. `transform` turns each item
    into a batch on the worker thread that read it (`open_stream`)."""
    keras2_enqueuer = is_sequence(generator) and workers > 0
    return open_stream(
        generator,
        workers,
        use_multiprocessing,
        max_queue_size,
        shuffle=shuffle and keras2_enqueuer,
        epoch_end_between_passes=keras2_enqueuer,
        transform=transform,
    )


def _ones(cache, weights):
    """The tensor of Keras 2's default weights (all ones) of `weights`'s shape and dtype."""
    key = (weights.shape, weights.dtype.str)
    if key not in cache:
        cache[key] = tf.convert_to_tensor(weights)
    return cache[key]


def _warn_ran_out(steps):
    warnings.warn(
        "Your generator ran out of data; interrupting training. Make sure that your generator "
        f"can generate at least `steps_per_epoch * epochs` batches (in this case, {steps} "
        "batches per epoch).",
        stacklevel=4,
    )


class GeneratorMethods:
    """Mixed into the legacy model together with `LegacyTraining`."""

    def _keras2_batch(self, class_weight=None, text=None):
        """A generator output -> a `Batch` of tensors, checked and standardised the Keras 2
        way. It runs on the data worker thread when there is one (overlapping the steps), so
        it takes the caller's flavor along."""
        text = text or "Output of generator should be a tuple `(x, y, sample_weight)` or `(x, y)`. "
        flavor = flavor_lib.get_flavor()

        ones = {}  # unweighted batches share one tensor of ones per shape (it is immutable)

        def transform(output):
            x, y, sample_weight = _check_output(output, text)
            with flavor_lib.flavor(flavor):
                xs, ys, ws, _ = self._standardize(x, y, sample_weight, class_weight)
            if sample_weight is None and class_weight is None:
                ws = [None if w is None else _ones(ones, w) for w in ws]
            return tensor_batch(xs, ys, ws)

        return transform

    def _generator_batches(self, batches, steps):
        """Up to `steps` batches of a stream; fewer ends training with Keras 2's warning."""
        taken = 0
        for batch in itertools.islice(batches, steps):
            taken += 1
            yield batch
        if taken < steps:
            _warn_ran_out(steps)
            self.stop_training = True

    @tf_keras_when_own_steps
    @keras1_interface
    def fit_generator(
        self,
        generator,
        steps_per_epoch=None,
        epochs=1,
        verbose=1,
        callbacks=None,
        validation_data=None,
        validation_steps=None,
        class_weight=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        shuffle=True,
        initial_epoch=0,
        **kwargs,
    ):
        validation_freq, _ = data_lib.pop_validation_options(kwargs)
        if kwargs:
            raise TypeError(f"fit_generator() got unexpected keyword arguments: {sorted(kwargs)}")
        self._check_compiled()
        self._check_trainable_count()
        sequence = is_sequence(generator)
        if not sequence and use_multiprocessing and workers > 1:
            warnings.warn(
                "Using a generator with `use_multiprocessing=True` and multiple workers may "
                "duplicate your data. Please consider using the `keras.utils.Sequence` class.",
                stacklevel=3,
            )
        if steps_per_epoch is None:
            if not sequence:
                raise ValueError(
                    "`steps_per_epoch=None` is only valid for a generator based on the "
                    "`keras.utils.Sequence` class. Please specify `steps_per_epoch` or use the "
                    "`keras.utils.Sequence` class."
                )
            steps_per_epoch = len(generator)

        validate = val_generator = None
        if validation_data is not None:
            if is_generator_like(validation_data):
                if validation_steps is None:
                    if not is_sequence(validation_data):
                        raise ValueError(
                            "`validation_steps=None` is only valid for a generator based on the "
                            "`keras.utils.Sequence` class. Please specify `validation_steps` or "
                            "use the `keras.utils.Sequence` class."
                        )
                    validation_steps = len(validation_data)
                val_generator = validation_data
            else:
                if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (
                    2,
                    3,
                ):
                    raise ValueError(
                        "`validation_data` should be a tuple `(val_x, val_y, val_sample_weight)` "
                        f"or `(val_x, val_y)`. Found: {validation_data}"
                    )
                validation = self._standardize(*validation_data)[:3]
                data_lib.give_validation_data(callbacks, validation)
                val_source = ArraySource(*validation)

                def validate(epoch, fit_callbacks):
                    feed = self._evaluation_feed(val_source, 32, None)
                    return self._engine_evaluate(feed, None, data_lib.test_hooks(fit_callbacks))

        names = self.metrics_names
        validating = validation_data is not None
        params = {
            "epochs": epochs,
            "steps": steps_per_epoch,
            "verbose": verbose,
            "do_validation": validating,
            "metrics": names + ([f"val_{n}" for n in names] if validating else []),
        }
        streams = []  # every stream opened here is closed on the way out, whatever happens
        read_ahead = max_queue_size if workers > 0 else 0  # what an enqueuer's queue holds
        try:
            if val_generator is not None:
                val_stream = _open(
                    val_generator,
                    workers,
                    use_multiprocessing,
                    max_queue_size,
                    transform=self._keras2_batch(),
                )
                streams.append(val_stream)
                val_items = iter(val_stream)

                def validate(epoch, fit_callbacks):
                    batches = self._generator_batches(val_items, validation_steps)
                    feed = PythonFeed(batches, read_ahead=read_ahead)
                    hooks = data_lib.test_hooks(fit_callbacks)
                    return self._engine_evaluate(feed, validation_steps, hooks)

            validate = data_lib.every(validate, validation_freq)
            train_stream = _open(
                generator,
                workers,
                use_multiprocessing,
                max_queue_size,
                shuffle,
                transform=self._keras2_batch(class_weight),
            )
            streams.append(train_stream)
            items = iter(train_stream)

            def epoch_feed(epoch):
                batches = self._generator_batches(items, steps_per_epoch)
                return PythonFeed(batches, read_ahead=read_ahead)

            return self._engine_fit(
                epoch_feed,
                epochs,
                initial_epoch,
                callbacks,
                verbose,
                steps_per_epoch,
                params,
                validate,
            )
        finally:
            for opened in streams:
                opened.close()

    def _steps_for(self, generator, steps):
        if steps is not None:
            return steps
        if not is_sequence(generator):
            raise ValueError(
                "`steps=None` is only valid for a generator based on the `keras.utils.Sequence` "
                "class. Please specify `steps` or use the `keras.utils.Sequence` class."
            )
        return len(generator)

    @tf_keras_when_own_steps
    @keras1_interface
    def evaluate_generator(
        self,
        generator,
        steps=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        verbose=0,
    ):
        logs = self._evaluate_generator_logs(
            generator, steps, max_queue_size, workers, use_multiprocessing, verbose
        )
        return unpack_singleton(list(logs.values()))

    def _evaluate_generator_logs(
        self,
        generator,
        steps,
        max_queue_size,
        workers,
        use_multiprocessing,
        verbose,
        callbacks=None,
    ):
        self._check_compiled()
        steps = self._steps_for(generator, steps)
        text = "Output of generator should be a tuple (x, y, sample_weight) or (x, y). "

        def checked(batches):
            for batch in batches:
                if _rows(batch) == 0:
                    raise ValueError(
                        "Received an empty batch. Batches should contain at least one item."
                    )
                yield batch

        transform = self._keras2_batch(text=text)
        with _open(
            generator, workers, use_multiprocessing, max_queue_size, transform=transform
        ) as s:
            batches = checked(self._generator_batches(iter(s), steps))
            return self._engine_evaluate(PythonFeed(batches), steps, callbacks, verbose)

    @tf_keras_when_own_steps
    @keras1_interface
    def predict_generator(
        self,
        generator,
        steps=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        verbose=0,
    ):
        return self._predict_generator_outputs(
            generator, steps, max_queue_size, workers, use_multiprocessing, verbose
        )

    def _predict_generator_outputs(
        self,
        generator,
        steps,
        max_queue_size,
        workers,
        use_multiprocessing,
        verbose,
        callbacks=None,
    ):
        steps = self._steps_for(generator, steps)

        def inputs(items):
            for output in itertools.islice(items, steps):
                # A 2- or 3-tuple carries x first; anything else is x itself (Keras 2).
                x = output[0] if isinstance(output, tuple) and len(output) in (2, 3) else output
                yield data_lib.model_inputs(self, x)[0]

        with _open(generator, workers, use_multiprocessing, max_queue_size) as items:
            outputs = self._engine_predict(
                inputs(iter(items)), callbacks, verbose=verbose, params={"steps": steps}
            )
        return outputs[0] if len(outputs) == 1 else outputs
