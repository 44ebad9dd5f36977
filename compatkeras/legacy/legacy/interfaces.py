"""Keras 2 `keras.legacy.interfaces`: the decorators Keras 2.2.4 put on constructors and methods
to accept Keras 1 call forms, which custom layers and optimizers also put on their own
(`@interfaces.legacy_dense_support`, `@interfaces.legacy_get_updates_support`).

The layer decorators convert with compatkeras's table of keras 2.2.4's conversions
(`compatkeras/_keras1.py`) and warn as keras 2.2.4 did ("Update your `Dense` call to the
Keras 2 API: ...").
"""

import functools
import warnings

from compatkeras.legacy.generators import keras1_interface as legacy_generator_methods_support
from compatkeras.legacy.keras1 import convert
from compatkeras.legacy.layer import _legacy_weight_arguments


def raise_duplicate_arg_error(old_arg, new_arg):
    raise TypeError(
        f"For the `{new_arg}` argument, the layer received both the legacy keyword "
        f"argument `{old_arg}` and the Keras 2 keyword argument `{new_arg}`. Stick "
        "to the latter!"
    )


def _layer_support(table_name):
    """A decorator for `__init__(self, ...)` converting `table_name`'s Keras 1 arguments."""

    def decorator(func):
        @functools.wraps(func)
        def wrapper(self, *args, **kwargs):
            new_args, new_kwargs = convert(table_name, args, kwargs)
            changed = (
                new_args is not args
                or new_kwargs.keys() != kwargs.keys()
                or any(new_kwargs[k] is not v for k, v in kwargs.items())
            )
            if changed:
                shown = [repr(a) for a in new_args] + [f"{k}={v!r}" for k, v in new_kwargs.items()]
                warnings.warn(
                    f"Update your `{type(self).__name__}` call to the Keras 2 API: "
                    f"`{type(self).__name__}({', '.join(shown)})`",
                    stacklevel=2,
                )
            return func(self, *new_args, **new_kwargs)

        return wrapper

    return decorator


legacy_dense_support = _layer_support("Dense")
legacy_dropout_support = _layer_support("Dropout")
legacy_embedding_support = _layer_support("Embedding")
legacy_pooling1d_support = _layer_support("MaxPooling1D")
legacy_prelu_support = _layer_support("PReLU")
legacy_gaussiannoise_support = _layer_support("GaussianNoise")
legacy_gaussiandropout_support = _layer_support("GaussianDropout")
legacy_recurrent_support = _layer_support("LSTM")
legacy_conv1d_support = _layer_support("Conv1D")
legacy_conv2d_support = _layer_support("Conv2D")
legacy_separable_conv2d_support = _layer_support("SeparableConv2D")
legacy_deconv2d_support = _layer_support("Conv2DTranspose")
legacy_conv3d_support = _layer_support("Conv3D")
legacy_convlstm2d_support = _layer_support("ConvLSTM2D")
legacy_batchnorm_support = _layer_support("BatchNormalization")
legacy_pooling2d_support = _layer_support("MaxPooling2D")
legacy_pooling3d_support = _layer_support("MaxPooling3D")
legacy_global_pooling_support = _layer_support("GlobalMaxPooling2D")
legacy_upsampling1d_support = _layer_support("UpSampling1D")
legacy_upsampling2d_support = _layer_support("UpSampling2D")
legacy_upsampling3d_support = _layer_support("UpSampling3D")
legacy_spatialdropout1d_support = _layer_support("SpatialDropout1D")
legacy_spatialdropoutNd_support = _layer_support("SpatialDropout2D")
legacy_cropping2d_support = _layer_support("Cropping2D")
legacy_cropping3d_support = _layer_support("Cropping3D")
legacy_zeropadding2d_support = _layer_support("ZeroPadding2D")
legacy_zeropadding3d_support = _layer_support("ZeroPadding3D")
legacy_input_support = _layer_support("Input")


def keras1_model_arguments(kwargs):
    """keras 2.2.4's `legacy_model_constructor`: `input`/`output` -> `inputs`/`outputs`."""
    renamed = []
    for old, new in (("input", "inputs"), ("output", "outputs")):
        if old in kwargs:
            if new in kwargs:
                raise TypeError(f"Model got both the legacy keyword argument `{old}` and `{new}`")
            kwargs[new] = kwargs.pop(old)
            renamed.append(new)
    if renamed:
        shown = ", ".join(f"{n}=..." for n in ("inputs", "outputs", "name") if n in kwargs)
        warnings.warn(
            f"Update your `Model` call to the Keras 2 API: `Model({shown})`", stacklevel=3
        )


def legacy_model_constructor(func):
    """`Model(input=..., output=...)` -> `inputs`/`outputs`, with keras 2.2.4's warning."""

    @functools.wraps(func)
    def wrapper(self, *args, **kwargs):
        keras1_model_arguments(kwargs)
        return func(self, *args, **kwargs)

    return wrapper


def legacy_add_weight_support(func):
    """`add_weight(shape, name, ...)` -> `add_weight(name=name, shape=shape, ...)`."""

    @functools.wraps(func)
    def wrapper(self, *args, **kwargs):
        args, kwargs = _legacy_weight_arguments(args, kwargs)
        return func(self, *args, **kwargs)

    return wrapper


def legacy_get_updates_support(func):
    """`get_updates(params, constraints, loss)` (Keras 2.0) -> `get_updates(loss, params)`."""

    @functools.wraps(func)
    def wrapper(self, *args, **kwargs):
        return func(self, **get_updates_arguments(args, kwargs))

    return wrapper


def get_updates_arguments(args, kwargs):
    """`{loss, params}` from either order of `get_updates`' arguments (self not included)."""
    kwargs = dict(kwargs)
    kwargs.pop("constraints", None)
    if len(args) > 3:
        raise TypeError("`get_update` call received more arguments than expected.")
    if len(args) == 3:  # (params, constraints, loss)
        params, _, loss = args
        return {**kwargs, "loss": loss, "params": params}
    if len(args) == 2 and isinstance(args[0], (list, tuple)) and isinstance(args[1], dict):
        return {**kwargs, "params": args[0]}  # (params, constraints), loss=...
    return {**kwargs, **dict(zip(("loss", "params"), args, strict=False))}


__all__ = [name for name in dir() if name.startswith(("legacy_", "raise_", "get_updates_"))]
__all__ += ["legacy_generator_methods_support"]
