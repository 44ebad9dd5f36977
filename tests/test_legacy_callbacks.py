"""Keras 2 callbacks on the legacy surface.

- `EarlyStopping`: under "keras-2.2" Keras 2.2.4's rule (written out below in Python, the
  oracle), under "tf.keras" tf-keras's own (the `tv2` oracle runs the same driver);
- `validation_data`: what Keras 2 gave every callback, `[x_val..., y_val..., weights...]`, the
  very arrays passed to `fit` and `fit_generator`;
- `ReduceLROnPlateau(epsilon=)` and `TensorBoard`'s Keras 2.2.4 arguments: warnings that name
  what happens instead, Keras 2.2.4's positional order, its error for histograms without
  validation data, and event files written.
The scenarios run in one subprocess per oracle.
"""

import numpy as np
import pytest

import oracles

EARLY_STOPPING = """
class Dummy:
    stop_training = False
    def __init__(self): self.w = -1
    def get_weights(self): return self.w
    def set_weights(self, w): self.w = w

def drive(levels, **kwargs):
    es = keras.callbacks.EarlyStopping(**kwargs)
    es.model = Dummy()
    es.on_train_begin()
    for epoch, value in enumerate(levels):
        es.model.w = epoch
        es.on_epoch_end(epoch, {kwargs['monitor']: value})
        if es.model.stop_training:
            break
    stopped_at = epoch + 1
    es.on_train_end()
    return [stopped_at, es.model.w]

result = {name: drive(levels, **kwargs) for name, (levels, kwargs) in CASES.items()}
"""

# (levels, EarlyStopping arguments): each case's name says what it probes.
CASES = {
    "baseline_met": ([0.55, 0.76, 0.81, 0.81], dict(monitor="val_acc", baseline=0.75, patience=2)),
    "baseline_missed": (
        [0.55, 0.74, 0.81, 0.81],
        dict(monitor="val_acc", baseline=0.75, patience=2),
    ),
    "restore_best": (
        [0.2, 0.15, 0.1, 0.11, 0.12],
        dict(monitor="val_loss", patience=2, restore_best_weights=True),
    ),
    "min_delta_max_mode": (
        [0.5, 0.52, 0.6, 0.61, 0.615, 0.62],
        dict(monitor="val_acc", min_delta=0.02, patience=1),
    ),
    "patience_zero": ([1.0, 0.9, 0.95, 0.8], dict(monitor="val_loss", patience=0)),
}


def keras224_early_stopping(
    levels, monitor, patience=0, min_delta=0.0, baseline=None, restore_best_weights=False
):
    """Keras 2.2.4's EarlyStopping rule: [epochs run, weights the dummy model ends with]."""
    larger = "acc" in monitor
    delta = min_delta if larger else -min_delta
    best = baseline if baseline is not None else (-np.inf if larger else np.inf)
    wait, weights, best_weights = 0, -1, None
    for epoch, value in enumerate(levels):
        weights = epoch
        improved = value - delta > best if larger else value - delta < best
        if improved:
            best, wait = value, 0
            best_weights = weights if restore_best_weights else best_weights
            continue
        wait += 1
        if wait >= patience:
            if restore_best_weights:
                weights = best_weights
            return [epoch + 1, weights]
    return [len(levels), weights]


OTHERS = """
import os, tempfile, warnings
def caught(fn):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter('always')
        value = fn()
    return value, [str(w.message) for w in seen]

X = np.random.RandomState(0).rand(12, 3).astype('float32')
Y = np.eye(2)[np.arange(12) % 2].astype('float32')
VX, VY = X[:4].copy(), Y[:4].copy()
def model():
    m = keras.models.Sequential([keras.layers.Dense(2, activation='softmax', input_shape=(3,))])
    m.compile('sgd', 'categorical_crossentropy', metrics=['accuracy'])
    return m

class Seen(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        self.seen = self.validation_data

def gen():
    while True:
        yield X[:6], Y[:6]

a, b = Seen(), Seen()
m = model()
m.fit(X, Y, batch_size=6, epochs=1, validation_data=(VX, VY), callbacks=[a], verbose=0)
m.fit_generator(gen(), 2, epochs=1, validation_data=(VX, VY), callbacks=[b], verbose=0)
c = Seen()
m.fit(X, Y, batch_size=6, epochs=1, validation_split=0.25, callbacks=[c], verbose=0)

rop, rop_warnings = caught(lambda: keras.callbacks.ReduceLROnPlateau(epsilon=1e-3))
log_dir = tempfile.mkdtemp()
if keras.legacy.get_flavor() == 'keras-2.2':  # Keras 2.2.4's positional order
    make = lambda: keras.callbacks.TensorBoard(log_dir, 0, 16, True, True, True, 0, ['dense'],
                                               None, VX)
else:
    make = lambda: keras.callbacks.TensorBoard(
        log_dir, batch_size=16, write_grads=True, write_images=True,
        embeddings_layer_names=['dense'], embeddings_data=VX)
tb, tb_warnings = caught(make)
m.fit(X, Y, batch_size=6, epochs=1, validation_data=(VX, VY), callbacks=[tb], verbose=0)
def histogram_without_validation():
    try:
        m.fit(X, Y, epochs=1, verbose=0, callbacks=[keras.callbacks.TensorBoard(
            tempfile.mkdtemp(), histogram_freq=1)])
    except ValueError as e:
        return str(e)
result = {
    'fit': [len(a.seen), a.seen[0] is VX, a.seen[1] is VY, a.seen[2].tolist()],
    'fit_generator': [len(b.seen), b.seen[0] is VX, b.seen[1] is VY, b.seen[2].tolist()],
    'split': [c.seen[0].tolist() == X[9:].tolist(), c.seen[1].tolist() == Y[9:].tolist()],
    'rop': [rop.min_delta, hasattr(rop, 'epsilon'), rop_warnings],
    'tensorboard': [tb.write_images, tb_warnings, bool(os.listdir(log_dir))],
    'histogram_without_validation': histogram_without_validation(),
}

# The other flavor's name of `metrics=['accuracy']` in every monitoring callback.
logged = 'val_acc' if keras.legacy.get_flavor() == 'keras-2.2' else 'val_accuracy'
other = 'val_accuracy' if logged == 'val_acc' else 'val_acc'
path = os.path.join(tempfile.mkdtemp(), 'best.h5')
watchers = [keras.callbacks.ModelCheckpoint(path, monitor=other, save_best_only=True),
            keras.callbacks.EarlyStopping(monitor=other, patience=50),
            keras.callbacks.ReduceLROnPlateau(monitor=other, patience=50)]
fitted, fit_warnings = caught(lambda: model().fit(
    X, Y, batch_size=6, epochs=2, validation_data=(VX, VY), callbacks=watchers, verbose=0))
result['accuracy_names'] = [
    logged in fitted.history, os.path.exists(path), [w.monitor for w in watchers],
    sum(other in w and logged in w for w in fit_warnings),
]
"""


@pytest.fixture(scope="module")
def runs():
    cases = "CASES = " + repr(CASES) + "\n"
    scenarios = {"early_stopping": cases + EARLY_STOPPING, "others": OTHERS}
    results = {"tv2": oracles.run("tv2", {"early_stopping": scenarios["early_stopping"]})}
    for flavor in ("compatkeras", "compatkeras-2.2"):
        results[flavor] = oracles.run(flavor, scenarios)
    return results


@pytest.mark.parametrize("case", sorted(CASES))
def test_early_stopping_follows_keras224_under_keras22(runs, case):
    levels, kwargs = CASES[case]
    got = oracles.value(runs["compatkeras-2.2"], "early_stopping")[case]
    assert got == keras224_early_stopping(levels, **kwargs)


@pytest.mark.parametrize("case", sorted(CASES))
def test_early_stopping_follows_tf_keras_under_tf_keras(runs, case):
    got = oracles.value(runs["compatkeras"], "early_stopping")[case]
    assert got == oracles.value(runs["tv2"], "early_stopping")[case]


def test_the_two_rules_differ_where_keras224_was_changed():
    levels, kwargs = CASES["baseline_missed"]
    assert keras224_early_stopping(levels, **kwargs) == [2, 1]  # tf-keras runs all 4 epochs


@pytest.mark.parametrize("flavor", ["compatkeras", "compatkeras-2.2"])
def test_callbacks_get_keras2_validation_data(runs, flavor):
    got = oracles.value(runs[flavor], "others")
    ones = [1.0] * 4
    assert got["fit"] == [3, True, True, ones]
    assert got["fit_generator"] == [3, True, True, ones]
    assert got["split"] == [True, True]


@pytest.mark.parametrize("flavor", ["compatkeras", "compatkeras-2.2"])
def test_reduce_lr_on_plateau_takes_keras2_epsilon_with_a_warning(runs, flavor):
    min_delta, has_epsilon, warnings = oracles.value(runs[flavor], "others")["rop"]
    assert (min_delta, has_epsilon) == (1e-3, False)
    assert any("`epsilon` argument is deprecated" in w for w in warnings)


@pytest.mark.parametrize("flavor", ["compatkeras", "compatkeras-2.2"])
def test_tensorboard_takes_keras224_arguments_and_names_what_is_not_written(runs, flavor):
    write_images, warnings, wrote = oracles.value(runs[flavor], "others")["tensorboard"]
    assert write_images is True and wrote  # 2.2.4's sixth positional argument, event files
    for name in ("write_grads", "embeddings_layer_names", "embeddings_data"):
        assert any(f"`{name}` is not honoured" in w for w in warnings), name
    assert not any("batch_size" in w for w in warnings)


@pytest.mark.parametrize(
    ("flavor", "logged"), [("compatkeras", "val_accuracy"), ("compatkeras-2.2", "val_acc")]
)
def test_monitoring_the_other_flavors_accuracy_name_follows_the_logs(runs, flavor, logged):
    # A Keras 2.2 program's ModelCheckpoint(monitor='val_acc') under the tf.keras flavor (and
    # the other way round): tf-keras would never save; here it monitors the logged name and
    # says so, once per callback (docs/deviations.md).
    has_key, saved, monitors, warned = oracles.value(runs[flavor], "others")["accuracy_names"]
    assert has_key and saved
    assert monitors == [logged] * 3
    assert warned == 3


def test_tensorboard_histograms_need_validation_data_under_keras22(runs):
    message = oracles.value(runs["compatkeras-2.2"], "others")["histogram_without_validation"]
    assert "validation_data must be provided" in message
    assert oracles.value(runs["compatkeras"], "others")["histogram_without_validation"] is None
