"""`compatkeras.v3` is Keras 3's namespace: every name of `keras` and of each of its submodules
is Keras 3's own object, except the training API (`Model`, `Sequential` and the loaders that
return them), which is Keras 3's classes with the engine's training methods."""

import importlib
import types

import keras
import pytest

import compatkeras.v3 as v3
from compatkeras.v3.keras3_training import Keras3Training

OURS = {
    "Model",
    "Sequential",
    "models",
    "saving",
    "models.Model",
    "models.Sequential",
    "models.load_model",
    "models.clone_model",
    "models.model_from_json",
    "saving.load_model",
}


def _public(module):
    return sorted(n for n in dir(module) if not n.startswith("_"))


def _submodules(module, prefix="", seen=None):
    """(dotted name, Keras 3 module) for each public submodule of `module`, depth first."""
    seen = set() if seen is None else seen
    for name in _public(module):
        value = getattr(module, name)
        if isinstance(value, types.ModuleType) and value.__name__.startswith("keras."):
            if name == "src" or id(value) in seen:
                continue
            seen.add(id(value))
            yield prefix + name, value
            yield from _submodules(value, prefix + name + ".", seen)


SUBMODULES = dict(_submodules(keras))


def test_the_table_covers_keras_3():
    for name in ("layers", "ops", "ops.numpy", "random", "utils", "config", "datasets", "tree"):
        assert name in SUBMODULES, name
    assert len(SUBMODULES) > 40


@pytest.mark.parametrize("path", ["", *sorted(SUBMODULES)])
def test_every_name_is_keras_3s_own(path):
    ours = importlib.import_module("compatkeras.v3" + ("." + path if path else ""))
    theirs = SUBMODULES[path] if path else keras
    for name in _public(theirs):
        full = f"{path}.{name}" if path else name
        mine = getattr(ours, name)
        if full in OURS:
            assert mine is not getattr(theirs, name), full
        elif isinstance(mine, types.ModuleType) and (full.split(".")[0] in OURS):
            continue
        else:
            assert mine is getattr(theirs, name), full


def test_model_classes_are_keras_3s_with_the_engine():
    assert issubclass(v3.Model, keras.Model) and issubclass(v3.Model, Keras3Training)
    assert issubclass(v3.Sequential, keras.Sequential)
    assert issubclass(v3.Sequential, Keras3Training)
    assert v3.models.Model is v3.Model and v3.models.Sequential is v3.Sequential
    inputs = v3.Input((3,))
    functional = v3.Model(inputs, v3.layers.Dense(1)(inputs))
    assert isinstance(functional, v3.Model)
    assert isinstance(functional, keras.src.models.functional.Functional)
    assert v3.__version__ == keras.__version__


def test_loaders_give_the_engine_classes(tmp_path):
    inputs = keras.Input((3,))
    stock = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    stock.compile("sgd", "mse")
    path = str(tmp_path / "m.keras")
    stock.save(path)
    for load in (v3.models.load_model, v3.saving.load_model):
        assert isinstance(load(path), v3.Model)
    seq = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    assert isinstance(v3.models.clone_model(seq), v3.Sequential)
    assert isinstance(v3.models.model_from_json(seq.to_json()), v3.Sequential)


def test_submodules_import_by_their_dotted_names():
    from compatkeras.v3.layers import Dense
    from compatkeras.v3.ops import numpy as knp

    assert knp is keras.ops.numpy and Dense is keras.layers.Dense
    assert importlib.import_module("compatkeras.v3.utils").PyDataset is keras.utils.PyDataset
