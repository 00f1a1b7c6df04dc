"""Speed benchmark: journey against pm4py and the DuckDB floor, at 1, 10 and 100 million events.

Every contender runs in its own process on the same Parquet file (made by bench/generate.py).
Printed: total wall time of the process's task (imports included), work time (the sum of the
steps, imports excluded), the time of each step, peak resident memory (ru_maxrss of that
process) and the ratios of work time to the floor (bench/run.py's hand-written DuckDB query)
and to journey, then journey's time and memory against each pm4py path; with --repeat, medians
over runs taken in turn and the largest peak. The number of directly-follows transitions each
contender counted is printed; the run fails if they differ.

- ``journey``: ``read_log`` + ``journey_map`` touchpoints and transitions + the bottleneck
  table.
- ``pm4py``: as a user would call it: ``pd.read_parquet``, ``format_dataframe``,
  ``discover_dfg``, the performance DFG with start timestamps (``get_dfg_graph(...,
  start_timestamp_key=...)``: the simple ``discover_performance_dfg`` cannot take them, see
  pm4py issue #338) and ``get_service_time``.
- ``pm4py_polars``: pm4py's Polars path: a ``polars.scan_parquet`` LazyFrame of the same file,
  ``discover_dfg``, ``discover_performance_dfg`` and ``get_service_time`` with the case,
  activity and timestamp keys passed as arguments. The start column is renamed to pm4py's
  ``start_timestamp``, the name its Polars path looks for, so that the events are ordered by
  start then end and waits run from one event's end to the next one's start, as in the
  other contenders.
- ``floor``: one DuckDB SQL query computing the same tables.

pm4py (AGPL) is never a dependency of journey: both pm4py tasks run in a separate Python
interpreter that has pm4py, pandas, pyarrow and polars (pm4py 2.7.23 or later reads Polars
LazyFrames), given by ``--pm4py-python`` or the ``PM4PY_PYTHON`` environment variable; without
one, the pm4py tasks are skipped with a printed line. For example::

    python3 -m venv pm4py-venv && pm4py-venv/bin/pip install pm4py polars pyarrow
    python bench/compare.py --pm4py-python pm4py-venv/bin/python

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
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PM4PY_TASKS = {"pm4py": "import pm4py, pandas, pyarrow",
               "pm4py_polars": "import pm4py, polars; "
                               "import pm4py.algo.discovery.dfg.adapters.polars.df_statistics"}


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
    from journey.queues import bottlenecks  # imported before the clock starts, like pm4py

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


def task_pm4py_polars(path: str) -> dict:
    import importlib

    import pm4py
    import polars as pl

    # pm4py imports its Polars modules on first use: imported here, before the clock starts
    for module in ("algo.discovery.dfg.adapters.polars.df_statistics",
                   "statistics.start_activities.polars.get",
                   "statistics.end_activities.polars.get",
                   "statistics.service_time.polars.get"):
        importlib.import_module(f"pm4py.{module}")

    keys = {"case_id_key": "case_id", "activity_key": "activity", "timestamp_key": "end"}
    steps, t0 = {}, time.perf_counter()
    lf = pl.scan_parquet(path).rename({"start": "start_timestamp"})
    steps["scan_parquet"], t0 = time.perf_counter() - t0, time.perf_counter()
    dfg, _, _ = pm4py.discover_dfg(lf, **keys)
    steps["discover_dfg"], t0 = time.perf_counter() - t0, time.perf_counter()
    perf, _, _ = pm4py.discover_performance_dfg(lf, perf_aggregation_key="all", **keys)
    steps["discover_performance_dfg"], t0 = time.perf_counter() - t0, time.perf_counter()
    service = pm4py.get_service_time(lf, start_timestamp_key="start_timestamp",
                                     aggregation_measure="median", **keys)
    steps["service_time"] = time.perf_counter() - t0
    return {"rows": len(dfg) + len(perf) + len(service), "transitions": int(sum(dfg.values())),
            "steps": steps}


def pm4py_python(given: str | None) -> str | None:
    """The interpreter for the pm4py tasks: ``--pm4py-python``, else ``$PM4PY_PYTHON``."""
    return given or os.environ.get("PM4PY_PYTHON") or None


def can_run(python: str, imports: str) -> str | None:
    """None when ``python`` runs ``imports``, else the reason it cannot."""
    try:
        proc = subprocess.run([python, "-c", imports], capture_output=True, text=True,
                              timeout=300)
    except OSError as err:
        return str(err)
    if proc.returncode == 0:
        return None
    lines = proc.stderr.strip().splitlines()
    return lines[-1] if lines else f"exit status {proc.returncode}"


def run_child(task: str, path: str, timeout: float, python: str = sys.executable) -> dict:
    """Run ``task_<task>(path)`` in a fresh ``python`` process; wall time and its peak memory."""
    code = (f"import sys, time, json; sys.path.insert(0, {str(HERE)!r}); import compare; "
            f"t0 = time.perf_counter(); out = compare.task_{task}({path!r}); "
            "out['seconds'] = time.perf_counter() - t0; print('RESULT ' + json.dumps(out))")
    with tempfile.TemporaryFile("w+") as err:  # a file: a full pipe would block the child
        proc = subprocess.Popen([python, "-c", code], stdout=subprocess.PIPE, stderr=err,
                                text=True)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        timer.cancel()
        err.seek(0)
        tail = err.read().strip().splitlines()[-5:]
    peak_mb = usage.ru_maxrss / 1024
    if status != 0:
        killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == 9
        if not killed:
            print(f"{task} failed:\n  " + "\n  ".join(tail), file=sys.stderr)
        return {"error": "timeout" if killed else "failed", "peak_mb": peak_mb}
    line = next(x for x in reversed(out.splitlines()) if x.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["peak_mb"] = peak_mb
    return result


def compare_journey(results: dict[str, dict]) -> None:
    """Journey's work time and peak memory against each pm4py path that ran."""
    ours = results.get("journey", {})
    if "work" not in ours:
        return
    for task in PM4PY_TASKS:
        r = results.get(task, {})
        if "work" not in r:
            continue
        print(f"{'':>13}journey vs {task}: {ours['work'] / r['work']:.2f}× the time "
              f"({task} takes {r['work'] / ours['work']:.2f}× journey's), "
              f"{ours['peak_mb'] / r['peak_mb']:.2f}× the memory")


def check_transitions(results: dict[str, dict]) -> None:
    """Print the transitions each contender counted; stop if they differ."""
    counts = {t: r["transitions"] for t, r in results.items() if "transitions" in r}
    if len(counts) < 2:
        return
    print(f"{'':>13}directly-follows transitions counted: "
          + ", ".join(f"{t} {c:,}" for t, c in counts.items()))
    if len(set(counts.values())) > 1:
        raise SystemExit(f"the contenders disagree on the number of transitions: {counts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", default="1000000,10000000",
                        help="comma-separated sizes, e.g. 1000000,10000000,100000000")
    parser.add_argument("--tasks", default="floor,journey,pm4py,pm4py_polars")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per task")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each task, taken in turn; medians are printed")
    parser.add_argument("--pm4py-python", default=None,
                        help="Python interpreter with pm4py, pandas, pyarrow and polars for the "
                             "pm4py tasks (default: $PM4PY_PYTHON; skipped when neither is set)")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from generate import log_file
    from run import median_run

    tasks = args.tasks.split(",")
    python = {task: sys.executable for task in tasks}
    other = pm4py_python(args.pm4py_python)
    for task in [t for t in tasks if t in PM4PY_TASKS]:
        why = ("no interpreter given (--pm4py-python or PM4PY_PYTHON)" if other is None
               else can_run(other, PM4PY_TASKS[task]))
        if why:
            print(f"skipping {task}: {why}")
            tasks.remove(task)
        else:
            python[task] = other
    print(f"{os.cpu_count()} cores; peak MB is the resident set of each task's process")
    width = max((len(t) for t in tasks), default=6) + 2
    header = (f"{'events':>12} {'task':<{width}}{'total s':>9}{'work s':>9}{'peak MB':>9}"
              f"{'× floor':>9}{'× journey':>10}  steps (s)")
    print(header)
    for n in (int(x) for x in args.events.split(",")):
        path = log_file(n)
        runs: dict[str, list[dict]] = {task: [] for task in tasks}
        for _ in range(args.repeat):
            for task in tasks:
                runs[task].append(run_child(task, str(path), args.timeout, python[task]))
        for task_runs in runs.values():
            for r in task_runs:
                r["work"] = sum(r.get("steps", {}).values())
        results = {task: median_run(r) for task, r in runs.items()}
        floor = results.get("floor", {}).get("work")
        ours = results.get("journey", {}).get("work")
        for task, r in results.items():
            if "error" in r:
                print(f"{n:>12,} {task:<{width}}{r['error']:>9}{'':>9}{r['peak_mb']:>9.0f}")
                continue
            ratios = [f"{r['work'] / base:.2f}" if base else "-" for base in (floor, ours)]
            steps = ", ".join(f"{k} {v:.1f}" for k, v in r["steps"].items())
            each = "/".join(f"{x['work']:.1f}" for x in runs[task])
            print(f"{n:>12,} {task:<{width}}{r['seconds']:>9.1f}{r['work']:>9.1f}"
                  f"{r['peak_mb']:>9.0f}{ratios[0]:>9}{ratios[1]:>10}  {steps}"
                  + (f"; runs {each}" if args.repeat > 1 else ""), flush=True)
        compare_journey(results)
        check_transitions(results)


if __name__ == "__main__":
    main()
