"""The one training engine: tf-keras layers and graphs, compatkeras's training loop.

It knows nothing about the surfaces (`compatkeras.legacy`, `compatkeras.v3`) that call it. A
surface may use what is listed here and nothing else:

- `Runner(model)`: the same `_engine_*` members for a model that does not mix in the engine's
  `Trainer` (a Keras 3 `keras.Model`; it runs the model's own steps, `_engine_compile_own`);
- `Model`, `Sequential`, `rebuild_as`, `CompileContainerStandIn`, `with_loss_scaling`
  (`engine.model`), and the models' `_engine_*` members (`engine.trainer.Trainer`; named so to
  keep clear of Keras's own attributes on a user's model): `_engine_compile(config,
  steps_per_execution, batch_logs)`, `_engine_compile_own(steps_per_execution, jit_compile,
  run_eagerly, jit_fallback, batch_logs)` (run the model's own `train_step`/`test_step`/
  `predict_step`, `engine.own_steps`), `_engine_own_steps`, `_engine_reset()`,
  `_engine_set_run_eagerly(flag)`, `_engine_compiled`,
  `_engine_config`, `_engine_jit_compile`, `_engine_fit(epoch_feed, ...)`,
  `_engine_evaluate(feed, ...)`, `_engine_batch(train, batch, accumulate)`,
  `_engine_predict(xs, ...)`, `_engine_callbacks(...)`;
- `engine.config`: `TrainingConfig`, `OutputSpec`, `MetricSpec` and the rule names;
- `engine.feeds`: `DatasetFeed` (and `DatasetFeed.over(iterator)`), `PythonFeed`, `INFINITE`,
  `pull(iterator, count)`;
  `engine.data`: `ArraySource`, `Batch`, `make_batches`, `batch_shuffle`, `is_sparse_matrix`,
  `tensor_batch(xs, ys, ws)` (a batch of tensors made on a data thread, with its signature);
- `engine.passes.DatasetPasses`: the epochs of `fit` over a `tf.data` dataset a surface built
  (which iterator each epoch reads, whether the data ran out);
- `engine.progress.BatchLogs`: what batch callbacks get and the index `on_*_batch_end` reports
  (a surface subclasses it);
- `engine.losses.reduce_loss`, `engine.losses.prepare` (how a step reads targets and predictions); `engine.loss_graph.trace` and `live_value` (losses that read the model's graph,
  run on the step's tensors: `TrainingConfig.loss_graph`); `engine.enqueuer` (`open_stream`, `GeneratorEnqueuer` and the
  options the v3 surface reads from it).

The training loop is `Trainer._run_feed`: every input kind reaches it as a feed, and each
execution runs up to `steps_per_execution` steps in one compiled call, of the surface's step
(`engine.steps`, built from a `TrainingConfig`) or of the model's own (`engine.own_steps`).
At one step per execution, when no callback but the progress bar watches single batches, the
surface's steps run up to 8 batches per call from feeds that read ahead anyway: a
`DatasetFeed`, or a `PythonFeed(read_ahead=n)` (a surface passes its enqueuer's queue size).

`Model`, `Sequential` and `rebuild_as` load TensorFlow on first use, so that the data modules
(`compatkeras.engine.enqueuer`, `compatkeras.engine.processes`) and their worker processes
start without it.
"""

__all__ = ["Model", "Runner", "Sequential", "rebuild_as"]


def __getattr__(name):
    if name == "Runner":
        from compatkeras.engine import trainer

        return trainer.Runner
    if name in __all__:
        from compatkeras.engine import model

        return getattr(model, name)
    raise AttributeError(f"module 'compatkeras.engine' has no attribute {name!r}")
