"""The pyupgrade-style table tests every rule family shares.

In a family's test module: `test_fix, test_noop, test_idempotent = table_tests(FIXES, NOOPS)`.
`FIXES` are (before, after) pairs, `NOOPS` inputs that must come back byte-identical; every
`after` must itself be a no-op (running the tool twice changes nothing).
"""

import pytest


def table_tests(fixes, noops):
    @pytest.mark.parametrize(("before", "after"), fixes)
    def test_fix(fix, before, after):
        assert fix(before) == after

    @pytest.mark.parametrize("source", noops)
    def test_noop(fix, source):
        assert fix(source) == source

    @pytest.mark.parametrize("after", [after for _, after in fixes])
    def test_idempotent(fix, after):
        assert fix(after) == after

    return test_fix, test_noop, test_idempotent
