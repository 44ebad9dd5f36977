"""compatkeras.v3: bad arguments raise a clear error naming the argument (one `v3` subprocess).

Where Keras 3 has the check, the text is Keras 3's (test_v3_training.py O15 compares them);
`steps_per_execution`, `jit_compile`, `steps_per_epoch` and the PyDataset options are checked
here although Keras 3 accepts bad values and then crashes or trains nothing (docs/deviations.md).
"""

import pytest

import oracles

SETUP = """
x = np.random.RandomState(0).rand(20, 4).astype('float32')
y = x.sum(1, keepdims=True)
def mlp():
    i = keras.Input((4,), name='x')
    return keras.Model(i, keras.layers.Dense(1, name='dense')(i))
def compiled(**kwargs):
    m = mlp(); m.compile('sgd', loss='mse', **kwargs); return m
def two():
    i = keras.Input((4,), name='x')
    return keras.Model(i, [keras.layers.Dense(1, name='a')(i), keras.layers.Dense(1, name='b')(i)])
ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(5)
class DS(keras.utils.PyDataset):
    def __init__(self, item=None, **kw):
        super().__init__(**kw)
        self.item = item
    def __len__(self):
        return 2
    def __getitem__(self, i):
        return self.item if self.item is not None else (x[:5], y[:5])
"""

# name: (statement, exception type, words the message must contain)
CASES = {
    "spe_zero": ("compiled(steps_per_execution=0)", "ValueError", ["steps_per_execution", "0"]),
    "spe_negative": ("compiled(steps_per_execution=-1)", "ValueError", ["steps_per_execution"]),
    "spe_float": (
        "compiled(steps_per_execution=2.5)",
        "ValueError",
        ["steps_per_execution", "2.5"],
    ),
    "spe_string": (
        "compiled(steps_per_execution='auto')",
        "ValueError",
        ["steps_per_execution", "'auto'"],
    ),
    "spe_bool": ("compiled(steps_per_execution=True)", "ValueError", ["steps_per_execution"]),
    "jit_string": ("compiled(jit_compile='foo')", "ValueError", ["jit_compile", "'foo'"]),
    "loss_weights_int": ("compiled(loss_weights=2)", "ValueError", ["loss_weights=2"]),
    "metrics_string": ("compiled(metrics='mae')", "ValueError", ["`metrics`", "mae"]),
    "weighted_metrics_string": (
        "compiled(weighted_metrics='mae')",
        "ValueError",
        ["`weighted_metrics`"],
    ),
    "optimizer_name": (
        "mlp().compile('nope', loss='mse')",
        "ValueError",
        ["optimizer identifier: nope"],
    ),
    "compile_kwarg": ("mlp().compile('sgd', loss='mse', foo=1)", "TypeError", ["foo"]),
    "uncompiled_fit": ("mlp().fit(x, y, verbose=0)", "ValueError", ["compile()"]),
    "uncompiled_train_on_batch": ("mlp().train_on_batch(x, y)", "ValueError", ["compile()"]),
    "validation_freq": (
        "compiled().fit(x, y, validation_data=(x, y), validation_freq='2', verbose=0)",
        "ValueError",
        ["validation_freq=2"],
    ),
    "dataset_and_y": (
        "compiled().fit(ds, y, verbose=0)",
        "ValueError",
        ["`y` should not be passed"],
    ),
    "dataset_and_weights": (
        "compiled().fit(ds, sample_weight=y[:, 0], verbose=0)",
        "ValueError",
        ["`sample_weights`"],
    ),
    "string_data": (
        "compiled().fit('abc', verbose=0)",
        "ValueError",
        ["Unrecognized data type: x=abc"],
    ),
    "nested_python_lists": (
        "compiled().fit(x.tolist(), y.tolist(), verbose=0)",
        "ValueError",
        ["Unrecognized data type"],
    ),
    "cardinality": (
        "compiled().fit(x, y[:10], verbose=0)",
        "ValueError",
        ["'x' sizes: 20", "'y' sizes: 10"],
    ),
    "missing_input": (
        "compiled().fit({'zz': x}, y, verbose=0)",
        "ValueError",
        ['Missing data for input "x"'],
    ),
    "generator_and_y": ("compiled().fit((a for a in [x]), y, verbose=0)", "ValueError", ["`y`"]),
    "generator_class_weight": (
        "compiled().fit((a for a in [(x, y)]), class_weight={0: 1.0}, verbose=0)",
        "ValueError",
        ["class_weight"],
    ),
    "generator_not_tuple": (
        "compiled().fit((a for a in [[x, y]]), verbose=0)",
        "ValueError",
        ["must return a tuple"],
    ),
    "class_and_sample_weight": (
        "compiled().fit(x, y, class_weight={0: 1.}, sample_weight=y[:, 0], verbose=0)",
        "ValueError",
        ["class_weight", "sample_weight"],
    ),
    "evaluate_kwarg": ("compiled().evaluate(x, y, foo=1, verbose=0)", "ValueError", ["'foo': 1"]),
    "train_on_batch_both_weights": (
        "compiled().train_on_batch(x, y, sample_weight=y[:, 0], class_weight={0: 1.})",
        "ValueError",
        ["`sample_weight` and `class_weight`"],
    ),
    "train_on_batch_dataset": ("compiled().train_on_batch(ds)", "ValueError", ["train_on_batch"]),
    "pydataset_workers": (
        "compiled().fit(DS(workers=-1), verbose=0)",
        "ValueError",
        ["workers=-1"],
    ),
    "pydataset_queue": (
        "compiled().fit(DS(max_queue_size=0), verbose=0)",
        "ValueError",
        ["max_queue_size=0"],
    ),
    "pydataset_item": (
        "compiled().fit(DS(item=(x, y, y, y)), verbose=0)",
        "ValueError",
        ["PyDataset.__getitem__() must return a tuple or a dict"],
    ),
    "pydataset_and_y": (
        "compiled().fit(DS(), y, verbose=0)",
        "ValueError",
        ["`y` should not be passed"],
    ),
    "adam_lr": ("keras.optimizers.Adam(lr=0.1)", "ValueError", ["'lr': 0.1"]),
    "validation_split_dataset": (
        "compiled().fit(ds, validation_split=0.2, verbose=0)",
        "ValueError",
        ["`validation_split`"],
    ),
    "steps_per_epoch_float": (
        "compiled().fit(x, y, steps_per_epoch=2.5, verbose=0)",
        "ValueError",
        ["steps_per_epoch=2.5"],
    ),
    "flat_metrics_two_outputs": (
        "m = two(); m.compile('sgd', loss=['mse', 'mse'], metrics=['mae']); "
        "m.fit(x, [y, y], verbose=0)",
        "ValueError",
        ["`metrics`", "['a', 'b']"],
    ),
    "no_loss": (
        "m = mlp(); m.compile('sgd'); m.fit(x, y, verbose=0)",
        "ValueError",
        ["No loss to compute"],
    ),
    "unknown_loss": (
        "m = mlp(); m.compile('sgd', loss='nope'); m.fit(x, y, verbose=0)",
        "ValueError",
        ["loss identifier: nope"],
    ),
    "loss_dict_key": (
        "m = two(); m.compile('sgd', loss={'a': 'mse', 'zz': 'mse'}); m.fit(x, [y, y], verbose=0)",
        "ValueError",
        ["zz"],
    ),
    "no_targets": ("compiled().fit(x, verbose=0)", "ValueError", ["`y`", "dense"]),
}


@pytest.fixture(scope="module")
def results():
    scenarios = {}
    for name, (statement, _, _) in CASES.items():
        scenarios[name] = SETUP + statement.replace("; ", "\n") + "\nresult = 'no error'\n"
    return oracles.run("v3", scenarios)


def test_enough_cases():
    assert len(CASES) >= 20


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_argument(results, name):
    _, error, words = CASES[name]
    entry = results[name]
    assert "error" in entry, f"{name}: no error raised"
    assert entry["error"] == error, (entry["error"], entry["message"])
    for word in words:
        assert word in entry["message"], (word, entry["message"])
