"""Training-level stop points with image-sized batches (8 x 200 x 200 x 3 float32, 3.8 MB) and
worker processes, run as `python stress_fit.py SCENARIO` in a process of its own (see
test_worker_stops.py). Prints one JSON line: the outcome, and what was left behind."""

import json
import os
import signal
import sys
import threading

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stress_case import children  # noqa: E402

FLAVOR = os.environ.get("STRESS_FLAVOR", "tf.keras")
IMAGE = (200, 200, 3)


def legacy():
    import compatkeras as keras

    keras.legacy.set_flavor(FLAVOR)
    return keras


def images(base):
    class Images(base):
        def __len__(self):
            return 100

        def __getitem__(self, i):
            return np.full((8, *IMAGE), 0.01, "float32"), np.ones((8, 1), "float32")

    return Images


def small_model(keras):
    inp = keras.layers.Input(IMAGE)
    out = keras.layers.Dense(1)(keras.layers.GlobalAveragePooling2D()(inp))
    model = keras.models.Model(inp, out)
    model.compile("sgd", "mse")
    return model


def at_batch(keras, number, action):
    class At(keras.callbacks.Callback):
        def on_batch_end(self, batch, logs=None):
            if batch == number:
                action(self.model)

    return At()


def _raise(exc):
    def action(model):
        raise exc

    return action


def _stop_training(model):
    model.stop_training = True


def _ctrl_c(model):
    os.kill(os.getpid(), signal.SIGINT)


def fit_generator(callbacks=()):
    keras = legacy()
    model = small_model(keras)
    history = model.fit_generator(
        images(keras.utils.Sequence)(),
        steps_per_epoch=5,
        epochs=2,
        workers=2,
        use_multiprocessing=True,
        max_queue_size=10,
        callbacks=list(callbacks),
        verbose=0,
    )
    return len(history.history["loss"])


def scenario_fit_generator():
    return fit_generator()


def scenario_model_error():
    keras = legacy()
    return fit_generator([at_batch(keras, 2, _raise(ValueError("the model failed")))])


def scenario_stop_training():
    keras = legacy()
    epochs = fit_generator([at_batch(keras, 1, _stop_training)])
    return [epochs, fit_generator()]  # the next call starts fresh workers


def scenario_ctrl_c():
    keras = legacy()
    return fit_generator([at_batch(keras, 2, _ctrl_c)])


def scenario_evaluate_predict():
    keras = legacy()
    model = small_model(keras)
    sequence = images(keras.utils.Sequence)()
    loss = model.evaluate_generator(sequence, steps=3, workers=2, use_multiprocessing=True)
    predictions = model.predict_generator(sequence, steps=3, workers=2, use_multiprocessing=True)
    x, y = sequence[0]  # every item is the same batch
    same_loss = abs(float(loss) - float(model.evaluate(x, y, verbose=0))) < 1e-5
    same_predictions = bool(np.allclose(predictions[:8], model.predict(x), atol=1e-6))
    return [same_loss, same_predictions, list(predictions.shape)]


def scenario_ordered_enqueuer():
    """Keras 2.2.4's test_context_switch shape: two enqueuers read past the epoch boundary."""
    keras = legacy()

    class Dummy(keras.utils.Sequence):
        def __init__(self):
            self.inner = 0

        def __len__(self):
            return 100

        def __getitem__(self, i):
            return np.full((3, *IMAGE), i + self.inner, "float32")

        def on_epoch_end(self):
            self.inner += 1

    enqueuers = [keras.utils.OrderedEnqueuer(Dummy(), use_multiprocessing=True) for _ in range(2)]
    firsts = []
    for enqueuer in enqueuers:
        enqueuer.start(3, 10)
    for enqueuer in enqueuers:
        output = enqueuer.get()
        values = [float(next(output)[0, 0, 0, 0]) for _ in range(102)]
        firsts.append(values[100:])
    for enqueuer in enqueuers:
        enqueuer.stop()
    return firsts


def scenario_generator_enqueuer():
    keras = legacy()

    def batches():
        while True:
            yield np.ones((8, *IMAGE), "float32")

    enqueuer = keras.utils.GeneratorEnqueuer(batches(), use_multiprocessing=True)
    enqueuer.start(2, 10)
    output = enqueuer.get()
    shapes = [next(output).shape for _ in range(5)]
    enqueuer.stop()
    return len(shapes)


def v3_images(keras):
    return images(keras.utils.PyDataset)(workers=2, use_multiprocessing=True, max_queue_size=10)


def scenario_v3_pydataset():
    import compatkeras.v3 as keras

    model = small_model(keras)
    data = v3_images(keras)
    history = model.fit(data, steps_per_epoch=5, epochs=2, verbose=0)
    model.evaluate(data, steps=3, verbose=0)
    return len(history.history["loss"])


def scenario_v3_model_error():
    import compatkeras.v3 as keras

    model = small_model(keras)
    data = v3_images(keras)
    return model.fit(
        data,
        epochs=2,
        verbose=0,
        callbacks=[at_batch(keras, 2, _raise(ValueError("the model failed")))],
    )


def main(name):
    outcome, raised = None, None
    try:
        outcome = globals()[f"scenario_{name}"]()
    except BaseException as exc:  # the outcome under test
        raised = type(exc).__name__
    threads = [t.name for t in threading.enumerate() if t.name.startswith("compatkeras-data")]
    print(
        json.dumps(
            {"outcome": outcome, "raised": raised, "children": children(), "threads": threads}
        ),
        flush=True,
    )


if __name__ == "__main__":
    main(sys.argv[1])
