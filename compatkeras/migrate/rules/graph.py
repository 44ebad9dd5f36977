"""Keras 2 graph attributes that Keras 3's objects do not have, and weights Keras 3 does not
convert: each is reported at its line, with what Keras 3 code writes instead."""

import libcst as cst

from compatkeras.migrate import edit
from compatkeras.migrate.model import Level, Mode, rule
from compatkeras.migrate.names import canonical, dotted
from compatkeras.migrate.transform import register

GRAPH_ATTRIBUTE = rule(
    "KRS112",
    Level.ERROR,
    Mode.REPORT,
    "a Keras 2 graph attribute that Keras 3 tensors and layers do not have",
    """`x._keras_shape` (Keras 3: `tuple(x.shape)`), `layer.inbound_nodes` / `outbound_nodes`
    (Keras 3: `layer._inbound_nodes` / `_outbound_nodes`), `node.input_masks` /
    `node.output_masks` and `x._uses_learning_phase` (no Keras 3 equivalent: masks travel on the
    tensors, the training flag is an argument of `call`) raise AttributeError on Keras 3. So do a
    compiled model's `total_loss`, `targets`, `sample_weights`, `_feed_targets`,
    `_feed_sample_weights` and `metrics_tensors` (Keras 2's compiled loss as graph tensors).""",
)
CUDNN_WEIGHTS = rule(
    "KRS113",
    Level.WARNING,
    Mode.REPORT,
    "`load_weights` in a file with CuDNNLSTM/CuDNNGRU: Keras 3 does not convert their weights",
    """Keras 2 and tf-keras converted the bias layout of weights saved from `CuDNNLSTM` /
    `CuDNNGRU` when loading them into `LSTM` / `GRU` (and back). Keras 3 does not: an `.h5` saved
    from a CuDNN layer loads with a shape error, or loads wrongly into a GRU. Convert such files
    once with tf-keras (load the old model there, save its weights from `LSTM`/`GRU` layers).""",
)

SEQUENTIAL_ENDS = rule(
    "KRS114",
    Level.INFO,
    Mode.AUTO,
    "`model.output` / `model.input` of a Sequential is `model.outputs[0]` / `model.inputs[0]`",
    """Keras 3's `Sequential` has `outputs` and `inputs` once it knows its input shape, but its
    `output` and `input` raise AttributeError ("has never been called and thus has no defined
    output") even then (measured on Keras 3.15, with `keras.Input` first or `input_shape=`). A
    Sequential has one input and one output, so the rewrite names the same tensor; keras-rl's
    `hasattr(model.output, '__len__')` then reads a tensor without `__len__`, as in Keras 2.""",
)

_REPLACEMENTS = {
    "_keras_shape": "tuple(x.shape)",
    "inbound_nodes": "layer._inbound_nodes",
    "outbound_nodes": "layer._outbound_nodes",
    "input_masks": "the mask on the input tensor (`x._keras_mask`) or `compute_mask`",
    "output_masks": "the mask on the output tensor (`y._keras_mask`)",
    "_uses_learning_phase": "the `training` argument of `call`",
}
_CUDNN = ("keras.layers.CuDNNLSTM", "keras.layers.CuDNNGRU")
# Keras 2's compiled model as graph tensors: Keras 3 models have none of them.
_COMPILED = {
    "total_loss": "compute the loss in a `tf.GradientTape` (or `model.compute_loss`)",
    "targets": "pass the targets to your own function",
    "sample_weights": "pass the sample weights to your own function",
    "_feed_targets": "pass the targets to your own function",
    "_feed_sample_weights": "pass the sample weights to your own function",
    "metrics_tensors": "`model.metrics` (metric objects) and their `result()`",
}


def _on_model(ctx, node):
    """Whether `node` (an attribute's owner) is a model: a name assigned a model here, or
    `self.model` / `x.model` (a callback's or an agent's model)."""
    if isinstance(node, cst.Name):
        return node.value in ctx.facts.model_names
    return isinstance(node, cst.Attribute) and node.attr.value == "model"


@register(cst.Attribute)
def compiled_attribute(ctx, original, node):
    name = original.attr.value
    if name not in _COMPILED or not ctx.names.imports_keras:
        return None
    if not _on_model(ctx, original.value) or not ctx.enabled(GRAPH_ATTRIBUTE.id, original):
        return None
    ctx.report(
        GRAPH_ATTRIBUTE.id,
        original,
        f"model.{name} (Keras 2's compiled loss as graph tensors) is not on Keras 3's models: "
        f"{_COMPILED[name]}",
        applied=False,
    )
    return None


@register(cst.Attribute)
def graph_attribute(ctx, original, node):
    name = original.attr.value
    if name not in _REPLACEMENTS or not ctx.names.imports_keras:
        return None
    head = (dotted(original) or "").split(".", 1)[0]
    if head in ctx.names.bindings:
        return None  # on an imported module (`keras.engine.topology.x`), not on an object
    if ctx.enabled(GRAPH_ATTRIBUTE.id, original):
        ctx.report(
            GRAPH_ATTRIBUTE.id,
            original,
            f".{name} is not on Keras 3's objects: use {_REPLACEMENTS[name]}",
            applied=False,
        )
    return None


def _uses_cudnn(ctx):
    found = ctx.cache.get("cudnn")
    if found is None:
        # This file's names, or those of a project module it imports from (a `model.py` that
        # builds the CuDNN model for the `main.py` that loads the weights).
        found = ctx.cache["cudnn"] = (
            any(ctx.names.qualify_name(local) in _CUDNN for local in ctx.names.bindings)
            or ("CuDNNLSTM" in ctx.whole or "CuDNNGRU" in ctx.whole)
            or any(
                canonical(full) in _CUDNN
                for module in ctx.names.project_modules
                for full in module.bindings.values()
            )
        )
    return found


@register(cst.Call)
def cudnn_weights(ctx, original, call):
    if edit.method_name(original) != "load_weights" or not ctx.names.imports_keras:
        return None
    if _uses_cudnn(ctx) and ctx.enabled(CUDNN_WEIGHTS.id, original):
        ctx.report(CUDNN_WEIGHTS.id, original, applied=False)
    return None


_ENDS = {"output": "outputs", "input": "inputs"}


@register(cst.Attribute)
def sequential_ends(ctx, original, node):
    plural = _ENDS.get(original.attr.value)
    if plural is None or not isinstance(original.value, cst.Name):
        return None
    if original.value.value not in ctx.facts.sequential_names or not ctx.names.imports_keras:
        return None
    if not ctx.enabled(SEQUENTIAL_ENDS.id, original):
        return None
    ctx.report(SEQUENTIAL_ENDS.id, original)
    return cst.Subscript(
        value=node.with_changes(attr=cst.Name(plural)),
        slice=[cst.SubscriptElement(cst.Index(cst.Integer("0")))],
    )
