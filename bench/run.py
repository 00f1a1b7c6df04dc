"""Speed benchmark: journey against a hand-written DuckDB query (the floor), in one run.

Each contender runs in its own process on the same Parquet file, three times in turn; the
median wall time (after the imports), the largest peak resident memory (ru_maxrss of the
process) and the ratios are printed, with each run's time to show the machine's noise.

Usage::

    python bench/run.py                      # 10 million events
    python bench/run.py --events 1000000     # a quicker run
    python bench/run.py --events 100000000 --tasks journey   # 100 million (generated once)
    python bench/run.py --memory-limit 8GB   # journey with a larger engine memory limit
    python bench/run.py --repeat 1           # one run of each task (default: median of 3)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

FLOOR_SQL = """
WITH ev AS (
    SELECT case_id, activity, start, "end",
           lag(activity) OVER w AS prev_activity,
           lag("end") OVER w AS prev_end
    FROM read_parquet('{path}')
    WINDOW w AS (PARTITION BY case_id ORDER BY start, "end")
), t AS (
    SELECT *, date_diff('second', prev_end, start) / 60.0 AS gap,
           date_diff('second', start, "end") / 60.0 AS service
    FROM ev
)
SELECT 'transition' AS kind, prev_activity AS source, activity AS target,
       count(DISTINCT case_id) AS cases, count(*) AS n,
       median(gap) FILTER (gap >= 0) AS wait_median, avg(gap) FILTER (gap >= 0) AS wait_mean,
       quantile_cont(gap, 0.9) FILTER (gap >= 0) AS wait_p90
FROM t WHERE prev_activity IS NOT NULL GROUP BY ALL
UNION ALL
SELECT 'touchpoint', activity, NULL, count(DISTINCT case_id), count(*),
       median(service), NULL, quantile_cont(service, 0.9)
FROM t GROUP BY ALL
"""


def task_floor(path: str) -> dict:
    import duckdb

    con = duckdb.connect()
    frame = con.sql(FLOOR_SQL.format(path=path)).df()
    return {"rows": len(frame)}


def task_journey(path: str) -> dict:
    import journey

    log = journey.read_log(path)
    t_read = time.perf_counter()
    m = journey.journey_map(log)
    return {"rows": len(m.touchpoints) + len(m.transitions), "read_seconds": t_read}


def task_analyses(path: str) -> dict:
    """Each analysis on an already loaded log: journey map tables, bottlenecks, waits."""
    import journey

    log = journey.read_log(path)
    t0 = time.perf_counter()
    times = {}
    for name, step in [
        ("journey_map", lambda: (lambda m: (m.touchpoints, m.transitions))(
            journey.journey_map(log))),
        ("bottlenecks", lambda: journey.bottlenecks(log).table),
        ("wait_summary", lambda: journey.wait_summary(log)),
    ]:
        start = time.perf_counter()
        step()
        times[name] = time.perf_counter() - start
    return {"rows": 0, "read_seconds": t0, "steps": times}


def run_child(task: str, path: str, memory_limit: str | None = None) -> dict:
    code = (f"import sys, time, json; sys.path.insert(0, {str(HERE)!r}); import run; "
            # imports are not timed: a session pays them once
            "import duckdb, ibis, journey, journey.maps, journey.queues, journey.waits; "
            "ibis.duckdb; "  # Ibis loads its DuckDB backend on first use
            f"journey.set_memory_limit({memory_limit!r}); "
            f"t0 = time.perf_counter(); out = run.task_{task}({path!r}); "
            "out['seconds'] = time.perf_counter() - t0; "
            "out['read_seconds'] = out.get('read_seconds', t0) - t0; print(json.dumps(out))")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()  # before waiting: a full pipe would block the child
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"{task} failed")
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_mb"] = usage.ru_maxrss / 1024
    return result


def median_run(runs: list[dict]) -> dict:
    """Median of each time over repeated runs (the machine's noise), the largest peak memory;
    counts and errors as in the first run."""
    if any("error" in r for r in runs):
        return next(r for r in runs if "error" in r)
    out = dict(runs[0])
    for key, value in runs[0].items():
        if key == "peak_mb":
            out[key] = max(r[key] for r in runs)
        elif key == "steps":
            out[key] = {k: statistics.median(r[key][k] for r in runs) for k in value}
        elif isinstance(value, float):
            out[key] = statistics.median(r[key] for r in runs)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--tasks", default="floor,journey,analyses")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each task, taken in turn; medians are printed")
    parser.add_argument("--memory-limit", default=None,
                        help="journey's engine memory limit, e.g. 8GB (default: automatic)")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from generate import log_file

    path = log_file(args.events)
    print(f"log: {path.name}, {os.cpu_count()} cores, median of {args.repeat} runs")
    tasks = args.tasks.split(",")
    runs: dict[str, list[dict]] = {task: [] for task in tasks}
    for _ in range(args.repeat):
        for task in tasks:
            runs[task].append(run_child(task, str(path), args.memory_limit))
    results = {task: median_run(r) for task, r in runs.items()}
    floor = results.get("floor", {}).get("seconds")
    print(f"{'task':<10}{'seconds':>10}{'read s':>10}{'peak MB':>10}{'× floor':>10}   runs (s)")
    for task, r in results.items():
        if "steps" in r:
            steps = r["steps"]
            print("  analyses on the loaded log (s): " + ", ".join(
                f"{k} {v:.1f} ({v / steps['journey_map']:.2f}× map)" for k, v in steps.items()))
            continue
        ratio = f"{r['seconds'] / floor:.2f}" if floor else "-"
        each = " ".join(f"{x['seconds']:.1f}" for x in runs[task])
        print(f"{task:<10}{r['seconds']:>10.1f}{r['read_seconds']:>10.1f}{r['peak_mb']:>10.0f}"
              f"{ratio:>10}   {each}")


if __name__ == "__main__":
    main()
