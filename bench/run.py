#!/usr/bin/env python3
"""Run the benchmarks, print their tables, and write bench/results/latest.json.

Every configuration runs in a fresh process, peers interleaved with compatkeras in the same run,
so the ratios hold even though absolute times drift on a shared 2-core machine.

    python bench/run.py --quick        # a few minutes
    python bench/run.py                # full mode, more repetitions and a larger corpus
"""

import argparse
import json
import os
import platform
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import engine  # noqa: E402
import import_time  # noqa: E402
import legacy_features  # noqa: E402
import memory  # noqa: E402
import migrate_speed  # noqa: E402
import workers  # noqa: E402

BENCHMARKS = {
    "engine": engine,
    "legacy": legacy_features,
    "workers": workers,
    "memory": memory,
    "import": import_time,
    "migrate": migrate_speed,
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, smaller inputs")
    parser.add_argument("--only", choices=sorted(BENCHMARKS), action="append")
    parser.add_argument(
        "--json", default=os.path.join(os.path.dirname(__file__), "results", "latest.json")
    )
    args = parser.parse_args(argv)

    machine = f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"# compatkeras benchmarks ({'quick' if args.quick else 'full'}) on {machine}\n")
    results = {
        "mode": "quick" if args.quick else "full",
        "machine": machine,
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "benchmarks": {},
    }
    for name in args.only or BENCHMARKS:
        start = time.perf_counter()
        text, data = BENCHMARKS[name].run(args.quick)
        print(text)
        print(f"({time.perf_counter() - start:.0f} s)\n", flush=True)
        results["benchmarks"][name] = data
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(results, f, indent=2)
    print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
