import pytest
from tables import table_tests

FIXES = [
    (  # KRS070
        "from keras.models import Model\nm = Model(input=a, output=b)\n",
        "from keras.models import Model\nm = Model(inputs=a, outputs=b)\n",
    ),
    (  # KRS071 + KRS072 on keras 2.2.4's own conversion table
        "from keras.layers import Dense, Convolution2D\n"
        "Dense(output_dim=10, init='he_normal', W_regularizer=r, bias=False)\n"
        "Convolution2D(32, 3, 3, border_mode='same', dim_ordering='th', subsample=(2, 2))\n",
        "from keras.layers import Dense, Convolution2D\n"
        "Dense(units=10, kernel_initializer='he_normal', kernel_regularizer=r, use_bias=False)\n"
        "Convolution2D(32, (3, 3), padding='same', data_format='channels_first', strides=(2, 2))\n",
    ),
    (  # value maps and input_dim + input_length
        "from keras.layers import LSTM\n"
        "LSTM(output_dim=8, inner_activation='hard_sigmoid', consume_less='gpu', dropout_W=0.1, "
        "input_dim=4, input_length=7)\n",
        "from keras.layers import LSTM\n"
        "LSTM(units=8, recurrent_activation='hard_sigmoid', dropout=0.1, "
        "input_shape=(7, 4))\n",
    ),
    (
        "import keras\nkeras.layers.Conv2D(8, nb_row=3, nb_col=5, dim_ordering='default')\n",
        "import keras\nkeras.layers.Conv2D(8, kernel_size=(3, 5))\n",
    ),
    (
        "import keras\nkeras.layers.Convolution3D(4, 3, 3, 3)\nkeras.layers.Dropout(p=0.5)\n",
        "import keras\nkeras.layers.Convolution3D(4, (3, 3, 3))\nkeras.layers.Dropout(rate=0.5)\n",
    ),
    (  # KRS073: class renames keep the local name of a from-import
        "from keras.layers import CuDNNLSTM, ThresholdedReLU\nl = CuDNNLSTM(10)\nt = ThresholdedReLU(0.5)\n",
        "from keras.layers import LSTM as CuDNNLSTM, ReLU as ThresholdedReLU\nl = CuDNNLSTM(10)\nt = ThresholdedReLU(threshold=0.5)\n",
    ),
    (
        "import keras\nkeras.layers.ThresholdedReLU()\nkeras.layers.AtrousConvolution2D(4, 3, 3, atrous_rate=(2, 2))\n",
        "import keras\nkeras.layers.ReLU(threshold=1.0)\nkeras.layers.Conv2D(4, (3, 3), dilation_rate=(2, 2))\n",
    ),
    (  # KRS074, KRS075
        "import keras\nkeras.layers.BatchNormalization(mode=0, beta_init='zeros')\nkeras.layers.LeakyReLU(alpha=0.2)\n",
        "import keras\nkeras.layers.BatchNormalization(beta_initializer='zeros')\nkeras.layers.LeakyReLU(negative_slope=0.2)\n",
    ),
    (  # KRS076: merge(mode=...) to the functional layers
        "from keras.layers import merge\nx = merge([a, b], mode='concat', concat_axis=1)\ny = merge([a, b], mode='cos', dot_axes=1)\nz = merge([a, b], mode='sum')\n",
        "from keras import layers as merge\nfrom keras import layers\nx = layers.concatenate([a, b], axis=1)\ny = layers.dot([a, b], axes=1, normalize=True)\nz = layers.add([a, b])\n",
    ),
    (  # `layers` is a local name here: keras.layers through `import keras`
        "from keras.layers import merge\nlayers = []\nz = merge([a, b], mode='mul')\n",
        "from keras import layers as merge\nimport keras\nlayers = []\nz = keras.layers.multiply([a, b])\n",
    ),
    (  # KRS078: add_weight, Keras 2 and Keras 1 forms
        "import keras\nclass L(keras.layers.Layer):\n    def build(self, s):\n"
        "        self.w = self.add_weight('kernel', (s[-1], 3), initializer='uniform')\n"
        "        self.b = self.add_weight((3,), 'bias')\n",
        "import keras\nclass L(keras.layers.Layer):\n    def build(self, s):\n"
        "        self.w = self.add_weight(name='kernel', shape=(s[-1], 3), initializer='uniform')\n"
        "        self.b = self.add_weight(shape=(3,), name='bias')\n",
    ),
]

NOOPS = [
    "import keras\nkeras.layers.Dense(10, kernel_initializer='he_normal')\nkeras.layers.Conv2D(8, (3, 3), 2)\n",
    "import keras\nkeras.layers.Conv2D(8, 3, 2, padding='same')\n",
    # a project's own Dense
    "from mylib import Dense\nDense(output_dim=3, init='x')\n",
    # tf.keras RNN defaults were Keras 3's already
    "import tensorflow as tf\ntf.keras.layers.GRU(3)\n",
    "import keras\nkeras.layers.LSTM(3, recurrent_activation='sigmoid')\n",
    # reported only
    "from keras.layers import Merge\nMerge([a, b], mode='concat')\n",
    "import tensorflow as tf\ntf.keras.layers.Conv2D(8, 3, 2)\n",
    "import keras\nkeras.layers.BatchNormalization(mode=2)\n",
    "import keras\nkeras.layers.Conv2D(8, dim_ordering=K.image_dim_ordering())\n",
]

test_fix, test_noop, test_idempotent = table_tests(FIXES, NOOPS)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from keras.layers import Merge\nMerge([a, b])\n", [("KRS077", False)]),
        ("import keras\nkeras.layers.LocallyConnected2D(3, 3)\n", [("KRS077", False)]),
        ("import keras\nkeras.layers.GRU(3)\n", [("KRS079", False)]),
        ("import keras\nkeras.layers.LSTM(3)\n", [("KRS079", False)]),
        ("import keras\nkeras.layers.BatchNormalization(mode=2)\n", [("KRS074", False)]),
        ("import keras\nkeras.layers.Conv2D(8, 3, 3, 'same')\n", [("KRS072", False)]),
        (  # the Keras 1 function's import is still rewritten: keras.layers has no merge
            "from keras.layers import merge\nmerge([a, b], mode=lambda t: t[0], output_shape=(3,))\n",
            [("KRS100", True), ("KRS076", False)],
        ),
        ("import keras\nkeras.layers.Dense(3, output_dim=4)\n", [("KRS071", False)]),
        ("import keras\nkeras.layers.Dense(output_dim=4, init='zero')\n", [("KRS071", True)]),
    ],
)
def test_report(findings, source, expected):
    assert findings(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import keras\nkeras.layers.Embedding(10, 4, input_length=5)\n", [("KRS080", False)]),
        ("import keras\nn = model.layers[-1].output_shape\n", [("KRS081", False)]),
        ("import keras\nn = model.get_layer('d').input_shape\n", [("KRS081", False)]),
        ("import keras\nn = model.output_shape\n", []),  # models keep it
        ("import keras\nmodel.metrics_tensors.append(t)\n", [("KRS082", False)]),
    ],
)
def test_more_reports(findings, source, expected):
    assert findings(source) == expected
