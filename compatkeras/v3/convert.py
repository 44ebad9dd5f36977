"""Moving a functional or Sequential model between tf-keras (the Keras 2 surface) and Keras 3 (the
Keras 3 surface): the same graph of layers, each made by the other library from its config, and
the same weights. Used by `compatkeras.v3.Model.from_legacy` and
`compatkeras.legacy.Model.from_v3`.

A layer class the other library lacks, or a config argument it has no equivalent for (with a
value that matters), is a ValueError naming the layer: nothing is dropped that changes what the
layer computes.
"""

import inspect

import keras
import tensorflow as tf
import tf_keras

# Config arguments one library writes and the other lacks, harmless whatever their value
# (`implementation`: how tf-keras's RNNs split their matmuls, the same numbers;
# `zero_output_for_mask`: set by `Bidirectional` on the layers it wraps, in both libraries).
_HARMLESS = frozenset({"implementation", "zero_output_for_mask"})
# Arguments Keras 3 renamed: (class name, tf-keras name) -> Keras 3 name.
_RENAMED = {("LeakyReLU", "alpha"): "negative_slope"}
# A layer's input shape: the rebuilt model's inputs carry it.
_SHAPES = frozenset({"batch_input_shape", "input_shape", "batch_shape", "input_dim"})
_NESTED = (("initializer", "initializers"), ("regularizer", "regularizers"))
_NESTED += (("constraint", "constraints"),)
_WRAPPED = ("layer", "forward_layer", "backward_layer", "cell")


class _Library:
    def __init__(self, name, module, base_layer):
        self.name, self.module, self.base_layer = name, module, base_layer

    def input(self, tensor, layer):
        config = layer.get_config()
        shape = config.get("batch_shape", config.get("batch_input_shape"))
        return self.module.Input(
            batch_shape=tuple(shape if shape is not None else tensor.shape),
            dtype=_dtype_name(config.get("dtype", tensor.dtype)),
            sparse=bool(config.get("sparse", False)),
            ragged=bool(config.get("ragged", False)),
            name=layer.name,
        )


KERAS3 = _Library("Keras 3", keras, keras.layers.Layer)
TF_KERAS = _Library("tf-keras", tf_keras, tf_keras.layers.Layer)


def _dtype_name(dtype):
    if isinstance(dtype, dict):  # a serialized dtype policy
        return dtype.get("config", {}).get("name")
    return getattr(dtype, "name", dtype)


def _named(cls, base):
    """The argument names `cls` and its bases below the library's `Layer` take by name."""
    names = set()
    for klass in cls.__mro__:
        if klass is base or not issubclass(klass, base) or "__init__" not in klass.__dict__:
            continue
        for parameter in inspect.signature(klass.__init__).parameters.values():
            if parameter.kind not in (parameter.VAR_KEYWORD, parameter.VAR_POSITIONAL):
                names.add(parameter.name)
    return names


# What every layer of both libraries takes.
_BASE = frozenset({"name", "trainable", "dtype", "activity_regularizer", "autocast"})


def _plain(value):
    """Configs as plain Python (tf-keras tracks lists in `ListWrapper`s)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _defaults(cls):
    """The defaults of the arguments `cls` and its bases take by name (the first one found)."""
    defaults = {}
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        for parameter in inspect.signature(init).parameters.values():
            if parameter.default is not parameter.empty:
                defaults.setdefault(parameter.name, parameter.default)
    return defaults


def _value(lib, layer_name, key, value):
    value = _plain(value)
    if key == "axis" and lib is KERAS3 and isinstance(value, list) and len(value) == 1:
        return value[0]  # tf-keras's normalization layers write `[-1]`; Keras 3 takes an int
    if key == "dtype":
        return _dtype_name(value)
    if isinstance(value, dict) and "class_name" in value:
        if key in _WRAPPED:
            return _layer_from_config(lib, value["class_name"], value["config"], layer_name)
        for word, module in _NESTED:
            if word in key:
                return _nested(lib, layer_name, key, module, value)
    return value


def _nested(lib, layer_name, key, module, value):
    """An initializer, regularizer or constraint in `lib`; arguments the other library added
    (None) are left out."""
    getter = getattr(lib.module, module).get
    config = dict(value.get("config") or {})
    try:
        return getter({"class_name": value["class_name"], "config": config})
    except (TypeError, ValueError):
        config = {k: v for k, v in config.items() if v is not None}
        try:
            return getter({"class_name": value["class_name"], "config": config})
        except (TypeError, ValueError) as error:
            raise ValueError(
                f"Layer {layer_name!r}: its {key} {value['class_name']} has no {lib.name} "
                f"equivalent ({error})."
            ) from None


def _layer_from_config(lib, class_name, config, name=None, source_cls=None):
    name = config.get("name", name)
    defaults = _defaults(source_cls) if source_cls is not None else {}
    cls = getattr(lib.module.layers, class_name, None)
    if cls is None:
        raise ValueError(
            f"Layer {name!r} ({class_name}) has no {lib.name} equivalent: the model cannot move "
            "between the surfaces. Rebuild it with the other surface's layers."
        )
    named = _named(cls, lib.base_layer)
    accepted = named | _BASE
    renames = {old: new for (klass, old), new in _RENAMED.items() if klass == class_name}
    if lib is not KERAS3:
        renames = {new: old for old, new in renames.items()}
    kwargs = {}
    for key, value in config.items():
        key = renames.get(key, key)
        if key in _SHAPES and key not in named:
            continue
        if key in accepted:
            kwargs[key] = _value(lib, name, key, value)
        elif value not in (None, False) and key not in _HARMLESS and defaults.get(key) != value:
            raise ValueError(
                f"Layer {name!r} ({class_name}): {lib.name} has no argument {key}={value!r}; the "
                "model cannot move between the surfaces as it is."
            )
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"Layer {name!r} ({class_name}) cannot be made in {lib.name}: {error}"
        ) from error


def _layer(lib, layer):
    return _layer_from_config(
        lib, type(layer).__name__, layer.get_config(), layer.name, type(layer)
    )


def _call_arguments(node):
    arguments = getattr(node, "arguments", None)
    if arguments is not None:  # Keras 3
        return arguments.args, arguments.kwargs, node.operation
    return node.call_args, node.call_kwargs, node.layer


def _copy_weights(pairs):
    for source, target in pairs:
        values = [w.numpy() for w in source.trainable_weights + source.non_trainable_weights]
        variables = target.trainable_weights + target.non_trainable_weights
        shapes = [tuple(v.shape) for v in values], [tuple(v.shape) for v in variables]
        if shapes[0] != shapes[1]:
            raise ValueError(
                f"Layer {source.name!r} keeps its weights differently in the two libraries "
                f"(shapes {shapes[0]} and {shapes[1]}): the model cannot move between them."
            )
        for variable, value in zip(variables, values, strict=True):
            variable.assign(value)


def _is_input(layer):
    return type(layer).__name__ == "InputLayer"


def _sequential(lib, model, sequential_cls):
    layers = [_layer(lib, layer) for layer in model.layers]
    inputs = getattr(model, "inputs", None)
    if inputs:
        first = inputs[0]._keras_history[0]
        layers.insert(0, lib.input(inputs[0], first))
    target = sequential_cls(layers, name=model.name)
    _copy_weights(zip(model.layers, target.layers, strict=True))
    return target


def _functional(lib, model, model_cls):
    tensors = {}
    inputs = []
    for tensor in model.inputs:
        new = lib.input(tensor, tensor._keras_history[0])
        tensors[id(tensor)] = new
        inputs.append(new)
    made, pairs = {}, []

    def mapped(value):
        return tensors.get(id(value), value)

    for depth in sorted(model._nodes_by_depth, reverse=True):
        for node in model._nodes_by_depth[depth]:
            args, kwargs, layer = _call_arguments(node)
            if _is_input(layer) or not isinstance(layer, (keras.Layer, tf_keras.layers.Layer)):
                continue  # Keras 3 records the ops that compute masks; masks are made anew
            kwargs = {k: v for k, v in kwargs.items() if k != "mask"}
            if id(layer) not in made:
                made[id(layer)] = _layer(lib, layer)
                pairs.append((layer, made[id(layer)]))
            outputs = made[id(layer)](
                *tf.nest.map_structure(mapped, list(args)),
                **tf.nest.map_structure(mapped, dict(kwargs)),
            )
            for old, new in zip(
                tf.nest.flatten(node.outputs), tf.nest.flatten(outputs), strict=True
            ):
                tensors[id(old)] = new
    outputs = [tensors[id(t)] for t in model.outputs]
    target = model_cls(
        inputs=inputs[0] if len(inputs) == 1 else inputs,
        outputs=outputs[0] if len(outputs) == 1 else outputs,
        name=model.name,
    )
    _copy_weights(pairs)
    return target


def convert(model, lib, model_cls, sequential_cls):
    """`model` (functional or Sequential) rebuilt in `lib` (`KERAS3` or `TF_KERAS`) as a
    `model_cls` / `sequential_cls` model with the same weights; uncompiled."""
    if type(model).__name__ == "Sequential" or isinstance(
        model, (keras.Sequential, tf_keras.Sequential)
    ):
        return _sequential(lib, model, sequential_cls)
    if not getattr(model, "_is_graph_network", False) and not hasattr(model, "_nodes_by_depth"):
        raise TypeError(
            "Only functional and Sequential models can move between the surfaces; "
            f"{type(model).__name__} is a subclassed model: create it from the other surface's "
            "Model class instead."
        )
    return _functional(lib, model, model_cls)
