"""compatkeras.migrate.positions: report positions taken from Python's ast must be exactly those
libcst's PositionProvider gives (which the tool uses when a file has suppression comments)."""

import textwrap

from compatkeras.migrate import migrate_bytes

SOURCE = textwrap.dedent(
    """\
    # -*- coding: utf-8 -*-
    import keras
    from keras.optimizers import sgd, Adam
    label = "épsilon ü"; opt = Adam(lr=0.1)  # non-ASCII before the call on the same line
    m.fit_generator(m.fit_generator(g, 1), workers=2)
    models = [keras.optimizers.SGD(lr=x, decay=0.) for x in (1, 2)]
    print(f"{m.evaluate_generator(g, 2)}")
    m.compile("sgd", "mse", ["mae"],
              sample_weight_mode="temporal")

    @decorate(keras.optimizers.Adam(lr=3))
    def f(opt=keras.optimizers.RMSprop(lr=1, decay=0.5)):
        return lambda: m.predict_generator(g, workers=1)
    """
)


def findings(source):
    outcome = migrate_bytes(source.encode("utf-8"), "t.py")
    assert outcome.error is None
    return [(f.line, f.col, f.rule) for f in outcome.findings]


def test_ast_positions_equal_libcst_positions():
    fast = findings(SOURCE)
    exact = findings(SOURCE + "# migrate: this comment makes the tool use libcst positions\n")
    assert fast == exact
    assert len(fast) >= 12
    assert (4, 27, "KRS030") in fast  # columns count characters, not UTF-8 bytes (29)
