"""`==`, `!=` and hashing of symbolic tensors (a model's inputs and outputs).

Keras 2.2.4's were TensorFlow 1 graph tensors: `==` compared identity and tensors were
hashable, so Keras 2 code finds a model's input with `if i == action_input` (keras-rl's DDPG)
and keeps tensors in sets. tf.keras 2.x's `KerasTensor` compares elementwise (a new tensor)
and refuses hashing. Differential: under "keras-2.2" as tf-keras's v1 graph engine (TensorFlow 1
graph tensors), under "tf.keras" as tf-keras 2.x.
"""

import pytest

import oracles

SCENARIO = """
a, b = keras.Input((3,), name='a'), keras.Input((3,), name='b')
model = keras.Model([a, b], keras.layers.Dense(1)(keras.layers.add([a, b])))

def kind(value):
    return value if isinstance(value, bool) else type(value).__name__

def attempt(function):
    try:
        return function()
    except Exception as e:
        return type(e).__name__

result = {
    'eq': [kind(a == b), kind(a == a), kind(a != b), kind(a != a)],
    'set': attempt(lambda: len({a, b, a, model.inputs[1]})),
    'dict': attempt(lambda: {a: 1, b: 2}[model.inputs[1]]),
    'in': attempt(lambda: [a in [b], b in model.inputs]),
    'action': attempt(lambda: [k for k, i in enumerate(model.inputs) if i == b]),
}
"""


@pytest.fixture(scope="module")
def got():
    return {
        oracle: oracles.value(oracles.run(oracle, {"s": SCENARIO}), "s")
        for oracle in ("tv1", "compatkeras-2.2", "tv2", "compatkeras")
    }


def test_keras_2_2_tensors_compare_and_hash_by_identity(got):
    assert got["compatkeras-2.2"] == got["tv1"]
    assert got["tv1"]["eq"] == [False, True, True, False]
    assert got["tv1"]["action"] == [1] and got["tv1"]["set"] == 2


def test_tf_keras_tensors_keep_elementwise_comparison(got):
    assert got["compatkeras"] == got["tv2"]
    assert got["tv2"]["eq"] == ["KerasTensor"] * 4 and got["tv2"]["set"] == "TypeError"
