"""tf.keras 2.x's `keras.optimizer_v2` package, which custom optimizers import their base and
schedules from (`from tensorflow.python.keras.optimizer_v2 import learning_rate_schedule`,
keras-adamw): tf-keras's legacy optimizer modules. Dotted imports of its modules
(`...optimizer_v2.optimizer_v2`) are aliased to tf-keras's by the drop-in."""

from tf_keras.src.optimizers.legacy import (
    adadelta,
    adagrad,
    adam,
    adamax,
    ftrl,
    gradient_descent,
    nadam,
    optimizer_v2,
    rmsprop,
)
from tf_keras.src.optimizers.schedules import learning_rate_schedule
