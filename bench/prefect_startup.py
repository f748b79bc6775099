"""What Prefect start-up costs a `highfence screen` (run by hand).

    .venv/bin/python bench/prefect_startup.py [--repeat 3]

Each measurement is a fresh process with a fresh PREFECT_HOME and no PREFECT_API_URL, as a user's first command
of the day: a one-institution roster (no API calls), screened against the bundled METI list.
  through Prefect: ``screen_flow(...)`` called as a Prefect flow, which starts Prefect's temporary server
  in-process:      ``run_flow(screen_flow, ...)``, what the CLI does when no Prefect API is configured
The difference is the start-up cost; the figures are wall-clock seconds of the call (imports excluded)."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, sys, time
from pathlib import Path
from highfence.flows.engine import prepare_prefect, run_flow
from highfence.flows.lists import load_list
from highfence.flows.screen import screen_flow
from highfence.packaged import data_path
from highfence.settings import load_settings
mode, work = sys.argv[1], Path(sys.argv[2])
db = work / "hf.duckdb"
load_list(db, "jp_meti_eul", data_path("lists", "jp_meti_eul_20250929.xlsx"))
roster = work / "roster.csv"
roster.write_text("subject_id,kind,name\nP-1,institution,Example University\n", encoding="utf-8")
settings = load_settings(env={}, overrides={"store.db": str(db)})
prepare_prefect()
started = time.monotonic()
if mode == "prefect":
    screen_flow(db=db, settings=settings.without_secrets(), roster=roster)
else:
    run_flow(screen_flow, db=db, settings=settings.without_secrets(), roster=roster)
print(json.dumps({"seconds": time.monotonic() - started}))
"""


def measure(mode: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "HIGHFENCE_"))}
        env["PREFECT_HOME"] = str(Path(tmp) / "prefect-home")
        out = subprocess.run([sys.executable, "-c", CHILD, mode, tmp], env=env, capture_output=True, text=True,
                             check=True, cwd=tmp)
        return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    results = {mode: [measure(mode) for _ in range(args.repeat)] for mode in ("prefect", "in-process")}
    for mode, xs in results.items():
        print(f"{mode:>10}: median {statistics.median(xs):5.2f} s  (runs: {', '.join(f'{x:.2f}' for x in xs)})")
    cost = statistics.median(results["prefect"]) - statistics.median(results["in-process"])
    print(f"Prefect start-up cost of one screen: {cost:.2f} s")


if __name__ == "__main__":
    main()
