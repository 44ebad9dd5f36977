"""The rewriter's data model: rules, their levels and modes, and findings."""

import dataclasses
import enum


class Level(enum.IntEnum):
    INFO = 1  # rewritten, nothing to check
    WARNING = 2  # rewritten or left, but behaviour may differ: check it
    ERROR = 3  # will fail or silently change behaviour on Keras 3: edit by hand


class Mode(enum.Enum):
    AUTO = "AUTO"  # always rewritten
    GUARDED = "GUARDED"  # rewritten when a static condition holds, otherwise reported
    REPORT = "REPORT"  # never rewritten


@dataclasses.dataclass(frozen=True)
class Rule:
    id: str
    level: Level
    mode: Mode
    summary: str
    doc: str
    opt_in: bool = False  # applied only when asked for (`--target compatkeras`, `--select` its id)


@dataclasses.dataclass
class Finding:
    path: str
    line: int
    col: int
    level: Level
    rule: str
    message: str
    applied: bool
    cell: int = None  # a notebook's code cell (its index among all cells)

    def as_text(self):
        where = f"{self.path}:" + (f"cell {self.cell}:" if self.cell is not None else "")
        return f"{where}{self.line}:{self.col}: {self.level.name}: [{self.rule}] {self.message}"

    def as_json(self):
        return dict(dataclasses.asdict(self), level=self.level.name)


RULES = {}


def rule(id, level, mode, summary, doc, opt_in=False):
    """Declare a rule; families call this at import time."""
    if id in RULES:
        raise ValueError(f"rule id {id} declared twice")
    RULES[id] = Rule(id, level, mode, summary, " ".join(doc.split()), opt_in)
    return RULES[id]


def default_rules():
    """The rule ids a run applies unless told otherwise: all but the opt-in ones."""
    return {r.id for r in RULES.values() if not r.opt_in}


TARGETS = {"keras": (), "compatkeras": ("KRS120", "KRS121")}  # --target: the opt-in rules it adds
