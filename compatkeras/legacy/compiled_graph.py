"""Keras 2's compiled model as graph tensors: `model.targets`, `model.sample_weights`,
`model.total_loss` (and `_feed_targets`, `_feed_sample_weights`).

Keras 2 code reads them to build its own functions from the compiled loss, the idiom for
gradients of a model's loss (`K.function(model.inputs + model.sample_weights + model.targets +
[K.learning_phase()], model.optimizer.get_gradients(model.total_loss, weights))`) and for
hand-written training functions. Here, after `compile`, the targets and sample weights are
`Input`s of the Keras graph (one per output that takes `y`, with the output's rank and
dtype; sample weights as Keras 2.2.4 always had them, or as tf.keras's v1 engine had them: only
for `sample_weight_mode="temporal"`, else `None` in `sample_weights` and nothing in
`_feed_sample_weights`), and `total_loss` is a layer of the graph computing what the
engine's step computes: each output's loss reduced by the flavor's rule with its sample weights
and mask, times its loss weight, plus the weight-regularization losses. Activity-regularization
losses are left out of `total_loss` (the step still adds them), with a warning.
"""

import warnings

import tensorflow as tf
import tf_keras

from compatkeras.engine import config as engine_config
from compatkeras.engine.losses import prepare, reduce_loss
from compatkeras.legacy.network_losses import DeferredLoss


class _CompiledLoss(tf_keras.layers.Layer):
    """The compiled loss of `outputs` (engine `OutputSpec`s), from [*y_pred, *y_true, *w]."""

    def __init__(self, config, outputs, weighted, **kwargs):
        super().__init__(**kwargs)
        self._config, self._outputs, self._weighted = config, outputs, weighted

    def call(self, inputs):
        count = len(self._outputs)
        predictions, targets = inputs[:count], inputs[count : 2 * count]
        weights = inputs[2 * count :]
        total = 0.0
        weights = iter(weights)
        for spec, y_pred, y_true, weighted in zip(
            self._outputs, predictions, targets, self._weighted, strict=True
        ):
            w = next(weights) if weighted else None
            y_true, y_pred, mask = prepare(self._config, y_true, y_pred)
            value = reduce_loss(spec.loss(y_true, y_pred), w, mask, self._config.loss_rule)
            total += spec.loss_weight * value
        return total


def _tensors(model):
    """(targets, sample weights, total loss) of the model's current compile, made once."""
    config = getattr(model, "_engine_config", None)
    if config is None:
        raise AttributeError(
            f"'{type(model).__name__}' object has no compiled loss yet: call compile() first "
            "(Keras 2 made `total_loss`, `targets` and `sample_weights` there)"
        )
    cached = model.__dict__.get("_keras2_compiled_graph")
    if cached is not None and cached[0] is config:
        return cached[1]
    fed = [(i, spec) for i, spec in enumerate(config.outputs) if spec.fed]
    outputs = model.outputs
    always_weighted = config.loss_rule != engine_config.TF_KERAS
    targets, weights = [], []
    for i, spec in fed:
        rank = outputs[i].shape.rank
        name = spec.name or f"output_{i}"
        targets.append(
            tf_keras.Input(
                batch_shape=(None,) * rank, dtype=outputs[i].dtype, name=f"{name}_target"
            )
        )
        if always_weighted or spec.temporal:
            weight_shape = (None, None) if spec.temporal else (None,)
            weight = tf_keras.Input(batch_shape=weight_shape, name=f"{name}_sample_weights")
        else:
            weight = None
        weights.append(weight)
    specs = tuple(spec for _, spec in fed)
    fed_weights = [w for w in weights if w is not None]
    loss = _CompiledLoss(config, specs, [w is not None for w in weights], name="total_loss")(
        [*(outputs[i] for i, _ in fed), *targets, *fed_weights]
    )
    regularization = [x for x in model.losses if isinstance(x, DeferredLoss)]
    if len(regularization) < len(model.losses):
        warnings.warn(
            "model.total_loss leaves out the activity-regularization losses (they are not "
            "tensors of the Keras graph here); fit and train_on_batch still add them",
            stacklevel=3,
        )
    if regularization:
        loss = loss + sum(regularization)
    result = (targets, weights, loss)
    object.__setattr__(model, "_keras2_compiled_graph", (config, result))
    return result


def targets(model):
    return list(_tensors(model)[0])


def sample_weights(model):
    return list(_tensors(model)[1])


def fed_sample_weights(model):
    return [w for w in _tensors(model)[1] if w is not None]


def total_loss(model):
    return _tensors(model)[2]
