"""tf.keras 2.x names that a Keras 2 module does not define itself, taken from the tf-keras module
of the same role: `tf.keras.optimizers.schedules.ExponentialDecay`, `optimizers.AdamW` and
`optimizers.legacy`, `utils.image_dataset_from_directory`, `utils.set_random_seed`,
`preprocessing.timeseries_dataset_from_array`, `saving.register_keras_serializable`,
`keras.experimental`, ... tf-keras's own objects, as tf.keras 2.x programs reach them."""

import importlib


def fallback(module_name, tf_keras_module):
    """A module `__getattr__` that gives the public names of `tf_keras_module` (a dotted
    path, imported when first asked) that `module_name` does not define."""

    def __getattr__(name):
        if not name.startswith("_"):
            source = importlib.import_module(tf_keras_module)
            if hasattr(source, name):
                return getattr(source, name)
        raise AttributeError(f"module {module_name!r} has no attribute {name!r}")

    return __getattr__
