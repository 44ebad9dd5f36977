"""Migrated code runs on stock Keras 3 and gives the numbers the Keras 2 original gives.

Each snippet is Keras 2 code. It runs as written through the drop-in (`import keras` is
compatkeras), and once migrated on Keras 3; both leave `result`. One subprocess per side.
`lin3`, `X4`, `Y4` come from tests/oracles.py.
"""

import textwrap

import numpy as np
import pytest

from compatkeras.migrate import migrate_bytes

import oracles

SNIPPETS = {
    "SGD lr/decay trajectory (KRS030, KRS031)": """
        import numpy as np
        import keras
        from keras.optimizers import SGD
        m = lin3()
        m.compile(SGD(lr=0.1, decay=1.), 'mse')
        for _ in range(3):
            m.train_on_batch(np.array([[1., 0, 0]]), np.array([[0.]]))
        result = m.get_weights()[0].ravel().tolist()
    """,
    "Adam lr/decay, 5 steps (KRS030, KRS031)": """
        import numpy as np
        import keras
        m = lin3()
        m.compile(optimizer=keras.optimizers.Adam(lr=0.05, decay=0.3), loss='mse')
        for _ in range(5):
            m.train_on_batch(X4, Y4)
        result = m.get_weights()[0].ravel().tolist()
    """,
    "compile with positional metrics (KRS020)": """
        import keras
        m = lin3()
        m.compile(keras.optimizers.SGD(lr=0.0), 'mse', ['mae'])
        result = m.evaluate(X4, Y4, batch_size=4, verbose=0)
    """,
    "fit_generator on a Sequence with workers (KRS001, KRS002)": """
        import numpy as np
        import keras
        from keras.utils import Sequence

        class Batches(Sequence):
            def __len__(self):
                return 2
            def __getitem__(self, i):
                return X4[2 * i:2 * i + 2], Y4[2 * i:2 * i + 2]

        m = lin3()
        m.compile(optimizer=keras.optimizers.SGD(lr=0.1), loss='mse')
        h = m.fit_generator(Batches(), steps_per_epoch=2, epochs=3, shuffle=False,
                            workers=1, use_multiprocessing=False, verbose=0)
        result = {'loss': h.history['loss'], 'kernel': m.get_weights()[0].ravel().tolist()}
    """,
}


def migrated(source):
    outcome = migrate_bytes(source.encode(), "snippet.py")
    assert outcome.error is None and outcome.changed, outcome
    return outcome.new.decode()


@pytest.fixture(scope="module")
def keras2_results():
    return oracles.run("dropin", {n: textwrap.dedent(s) for n, s in SNIPPETS.items()})


@pytest.fixture(scope="module")
def keras3_results():
    return oracles.run("keras3", {n: migrated(textwrap.dedent(s)) for n, s in SNIPPETS.items()})


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_migrated_snippet_matches_original(keras2_results, keras3_results, name):
    original = oracles.value(keras2_results, name)
    after = oracles.value(keras3_results, name)
    if isinstance(original, dict):
        assert sorted(after) == sorted(original)
        for key in original:
            np.testing.assert_allclose(after[key], original[key], rtol=1e-5, atol=1e-6, err_msg=key)
    else:
        np.testing.assert_allclose(after, original, rtol=1e-5, atol=1e-6)
