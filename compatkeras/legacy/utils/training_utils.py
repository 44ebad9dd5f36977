"""Keras 2 `keras.utils.training_utils`: `multi_gpu_model` (Keras 2.2-2.3; removed in TF 2.4).

The device checks and their errors are Keras 2.2.4's. When the devices exist, the model is
returned as it is, to train on one device, with a warning that names the replacement
(`tf.distribute.MirroredStrategy`): data-parallel replication of an already built model is not
done here, and saying so beats a speed-up that silently is not there.
"""

import warnings

import tensorflow as tf


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
    for device in targets:
        if device not in available:
            raise ValueError(
                f"To call `multi_gpu_model` with `gpus={gpus}`, we expect the following devices "
                f"to be available: {targets}. However this machine only has: {available}. Try "
                "reducing `gpus`."
            )
    warnings.warn(
        "multi_gpu_model: compatkeras does not replicate a built model; it trains on one device. "
        "For data parallelism build and compile the model inside "
        "`tf.distribute.MirroredStrategy().scope()` (supported by compatkeras's engine).",
        stacklevel=2,
    )
    return model
