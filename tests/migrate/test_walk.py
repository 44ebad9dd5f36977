"""`walk.walk` against libcst's own traversal: the same nodes in the same order, the same tree
after the same changes, and untouched subtrees kept as the very same objects."""

import libcst as cst
import pytest

from compatkeras.migrate import walk as walk_lib

SOURCES = [
    # decorators come before the name in the source, after it in the dataclass
    "@tf.function(jit_compile=True)\n@K.deco(a(1))\ndef f(x=K.epsilon(), *, y=g()):\n"
    "    return h(x)\n",
    # the body of a conditional expression before its test
    "v = body(1) if test(2) else other(3)\n",
    "def f(a=p(), /, b=q(), *args, c=r(), **kw):\n    pass\n",
    "from .. import x\nfrom .a.b import (c as d, e)\nimport keras.backend as K, os\n",
    "x = [f(i) for i in g(j) if k(i)]\ny = {a(): b() for c in d()}\nz = lambda q=w(): e(q)\n",
    "class A(B, metaclass=M(1)):\n    @property\n    def p(self):\n        return self.q[r(1):s(2)]\n",
    "try:\n    a()\nexcept E(1) as e:\n    b()\nelse:\n    c()\nfinally:\n    d()\n",
    "async def f():\n    async with a() as b, c() as d:\n        await e(f'{g(1)!r:>{h()}}')\n",
    "while a():\n    if b(): break\n    elif c(): continue\n    else: d()\nx: T(1) = y(2)\n",
]

SKIP = frozenset({cst.Name, cst.SimpleWhitespace, cst.Comma, cst.Newline, cst.Integer})


class _Order(cst.CSTVisitor):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_visit(self, node):
        if type(node) in SKIP:
            return False
        self.seen.append(node)
        return True


class _Upper(cst.CSTTransformer):
    def leave_Call(self, original, updated):
        return _upper(updated)


def _upper(call):
    if isinstance(call.func, cst.Name):
        return call.with_changes(func=cst.Name(call.func.value.upper()))
    return call


@pytest.mark.parametrize("source", SOURCES)
def test_nodes_in_libcst_order(source):
    module = cst.parse_module(source)
    expected = _Order()
    module.visit(expected)
    seen = []
    walk_lib.walk(module, SKIP, seen.append, lambda original, updated: updated)
    assert [id(n) for n in seen] == [id(n) for n in expected.seen]


@pytest.mark.parametrize("source", SOURCES)
def test_same_tree_as_a_libcst_transformer(source):
    module = cst.parse_module(source)

    def leave(original, updated):
        return _upper(updated) if isinstance(updated, cst.Call) else updated

    ours = walk_lib.walk(module, SKIP, lambda node: None, leave)
    assert ours.code == module.visit(_Upper()).code


def test_untouched_subtrees_are_kept_and_sequences_flatten():
    module = cst.parse_module("a = 1\nb = f()\nc = 3\n")

    def leave(original, updated):
        if isinstance(updated, cst.SimpleStatementLine) and "f()" in module.code_for_node(updated):
            return cst.FlattenSentinel([updated, cst.parse_statement("d = 4\n")])
        if (
            isinstance(updated, cst.SimpleStatementLine)
            and module.code_for_node(updated) == "c = 3\n"
        ):
            return cst.RemoveFromParent()
        return updated

    new = walk_lib.walk(module, SKIP, lambda node: None, leave)
    assert new.code == "a = 1\nb = f()\nd = 4\n"
    assert new.body[0] is module.body[0]
    untouched = cst.parse_module("x = g(1)\n")
    assert walk_lib.walk(untouched, SKIP, lambda node: None, lambda o, u: u) is untouched
