"""Bad calls on the Keras 2 surface: each raises the legacy spec's exception type with its message
(Keras 2.2.4's text; §A.3, §B.1, §C.1, §D, §F). Where the flavor changes the rule, the case says
which flavor it runs under."""

import re

import numpy as np
import pytest
import tensorflow as tf

import compatkeras as keras
from compatkeras.legacy import flavors as flavor_lib

X4 = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], "float32")
Y4 = np.array([[2], [1], [0], [1]], "float32")
ONEHOT = np.eye(2, dtype="float32")[[0, 1, 0, 1]]


def lin3(compile_kwargs=None):
    inp = keras.Input((3,), name="inp")
    model = keras.Model(inp, keras.layers.Dense(1, name="out")(inp))
    if compile_kwargs is not None:
        model.compile("sgd", **compile_kwargs)
    return model


def two_out():
    inp = keras.Input((3,), name="inp")
    return keras.Model(
        inp,
        [
            keras.layers.Dense(1, name="out1")(inp),
            keras.layers.Dense(2, activation="softmax", name="out2")(inp),
        ],
    )


def temporal(compile_kwargs):
    inp = keras.Input((4, 1), name="inp")
    model = keras.Model(inp, keras.layers.TimeDistributed(keras.layers.Dense(1), name="out")(inp))
    model.compile("sgd", **compile_kwargs)
    return model


def two_inputs():
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    model = keras.Model([a, b], keras.layers.Dense(1, name="out")(keras.layers.concatenate([a, b])))
    model.compile("sgd", "mse")
    return model


def bound_input_model():
    inp = keras.Input(tensor=tf.constant(X4))
    model = keras.Model(inp, keras.layers.Dense(1)(inp))
    model.compile("sgd", "mse", target_tensors=[tf.constant(Y4)])
    return model


class Batches(keras.utils.Sequence):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        return X4[2 * i : 2 * i + 2], Y4[2 * i : 2 * i + 2]


def endless(item):
    while True:
        yield item


MSE = {"loss": "mse"}
K = keras.backend
_TENSORS = "If your data is in the form of symbolic tensors, "


# (id, call, exception type, message start; flavor or None for the default)
def _shared_dense(attribute):
    dense = keras.layers.Dense(2, name="shared")
    dense(keras.Input((3,)))
    dense(keras.Input((3,)))
    return getattr(dense, attribute)


CASES = [
    *[
        (
            f"{attribute} of a layer called twice",
            lambda attribute=attribute: _shared_dense(attribute),
            AttributeError,
            f'Layer shared has multiple inbound nodes, hence the notion of "{what}" is '
            f"ill-defined. Use `{method}(node_index)` instead.",
            flavor_lib.KERAS_2_2,
        )
        for attribute, what, method in [
            ("input", "layer input", "get_input_at"),
            ("output", "layer output", "get_output_at"),
            ("input_mask", "layer input mask", "get_input_mask_at"),
            ("output_mask", "layer output mask", "get_output_mask_at"),
        ]
    ],
    # fit/evaluate from backend tensors (Keras 2.2.4's check_num_samples)
    (
        "fit tensors with batch_size",
        lambda: lin3(MSE).fit(K.zeros((4, 3)), K.zeros((4, 1)), batch_size=2, verbose=0),
        ValueError,
        _TENSORS + "you should specify the `steps_per_epoch` argument (instead of the "
        "`batch_size` argument, because symbolic tensors are expected to produce batches of "
        "input data).",
        flavor_lib.KERAS_2_2,
    ),
    (
        "fit tensors with validation_split",
        lambda: lin3(MSE).fit(
            [K.zeros((4, 3))], K.zeros((4, 1)), steps_per_epoch=2, validation_split=0.5, verbose=0
        ),
        ValueError,
        _TENSORS + "you cannot use `validation_split`.",
        flavor_lib.KERAS_2_2,
    ),
    (
        "evaluate tensors without steps",
        lambda: lin3(MSE).evaluate({"inp": K.zeros((4, 3))}, K.zeros((4, 1)), verbose=0),
        ValueError,
        _TENSORS + "you should specify the `steps` argument",
        flavor_lib.KERAS_2_2,
    ),
    # compile: loss
    (
        "loss dict unknown key",
        lambda: two_out().compile("sgd", {"out1": "mse", "bogus": "mse"}),
        ValueError,
        "Unknown entry in loss dictionary: \"bogus\". Only expected the following keys: ['out1', 'out2']",
        None,
    ),
    (
        "loss list length",
        lambda: two_out().compile("sgd", ["mse"]),
        ValueError,
        "When passing a list as loss, it should have one entry per model outputs. The model has 2 outputs, but you passed loss=['mse']",
        None,
    ),
    (
        "loss tuple in keras-2.2",
        lambda: two_out().compile("sgd", ("mse", "mse")),
        ValueError,
        "Could not interpret loss function identifier",
        flavor_lib.KERAS_2_2,
    ),
    (
        "unknown loss",
        lambda: lin3().compile("sgd", "nope"),
        ValueError,
        "Unknown loss function",
        None,
    ),
    (
        "no loss",
        lambda: lin3().compile("sgd"),
        ValueError,
        "The model cannot be compiled because it has no loss to optimize.",
        None,
    ),
    # compile: loss_weights
    (
        "loss_weights dict unknown key",
        lambda: two_out().compile("sgd", "mse", loss_weights={"bogus": 1}),
        ValueError,
        'Unknown entry in loss_weights dictionary: "bogus". Only expected the following keys:',
        None,
    ),
    (
        "loss_weights list length",
        lambda: two_out().compile("sgd", "mse", loss_weights=[1.0]),
        ValueError,
        "When passing a list as loss_weights, it should have one entry per model output. The model has 2 outputs, but you passed loss_weights=[1.0]",
        None,
    ),
    (
        "loss_weights float",
        lambda: two_out().compile("sgd", "mse", loss_weights=0.5),
        TypeError,
        "Could not interpret loss_weights argument: 0.5 - expected a list of dicts.",
        None,
    ),
    # compile: metrics
    (
        "metrics string",
        lambda: lin3().compile("sgd", "mse", metrics="acc"),
        TypeError,
        "Type of `metrics` argument not understood. Expected a list or dictionary, found: acc",
        None,
    ),
    (
        "metrics dict unknown key",
        lambda: two_out().compile("sgd", "mse", metrics={"bogus": ["acc"]}),
        ValueError,
        "Unknown entries in metrics dictionary: ['bogus']. Only expected following keys: ['out1', 'out2']",
        None,
    ),
    (
        "metrics list of lists length",
        lambda: two_out().compile("sgd", "mse", metrics=[["acc"]]),
        ValueError,
        "When passing a list of lists as `metrics`, it should have one entry per model output. The model has 2 outputs",
        None,
    ),
    (
        "unknown metric",
        lambda: lin3().compile("sgd", "mse", metrics=["nope"]),
        ValueError,
        "Unknown metric function",
        None,
    ),
    # compile: sample_weight_mode
    (
        "sample_weight_mode dict unknown key",
        lambda: two_out().compile("sgd", "mse", sample_weight_mode={"bogus": None}),
        ValueError,
        'Unknown entry in sample_weight_mode dictionary: "bogus". Only expected the following keys:',
        None,
    ),
    (
        "sample_weight_mode dict missing output",
        lambda: two_out().compile("sgd", "mse", sample_weight_mode={"out1": None}),
        ValueError,
        'Output "out2" missing from sample_weight_modes dictionary',
        None,
    ),
    (
        "sample_weight_mode list length",
        lambda: two_out().compile("sgd", "mse", sample_weight_mode=[None]),
        ValueError,
        "When passing a list as sample_weight_mode, it should have one entry per model output. The model has 2 outputs, but you passed sample_weight_mode=[None]",
        None,
    ),
    (
        "sample_weight_mode typo",
        lambda: lin3().compile("sgd", "mse", sample_weight_mode="temproal"),
        ValueError,
        "sample_weight_mode must be None or \"temporal\", got 'temproal'",
        None,
    ),
    # compile: target_tensors
    (
        "target_tensors list length",
        lambda: two_out().compile("sgd", "mse", target_tensors=[tf.constant(Y4)]),
        ValueError,
        "When passing a list as `target_tensors`, it should have one entry per model output. The model has 2 outputs",
        None,
    ),
    (
        "target_tensors dict unknown key",
        lambda: two_out().compile("sgd", "mse", target_tensors={"bogus": tf.constant(Y4)}),
        ValueError,
        'Unknown entry in `target_tensors` dictionary: "bogus". Only expected the following keys:',
        None,
    ),
    (
        "target_tensors single tensor, two outputs",
        lambda: two_out().compile("sgd", "mse", target_tensors=tf.constant(Y4)),
        ValueError,
        "The model has 2 outputs, but you passed a single tensor as `target_tensors`. Expected a list or a dict of tensors.",
        None,
    ),
    (
        "target_tensors array",
        lambda: lin3().compile("sgd", "mse", target_tensors=Y4),
        TypeError,
        "Expected `target_tensors` to be a tensor, a list of tensors, or dict of tensors, but got:",
        None,
    ),
    # compile: other arguments
    (
        "compile unknown kwarg",
        lambda: lin3().compile("sgd", "mse", foo=1),
        TypeError,
        "Invalid keyword argument(s) in `compile`: {'foo'}",
        None,
    ),
    (
        "unknown optimizer",
        lambda: lin3().compile("nope", "mse"),
        ValueError,
        "Unknown optimizer",
        None,
    ),
    (
        "optimizer of another type",
        lambda: lin3().compile(42, "mse"),
        ValueError,
        "Could not interpret optimizer identifier: 42",
        None,
    ),
    # fit / evaluate: arguments
    (
        "fit before compile",
        lambda: lin3().fit(X4, Y4, verbose=0),
        RuntimeError,
        "You must compile your model before using it.",
        None,
    ),
    (
        "evaluate before compile",
        lambda: lin3().evaluate(X4, Y4, verbose=0),
        RuntimeError,
        "You must compile your model before using it.",
        None,
    ),
    (
        "fit unknown kwarg",
        lambda: lin3(MSE).fit(X4, Y4, bogus=1),
        TypeError,
        "Unrecognized keyword arguments: {'bogus': 1}",
        None,
    ),
    (
        "validation_data of 4 items",
        lambda: lin3(MSE).fit(X4, Y4, validation_data=(X4, Y4, None, None), verbose=0),
        ValueError,
        "When passing validation_data, it must contain 2 (x_val, y_val) or 3 (x_val, y_val, val_sample_weights) items, however it contains 4 items",
        None,
    ),
    (
        "validation_steps without steps_per_epoch",
        lambda: lin3(MSE).fit(X4, Y4, validation_data=(X4, Y4), validation_steps=1, verbose=0),
        ValueError,
        "Can only use `validation_steps` when doing step-wise training, i.e. `steps_per_epoch` must be set.",
        None,
    ),
    (
        "step-wise validation without validation_steps",
        lambda: lin3(MSE).fit(X4, Y4, steps_per_epoch=1, validation_data=(X4, Y4), verbose=0),
        ValueError,
        "Must specify `validation_steps` to perform validation when doing step-wise training.",
        None,
    ),
    (
        "steps_per_epoch with batch_size in keras-2.2",
        lambda: lin3(MSE).fit(X4, Y4, batch_size=2, steps_per_epoch=1, verbose=0),
        ValueError,
        "If steps_per_epoch is set, the `batch_size` must be None.",
        flavor_lib.KERAS_2_2,
    ),
    (
        "data tensors without steps",
        lambda: bound_input_model().fit(verbose=0),
        ValueError,
        "If fitting from data tensors, you should specify the `steps_per_epoch` argument.",
        None,
    ),
    (
        "validation_split on data tensors",
        lambda: bound_input_model().fit(steps_per_epoch=1, validation_split=0.5, verbose=0),
        ValueError,
        "If your data is in the form of symbolic tensors, you cannot use `validation_split`.",
        None,
    ),
    # fit / evaluate: input and target data
    (
        "input shape",
        lambda: lin3(MSE).fit(np.zeros((4, 5)), Y4, verbose=0),
        ValueError,
        "Error when checking input: expected inp to have shape (3,) but got array with shape (5,)",
        None,
    ),
    (
        "input rank",
        lambda: lin3(MSE).evaluate(np.zeros((4, 3, 1)), Y4, verbose=0),
        ValueError,
        "Error when checking input: expected inp to have 2 dimensions, but got array with shape (4, 3, 1)",
        None,
    ),
    (
        "sample counts",
        lambda: lin3(MSE).fit(X4, Y4[:3], verbose=0),
        ValueError,
        "Input arrays should have the same number of samples as target arrays. Found 4 input samples and 3 target samples.",
        None,
    ),
    (
        "mse target shape",
        lambda: lin3(MSE).fit(X4, np.zeros((4, 2)), verbose=0),
        ValueError,
        "A target array with shape (4, 2) was passed for an output of shape (None, 1) while using as loss `mean_squared_error`. This loss expects targets to have the same shape as the output.",
        None,
    ),
    (
        "categorical_crossentropy on integer targets",
        lambda: lin3({"loss": "categorical_crossentropy"}).fit(X4, Y4, verbose=0),
        ValueError,
        "You are passing a target array of shape (4, 1) while using as loss `categorical_crossentropy`.",
        None,
    ),
    (
        "one array for two inputs",
        lambda: two_inputs().fit(X4, Y4, verbose=0),
        ValueError,
        "The model expects 2 input arrays, but only received one array. Found: array with shape (4, 3)",
        None,
    ),
    (
        "input dict missing a key",
        lambda: two_inputs().fit({"a": X4}, Y4, verbose=0),
        ValueError,
        "No data provided for \"b\". Need data for each key in: ['a', 'b']",
        None,
    ),
    (
        "input list of the wrong size",
        lambda: two_inputs().fit([X4, X4[:, :2], X4], Y4, verbose=0),
        ValueError,
        "Error when checking model input: the list of Numpy arrays that you are passing to your model is not the size the model expected. Expected to see 2 array(s)",
        None,
    ),
    (
        "y for a bound target",
        lambda: lin3({"loss": "mse", "target_tensors": [tf.constant(Y4)]}).train_on_batch(X4, Y4),
        ValueError,
        "Error when checking model target: expected no data, but got:",
        None,
    ),
    # sample and class weights
    (
        "temporal mode on a 2-D output",
        lambda: lin3({"loss": "mse", "sample_weight_mode": "temporal"}).fit(X4, Y4, verbose=0),
        ValueError,
        'Found a sample_weight array for an input with shape (4, 1). Timestep-wise sample weighting (use of sample_weight_mode="temporal") is restricted to outputs that are at least 3D, i.e. that have a time dimension.',
        None,
    ),
    (
        "temporal mode with 1-D weights",
        lambda: temporal({"loss": "mse", "sample_weight_mode": "temporal"}).fit(
            np.zeros((2, 4, 1)), np.zeros((2, 4, 1)), sample_weight=np.ones(2), verbose=0
        ),
        ValueError,
        "Found a sample_weight array with shape (2,). In order to use timestep-wise sample weighting, you should pass a 2D sample_weight array.",
        None,
    ),
    (
        "2-D weights without temporal mode",
        lambda: temporal(MSE).fit(
            np.zeros((2, 4, 1)), np.zeros((2, 4, 1)), sample_weight=np.ones((2, 4)), verbose=0
        ),
        ValueError,
        'Found a sample_weight array with shape (2, 4). In order to use timestep-wise sample weights, you should specify sample_weight_mode="temporal" in compile(). If you just mean to use sample-wise weights, make sure your sample_weight array is 1D.',
        None,
    ),
    (
        "weights that cannot broadcast",
        lambda: lin3(MSE).fit(X4, Y4, sample_weight=np.ones(3), verbose=0),
        ValueError,
        "Found a sample_weight array with shape (3,) for an input with shape (4, 1). sample_weight cannot be broadcast.",
        None,
    ),
    (
        "class_weight missing a class",
        lambda: lin3(MSE).fit(X4, Y4, class_weight={0: 1, 1: 1}, verbose=0),
        ValueError,
        "`class_weight` must contain all classes in the data. The classes {2.0} exist in the data but not in `class_weight`.",
        None,
    ),
    (
        "class_weight on 3-D targets",
        lambda: temporal(MSE).fit(
            np.zeros((2, 4, 1)), np.zeros((2, 4, 1)), class_weight={0: 1}, verbose=0
        ),
        ValueError,
        "`class_weight` not supported for 3+ dimensional targets.",
        None,
    ),
    (
        "sample_weight list length",
        lambda: (
            lambda m: (
                m.compile("sgd", "mse"),
                m.fit(X4, [Y4, ONEHOT], sample_weight=[np.ones(4)], verbose=0),
            )
        )(two_out()),
        ValueError,
        "Provided `sample_weight` was a list of 1 elements, but the model has 2 outputs. You should provide one `sample_weight`array per model output.",
        None,
    ),
    (
        "sample_weight type",
        lambda: (
            lambda m: (
                m.compile("sgd", "mse"),
                m.fit(X4, [Y4, ONEHOT], sample_weight=np.ones(4), verbose=0),
            )
        )(two_out()),
        TypeError,
        "The model has multiple outputs, so `sample_weight` should be either a list or a dict. Provided `sample_weight` type not understood:",
        None,
    ),
    (
        "flat class_weight on two outputs",
        lambda: (
            lambda m: (
                m.compile("sgd", "mse"),
                m.fit(X4, [Y4, ONEHOT], class_weight={0: 1, 1: 3}, verbose=0),
            )
        )(two_out()),
        ValueError,
        "Unknown entries in class_weight dictionary: [0, 1]. Only expected following keys: ['out1', 'out2']",
        None,
    ),
    # generators
    (
        "fit_generator with 4 positional arguments",
        lambda: lin3(MSE).fit_generator(Batches(), 2, 1, 1),
        TypeError,
        "`fit_generator` can accept only 3 positional arguments ('generator', 'steps_per_epoch', 'epochs'), but you passed the following positional arguments: ",
        None,
    ),
    (
        "generator without steps_per_epoch",
        lambda: lin3(MSE).fit_generator(endless((X4, Y4))),
        ValueError,
        "`steps_per_epoch=None` is only valid for a generator based on the `keras.utils.Sequence` class. Please specify `steps_per_epoch` or use the `keras.utils.Sequence` class.",
        None,
    ),
    (
        "nb_epoch and epochs",
        lambda: lin3(MSE).fit_generator(Batches(), nb_epoch=1, epochs=1),
        TypeError,
        "For the `epochs` argument, the layer received both the legacy keyword argument `nb_epoch` and the Keras 2 keyword argument `epochs`. Stick to the latter!",
        None,
    ),
    (
        "generator output of one item",
        lambda: lin3(MSE).fit_generator(endless((X4,)), steps_per_epoch=1, verbose=0),
        ValueError,
        "Output of generator should be a tuple `(x, y, sample_weight)` or `(x, y)`. Found: ",
        None,
    ),
    (
        "evaluate_generator without steps",
        lambda: lin3(MSE).evaluate_generator(endless((X4, Y4))),
        ValueError,
        "`steps=None` is only valid for a generator based on the `keras.utils.Sequence` class. Please specify `steps` or use the `keras.utils.Sequence` class.",
        None,
    ),
    (
        "validation generator without validation_steps",
        lambda: lin3(MSE).fit_generator(Batches(), validation_data=endless((X4, Y4)), verbose=0),
        ValueError,
        "`validation_steps=None` is only valid for a generator based on the `keras.utils.Sequence` class.",
        None,
    ),
    (
        "evaluate_generator on an empty batch",
        lambda: lin3(MSE).evaluate_generator(endless((X4[:0], Y4[:0])), steps=1),
        ValueError,
        "Received an empty batch. Batches should contain at least one item.",
        None,
    ),
    # the flavor switch
    (
        "unknown flavor",
        lambda: keras.legacy.set_flavor("keras-1"),
        ValueError,
        "flavor must be one of ('tf.keras', 'keras-2.2'), got 'keras-1'",
        None,
    ),
]


def test_table_is_large_enough():
    assert len(CASES) >= 30


@pytest.mark.parametrize(
    ("call", "kind", "message", "flavor"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_call(call, kind, message, flavor):
    with flavor_lib.flavor(flavor or flavor_lib.TF_KERAS):
        with pytest.raises(kind) as info:
            call()
    text = str(info.value)
    # Keras 2 raised a few of these with two arguments: str() is then tuple-style "('text', data)".
    text = re.sub(r"^\('", "", text)
    assert type(info.value) is kind
    assert text.startswith(message), text


def test_backend_tensors_train_a_step_at_a_time_under_keras22():
    with flavor_lib.flavor(flavor_lib.KERAS_2_2):
        model = lin3(MSE)
        x, y = K.zeros((4, 3)), K.zeros((4, 1))
        history = model.fit(x, y, steps_per_epoch=2, verbose=0)
        assert len(history.history["loss"]) == 1
        assert np.isfinite(model.evaluate(x, y, steps=2, verbose=0))
        assert hasattr(K.get_session(), "_make_callable_from_options")  # TF >= 1.8's session
        with pytest.raises(RuntimeError, match="K.function"):
            K.get_session()._make_callable_from_options(None)


def test_tf_keras_programs_still_pass_eager_tensors_as_arrays():
    # tf.keras 2.x (eager) treated an EagerTensor like an array: batch_size applies.
    with flavor_lib.flavor(flavor_lib.TF_KERAS):
        model = lin3(MSE)
        history = model.fit(tf.constant(X4), tf.constant(Y4), batch_size=2, verbose=0)
        assert len(history.history["loss"]) == 1


def test_a_layer_called_twice_still_answers_under_tf_keras_and_models_always_do():
    with flavor_lib.flavor(flavor_lib.TF_KERAS):
        assert _shared_dense("input").shape[-1] == 3  # tf-keras: the first call's
    with flavor_lib.flavor(flavor_lib.KERAS_2_2):
        inner = lin3()
        inner(keras.Input((3,)))
        assert inner.input is inner.inputs[0]  # a reused model (a GAN's) keeps its own
        assert _shared_dense("get_input_at")(1).shape[-1] == 3
