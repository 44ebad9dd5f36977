"""`python tools/migrate.py` / `compatkeras-migrate`: Keras 2 code to Keras 3 style.

Exit codes: 0 nothing to change; 1 files changed (or would be, with --diff/--check);
3 a file (or a notebook cell) could not be read or parsed (left untouched); 4 findings at or
above --fail-on remain; 2 a usage error. When several hold: 3, then 4, then 1.
"""

import argparse
import json
import os
import sys

from compatkeras.migrate import project as project_lib
from compatkeras.migrate import runner
from compatkeras.migrate.model import RULES, TARGETS, Level


def _jobs(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"--jobs must be at least 1, got {value}")
    return value


def _rule_ids(text):
    return [part.strip() for part in text.split(",") if part.strip()]


def _selected(select, ignore, target="keras"):
    """The rules to apply: `--select` prefixes (an opt-in rule only by its exact id), the
    target's opt-in rules, less `--ignore` prefixes."""

    def matches(rule_id, prefixes):
        return any(rule_id.startswith(p) for p in prefixes)

    chosen = {
        r
        for r, spec in RULES.items()
        if (not select and not spec.opt_in) or (select and matches(r, select) and not spec.opt_in)
    }
    chosen |= {r for r in RULES if r in select} | set(TARGETS[target])
    return {r for r in chosen if not matches(r, ignore)}


def _boolean(text):
    """A real boolean for `--copyotherfiles` (tf_upgrade_v2's `type=bool` took "False" as True)."""
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="migrate",
        description="Rewrite Keras 2 code to Keras 3 style, keeping formatting and comments, "
        "and report what cannot be rewritten.",
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files or folders (*.py, *.ipynb); '-' reads stdin and writes stdout",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--diff", action="store_true", help="print a unified diff (the default)")
    mode.add_argument("--inplace", "--write", action="store_true", help="rewrite the files")
    mode.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if files would change"
    )
    parser.add_argument(
        "-U", "--unified", type=int, default=3, metavar="N", help="diff context lines"
    )
    parser.add_argument(
        "--infile", help="one file to migrate (tf_upgrade_v2 style); with --outfile"
    )
    parser.add_argument("--outfile", help="where --infile's result goes (default: stdout)")
    parser.add_argument("--intree", help="a folder to migrate into --outtree (tf_upgrade_v2 style)")
    parser.add_argument("--outtree", help="the new folder; it must not exist or be empty (--force)")
    parser.add_argument(
        "--copyotherfiles",
        type=_boolean,
        default=True,
        metavar="BOOL",
        help="with --intree: copy the files that are not migrated (default: true)",
    )
    parser.add_argument("--no-copyotherfiles", dest="copyotherfiles", action="store_false")
    parser.add_argument("--force", action="store_true", help="let --outtree be a non-empty folder")
    parser.add_argument(
        "--no-ipynb",
        dest="notebooks",
        action="store_false",
        help="leave notebooks alone (they are migrated by default)",
    )
    parser.add_argument(
        "--target",
        choices=sorted(TARGETS),
        default="keras",
        help="keras: stock Keras 3 (the default); compatkeras: import compatkeras.v3 (Keras 3's "
        "namespace on compatkeras's engine) and keep Keras 2 preprocessing from compatkeras",
    )
    parser.add_argument("--select", type=_rule_ids, default=[], help="only these rule ids/prefixes")
    parser.add_argument("--ignore", type=_rule_ids, default=[], help="skip these rule ids/prefixes")
    parser.add_argument("--exclude", action="append", default=[], metavar="GLOB")
    parser.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=os.cpu_count() or 1,
        help="worker processes (default: one per core; 1 = in this process)",
    )
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
    errors = [(o.path, o.error) for o in outcomes if o.error]
    errors += [(o.path, problem) for o in outcomes for problem in o.problems]
    if args.report_format == "json":
        entries = [f.as_json() for f in findings]
        entries += [
            {"path": path, "level": "ERROR", "rule": None, "message": message, "applied": False}
            for path, message in errors
        ]
        text = json.dumps(entries, indent=2) + "\n"
    else:
        lines = [f.as_text() for f in findings]
        lines += [f"{path}: ERROR: {message}" for path, message in errors]
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


def _exit_code(outcomes, args):
    threshold = Level[args.fail_on.upper()]
    if any(o.error or o.problems for o in outcomes):
        return 3
    if any(f.level >= threshold for o in outcomes for f in o.findings):
        return 4
    return 1 if any(o.changed for o in outcomes) else 0


def _progress(total):
    """A `done(n)` callback that redraws one stderr line, only for a terminal."""
    if total < 2 or not sys.stderr.isatty():
        return None

    def done(count):
        end = "\n" if count == total else ""
        sys.stderr.write(f"\rmigrate: {count}/{total} files{end}")
        sys.stderr.flush()

    return done


def _stdin(args, selected):
    source = sys.stdin.buffer.read()
    outcome = runner.migrate_bytes(source, "<stdin>", selected)
    sys.stdout.buffer.write(outcome.new if outcome.error is None else source)
    sys.stdout.flush()
    return [outcome]


def _one_file(args, selected):
    outcome = runner.migrate_file(args.infile, selected)
    if outcome.error is not None:
        return [outcome]  # nothing is written, not even a copy
    if args.check:
        return [outcome]
    if args.diff:
        sys.stdout.write(runner.unified_diff(outcome, args.unified))
        return [outcome]
    if args.inplace:
        if outcome.changed:
            runner.write_atomically(args.infile, outcome.new)
        return [outcome]
    if args.outfile:
        same = os.path.exists(args.outfile) and os.path.samefile(args.outfile, args.infile)
        if outcome.changed or not same:
            runner.write_atomically(args.outfile, outcome.new, like=args.infile)
    else:
        sys.stdout.buffer.write(outcome.new)
        sys.stdout.flush()
    return [outcome]


def _tree(args, selected):
    if args.inplace or args.check or args.diff:  # the folder itself, like PATH arguments
        return _paths(args, [args.intree], selected)
    try:
        plan = runner.tree_plan(args.intree, args.outtree, args.force, args.exclude, args.notebooks)
    except ValueError as exc:
        raise SystemExit(f"migrate: {exc}") from None
    sources = [source for source, _ in plan.migrate]
    project = project_lib.scan(sources, [args.intree], args.jobs)
    outcomes = runner.migrate_files(
        sources, selected, args.jobs, _progress(len(sources)), project=project
    )
    runner.write_tree(plan, outcomes, args.copyotherfiles)
    return outcomes


def _paths(args, paths, selected):
    files = list(runner.python_files(paths, args.exclude, args.notebooks))
    roots = [p for p in paths if os.path.isdir(p)]
    project = project_lib.scan(files, roots, args.jobs) if len(files) > 1 else None
    outcomes = runner.migrate_files(
        files,
        selected,
        args.jobs,
        _progress(len(files)),
        keep_bytes=not args.check,
        project=project,
    )
    for outcome in outcomes:
        if not outcome.changed:
            continue
        if args.inplace:
            runner.write_atomically(outcome.path, outcome.new)
        elif not args.check:
            sys.stdout.write(runner.unified_diff(outcome, args.unified))
    return outcomes


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.list_rules:
        _list_rules(sys.stdout)
        return 0
    if args.explain:
        _explain(args.explain, sys.stdout)
        return 0
    in_place = args.inplace or args.check or args.diff
    if args.outtree and not args.intree:
        parser.error("--outtree needs --intree")
    if args.intree and not args.outtree and not in_place:
        parser.error("--intree needs --outtree, or --inplace/--check/--diff for the folder itself")
    if args.outtree and in_place:
        parser.error("--outtree writes a new tree: it excludes --inplace/--check/--diff")
    if args.outfile and not args.infile:
        parser.error("--outfile needs --infile")
    if args.outfile and in_place:
        parser.error("--outfile excludes --inplace/--check/--diff")
    if sum(map(bool, (args.paths, args.infile, args.intree))) != 1:
        parser.error("give PATHs, or --infile, or --intree/--outtree (one of them)")

    selected = _selected(args.select, args.ignore, args.target)
    if args.paths == ["-"]:
        outcomes = _stdin(args, selected)
    elif args.infile:
        outcomes = _one_file(args, selected)
    elif args.intree:
        outcomes = _tree(args, selected)
    else:
        outcomes = _paths(args, args.paths, selected)
    _write_report(outcomes, args)
    return _exit_code(outcomes, args)
