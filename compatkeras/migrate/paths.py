"""File paths in source: the literal text that ends a path expression, and its replacement.

Keras 3 decides the file format from a path's suffix, so a rule that must change `.h5` into
`.weights.h5` needs the end of the path even when the path is computed: `'w.h5'`,
`out_dir + '/w.h5'`, `os.path.join(d, 'w.{epoch:02d}.hdf5')`, `f'{d}/w_{n}.h5'`,
`'w_{}.h5'.format(n)`. Anything else (a variable, a call's result) has no visible end.
"""

import libcst as cst


def tail(node):
    """(text, rebuild) for the literal that ends the path `node`, where `rebuild(new_text)`
    gives the expression with that literal's text replaced; None when the end is not visible."""
    if isinstance(node, cst.SimpleString):
        text = node.evaluated_value
        if not isinstance(text, str) or text != node.raw_value:
            return None  # escapes or bytes: not edited
        return text, lambda new: node.with_changes(
            value=f"{node.prefix}{node.quote}{new}{node.quote}"
        )
    if isinstance(node, cst.ConcatenatedString):
        return _through(node.right, lambda right: node.with_changes(right=right))
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return _through(node.right, lambda right: node.with_changes(right=right))
    if isinstance(node, cst.FormattedString):
        last = node.parts[-1] if node.parts else None
        if not isinstance(last, cst.FormattedStringText) or "\\" in last.value:
            return None
        parts = list(node.parts)
        return last.value, lambda new: node.with_changes(
            parts=[*parts[:-1], last.with_changes(value=new)]
        )
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        method = node.func.attr.value
        if method == "format":  # 'w_{}.h5'.format(n)
            return _through(
                node.func.value,
                lambda owner: node.with_changes(func=node.func.with_changes(value=owner)),
            )
        if method == "join" and node.args and not any(a.star or a.keyword for a in node.args):
            args = list(node.args)  # os.path.join(d, 'w.h5')
            return _through(
                args[-1].value,
                lambda value: node.with_changes(
                    args=[*args[:-1], args[-1].with_changes(value=value)]
                ),
            )
    return None


def _through(node, wrap):
    found = tail(node)
    if found is None:
        return None
    text, rebuild = found
    return text, lambda new: wrap(rebuild(new))


def weights_suffix(text):
    """`text` with a Keras 2 weights suffix (.h5/.hdf5) turned into Keras 3's `.weights.h5`, or
    None when it has none (or has the new one already)."""
    if text.endswith(".weights.h5"):
        return None
    for old in (".hdf5", ".h5"):
        if text.endswith(old):
            return text[: -len(old)] + ".weights.h5"
    return None
