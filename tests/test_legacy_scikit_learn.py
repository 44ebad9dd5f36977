"""Keras 2's `keras.wrappers.scikit_learn` on the Keras 2 surface. Neither tf-keras nor Keras 3
has it, so the oracle is the wrapped model itself: the wrapper's training, predictions and
scores equal the same model (same initial weights) trained and asked directly, with the label
handling of Keras 2.2.4's wrappers; scikit-learn's `clone`, `cross_val_score` and `GridSearchCV`
run on it. Keras 2.2.4's own wrapper tests run through `../shared/conformance/run_keras224.py
--files tests/keras/wrappers/scikit_learn_test.py`."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

import compatkeras as keras
from compatkeras.legacy.wrappers.scikit_learn import KerasClassifier, KerasRegressor

RNG = np.random.RandomState(0)
X = RNG.rand(60, 4).astype("float32")
LABELS = (X[:, 0] + X[:, 1] > 1.0).astype("int64") + (X[:, 2] > 0.7)  # 0, 1, 2
NAMES = np.array(["cat", "dog", "eel"])


def classifier(hidden=5, n_out=3, loss="categorical_crossentropy", metrics=("accuracy",)):
    model = keras.models.Sequential(
        [
            keras.layers.Dense(hidden, activation="relu", input_shape=(4,)),
            keras.layers.Dense(n_out, activation="softmax" if n_out > 1 else "sigmoid"),
        ]
    )
    model.compile(keras.optimizers.SGD(0.5), loss, metrics=list(metrics))
    return model


class Recorder:
    """A build function that keeps the models it built and their initial weights."""

    def __init__(self, build):
        self.build, self.models, self.initial = build, [], []

    def __call__(self, hidden=None):  # named: the wrapper passes only the arguments it names
        model = self.build() if hidden is None else self.build(hidden)
        self.models.append(model)
        self.initial.append(model.get_weights())
        return model


def direct(build, initial, x, y, **fit_args):
    model = build()
    model.set_weights(initial)
    model.fit(x, y, verbose=0, shuffle=False, **fit_args)
    return model


def test_classifier_trains_predicts_and_scores_as_its_model():
    rec = Recorder(classifier)
    clf = KerasClassifier(build_fn=rec, hidden=5, epochs=3, batch_size=8, verbose=0, shuffle=False)
    history = clf.fit(X, NAMES[LABELS])
    assert list(clf.classes_) == ["cat", "dog", "eel"] and clf.n_classes_ == 3
    assert len(history.history["loss"]) == 3
    model = direct(classifier, rec.initial[0], X, np.eye(3)[LABELS], epochs=3, batch_size=8)
    for ours, theirs in zip(clf.model.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)
    proba = model.predict(X)
    np.testing.assert_allclose(clf.predict_proba(X), proba, rtol=1e-6)
    np.testing.assert_array_equal(clf.predict(X), NAMES[proba.argmax(-1)])
    accuracy = model.evaluate(X, np.eye(3)[LABELS], verbose=0)[1]
    assert clf.score(X, NAMES[LABELS]) == pytest.approx(accuracy)


def test_one_hot_targets_and_a_single_sigmoid_output():
    clf = KerasClassifier(build_fn=classifier, epochs=1, verbose=0)
    clf.fit(X, np.eye(3)[LABELS])
    assert list(clf.classes_) == [0, 1, 2]
    binary = KerasClassifier(
        build_fn=classifier, n_out=1, loss="binary_crossentropy", epochs=1, verbose=0
    )
    binary.fit(X, (LABELS > 0).astype("int64"))
    proba = binary.predict_proba(X)
    assert proba.shape == (60, 2)
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(binary.predict(X), (proba[:, 1] > 0.5).astype("int64"))


def test_functional_models_and_builders_given_as_objects_or_by_subclassing():
    def functional():
        inp = keras.layers.Input((4,))
        out = keras.layers.Dense(3, activation="softmax")(keras.layers.Dense(5)(inp))
        model = keras.models.Model(inp, out)
        model.compile("sgd", "sparse_categorical_crossentropy", metrics=["acc"])
        return model

    class Subclassed(KerasClassifier):
        def __call__(self, hidden):
            return classifier(hidden)

    for clf in (
        KerasClassifier(build_fn=functional, epochs=1, verbose=0),
        Subclassed(build_fn=None, hidden=4, epochs=1, verbose=0),
    ):
        clf.fit(X, LABELS)
        assert set(clf.predict(X)) <= {0, 1, 2}
        assert 0.0 <= clf.score(X, LABELS) <= 1.0


def test_regressor_predicts_and_scores_as_its_model():
    def regressor(hidden=4):
        model = keras.models.Sequential(
            [keras.layers.Dense(hidden, activation="relu", input_shape=(4,)), keras.layers.Dense(1)]
        )
        model.compile("sgd", "mse")
        return model

    y = X.sum(1)
    rec = Recorder(regressor)
    reg = KerasRegressor(build_fn=rec, epochs=2, batch_size=10, verbose=0, shuffle=False)
    reg.fit(X, y)
    model = direct(regressor, rec.initial[0], X, y, epochs=2, batch_size=10)
    predicted = reg.predict(X)
    assert predicted.shape == (60,)
    np.testing.assert_allclose(predicted, model.predict(X)[:, 0], rtol=1e-6)
    assert reg.score(X, y) == pytest.approx(-model.evaluate(X, y, verbose=0))
    # In a Pipeline, scoring asks the last step whether it is fitted.
    pipeline = Pipeline([("scale", StandardScaler()), ("mlp", clone(reg))])
    assert np.all(np.isfinite(cross_val_score(pipeline, X, y, cv=KFold(2))))


def test_scikit_learn_clones_cross_validates_and_searches():
    clf = KerasClassifier(build_fn=classifier, epochs=1, batch_size=10, verbose=0)
    copy = clone(clf)
    assert copy.get_params() == clf.get_params() and copy is not clf
    # Deviation: Keras 2.2.4's get_params gave deep copies, and clone refuses a list then.
    stopper = keras.callbacks.EarlyStopping(monitor="loss")
    with_list = KerasClassifier(build_fn=classifier, epochs=1, verbose=0, callbacks=[stopper])
    assert len(clone(with_list).get_params()["callbacks"]) == 1
    scores = cross_val_score(clf, X, LABELS, cv=KFold(3))
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))
    # An int `cv` stratifies for a classifier (scikit-learn reads the estimator's tags).
    scores = cross_val_score(clf, X, NAMES[LABELS], cv=3)
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))
    search = GridSearchCV(clf, {"hidden": [2, 6], "epochs": [1, 2]}, cv=KFold(2))
    search.fit(X, LABELS)
    assert search.best_params_["hidden"] in (2, 6)
    assert (
        len(search.best_estimator_.model.layers[0].get_weights()[1])
        == search.best_params_["hidden"]
    )


def test_arguments_are_checked_and_method_arguments_override():
    with pytest.raises(ValueError, match="hiden is not a legal parameter"):
        KerasClassifier(build_fn=classifier, hiden=3)
    clf = KerasClassifier(build_fn=classifier, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="not a legal parameter"):
        clf.set_params(optimiser="adam")
    history = clf.fit(X, LABELS, epochs=2)  # a method's argument overrides sk_params
    assert len(history.history["loss"]) == 2
    no_accuracy = KerasClassifier(build_fn=classifier, metrics=(), epochs=1, verbose=0)
    no_accuracy.fit(X, LABELS)
    with pytest.raises(ValueError, match="not configured to compute accuracy"):
        no_accuracy.score(X, LABELS)


def test_nb_epoch_trains_that_many_epochs():
    """Deviation: Keras 2.2.4 accepted `nb_epoch` in sk_params but never passed it on (one
    epoch); it reaches `fit`, which renames it to `epochs` with Keras 2's warning."""
    clf = KerasClassifier(build_fn=classifier, nb_epoch=3, verbose=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = clf.fit(X, LABELS)
    assert len(history.history["loss"]) == 3
    assert any("epochs" in str(w.message) for w in caught)
