"""Keras 1 argument names on Keras 2 layers, accepted as keras 2.2.4 accepted them: converted to
the Keras 2 names with keras 2.2.4's warning ("Update your `Dense` call to the Keras 2 API:
`Dense(units=10, ...)`"). The table is `compatkeras/_keras1.py`, which the rewriter uses too.

tf.keras 2 had dropped these names (a TypeError); accepting them is a deliberate superset
(docs/deviations.md). The one ambiguous form, `Conv2D(32, 3, 3)` (Keras 1: a 3x3 kernel;
tf.keras: kernel 3, strides 3), is read as Keras 1 under the "keras-2.2" flavor, and under
"tf.keras" when the call also uses Keras 1 names (`border_mode=`, `subsample=`): tf.keras never
accepted those.
"""

import ast
import warnings

from compatkeras._keras1 import KERNEL_2D, KERNEL_3D, KWARGS, VALUES
from compatkeras.legacy import flavors

_RNN = {"SimpleRNN", "GRU", "LSTM", "ConvLSTM2D", "Conv1D", "Convolution1D"}
_KERNEL_KEYWORDS = {2: ("nb_row", "nb_col"), 3: ("kernel_dim1", "kernel_dim2", "kernel_dim3")}


def _shown(value):
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _rename(name, kwargs):
    for old, new in KWARGS.get(name, {}).items():
        if old not in kwargs:
            continue
        value = kwargs.pop(old)
        if old in VALUES:
            if value not in VALUES[old]:
                raise ValueError(
                    f"`{name}`: unknown value {value!r} for the Keras 1 argument "
                    f"`{old}`; expected one of {sorted(VALUES[old])}"
                )
            if VALUES[old][value] is None:
                continue  # no Keras 2 counterpart worth keeping ('default', consume_less)
            value = ast.literal_eval(VALUES[old][value])
        if new in kwargs:
            raise TypeError(f"`{name}` got both the Keras 1 argument `{old}` and `{new}`")
        kwargs[new] = value


def _kernel(name, args, kwargs, given, keras1_call):
    """`given`: the call's own keyword names; `keras1_call`: some were Keras 1 names."""
    rank = 2 if name in KERNEL_2D else 3
    keywords = _KERNEL_KEYWORDS[rank]
    if all(k in kwargs for k in keywords):
        kwargs["kernel_size"] = tuple(kwargs.pop(k) for k in keywords)
        return args
    # Keras 1 positional sizes: Convolution2D(32, 3, 3). tf.keras read the third int as strides;
    # a call that also uses Keras 1 names (`border_mode=`, `subsample=`) was never tf.keras's.
    keras1 = keras1_call or flavors.get_flavor() == flavors.KERAS_2_2
    if not keras1 or len(args) != 1 + rank:
        return args
    if not all(isinstance(a, int) for a in args[1:]):
        return args
    # Keras 2.2.4 checks the names as written, before converting Keras 1 ones.
    if any(k in given for k in ("padding", "strides", "data_format")):
        raise ValueError(
            "It seems that you are using the Keras 2 and you are passing both `kernel_size` and "
            "`strides` as integer positional arguments. For safety reasons, this is disallowed. "
            "Pass `strides` as a keyword argument instead."
        )
    return (args[0], tuple(args[1:]))


def convert(name, args, kwargs):
    """(args, kwargs) with the Keras 1 forms of `name`'s constructor turned into Keras 2 ones."""
    given = set(kwargs)
    kwargs = dict(kwargs)
    _rename(name, kwargs)
    keras1_call = any(old in given for old in KWARGS.get(name, {}))
    if name in _RNN:
        if "forget_bias_init" in kwargs:
            init = kwargs.pop("forget_bias_init")
            if init in ("one", "ones"):
                kwargs["unit_forget_bias"] = True
            else:
                warnings.warn(
                    "The `forget_bias_init` argument has been ignored. Use "
                    "`unit_forget_bias=True` instead to initialize with ones.",
                    stacklevel=4,
                )
        if "input_dim" in kwargs and "input_length" in kwargs and "input_shape" not in kwargs:
            kwargs["input_shape"] = (kwargs.pop("input_length"), kwargs.pop("input_dim"))
    if name in KERNEL_2D or name in KERNEL_3D:
        args = _kernel(name, args, kwargs, given, keras1_call)
    if name == "Embedding" and "dropout" in kwargs:
        kwargs.pop("dropout")
        warnings.warn(
            "The `dropout` argument is no longer support in `Embedding`. You can apply "
            "a `keras.layers.SpatialDropout1D` layer right after the `Embedding` layer "
            "to get the same behavior.",
            stacklevel=4,
        )
    if name == "BatchNormalization" and "mode" in kwargs:
        if kwargs.pop("mode") != 0:
            raise TypeError(
                "The `mode` argument of `BatchNormalization` no longer exists. "
                "`mode=1` and `mode=2` are no longer supported."
            )
    if name in ("Conv2DTranspose", "Deconvolution2D") and "output_shape" in kwargs:
        kwargs.pop("output_shape")
    return args, kwargs


def keras1_interface(cls):
    """`cls` whose constructor also takes its Keras 1 arguments, with keras 2.2.4's warning."""
    name = cls.__name__
    if name not in KWARGS and name not in KERNEL_2D and name not in KERNEL_3D:
        return cls

    def __init__(self, *args, **kwargs):
        new_args, new_kwargs = convert(name, args, kwargs)
        if (
            new_args is not args
            or new_kwargs.keys() != kwargs.keys()
            or any(new_kwargs[k] is not v for k, v in kwargs.items())
        ):
            shown = [_shown(a) for a in new_args] + [
                f"{k}={_shown(v)}" for k, v in new_kwargs.items()
            ]
            warnings.warn(
                f"Update your `{name}` call to the Keras 2 API: `{name}({', '.join(shown)})`",
                stacklevel=2,
            )
        cls.__init__(self, *new_args, **new_kwargs)

    return type(
        name,
        (cls,),
        {
            "__init__": __init__,
            "__module__": cls.__module__,
            "__doc__": cls.__doc__,
            "__qualname__": cls.__qualname__,
        },
    )
