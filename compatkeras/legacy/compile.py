"""Keras 2 `compile()` arguments -> the engine's `TrainingConfig`.

Validation rules and error texts follow Keras 2.2.4 (legacy spec §A.3), whose messages are the
clean ones; where tf.keras 2.x has a rule Keras 2.2.4 lacked (unknown metrics-dict keys raise),
the "tf.keras" flavor keeps it. Metric names follow the flavor.
"""

import warnings

import tensorflow as tf
import tf_keras

from compatkeras.engine import config as engine_config
from compatkeras.engine import loss_graph
from compatkeras.engine.model import with_loss_scaling
from compatkeras.legacy import flavors as flavor_lib
from compatkeras.legacy import optimizers as legacy_optimizers

_ACCURACY = ("acc", "accuracy")
_CROSSENTROPY = ("ce", "crossentropy")


def _output_names(model):
    return list(model.output_names)


def _check_keys(value, names, what):
    for key in value:
        if key not in names:
            raise ValueError(
                f'Unknown entry in {what} dictionary: "{key}". '
                f"Only expected the following keys: {names}"
            )


def _per_output(value, names, what, default):
    """Keras 2's dict / list / single-value rule shared by loss, loss_weights, sample_weight_mode."""
    if isinstance(value, dict):
        _check_keys(value, names, what)
        return [value.get(name, default) for name in names], [n for n in names if n not in value]
    if isinstance(value, list):
        if len(value) != len(names):
            raise ValueError(
                f"When passing a list as {what}, it should have one entry per model output"
                f"{'s' if what == 'loss' else ''}. The model has {len(names)} outputs, but you "
                f"passed {what}={value}"
            )
        return list(value), []
    return [value] * len(names), []


def _is_keras2_stateful(identifier):
    """Keras 2.2.4's stateful metrics: layers with `stateful = True` whose `__call__` updates
    their own variables and returns the running value, and `reset_states()`."""
    return (
        not isinstance(identifier, tf_keras.metrics.Metric)
        and getattr(identifier, "stateful", False) is True
        and callable(getattr(identifier, "reset_states", None))
    )


class Keras2StatefulMetric:
    """A Keras 2.2.4 stateful metric layer as the engine's stateful metric object: the running
    value it returns is kept and reported as is (Keras 2.2.4 did not average it)."""

    def __init__(self, layer):
        self.layer = layer
        self.name = layer.name
        self.value = None

    def update_state(self, y_true, y_pred, sample_weight=None):
        value = self.layer(y_true, y_pred)
        if self.value is None:
            with tf.init_scope():
                self.value = tf.Variable(0.0, dtype="float64", trainable=False)
        self.value.assign(tf.cast(value, "float64"))

    def result(self):
        return self.value if self.value is not None else tf.constant(0.0, "float64")

    def reset_state(self):
        self.layer.reset_states()
        if self.value is not None:
            self.value.assign(0.0)


def _legacy_metric_names():
    """Names Keras 2.2.4 knew that tf-keras does not."""
    from compatkeras.legacy import losses

    return {"cosine_proximity": losses.cosine_proximity, "cosine": losses.cosine_proximity}


def loss_function(identifier, flavor=None):
    """A function of (y_true, y_pred) giving per-sample values, from what Keras 2 accepts;
    under the "keras-2.2" flavor the crossentropies are Keras 2.2.4's."""
    if identifier is None:
        return None
    if isinstance(identifier, tf_keras.losses.Loss):
        return identifier.call  # the unreduced values; the engine applies weights and masks
    if isinstance(identifier, str):
        found = _legacy_metric_names().get(identifier) or tf_keras.losses.get(identifier)
    elif callable(identifier):
        found = identifier
    else:
        raise ValueError(f"Could not interpret loss function identifier: {identifier!r}")
    if flavor == flavor_lib.KERAS_2_2:
        from compatkeras.legacy import losses

        return losses.KERAS_2_2_LOSSES.get(found, found)
    return found


def _losses(model, loss, flavor):
    names = _output_names(model)
    if isinstance(loss, tuple) and flavor == flavor_lib.KERAS_2_2:
        raise ValueError(f"Could not interpret loss function identifier: {loss!r}")
    if isinstance(loss, tuple):
        loss = list(loss)
    values, missing = _per_output(loss, names, "loss", None)
    for name in missing:
        warnings.warn(
            f'Output "{name}" missing from loss dictionary. We assume this was done on purpose, '
            f'and we will not be expecting any data to be passed to "{name}" during training.',
            stacklevel=4,
        )
    return [loss_function(v, flavor) for v in values]


def _loss_weights(model, loss_weights):
    names = _output_names(model)
    if loss_weights is None:
        return [1.0] * len(names)
    if isinstance(loss_weights, (dict, list)):
        return [float(w) for w in _per_output(loss_weights, names, "loss_weights", 1.0)[0]]
    raise TypeError(
        f"Could not interpret loss_weights argument: {loss_weights!r} - expected a list of dicts."
    )


def _temporal_modes(model, mode, losses, targets):
    names = _output_names(model)
    if isinstance(mode, dict):
        _check_keys(mode, names, "sample_weight_mode")
        for name, loss, target in zip(names, losses, targets, strict=True):
            if name not in mode and loss is not None and target is None:
                raise ValueError(f'Output "{name}" missing from sample_weight_modes dictionary')
        modes = [mode.get(name) for name in names]
    else:
        modes = _per_output(mode, names, "sample_weight_mode", None)[0]
    for value in modes:
        # Keras 2.2.4 silently read any other string as None; tf.keras asserted. Both hide typos.
        if value not in (None, "temporal"):
            raise ValueError(f'sample_weight_mode must be None or "temporal", got {value!r}')
    return [value == "temporal" for value in modes]


def _is_tensor(value):
    return isinstance(value, (tf.Tensor, tf.Variable))


def _targets(model, target_tensors):
    names = _output_names(model)
    if target_tensors is None:
        return [None] * len(names)
    if isinstance(target_tensors, list):
        if len(target_tensors) != len(names):
            raise ValueError(
                "When passing a list as `target_tensors`, it should have one entry per model "
                f"output. The model has {len(names)} outputs, but you passed "
                f"target_tensors={target_tensors}"
            )
        return list(target_tensors)
    if isinstance(target_tensors, dict):
        _check_keys(target_tensors, names, "`target_tensors`")
        return [target_tensors.get(name) for name in names]
    if _is_tensor(target_tensors):
        if len(names) != 1:
            raise ValueError(
                f"The model has {len(names)} outputs, but you passed a single tensor as "
                "`target_tensors`. Expected a list or a dict of tensors."
            )
        return [target_tensors]
    raise TypeError(
        "Expected `target_tensors` to be a tensor, a list of tensors, or dict of tensors, "
        f"but got: {target_tensors!r}"
    )


def _metric_lists(metrics, names, flavor, argument):
    """Per-output lists of metric identifiers (Keras 2: a list for all outputs, or a dict)."""
    if metrics is None or metrics == []:
        return [[] for _ in names]
    if isinstance(metrics, dict):
        unknown = [k for k in metrics if k not in names]
        if unknown and flavor == flavor_lib.TF_KERAS:
            raise ValueError(
                f"Unknown entries in {argument} dictionary: {unknown}. "
                f"Only expected following keys: {names}"
            )
        return [
            list(metrics[n])
            if isinstance(metrics.get(n), list)
            else ([metrics[n]] if n in metrics else [])
            for n in names
        ]
    if isinstance(metrics, list):
        nested = any(isinstance(m, list) for m in metrics)
        if nested and flavor == flavor_lib.TF_KERAS:
            if len(metrics) != len(names):
                raise ValueError(
                    f"When passing a list of lists as `{argument}`, it should have one entry per "
                    f"model output. The model has {len(names)} outputs, but you passed "
                    f"{argument}={metrics}"
                )
            return [list(m) for m in metrics]
        return [list(metrics) for _ in names]
    raise TypeError(
        f"Type of `{argument}` argument not understood. Expected a list or dictionary, "
        f"found: {metrics}"
    )


_LOSS_CLASSES = {
    "binary_crossentropy": tf_keras.losses.BinaryCrossentropy,
    "sparse_categorical_crossentropy": tf_keras.losses.SparseCategoricalCrossentropy,
}


def _is_loss(fn, name):
    """Whether a resolved loss is `name`, as a function or as a Loss object's bound `call`."""
    from compatkeras.legacy import losses

    return (
        fn is getattr(tf_keras.losses, name)
        or fn is getattr(losses, name)
        or fn is losses.KERAS_2_2_LOSSES[getattr(tf_keras.losses, name)]
        or isinstance(getattr(fn, "__self__", None), _LOSS_CLASSES[name])
    )


def _resolve_metric(identifier, loss_fn, output_shape):
    """(function or None, stateful object or None, suffix-free name) for one identifier, with
    Keras 2's 'acc'/'ce' resolution from the loss and the output's last dimension."""
    if identifier in _ACCURACY or identifier in _CROSSENTROPY:
        kind = "accuracy" if identifier in _ACCURACY else "crossentropy"
        if output_shape[-1] == 1 or _is_loss(loss_fn, "binary_crossentropy"):
            fn = getattr(tf_keras.metrics, f"binary_{kind}")
        elif _is_loss(loss_fn, "sparse_categorical_crossentropy"):
            fn = getattr(tf_keras.metrics, f"sparse_categorical_{kind}")
        else:
            fn = getattr(tf_keras.metrics, f"categorical_{kind}")
        return fn, None
    if isinstance(identifier, tf_keras.metrics.Metric):
        wrapped = getattr(identifier, "_fn", None)  # MeanMetricWrapper: reuse its function
        if wrapped is not None and isinstance(identifier, tf_keras.metrics.MeanMetricWrapper):
            return (
                lambda y_true, y_pred, _f=wrapped, _k=identifier._fn_kwargs: _f(
                    y_true, y_pred, **_k
                )
            ), None
        return None, identifier
    if _is_keras2_stateful(identifier):
        return None, Keras2StatefulMetric(identifier)
    if isinstance(identifier, str):
        fn = _legacy_metric_names().get(identifier) or tf_keras.metrics.get(identifier)
        if not callable(fn):  # tf-keras hands unknown names back as they came
            raise ValueError(f"Unknown metric function: {identifier!r}")
        return fn, None
    if callable(identifier):
        return identifier, None
    raise ValueError(f"Could not interpret metric function identifier: {identifier!r}")


def _metric_name(identifier, fn, stateful, flavor, weighted):
    if flavor == flavor_lib.KERAS_2_2:
        if identifier in _ACCURACY:
            base = "acc"
        elif identifier in _CROSSENTROPY:
            base = "ce"
        elif stateful is not None or isinstance(identifier, tf_keras.metrics.Metric):
            base = stateful.name if stateful is not None else identifier.name
        else:
            base = fn.__name__
        return f"weighted_{base}" if weighted else base
    if isinstance(identifier, str):
        return identifier
    if isinstance(identifier, tf_keras.metrics.Metric):
        return identifier.name
    if stateful is not None:
        return stateful.name
    return fn.__name__


def _model_metrics(model):
    """The metric objects the model's layers update in their own calls (tf.keras 2.x's
    `model.add_metric(tensor, name=...)` and a layer's `self.add_metric` in `call`), once each."""
    found, seen = [], set()
    for layer in model._flatten_layers(include_self=True, recursive=True):
        for metric in getattr(layer, "_metrics", ()):
            if id(metric) not in seen:
                seen.add(id(metric))
                found.append(metric)
    return tuple(found)


def _keras22_function(fn, flavor):
    """Under "keras-2.2", a loss function used as a metric is 2.2.4's too (crossentropies on
    clipped probabilities, hinges on the labels as given)."""
    if fn is None or flavor != flavor_lib.KERAS_2_2:
        return fn
    from compatkeras.legacy import losses

    return losses.KERAS_2_2_LOSSES.get(fn, fn)


def _metrics(model, metrics, weighted_metrics, losses, flavor):
    names = _output_names(model)
    plain = _metric_lists(metrics, names, flavor, "metrics")
    weighted = _metric_lists(weighted_metrics, names, flavor, "weighted_metrics")
    taken = ["loss"] + [
        f"{n}_loss"
        for n, loss in zip(names, losses, strict=True)
        if loss is not None and len(names) > 1
    ]
    per_output = []
    for i, name in enumerate(names):
        specs = []
        if losses[i] is not None:  # a skipped output has no metrics
            shape = model.outputs[i].shape
            for is_weighted, identifiers in ((False, plain[i]), (True, weighted[i])):
                for identifier in identifiers:
                    fn, stateful = _resolve_metric(identifier, losses[i], shape)
                    log = _metric_name(identifier, fn, stateful, flavor, is_weighted)
                    fn = _keras22_function(fn, flavor)
                    if len(names) > 1:
                        log = f"{name}_{log}"
                    unique, k = log, 0
                    while unique in taken:
                        k += 1
                        unique = f"{log}_{k}"
                    taken.append(unique)
                    specs.append(engine_config.MetricSpec(unique, fn, is_weighted, stateful))
        per_output.append(tuple(specs))
    return per_output


def _mixed_precision(model, optimizer):
    """tf.keras 2.4+'s compile: a `mixed_float16` model trains under dynamic loss scaling."""
    if legacy_optimizers.builds_updates(optimizer):
        if getattr(model.dtype_policy, "name", None) == "mixed_float16":
            warnings.warn(
                f"{type(optimizer).__name__} builds its own updates (`get_updates`), so this "
                "mixed_float16 model trains without loss scaling; use a built-in optimizer, "
                "which compile() wraps in keras.mixed_precision.LossScaleOptimizer.",
                stacklevel=4,
            )
        return optimizer
    return with_loss_scaling(model, optimizer)


def build_config(
    model,
    optimizer,
    loss,
    metrics,
    loss_weights,
    sample_weight_mode,
    weighted_metrics,
    target_tensors,
):
    """Validate Keras 2 compile arguments and return a `TrainingConfig` for the engine."""
    flavor = flavor_lib.get_flavor()
    names = _output_names(model)
    optimizer = _mixed_precision(model, legacy_optimizers.get(optimizer))
    losses = _losses(model, loss, flavor)
    if all(fn is None for fn in losses) and not model.losses:
        raise ValueError("The model cannot be compiled because it has no loss to optimize.")
    weights = _loss_weights(model, loss_weights)
    targets = _targets(model, target_tensors)
    bound = {i for i, target in enumerate(targets) if target is not None}
    temporal = _temporal_modes(model, sample_weight_mode, losses, targets)
    metric_specs = _metrics(model, metrics, weighted_metrics, losses, flavor)
    metric_fns = [[m.fn for m in specs if m.stateful is None] for specs in metric_specs]
    graph = loss_graph.trace(model, losses, skip=bound, metrics=metric_fns)
    outputs = tuple(
        engine_config.OutputSpec(
            name=names[i],
            loss=losses[i],
            loss_weight=weights[i],
            temporal=temporal[i],
            target=targets[i],
            metrics=metric_specs[i],
            loss_log_name=f"{names[i]}_loss" if len(names) > 1 else None,
        )
        for i in range(len(names))
    )
    keras22 = flavor == flavor_lib.KERAS_2_2
    return engine_config.TrainingConfig(
        optimizer=optimizer,
        outputs=outputs,
        loss_rule=engine_config.KERAS_2_2 if keras22 else engine_config.TF_KERAS,
        metric_mode=engine_config.PER_BATCH if keras22 else engine_config.STATEFUL,
        cast_targets=True,
        loss_graph=graph,
        # Keras 2 trained the weights that were trainable when it compiled (a model not built
        # yet takes them when its step is built).
        variables=tuple(model.trainable_variables) if model.variables else None,
        model_metrics=_model_metrics(model),
        updates_from_loss=(
            legacy_optimizers.updates_from_loss(optimizer)
            if legacy_optimizers.builds_updates(optimizer)
            else None
        ),
    )
