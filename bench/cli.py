"""Wall-clock time of `quorum` commands, as a script calling them one after another would see it.

    python -m bench.cli [--runs 10]

Lays out a throw-away data directory (`quorum init --data-dir`), runs the demo in it, then runs
each command `--runs` times in a fresh process and prints the median and slowest wall time and the
median CPU time (user + system; the honest figure on a loaded machine),
then the modules that cost most to import for a read command (`python -X importtime`). The output
goes to bench/results/cli.txt. Targets (issue 11): `quorum --help` < 0.3 s, a read command < 0.5 s.
"""

import argparse
import os
import platform
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
COMMANDS = (("quorum --help", ["--help"]),
            ("quorum policy list", ["policy", "list"]),
            ("quorum meeting show 1", ["meeting", "show", "1"]),
            ("quorum matter show 1", ["matter", "show", "1"]),
            ("quorum task list --as wangjianhua", ["task", "list", "--as", "wangjianhua"]),
            ("quorum audit verify", ["audit", "verify"]))
READ = ["meeting", "show", "1"]


def quorum() -> list[str]:
    found = shutil.which("quorum", path=str(Path(sys.executable).parent)) or shutil.which("quorum")
    return [found] if found else [sys.executable, "-m", "quorum.cli"]


def child_env(pycache: Path) -> dict[str, str]:
    """The environment of an installed command: bytecode cached (here under a temporary prefix).

    With PYTHONDONTWRITEBYTECODE set (as on the test machine) every call compiles the whole
    project from source again, which no installed deployment does (pip writes the .pyc files).
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(pycache)
    return env


def timed(argv: list[str], cwd: Path, runs: int, env: dict[str, str]) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system of the child) seconds of each run."""
    wall, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(argv, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return wall, cpu


def import_costs(cwd: Path, env: dict[str, str], top: int = 12) -> list[str]:
    """The modules with the largest cumulative import time under a read command (one run)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "quorum.cli", *READ], cwd=cwd, env=env, check=True,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    rows = []
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match and len(match.group(3)) <= 3:                 # top-level imports and their direct children
            rows.append((int(match.group(2)), match.group(4)))
    rows.sort(reverse=True)
    return [f"  {name:<44} {us / 1000:6.1f} ms" for us, name in rows[:top]]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.cli", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="runs per command (default 10)")
    args = parser.parse_args(argv)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [f"bench.cli, {datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
             f"machine: {os.cpu_count()} cores, load average {load}, Python {platform.python_version()}, "
             f"SQLite {sqlite3.sqlite_version}"]
    cmd = quorum()
    with tempfile.TemporaryDirectory(prefix="quorum-bench-cli-") as tmp:
        home, env = Path(tmp) / "county", child_env(Path(tmp) / "pycache")
        subprocess.run([*cmd, "init", "--data-dir", str(home)], cwd=tmp, env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([*cmd, "demo"], cwd=home, env=env, check=True, stdout=subprocess.DEVNULL)
        lines.append(f"-- {args.runs} runs each, demo database (SQLite) in a fresh data directory, bytecode cached")
        for label, rest in COMMANDS:
            wall, cpu = timed([*cmd, *rest], home, args.runs, env)
            lines.append(f"{label:<36} wall median {statistics.median(wall):5.2f} s (slowest {max(wall):5.2f})"
                         f"   CPU median {statistics.median(cpu):5.2f} s")
        lines.append(f"-- largest imports under `quorum {' '.join(READ)}` (cumulative, one run)")
        lines += import_costs(home, env)
    output = "\n".join(lines) + "\n"
    print(output)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "cli.txt").write_text(output, encoding="utf-8")


if __name__ == "__main__":
    main()
