"""Small, layout-keeping edits of a call's arguments (libcst nodes are immutable: each returns a
new `Call`). Commas move with their whitespace, so multi-line calls and trailing commas survive."""

import functools

import libcst as cst

_NO_SPACE = cst.AssignEqual(
    whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
)


COMMA = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))  # ", "


def arg(value, keyword=None, last=False):
    """A new argument `value` or `keyword=value`, followed by ", " unless it is the last."""
    comma = cst.MaybeSentinel.DEFAULT if last else COMMA
    if keyword is None:
        return cst.Arg(value, comma=comma)
    return cst.Arg(value, keyword=cst.Name(keyword), equal=_NO_SPACE, comma=comma)


def has_star_args(call):
    return any(arg.star for arg in call.args)


def positional(call):
    return [arg for arg in call.args if arg.keyword is None and not arg.star]


def keyword_index(call, name):
    for i, arg in enumerate(call.args):
        if arg.keyword is not None and arg.keyword.value == name:
            return i
    return None


def keyword_value(call, name):
    i = keyword_index(call, name)
    return None if i is None else call.args[i].value


def rename_keyword(call, old, new):
    i = keyword_index(call, old)
    args = list(call.args)
    args[i] = args[i].with_changes(keyword=cst.Name(new))
    return call.with_changes(args=args)


def set_argument_value(call, index, value):
    args = list(call.args)
    args[index] = args[index].with_changes(value=value)
    return call.with_changes(args=args)


def remove_argument(call, index):
    args = list(call.args)
    removed = args.pop(index)
    if index == len(args) and index > 0:
        # The new last argument takes over the removed one's comma (or its absence).
        args[index - 1] = args[index - 1].with_changes(comma=removed.comma)
    return call.with_changes(args=args)


def remove_keyword(call, name):
    i = keyword_index(call, name)
    return call if i is None else remove_argument(call, i)


def as_keyword(argument, name):
    """The same argument given as `name=value` (its value and comma kept)."""
    return argument.with_changes(keyword=cst.Name(name), equal=_NO_SPACE)


def positional_to_keywords(call, names, start):
    """Give the positional arguments from `start` on the keywords `names[0]`, `names[1]`, ..."""
    args, seen = list(call.args), 0
    for i, arg in enumerate(args):
        if arg.keyword is None and not arg.star:
            if seen >= start:
                args[i] = as_keyword(arg, names[seen - start])
            seen += 1
    return call.with_changes(args=args)


def add_keyword(call, name, value):
    args = list(call.args)
    new = arg(value, name, last=True)
    if args:
        last = args[-1]
        if isinstance(last.comma, cst.Comma):
            new = new.with_changes(comma=last.comma)  # keep a trailing comma and its newline
        args[-1] = last.with_changes(comma=COMMA)
    return call.with_changes(args=[*args, new])


def keyword_to_first_positional(call, name):
    """`f(a=1, b)`-style fix: move keyword `name` to the front as a positional argument."""
    i = keyword_index(call, name)
    value = call.args[i].value
    call = remove_argument(call, i)
    first = arg(value, last=not call.args)
    return call.with_changes(args=[first, *call.args])


def method_name(call):
    return call.func.attr.value if isinstance(call.func, cst.Attribute) else None


def is_literal_zero(node):
    return isinstance(node, (cst.Integer, cst.Float)) and float(node.evaluated_value) == 0.0


_ATOMS = (
    cst.Name,
    cst.Attribute,
    cst.Call,
    cst.Subscript,
    cst.Integer,
    cst.Float,
    cst.Imaginary,
    cst.SimpleString,
    cst.ConcatenatedString,
    cst.FormattedString,
    cst.List,
    cst.Tuple,
    cst.Dict,
    cst.Set,
    cst.ListComp,
    cst.SetComp,
    cst.DictComp,
    cst.GeneratorExp,
)


def _parenthesized(node):
    if isinstance(node, _ATOMS) or node.lpar:
        return node
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


class _Fill(cst.CSTTransformer):
    def __init__(self, values):
        super().__init__()
        self.values = values
        self.wrapped = {}  # id(wrapped node) -> the bare node, for whole arguments

    def leave_Name(self, original, updated):
        if original.value.startswith("__") and original.value[2:-2].isdigit():
            bare = self.values[int(original.value[2:-2])]
            wrapped = _parenthesized(bare)
            self.wrapped[id(wrapped)] = bare
            return wrapped
        return updated

    def leave_Arg(self, original, updated):
        bare = self.wrapped.get(id(updated.value))
        return updated if bare is None else updated.with_changes(value=bare)


@functools.lru_cache(maxsize=512)
def expression(text):
    """`cst.parse_expression`, cached: a parse costs about a millisecond, and rules build the
    same few expressions over and over (libcst nodes are immutable, so sharing them is safe)."""
    return cst.parse_expression(text)


@functools.lru_cache(maxsize=128)
def statement(text):
    """`cst.parse_statement`, cached like `expression`."""
    return cst.parse_statement(text)


def template(text, *values):
    """An expression from `text` with `__0__`, `__1__`, ... replaced by the given nodes, which
    are parenthesised where precedence needs it (never as a whole call argument)."""
    return expression(text).visit(_Fill(values))


def import_renamed(node, renames):
    """`from m import old` -> `from m import New as old` for `renames` {old: New}, so the rest of
    the file keeps its names; None when `node` imports none of them. The caller checks `m`."""
    if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
        return None
    names, changed = [], False
    for alias in node.names:
        new = renames.get(alias.name.value) if isinstance(alias.name, cst.Name) else None
        if new is not None:
            local = alias.asname or cst.AsName(name=cst.Name(alias.name.value))
            alias = alias.with_changes(name=cst.Name(new), asname=local)
            changed = True
        names.append(alias)
    return node.with_changes(names=names) if changed else None
