"""Speed benchmark: journey against pm4py and the DuckDB floor, at 1, 10 and 100 million events.

Every contender runs in its own process on the same Parquet file (made by bench/generate.py).
Printed: total wall time of the process's task (imports included), work time (the sum of the
steps, imports excluded), the time of each step, peak resident memory (ru_maxrss of that
process) and the ratios of work time to the floor (bench/run.py's hand-written DuckDB query)
and to journey; with --repeat, medians over runs taken in turn and the largest peak.

- ``journey``: ``read_log`` + ``journey_map`` touchpoints and transitions + the bottleneck
  table.
- ``pm4py``: as a user would call it: ``pd.read_parquet``, ``format_dataframe``,
  ``discover_dfg``, the performance DFG with start timestamps (``get_dfg_graph(...,
  start_timestamp_key=...)``: the simple ``discover_performance_dfg`` cannot take them, see
  pm4py issue #338) and ``get_service_time``. pm4py (AGPL) is imported by this script only;
  it is not a dependency of journey. Install it yourself to run this task.
- ``floor``: one DuckDB SQL query computing the same tables.

Usage::

    python bench/compare.py                              # 1 and 10 million events
    python bench/compare.py --events 100000000 --timeout 7200
    python bench/compare.py --events 1000000 --tasks floor,journey
    python bench/compare.py --events 10000000 --repeat 3   # medians of three runs in turn
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def task_floor(path: str) -> dict:
    import duckdb  # noqa: F401  (imported before the clock starts, like the others)
    import pandas  # noqa: F401  (the result is fetched as a pandas frame)
    from run import task_floor as floor

    t0 = time.perf_counter()
    out = floor(path)
    return {**out, "steps": {"query": time.perf_counter() - t0}}


def task_journey(path: str) -> dict:
    import ibis

    import journey
    from journey.bottlenecks import bottlenecks  # imported before the clock starts, like pm4py

    ibis.duckdb  # noqa: B018  (Ibis loads its DuckDB backend on first use)

    steps, t0 = {}, time.perf_counter()
    log = journey.read_log(path)
    steps["read_log"], t0 = time.perf_counter() - t0, time.perf_counter()
    m = journey.journey_map(log)
    rows = len(m.touchpoints) + len(m.transitions)
    steps["journey_map"], t0 = time.perf_counter() - t0, time.perf_counter()
    rows += len(bottlenecks(log, top=None).table)
    steps["bottlenecks"] = time.perf_counter() - t0
    return {"rows": rows, "transitions": int(m.transitions.transitions.sum()), "steps": steps}


def task_pm4py(path: str) -> dict:
    import pandas as pd
    import pm4py
    from pm4py.algo.discovery.dfg.adapters.pandas.df_statistics import get_dfg_graph

    steps, t0 = {}, time.perf_counter()
    df = pd.read_parquet(path)
    steps["read_parquet"], t0 = time.perf_counter() - t0, time.perf_counter()
    df = pm4py.format_dataframe(df, case_id="case_id", activity_key="activity",
                                timestamp_key="end", start_timestamp_key="start")
    steps["format_dataframe"], t0 = time.perf_counter() - t0, time.perf_counter()
    dfg, _, _ = pm4py.discover_dfg(df)
    steps["discover_dfg"], t0 = time.perf_counter() - t0, time.perf_counter()
    perf = get_dfg_graph(df, measure="performance", perf_aggregation_key="all",
                         activity_key="concept:name", timestamp_key="time:timestamp",
                         case_id_glue="case:concept:name",
                         start_timestamp_key="start_timestamp")
    steps["performance_dfg"], t0 = time.perf_counter() - t0, time.perf_counter()
    service = pm4py.get_service_time(df, start_timestamp_key="start_timestamp",
                                     aggregation_measure="median")
    steps["service_time"] = time.perf_counter() - t0
    return {"rows": len(dfg) + len(perf) + len(service), "transitions": int(sum(dfg.values())),
            "steps": steps}


def run_child(task: str, path: str, timeout: float) -> dict:
    """Run ``task_<task>(path)`` in a fresh process; wall time and its peak memory."""
    code = (f"import sys, time, json; sys.path.insert(0, {str(HERE)!r}); import compare; "
            f"t0 = time.perf_counter(); out = compare.task_{task}({path!r}); "
            "out['seconds'] = time.perf_counter() - t0; print(json.dumps(out))")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
    if status != 0:
        killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == 9
        return {"error": "timeout" if killed else "failed", "peak_mb": usage.ru_maxrss / 1024}
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_mb"] = usage.ru_maxrss / 1024
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", default="1000000,10000000",
                        help="comma-separated sizes, e.g. 1000000,10000000,100000000")
    parser.add_argument("--tasks", default="floor,journey,pm4py")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per task")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each task, taken in turn; medians are printed")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from generate import log_file
    from run import median_run

    print(f"{os.cpu_count()} cores; peak MB is the resident set of each task's process")
    header = (f"{'events':>12} {'task':<8}{'total s':>9}{'work s':>9}{'peak MB':>9}"
              f"{'× floor':>9}{'× journey':>10}  steps (s)")
    print(header)
    for n in (int(x) for x in args.events.split(",")):
        path = log_file(n)
        tasks = args.tasks.split(",")
        runs: dict[str, list[dict]] = {task: [] for task in tasks}
        for _ in range(args.repeat):
            for task in tasks:
                runs[task].append(run_child(task, str(path), args.timeout))
        for task_runs in runs.values():
            for r in task_runs:
                r["work"] = sum(r.get("steps", {}).values())
        results = {task: median_run(r) for task, r in runs.items()}
        floor = results.get("floor", {}).get("work")
        ours = results.get("journey", {}).get("work")
        for task, r in results.items():
            if "error" in r:
                print(f"{n:>12,} {task:<8}{r['error']:>9}{'':>9}{r['peak_mb']:>9.0f}")
                continue
            ratios = [f"{r['work'] / base:.2f}" if base else "-" for base in (floor, ours)]
            steps = ", ".join(f"{k} {v:.1f}" for k, v in r["steps"].items())
            each = "/".join(f"{x['work']:.1f}" for x in runs[task])
            print(f"{n:>12,} {task:<8}{r['seconds']:>9.1f}{r['work']:>9.1f}"
                  f"{r['peak_mb']:>9.0f}{ratios[0]:>9}{ratios[1]:>10}  {steps}"
                  + (f"; runs {each}" if args.repeat > 1 else ""), flush=True)
        counts = {t: r["transitions"] for t, r in results.items() if "transitions" in r}
        if len(counts) > 1:
            print(f"{'':>13}transitions counted: {counts}")


if __name__ == "__main__":
    main()
