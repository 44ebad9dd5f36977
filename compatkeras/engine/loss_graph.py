"""Losses (and metric functions) that read the model's graph, run on the step's own tensors.

Keras 2 built every loss once, on the model's graph, and ran that graph at each step, so a loss
could name any tensor of it: keras-contrib's CRF loss reads the CRF layer's input through
`y_pred._keras_history` and `layer._inbound_nodes[i].input_tensors[0]`; other losses multiply a
layer's input by its kernel. Run in a TensorFlow 2 step, such a loss would get the build-time
symbolic tensor instead of the step's value.

`trace(model, losses)` calls each user loss once on the model's symbolic graph (a target
`Input` of the output's rank, as Keras 2's placeholder, and the model's output) and walks back
from the result. A loss that reaches a graph tensor other than those two reads the graph; the
tensors it reaches are recorded. The step then runs a functional model whose outputs are the
model's outputs and those tensors, and calls the loss with the step's `y_pred` (which carries
its output's `_keras_history`) while the graph's nodes hand out the step's tensors in place of
the symbolic ones (and `live_value` for other readers). A layer with a `graph_reads` list (the
legacy surface's symbolic gradients) is walked through those tensors instead of its inputs. So the loss computes on the step's values, with the live variables, and its
gradients flow as in Keras 2. Losses that do not read the graph keep the ordinary path.
"""

import contextlib
import threading

import tensorflow as tf
import tf_keras
from tf_keras.src.engine import keras_tensor
from tf_keras.src.engine import node as node_module
from tf_keras.src.layers.core import tf_op_layer

_OWN_MODULES = ("tf_keras.", "keras.", "compatkeras.", "tensorflow.")
_live = threading.local()  # .tensors: {id(symbolic tensor): the step's tensor} during a loss


class LossGraph:
    """The forward pass for losses that read the graph (`indexes`: their outputs)."""

    def __init__(self, model, indexes, needed):
        self.indexes = tuple(indexes)
        self._symbolic = [*model.outputs, *needed]
        self._outputs = len(model.outputs)
        self.network = tf_keras.Model(model.inputs, self._symbolic)

    def forward(self, x, training):
        """(predictions, live): the model's outputs, each with its symbolic output's
        `_keras_history`, and the step's value of every graph tensor the losses read."""
        results = _as_list(self.network(x[0] if len(x) == 1 else list(x), training=training))
        for tensor, symbolic in zip(results, self._symbolic, strict=True):
            tensor._keras_history = symbolic._keras_history
        live = {id(s): t for s, t in zip(self._symbolic, results, strict=True)}
        return results[: self._outputs], live

    @staticmethod
    @contextlib.contextmanager
    def reading(live):
        """Within: the graph's nodes give the step's tensors (`live`) for the symbolic ones."""
        _live.tensors = live
        try:
            yield
        finally:
            _live.tensors = None


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _library_function(fn):
    module = getattr(fn, "__module__", None) or ""
    return module.startswith(_OWN_MODULES)


def _reached(value, y_true, y_pred, model_tensors):
    """The model tensors `value` reaches other than through `y_true` and `y_pred`."""
    stops = {id(y_true), id(y_pred)}
    reached, seen, pending = {}, set(), [value]
    while pending:
        tensor = pending.pop()
        if id(tensor) in stops:
            continue
        if id(tensor) in model_tensors:
            reached[id(tensor)] = tensor
            continue
        history = getattr(tensor, "_keras_history", None)
        if history is None:
            continue
        node = history.layer._inbound_nodes[history.node_index]
        if id(node) not in seen:
            seen.add(id(node))
            # A layer that differentiates graph tensors (Keras 2's `K.gradients` on symbolic
            # tensors) reads those tensors, not only the inputs it recomputes them from.
            pending.extend(getattr(history.layer, "graph_reads", None) or node.keras_inputs)
    return list(reached.values())


def live_value(tensor):
    """While a loss that reads the graph runs in the step: the step's value of the symbolic
    graph tensor `tensor` (itself otherwise), for functions the graph's nodes and TensorFlow's
    op dispatch do not reach (`tf.gradients(y_pred, that_tensor)`)."""
    tensors = getattr(_live, "tensors", None)
    return tensors.get(id(tensor), tensor) if tensors else tensor


def _model_tensors(model):
    """ids of every symbolic tensor of the model's graph (inputs, intermediates, outputs)."""
    found = set()
    for nodes in model._nodes_by_depth.values():
        for node in nodes:
            for tensor in (*node.keras_inputs, *tf.nest.flatten(node.outputs)):
                found.add(id(tensor))
    return found


def _live_view(getter):
    def get(node):
        value = getter(node)
        tensors = getattr(_live, "tensors", None)
        if not tensors:
            return value
        return tf.nest.map_structure(lambda t: tensors.get(id(t), t), value)

    get._live_view = True
    return get


def _live_dispatch(handle):
    """tf-keras turns a TensorFlow op on symbolic tensors into a layer of the graph being built;
    while a loss runs in the step, an op on graph tensors the step computed runs on those."""

    def dispatch(self, op, args, kwargs):
        tensors = getattr(_live, "tensors", None)
        if tensors:
            flat = tf.nest.flatten([args, kwargs])
            if any(id(t) in tensors for t in flat):
                args, kwargs = tf.nest.map_structure(
                    lambda t: tensors.get(id(t), t), (list(args), kwargs)
                )
                return op(*args, **kwargs)
        return handle(self, op, args, kwargs)

    dispatch._live_view = True
    return dispatch


def _install():
    """Once: the graph's nodes, and TensorFlow ops, read the step's tensors during a loss."""
    for name in ("input_tensors", "output_tensors"):
        prop = getattr(node_module.Node, name)
        if not getattr(prop.fget, "_live_view", False):
            setattr(node_module.Node, name, property(_live_view(prop.fget)))
    if not getattr(tf_op_layer.KerasOpDispatcher.handle, "_live_view", False):
        tf_op_layer.KerasOpDispatcher.handle = _live_dispatch(tf_op_layer.KerasOpDispatcher.handle)


def _probe(model, fn, y_true, y_pred):
    """`fn(y_true, y_pred)` on the symbolic graph, or None when that cannot run. The ops it
    adds leave no trace on the model's layers: their outbound nodes are put back (keras-contrib's
    CRF loss refuses a CRF layer that has any)."""
    layers = model._flatten_layers(include_self=False)
    outbound = [(layer, list(layer._outbound_nodes)) for layer in layers]
    try:
        return fn(y_true, y_pred)
    except Exception:  # not traceable symbolically: the ordinary path runs it in the step
        return None
    finally:
        for layer, nodes in outbound:
            layer._outbound_nodes[:] = nodes


def trace(model, losses, skip=(), metrics=None):
    """A `LossGraph` for the outputs whose loss (one callable or None per output) or metric
    functions (`metrics`: a list of callables per output; keras-contrib's CRF accuracies read
    the graph too) read the graph; `skip`: output indexes not to trace, e.g. bound targets.
    None when none does or the model is not a graph of layers."""
    if not getattr(model, "_is_graph_network", False):
        return None
    model_tensors, indexes, needed = None, [], {}
    output_ids = {id(t) for t in model.outputs}
    metrics = metrics or [()] * len(losses)
    for i, y_pred in enumerate(model.outputs):
        if losses[i] is None or i in skip:
            continue
        for fn in (losses[i], *metrics[i]):
            if fn is None or _library_function(fn):
                continue
            y_true = tf_keras.Input(batch_shape=(None,) * y_pred.shape.rank)
            value = _probe(model, fn, y_true, y_pred)
            if not isinstance(value, keras_tensor.KerasTensor):
                continue
            if model_tensors is None:
                model_tensors = _model_tensors(model)
            reached = _reached(value, y_true, y_pred, model_tensors)
            if reached:
                if i not in indexes:
                    indexes.append(i)
                needed.update({id(t): t for t in reached if id(t) not in output_ids})
    if not indexes:
        return None
    _install()
    return LossGraph(model, indexes, list(needed.values()))
