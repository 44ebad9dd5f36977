"""compatkeras.v3: steps_per_execution, jit_compile, auto_scale_loss, PyDataset workers, and the
one-engine promise (legacy and v3 surfaces train identically), in one `v3` subprocess.

The callback index table is keras3 spec §A.4 with compatkeras's corrections: Keras 3's end index
(`begin + spe - 1`, also for a short last execution), except that `steps_per_epoch` is exact (an
execution it cuts short ends at the epoch's last step); unknown-size data has no dangling
`batch_begin` and no "ran out of data" warning when it simply ends.
"""

import pytest

import oracles

SETUP = """
import warnings
r = np.random.RandomState(0)
x40 = r.rand(40, 4).astype('float32')
y40 = 0.5 * x40.sum(1, keepdims=True)

def mlp(module=keras):
    i = module.Input((4,), name='x')
    o = module.layers.Dense(1, kernel_initializer='ones', name='dense')(i)
    return module.Model(i, o)

class Events(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.events = []
    def on_train_batch_begin(self, b, logs=None): self.events.append(('b', b))
    def on_train_batch_end(self, b, logs=None): self.events.append(('e', b))
    def on_test_batch_begin(self, b, logs=None): self.events.append(('b', b))
    def on_test_batch_end(self, b, logs=None): self.events.append(('e', b))
    def on_predict_batch_begin(self, b, logs=None): self.events.append(('b', b))
    def on_predict_batch_end(self, b, logs=None): self.events.append(('e', b))
    def on_epoch_begin(self, epoch, logs=None): self.events.append(('epoch', epoch))

def pairs(events):
    out, begin = [], None
    for kind, i in events:
        if kind == 'epoch':
            out.append('|')
        elif kind == 'b':
            assert begin is None, 'begin without end'
            begin = i
        else:
            out.append([begin, i]); begin = None
    assert begin is None, 'dangling begin'
    return out

def run_fit(spe, data=None, **kwargs):
    m = mlp(); m.compile(SGD(0.01), loss='mse', steps_per_execution=spe)
    ev = Events()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        h = m.fit(*(data or (x40, y40)), verbose=0, callbacks=[ev], shuffle=False,
                  **({'batch_size': 5} if data is None else {}), **kwargs)
    return {'pairs': pairs(ev.events), 'iterations': int(m.optimizer.iterations.numpy()),
            'ran_out': sum('ran out of data' in str(w.message) for w in caught),
            'steps': h.params['steps']}

def unknown_size(n=8):
    def gen():
        for i in range(n):
            yield x40[i * 5:(i + 1) * 5], y40[i * 5:(i + 1) * 5]
    spec = (tf.TensorSpec((None, 4), tf.float32), tf.TensorSpec((None, 1), tf.float32))
    return tf.data.Dataset.from_generator(gen, output_signature=spec)
"""

TABLE = {
    "spe1": ("run_fit(1)", [["|"] + [[i, i] for i in range(8)], 8]),
    "spe3": ("run_fit(3)", [["|", [0, 2], [3, 5], [6, 8]], 8]),
    "spe4": ("run_fit(4)", [["|", [0, 3], [4, 7]], 8]),
    "spe32": ("run_fit(32)", [["|", [0, 31]], 8]),
    "spe2_steps5_epochs2": (
        "run_fit(2, steps_per_epoch=5, epochs=2)",
        [["|", [0, 1], [2, 3], [4, 4], "|", [0, 1], [2, 3]], 8],
    ),
    "spe1_steps3_epochs4": (
        "run_fit(1, steps_per_epoch=3, epochs=4)",
        [
            [
                "|",
                [0, 0],
                [1, 1],
                [2, 2],
                "|",
                [0, 0],
                [1, 1],
                [2, 2],
                "|",
                [0, 0],
                [1, 1],
                "|",
                [0, 0],
                [1, 1],
                [2, 2],
            ],
            11,
        ],
    ),
    "spe1_steps12": ("run_fit(1, steps_per_epoch=12)", [["|"] + [[i, i] for i in range(8)], 8]),
    "unknown_spe3": (
        "run_fit(3, data=(unknown_size(),), epochs=2)",
        [["|", [0, 2], [3, 5], [6, 8], "|", [0, 2], [3, 5], [6, 8]], 16],
    ),
    "unknown_spe1": ("run_fit(1, data=(unknown_size(),))", [["|"] + [[i, i] for i in range(8)], 8]),
    "infinite_spe4": (
        "run_fit(4, data=(tf.data.Dataset.from_tensor_slices((x40, y40)).batch(5).repeat(),), "
        "steps_per_epoch=6, epochs=2)",
        [["|", [0, 3], [4, 5], "|", [0, 3], [4, 5]], 12],
    ),
}


def _eval_scenario(spe, method):
    call = (
        "m.evaluate(x40, y40, batch_size=5, verbose=0, callbacks=[ev])"
        if method == "evaluate"
        else "out = m.predict(x40, batch_size=5, verbose=0, callbacks=[ev])"
    )
    return f"""
m = mlp(); m.compile(SGD(0.01), loss='mse', steps_per_execution={spe})
ev = Events()
{call}
result = pairs(ev.events)
"""


SCENARIOS = {name: f"result = {call}" for name, (call, _) in TABLE.items()}
SCENARIOS.update(
    {
        "evaluate3": _eval_scenario(3, "evaluate"),
        "evaluate32": _eval_scenario(32, "evaluate"),
        "predict3": _eval_scenario(3, "predict") + "result = [result, list(out.shape)]",
        "train_on_batch": """
m = mlp(); m.compile(SGD(0.01), loss='mse', steps_per_execution=4)
m.train_on_batch(x40[:5], y40[:5])
result = int(m.optimizer.iterations.numpy())
""",
        "same_numbers_any_spe": """
result = {}
for spe in (1, 3, 32):
    m = mlp(); m.compile(SGD(0.01), loss='mse', metrics=['mae'], steps_per_execution=spe)
    h = m.fit(x40, y40, batch_size=5, epochs=2, shuffle=False, verbose=0)
    result[spe] = [h.history, m.get_weights()[0].ravel().tolist()]
""",
        "eager_same_numbers": """
result = {}
for eager in (False, True):
    m = mlp(); m.compile(SGD(0.01), loss='mse', run_eagerly=eager, steps_per_execution=2)
    h = m.fit(x40, y40, batch_size=5, epochs=1, shuffle=False, verbose=0)
    result[str(eager)] = h.history['loss']
""",
        "jit_rules": """
import types
result = {}
def jit(model, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        model.compile(SGD(0.01), loss='mse', **kwargs)
    return [model.jit_compile, [str(w.message)[:40] for w in caught if 'jit' in str(w.message)]]
result['cpu_auto'] = jit(mlp())
devices = tf.config.list_physical_devices
tf.config.list_physical_devices = lambda *a: [types.SimpleNamespace(device_type='GPU')]  # a GPU
result['gpu_auto'] = jit(mlp())
class NoJit(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.supports_jit = False  # Keras 3 sets the attribute in Layer.__init__
    def call(self, t):
        return t
i = keras.Input((4,)); nojit = keras.Model(i, keras.layers.Dense(1)(NoJit()(i)))
result['gpu_auto_layer_without_jit'] = jit(nojit)
result['gpu_true_layer_without_jit'] = jit(nojit, jit_compile=True)
result['gpu_auto_eager'] = jit(mlp(), run_eagerly=True)
with tf.distribute.OneDeviceStrategy('/cpu:0').scope():
    result['gpu_auto_strategy'] = jit(mlp())
tf.config.list_physical_devices = devices
""",
        "jit_true_is_xla_and_auto_falls_back": """
import types
def pyfunc_model():
    i = keras.Input((4,))
    t = keras.layers.Lambda(lambda t: tf.ensure_shape(
        tf.py_function(lambda a: a * 2, [t], tf.float32), [None, 4]))(i)
    return keras.Model(i, keras.layers.Dense(1, kernel_initializer='ones')(t))
result = {}
m = pyfunc_model(); m.compile(SGD(0.01), loss='mse', jit_compile=True)
try:
    m.fit(x40, y40, batch_size=5, verbose=0)
    result['true'] = 'trained'
except tf.errors.InvalidArgumentError as e:
    result['true'] = 'EagerPyFunc' in str(e)
devices = tf.config.list_physical_devices
tf.config.list_physical_devices = lambda *a: [types.SimpleNamespace(device_type='GPU')]  # a GPU
m = pyfunc_model(); m.compile(SGD(0.01), loss='mse')
tf.config.list_physical_devices = devices
chosen = m.jit_compile
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter('always')
    h = m.fit(x40, y40, batch_size=5, epochs=2, shuffle=False, verbose=0)
plain = pyfunc_model(); plain.compile(SGD(0.01), loss='mse', jit_compile=False)
expected = plain.fit(x40, y40, batch_size=5, epochs=2, shuffle=False, verbose=0).history['loss']
result['auto'] = [chosen, m.jit_compile, [str(w.message) for w in caught if 'XLA' in str(w.message)],
                  h.history['loss'], expected]
""",
        "jit_true_trains_like_plain": """
result = {}
for jit in (False, True):
    m = mlp(); m.compile(SGD(0.01), loss='mse', metrics=['mae'], jit_compile=jit, steps_per_execution=4)
    h = m.fit(x40, y40, batch_size=5, epochs=2, shuffle=False, verbose=0)
    result[str(jit)] = [m.jit_compile, h.history]
""",
        "loss_scaling": """
tiny = lambda yt, yp: 1e-8 * tf.reduce_mean(tf.square(yt - yp), axis=-1)
def fp16_model():
    keras.mixed_precision.set_global_policy('mixed_float16')
    try:
        return mlp()
    finally:
        keras.mixed_precision.set_global_policy('float32')
result = {}
for scale in (True, False):
    m = fp16_model()
    m.compile(SGD(1e4), loss=tiny, auto_scale_loss=scale)
    before = m.get_weights()[0].copy()
    h = m.fit(x40, y40 + 1.0, batch_size=5, epochs=1, shuffle=False, verbose=0)
    result[str(scale)] = [type(m.optimizer).__name__, float(np.abs(m.get_weights()[0] - before).max()),
                          h.history['loss'][0]]
ref = mlp(); ref.compile(SGD(1e4), loss=tiny)
result['float32'] = ref.fit(x40, y40 + 1.0, batch_size=5, epochs=1, shuffle=False, verbose=0).history['loss'][0]
user = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.1))
m = fp16_model(); m.compile(user, loss='mse')
result['kept'] = m.optimizer is user
""",
        "one_engine": """
import compatkeras.legacy as legacy
result = {}
for name, module in (('legacy', legacy), ('v3', keras)):
    m = mlp(module)
    if name == 'legacy':
        m.compile(legacy.optimizers.SGD(0.05, momentum=0.9), 'mse', metrics=['mae'])
    else:
        m.compile(keras.optimizers.SGD(0.05, momentum=0.9), 'mse', metrics=['mae'])
    h = m.fit(x40, y40, batch_size=5, epochs=3, shuffle=False, verbose=0)
    result[name] = [h.history['loss'], h.history['mae'], [w.ravel().tolist() for w in m.get_weights()]]
""",
        "move_between_surfaces": """
import compatkeras.legacy as legacy
def trained(model, module):
    model.compile(module.optimizers.SGD(0.01), 'mse')
    model.fit(x40, y40, batch_size=5, epochs=2, shuffle=False, verbose=0)
    return model.predict(x40, verbose=0)
def legacy_mlp():
    i = legacy.Input((4,), name='x')
    h = legacy.layers.Dense(3, activation='tanh', name='h')(i)
    h = legacy.layers.BatchNormalization(name='bn')(h)
    a = legacy.layers.Dense(1, name='a')(h)
    b = legacy.layers.Dense(1, name='b')(i)
    return legacy.Model(i, legacy.layers.Add(name='add')([a, b]))
old = legacy_mlp()
new = keras.Model.from_legacy(old)
same_weights = all(np.array_equal(a, b) for a, b in zip(old.get_weights(), new.get_weights()))
back = legacy.Model.from_v3(new)
seq = keras.Model.from_legacy(legacy.models.Sequential([legacy.layers.Dense(2, input_shape=(4,)),
                                                        legacy.layers.Dense(1)]))
seq_back = legacy.Model.from_v3(seq)
# Trained the same way, the moved models give the same numbers as the original.
p_old, p_new, p_back = trained(old, legacy), trained(new, keras), trained(back, legacy)
result = {'same_weights': same_weights,
          'keras3': isinstance(new.layers[-1], keras.layers.Layer),
          'types': [type(new).__name__, type(back).__name__, type(seq).__name__,
                    type(seq_back).__name__],
          'trained_alike': [float(np.abs(p_old - p_new).max()), float(np.abs(p_old - p_back).max())]}
class CRFLike(legacy.layers.Layer):
    pass
i = legacy.Input((4,)); odd = legacy.Model(i, CRFLike(name='crf')(i))
try:
    keras.Model.from_legacy(odd)
    result['unknown'] = None
except ValueError as e:
    result['unknown'] = str(e)
""",
        "pydataset_workers": """
import threading, os
class DS(keras.utils.PyDataset):
    def __init__(self, **kw):
        super().__init__(**kw)
    def __len__(self):
        return 8
    def __getitem__(self, i):
        return x40[i * 5:(i + 1) * 5], y40[i * 5:(i + 1) * 5]
result = {}
for name, kw in [('main', {}), ('threads', {'workers': 2}),
                 ('processes', {'workers': 2, 'use_multiprocessing': True})]:
    m = mlp(); m.compile(SGD(0.01), loss='mse', steps_per_execution=3)
    h = m.fit(DS(**kw), epochs=2, shuffle=False, verbose=0)
    result[name] = [h.history['loss'], int(m.optimizer.iterations.numpy()),
                    len([t for t in threading.enumerate() if t.name.startswith('compatkeras')])]
import multiprocessing
result['children'] = len(multiprocessing.active_children())
class Bad(DS):
    def __getitem__(self, i):
        if i == 5:
            raise KeyError('bad index 5')
        return super().__getitem__(i)
try:
    m = mlp(); m.compile(SGD(0.01), loss='mse')
    m.fit(Bad(workers=2), verbose=0)
except Exception as e:
    result['error'] = [type(e).__name__, str(e)]
""",
    }
)


@pytest.fixture(scope="module")
def results():
    return oracles.run("v3", {name: SETUP + src for name, src in SCENARIOS.items()})


@pytest.mark.parametrize("name", sorted(TABLE))
def test_callback_index_table(results, name):
    expected_pairs, expected_iterations = TABLE[name][1]
    got = oracles.value(results, name)
    assert got["pairs"] == expected_pairs
    assert got["iterations"] == expected_iterations


def test_ran_out_warning_only_when_steps_per_epoch_asks_for_more(results):
    warned = {name: oracles.value(results, name)["ran_out"] for name in TABLE}
    assert warned["spe1_steps12"] == 1 and warned["spe2_steps5_epochs2"] == 1
    assert warned["spe1_steps3_epochs4"] == 1
    for name in ("spe1", "spe3", "spe32", "unknown_spe3", "unknown_spe1", "infinite_spe4"):
        assert warned[name] == 0, name
    assert oracles.value(results, "unknown_spe3")["steps"] is None
    assert oracles.value(results, "spe1_steps12")["steps"] == 12


def test_evaluate_and_predict_executions(results):
    assert oracles.value(results, "evaluate3") == [[0, 2], [3, 5], [6, 8]]
    assert oracles.value(results, "evaluate32") == [[0, 31]]
    assert oracles.value(results, "predict3") == [[[0, 2], [3, 5], [6, 8]], [40, 1]]
    assert oracles.value(results, "train_on_batch") == 1


def test_steps_per_execution_does_not_change_the_numbers(results):
    got = oracles.value(results, "same_numbers_any_spe")
    for spe in ("3", "32"):
        assert got[spe][0]["loss"] == pytest.approx(got["1"][0]["loss"], abs=1e-6)
        assert got[spe][0]["mae"] == pytest.approx(got["1"][0]["mae"], abs=1e-6)
        assert got[spe][1] == pytest.approx(got["1"][1], abs=1e-6)
    eager = oracles.value(results, "eager_same_numbers")
    assert eager["True"] == pytest.approx(eager["False"], abs=1e-6)


def test_jit_compile_auto_rules(results):
    got = oracles.value(results, "jit_rules")
    assert got["cpu_auto"] == [False, []]
    assert got["gpu_auto"] == [True, []]
    assert got["gpu_auto_layer_without_jit"] == [False, []]
    assert got["gpu_true_layer_without_jit"][0] is False
    assert got["gpu_true_layer_without_jit"][1] == ["Model doesn't support `jit_compile=True`"]
    assert got["gpu_auto_eager"] == [False, []]
    assert got["gpu_auto_strategy"] == [False, []]


def test_jit_true_really_uses_xla_and_auto_falls_back_once(results):
    got = oracles.value(results, "jit_true_is_xla_and_auto_falls_back")
    assert got["true"] is True  # XLA refused the py_function: it was really compiled
    chosen, after, warnings, losses, expected = got["auto"]
    assert chosen is True and after is False
    assert len(warnings) == 1 and "EagerPyFunc" in warnings[0]
    assert losses == pytest.approx(expected, abs=1e-6)
    jit = oracles.value(results, "jit_true_trains_like_plain")
    assert jit["True"][0] is True and jit["False"][0] is False
    assert jit["True"][1]["loss"] == pytest.approx(jit["False"][1]["loss"], abs=1e-5)


def test_auto_scale_loss_trains_an_underflowing_fp16_model(results):
    got = oracles.value(results, "loss_scaling")
    scaled, bare = got["True"], got["False"]
    assert scaled[0].startswith("LossScaleOptimizer") and bare[0] == "SGD"
    assert scaled[1] > 0.0  # scaled gradients survive float16
    assert bare[1] == 0.0  # unscaled, they underflow to zero
    # The logged loss is the unscaled one.
    assert scaled[2] == pytest.approx(got["float32"], rel=1e-2)
    assert got["kept"] is True


def test_one_engine_legacy_and_v3_train_identically(results):
    got = oracles.value(results, "one_engine")
    legacy, v3 = got["legacy"], got["v3"]
    assert v3[0] == pytest.approx(legacy[0], abs=1e-6)
    assert v3[1] == pytest.approx(legacy[1], abs=1e-6)
    for a, b in zip(legacy[2], v3[2], strict=True):
        assert b == pytest.approx(a, abs=1e-6)


def test_models_move_between_surfaces_with_their_weights(results):
    got = oracles.value(results, "move_between_surfaces")
    assert got["same_weights"] is True and got["keras3"] is True
    assert got["types"] == ["Model", "Model", "Sequential", "Sequential"]
    assert got["trained_alike"][0] < 1e-5 and got["trained_alike"][1] < 1e-5
    assert "'crf'" in got["unknown"] and "CRFLike" in got["unknown"]


def test_pydataset_workers(results):
    got = oracles.value(results, "pydataset_workers")
    main = got["main"]
    for name in ("threads", "processes"):
        assert got[name][0] == pytest.approx(main[0], abs=1e-6)
        assert got[name][1] == main[1] == 16
        assert got[name][2] == 0  # no worker thread left
    assert got["children"] == 0
    assert got["error"] == ["KeyError", "'bad index 5'"]
