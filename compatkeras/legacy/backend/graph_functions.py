"""Keras 2's graph idioms, built from the Keras graph in eager TensorFlow 2 (eager execution is
never turned off):

- `K.function(model.inputs + [K.learning_phase()], outputs)` called with a 0/1 flag last
  (Monte-Carlo dropout, features in training mode): a functional sub-model from the inputs to
  the outputs, called with `training=bool(flag)`;
- `K.gradients(loss, wrt)` on symbolic tensors (saliency maps, deep dream, style transfer,
  FGSM, Grad-CAM): a layer of the graph whose output is the gradient, computed with a
  `tf.GradientTape` over the sub-model from the graph's inputs to `loss` and `wrt`. Its outputs
  are symbolic tensors like any other, so `K.function([model.input], [loss, grads])` and
  arithmetic on them work as they did in Keras 2.

`K.function(..., updates=optimizer.get_updates(loss, params))` runs the optimizer's update with
its outputs (`graph_steps`); other update ops run by a session have no eager equivalent: they
raise, naming `tf.GradientTape` and `train_on_batch`. `K.get_session()` gives a stand-in whose `run()`
returns values that exist and raises, naming the replacement, for anything that needs feeding;
`K.set_session()` warns that the session's config is not applied.
"""

import warnings

import numpy as np
import tensorflow as tf
import tf_keras
from tf_keras import backend as _K
from tf_keras.src.engine import keras_tensor

from compatkeras.engine import loss_graph
from compatkeras.legacy import graph_mode
from compatkeras.legacy import updates as updates_lib
from compatkeras.legacy.backend import graph_steps


def _symbolic(x):
    return isinstance(x, keras_tensor.KerasTensor)


def _sources(tensors):
    """The model inputs (Input layers' tensors) that `tensors` are computed from, in order."""
    found = []
    for tensor in tensors:
        for source in tf_keras.utils.get_source_inputs(tensor):
            if all(source is not f for f in found):
                found.append(source)
    return found


class _Gradients(tf_keras.layers.Layer):
    """Outputs d loss / d wrt for symbolic `wrt` tensors or variables, from the graph's inputs."""

    def __init__(self, loss, wrt, **kwargs):
        super().__init__(**kwargs)
        self._tensors = [w for w in wrt if _symbolic(w)]
        self._variables = [w for w in wrt if not _symbolic(w)]
        # What it differentiates: a loss that reads the graph through it reads these
        # (`engine.loss_graph`).
        self.graph_reads = [loss, *self._tensors]
        self._order = [_symbolic(w) for w in wrt]
        self._forward = tf_keras.Model(_sources([loss, *self._tensors]), [loss, *self._tensors])

    def call(self, inputs):
        inputs = tf.nest.flatten(inputs)
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            outputs = self._forward(inputs)
            loss, *tensors = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        grads = iter(
            tape.gradient(
                loss,
                [*tensors, *self._variables],
                unconnected_gradients=tf.UnconnectedGradients.ZERO,
            )
        )
        of_tensors = [next(grads) for _ in tensors]
        of_variables = list(grads)
        tensors_it, variables_it = iter(of_tensors), iter(of_variables)
        return [next(tensors_it) if symbolic else next(variables_it) for symbolic in self._order]


@graph_mode.or_tf_keras
def gradients(loss, variables):
    """Keras 2 `K.gradients`: symbolic gradients when `loss` is a tensor of the Keras graph;
    otherwise tf-keras's (valid inside a `tf.function`, as a Keras 2 optimizer's step is)."""
    wrt = list(variables) if isinstance(variables, (list, tuple)) else [variables]
    if not _symbolic(loss):
        # In a step, a loss that reads the graph (a WGAN-GP penalty on the interpolated
        # images) differentiates the step's values of the graph tensors it names.
        return _K.gradients(loss, [loss_graph.live_value(w) for w in wrt])
    outputs = _Gradients(loss, wrt)(_sources([loss, *[w for w in wrt if _symbolic(w)]]))
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


def _sorted_updates(updates):
    """What `K.function(..., updates=...)` was given, sorted: (the layers' state updates, the
    optimizers' graph steps, `(variable, value)` pairs whose value is of the Keras graph, the
    other pairs). A graph value is computed with the outputs, from the fed inputs, and assigned
    after them (Keras 2 ran the updates after the first output); any other value (computed
    before, keras-rl's soft target updates) is assigned as it is, with a warning."""
    state_updates, updates = updates_lib.split(updates)
    steps, updates = graph_steps.split(updates)
    computed, fixed, others = [], [], []
    for update in updates:
        if isinstance(update, (tuple, list)) and len(update) == 2:
            if isinstance(update[0], tf.Variable):
                (computed if _symbolic(update[1]) else fixed).append(tuple(update))
                continue
        others.append(update)
    if others:
        raise NotImplementedError(
            "K.function(..., updates=...) runs update ops in a TF1 session, which TensorFlow 2 "
            "does not have. Compute the step with tf.GradientTape and apply it with "
            "optimizer.apply_gradients, or train through model.train_on_batch. (Accepted: "
            "what `optimizer.get_updates(loss, params)` returns for a loss of the Keras graph, "
            "`(variable, new value)` pairs, and the layers' own `model.updates`: a "
            "training-mode call applies them.)"
        )
    return state_updates, steps, computed, fixed


def _then_assign(function, fixed):
    """`function`, then the pairs computed before assigned (with the warning)."""
    if not fixed:
        return function

    def run(values):
        result = function(values)
        updates_lib.assign_pairs(fixed, updates_lib.FROM_FUNCTION)
        return result

    return run


def _is_learning_phase(x):
    """`K.learning_phase()` is a Python 0/1 in eager TensorFlow; any non-tensor input is it."""
    return not (_symbolic(x) or tf.is_tensor(x))


@graph_mode.or_tf_keras
def function(inputs, outputs, updates=None, name=None, **kwargs):
    """Keras 2 `K.function(inputs, outputs)`: a callable taking a list of input values (with
    the learning-phase flag where `K.learning_phase()` stood) and returning numpy values."""
    state_updates, steps, computed, fixed = _sorted_updates(updates)
    # Keras 2 applied a layer's state updates only when they were passed here.
    kept = {id(u.variable) for u in state_updates}
    if kwargs:
        raise ValueError(
            f"Invalid argument(s) to `K.function` in TensorFlow 2: {sorted(kwargs)} "
            "(session arguments have no eager equivalent)"
        )
    inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    single = not isinstance(outputs, (list, tuple))
    outputs = [outputs] if single else list(outputs)
    shown = len(outputs)
    outputs += [x for _, x in computed]
    missing = [i for i, x in enumerate(inputs) if x is None]
    if missing:
        raise ValueError(
            f"K.function inputs {missing} are None. Under the tf.keras flavor, as in tf-keras's "
            "v1 engine, `model.sample_weights` holds None for an output compiled without "
            "temporal sample weights: use `model._feed_sample_weights` (only the fed ones), or "
            "the keras-2.2 flavor, where every output has one."
        )
    phase_at = [i for i, x in enumerate(inputs) if _is_learning_phase(x)]
    graph_inputs = [x for i, x in enumerate(inputs) if i not in phase_at]
    if not all(_symbolic(o) for o in outputs):
        if steps or computed:
            raise ValueError(
                "K.function(..., updates=...) with an optimizer's updates or values of the Keras "
                "graph needs its outputs to be tensors of the Keras graph (built from its "
                "`Input`s)"
            )
        plain = _K.function(inputs, outputs if not single else outputs[0], name=name)
        return _then_assign(plain, fixed)
    if steps:
        forward = graph_steps.training_function(graph_inputs, outputs, steps)
        model = forward.model
    else:
        model = tf_keras.Model(graph_inputs, outputs)
        forward = model

    def run(values):
        values = list(values) if isinstance(values, (list, tuple)) else [values]
        # Keras 2 fed `zip(inputs, values)`: a learning phase left out at the end took its
        # default (test mode, keras-rl's DDPG actor); any other input left out was an error.
        unfed = [i for i in range(len(values), len(inputs)) if i not in phase_at]
        if len(values) > len(inputs) or unfed:
            raise ValueError(
                f"This function takes {len(inputs)} inputs ({len(phase_at)} of them "
                f"the learning phase), got {len(values)}"
            )
        training = None
        if phase_at and phase_at[0] < len(values) and values[phase_at[0]] is not None:
            training = bool(values[phase_at[0]])
        fed = [v for i, v in enumerate(values) if i not in phase_at]
        # Keras 2 ran a layer's updates (BatchNormalization's moving statistics) only when
        # they were passed as `updates`; an eager call in training mode applies them, so the
        # state that was not passed is put back.
        state = []
        if training:
            state = [(v, v.numpy()) for v in model.non_trainable_variables if id(v) not in kept]
        result = forward(fed if len(fed) != 1 else fed[0], training=training)
        for variable, value in state:
            variable.assign(value)
        result = [result] if not isinstance(result, (list, tuple)) else result
        for (variable, _), value in zip(computed, result[shown:], strict=True):
            variable.assign(tf.cast(value, variable.dtype))
        updates_lib.assign_pairs(fixed, updates_lib.FROM_FUNCTION)
        result = [np.asarray(r) for r in result[:shown]]
        return result[0] if single else result

    return run


class Session:
    """What `K.get_session()` returns: TensorFlow 2 has no session to feed. `run()` of values
    that already exist (variables, eager tensors: `sess.run(model.optimizer.lr)`) returns them
    as numpy; anything that needs a graph to be fed raises, naming the replacement."""

    graph = None

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        if feed_dict or any(_symbolic(f) for f in tf.nest.flatten(fetches)):
            raise RuntimeError(
                "Session.run() feeds placeholders of a TF1 graph, which TensorFlow 2 does not "
                "have. Call the model (model(x) or model.predict(x)), build a callable with "
                "K.function(inputs, outputs), or read values with K.get_value(x) / x.numpy()."
            )
        return tf.nest.map_structure(_value, fetches)

    def _make_callable_from_options(self, callable_options):
        """TensorFlow 1.8's session callables (Keras 2.2.4's `K.function` used them, and its
        tests probe for them): the same graph feeding as `run()`."""
        raise RuntimeError(
            "Session callables feed placeholders of a TF1 graph, which TensorFlow 2 does not "
            "have. Build a callable with K.function(inputs, outputs) or tf.function."
        )

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _value(x):
    if x is None or isinstance(x, tf.Operation):
        return None  # an op (a variable's initializer, an update) has nothing to return
    return np.asarray(x)


_SESSION = Session()


@graph_mode.or_tf_keras
def get_session(op_input_list=()):
    return _SESSION


@graph_mode.or_tf_keras
def set_session(session):
    """Keras 2 `K.set_session(tf.Session(config=...))`: there is no session to set in
    TensorFlow 2, so its config (GPU memory growth, thread counts) is not applied."""
    if isinstance(session, Session):
        return
    warnings.warn(
        "K.set_session(): TensorFlow 2 has no session, so the session and its config are not "
        "used. Set GPU memory growth with tf.config.experimental.set_memory_growth(gpu, True) "
        "and threads with tf.config.threading.set_intra_op_parallelism_threads(n).",
        stacklevel=2,
    )
