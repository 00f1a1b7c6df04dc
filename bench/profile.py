"""Where the seconds of ``read_log`` + ``journey_map`` go, from the engine's own profiler.

Runs, in a fresh process, what ``bench/run.py`` times as ``journey`` (``read_log`` of a
Parquet log, then the journey map's touchpoint and transition tables) inside
:func:`journey.log.engine_profile`, which has DuckDB write each query's metrics into its own
log. Prints the seconds of each loading step and of the map as the engine measured them, the
time spent outside the engine (Python, building queries, converting results), and the slowest
queries.

Usage::

    python bench/profile.py                      # 10 million events
    python bench/profile.py --events 1000000
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

CHILD = """
import json, sys, time
import duckdb, ibis, journey, journey.maps
from journey.log import engine_profile
ibis.duckdb
start = time.perf_counter()
with engine_profile() as profile:
    log = journey.read_log(sys.argv[1])
    read = time.perf_counter()
    profile.mark("journey_map")
    m = journey.journey_map(log)
    m.touchpoints, m.transitions
    done = time.perf_counter()
print(json.dumps({"read": read - start, "map": done - read,
                  "queries": profile.queries.to_dict(orient="records")}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000_000)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from generate import log_file

    path = log_file(args.events)
    out = subprocess.run([sys.executable, "-c", CHILD, str(path)], check=True,
                         capture_output=True, text=True).stdout
    import json

    import pandas as pd

    result = json.loads(out.strip().splitlines()[-1])
    queries = pd.DataFrame(result["queries"])
    wall = {"read_log": result["read"], "journey_map": result["map"]}
    queries["part"] = (queries.step == "journey_map").map({True: "journey_map",
                                                           False: "read_log"})
    print(f"{args.events:,} events ({path.name})\n")
    print(f"{'part / step':<34}{'engine s':>10}{'cpu s':>8}{'peak MB':>9}{'spill MB':>9}")
    for part, rows in queries.groupby("part", sort=False):
        for step, q in rows.groupby("step", sort=False):
            print(f"  {step:<32}{q.seconds.sum():>10.2f}{q.cpu_seconds.sum():>8.2f}"
                  f"{q.peak_memory_bytes.max() / 1e6:>9.0f}{q.spilled_bytes.max() / 1e6:>9.0f}")
        outside = wall[part] - rows.seconds.sum()
        print(f"  {'outside the engine':<32}{outside:>10.2f}")
        print(f"{part + ' (wall)':<34}{wall[part]:>10.2f}\n")
    print("slowest queries:")
    for q in queries.sort_values("seconds", ascending=False).head(8).itertuples():
        print(f"  {q.seconds:6.2f} s  {q.step:<24} {_shown(q.sql)[:70]}")


def _shown(sql: str) -> str:
    """The query on one line, without the wrapper of a result's projection (journey's results
    cast ENUM columns to text in a projection over the query)."""
    sql = re.sub(r"\s+", " ", sql)
    return re.sub(r'^WITH "__duckdb_s0" AS NOT MATERIALIZED \( SELECT \* FROM \( ', "", sql)


if __name__ == "__main__":
    main()
