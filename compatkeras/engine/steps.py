"""The compiled train, test and predict steps of one model under one `TrainingConfig`, and the
executions that run several steps per call (`steps_per_execution`)."""

import contextlib
import functools

import numpy as np
import tensorflow as tf

from compatkeras.engine import calls
from compatkeras.engine.feeds import replica_shares
from compatkeras.engine.losses import prepare, reduce_loss


def _as_list(outputs):
    """A model's outputs in flat order (dict outputs by sorted key, as `tf.nest` orders them)."""
    return tf.nest.flatten(outputs)


def _call(model, x, training):
    return model(x[0] if len(x) == 1 else x, training=training)


def _without_none(x, ys, ws):
    parts = {f"x{i}": t for i, t in enumerate(x)}
    parts.update({f"y{i}": t for i, t in enumerate(ys) if t is not None})
    parts.update({f"w{i}": t for i, t in enumerate(ws) if t is not None})
    return parts


class PredictStep:
    """`predict(x)` as a `tf.function`; needs no compile (Keras 2 predicts uncompiled models).
    With `own`, `x` is a batch as the surface's adapter gives it and the model's own `predict_step`
    runs on every replica, outputs concatenated (tf-keras's `make_predict_function`)."""

    def __init__(self, model, jit_compile=False, eager=False, own=False):
        self.model = model
        self.options = (jit_compile, eager, own)
        self._function = calls.function(self._own if own else self._predict, jit_compile, eager)
        self._own_step = own
        from compatkeras.engine.own_steps import model_kind

        # How a pass keeps and joins its outputs: the model kind's way for its own step.
        kind = model_kind(model) if own else None
        self.host = kind.host if own else _host
        self.concat = kind.concat if own else np.concatenate

    def predict(self, x):
        if self._own_step:  # a batch pulled into Python: each replica predicts its share
            x = replica_shares(self.model.distribute_strategy, x)
        return self._function(x)

    def _predict(self, x):
        return _call(self.model, x, training=False)

    def _own(self, data):
        from compatkeras.engine.own_steps import model_kind

        kind = model_kind(self.model)
        strategy = self.model.distribute_strategy
        outputs = strategy.run(kind.plain(self.model.predict_step), args=(data,))
        return kind.reduce(outputs, strategy, "concat")


def _host(outputs):
    return [o.numpy() for o in tf.nest.flatten(outputs)]


class Steps:
    """`train(x, ys, ws)` and `test(x, ys, ws)` as `tf.function`s, and executions of several.

    `ys` and `ws` hold one entry per *fed* output (`OutputSpec.fed`), in output order; a `ws`
    entry may be None (unweighted). Bound targets are read inside the step (a `tf.Variable`
    target is read at every call). Each step returns `[total loss, per-output losses...,
    per-batch metric values...]`; running metrics update `metric_state` instead (`MetricState`).
    """

    def __init__(self, model, config, metric_state):
        self.model = model
        self.config = config
        self.metric_state = metric_state
        self.value_count = (
            len(config.log_names) - sum(metric_state.running) - len(metric_state.model_metrics)
        )
        # Under a distribution strategy with several replicas, each step runs on every replica
        # (`strategy.run`) over its share of the batch; sums are reduced across replicas.
        self.strategy = model.distribute_strategy
        self.replicas = self.strategy.num_replicas_in_sync
        if config.updates_from_loss is not None and self.replicas > 1:
            raise ValueError(
                "An optimizer that builds its own updates from the loss (a Keras 2 "
                "`get_updates` optimizer) cannot run under a distribution strategy; use one of "
                "the built-in optimizers there."
            )
        self.jit_compile = config.jit_compile and not config.run_eagerly
        self.jit_checked = not (self.jit_compile and config.jit_fallback)
        # Executions add `values x batch size` and batch sizes here, on the device, so that
        # steps are not synchronised with Python; the trainer reads them when it needs logs.
        self.totals = tf.Variable(tf.zeros([self.value_count], tf.float64), trainable=False)
        self.sizes = tf.Variable(tf.constant(0.0, tf.float64), trainable=False)
        self._build()

    def averages(self, fresh=True):
        """What a pass reads its logs from (`progress.Averages`)."""
        from compatkeras.engine.progress import Averages

        return Averages(self.config, self.metric_state, self, fresh)

    def reset_totals(self):
        self.totals.assign(tf.zeros([self.value_count], tf.float64))
        self.sizes.assign(0.0)

    def _build(self):
        eager = self.config.run_eagerly
        self.train = calls.function(self._train, self.jit_compile, eager)
        self.test = calls.function(self._test, self.jit_compile, eager)
        # Executions: steps on batches from a tf.data iterator or from a tuple of batches. One
        # function per mode: a tf.function may create variables (the optimizer's slots) only on
        # its first trace, and a test pass may come before the first training step.
        self._executions = {
            train: {
                name: calls.function(functools.partial(run, train), eager=eager)
                for name, run in (
                    ("next", self._run_next),
                    ("iterator", self._run_iterator),
                    ("list", self._run_list),
                )
            }
            for train in (True, False)
        }
        self._concrete, self._counts = {}, {}
        self._lists = calls.ConcreteLists(self._executions)
        self._prepared = False

    def run_list(self, train, batches, signatures=None):
        """One step per batch of `batches` (a tuple of `(x, ys, ws)`), in one call, through a
        concrete function cached per (mode, batch structure, shapes): tf.function's per-call
        signature matching on numpy arguments costs about as much as a small model's step.
        Past a few shapes (varying sequence lengths), tf.function's own relaxed retracing
        takes over."""
        function = self._executions[train]["list"]
        if self.config.run_eagerly or self.replicas > 1:
            function(batches)
            return
        signatures = signatures or tuple(map(calls.batch_signature, batches))
        tensors = tuple(
            tuple(tuple(map(calls.tensor, part)) for part in batch) for batch in batches
        )
        concrete = self._lists.get(train, signatures, tensors)
        if concrete is None:
            function(tensors)
            return
        concrete(tensors)

    @property
    def groups_batches(self):
        """Whether Python batches may be grouped into one call (`run_implicit`)."""
        return not self.config.run_eagerly and self.replicas == 1

    def run_implicit(self, train, batches, size):
        """`batches` grouped by the trainer on its own: one call when they are `size` batches of
        one signature, else one call per batch (a short last group, varying shapes)."""
        signatures = tuple(map(calls.batch_signature, batches))
        if len(batches) > 1 and (len(batches) != size or len(set(signatures)) > 1):
            for batch, signature in zip(batches, signatures, strict=True):
                self.run_list(train, (batch,), (signature,))
            return
        self.run_list(train, batches, signatures)

    def check_jit(self, specs):
        """Before the first XLA step chosen automatically: if XLA cannot compile the step, warn
        (naming the op) and use plain graph functions from now on."""
        if self.jit_checked:
            return
        self.jit_checked = True
        if calls.xla_falls_back(self.train, specs):
            self.jit_compile = False
            self._build()

    def _targets(self, ys, ws):
        """(y_true, weights) per output (None for an output without a loss)."""
        fed = iter(zip(ys, ws, strict=True))
        targets = []
        for output in self.config.outputs:
            if output.loss is None:
                targets.append(None)
            elif output.target is not None:
                # Bound targets are unweighted, as in Keras 2 (no sample-weight placeholder).
                targets.append((tf.convert_to_tensor(output.target), None))
            else:
                targets.append(next(fed))
        return targets

    def _forward(self, x, training):
        """Predictions, and the step's graph tensors that losses read (`engine.loss_graph`)."""
        graph = self.config.loss_graph
        if graph is None:
            predictions = _as_list(_call(self.model, x, training))
            # Keras 2's predictions were the graph's own tensors: a loss may read which layer
            # made them (`y_pred._keras_history`, keras-contrib's CRF losses in every mode).
            symbolic = getattr(self.model, "outputs", None) or ()
            if len(symbolic) == len(predictions):
                for tensor, output in zip(predictions, symbolic, strict=True):
                    history = getattr(output, "_keras_history", None)
                    if history is not None and not hasattr(tensor, "_keras_history"):
                        tensor._keras_history = history
            return predictions, None
        return graph.forward(x, training)

    def _reading(self, i, live):
        """Where output `i`'s loss and metrics read the graph: its nodes give the step's
        tensors (`engine.loss_graph`)."""
        if live is None or i not in self.config.loss_graph.indexes:
            return contextlib.nullcontext()
        return self.config.loss_graph.reading(live)

    def _losses(self, x, ys, ws, training):
        targets = self._targets(ys, ws)
        predictions, live = self._forward(x, training)
        total, output_losses, metric_values = 0.0, [], []
        metric_index = 0
        for i, (output, y_pred) in enumerate(zip(self.config.outputs, predictions, strict=True)):
            if output.loss is None:
                continue
            y_true, weights = targets[i]
            y_true, y_pred, mask = prepare(self.config, y_true, y_pred)
            with self._reading(i, live):
                values = output.loss(y_true, y_pred)
            value = reduce_loss(values, weights, mask, self.config.loss_rule)
            total += output.loss_weight * value
            if output.loss_log_name:
                output_losses.append(value)
            for metric in output.metrics:
                with self._reading(i, live):
                    value = self.metric_state.update(
                        metric_index, y_true, y_pred, weights if metric.weighted else None, mask
                    )
                if value is not None:
                    metric_values.append(value)
                metric_index += 1
        if self.model.losses:
            total += tf.add_n(self.model.losses)
        return total, [total, *output_losses, *metric_values]

    def _train(self, x, ys, ws):
        if self.config.updates_from_loss is not None:
            total, logs = self._losses(x, ys, ws, training=True)
            self.config.updates_from_loss(total, self._variables())
            return logs
        optimizer = self.config.optimizer
        replica_scale = 1.0 / self.replicas  # the optimizer sums the replicas' gradients
        # A loss-scale optimizer (mixed precision) gets a scaled loss and unscales the gradients;
        # the logged loss stays unscaled.
        scaling = hasattr(optimizer, "get_unscaled_gradients")
        with tf.GradientTape() as tape:
            total, logs = self._losses(x, ys, ws, training=True)
            if self.replicas > 1:
                total = total * replica_scale
            if scaling:
                total = optimizer.get_scaled_loss(total)
        variables = self._variables()
        gradients = tape.gradient(total, variables)
        if scaling:
            gradients = optimizer.get_unscaled_gradients(gradients)
        optimizer.apply_gradients(zip(gradients, variables, strict=True))
        return logs

    def _variables(self):
        if self.config.variables is not None:
            return list(self.config.variables)
        return self.model.trainable_variables

    def _test(self, x, ys, ws):
        return self._losses(x, ys, ws, training=False)[1]

    def _inner(self, train):
        """The step as called from inside another compiled function: the XLA-compiled one when
        XLA is on; otherwise the plain Python step, traced into the caller's graph (a nested
        tf.function call costs ~0.2 ms per step, and under `strategy.run` it could not sum the
        replicas' gradients with `merge_call`; XLA is off under a strategy anyway)."""
        if self.jit_compile and self.replicas == 1:
            return self.train if train else self.test
        return self._train if train else self._test

    def _local_sized(self, train, x, ys, ws):
        values = self._inner(train)(x, ys, ws)
        size = tf.cast(tf.shape(tf.nest.flatten(x)[0])[0], tf.float64)
        return tf.stack([tf.cast(v, tf.float64) for v in values]) * size, size

    def _sized(self, train, x, ys, ws):
        if self.replicas == 1:
            return self._local_sized(train, x, ys, ws)
        values, size = self.strategy.run(
            functools.partial(self._local_sized, train), args=(x, ys, ws)
        )
        sum_ = tf.distribute.ReduceOp.SUM
        return self.strategy.reduce(sum_, values, axis=None), self.strategy.reduce(
            sum_, size, axis=None
        )

    def prepare(self, train):
        """Before the first training execution: the optimizer's slots are made eagerly, so the
        step is traced once (a tf.function that creates variables on its first call traces
        twice; ~0.35 s of an LSTM's first epoch)."""
        if not train or self._prepared:
            return
        self._prepared = True
        optimizer, variables = self.config.optimizer, self._variables()
        scaled = hasattr(optimizer, "get_unscaled_gradients")
        if self.config.updates_from_loss is not None or scaled or not variables:
            return
        with self.strategy.scope():
            if hasattr(optimizer, "_create_all_weights"):  # tf-keras's legacy optimizers
                optimizer._create_all_weights(variables)
            elif hasattr(optimizer, "build") and not getattr(optimizer, "built", True):
                optimizer.build(variables)

    def execute(self, train, iterator, count, loop=False):
        """`count` steps from `iterator`, through a concrete function cached per (train/test,
        data structure, one step or several): it skips tf.function's per-call signature
        matching, which costs about 1 ms per call with an iterator argument. `loop`: run even
        one step through the several-steps function (the trainer's own groups, whose last one
        may be a single step: one trace instead of two)."""
        single = count == 1 and not loop
        if self.config.run_eagerly:
            return (
                self._run_next(train, iterator)
                if single
                else self._run_iterator(train, iterator, count)
            )
        try:
            key = (train, single, iterator.element_spec)
            hash(key)
        except (TypeError, AttributeError):
            key = None
        function = self._concrete.get(key) if key is not None else None
        if function is None:
            executions = self._executions[train]
            if single:
                function = executions["next"].get_concrete_function(iterator)
            else:
                function = executions["iterator"].get_concrete_function(
                    iterator, tf.TensorSpec([], tf.int32)
                )
            if key is not None:
                self._concrete[key] = function
        if single:
            return function(iterator)
        counts = self._counts.get(count)
        if counts is None:
            counts = self._counts[count] = tf.constant(count)
        return function(iterator, counts)

    def distribute_iterator(self, dataset):
        """An iterator over `dataset` that gives each replica its share of every batch."""
        if self.replicas == 1:
            return iter(dataset)
        if any(type(s).__name__ == "NoneTensorSpec" for s in tf.nest.flatten(dataset.element_spec)):
            # A multi-worker iterator cannot carry None parts (unweighted outputs): batches
            # travel as a dict of the parts that are there and are rebuilt in the step.
            dataset = dataset.map(_without_none)
        return iter(self.strategy.experimental_distribute_dataset(dataset))

    def _whole(self, batch):
        """`(x, ys, ws)` from a batch that travelled as `_without_none`'s dict."""
        if not isinstance(batch, dict):
            return batch
        fed = len(self.config.fed_outputs)
        x = tuple(batch[f"x{i}"] for i in range(sum(k.startswith("x") for k in batch)))
        return (
            x,
            tuple(batch.get(f"y{i}") for i in range(fed)),
            tuple(batch.get(f"w{i}") for i in range(fed)),
        )

    def distribute_batch(self, batch):
        """A batch from Python split across the replicas (`feeds.replica_shares`)."""
        return replica_shares(self.strategy, batch)

    def _add(self, total, size):
        self.totals.assign_add(total)
        self.sizes.assign_add(size)

    def _run_next(self, train, iterator):
        """One step on the iterator's next batch."""
        self._add(*self._sized(train, *self._whole(next(iterator))))

    def _run_iterator(self, train, iterator, count):
        """`count` steps on batches pulled from a tf.data iterator inside the function (the
        feed has planned `count`, so every `next` has a batch). Sums are carried through the
        loop and added to the variables once."""
        total = tf.zeros([self.value_count], tf.float64)
        size = tf.constant(0.0, tf.float64)
        for _ in tf.range(count):
            values, batch_size = self._sized(train, *self._whole(next(iterator)))
            total += values
            size += batch_size
        self._add(total, size)

    def _run_list(self, train, batches):
        total = tf.zeros([self.value_count], tf.float64)
        size = tf.constant(0.0, tf.float64)
        for x, ys, ws in batches:
            values, batch_size = self._sized(train, x, ys, ws)
            total += values
            size += batch_size
        self._add(total, size)
