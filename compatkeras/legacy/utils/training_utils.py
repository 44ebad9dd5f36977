"""Keras 2 `keras.utils.training_utils`: `multi_gpu_model` (Keras 2.2-2.3; removed in TF 2.4).

The device checks and their errors are Keras 2.2.4's. The model is replicated with
`tf.distribute.MirroredStrategy` over the devices asked for: GPUs when there are enough of them,
else as many logical CPU devices (`tf.config.set_logical_device_configuration`), which is how
it is tested. Keras 2's replica model shared its weights with the template; here the replica
has weights of its own (mirrored), starts from the template's, and copies them back into the
template after every training call, so `template.save(...)` (what Keras 2's docs asked for)
saves the trained weights.
"""

import warnings

import tensorflow as tf
import tf_keras


def _available_devices():
    names = []
    for device in tf.config.list_logical_devices():
        kind = device.device_type.lower()
        names.append(f"/{kind}:{device.name.rsplit(':', 1)[-1]}")
    return names


def multi_gpu_model(model, gpus=None, cpu_merge=True, cpu_relocation=False):
    available = _available_devices()
    if not gpus:
        gpus = len([name for name in available if "gpu" in name])
    if isinstance(gpus, (list, tuple)):
        if len(gpus) <= 1:
            raise ValueError(
                "For multi-gpu usage to be effective, call `multi_gpu_model` with "
                f"`len(gpus) >= 2`. Received: `gpus={gpus}`"
            )
        target_ids = list(gpus)
    else:
        if gpus <= 1:
            raise ValueError(
                "For multi-gpu usage to be effective, call `multi_gpu_model` with "
                f"`gpus >= 2`. Received: `gpus={gpus}`"
            )
        target_ids = list(range(gpus))
    targets = ["/cpu:0"] + [f"/gpu:{i}" for i in target_ids]
    if all(device in available for device in targets):
        return _replicate(model, targets[1:])
    cpus = [name for name in available if name.startswith("/cpu:")]
    if len(cpus) >= len(target_ids):
        return _replicate(model, cpus[: len(target_ids)])
    raise ValueError(
        f"To call `multi_gpu_model` with `gpus={gpus}`, we expect the following devices "
        f"to be available: {targets}. However this machine only has: {available}. Try "
        "reducing `gpus`."
    )


class _SyncsTemplate:
    """Training methods that copy the trained weights back into the template model."""

    _template = None

    def _sync(self, result):
        self._template.set_weights(self.get_weights())
        return result

    def fit(self, *args, **kwargs):
        return self._sync(super().fit(*args, **kwargs))

    def fit_generator(self, *args, **kwargs):
        return self._sync(super().fit_generator(*args, **kwargs))

    def train_on_batch(self, *args, **kwargs):
        return self._sync(super().train_on_batch(*args, **kwargs))


def _replicate(model, devices):
    from compatkeras.legacy.models import Model, Sequential

    base = Sequential if isinstance(model, tf_keras.Sequential) else Model
    cls = type(f"MultiDevice{base.__name__}", (_SyncsTemplate, base), {})
    layer_classes = {type(layer).__name__: type(layer) for layer in model.layers}
    strategy = tf.distribute.MirroredStrategy(devices)
    with strategy.scope():
        replica = cls.from_config(model.get_config(), custom_objects=layer_classes)
    replica.set_weights(model.get_weights())
    replica._template = model
    return replica
