"""Keras 2 `keras.optimizers`: the optimizers that still take `lr` and `decay`.

tf-keras's legacy optimizers keep the Keras 2 arguments (`lr`, `decay`, `clipnorm`, `clipvalue`)
and update rules; its new ones silently drop `lr` and reject `decay`. On top of them the classes
here take Keras 2.2.4's positional order (`Adam(lr, beta_1, beta_2, epsilon, decay, amsgrad)`),
accept `lr` without tf-keras's deprecation warning, and under the "keras-2.2" flavor default to
Keras 2.2.4's learning rates (Adagrad 0.01 with accumulators starting at zero, Adadelta 1.0,
Adamax and Nadam 0.002).
"""

import functools

import tf_keras
from tf_keras.optimizers import serialize
from tf_keras.src.saving.legacy import serialization as _serialization

from compatkeras.legacy import tf_keras_names
from compatkeras.legacy.backend import graph_functions, graph_steps
from compatkeras.legacy.legacy.interfaces import get_updates_arguments
from compatkeras.legacy.optimizer_base import (
    Optimizer,
    TFOptimizer,
    builds_updates,
    clip_norm,
    updates_from_loss,
)
from compatkeras.legacy.updates import assign_pairs

_legacy = tf_keras.optimizers.legacy

# Keras 2.2.4's constructors: the positional parameters after `lr`, and the default learning
# rate under the "keras-2.2" flavor (under "tf.keras" the tf-keras defaults apply).
_KERAS_2_2 = {
    "SGD": (("momentum", "decay", "nesterov"), 0.01),
    "RMSprop": (("rho", "epsilon", "decay"), 0.001),
    "Adagrad": (("epsilon", "decay"), 0.01),
    "Adadelta": (("rho", "epsilon", "decay"), 1.0),
    "Adam": (("beta_1", "beta_2", "epsilon", "decay", "amsgrad"), 0.001),
    "Adamax": (("beta_1", "beta_2", "epsilon", "decay"), 0.002),
    "Nadam": (("beta_1", "beta_2", "epsilon", "schedule_decay"), 0.002),
}


def _keras2_optimizer(name):
    base = getattr(_legacy, name)
    positional, keras22_rate = _KERAS_2_2[name]

    def __init__(self, *args, **kwargs):
        from compatkeras.legacy.flavors import KERAS_2_2, get_flavor

        names = ("lr", *positional)
        if len(args) > len(names):
            raise TypeError(
                f"{name}() takes at most {len(names)} positional arguments ({len(args)} given)"
            )
        for key, value in zip(names, args, strict=False):
            if key in kwargs:
                raise TypeError(f"{name}() got multiple values for argument '{key}'")
            kwargs[key] = value
        if "lr" in kwargs:
            if "learning_rate" in kwargs:
                raise TypeError(f"{name}() got both `lr` and `learning_rate`; pass one of them")
            kwargs["learning_rate"] = kwargs.pop("lr")  # Keras 2's name: no deprecation warning
        keras22 = get_flavor() == KERAS_2_2
        if kwargs.get("learning_rate") is None:
            kwargs.pop("learning_rate", None)
            if keras22:
                kwargs["learning_rate"] = keras22_rate
        if name == "Adagrad" and keras22:
            kwargs.setdefault("initial_accumulator_value", 0.0)  # Keras 2.2.4 starts at zero
        base.__init__(self, **kwargs)

    return type(
        name,
        (base,),
        {
            "__init__": __init__,
            "__module__": __name__,
            "__doc__": f"Keras 2.2.4's `{name}` constructor on tf-keras's legacy `{name}`.",
        },
    )


SGD = _keras2_optimizer("SGD")
RMSprop = _keras2_optimizer("RMSprop")
Adagrad = _keras2_optimizer("Adagrad")
Adadelta = _keras2_optimizer("Adadelta")
Adam = _keras2_optimizer("Adam")
Adamax = _keras2_optimizer("Adamax")
Nadam = _keras2_optimizer("Nadam")

# Keras 2 lower-case aliases.
sgd = SGD
rmsprop = RMSprop
adagrad = Adagrad
adadelta = Adadelta
adam = Adam
adamax = Adamax
nadam = Nadam

# Keras 2.2.4's defaults, used for string optimizers under the "keras-2.2" flavor (tf-keras
# changed Adagrad, Adadelta, Adamax and Nadam).
KERAS_2_2_LEARNING_RATES = {n.lower(): (globals()[n], rate) for n, (_, rate) in _KERAS_2_2.items()}
_BY_NAME = {n: (globals()[n], rate) for n, (_, rate) in _KERAS_2_2.items()}


def deserialize(config, custom_objects=None):
    """Keras 2.2.4 `optimizers.deserialize`: built-in names in any case (the config's
    `class_name` is lower-cased in place, as 2.2.4 did), giving these Keras 2 classes."""
    classes = {name.lower(): cls for name, (cls, _) in _BY_NAME.items()}
    classes["tfoptimizer"] = TFOptimizer
    if config["class_name"].lower() in classes:
        config["class_name"] = config["class_name"].lower()
    return _serialization.deserialize_keras_object(
        config,
        module_objects=classes,
        custom_objects=custom_objects,
        printable_module_name="optimizer",
    )


def get(identifier):
    """An optimizer from a name, a config dict or an instance, as Keras 2 `optimizers.get`.

    Keras 2's names give these classes (`isinstance(get("sgd"), SGD)`, as in Keras 2.2.4 and
    tf.keras 2.x), with the flavor's default learning rates; tf-keras's other names give its
    legacy optimizers (those keep `lr`, `decay` and `get_updates`).
    """
    if isinstance(identifier, str):
        known = KERAS_2_2_LEARNING_RATES.get(identifier.lower())
        if known is not None:
            cls, _ = known
            return cls()
        return tf_keras.optimizers.get(identifier, use_legacy_optimizer=True)
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, Optimizer):  # tf-keras's, or a Keras 2-style subclass of ours
        return identifier
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")


def _graph_get_updates(get_updates):
    def wrapper(self, *args, **kwargs):
        """Keras 2's `get_updates(loss, params)`, also in Keras 2.0's order
        `(params, constraints, loss)`; for a loss of the Keras graph, the `GraphStep` that
        `K.function(..., updates=...)` runs."""
        arguments = get_updates_arguments(args, kwargs)
        loss, params = arguments["loss"], arguments["params"]
        if graph_steps.is_graph_loss(loss):
            apply = functools.partial(_apply_updates, get_updates, self)
            return [graph_steps.GraphStep(self, loss, params, apply)]
        return get_updates(self, loss, params)

    wrapper._keras2 = True
    return wrapper


def _apply_updates(get_updates, optimizer, loss, params):
    assign_pairs(get_updates(optimizer, loss, params))


def _graph_get_gradients(get_gradients):
    def wrapper(self, loss, params):
        """Keras 2's `get_gradients`; of a loss of the Keras graph (`model.total_loss`), the
        symbolic gradients `K.gradients` gives, for `K.function`."""
        if graph_steps.is_graph_loss(loss):
            return graph_functions.gradients(loss, params)
        return get_gradients(self, loss, params)

    wrapper._keras2 = True
    return wrapper


def install():
    """tf-keras's legacy optimizers (every Keras 2 optimizer here, by class or by name) take
    Keras 2's training-function forms of `get_updates` and `get_gradients`."""
    base = _legacy.Optimizer
    if not getattr(base.get_updates, "_keras2", False):
        base.get_updates = _graph_get_updates(base.get_updates)
        base.get_gradients = _graph_get_gradients(base.get_gradients)


# Every path to an optimizer (this namespace, `compile`, the models) imports this module.
install()


__getattr__ = tf_keras_names.fallback(__name__, "tf_keras.optimizers")
# A package for the import system, so that tf.keras 2.x submodule paths under it
# (`optimizers.schedules`) reach the drop-in's tf-keras fallback (`compatkeras.dropin`).
__path__ = []
