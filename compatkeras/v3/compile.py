"""Keras 3 `compile()` arguments -> the engine's `TrainingConfig` (keras3 spec §A, §B.5).

`compile` validates what Keras 3 validates at compile time (with its texts) plus
`steps_per_execution`, which Keras 3 leaves unchecked. Losses and metrics are resolved at the
first batch, as in Keras 3, because `"acc"`/`"ce"` depend on the target's shape.
"""

import dataclasses
import warnings

import tensorflow as tf
import tf_keras

from compatkeras.engine import config as engine_config
from compatkeras.engine.model import with_loss_scaling
from compatkeras.v3 import optimizers as v3_optimizers

_ACCURACY = ("accuracy", "acc")
_CROSSENTROPY = ("crossentropy", "ce")


@dataclasses.dataclass
class CompileArgs:
    optimizer: object
    loss: object
    loss_weights: object
    metrics: object
    weighted_metrics: object
    run_eagerly: bool
    steps_per_execution: int
    jit_compile: bool  # resolved
    jit_auto: bool  # resolved from "auto" (XLA failures may fall back)


def check_steps_per_execution(value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(
            "`steps_per_execution` must be an integer >= 1 (the number of batches each "
            f"compiled call runs). Received: steps_per_execution={value!r}"
        )
    return value


def _only_cpu():
    return all(d.device_type == "CPU" for d in tf.config.list_physical_devices())


def _op_determinism():
    try:
        from tensorflow.python.framework import config as tf_config

        return bool(tf_config.is_op_determinism_enabled())
    except (ImportError, AttributeError):
        return False


def model_supports_jit(model):
    layers = model._flatten_layers() if hasattr(model, "_flatten_layers") else []
    if any(getattr(layer, "supports_jit", True) is False for layer in layers):
        return False
    return not _op_determinism()


def auto_jit(model):
    """Keras 3's `"auto"`: no XLA on CPU-only machines or under a distribution strategy,
    otherwise whether every layer supports it."""
    if _only_cpu() or tf.distribute.has_strategy():
        return False
    return model_supports_jit(model)


def resolve_jit(model, jit_compile, run_eagerly):
    """(resolved bool, chosen automatically) by Keras 3's rules (spec §A.2)."""
    if jit_compile == "auto":
        return (False if run_eagerly else auto_jit(model)), True
    if jit_compile and run_eagerly:
        warnings.warn(
            "If `run_eagerly` is True, then `jit_compile` cannot also be True. Disabling "
            "`jit_compile`.",
            stacklevel=3,
        )
        return False, False
    if jit_compile and not model_supports_jit(model):
        warnings.warn(
            "Model doesn't support `jit_compile=True`. Proceeding with `jit_compile=False`.",
            stacklevel=3,
        )
        return False, False
    if jit_compile not in (True, False, None, 0, 1):
        raise ValueError(
            f'`jit_compile` must be True, False or "auto". Received: jit_compile={jit_compile!r}'
        )
    return bool(jit_compile), False


def wrap_optimizer(model, optimizer, auto_scale_loss):
    """Keras 3's rule: a loss-scale optimizer only for a `mixed_float16` model, never twice."""
    return with_loss_scaling(model, optimizer) if auto_scale_loss else optimizer


def check_compile_args(loss_weights, metrics, weighted_metrics):
    if loss_weights and not isinstance(loss_weights, (list, tuple, dict, float)):
        raise ValueError(
            "Expected `loss_weights` argument to be a float (single output case) or a list, "
            "tuple, or dict (multiple output case). Received instead: "
            f"loss_weights={loss_weights} of type {type(loss_weights)}"
        )
    for name, value in (("metrics", metrics), ("weighted_metrics", weighted_metrics)):
        if value and not isinstance(value, (list, tuple, dict)):
            raise ValueError(
                f"Expected `{name}` argument to be a list, tuple, or dict. Received instead: "
                f"{name}={value} of type {type(value)}"
            )


def make_args(
    model,
    optimizer,
    loss,
    loss_weights,
    metrics,
    weighted_metrics,
    run_eagerly,
    steps_per_execution,
    jit_compile,
    auto_scale_loss,
):
    optimizer = v3_optimizers.get(optimizer)
    optimizer = wrap_optimizer(model, optimizer, auto_scale_loss)
    check_compile_args(loss_weights, metrics, weighted_metrics)
    jit, auto = resolve_jit(model, jit_compile, run_eagerly)
    return CompileArgs(
        optimizer=optimizer,
        loss=loss,
        loss_weights=loss_weights,
        metrics=metrics,
        weighted_metrics=weighted_metrics,
        run_eagerly=bool(run_eagerly),
        steps_per_execution=check_steps_per_execution(steps_per_execution),
        jit_compile=jit,
        jit_auto=auto,
    )


# -- resolution at the first batch ----------------------------------------------------------


def _binary_or_sparse(y_true_shape, y_pred_shape):
    is_binary = y_pred_shape[-1] == 1
    sparse = len(y_true_shape) < len(y_pred_shape) or (
        y_true_shape[-1] == 1 and y_pred_shape[-1] > 1
    )
    return is_binary, sparse


def _loss_fn(identifier, y_true_shape, y_pred_shape):
    if identifier is None:
        return None
    if isinstance(identifier, str) and identifier.lower() in _CROSSENTROPY:
        binary, sparse = _binary_or_sparse(y_true_shape, y_pred_shape)
        identifier = (
            "binary_crossentropy"
            if binary
            else "sparse_categorical_crossentropy"
            if sparse
            else "categorical_crossentropy"
        )
    if isinstance(identifier, tf_keras.losses.Loss):
        return identifier.call  # unreduced; the engine weights and reduces
    if isinstance(identifier, str):
        try:
            return tf_keras.losses.get(identifier)
        except ValueError:
            raise ValueError(f"Could not interpret loss identifier: {identifier}") from None
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret loss identifier: {identifier}")


def _metric(identifier, y_true_shape, y_pred_shape):
    """(bare name, fn, stateful object) for one metric identifier."""
    if isinstance(identifier, str) and identifier.lower() in _ACCURACY:
        binary, sparse = _binary_or_sparse(y_true_shape, y_pred_shape)
        fn = (
            tf_keras.metrics.binary_accuracy
            if binary
            else tf_keras.metrics.sparse_categorical_accuracy
            if sparse
            else tf_keras.metrics.categorical_accuracy
        )
        return identifier, fn, None
    if isinstance(identifier, str):
        try:
            obj = tf_keras.metrics.get(identifier)
        except ValueError:
            raise ValueError(f"Could not interpret metric identifier: {identifier}") from None
        if isinstance(obj, tf_keras.metrics.Metric):
            return identifier, None, obj
        return identifier, obj, None
    if isinstance(identifier, tf_keras.metrics.Metric):
        return identifier.name, None, identifier
    if callable(identifier):
        return getattr(identifier, "__name__", type(identifier).__name__), identifier, None
    raise ValueError(f"Could not interpret metric identifier: {identifier}")


def _per_output(value, names, what):
    """One entry per output from a single value, a list/tuple (one per output) or a dict."""
    if isinstance(value, dict):
        unknown = [k for k in value if k not in names]
        if unknown:
            raise ValueError(
                f"In the dict argument `{what}`, key '{unknown[0]}' does not correspond to any "
                f"model output. Received:\n{what}={value}"
            )
        return [value.get(n) for n in names]
    if isinstance(value, (list, tuple)) and len(names) > 1:
        if len(value) != len(names):
            raise ValueError(
                f"`{what}` should have one entry per model output ({len(names)}: {names}). "
                f"Received: {what}={value}"
            )
        return list(value)
    if isinstance(value, (list, tuple)) and len(value) == 1 and len(names) == 1:
        return list(value)
    return [value] * len(names)


def _metric_lists(value, names, what):
    if not value:
        return [[] for _ in names]
    if len(names) == 1:
        return [list(tf.nest.flatten(value))]
    if isinstance(value, dict):
        return [_as_list(v) for v in _per_output(value, names, what)]
    if len(value) == len(names) and all(isinstance(v, (list, tuple)) or v is None for v in value):
        return [_as_list(v) for v in value]
    raise ValueError(
        f"Invalid `{what}`. `{what}` should contain metrics objects and either be a dict or a "
        f"list matching the output names of the functional model {names} or match the output "
        f"structure of the model: {['X'] * len(names)}."
    )


def _as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def build_config(args, names, y_true_shapes, y_pred_shapes):
    """The engine config, and the bare metric names in Keras 3's `model.metrics` order.

    `names`: output names; `*_shapes`: one shape per output (from the first batch).
    """
    losses = _per_output(args.loss, names, "loss")
    if args.loss_weights is None or args.loss_weights == []:
        weights = [1.0] * len(names)
    elif isinstance(args.loss_weights, float):
        weights = [args.loss_weights] * len(names)
    else:
        weights = [
            1.0 if w is None else float(w)
            for w in _per_output(args.loss_weights, names, "loss_weights")
        ]
    plain = _metric_lists(args.metrics, names, "metrics")
    weighted = _metric_lists(args.weighted_metrics, names, "weighted_metrics")
    fns = [
        _loss_fn(loss, t, p)
        for loss, t, p in zip(losses, y_true_shapes, y_pred_shapes, strict=True)
    ]
    several_losses = sum(f is not None for f in fns) > 1
    prefix = len(names) > 1

    taken, specs, bare = {}, [[] for _ in names], []

    def add(out, identifier, is_weighted):
        name, fn, stateful = _metric(identifier, y_true_shapes[out], y_pred_shapes[out])
        bare.append(name)
        full = f"{names[out]}_{name}" if prefix else name
        if full in taken and is_weighted:
            full = f"{names[out]}_weighted_{name}" if prefix else f"weighted_{name}"
        if full in taken:
            taken[full] += 1
            full = f"{full}_{taken[full] - 1}"
        else:
            taken[full] = 1
        specs[out].append(
            engine_config.MetricSpec(full, fn, weighted=is_weighted, stateful=stateful)
        )

    for out in range(len(names)):
        for m in plain[out]:
            add(out, m, False)
    for out in range(len(names)):
        for m in weighted[out]:
            add(out, m, True)
    outputs = tuple(
        engine_config.OutputSpec(
            name=name,
            loss=fn,
            loss_weight=weight,
            metrics=tuple(specs[i]),
            loss_log_name=f"{name}_loss" if several_losses and fn is not None else None,
        )
        for i, (name, fn, weight) in enumerate(zip(names, fns, weights, strict=True))
    )
    config = engine_config.TrainingConfig(
        optimizer=args.optimizer,
        outputs=outputs,
        loss_rule=engine_config.TF_KERAS,
        metric_mode=engine_config.STATEFUL,
        jit_compile=args.jit_compile,
        jit_fallback=args.jit_auto,
        run_eagerly=args.run_eagerly,
    )
    return config, bare
