"""Keras 2's names for the graph that tf-keras keeps under other names, added to tf-keras's
classes by `install()` (run when `compatkeras.legacy` is imported).

Added, never replacing anything tf-keras has (except `KerasTensor.__len__`, removed: see
`install`, and, under "keras-2.2", `KerasTensor`'s `==`, `!=` and hash, by identity as Keras 2's
graph tensors):
- symbolic tensors: `_keras_shape`, and `_uses_learning_phase` (the tensor depends on a layer
  that behaves differently in training, unless that layer was called with `training=`), both
  also settable; TensorFlow tensors (what `call` sees) get them too;
- layers: `uses_learning_phase` (also settable), `get_updates_for(inputs)`, `get_losses_for(inputs)`; models
  also `_layers_by_depth`;
- nodes: `input_masks`, `output_masks`, `node_indices`, `tensor_indices`, `get_config()`;
  `input_tensors` and `inbound_layers` are lists, as Keras 2's were.
Wrapped: under "keras-2.2", a layer's `input`/`output`/`input_mask`/`output_mask` raise Keras
2.2.4's AttributeError when it has been called more than once (tf-keras's answer otherwise);
and, with tf-keras's behaviour kept for every call form it accepts, `add_update` and
`add_loss` take Keras 2's `inputs=` (the inputs an update or loss is conditional on; eager
TensorFlow has already run an update) and record the pair for `get_*_for`, and `add_loss`
takes a constant outside `call`, as Keras 2 did.
"""

import functools

import tensorflow as tf
import tf_keras
from tf_keras.src.engine import functional, keras_tensor
from tf_keras.src.engine import node as node_module

from compatkeras.legacy import flavors as flavor_lib

_NOT_GIVEN = object()


def _node_masks(tensors):
    return [getattr(t, "_keras_mask", None) for t in tf.nest.flatten(tensors)]


def _history(node):
    return [t._keras_history for t in node.keras_inputs]


def _node_uses_learning_phase(node):
    """Whether the layer of `node` itself behaves differently in training for this call."""
    if "training" in node.call_kwargs:
        return False  # fixed by the caller: `Dropout(0.5)(x, training=True)`
    layer = node.layer
    if node.is_input:
        return False
    if isinstance(layer, functional.Functional):
        return layer.uses_learning_phase
    return bool(getattr(layer, "_expects_training_arg", False))


def _tensor_uses_learning_phase(tensor):
    """Walks the graph behind `tensor` once (shared subgraphs are visited once)."""
    seen, pending = set(), [tensor]
    while pending:
        history = getattr(pending.pop(), "_keras_history", None)
        if history is None:
            continue
        node = history.layer._inbound_nodes[history.node_index]
        if id(node) in seen:
            continue
        seen.add(id(node))
        if _node_uses_learning_phase(node):
            return True
        pending.extend(node.keras_inputs)
    return False


def _layer_uses_learning_phase(layer):
    if isinstance(layer, functional.Functional):
        return any(_tensor_uses_learning_phase(t) for t in layer.outputs)
    return bool(getattr(layer, "_expects_training_arg", False))


def _layers_by_depth(model):
    return {depth: [node.layer for node in nodes] for depth, nodes in model._nodes_by_depth.items()}


# -- conditional updates and losses (Keras 2.2.4's `inputs=` argument) --------------------------


def _key(inputs):
    return None if inputs is None else tuple(id(t) for t in tf.nest.flatten(inputs))


def _record(layer, kind, values, inputs):
    records = layer.__dict__.setdefault("_keras2_conditional", [])
    for value in values if isinstance(values, (list, tuple)) else [values]:
        records.append((kind, _key(inputs), value))


def recorded(layer, kind):
    """Every value Keras 2 code gave `add_update` / `add_loss` (`kind`), whatever its inputs."""
    return [v for k, _, v in layer.__dict__.get("_keras2_conditional", []) if k == kind]


def _recorded(layer, kind, inputs):
    key = _key(inputs)
    return [
        v
        for k, key_, v in layer.__dict__.get("_keras2_conditional", [])
        if (k, key_) == (kind, key)
    ]


def _as_loss(value):
    """A constant loss becomes a callable: tf-keras takes only symbolic or callable losses
    outside `call`, Keras 2 took any value."""
    if value is None or callable(value) or tf.is_tensor(value):
        return value
    if isinstance(value, keras_tensor.KerasTensor):
        return value
    return lambda: tf.constant(value, dtype=tf_keras.backend.floatx())


def _wrap_add_update(add_update):
    @functools.wraps(add_update)
    def wrapper(self, updates, inputs=_NOT_GIVEN):
        if inputs is not _NOT_GIVEN:
            _record(self, "update", updates, inputs)
        return add_update(self, updates)

    wrapper._keras2 = True
    return wrapper


def _wrap_add_loss(add_loss):
    @functools.wraps(add_loss)
    def wrapper(self, losses, inputs=_NOT_GIVEN, **kwargs):
        if inputs is not _NOT_GIVEN:
            _record(self, "loss", losses, inputs)
        if isinstance(losses, (list, tuple)):
            losses = [_as_loss(v) for v in losses]
        else:
            losses = _as_loss(losses)
        return add_loss(self, losses, **kwargs)

    wrapper._keras2 = True
    return wrapper


_ILL_DEFINED = {
    "input": ("layer input", "get_input_at"),
    "output": ("layer output", "get_output_at"),
    "input_mask": ("layer input mask", "get_input_mask_at"),
    "output_mask": ("layer output mask", "get_output_mask_at"),
}


def _single_node_only(name, plain):
    """Keras 2.2.4's `layer.input` (`output`, `input_mask`, `output_mask`) of a layer called
    more than once: an AttributeError naming `get_input_at(node_index)`; tf-keras answers with
    the first call's. Under "keras-2.2" only, and not for models (a GAN's reused models are
    read through their own `inputs`/`outputs`)."""
    what, method = _ILL_DEFINED[name]

    def get(layer):
        if (
            len(getattr(layer, "_inbound_nodes", ())) > 1
            and not isinstance(layer, functional.Functional)
            and flavor_lib.get_flavor() == flavor_lib.KERAS_2_2
        ):
            raise AttributeError(
                f"Layer {layer.name} has multiple inbound nodes, hence the notion of "
                f'"{what}" is ill-defined. Use `{method}(node_index)` instead.'
            )
        return plain.fget(layer)

    get._keras2 = True
    return property(get, plain.fset)


def _node_config(node):
    """Keras 2's `Node.get_config()`: the names of the layers it connects, and their indices."""
    inbound = tf.nest.flatten(node.inbound_layers)
    return {
        "outbound_layer": node.outbound_layer.name if node.outbound_layer else None,
        "inbound_layers": [layer.name if layer else None for layer in inbound],
        "node_indices": node.node_indices,
        "tensor_indices": node.tensor_indices,
    }


def _as_list_of(getter):
    def get(node):
        value = getter(node)
        return value if isinstance(value, (list, tuple, dict)) else [value]

    return get


def _static_shape(tensor):
    shape = tensor.shape
    return None if shape.rank is None else tuple(shape.as_list())


def _settable(name, computed):
    """A property Keras 2 code reads and also sets (`out._keras_shape = shape` in a custom
    layer): what was set, else `computed(tensor)`."""
    key = f"_keras2{name}"

    def get(tensor):
        value = tensor.__dict__.get(key, _NOT_GIVEN)
        return computed(tensor) if value is _NOT_GIVEN else value

    def set_(tensor, value):
        tensor.__dict__[key] = value

    return property(get, set_)


def _under_keras22(keras2, plain):
    """A `KerasTensor` method that is `keras2` under "keras-2.2" and tf-keras's `plain` under
    "tf.keras": Keras 2's TensorFlow 1 graph tensors compared by identity and were hashable
    (keras-rl: `if i == self.critic_action_input` over a model's inputs); tf.keras 2.x's
    compare elementwise (a new tensor) and refuse hashing, naming `ref()`."""

    def method(self, *args):
        if flavor_lib.get_flavor() == flavor_lib.KERAS_2_2:
            return keras2(self, *args)
        return plain(self, *args)

    method._keras2 = True
    return method


def _no_truth_value(tensor):
    raise TypeError(
        f"Using a symbolic tensor as a Python `bool` is not allowed ({tensor}): its value is "
        "only known when the model runs. Compare tensors with `is`, or compute with "
        "`K.equal` / `K.switch` inside a layer."
    )


def _install_identity():
    cls = keras_tensor.KerasTensor
    if getattr(cls.__eq__, "_keras2", False):
        return
    cls.__eq__ = _under_keras22(lambda a, b: a is b, cls.__eq__)
    cls.__ne__ = _under_keras22(lambda a, b: a is not b, cls.__ne__)
    cls.__hash__ = _under_keras22(object.__hash__, cls.__hash__)


def install():
    _install_identity()
    additions = {
        keras_tensor.KerasTensor: {
            "_keras_shape": _settable("_keras_shape", _static_shape),
            "_uses_learning_phase": _settable("_uses_learning_phase", _tensor_uses_learning_phase),
        },
        # What a layer's `call` sees (graph tensors while a model is built or a step traced,
        # eager ones when run eagerly): Keras 2's `Layer.__call__` gave them `_keras_shape`.
        tf.Tensor: {
            "_keras_shape": _settable("_keras_shape", _static_shape),
            "_uses_learning_phase": _settable("_uses_learning_phase", lambda t: False),
        },
        node_module.Node: {
            "input_masks": property(lambda n: _node_masks(n.input_tensors)),
            "output_masks": property(lambda n: _node_masks(n.output_tensors)),
            "node_indices": property(lambda n: [i[1] for i in _history(n)]),
            "tensor_indices": property(lambda n: [i[2] for i in _history(n)]),
            "get_config": _node_config,
        },
        tf_keras.layers.Layer: {
            # Settable: Keras 2 layers declare it in `call` (keras-contrib's CRF).
            "uses_learning_phase": _settable("uses_learning_phase", _layer_uses_learning_phase),
            "get_updates_for": lambda self, inputs: _recorded(self, "update", inputs),
            "get_losses_for": lambda self, inputs: _recorded(self, "loss", inputs),
        },
        functional.Functional: {"_layers_by_depth": property(_layers_by_depth)},
    }
    for cls, attributes in additions.items():
        for name, value in attributes.items():
            if not hasattr(cls, name):
                setattr(cls, name, value)
    # Keras 2's nodes held lists of input tensors (`node.input_tensors[0]` in keras-contrib's
    # CRF loss); tf-keras's hold what the layer was called with. A list of one tensor reads the
    # same way in tf-keras's own uses (it flattens them, or unwraps a list of one). So did
    # `node.inbound_layers` (tf-keras's own readers flatten it). Output tensors stay as they
    # are: `layer.output_shape` reads them unwrapped.
    for name in ("input_tensors", "inbound_layers"):
        plain = vars(node_module.Node).get(name)
        if plain is not None and not getattr(plain, "_keras2", False):
            listed = property(_as_list_of(plain.fget))
            listed.fget._keras2 = True
            setattr(node_module.Node, name, listed)
    # A Keras 2 graph tensor had no `__len__`: `hasattr(model.output, "__len__") and
    # len(model.output) > 1` (keras-rl) was False for one output. tf-keras's raises instead.
    if "__len__" in vars(keras_tensor.KerasTensor):
        del keras_tensor.KerasTensor.__len__
        # Its `__len__` was also what made `if tensor:` raise (as a TensorFlow 1 graph tensor's
        # `__bool__` did): without it every tensor would be silently true.
        keras_tensor.KerasTensor.__bool__ = _no_truth_value
    layer = tf_keras.layers.Layer
    for name in _ILL_DEFINED:
        plain = vars(layer).get(name)
        if plain is not None and not getattr(plain.fget, "_keras2", False):
            setattr(layer, name, _single_node_only(name, plain))
    if not getattr(layer.add_update, "_keras2", False):
        layer.add_update = _wrap_add_update(layer.add_update)
        layer.add_loss = _wrap_add_loss(layer.add_loss)
