"""compatkeras.legacy.backend (`K`) as legacy code uses it: reading and setting the learning
rate from callbacks (LR finders, cyclical LR), `K.*` inside custom losses, metrics and `Lambda`
layers, and `save_weights`/`load_weights(by_name=True)` on `.h5` files.

Expected weights come from numpy (plain SGD on a linear model: the gradient is known in closed
form), so a learning rate that is set but not used fails the test.
"""

import numpy as np
import pytest

import compatkeras.legacy as keras

K = keras.backend
X = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], "float32")
Y = np.array([[2], [1], [0], [1]], "float32")


def lin3(name="out"):
    inp = keras.Input((3,))
    return keras.Model(
        inp, keras.layers.Dense(1, use_bias=False, kernel_initializer="ones", name=name)(inp)
    )


def sgd_weights(rates):
    """Weights after one full-batch SGD step per rate in `rates`."""
    w = np.ones((3, 1))
    for rate in rates:
        w = w - rate * (2.0 / len(X)) * X.T @ (X @ w - Y)
    return w


class CyclicLR(keras.callbacks.Callback):
    """Sets the learning rate before every batch and records what K reads back."""

    def __init__(self, rates):
        super().__init__()
        self.rates, self.seen = list(rates), []

    def on_train_batch_begin(self, batch, logs=None):
        K.set_value(self.model.optimizer.lr, self.rates[len(self.seen)])
        self.seen.append(float(K.get_value(self.model.optimizer.lr)))


@pytest.mark.parametrize("flavor", ["tf.keras", "keras-2.2"])
def test_set_value_on_lr_each_batch_changes_the_real_learning_rate(flavor):
    rates = [0.1, 0.0, 0.05, 0.2, 0.0, 0.01]
    with keras.flavor(flavor):
        model = lin3()
        model.compile(keras.optimizers.SGD(lr=0.5), "mse")
    callback = CyclicLR(rates)
    model.fit(X, Y, batch_size=4, epochs=len(rates), shuffle=False, verbose=0, callbacks=[callback])
    assert callback.seen == pytest.approx(rates)
    np.testing.assert_allclose(model.get_weights()[0], sgd_weights(rates), rtol=1e-5)


def test_scheduler_sets_lr_before_the_first_step_and_attribute_assignment_works():
    model = lin3()
    model.compile(keras.optimizers.SGD(lr=0.5), "mse")
    scheduler = keras.callbacks.LearningRateScheduler(lambda epoch: [0.1, 0.02][epoch])
    model.fit(X, Y, batch_size=4, epochs=2, shuffle=False, verbose=0, callbacks=[scheduler])
    np.testing.assert_allclose(model.get_weights()[0], sgd_weights([0.1, 0.02]), rtol=1e-5)
    model.optimizer.lr = 0.3
    assert K.get_value(model.optimizer.lr) == pytest.approx(0.3)
    assert K.get_value(model.optimizer.iterations) == 2
    assert K.eval(model.optimizer.lr) == pytest.approx(0.3)


def test_backend_functions_in_custom_loss_metric_and_lambda():
    def my_mse(y_true, y_pred):
        return K.mean(K.square(y_pred - y_true), axis=-1)

    def clipped_ratio(y_true, y_pred):
        return K.mean(K.clip(y_pred, K.epsilon(), None) / (K.abs(y_true) + 1.0), axis=-1)

    inp = keras.Input((3,))
    doubled = keras.layers.Lambda(lambda t: K.squeeze(K.expand_dims(t * 2.0, -1), -1))(inp)
    out = keras.layers.Dense(1, use_bias=False, kernel_initializer="ones")(doubled)
    custom = keras.Model(inp, out)
    custom.compile(keras.optimizers.SGD(lr=0.01), my_mse, metrics=[clipped_ratio])
    history = custom.fit(X, Y, batch_size=4, epochs=2, shuffle=False, verbose=0)

    reference = keras.Model(
        inp, keras.layers.Dense(1, use_bias=False, kernel_initializer="ones")(inp * 2.0)
    )
    reference.compile(keras.optimizers.SGD(lr=0.01), "mse")
    expected = reference.fit(X, Y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    assert history.history["loss"] == pytest.approx(expected.history["loss"], rel=1e-6)
    assert list(history.history) == ["loss", "clipped_ratio"]
    first = np.mean(np.clip(X @ np.full((3, 1), 2.0), 1e-7, None) / (np.abs(Y) + 1.0))
    assert history.history["clipped_ratio"][0] == pytest.approx(first, rel=1e-5)


def test_variables_and_placeholders_helpers():
    v = K.variable(np.array([1.0, 2.0]))
    K.set_value(v, [3.0, 4.0])
    assert K.get_value(v).tolist() == [3.0, 4.0]
    assert K.eval(K.sum(v)) == pytest.approx(7.0)
    assert K.int_shape(v) == (2,)
    assert K.floatx() == "float32"
    assert K.image_data_format() == "channels_last"


def test_save_weights_and_load_weights_by_name(tmp_path):
    source = lin3("shared")
    source.set_weights([np.array([[3.0], [4.0], [5.0]], "float32")])
    path = str(tmp_path / "weights.h5")
    source.save_weights(path)

    inp = keras.Input((3,))
    hidden = keras.layers.Dense(3, name="other", kernel_initializer="zeros")(inp)
    target = keras.Model(inp, keras.layers.Dense(1, use_bias=False, name="shared")(hidden))
    target.load_weights(path, by_name=True)
    np.testing.assert_array_equal(
        target.get_layer("shared").get_weights()[0], [[3.0], [4.0], [5.0]]
    )
    np.testing.assert_array_equal(target.get_layer("other").get_weights()[0], np.zeros((3, 3)))

    same = lin3("shared")
    same.load_weights(path)
    np.testing.assert_array_equal(same.get_weights()[0], [[3.0], [4.0], [5.0]])

    wrong_shape = keras.Model(inp, keras.layers.Dense(2, use_bias=False, name="shared")(inp))
    with pytest.raises(ValueError):
        wrong_shape.load_weights(path, by_name=True)
    wrong_shape.load_weights(path, by_name=True, skip_mismatch=True)  # skipped, with a warning


def test_a_loss_accumulated_into_a_variable_is_a_new_tensor_as_in_tf1():
    """Keras 2.2.4's style-transfer and deep-dream examples: `loss = K.variable(0.)`, then
    `loss += ...` of graph tensors, then `K.gradients` and `K.function` of it. TF1 made
    `variable + x` there (TensorFlow 2 raises RuntimeError); the variable keeps its value."""
    image = keras.Input((2, 2, 1))
    start = K.variable(0.5)
    loss = start
    loss += 2.0 * K.sum(K.square(image))
    loss -= K.sum(image)
    loss *= 3.0
    loss /= 2.0
    grads = K.gradients(loss, image)[0]
    x = np.arange(4, dtype="float32").reshape(1, 2, 2, 1)
    value, grad = K.function([image], [loss, grads])([x])
    np.testing.assert_allclose(value, (0.5 + 2 * (x**2).sum() - x.sum()) * 1.5, rtol=1e-6)
    np.testing.assert_allclose(grad, (4 * x - 1) * 1.5, rtol=1e-6)
    assert float(K.get_value(start)) == 0.5
    counter = K.zeros((2,))
    counter += 1.0  # eager: a new value, the variable unchanged
    np.testing.assert_array_equal(np.asarray(counter), [1.0, 1.0])
    ones = K.ones((2,))
    K.update_add(ones, np.full(2, 2.0, "float32"))  # in place, as before
    np.testing.assert_array_equal(K.get_value(ones), [3.0, 3.0])


def test_variables_made_under_a_strategy_keep_the_strategys_class():
    import tensorflow as tf

    with tf.distribute.MirroredStrategy(["/cpu:0"]).scope():
        v = K.variable(1.0)
    assert isinstance(v, tf.distribute.DistributedValues)


@pytest.mark.parametrize(
    ("alpha", "max_value", "threshold"),
    [(0.0, None, 0.0), (0.2, None, 0.0), (0.2, 4.0, 0.0), (0.2, 4.0, 1.0), (0.0, 6.0, 0.0)],
)
def test_relu_takes_tensor_parameters_as_keras2_did(alpha, max_value, threshold):
    """keras-contrib's SReLU: `K.relu(x, self.a_left, t_right - t_left)` with weights as the
    parameters, inside a layer that trains. Oracle: tf-keras's relu with the same numbers."""
    import tensorflow as tf
    from tf_keras import backend as tf_keras_backend

    x = tf.constant(np.linspace(-3, 8, 23, dtype="float32"))
    want = tf_keras_backend.relu(x, alpha, max_value, threshold).numpy()
    tensor_max = None if max_value is None else tf.Variable(max_value)
    got = K.relu(x, tf.Variable(alpha), tensor_max, tf.constant(threshold)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-6)

    class Learned(keras.layers.Layer):
        def build(self, input_shape):
            self.a = self.add_weight("a", (), initializer=keras.initializers.Constant(0.25))

        def call(self, inputs):
            return K.relu(inputs, self.a, 2.0 * self.a + 1.0)

    inp = keras.Input((1,))
    model = keras.Model(inp, Learned()(inp))
    model.compile("sgd", "mse")
    model.fit(np.array([[-2.0], [3.0]]), np.array([[-1.0], [2.0]]), verbose=0)
    assert model.get_weights()[0] != np.float32(0.25)  # the slope is trained


def test_batch_get_value_of_nothing_is_an_empty_list_even_in_a_step():
    """Keras 2.2.4 ran nothing for no tensors; tf-keras raises inside a tf.function (an
    optimizer's `get_updates` reading its own still-empty `get_weights()`)."""
    import tensorflow as tf

    assert K.batch_get_value([]) == []
    assert tf.function(lambda: tf.constant(len(K.batch_get_value([]))))().numpy() == 0
    assert keras.optimizers.SGD().get_weights() == []
