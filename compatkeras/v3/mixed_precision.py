"""Keras 3 `keras.mixed_precision` (tf-keras's policies and loss-scale optimizer)."""

from tf_keras.mixed_precision import LossScaleOptimizer, Policy, global_policy, set_global_policy

DTypePolicy = Policy
set_dtype_policy = set_global_policy
dtype_policy = global_policy

__all__ = [
    "DTypePolicy",
    "LossScaleOptimizer",
    "Policy",
    "dtype_policy",
    "global_policy",
    "set_dtype_policy",
    "set_global_policy",
]
