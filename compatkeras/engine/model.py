"""The engine's model classes: tf-keras's `Model` and `Sequential` (layers, graph, weights,
saving) with compatkeras's `Trainer` in front of tf-keras's own training loop.

Calling `Model(inputs, outputs)` on a subclass makes tf-keras rewrite the `__bases__` of the
whole class hierarchy to put `Functional` in it (`inject_functional_model_class`), which would
also turn every later subclassed model of ours into a broken functional one. Instead, the
instance alone moves to a cached `(cls, Functional)` subclass, and no class is mutated.
"""

import tf_keras
from tf_keras.src.engine import functional as tfk_functional
from tf_keras.src.engine import training as tfk_training

from compatkeras.engine.trainer import Trainer

_functional_variants = {}


class CompileContainerStandIn:
    """Stands in for tf-keras's compile containers (`compiled_loss`, `compiled_metrics`), which
    compatkeras does not use: tf-keras's savers then see a compiled model with nothing to build."""

    built = True
    metrics = ()


def functional_variant(cls):
    """`cls` with tf-keras's `Functional` mixed in (one class per `cls`)."""
    variant = _functional_variants.get(cls)
    if variant is None:
        namespace = {"__module__": cls.__module__, "__qualname__": cls.__qualname__}
        if cls.__init__ is Model.__init__ or getattr(cls.__init__, "functional_signature", False):
            # tf-keras writes a full graph config (and `from_config` rebuilds one) only for
            # classes whose __init__ has Functional's own signature; a user's custom __init__
            # keeps its own. A surface's __init__ that only renames arguments says so with a
            # `functional_signature = True` attribute.
            namespace["__init__"] = _functional_init
        variant = type(cls.__name__, (cls, tfk_functional.Functional), namespace)
        _functional_variants[cls] = variant
    return variant


def _functional_init(self, inputs, outputs, name=None, trainable=True, **kwargs):
    Model.__init__(self, inputs, outputs, name=name, trainable=trainable, **kwargs)


class Model(Trainer, tf_keras.Model):
    def __init__(self, *args, **kwargs):
        if tfk_training.is_functional_model_init_params(args, kwargs) and not isinstance(
            self, tfk_functional.Functional
        ):
            object.__setattr__(self, "__class__", functional_variant(type(self)))
        super().__init__(*args, **kwargs)


class Sequential(Model, tf_keras.Sequential):
    pass


def with_loss_scaling(model, optimizer):
    """`optimizer` wrapped in tf-keras's `LossScaleOptimizer` when `model` computes in float16
    (a `mixed_float16` policy), as tf-keras's and Keras 3's `compile` do; never wrapped twice.
    The engine's step scales the loss and unscales the gradients through it."""
    policy = getattr(getattr(model, "dtype_policy", None), "name", None)
    if policy != "mixed_float16" or not optimizer or hasattr(optimizer, "get_unscaled_gradients"):
        return optimizer
    return tf_keras.mixed_precision.LossScaleOptimizer(optimizer)


def rebuild_as(model_cls, sequential_cls, model):
    """`model`'s graph as a `model_cls` (or `sequential_cls`) model built from the same layer
    objects, so both share their weights. Compile state is not carried over."""
    if isinstance(model, tf_keras.Sequential):
        layers = list(model.layers)
        if model.inputs:  # its input layer too: it may carry a dtype, a name or a data tensor
            first = model.inputs[0]._keras_history.layer
            if isinstance(first, tf_keras.layers.InputLayer):
                layers.insert(0, first)
        return sequential_cls(layers, name=model.name)
    if not getattr(model, "_is_graph_network", False):
        raise TypeError(
            "Only functional and Sequential models can move between the surfaces; "
            f"{type(model).__name__} is a subclassed model: create it from the other surface's "
            "Model class instead."
        )
    return model_cls(inputs=model._nested_inputs, outputs=model._nested_outputs, name=model.name)
