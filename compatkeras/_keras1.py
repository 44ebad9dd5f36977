"""Keras 1 argument names and their Keras 2 replacements: keras 2.2.4's own conversion table
(`keras/legacy/interfaces.py`; shared/spec/migrate-rules.md §2.1). Plain data, used by the
rewriter (`migrate/rules/layers.py`) and by the legacy surface, which accepts Keras 1 names with
keras 2.2.4's warning (`legacy/keras1.py`). No TensorFlow import here.
"""

_REG = {
    "W_regularizer": "kernel_regularizer",
    "b_regularizer": "bias_regularizer",
    "W_constraint": "kernel_constraint",
    "b_constraint": "bias_constraint",
    "bias": "use_bias",
}
_DENSE = {"output_dim": "units", "init": "kernel_initializer", **_REG}
_CONV = {
    "nb_filter": "filters",
    "subsample": "strides",
    "border_mode": "padding",
    "dim_ordering": "data_format",
    "init": "kernel_initializer",
    **_REG,
}
_RNN = {
    "output_dim": "units",
    "init": "kernel_initializer",
    "inner_init": "recurrent_initializer",
    "inner_activation": "recurrent_activation",
    "W_regularizer": "kernel_regularizer",
    "b_regularizer": "bias_regularizer",
    "U_regularizer": "recurrent_regularizer",
    "dropout_W": "dropout",
    "dropout_U": "recurrent_dropout",
    "consume_less": "implementation",
}
_POOL2D = {"border_mode": "padding", "dim_ordering": "data_format"}
_FORMAT = {"dim_ordering": "data_format"}


def _each(names, table):
    return {name: table for name in names.split()}


KWARGS = {
    **_each("Dense", _DENSE),
    **_each("Dropout GaussianDropout SpatialDropout1D", {"p": "rate"}),
    **_each("SpatialDropout2D SpatialDropout3D", {"p": "rate", **_FORMAT}),
    "Embedding": {
        "init": "embeddings_initializer",
        "W_regularizer": "embeddings_regularizer",
        "W_constraint": "embeddings_constraint",
    },
    **_each(
        "MaxPooling1D AveragePooling1D MaxPool1D AvgPool1D",
        {"pool_length": "pool_size", "stride": "strides", "border_mode": "padding"},
    ),
    **_each(
        "MaxPooling2D AveragePooling2D MaxPooling3D AveragePooling3D MaxPool2D AvgPool2D "
        "MaxPool3D AvgPool3D",
        _POOL2D,
    ),
    **_each(
        "GlobalMaxPooling2D GlobalAveragePooling2D GlobalMaxPooling3D GlobalAveragePooling3D "
        "GlobalMaxPool2D GlobalAvgPool2D ZeroPadding2D ZeroPadding3D Cropping2D Cropping3D "
        "UpSampling2D UpSampling3D",
        _FORMAT,
    ),
    "PReLU": {"init": "alpha_initializer"},
    "GaussianNoise": {"sigma": "stddev"},
    **_each("GRU LSTM", _RNN),
    "SimpleRNN": {k: v for k, v in _RNN.items() if k != "inner_activation"},
    "UpSampling1D": {"length": "size"},
    **_each(
        "Conv1D Convolution1D AtrousConvolution1D",
        {"filter_length": "kernel_size", "subsample_length": "strides", **_CONV},
    ),
    **_each(
        "Conv2D Convolution2D Conv2DTranspose Convolution2DTranspose Deconvolution2D Deconv2D "
        "AtrousConvolution2D Conv3D Convolution3D",
        _CONV,
    ),
    **_each(
        "SeparableConv2D SeparableConvolution2D",
        {k: v for k, v in _CONV.items() if k not in ("init", "W_regularizer", "W_constraint")},
    ),
    "ConvLSTM2D": {**_CONV, **{k: v for k, v in _RNN.items() if k not in ("output_dim",)}},
    "BatchNormalization": {"beta_init": "beta_initializer", "gamma_init": "gamma_initializer"},
    **_each("Input InputLayer", {"input_dtype": "dtype"}),
}
# Value maps, as source text (None: the argument is dropped).
VALUES = {
    "dim_ordering": {"tf": "'channels_last'", "th": "'channels_first'", "default": None},
    # Only a speed choice, and Keras 3's SimpleRNN/ConvLSTM2D reject `implementation`: dropped.
    "consume_less": {"cpu": None, "mem": None, "gpu": None},
}

# Layers whose Keras 1 kernel size came as separate integers (`Convolution2D(32, 3, 3)`).
KERNEL_2D = {
    "Conv2D",
    "Convolution2D",
    "Conv2DTranspose",
    "Convolution2DTranspose",
    "Deconvolution2D",
    "Deconv2D",
    "AtrousConvolution2D",
    "SeparableConv2D",
    "SeparableConvolution2D",
    "ConvLSTM2D",
}
KERNEL_3D = {"Conv3D", "Convolution3D"}
