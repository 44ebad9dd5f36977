"""What the engine is told at compile time, already normalised by a surface.

The surfaces (`compatkeras.legacy`, `compatkeras.v3`) validate their own arguments, decide names
and semantics, and hand the engine one `TrainingConfig`. The engine never sees a Keras 2 or
Keras 3 argument.
"""

import dataclasses
from collections.abc import Callable

# How a weighted (and masked) loss is reduced to one number per batch.
TF_KERAS = "tf.keras"  # sum(w*m*L) / count(m), or sum(w*L) / numel(L) without a mask
KERAS_2_2 = "keras-2.2"  # Keras 2.2.4's weighted_masked_objective: normalise by count(w != 0)
LOSS_RULES = (TF_KERAS, KERAS_2_2)

# How metric values become epoch values.
STATEFUL = "stateful"  # running sum(w*m*v) / sum(w*m) over the epoch (tf.keras)
PER_BATCH = "per-batch"  # one value per batch, averaged by batch size (Keras 2.2.4)
METRIC_MODES = (STATEFUL, PER_BATCH)


@dataclasses.dataclass(frozen=True)
class MetricSpec:
    """A metric of one output: either a function of (y_true, y_pred) giving values reduced over
    the last axis only, or a stateful metric object (`update_state`/`result`/`reset_state`),
    whose own result is reported whatever the metric mode."""

    name: str  # the log name, decided by the surface (e.g. "out1_acc", "weighted_acc")
    fn: Callable | None
    weighted: bool  # weighted by the output's sample weights (weighted_metrics)
    stateful: object = None


@dataclasses.dataclass(frozen=True)
class OutputSpec:
    name: str
    loss: (
        Callable | None
    )  # fn(y_true, y_pred) -> per-sample (or per-timestep) values; None = skipped
    loss_weight: float = 1.0
    temporal: bool = False  # sample weights have shape (samples, timesteps)
    target: object = None  # a bound target tensor or tf.Variable: not fed, read at every step
    metrics: tuple = ()  # MetricSpec, in log order
    loss_log_name: str | None = None  # e.g. "out1_loss" (None: not logged separately)

    @property
    def fed(self):
        """Whether this output takes `y` data from the caller."""
        return self.loss is not None and self.target is None


@dataclasses.dataclass(frozen=True)
class TrainingConfig:
    optimizer: object
    outputs: tuple  # OutputSpec per model output, in output order
    loss_rule: str = TF_KERAS
    metric_mode: str = STATEFUL
    jit_compile: bool = False  # compile the single step with XLA (never the multi-step loop)
    # When XLA was chosen automatically, a step XLA cannot compile falls back to plain graph mode
    # with a warning instead of failing.
    jit_fallback: bool = False
    run_eagerly: bool = False
    # `engine.loss_graph.LossGraph`: losses that read the model's graph, run on the step's own
    # tensors (the step calls it in place of the model); None: every loss gets (y_true, y_pred).
    loss_graph: object = None
    # Targets (fed or bound) cast to the prediction's dtype before losses and metrics: Keras 2's
    # target placeholders had the output's dtype, so int, bool and float64 labels worked with
    # every loss (sparse losses cast them back to integers themselves).
    cast_targets: bool = False
    # `fn(loss, variables)` that applies the update itself, built from the loss tensor inside
    # the compiled step (Keras 2 optimizers whose `get_updates` makes the update ops). None:
    # the step takes gradients with a tape and calls `optimizer.apply_gradients`.
    updates_from_loss: Callable | None = None
    # The variables the step trains, taken when the surface compiled (Keras 2's
    # `_collected_trainable_weights`: a GAN sets `discriminator.trainable = False` after
    # compiling the discriminator, to build the combined model, and the discriminator still
    # trains through its own compile). None: the model's trainable variables when the step is
    # built (tf.keras 2.x's rule).
    variables: tuple | None = None
    # Metric objects that the model's own forward pass updates (tf.keras's `add_metric`, a
    # layer's `self.add_metric` in `call`): reset with the others, reported by `result()` after
    # the compiled metrics, under their own names; the engine never updates them itself.
    model_metrics: tuple = ()

    def __post_init__(self):
        if self.loss_rule not in LOSS_RULES:
            raise ValueError(f"loss_rule must be one of {LOSS_RULES}, got {self.loss_rule!r}")
        if self.metric_mode not in METRIC_MODES:
            raise ValueError(f"metric_mode must be one of {METRIC_MODES}, got {self.metric_mode!r}")

    @property
    def fed_outputs(self):
        return [o for o in self.outputs if o.fed]

    @property
    def log_names(self):
        """The names of the values a train/test step reports, in order: Keras 2's metrics_names."""
        names = ["loss"]
        names += [o.loss_log_name for o in self.outputs if o.loss is not None and o.loss_log_name]
        names += [m.name for o in self.outputs for m in o.metrics]
        names += [m.name for m in self.model_metrics]
        return names
