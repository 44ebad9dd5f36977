"""A libcst traversal for transformers that touch few nodes.

libcst's own `visit` rebuilds every node it passes (a new dataclass, validated) and opens every
whitespace and token node: on a Keras script that is most of the rewriter's time, although the
rules change a few calls. `walk` visits the same nodes in the same order (libcst's source order,
pre-order `enter`, post-order `leave`) but never opens the node types the caller says hold nothing
for it, and rebuilds a node only when a child changed. `leave` may return a `FlattenSentinel` or a
`RemovalSentinel` where the node sits in a sequence, as with libcst.
"""

import dataclasses

import libcst as cst

_ORDERS = {}  # (node type, fields holding nodes) -> those fields in libcst's visiting order
_FIELDS = {}  # node type -> its dataclass field names
_IS_NODE = {}  # type of a field's value -> whether it is a libcst node


def walk(node, skip, enter, leave):
    """The tree after `leave(original, updated)` on every node not of a type in `skip` (and
    not inside one); `enter(node)` is called first, in source order."""
    if type(node) in skip:
        return node
    enter(node)
    changes = None
    for name in _order(node):
        value = getattr(node, name)
        if type(value) is not tuple and type(value) is not list:
            if type(value) in skip:
                continue
            new = walk(value, skip, enter, leave)
        else:
            new = _walk_sequence(value, skip, enter, leave)
        if new is not value:
            changes = changes or {}
            changes[name] = new
    updated = node if changes is None else node.with_changes(**changes)
    return leave(node, updated)


def _walk_sequence(items, skip, enter, leave):
    new_items, changed = [], False
    for item in items:
        if type(item) in skip:
            new_items.append(item)
            continue
        new = walk(item, skip, enter, leave)
        if new is item:
            new_items.append(item)
            continue
        changed = True
        if isinstance(new, cst.FlattenSentinel):
            new_items.extend(new.nodes)
        elif not isinstance(new, cst.RemovalSentinel):
            new_items.append(new)
    return tuple(new_items) if changed else items


def _order(node):
    """The fields of `node` that hold nodes, in the order libcst visits them (its source order,
    which differs from the dataclass order: decorators come before a function's name, the body
    of `a if b else c` before its test). Learnt once per type and shape from `node.children`."""
    names = _FIELDS.get(type(node))
    if names is None:
        names = _FIELDS[type(node)] = tuple(field.name for field in dataclasses.fields(node))
    present = tuple(name for name in names if _holds_nodes(getattr(node, name)))
    key = (type(node), present)
    order = _ORDERS.get(key)
    if order is None:
        order = _ORDERS[key] = _learn(node, present)
    return order


def _holds_nodes(value):
    kind = type(value)
    if kind is tuple or kind is list:
        return len(value) > 0  # libcst's sequences hold nodes only
    is_node = _IS_NODE.get(kind)
    if is_node is None:
        is_node = _IS_NODE[kind] = isinstance(value, cst.CSTNode)  # an abc check: slow
    return is_node


def _learn(node, present):
    owner = {}
    for name in present:
        value = getattr(node, name)
        for item in (value,) if isinstance(value, cst.CSTNode) else value:
            owner[id(item)] = name
    order = []
    for child in node.children:
        name = owner.get(id(child))
        if name is not None and name not in order:
            order.append(name)
    return tuple(order) + tuple(name for name in present if name not in order)
