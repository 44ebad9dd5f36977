"""tf.keras 2.x optimizers written by users subclass `keras.optimizers.Optimizer` with the API of
their TensorFlow: `_create_slots` / `_resource_apply_dense` (TF 2.0-2.10's OptimizerV2, e.g.
CyberZHG's keras-radam) or `build` / `update_step` (TF 2.11+). On the Keras 2 surface that name
is also Keras 2.2.4's `get_updates` base, so the class body says which was meant. Differential
against the same classes on tf-keras (its legacy and new optimizers), 1e-6."""

import pytest

import oracles

SETUP = """
import os, tempfile
ours = keras.__name__.startswith('compatkeras')
# A TF <= 2.10 program's `keras.optimizers.Optimizer` is tf-keras's legacy optimizer.
BASE_V2 = keras.optimizers.Optimizer if ours else keras.optimizers.legacy.Optimizer

class MomentumV2(BASE_V2):
    def __init__(self, learning_rate=0.1, momentum=0.9, name='MomentumV2', **kwargs):
        super().__init__(name, **kwargs)
        self._set_hyper('learning_rate', kwargs.get('lr', learning_rate))
        self._set_hyper('momentum', momentum)
    def _create_slots(self, var_list):
        for var in var_list:
            self.add_slot(var, 'm')
    def _resource_apply_dense(self, grad, var, apply_state=None):
        m = self.get_slot(var, 'm')
        lr = self._get_hyper('learning_rate', var.dtype.base_dtype)
        momentum = self._get_hyper('momentum', var.dtype.base_dtype)
        return var.assign_add(m.assign(momentum * m - lr * grad))
    def _resource_apply_sparse(self, grad, var, indices, apply_state=None):
        raise NotImplementedError
    def get_config(self):
        config = super().get_config()
        config.update(learning_rate=self._serialize_hyperparameter('learning_rate'),
                      momentum=self._serialize_hyperparameter('momentum'))
        return config

class MomentumNew(keras.optimizers.Optimizer):
    def __init__(self, learning_rate=0.1, momentum=0.9, name='MomentumNew', **kwargs):
        super().__init__(name=name, **kwargs)
        self._learning_rate = self._build_learning_rate(learning_rate)
        self.momentum = momentum
    def build(self, var_list):
        super().build(var_list)
        if getattr(self, '_built', False):
            return
        self._built = True
        self.ms = [self.add_variable_from_reference(v, 'm') for v in var_list]
    def update_step(self, gradient, variable):
        m = self.ms[self._index_dict[self._var_key(variable)]]
        m.assign(self.momentum * m - tf.cast(self.learning_rate, variable.dtype) * gradient)
        variable.assign_add(m)

def trained(optimizer):
    m = lin3()
    m.compile(optimizer, 'mse')
    history = m.fit(X4, Y4, batch_size=2, epochs=3, verbose=0, shuffle=False)
    return m, [history.history['loss'], m.get_weights()]
"""

SCENARIOS = {
    "v2": """
m, result = trained(MomentumV2(0.05, momentum=0.5))
result.append(isinstance(m.optimizer, BASE_V2))
path = os.path.join(tempfile.mkdtemp(), 'm.h5')
m.save(path)
loaded = keras.models.load_model(path, custom_objects={'MomentumV2': MomentumV2})
result.append([type(loaded.optimizer).__name__, len(loaded.optimizer.get_weights()),
               float(loaded.evaluate(X4, Y4, verbose=0))])
""",
    "v2_lr_keyword": """
result = trained(MomentumV2(lr=0.05, momentum=0.5))[1]
""",
    "new": """
m, result = trained(MomentumNew(0.05, momentum=0.5))
result.append(isinstance(m.optimizer, keras.optimizers.Optimizer))
""",
}


@pytest.fixture(scope="module")
def results():
    scenarios = {name: SETUP + source for name, source in SCENARIOS.items()}
    return {oracle: oracles.run(oracle, scenarios) for oracle in ("compatkeras", "tv2")}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_same_numbers_as_tf_keras(results, name):
    ours = oracles.value(results["compatkeras"], name)
    oracles.assert_same(ours, oracles.value(results["tv2"], name), rtol=1e-6, atol=1e-6)


def test_the_class_is_a_keras_optimizer_and_reloads(results):
    value = oracles.value(results["compatkeras"], "v2")
    assert value[2] is True
    assert value[3][:2] == ["MomentumV2", 2]  # iterations + the kernel's slot


def test_keras_2_get_updates_subclass_keeps_keras_2_base():
    from compatkeras.legacy import optimizer_base, optimizers

    class Plain(optimizers.Optimizer):
        def get_updates(self, loss, params):
            return []

    assert type.__instancecheck__(optimizer_base.Optimizer, Plain())
