"""Jupyter notebooks: each code cell migrated as its own module, with the notebook's imports.

IPython syntax (`%magic`, `!shell`, `x?`, `var = !cmd`) is masked as `pass  # __MIGRATE_MAGIC_n__`
at the same indentation while a cell is parsed, and restored afterwards. `%%time`, `%%timeit` and
`%%capture` cells are Python below their first line; other `%%` cells are left alone. A cell that
does not parse is reported by its index; the others are still migrated. The JSON is written back
in its own layout (indent, key order, escaping), so only the changed `source` arrays differ; a
notebook whose layout cannot be reproduced is reported and left untouched.
"""

import ast
import json
import re

import libcst as cst

from compatkeras.migrate import facts as facts_lib
from compatkeras.migrate.names import ImportTable
from compatkeras.migrate.transform import transform

_PYTHON_CELL_MAGICS = ("%%time", "%%timeit", "%%capture")
_LINE_MAGIC = re.compile(r"^\s*(%|!|\?)|^\s*[\w.]+\s*=\s*[!%]|\?\s*$")
_MASK = re.compile(r"^(\s*)pass  # __MIGRATE_MAGIC_(\d+)__$")


def _mask(text):
    """(masked text, original lines by mask number) or (None, None) for a non-Python cell."""
    lines = text.splitlines(keepends=True)
    if lines and lines[0].startswith("%%") and not lines[0].startswith(_PYTHON_CELL_MAGICS):
        return None, None
    masked, originals = [], []
    for number, line in enumerate(lines):
        body = line.rstrip("\r\n")
        if (number == 0 and body.startswith("%%")) or _LINE_MAGIC.search(body):
            indent = body[: len(body) - len(body.lstrip())]
            masked.append(f"{indent}pass  # __MIGRATE_MAGIC_{len(originals)}__{line[len(body) :]}")
            originals.append(body)
        else:
            masked.append(line)
    return "".join(masked), originals


def _unmask(text, originals):
    out = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        match = _MASK.match(body)
        out.append(originals[int(match.group(2))] + line[len(body) :] if match else line)
    return "".join(out)


def _layout(raw, nb):
    """json.dumps keyword arguments that reproduce `raw` exactly, or None."""
    text = raw.decode("utf-8")
    for indent in (1, 2, 4, None):
        for ascii_only in (False, True):
            dumped = json.dumps(nb, indent=indent, ensure_ascii=ascii_only)
            for end in ("\n", ""):
                if dumped + end == text:
                    return {"indent": indent, "ensure_ascii": ascii_only}, end
    return None, None


def migrate_notebook(raw, path, selected, outcome_type):
    """An `Outcome` for a notebook's bytes."""
    try:
        nb = json.loads(raw.decode("utf-8"))
        cells = nb["cells"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        return outcome_type(path, raw, raw, [], error=f"cannot read notebook: {exc}")
    layout, end = _layout(raw, nb)
    parsed, problems = [], []
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else source
        masked, originals = _mask(text)
        if masked is None:
            continue
        try:
            module = cst.parse_module(masked)
        except (cst.ParserSyntaxError, SyntaxError) as exc:
            problems.append(f"cell {index}: cannot parse: {str(exc).splitlines()[0]}")
            continue
        parsed.append((index, cell, module, originals, isinstance(source, list)))
    names = ImportTable.of(*[module for _, _, module, _, _ in parsed])
    # The notebook's facts, read once: a cell's rules see the whole notebook (imports, compile
    # calls, classes), as a file's rules see the whole file.
    codes = [module.code for _, _, module, _, _ in parsed]
    whole = "\n".join(code for code in codes if _parses(code))
    try:
        facts = facts_lib.read(ast.parse(whole))
    except (SyntaxError, ValueError):  # cells that parse alone but not together
        facts = None  # each cell then reads its own
    findings, changed = [], False
    for index, cell, module, originals, as_list in parsed if names.imports_keras else ():
        new, cell_findings = transform(
            module, path, selected, names=names, whole=whole, facts=facts
        )
        for finding in cell_findings:
            finding.cell = index
        findings.extend(cell_findings)
        if new is not module and new.code != module.code:
            text = _unmask(new.code, originals)
            cell["source"] = text.splitlines(keepends=True) if as_list else text
            changed = True
    if changed and layout is None:
        problems.append("the notebook's JSON layout cannot be reproduced: not rewritten")
        return outcome_type(path, raw, raw, findings, problems=problems)
    new_raw = (json.dumps(nb, **layout) + end).encode("utf-8") if changed else raw
    return outcome_type(path, raw, new_raw, findings, problems=problems)


def _parses(code):
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return True
