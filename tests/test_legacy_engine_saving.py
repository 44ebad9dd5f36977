"""keras-contrib's `save_all_weights` / `load_all_weights` as Keras 2.2.4 code writes them:
`keras.engine.saving`'s weight-group functions given `model.layers` (Keras 2.2.4's form), and
`model._make_train_function()` before reading `model.optimizer.weights`."""

import h5py
import numpy as np
import pytest

import compatkeras as keras
from compatkeras.legacy.engine import saving


def model(seed):
    inp = keras.Input((4,))
    hidden = keras.layers.Dense(
        3, name="hidden", kernel_initializer=keras.initializers.RandomNormal(seed=seed)
    )(inp)
    out = keras.models.Model(inp, keras.layers.Dense(2, name="out")(hidden))
    out.compile("adam", "mse")
    return out


@pytest.mark.parametrize("by_name", [False, True])
@pytest.mark.parametrize("form", ["layers", "model"])
def test_weight_groups_take_a_list_of_layers_or_a_model(tmp_path, by_name, form):
    first, second = model(1), model(2)
    with h5py.File(tmp_path / "w.h5", "w") as f:
        saving.save_weights_to_hdf5_group(f, first.layers if form == "layers" else first)
    with h5py.File(tmp_path / "w.h5", "r") as f:
        target = second.layers if form == "layers" else second
        if by_name:
            saving.load_weights_from_hdf5_group_by_name(f, target)
        else:
            saving.load_weights_from_hdf5_group(f, target)
    for a, b in zip(first.get_weights(), second.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_make_train_function_makes_the_optimizer_weights_a_step_would():
    built, trained = model(1), model(1)
    built._make_train_function()
    names = [w.name for w in built.optimizer.weights]
    trained.train_on_batch(np.ones((2, 4)), np.ones((2, 2)))
    assert names == [w.name for w in trained.optimizer.weights]
    assert len(names) == 1 + 2 * 4  # iterations, then m and v of 2 kernels and 2 biases
    assert all(not np.any(v) for v in built.optimizer.get_weights())
    built.train_on_batch(np.ones((2, 4)), np.ones((2, 2)))  # and training goes on from there
    assert built.optimizer.get_weights()[0] == 1
