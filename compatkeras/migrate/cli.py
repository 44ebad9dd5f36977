"""`python tools/migrate.py` / `compatkeras-migrate`: Keras 2 code to Keras 3 style.

Exit codes: 0 nothing to change; 1 files changed (or would be, with --diff/--check);
3 a file could not be read or parsed (left untouched); 4 findings at or above --fail-on remain.
When several hold, the highest wins, except that 3 beats 4.
"""

import argparse
import json
import os
import sys

from compatkeras.migrate import runner
from compatkeras.migrate.model import RULES, Level


def _jobs(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"--jobs must be at least 1, got {value}")
    return value


def _rule_ids(text):
    return [part.strip() for part in text.split(",") if part.strip()]


def _selected(select, ignore):
    def matches(rule_id, prefixes):
        return any(rule_id.startswith(p) for p in prefixes)

    chosen = {r for r in RULES if not select or matches(r, select)}
    return {r for r in chosen if not matches(r, ignore)}


def build_parser():
    parser = argparse.ArgumentParser(
        prog="migrate",
        description="Rewrite Keras 2 code to Keras 3 style, keeping formatting and comments, "
        "and report what cannot be rewritten.",
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (*.py)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--diff", action="store_true", help="print a unified diff (the default)")
    mode.add_argument("--inplace", "--write", action="store_true", help="rewrite the files")
    mode.add_argument("--check", action="store_true", help="write nothing; exit 1 if files would change")
    parser.add_argument("--select", type=_rule_ids, default=[], help="only these rule ids/prefixes")
    parser.add_argument("--ignore", type=_rule_ids, default=[], help="skip these rule ids/prefixes")
    parser.add_argument("--exclude", action="append", default=[], metavar="GLOB")
    parser.add_argument("-j", "--jobs", type=_jobs, default=os.cpu_count() or 1,
                        help="worker processes (default: one per core; 1 = in this process)")
    parser.add_argument("--fail-on", choices=["info", "warning", "error"], default="error")
    parser.add_argument("--report-format", choices=["text", "json"], default="text")
    parser.add_argument("--reportfile", help="write the report here instead of stderr")
    parser.add_argument("--list-rules", action="store_true", help="list the rules and exit")
    parser.add_argument("--explain", metavar="ID", help="show one rule's documentation and exit")
    return parser


def _list_rules(out):
    for r in sorted(RULES.values(), key=lambda r: r.id):
        out.write(f"{r.id}  {r.level.name:<7}  {r.mode.value:<7}  {r.summary}\n")


def _explain(rule_id, out):
    r = RULES.get(rule_id.upper())
    if r is None:
        raise SystemExit(f"migrate: unknown rule {rule_id!r}; see --list-rules")
    out.write(f"{r.id} ({r.level.name}, {r.mode.value}): {r.summary}\n\n{r.doc}\n")


def _write_report(outcomes, args):
    findings = [f for o in outcomes for f in o.findings]
    errors = [o for o in outcomes if o.error]
    if args.report_format == "json":
        entries = [f.as_json() for f in findings]
        entries += [{"path": o.path, "level": "ERROR", "rule": None, "message": o.error,
                     "applied": False} for o in errors]
        text = json.dumps(entries, indent=2) + "\n"
    else:
        lines = [f.as_text() for f in findings]
        lines += [f"{o.path}: ERROR: {o.error}" for o in errors]
        changed = sum(o.changed for o in outcomes)
        lines.append(
            f"{len(outcomes)} files checked, {changed} changed, {len(findings)} findings, "
            f"{len(errors)} unreadable"
        )
        text = "\n".join(lines) + "\n"
    if args.reportfile:
        with open(args.reportfile, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stderr.write(text)


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.list_rules:
        _list_rules(sys.stdout)
        return 0
    if args.explain:
        _explain(args.explain, sys.stdout)
        return 0
    if not args.paths:
        build_parser().error("give at least one PATH")

    selected = _selected(args.select, args.ignore)
    outcomes = runner.migrate_files(runner.python_files(args.paths, args.exclude), selected, args.jobs)
    for outcome in outcomes:
        if not outcome.changed:
            continue
        if args.inplace:
            runner.write_atomically(outcome.path, outcome.new)
        elif not args.check:
            sys.stdout.write(runner.unified_diff(outcome))
    _write_report(outcomes, args)

    threshold = Level[args.fail_on.upper()]
    if any(o.error for o in outcomes):
        return 3
    if any(f.level >= threshold for o in outcomes for f in o.findings):
        return 4
    return 1 if any(o.changed for o in outcomes) else 0
