"""Branch and statement coverage of our contracts, from brownie's reports/coverage.json.

    python3 tools/coverage_summary.py [--min-branches 95] [reports/coverage.json]

Counts only our sources (contracts/, not contracts/test/ nor node_modules): for each
deployed contract, the branches of its own file and of the files it inlines
(libraries, governance/). A branch has two sides; a side is covered when a test
took it. Lists every side left uncovered with its line. Exit status 1 when a
contract is below --min-branches percent.
"""

import argparse
import json
import sys
from pathlib import Path

CONTRACTS = ("Membership", "WaicoGovernor", "MemberBallots", "EquityFund", "SharingPlatform")
# brownie's colours: green = both sides taken; yellow/orange = one side; red = none
SIDES = {"green": 2, "yellow": 1, "orange": 1, "red": 0}


def _ours(path: str) -> bool:
    return path.startswith("contracts/") and not path.startswith("contracts/test/")


def _line(source: str, offset: int) -> int:
    return source.count("\n", 0, offset) + 1


def summarize(report: dict, build_dir: Path):
    rows, gaps = [], []
    for name in CONTRACTS:
        build = json.loads((build_dir / f"{name}.json").read_text())
        paths = build["allSourcePaths"]
        branches = report["highlights"]["branches"].get(name, {})
        statements = report["highlights"]["statements"].get(name, {})
        totals = [0, 0, 0, 0]  # branch sides taken, branch sides, statements run, statements
        for pid, marks in sorted(branches.items(), key=lambda kv: paths.get(kv[0], "")):
            path = paths.get(pid, "")
            if not _ours(path):
                continue
            source = Path(path).read_text()
            taken = sum(SIDES[m[2]] for m in marks)
            stmts = statements.get(pid, [])
            run = sum(1 for m in stmts if m[2] == "green")
            rows.append((name, path, taken, 2 * len(marks), run, len(stmts)))
            totals = [totals[0] + taken, totals[1] + 2 * len(marks), totals[2] + run, totals[3] + len(stmts)]
            for start, stop, colour, _ in sorted(marks):
                if colour != "green":
                    text = " ".join(source[start:stop].split())
                    side = "neither side" if colour == "red" else "one side"
                    gaps.append((name, f"{path}:{_line(source, start)}", side, text[:90]))
        if not totals[1]:
            totals = [0, 1, 0, 1]  # no map or no run: not measured, so counted as 0%
            rows.append((name, "(not measured: no test ran it, or no coverage map)", *totals))
        rows.append((name, "= total", *totals))
    return rows, gaps


def _pct(n: int, d: int) -> float:
    return 100.0 * n / d if d else 100.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", nargs="?", default="reports/coverage.json")
    parser.add_argument("--build", default="build/contracts")
    parser.add_argument("--min-branches", type=float, default=95.0)
    args = parser.parse_args()
    report = json.loads(Path(args.report).read_text())
    rows, gaps = summarize(report, Path(args.build))

    print(f"{'contract':14} {'source':44} {'branches':>16} {'statements':>16}")
    below = []
    for name, path, taken, sides, run, stmts in rows:
        b, s = _pct(taken, sides), _pct(run, stmts)
        print(f"{name:14} {path:44} {taken:>5}/{sides:<4} {b:5.1f}% {run:>5}/{stmts:<4} {s:5.1f}%")
        if path == "= total":
            print()
            if b < args.min_branches:
                below.append(f"{name} {b:.1f}%")
    if gaps:
        print("Branches not fully covered (a branch has two sides):")
        for name, where, side, text in gaps:
            print(f"  {name:14} {where:48} {side:12} {text}")
    if below:
        print(f"\nbelow {args.min_branches:g}% branch coverage: {', '.join(below)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
