"""Keras 2.2.4's `Optimizer` base class, for optimizers written the Keras 2 way: a subclass
builds its update ops in `get_updates(loss, params)` (`K.update`, `K.update_add`), as Keras 2
code and libraries such as keras-rl do.

The engine runs such an optimizer inside its compiled training step: the step hands it the loss
tensor (`TrainingConfig.updates_from_loss`), `get_gradients` takes symbolic gradients there
(`tf.gradients` is valid inside a `tf.function`), and the update ops run with the step. That
is Keras 2.2.4's own model, so the numbers are its numbers. `isinstance(opt, Optimizer)` is
also true for compatkeras's (tf-keras's) built-in optimizers, as every Keras 2 optimizer was an
`Optimizer`.
"""

import functools

import tensorflow as tf
import tf_keras
from tf_keras import backend as K
from tf_keras.src.optimizers import optimizer_v1

from compatkeras.legacy.backend import graph_functions, graph_steps, keras22
from compatkeras.legacy.legacy.interfaces import get_updates_arguments, legacy_get_updates_support
from compatkeras.legacy.updates import assign_pairs

_TF_KERAS_OPTIMIZERS = (tf_keras.optimizers.legacy.Optimizer, tf_keras.optimizers.Optimizer)


def clip_norm(g, c, n):
    """Keras 2.2.4: `g` scaled by `c / n` when the global norm `n` is at least `c` (> 0)."""
    if c <= 0:
        return g
    g = tf.convert_to_tensor(g)
    return tf.where(n >= c, g * (c / n), g)


# What a tf.keras 2.x subclass of `keras.optimizers.Optimizer` defines, by the base it meant:
# TF 2.0-2.10's `OptimizerV2` (tf-keras's legacy optimizer) or TF 2.11+'s optimizer.
_OPTIMIZER_V2_METHODS = ("_create_slots", "_resource_apply_dense", "_resource_apply_sparse")
_NEW_OPTIMIZER_METHODS = ("update_step",)


def _tf_keras_base(namespace):
    """The tf-keras optimizer a subclass written for tf.keras 2.x meant, else None (Keras 2's
    `get_updates` API, this module's)."""
    if "get_updates" in namespace:
        return None
    if any(name in namespace for name in _OPTIMIZER_V2_METHODS):
        return tf_keras.optimizers.legacy.Optimizer
    if any(name in namespace for name in _NEW_OPTIMIZER_METHODS):
        return tf_keras.optimizers.Optimizer
    return None


class _Keras2OptimizerType(type):
    def __new__(mcls, name, bases, namespace, **kwargs):
        """`class RAdam(keras.optimizers.Optimizer)` with `_create_slots` and
        `_resource_apply_dense` is a tf.keras 2.x optimizer (CyberZHG's keras-radam): it
        subclasses tf-keras's optimizer of that API, as it did tf.keras's."""
        own = globals().get("Optimizer")
        base = _tf_keras_base(namespace) if own is not None and own in bases else None
        if base is None:
            return super().__new__(mcls, name, bases, namespace, **kwargs)
        bases = tuple(base if b is own else b for b in bases)
        return type(base)(name, bases, namespace, **kwargs)

    def __instancecheck__(cls, instance):
        if cls is Optimizer and isinstance(instance, _TF_KERAS_OPTIMIZERS):
            return True
        return super().__instancecheck__(instance)

    def __subclasscheck__(cls, subclass):
        if cls is Optimizer and issubclass(subclass, _TF_KERAS_OPTIMIZERS):
            return True
        return super().__subclasscheck__(subclass)


def _graph_steps_support(get_updates):
    """A subclass's `get_updates` given a loss of the Keras graph returns the `GraphStep` that
    `K.function` runs (its update ops are built inside that step)."""

    @functools.wraps(get_updates)
    def wrapper(self, *args, **kwargs):
        arguments = get_updates_arguments(args, kwargs)
        if graph_steps.is_graph_loss(arguments.get("loss")):
            run = updates_from_loss(self)
            return [graph_steps.GraphStep(self, arguments["loss"], arguments["params"], run)]
        return get_updates(self, *args, **kwargs)

    wrapper._graph_steps = True
    return wrapper


class Optimizer(optimizer_v1.Optimizer, metaclass=_Keras2OptimizerType):
    """Keras 2.2.4's abstract optimizer: subclasses implement `get_updates(loss, params)`.

    It derives from tf-keras's copy of that class (`optimizer_v1`), which is what tf-keras's
    graph engine accepts when a program turns eager execution off (`legacy.graph_mode`)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("get_updates")
        if own is not None and not getattr(own, "_graph_steps", False):
            cls.get_updates = _graph_steps_support(own)

    def __init__(self, **kwargs):
        for key in kwargs:
            if key not in ("clipnorm", "clipvalue"):
                raise TypeError(f"Unexpected keyword argument passed to optimizer: {key}")
        self.__dict__.update(kwargs)
        self.updates = []
        self.weights = []

    @legacy_get_updates_support
    def get_updates(self, loss, params):
        raise NotImplementedError

    def get_gradients(self, loss, params):
        grads = graph_functions.gradients(loss, params)
        if any(g is None for g in grads):
            raise ValueError(
                "An operation has `None` for gradient. Please make sure that all of your ops "
                "have a gradient defined (i.e. are differentiable). Common ops without "
                "gradient: K.argmax, K.round, K.eval."
            )
        if getattr(self, "clipnorm", 0) > 0:
            norm = K.sqrt(sum(K.sum(K.square(g)) for g in grads))
            grads = [clip_norm(g, self.clipnorm, norm) for g in grads]
        if getattr(self, "clipvalue", 0) > 0:
            grads = [K.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def set_weights(self, weights):
        if len(weights) != len(self.weights):
            raise ValueError(
                f"Length of the specified weight list ({len(weights)}) does not match the number "
                f"of weights of the optimizer ({len(self.weights)})"
            )
        pairs = []
        for variable, value in zip(self.weights, weights, strict=True):
            if tuple(variable.shape) != tuple(value.shape):
                raise ValueError(
                    f"Optimizer weight shape {tuple(variable.shape)} not compatible "
                    f"with provided weight shape {tuple(value.shape)}"
                )
            pairs.append((variable, value))
        K.batch_set_value(pairs)

    def get_weights(self):
        return keras22.batch_get_value(self.weights)

    def get_config(self):
        return {k: getattr(self, k) for k in ("clipnorm", "clipvalue") if hasattr(self, k)}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def builds_updates(optimizer):
    """Whether `optimizer` is a Keras 2-style optimizer (a subclass of `Optimizer` proper,
    not a tf-keras one) that the step must hand its loss to."""
    return type.__instancecheck__(Optimizer, optimizer)


class _AsFirstCall:
    """Keras 2 called `get_updates` once; the engine traces its step more than once (one
    compiled function per way of feeding). Every later call is made to see what the first one
    saw and to leave what it left:
    - the variables the first call creates (moments, iteration counts) are made eagerly and
      handed back, in order, to every later call, so each traced step updates the same state;
    - the optimizer's attributes the first call set are, during a later call, as they were
      before the first (keras-contrib's LARS reads its own `get_weights()`, empty before its one
      Keras 2 call), and afterwards as the later call found them."""

    def __init__(self, optimizer):
        self.attributes = vars(optimizer)
        self.made = None
        self.index = 0
        self.set_by_first = {}  # name -> its value before the first call (absent: _ABSENT)

    def creator(self, next_creator, **kwargs):
        if self.recording:
            # Eager variables do not get unique names as TF1 graph ones did; an HDF5 file
            # stores the optimizer's weights by name.
            kwargs["name"] = f"{kwargs.get('name') or 'Variable'}_{len(self.made)}"
            with tf.init_scope():
                variable = next_creator(**kwargs)
            self.made.append(variable)
            return variable
        variable = self.made[self.index]
        self.index += 1
        return variable

    def __enter__(self):
        self.recording = self.made is None
        if self.recording:
            self.made = []
            self.before = dict(self.attributes)
        else:
            self.found = {n: self.attributes.get(n, _ABSENT) for n in self.set_by_first}
            _set_attributes(self.attributes, self.set_by_first)
        self.index = 0
        self.scope = tf.variable_creator_scope(self.creator)
        self.scope.__enter__()

    def __exit__(self, *exc):
        self.scope.__exit__(*exc)
        if not self.recording:
            _set_attributes(self.attributes, self.found)
            return
        self.set_by_first = {
            name: self.before.get(name, _ABSENT)
            for name, value in self.attributes.items()
            if self.before.get(name, _ABSENT) is not value
        }
        del self.before


_ABSENT = object()


def _set_attributes(attributes, values):
    for name, value in values.items():
        if value is _ABSENT:
            attributes.pop(name, None)
        else:
            attributes[name] = value


def updates_from_loss(optimizer):
    """The engine's hook for such an optimizer: `fn(loss, variables)` running its updates.
    The ops `get_updates` builds run with the step; the `(variable, value)` pairs it returns
    (Keras 2's other form of an update, which its `K.function` applied) are assigned here."""
    as_first_call = _AsFirstCall(optimizer)

    def run(loss, variables):
        with as_first_call:
            updates = optimizer.get_updates(loss=loss, params=list(variables))
        assign_pairs(updates)

    return run


class TFOptimizer(Optimizer):
    """Keras 2.2.4's wrapper of a TensorFlow optimizer, run the same way (its
    `compute_gradients`/`apply_gradients` inside the compiled step)."""

    def __init__(self, optimizer):
        super().__init__()
        self.optimizer = optimizer
        self.iterations = tf.Variable(0, dtype="int64", trainable=False, name="iterations")

    def get_updates(self, loss, params):
        grads = self.optimizer.compute_gradients(loss, params)
        self.updates = [K.update_add(self.iterations, 1)]
        self.updates.append(self.optimizer.apply_gradients(grads))
        return self.updates

    @property
    def weights(self):
        return self.optimizer.variables() if hasattr(self.optimizer, "variables") else []

    @weights.setter
    def weights(self, value):
        pass  # Optimizer.__init__ sets it; the wrapped optimizer owns its variables

    def get_config(self):
        raise NotImplementedError

    def from_config(self, config):
        raise NotImplementedError
