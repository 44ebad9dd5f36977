"""Line and column of reported nodes, from Python's own `ast` (a C parser) instead of a second
libcst pass with `PositionProvider`, which cost about a third of the rewriter's time.

A reported call is found again as the k-th call, in source order, with the same callee text
(`model.fit_generator`, `Adam`, ...); a reported `from ... import` as the k-th one. Both trees
list these in source order, so the k-th of one is the k-th of the other.
"""

import ast

import libcst as cst

from compatkeras.migrate.names import dotted


def key(node):
    """What identifies a reportable node up to its order: a call's callee text, or the kind."""
    if isinstance(node, cst.Call):
        return ("call", dotted(node.func))
    if isinstance(node, cst.ImportFrom):
        return ("import-from", None)
    return None


def _ast_dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _ast_dotted(node.value)
        return None if head is None else f"{head}.{node.attr}"
    return None


def _ast_key(node):
    if isinstance(node, ast.Call):
        return ("call", _ast_dotted(node.func))
    if isinstance(node, ast.ImportFrom):
        return ("import-from", None)
    return None


def ast_positions(source_text, nodes):
    """{key: [(line, column), ...] in source order} for the given `ast` Call and ImportFrom
    nodes, columns in characters as libcst counts them."""
    lines = source_text.splitlines()
    found = {}
    for node in nodes:
        k = _ast_key(node)
        line_bytes = lines[node.lineno - 1].encode("utf-8")
        column = len(line_bytes[: node.col_offset].decode("utf-8", errors="replace"))
        found.setdefault(k, []).append((node.lineno, column))
    for places in found.values():
        places.sort()
    return found
