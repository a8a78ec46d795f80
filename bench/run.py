"""`make bench`: run every benchmark in one go and write docs/benchmarks.md.

Each script prints a Markdown section (with the machine and date); this runner
puts them under the fixed introduction.  The machines are shared and noisy, so
every script reports medians of repeated runs and ratios against its peers
measured in the same run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS: list[tuple[str, list[str]]] = [
    ("bench/bench_import.py", []),
    ("bench/bench_screening.py", []),
    ("bench/bench_trade.py", []),
    ("bench/bench_intel.py", []),
    ("bench/bench_batch.py", ["--rows", "200000"]),  # 1,000,000 by hand: ~15 minutes more
    ("bench/bench_api.py", []),
    ("bench/bench_monitor.py", []),  # 100,000 parties against the official lists: ~15 minutes
]

INTRO = """# Benchmarks

Reproduce with `make bench` (it rewrites this file). Every figure below was printed
by the scripts in `bench/` in one run, on the machine named in each section;
the machines are shared and noisy, so medians of repeated runs and ratios against
peers measured in the same run are reported, not single timings.
"""


HISTORY = "\n## Before and after\n"


def _kept_history(target: Path) -> str:
    """The hand-kept comparison of runs before and after a change (from its heading
    to the end of the file) survives the rewrite of the measured sections."""
    if not target.exists():
        return ""
    text = target.read_text()
    at = text.find(HISTORY)
    return text[at:] if at >= 0 else ""


def main() -> None:
    quick = "--quick" in sys.argv
    sections = [INTRO]
    for script, args in SCRIPTS:
        path = ROOT / script
        if not path.exists():
            sections.append(f"\n### {script}\n\nNot run: the script does not exist yet.\n")
            continue
        extra = ["--quick"] if quick and script != "bench/bench_import.py" else []
        print(f"running {script} ...", file=sys.stderr, flush=True)
        done = subprocess.run(
            [sys.executable, str(path), *args, *extra],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            # the scripts import the bench helpers (bench.machine, bench.eval) from the project root
            env={
                **os.environ,
                "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            },
        )
        if done.returncode != 0:
            sections.append(
                f"\n### {script}\n\nFAILED (exit {done.returncode}):\n\n```\n{done.stderr[-3000:]}\n```\n"
            )
        else:
            sections.append(done.stdout)
    target = ROOT / "docs" / "benchmarks.md"
    sections.append(_kept_history(target))
    target.write_text("".join(sections))
    print("wrote docs/benchmarks.md", file=sys.stderr)


if __name__ == "__main__":
    main()
