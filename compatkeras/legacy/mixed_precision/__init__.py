"""tf.keras 2.4+ `keras.mixed_precision`: tf-keras's policies and loss-scale optimizer.

`compile()` wraps the optimizer of a `mixed_float16` model in `LossScaleOptimizer` (dynamic loss
scaling), as tf.keras 2.4+ did; `experimental` keeps the tf.keras 2.1-2.3 names.
"""

from tf_keras.mixed_precision import LossScaleOptimizer, Policy, global_policy, set_global_policy

from compatkeras.legacy.mixed_precision import experimental

__all__ = ["LossScaleOptimizer", "Policy", "experimental", "global_policy", "set_global_policy"]
