"""The one traversal: every rule family registers handlers by node type, and a single libcst
pass over a module calls them (pyupgrade's plugin model on a concrete syntax tree)."""

import ast
import collections
import inspect
import re

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from compatkeras.migrate import edit as edit_lib
from compatkeras.migrate import facts as facts_lib
from compatkeras.migrate import positions as positions_lib
from compatkeras.migrate import walk as walk_lib
from compatkeras.migrate.model import RULES, Finding, Level, Mode
from compatkeras.migrate.names import ImportTable

HANDLERS = collections.defaultdict(list)  # node type -> [handler(ctx, original, updated)]

_SUPPRESS = re.compile(r"#\s*migrate:\s*ignore(?:\[([A-Za-z0-9_, ]+)\])?")


# rule id -> function(statement) -> statement: rewrites the imports the file gains, when the
# rule is selected (a rule family registers it: this module imports none of them).
IMPORT_REWRITERS = {}


def register(node_type):
    """Decorator: `handler(ctx, original, updated)` returns a replacement node or None."""

    def wrap(handler):
        HANDLERS[node_type].append(handler)
        return handler

    return wrap


class Context:
    """What a handler sees: the file's imports, the selected rules, and where to report."""

    def __init__(self, names, selected, positions, suppressions, source="", whole=None, facts=None):
        self.names = names
        self.source = source
        self.whole = source if whole is None else whole  # a notebook's cells together
        self._tree, self._facts = None, facts
        self.cache = {}  # per-file results a rule family computed once (e.g. its own scan)
        self.selected = selected
        self._positions = positions
        self._suppressions = suppressions
        self.raw_findings = []  # (original node, rule id, message, applied)
        self.needed_imports = set()
        self.ordinals = {}  # reportable node -> (key, its index among nodes of that key)
        self._counts = {}

    def enabled(self, rule_id, node):
        """Whether `rule_id` applies at `node` (None: anywhere in the file)."""
        if rule_id not in self.selected:
            return False
        if self._positions is None or node is None:
            return True
        ids = self._suppressions.get(self._positions[node].start.line, ())
        return not (ids is None or rule_id in ids)

    def report(self, rule_id, node, message=None, applied=True, level=None):
        """A finding at `node`. Its level is the rule's, or `level` where this case is graver
        (a rewrite the rule could not make). A rewriting INFO rule's finding that was not
        applied is at least a WARNING (INFO means "rewritten, nothing to check"); a REPORT rule's
        INFO is a note by design."""
        if level is None:
            rule = RULES[rule_id]
            level = rule.level
            if not applied and level == Level.INFO and rule.mode != Mode.REPORT:
                level = Level.WARNING
        self.raw_findings.append((node, rule_id, message or RULES[rule_id].summary, applied, level))

    def retract(self, node, rule_id):
        """Withdraw a finding an enclosing rewrite made moot."""
        self.raw_findings = [f for f in self.raw_findings if not (f[0] is node and f[1] == rule_id)]

    def require_import(self, statement):
        """An import statement (`import keras`, `from keras import ops`) the file must gain."""
        self.needed_imports.add(statement)

    @property
    def tree(self):
        """The file as a Python `ast` tree (parsed once, on first use)."""
        if self._tree is None:
            try:
                self._tree = ast.parse(self.source)
            except (SyntaxError, ValueError):  # libcst accepts a little more than this Python
                self._tree = ast.Module(body=[], type_ignores=[])
        return self._tree

    @property
    def facts(self):
        """`facts.Facts` of the whole file (a notebook cell gets the notebook's from the caller)."""
        if self._facts is None:
            project = self.names.project
            self._facts = facts_lib.read(self.tree, project.factories if project else frozenset())
        return self._facts

    def keras_name(self):
        """Source text naming the `keras` module here (its module-level import, whatever it is
        called), importing it if needed; None when `keras` names something else."""
        name = self.names.module_name("keras")
        if name is not None:
            return name
        if self.names.free_for("keras", "keras"):
            self.require_import("import keras")
            return "keras"
        return None

    def name_for(self, module, local, statement):
        """Source text naming `module` (e.g. `keras.ops`) here: an existing import of it, or
        `local` after adding `statement`, or (for a Keras module) `keras.<rest>` through an
        `import keras`. None when every spelling is taken by something else."""
        name = self.names.module_name(module)
        if name is not None:
            return name
        # An import of `module` inside some function binds `local` there only: the code written
        # here needs a module-level one (else: NameError where that function is not).
        if self.names.free_for(local, module) and (
            self.names.binds_module(local, module) or not _mentions(self.whole, local)
        ):
            self.require_import(statement)
            return local
        if not module.startswith("keras."):
            return None
        rest = module.partition(".")[2]
        if self.names.module_name("keras") == "keras":
            return f"keras.{rest}"
        code = "\n".join(
            line
            for line in self.whole.splitlines()
            if not line.lstrip().startswith(("import ", "from "))
        )
        if self.names.free_for("keras", "keras") and (
            self.names.binds_module("keras", "keras") or not _mentions(code, "keras")
        ):
            self.require_import("import keras")
            return f"keras.{rest}"
        return None


def _token_types():
    """libcst node types that hold only whitespace and tokens (operators, commas, names,
    literals): no rule handles them or anything inside them, so the traversal never opens them
    (half of a module's nodes are whitespace)."""
    found = {
        cls
        for cls in vars(cst).values()
        if inspect.isclass(cls)
        and issubclass(cls, cst.CSTNode)
        and cls.__module__ in ("libcst._nodes.whitespace", "libcst._nodes.op")
    }
    found |= {cst.Name, cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString}
    found |= {cst.LeftParen, cst.RightParen, cst.LeftSquareBracket, cst.RightSquareBracket}
    found |= {cst.LeftCurlyBrace, cst.RightCurlyBrace}
    return frozenset(found - set(HANDLERS))


_TOKENS = None  # built on first use: every rule family has registered its handlers by then


def _mentions(text, name):
    """Whether `name` occurs as a name of its own (not as `x.name`): a local variable, a
    parameter, ... Strings and comments count too, which only makes the check stricter."""
    return re.search(rf"(?<![.\w]){re.escape(name)}\b", text) is not None


class _Transformer:
    """The handlers over one module (`walk.walk` calls `on_visit` and `on_leave`)."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.changed = False

    def run(self, module):
        global _TOKENS
        if _TOKENS is None:
            _TOKENS = _token_types()
        return walk_lib.walk(module, _TOKENS, self.on_visit, self.on_leave)

    def on_visit(self, node):
        # Number the nodes rules may report, in source order, for `positions`.
        if type(node) in HANDLERS:
            key = positions_lib.key(node)
            if key is not None and key != ("call", None):
                index = self.ctx._counts.get(key, 0)
                self.ctx.ordinals[node] = (key, index)
                self.ctx._counts[key] = index + 1

    def on_leave(self, original_node, updated_node):
        handlers = HANDLERS.get(type(original_node), ())
        for i, handler in enumerate(handlers):
            replacement = handler(self.ctx, original_node, updated_node)
            if replacement is None:
                continue
            if replacement is updated_node:
                continue
            self.changed = True
            if isinstance(replacement, cst.FlattenSentinel):
                # Split into several statements: the remaining handlers see each part.
                return cst.FlattenSentinel(
                    [
                        self._rest(handlers[i + 1 :], original_node, part)
                        for part in replacement.nodes
                    ]
                )
            updated_node = replacement
            if type(replacement) is not type(original_node):
                break  # another kind of node now (a call became a comprehension): handlers done
        return updated_node

    def _rest(self, handlers, original_node, node):
        for handler in handlers:
            if type(node) is type(original_node):
                node = handler(self.ctx, original_node, node) or node
        return node


def _suppressions(source):
    """{line: None (all rules) or a set of rule ids} from `# migrate: ignore[...]` comments."""
    found = {}
    for number, line in enumerate(source.splitlines(), start=1):
        match = _SUPPRESS.search(line)
        if match:
            found[number] = (
                None
                if match.group(1) is None
                else {part.strip() for part in match.group(1).split(",")}
            )
    return found


def _is_magic_mask(statement):
    comment = getattr(getattr(statement, "trailing_whitespace", None), "comment", None)
    return comment is not None and "__MIGRATE_MAGIC_" in comment.value


def _add_imports(module, modules):
    """The needed import statements after the last top-level import (or the docstring)."""
    body = list(module.body)
    at = 0
    for i, statement in enumerate(body):
        if isinstance(statement, cst.SimpleStatementLine) and any(
            isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body
        ):
            at = i + 1
        elif (
            i == 0
            and isinstance(statement, cst.SimpleStatementLine)
            and isinstance(statement.body[0], cst.Expr)
            and isinstance(statement.body[0].value, cst.SimpleString)
        ):
            at = 1
        elif i == at and _is_magic_mask(statement):
            at = i + 1  # a notebook cell's leading `%%time` / `%magic` stays first
    new = [edit_lib.statement(f"{statement}\n") for statement in sorted(modules)]
    return module.with_changes(body=[*body[:at], *new, *body[at:]])


def transform(
    module, path, selected, names=None, whole=None, source=None, facts=None, project=None
):
    """Migrate a parsed module: (new module, [Finding]) with findings in source order; the new
    module is `module` itself when nothing changed. A notebook cell gets the notebook's import
    table (`names`), code (`whole`) and `facts`. `source` is the module's text if the caller has it;
    `project` is what the run learnt about the other files (`project.scan`)."""
    source = module.code if source is None else source
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    suppressions = _suppressions(source) if "migrate:" in source else {}
    # Positions cost a whole extra pass: resolve them up front only to honour suppressions,
    # otherwise only when there is something to report.
    positions = wrapper.resolve(PositionProvider) if suppressions else None
    names = ImportTable.of(module, project=project) if names is None else names
    ctx = Context(names, selected, positions, suppressions, source, whole, facts)
    transformer = _Transformer(ctx)
    new = transformer.run(module)
    if ctx.needed_imports:
        for rule_id, rewrite in IMPORT_REWRITERS.items():  # e.g. --target compatkeras
            if rule_id in selected:
                ctx.needed_imports = {rewrite(s) for s in ctx.needed_imports}
        new = _add_imports(new, ctx.needed_imports)
    elif not transformer.changed:
        new = module
    findings = []
    places = None
    for node, rule_id, message, applied, level in ctx.raw_findings:
        line = column = None
        if positions is None:
            if places is None:
                try:
                    # Positions are the cell's own for a notebook cell.
                    own = ctx.facts if ctx.whole is ctx.source else facts_lib.read(ctx.tree)
                    places = positions_lib.ast_positions(source, own.calls + own.import_froms)
                except (SyntaxError, ValueError, IndexError):
                    places = {}
            key, index = ctx.ordinals.get(node, (None, 0))
            found = places.get(key, [])
            if index < len(found):
                line, column = found[index]
            else:
                positions = wrapper.resolve(PositionProvider)  # exact, and a full extra pass
        if line is None:
            start = positions[node].start
            line, column = start.line, start.column
        findings.append(Finding(path, line, column, level, rule_id, message, applied))
    findings.sort(key=lambda f: (f.line, f.col, f.rule))
    return new, findings
