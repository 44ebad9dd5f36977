import pytest
from tables import table_tests

FIXES = [
    (  # KRS055 + KRS054: the file compiles with 'accuracy', so Keras 3 logs val_accuracy
        "from keras.callbacks import EarlyStopping\nmodel.compile('adam', 'mean_squared_error', metrics=['accuracy'])\n"
        "cb = EarlyStopping(monitor='val_acc', patience=3)\n",
        "from keras.callbacks import EarlyStopping\nmodel.compile('adam', 'mean_squared_error', metrics=['accuracy'])\n"
        "cb = EarlyStopping(monitor='val_accuracy', patience=3, mode='max')\n",
    ),
    (  # with 'acc' the key stays; only the mode is pinned
        "import keras\nmodel.compile('adam', 'mean_squared_error', metrics=['acc'])\n"
        "keras.callbacks.EarlyStopping(monitor=\"val_acc\", mode='auto')\n",
        "import keras\nmodel.compile('adam', 'mean_squared_error', metrics=['acc'])\n"
        "keras.callbacks.EarlyStopping(monitor=\"val_acc\", mode='max')\n",
    ),
    (  # ModelCheckpoint: Keras 2 positional order; KRS053 for a full-model .hdf5
        "from keras.callbacks import ModelCheckpoint\nModelCheckpoint('best.hdf5', 'val_loss', 1, True)\n",
        "from keras.callbacks import ModelCheckpoint\nModelCheckpoint('best.keras', monitor='val_loss', verbose=1, save_best_only=True)\n",
    ),
    (  # KRS052
        'from keras.callbacks import ModelCheckpoint\nModelCheckpoint("w.{epoch:02d}.h5", save_weights_only=True)\n',
        'from keras.callbacks import ModelCheckpoint\nModelCheckpoint("w.{epoch:02d}.weights.h5", save_weights_only=True)\n',
    ),
    (  # KRS056, KRS050, KRS057
        "import keras\ncb = [keras.callbacks.ReduceLROnPlateau(monitor='val_loss', epsilon=1e-3),\n"
        "      keras.callbacks.ProgbarLogger(count_mode='samples'),\n"
        "      keras.callbacks.TensorBoard(log_dir='logs', batch_size=32, write_grads=True)]\n",
        "import keras\ncb = [keras.callbacks.ReduceLROnPlateau(monitor='val_loss', min_delta=1e-3),\n"
        "      keras.callbacks.ProgbarLogger(),\n"
        "      keras.callbacks.TensorBoard(log_dir='logs')]\n",
    ),
]

NOOPS = [
    "import keras\nkeras.callbacks.EarlyStopping(monitor='val_loss')\n",
    "import keras\nkeras.callbacks.ModelCheckpoint('m.keras', monitor='val_accuracy', mode='max')\n",
    "import keras\nkeras.callbacks.ModelCheckpoint('w.weights.h5', save_weights_only=True)\n",
    # a full-model .h5 checkpoint still works in Keras 3
    "import keras\nkeras.callbacks.ModelCheckpoint('m.h5')\n",
    # a project's own callback
    "from mylib.callbacks import EarlyStopping\nEarlyStopping(monitor='val_acc')\n",
]

test_fix, test_noop, test_idempotent = table_tests(FIXES, NOOPS)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "import keras\nkeras.callbacks.ModelCheckpoint('m.keras', period=2)\n",
            [("KRS051", False)],
        ),
        (
            "import keras\nkeras.callbacks.ModelCheckpoint(path, save_weights_only=True)\n",
            [("KRS066", False)],
        ),
        ("import keras\nkeras.callbacks.EarlyStopping(monitor='val_acc')\n", [("KRS054", True)]),
    ],
)
def test_report(findings, source, expected):
    assert findings(source) == expected
