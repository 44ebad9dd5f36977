"""Keras 2's checks and standardisation of x, y, sample_weight and class_weight (legacy spec
§B.1 and §F), with Keras 2.2.4's error texts. Produces the plain lists the engine takes."""

import warnings

import numpy as np
import tensorflow as tf

from compatkeras.engine.data import is_sparse_matrix
from compatkeras.legacy import flavors as flavor_lib


def as_array(value):
    if isinstance(value, (tf.Tensor, tf.Variable)):
        return value.numpy()
    if is_sparse_matrix(value):
        return value.tocsr()  # rows sliced per batch, made dense there (Keras 2 did the same)
    return np.asarray(value)


def bound_inputs(model):
    """{input index: tensor} for inputs made with `Input(tensor=...)` (kept by legacy `Input`)."""
    bound = {}
    for i, layer in enumerate(model._input_layers):
        tensor = getattr(layer, "_compatkeras_tensor", None)
        if tensor is not None:
            bound[i] = tensor
    return bound


def model_inputs(model, x):
    """(inputs, all bound) for `x`: Keras 2 fed only the inputs that were placeholders, so
    inputs made with `Input(tensor=...)` take their tensor's values and `x` holds the others.
    `all bound`: every input is bound and no `x` was given; the inputs are then the tensors."""
    names = model.input_names
    shapes = [tuple(t.shape) for t in model.inputs]
    bound = bound_inputs(model)
    if not bound:
        return standardize_input_data(x, names, shapes, "input"), False
    if len(bound) == len(names) and (x is None or (isinstance(x, (list, dict)) and not x)):
        return [bound[i] for i in range(len(names))], True
    free = [i for i in range(len(names)) if i not in bound]
    given = iter(
        standardize_input_data(x, [names[i] for i in free], [shapes[i] for i in free], "input")
    )
    return [bound_value(bound[i]) if i in bound else next(given) for i in range(len(names))], False


def bound_value(tensor):
    """What training reads of an `Input(tensor=...)` beside fed data: a variable stays a
    variable, read when each batch is taken (a callback may have changed it, and Keras 2 read
    it in the graph at every step); other tensors are constant and become arrays."""
    return tensor if isinstance(tensor, tf.Variable) else as_array(tensor)


def standardize_input_data(data, names, shapes, prefix, check_shapes=True):
    """Keras 2.2.4 `standardize_input_data`: a list of arrays aligned with `names`."""
    if not names:
        if data is not None and (not hasattr(data, "__len__") or len(data)):
            raise ValueError(
                f"Error when checking model {prefix}: expected no data, but got:", data
            )
        return []
    if data is None:
        return [None] * len(names)
    if isinstance(data, dict):
        try:
            data = [as_array(data[name]) for name in names]
        except KeyError as e:
            raise ValueError(
                f'No data provided for "{e.args[0]}". Need data for each key in: {names}'
            ) from None
    elif isinstance(data, (list, tuple)):
        if len(data) != len(names):
            if data and hasattr(data[0], "shape"):
                raise ValueError(
                    f"Error when checking model {prefix}: the list of Numpy arrays that you are "
                    "passing to your model is not the size the model expected. Expected to see "
                    f"{len(names)} array(s), but instead got the following list of {len(data)} "
                    f"arrays: {str(data)[:200]}..."
                )
            if len(names) == 1:
                data = [np.asarray(data)]
            else:
                raise ValueError(
                    f"Error when checking model {prefix}: you are passing a list as input to your "
                    f"model, but the model expects a list of {len(names)} Numpy arrays instead. "
                    f"The list you passed was: {str(data)[:200]}"
                )
        else:
            data = [as_array(d) for d in data]
    else:
        if len(names) > 1:
            raise ValueError(
                f"The model expects {len(names)} {prefix} arrays, but only received one array. "
                f"Found: array with shape {np.shape(data)}"
            )
        data = [as_array(data)]
    # 1-D arrays become columns, except for an input declared 1-D (`Input(batch_shape=(n,))`,
    # tf.keras's rule; Keras 2.2.4 expanded those too and then refused them). Targets (no shape
    # check) always become columns: the losses see them as Keras 2 showed them.
    ranks = [
        len(s) if check_shapes and s is not None else None for s in shapes or [None] * len(data)
    ]
    data = [
        np.expand_dims(d, 1) if d.ndim == 1 and rank != 1 else d
        for d, rank in zip(data, ranks, strict=True)
    ]
    if check_shapes:
        for name, shape, array in zip(names, shapes, data, strict=True):
            if shape is None:
                continue
            if array.ndim != len(shape):
                raise ValueError(
                    f"Error when checking {prefix}: expected {name} to have {len(shape)} "
                    f"dimensions, but got array with shape {array.shape}"
                )
            for ref, dim in zip(shape[1:], array.shape[1:], strict=True):
                if ref is not None and ref != dim:
                    raise ValueError(
                        f"Error when checking {prefix}: expected {name} to have shape "
                        f"{tuple(shape[1:])} but got array with shape {array.shape[1:]}"
                    )
    return data


def check_array_lengths(inputs, targets, weights):
    def lengths(arrays):
        return {a.shape[0] for a in arrays if a is not None}

    xs, ys, ws = lengths(inputs), lengths(targets), lengths(weights)
    for found, arrays, label in (
        (xs, inputs, "input arrays (x)"),
        (ys, targets, "target arrays (y)"),
    ):
        if len(found) > 1:
            raise ValueError(
                f"All {label} should have the same number of samples. Got array shapes: "
                f"{[a.shape for a in arrays]}"
            )
    if xs and ys and xs != ys:
        raise ValueError(
            "Input arrays should have the same number of samples as target arrays. Found "
            f"{xs.pop()} input samples and {ys.pop()} target samples."
        )
    if len(ws) > 1:
        raise ValueError(
            "All sample_weight arrays should have the same number of samples. Got array shapes: "
            f"{[a.shape for a in weights if a is not None]}"
        )
    if ys and ws and ys != ws:
        raise ValueError(
            "Sample_weight arrays should have the same number of samples as target arrays. Got "
            f"{ys.pop()} input samples and {ws.pop()} target samples."
        )


_SHAPE_CHECKED_LOSSES = ("mean_squared_error", "binary_crossentropy", "categorical_crossentropy")


def check_loss_and_target_compatibility(targets, outputs, shapes):
    for y, output, shape in zip(targets, outputs, shapes, strict=True):
        name = getattr(output.loss, "__name__", None)
        if y is None or name not in _SHAPE_CHECKED_LOSSES:
            continue
        if name == "categorical_crossentropy" and y.shape[-1] == 1:
            raise ValueError(
                f"You are passing a target array of shape {y.shape} while using as loss "
                "`categorical_crossentropy`. `categorical_crossentropy` expects targets to be "
                "binary matrices (1s and 0s) of shape (samples, classes). If your targets are "
                "integer classes, you can convert them to the expected format via:\n```\n"
                "from keras.utils import to_categorical\ny_binary = to_categorical(y_int)\n```\n\n"
                "Alternatively, you can use the loss function `sparse_categorical_crossentropy` "
                "instead, which does expect integer targets."
            )
        for target_dim, out_dim in zip(y.shape[1:], shape[1:], strict=False):
            if out_dim is not None and target_dim != out_dim:
                raise ValueError(
                    f"A target array with shape {y.shape} was passed for an output of shape "
                    f"{tuple(shape)} while using as loss `{name}`. This loss expects targets to "
                    "have the same shape as the output."
                )


def per_output(weights, names, kind):
    """Keras 2's `standardize_sample_or_class_weights`: one entry (or None) per output."""
    if weights is None or (isinstance(weights, list) and not weights):
        return [None] * len(names)
    if len(names) == 1:
        if isinstance(weights, list) and len(weights) == 1:
            return weights
        if isinstance(weights, dict) and names[0] in weights:
            return [weights[names[0]]]
        return [weights]
    if isinstance(weights, list):
        if len(weights) != len(names):
            raise ValueError(
                f"Provided `{kind}` was a list of {len(weights)} elements, but the model has "
                f"{len(names)} outputs. You should provide one `{kind}`array per model output."
            )
        return weights
    if isinstance(weights, dict):
        unknown = [k for k in weights if k not in names]
        if unknown and flavor_lib.get_flavor() == flavor_lib.TF_KERAS:
            raise ValueError(
                f"Unknown entries in {kind} dictionary: {unknown}. "
                f"Only expected following keys: {names}"
            )
        return [weights.get(name) for name in names]
    raise TypeError(
        f"The model has multiple outputs, so `{kind}` should be either a list or a dict. "
        f"Provided `{kind}` type not understood: {weights}"
    )


def _class_ids(y, temporal):
    if temporal and y.ndim == 3:
        # Beyond Keras 2 (keras#16674): one class per timestep of a one-hot 3-D target.
        return np.argmax(y, axis=-1) if y.shape[-1] > 1 else y[..., 0]
    if y.ndim > 2:
        raise ValueError("`class_weight` not supported for 3+ dimensional targets.")
    if y.shape[1] > 1:
        return np.argmax(y, axis=1)
    return np.reshape(y, len(y))


def standardize_weights(y, sample_weight, class_weight, temporal, keras22):
    """Keras 2's `standardize_weights`: the weights of one output, always an array."""
    if temporal:
        if y.ndim < 3:
            raise ValueError(
                f"Found a sample_weight array for an input with shape {y.shape}. Timestep-wise "
                'sample weighting (use of sample_weight_mode="temporal") is restricted to outputs '
                "that are at least 3D, i.e. that have a time dimension."
            )
        if sample_weight is not None and np.ndim(sample_weight) != 2:
            raise ValueError(
                f"Found a sample_weight array with shape {np.shape(sample_weight)}. In order to use "
                "timestep-wise sample weighting, you should pass a 2D sample_weight array."
            )
    elif sample_weight is not None and np.ndim(sample_weight) != 1:
        raise ValueError(
            f"Found a sample_weight array with shape {np.shape(sample_weight)}. In order to use "
            'timestep-wise sample weights, you should specify sample_weight_mode="temporal" in '
            "compile(). If you just mean to use sample-wise weights, make sure your sample_weight "
            "array is 1D."
        )
    if sample_weight is not None:
        sample_weight = as_array(sample_weight).astype("float32")
        if sample_weight.ndim > y.ndim:
            raise ValueError(
                f"Found a sample_weight with shape{sample_weight.shape}.Expected sample_weight with "
                f"rank less than or equal to {y.ndim}"
            )
        if y.shape[: sample_weight.ndim] != sample_weight.shape:
            raise ValueError(
                f"Found a sample_weight array with shape {sample_weight.shape} for an input with "
                f"shape {y.shape}. sample_weight cannot be broadcast."
            )
    if isinstance(class_weight, dict):
        if sample_weight is not None and keras22:
            warnings.warn(
                "Found both `sample_weight` and `class_weight`: `class_weight` argument will be "
                "ignored.",
                stacklevel=5,
            )
            return sample_weight
        ids = _class_ids(y, temporal)
        missing = set(np.unique(ids).tolist()) - set(class_weight)
        if missing:
            raise ValueError(
                "`class_weight` must contain all classes in the data. The classes "
                f"{missing} exist in the data but not in `class_weight`."
            )
        weights = np.vectorize(lambda c: class_weight[c], otypes=["float32"])(ids)
        return weights if sample_weight is None else sample_weight * weights
    if sample_weight is not None:
        return sample_weight
    return np.ones(y.shape[:2] if temporal else y.shape[:1], dtype="float32")


def give_validation_data(callbacks, validation):
    """Keras 2 gave each callback `validation_data`: the validation inputs, targets and sample
    weights as one list (custom callbacks read `self.validation_data[0]` for metrics)."""
    if validation is None:
        return
    flat = [a for part in validation for a in part]
    for callback in callbacks or ():
        callback.validation_data = flat


def slice_arrays(arrays, start, stop=None):
    return [None if a is None else a[start:stop] for a in arrays]


def unpack_singleton(values):
    """Keras 2 return shape: one float32 for one value, else a list in `metrics_names` order."""
    values = [np.float32(v) for v in values]
    return values[0] if len(values) == 1 else values


def has_tensors(x, y):
    """Whether inputs or targets are given as backend tensors (`K.zeros(...)`, `K.variable`)."""
    for data in (x, y):
        if isinstance(data, dict):
            data = list(data.values())
        for item in data if isinstance(data, (list, tuple)) else [data]:
            if isinstance(item, (tf.Tensor, tf.Variable)) or tf.is_symbolic_tensor(item):
                return True
    return False


def tensor_steps_error(steps_name):
    """Keras 2.2.4's `check_num_samples`: data given as backend tensors is read a batch per
    step, so `steps` must be given (not `batch_size`)."""
    return ValueError(
        "If your data is in the form of symbolic tensors, you should specify the "
        f"`{steps_name}` argument (instead of the `batch_size` argument, because symbolic "
        "tensors are expected to produce batches of input data)."
    )


def pop_validation_options(kwargs):
    """tf.keras 2.x's `validation_freq` and `validation_batch_size` from `fit`'s keyword
    arguments (under the "keras-2.2" flavor they stay, and the caller's check refuses them:
    Keras 2.2.4 had neither)."""
    from compatkeras.legacy import flavors

    if flavors.get_flavor() != flavors.TF_KERAS:
        return 1, None
    freq = kwargs.pop("validation_freq", 1)
    if not (isinstance(freq, int) and freq >= 1) and not isinstance(freq, (list, tuple, set)):
        raise ValueError(
            f"`validation_freq` must be an int >= 1 or a list of epochs (1-based), got {freq!r}"
        )
    return freq, kwargs.pop("validation_batch_size", None)


def test_hooks(callbacks):
    """The fit's callbacks for its validation: tf.keras 2.x (and its v1 engine) calls
    `on_test_begin`, the test batch hooks and `on_test_end` while validating; Keras 2.2.4 does
    not."""
    return None if flavor_lib.is_keras22() else callbacks


def every(validate, freq):
    """`validate(epoch, callbacks)` run only on the epochs `validation_freq` names (tf.keras: an
    int N is every N-th epoch, a list the 1-based epochs in it); None on the others."""
    if validate is None or freq == 1:
        return validate

    def scheduled(epoch, callbacks):
        due = (epoch + 1) % freq == 0 if isinstance(freq, int) else (epoch + 1) in freq
        return validate(epoch, callbacks) if due else None

    return scheduled
