"""Keras 2.2.4's generator methods: `fit_generator`, `evaluate_generator`, `predict_generator`
(legacy spec §D): the positional-argument limit and Keras 1 renames, the steps rules and errors,
output checks, and when `Sequence.on_epoch_end` runs.

Batches are drawn on the calling thread for now; parallel loading (`workers`,
`use_multiprocessing`) is the enqueuer's job in `compatkeras.engine`, and until it exists a
request for it is met serially with a warning.
"""

import functools
import inspect
import itertools
import warnings

import numpy as np
import tf_keras

from compatkeras.engine.data import Batch, stream
from compatkeras.legacy import data as data_lib
from compatkeras.legacy.data import unpack_singleton

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
    return is_sequence(value) or inspect.isgenerator(value) or (
        hasattr(value, "__next__") and hasattr(value, "__iter__")
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


def _batch_size(x):
    if isinstance(x, dict):
        x = next(iter(x.values()))
    elif isinstance(x, (list, tuple)):
        x = x[0]
    return len(x) if x is not None else 1


def _stream(generator, shuffle, workers):
    """Batches forever, with Keras 2.2.4's Sequence rules: with `workers > 0` the enqueuer
    shuffles per pass and calls `on_epoch_end` between passes (never after the last one);
    `workers=0` reads the Sequence in order and never calls it."""
    if not is_sequence(generator):
        return stream(generator)
    return stream(generator, shuffle=shuffle and workers > 0, epoch_end_between_passes=workers > 0)


def _warn_serial(workers, use_multiprocessing):
    if workers > 1 or use_multiprocessing:
        warnings.warn(
            f"workers={workers}, use_multiprocessing={use_multiprocessing}: compatkeras does not "
            "load batches in parallel yet; batches are read on the calling thread.",
            stacklevel=3,
        )


class GeneratorMethods:
    """Mixed into the legacy model together with `LegacyTraining`."""

    def _generator_batches(self, items, steps, class_weight=None, text=None):
        text = text or "Output of generator should be a tuple `(x, y, sample_weight)` or `(x, y)`. "
        for output in itertools.islice(items, steps):
            x, y, sample_weight = _check_output(output, text)
            xs, ys, ws, _ = self._standardize(x, y, sample_weight, class_weight)
            yield Batch(xs, ys, ws, size=_batch_size(x))

    @keras1_interface
    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                      validation_data=None, validation_steps=None, class_weight=None,
                      max_queue_size=10, workers=1, use_multiprocessing=False, shuffle=True,
                      initial_epoch=0):
        self._check_compiled()
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
        _warn_serial(workers, use_multiprocessing)

        validate = None
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
                val_stream = _stream(validation_data, False, 0)

                def validate():
                    batches = self._generator_batches(val_stream, validation_steps)
                    return dict(zip(self.metrics_names, self._engine_evaluate(batches), strict=True))
            else:
                if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                    raise ValueError(
                        "`validation_data` should be a tuple `(val_x, val_y, val_sample_weight)` "
                        f"or `(val_x, val_y)`. Found: {validation_data}"
                    )
                val_xs, val_ys, val_ws, _ = self._standardize(*validation_data)

                def validate():
                    batches = self._evaluation_batches(val_xs, val_ys, val_ws, 32, None)
                    return dict(zip(self.metrics_names, self._engine_evaluate(batches), strict=True))

        items = _stream(generator, shuffle, workers)

        def epoch_batches(epoch):
            return self._generator_batches(items, steps_per_epoch, class_weight)

        names = self.metrics_names
        params = {
            "epochs": epochs, "steps": steps_per_epoch, "verbose": verbose,
            "do_validation": validate is not None,
            "metrics": names + ([f"val_{n}" for n in names] if validate is not None else []),
        }
        return self._engine_fit(epoch_batches, epochs, initial_epoch, callbacks, verbose,
                                steps_per_epoch, params, validate)

    def _steps_for(self, generator, steps):
        if steps is not None:
            return steps
        if not is_sequence(generator):
            raise ValueError(
                "`steps=None` is only valid for a generator based on the `keras.utils.Sequence` "
                "class. Please specify `steps` or use the `keras.utils.Sequence` class."
            )
        return len(generator)

    @keras1_interface
    def evaluate_generator(self, generator, steps=None, max_queue_size=10, workers=1,
                           use_multiprocessing=False, verbose=0):
        self._check_compiled()
        steps = self._steps_for(generator, steps)
        _warn_serial(workers, use_multiprocessing)
        text = "Output of generator should be a tuple (x, y, sample_weight) or (x, y). "

        def checked(batches):
            for batch in batches:
                if batch.size == 0:
                    raise ValueError(
                        "Received an empty batch. Batches should contain at least one item."
                    )
                yield batch

        batches = self._generator_batches(_stream(generator, False, 0), steps, text=text)
        return unpack_singleton(self._engine_evaluate(checked(batches)))

    @keras1_interface
    def predict_generator(self, generator, steps=None, max_queue_size=10, workers=1,
                          use_multiprocessing=False, verbose=0):
        steps = self._steps_for(generator, steps)
        _warn_serial(workers, use_multiprocessing)
        shapes = [tuple(t.shape) for t in self.inputs]

        def inputs():
            for output in itertools.islice(_stream(generator, False, 0), steps):
                # A 2- or 3-tuple carries x first; anything else is x itself (Keras 2).
                x = output[0] if isinstance(output, tuple) and len(output) in (2, 3) else output
                yield data_lib.standardize_input_data(x, self.input_names, shapes, "input")

        outputs = self._engine_predict(inputs())
        return outputs[0] if len(outputs) == 1 else outputs
