"""Keras 1 argument names on the Keras 2 surface, as keras 2.2.4 accepted them (its
`legacy/interfaces.py`): the layer gets the Keras 2 configuration, with keras 2.2.4's warning."""

import warnings

import pytest

import compatkeras as keras
from compatkeras.legacy import flavors

L = keras.layers

CASES = [
    # (Keras 1 call, the Keras 2 call it must equal)
    (
        lambda: L.Dense(output_dim=3, init="ones", bias=False),
        lambda: L.Dense(units=3, kernel_initializer="ones", use_bias=False),
    ),
    (lambda: L.Dropout(p=0.3), lambda: L.Dropout(rate=0.3)),
    (lambda: L.GaussianNoise(sigma=0.1), lambda: L.GaussianNoise(stddev=0.1)),
    (
        lambda: L.MaxPooling1D(pool_length=3, stride=2, border_mode="same"),
        lambda: L.MaxPooling1D(pool_size=3, strides=2, padding="same"),
    ),
    (
        lambda: L.Convolution2D(
            8, nb_row=3, nb_col=5, border_mode="same", dim_ordering="tf", subsample=(2, 2)
        ),
        lambda: L.Conv2D(8, (3, 5), padding="same", data_format="channels_last", strides=(2, 2)),
    ),
    (
        lambda: L.Conv1D(nb_filter=4, filter_length=3, subsample_length=2, init="zeros"),
        lambda: L.Conv1D(filters=4, kernel_size=3, strides=2, kernel_initializer="zeros"),
    ),
    (
        lambda: L.LSTM(
            output_dim=4,
            inner_activation="sigmoid",
            consume_less="gpu",
            dropout_W=0.1,
            forget_bias_init="one",
            input_dim=3,
            input_length=7,
        ),
        lambda: L.LSTM(
            units=4,
            recurrent_activation="sigmoid",
            dropout=0.1,
            unit_forget_bias=True,
            input_shape=(7, 3),
        ),
    ),
    (
        lambda: L.Embedding(10, 4, init="uniform", W_regularizer=None),
        lambda: L.Embedding(10, 4, embeddings_initializer="uniform", embeddings_regularizer=None),
    ),
    (
        lambda: L.BatchNormalization(mode=0, beta_init="zeros"),
        lambda: L.BatchNormalization(beta_initializer="zeros"),
    ),
    (
        lambda: L.ZeroPadding2D((1, 1), dim_ordering="th"),
        lambda: L.ZeroPadding2D((1, 1), data_format="channels_first"),
    ),
    (
        lambda: L.Deconvolution2D(4, 3, padding="same", output_shape=(None, 8, 8, 4)),
        lambda: L.Conv2DTranspose(4, 3, padding="same"),
    ),
]


def _config(layer):
    config = layer.get_config()
    config.pop("name")
    return config


@pytest.mark.parametrize("index", range(len(CASES)))
def test_keras1_call_gives_the_keras2_layer_with_a_warning(index):
    old, new = CASES[index]
    with pytest.warns(UserWarning, match=r"Update your `\w+` call to the Keras 2 API: `\w+\("):
        converted = old()
    assert _config(converted) == _config(new())
    assert isinstance(converted, type(new()).__mro__[1])


def test_keras2_calls_do_not_warn_and_aliases_stay_one_class():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        L.Dense(3, kernel_initializer="ones")
        L.Conv2D(4, (3, 3), strides=2)
    assert L.Convolution2D is L.Conv2D
    assert L.Deconvolution2D is L.Conv2DTranspose
    from compatkeras.legacy.layers import core

    assert core.Dense is L.Dense


def test_positional_kernel_sizes_follow_the_flavor():
    with flavors.flavor("keras-2.2"), pytest.warns(UserWarning, match="Update your `Conv2D` call"):
        k1 = L.Conv2D(8, 3, 5)
    assert k1.kernel_size == (3, 5) and k1.strides == (1, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tf_keras_style = L.Conv2D(8, 3, 2)  # tf.keras: kernel 3, strides 2
    assert tf_keras_style.kernel_size == (3, 3) and tf_keras_style.strides == (2, 2)
    with (
        flavors.flavor("keras-2.2"),
        pytest.raises(ValueError, match="Pass `strides` as a keyword"),
    ):
        L.Conv2D(8, 3, 3, padding="same")


def test_positional_kernel_sizes_with_keras1_names_are_keras1_in_both_flavors():
    """Keras 2.2.4 checked `padding`/`strides` as written, before converting `border_mode` and
    `subsample`; tf.keras never took those names, so such a call is Keras 1 there too."""
    for flavor in ("tf.keras", "keras-2.2"):
        with flavors.flavor(flavor), pytest.warns(UserWarning, match="Update your `Conv2D`"):
            layer = L.Convolution2D(8, 3, 5, border_mode="same", subsample=(2, 1), init="ones")
        assert layer.kernel_size == (3, 5) and layer.strides == (2, 1)
        assert layer.padding == "same"


def test_bad_keras1_values_are_clear_errors():
    with pytest.raises(ValueError, match=r"`dim_ordering`.*\['default', 'tf', 'th'\]"):
        L.MaxPooling2D(dim_ordering="nchw")
    with pytest.raises(TypeError, match="`mode=1` and `mode=2` are no longer supported"):
        L.BatchNormalization(mode=2)
    with pytest.raises(TypeError, match="both the Keras 1 argument `output_dim` and `units`"):
        L.Dense(units=3, output_dim=4)


def test_a_keras1_model_trains_and_round_trips_through_h5(tmp_path):
    import numpy as np

    with pytest.warns(UserWarning):
        model = keras.models.Sequential(
            [
                L.Dense(output_dim=4, input_dim=3, init="ones", activation="relu"),
                L.Dropout(p=0.0),
                L.Dense(1, init="zeros"),
            ]
        )
    model.compile("sgd", "mse")
    model.fit(np.ones((4, 3)), np.ones((4, 1)), epochs=1, verbose=0)
    model.save(str(tmp_path / "m.h5"))
    again = keras.models.load_model(str(tmp_path / "m.h5"))
    np.testing.assert_allclose(again.predict(np.ones((2, 3))), model.predict(np.ones((2, 3))))
