"""The Keras 3 training methods of `compatkeras.v3.Model`: signatures, defaults, checks, return
shapes and names (keras3 spec §A, §B). Every number comes from the engine."""

import itertools
import warnings

import numpy as np
import tensorflow as tf

from compatkeras.engine.model import CompileContainerStandIn
from compatkeras.engine.progress import BatchLogs
from compatkeras.v3 import compile as compile_lib
from compatkeras.v3 import data as data_lib

_RAN_OUT = (
    "Your input ran out of data; interrupting training. Make sure that your dataset or generator "
    "can generate at least `steps_per_epoch * epochs` batches. You may need to use the "
    "`.repeat()` function when building your dataset."
)


def pythonify_logs(logs):
    """Keras 3 logs: Python floats, keys sorted."""
    return {k: float(logs[k]) for k in sorted(logs)}


def _check_validation_freq(value):
    if isinstance(value, bool) or not isinstance(value, (int, list, tuple)):
        raise ValueError(
            "Expected `validation_freq` to be a list or int. Received: "
            f"validation_freq={value} of the type {type(value)}."
        )


def _should_eval(epoch, freq):
    epoch += 1
    if isinstance(freq, int):
        return epoch % freq == 0
    return epoch in freq


def _train_validation_split(arrays, split):
    """Keras 3: the last `split` fraction of the samples, before any shuffling."""
    flat = [a for a in tf.nest.flatten(arrays) if a is not None]
    count = int(flat[0].shape[0])
    cut = int(count * (1.0 - split))
    if cut == 0 or cut == count:
        raise ValueError(
            f"Training data contains {count} samples, which is not sufficient to split it into a "
            f"validation and training set as specified by `validation_split={split}`."
        )

    def part(sl):
        return tf.nest.map_structure(lambda a: None if a is None else a[sl], arrays)

    return part(slice(0, cut)), part(slice(cut, None))


class _V3BatchLogs(BatchLogs):
    """Keras 3 batch logs: the epoch's running values as Python floats."""

    def end(self, averages, index):
        return pythonify_logs(averages.logs())


class V3Training:
    """Keras 3 `Model` training API (keras3 spec §A, §B)."""

    _v3_args = None
    _v3_bare = ()

    # -- compile --------------------------------------------------------------------------

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
        args = compile_lib.make_args(
            self,
            optimizer,
            loss,
            loss_weights,
            metrics,
            weighted_metrics,
            run_eagerly,
            steps_per_execution,
            jit_compile,
            auto_scale_loss,
        )
        self._v3_args = args
        self.optimizer = args.optimizer
        self.loss = loss
        self._engine_reset()  # built at the first batch, as Keras 3 builds its losses
        self._run_eagerly = args.run_eagerly
        self._is_compiled = True  # tf-keras's savers read it
        self.compiled_loss = self.compiled_metrics = CompileContainerStandIn()
        self.stop_training = False

    @property
    def compiled(self):
        return self._v3_args is not None

    @property
    def steps_per_execution(self):
        return self._v3_args.steps_per_execution if self._v3_args else 1

    @property
    def jit_compile(self):
        if self._v3_args is None:
            return compile_lib.auto_jit(self)
        if self._engine_compiled:
            return self._engine_jit_compile
        return self._v3_args.jit_compile

    @jit_compile.setter
    def jit_compile(self, value):
        if self._v3_args is None:
            return  # tf-keras's constructor; compile() decides
        jit, auto = compile_lib.resolve_jit(self, value, self._v3_args.run_eagerly)
        self._v3_args.jit_compile, self._v3_args.jit_auto = jit, auto
        self._engine_reset()  # steps are rebuilt with the new setting

    def _get_compile_args(self, user_metrics=True):
        """What tf-keras's savers record as the training config."""
        self._assert_compiled()
        args = self._v3_args
        return {
            "optimizer": args.optimizer,
            "loss": args.loss,
            "metrics": args.metrics,
            "loss_weights": args.loss_weights,
            "weighted_metrics": args.weighted_metrics,
        }

    def _assert_compiled(self):
        if self._v3_args is None:
            raise ValueError("You must call `compile()` before using the model.")

    @property
    def metrics_names(self):
        if self._v3_args is None:
            return []
        names = ["loss"]
        if self._v3_args.metrics is not None or self._v3_args.weighted_metrics is not None:
            names.append("compile_metrics")
        if self._engine_compiled:
            names += [o.loss_log_name for o in self._engine_config.outputs if o.loss_log_name]
        return names

    # -- structure ------------------------------------------------------------------------

    def _v3_output_names(self):
        nested = getattr(self, "_nested_outputs", None)
        if isinstance(nested, dict):
            return sorted(nested)
        if getattr(self, "outputs", None):
            return list(self.output_names)
        return ["output_1"]

    def _layout(self):
        input_names = list(self.input_names) if getattr(self, "inputs", None) else []
        layout = data_lib.Layout(input_names, self._v3_output_names())
        if self._engine_compiled:
            layout.fed = [o.fed for o in self._engine_config.outputs]
        return layout

    def _ensure_config(self, adapter):
        layout = adapter.layout
        if self._engine_compiled:
            return
        args = self._v3_args
        y_shapes = adapter.y_shapes()
        if getattr(self, "outputs", None):
            pred_shapes = [tuple(o.shape) for o in self.outputs]
        else:
            pred_shapes = [s or (None, 1) for s in y_shapes]
        config, bare = compile_lib.build_config(args, layout.output_names, y_shapes, pred_shapes)
        missing = [
            o.name for o, s in zip(config.outputs, y_shapes, strict=True) if o.fed and s is None
        ]
        if missing:
            raise ValueError(
                f"No target data (`y`) for the outputs {missing}, which have a loss. Pass `y`, "
                "or compile them with loss=None."
            )
        if all(o.loss is None for o in config.outputs) and not self.losses:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        self._engine_compile(config, args.steps_per_execution, batch_logs=_V3BatchLogs())
        self._v3_bare = bare
        layout.fed = [o.fed for o in config.outputs]

    def _flatten_in_order(self, logs):
        """Keras 3's list order (spec §B.5): loss, the compile metrics by their bare names,
        per-output losses, then the remaining keys sorted; each key once (Keras 3 repeats a value
        when a weighted metric shares an unweighted one's name)."""
        names = ["loss", *self._v3_bare]
        names += [o.loss_log_name for o in self._engine_config.outputs if o.loss_log_name]
        ordered = list(dict.fromkeys(n for n in names if n in logs))
        ordered += [k for k in sorted(logs) if k not in ordered]
        values = [logs[k] for k in ordered]
        return values[0] if len(values) == 1 else values

    def _pack_outputs(self, arrays):
        nested = getattr(self, "_nested_outputs", None)
        if isinstance(nested, dict):
            return dict(zip(sorted(nested), arrays, strict=True))
        if len(arrays) == 1 and not isinstance(nested, (list, tuple)):
            return arrays[0]
        return list(arrays)

    # -- fit ------------------------------------------------------------------------------

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
        options = data_lib.worker_options("fit", kwargs)
        _no_other_arguments("fit", kwargs)
        self._assert_compiled()
        _check_validation_freq(validation_freq)
        if steps_per_epoch is not None and (
            isinstance(steps_per_epoch, bool) or not isinstance(steps_per_epoch, int)
        ):
            raise ValueError(
                f"`steps_per_epoch` must be an integer or None. Received: steps_per_epoch={steps_per_epoch!r}"
            )
        if validation_split and validation_data is None:
            if not data_lib._array_like(x, y, sample_weight):
                raise ValueError(
                    "Argument `validation_split` is only supported for tensors or NumPy arrays."
                    f"Found incompatible type in the input: {[type(v) for v in tf.nest.flatten(x)]}"
                )
            (x, y, sample_weight), (vx, vy, vw) = _train_validation_split(
                (x, y, sample_weight), validation_split
            )
            validation_data = (vx, vy, vw)
        layout = self._layout()
        adapter = data_lib.adapt(
            layout, x, y, sample_weight, class_weight, batch_size, steps_per_epoch, shuffle
        )
        data_lib.apply_worker_options(adapter, options)
        try:
            self._ensure_config(adapter)
            return self._fit_loop(
                adapter,
                layout,
                epochs,
                verbose,
                callbacks,
                validation_data,
                batch_size,
                initial_epoch,
                steps_per_epoch,
                validation_steps,
                validation_batch_size,
                validation_freq,
            )
        finally:
            adapter.close()

    def _fit_loop(
        self,
        adapter,
        layout,
        epochs,
        verbose,
        callbacks,
        validation_data,
        batch_size,
        initial_epoch,
        steps_per_epoch,
        validation_steps,
        validation_batch_size,
        validation_freq,
    ):
        infinite = getattr(adapter, "infinite", False)
        if steps_per_epoch is not None and steps_per_epoch > 0:
            steps = steps_per_epoch
        elif steps_per_epoch is not None:
            steps = None  # -1: until the data runs out (Keras 3)
        else:
            steps = None if infinite else adapter.num_batches
        state = {"feed": None, "start": 0, "epoch_open": False, "epoch": initial_epoch}

        def close_epoch():
            if not state["epoch_open"]:
                return
            feed = state["feed"]
            adapter.on_epoch_end()
            state["epoch_open"] = False
            ran = feed.taken - state["start"]
            if self.stop_training:
                return
            if steps_per_epoch is not None and feed.exhausted and ran < (steps or 0):
                warnings.warn(_RAN_OUT, stacklevel=4)
            elif ran == 0 or (
                feed.exhausted and not adapter.restartable and state["epoch"] + 1 < epochs
            ):
                # A generator read to its end cannot feed another epoch: stop here instead of
                # running empty epochs (or replaying, as Keras 3 does).
                warnings.warn(_RAN_OUT, stacklevel=4)
                self.stop_training = True

        def epoch_batches(epoch):
            close_epoch()
            state["epoch"] = epoch
            feed = state["feed"]
            if feed is None or steps_per_epoch is None or feed.exhausted:
                feed = state["feed"] = adapter.feed()
            state["start"] = feed.taken
            adapter.on_epoch_begin()
            state["epoch_open"] = True
            return feed

        validation = None
        if validation_data is not None:
            if isinstance(validation_data, (tuple, list)):
                vx, vy, vw = data_lib.unpack_x_y_sample_weight(tuple(validation_data))
            else:
                vx, vy, vw = validation_data, None, None

            def validate(epoch):
                close_epoch()
                if not _should_eval(epoch, validation_freq):
                    return None
                vadapter = data_lib.adapt(
                    self._layout(),
                    vx,
                    vy,
                    vw,
                    None,
                    validation_batch_size or batch_size,
                    validation_steps,
                )
                try:
                    return self._evaluate_logs(vadapter, validation_steps, None, 0)
                finally:
                    vadapter.close()

            validation = validate
        params = {
            "verbose": verbose,
            "epochs": epochs,
            "steps": steps_per_epoch if steps_per_epoch else steps,
        }
        history = self._engine_fit(
            epoch_batches,
            epochs,
            initial_epoch,
            callbacks,
            verbose,
            steps,
            params,
            validation or (lambda epoch: close_epoch()),
            epoch_logs=pythonify_logs,
        )
        close_epoch()
        return history

    # -- evaluate / predict ---------------------------------------------------------------

    def _evaluate_logs(self, adapter, steps, callbacks, verbose):
        self._ensure_config(adapter)
        if steps is None and adapter.num_batches is None and getattr(adapter, "infinite", False):
            raise ValueError("An infinite dataset needs `steps` to evaluate.")
        count = (
            steps
            if steps
            else (adapter.num_batches if not getattr(adapter, "infinite", False) else None)
        )
        adapter.on_epoch_begin()
        params = {"verbose": verbose, "epochs": 1, "steps": count}
        logs = self._engine_evaluate(adapter.feed(), count, callbacks, verbose, params)
        adapter.on_epoch_end()
        return pythonify_logs(logs)

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
        options = data_lib.worker_options("evaluate", kwargs)
        if kwargs:
            raise ValueError(f"Arguments not recognized: {kwargs}")
        self._assert_compiled()
        adapter = data_lib.adapt(self._layout(), x, y, sample_weight, None, batch_size, steps)
        data_lib.apply_worker_options(adapter, options)
        try:
            logs = self._evaluate_logs(adapter, steps, callbacks, verbose)
        finally:
            adapter.close()
        return logs if return_dict else self._flatten_in_order(logs)

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None, **kwargs):
        options = data_lib.worker_options("predict", kwargs)
        _no_other_arguments("predict", kwargs)
        layout = self._layout()
        adapter = data_lib.adapt(layout, x, None, None, None, batch_size, steps)
        data_lib.apply_worker_options(adapter, options)
        try:
            inputs = adapter.x_batches()
            if steps is not None:
                inputs = itertools.islice(inputs, steps)
            shown = verbose if verbose not in ("auto", 0) else 0
            outputs = self._engine_predict(
                inputs,
                callbacks,
                *self._predict_options(),
                verbose=shown,
                params={"steps": steps or adapter.num_batches, "verbose": verbose},
            )
        finally:
            adapter.close()
        return self._pack_outputs(outputs)

    # -- single batches -------------------------------------------------------------------

    def _one_batch(self, train, x, y, sample_weight, class_weight=None):
        self._assert_compiled()
        layout = self._layout()
        if not data_lib._array_like(x, y, sample_weight):
            raise ValueError(
                f"`{'train' if train else 'test'}_on_batch` takes arrays or tensors (one batch). "
                f"Received: x of type {type(x)}"
            )
        adapter = data_lib.ArrayAdapter(layout, x, y, sample_weight, class_weight, None, 1, False)
        self._ensure_config(adapter)
        batch = layout.select(adapter.parts)
        return pythonify_logs(self._engine_batch(train, batch))

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        if sample_weight is not None and class_weight is not None:
            raise ValueError(
                "Arguments `sample_weight` and `class_weight` cannot be specified at the same "
                f"time. Received: sample_weight={sample_weight}, class_weight={class_weight}"
            )
        logs = self._one_batch(True, x, y, sample_weight, class_weight)
        return logs if return_dict else self._flatten_in_order(logs)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        logs = self._one_batch(False, x, y, sample_weight)
        return logs if return_dict else self._flatten_in_order(logs)

    def predict_on_batch(self, x):
        inputs = self._layout().x(x)
        inputs = tuple(np.asarray(a) if isinstance(a, list) else a for a in inputs)
        return self._pack_outputs(self._engine_predict([inputs], None, *self._predict_options()))

    def _predict_options(self):
        """(steps_per_execution, jit_compile, run_eagerly) for predictions."""
        args = self._v3_args
        if args is None:
            return 1, False, False
        return args.steps_per_execution, args.jit_compile, args.run_eagerly


def _no_other_arguments(method, kwargs):
    """`**kwargs` only takes Keras 2's worker arguments: anything else is Python's TypeError."""
    if kwargs:
        raise TypeError(f"{method}() got an unexpected keyword argument '{next(iter(kwargs))}'")
