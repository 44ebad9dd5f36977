import textwrap

import pytest

from compatkeras.migrate import migrate_bytes


def _run(source):
    outcome = migrate_bytes(textwrap.dedent(source).encode(), "t.py")
    assert outcome.error is None, outcome.error
    return outcome


@pytest.fixture
def fix():
    """`fix(source)` -> migrated source (dedented first)."""
    return lambda source: _run(source).new.decode()


@pytest.fixture
def findings():
    """`findings(source)` -> [(rule, applied)] in source order."""
    return lambda source: [(f.rule, f.applied) for f in _run(source).findings]
