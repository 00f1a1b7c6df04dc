"""Speed of the data-quality report, ``EventLog.check()``, on a long, a wide and a many-label log.

- long: the generated visit log of ``--events`` events (bench/generate.py), read from Parquet;
- wide: ``--wide-rows`` events with ``--columns`` attribute columns (a third constant within
  each visit, a third recorded on some events only, a third varying), read from a DataFrame;
- labels: ``--activities`` coded touchpoint names ("<word> - <code>", as hospital code lists),
  a few of them spelling variants of another.

Each check runs ``--repeat`` times after one warm-up; the median wall time is printed (reading
the log is not timed).

Usage::

    python bench/check.py                       # 1 million events, 2,000 columns, 600 labels
    python bench/check.py --events 10000000 --repeat 1
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import log_file  # noqa: E402

import journey  # noqa: E402


def timed(log: journey.EventLog, repeat: int) -> tuple[str, pd.DataFrame]:
    """Median wall and processor seconds of ``log.check()`` over ``repeat`` runs after a
    warm-up (processor time sums the engine's threads: on a busy machine it is the steadier
    figure), and the report."""
    report = log.check()
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        report = log.check()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return (f"{statistics.median(wall):.2f} s wall, {statistics.median(cpu):.2f} s processor",
            report)


def wide_frame(n_rows: int, n_columns: int, seed: int = 0) -> pd.DataFrame:
    """Visits of 10 events with ``n_columns`` attributes of three kinds."""
    rng = np.random.default_rng(seed)
    case = np.arange(n_rows) // 10
    n_cases = case.max() + 1
    frame = {"case_id": [f"C{c:06d}" for c in case],
             "activity": rng.choice(["Intake", "Assessment", "Review", "Checkout"], n_rows),
             "end": pd.Timestamp("2024-03-04 08:00") + pd.to_timedelta(np.arange(n_rows), "min")}
    for k in range(n_columns):
        if k % 3 == 0:  # constant within each visit
            values = rng.integers(0, 50, n_cases)[case].astype(float)
        elif k % 3 == 1:  # recorded on some events only
            values = np.where(rng.random(n_rows) < 0.3, rng.normal(size=n_rows), np.nan)
        else:
            values = rng.integers(0, 5, n_rows).astype(float)
        frame[f"attr_{k:04d}"] = values
    return pd.DataFrame(frame)


def labels_frame(n_activities: int, n_cases: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Visits over ``n_activities`` coded labels; every 50th label also appears upper-cased."""
    rng = np.random.default_rng(seed)
    words = ["ureum", "albumine", "kalium", "natrium", "creatinine", "echografie", "consult"]
    names = [f"{words[k % len(words)]} - {370000 + 7 * k}" for k in range(n_activities)]
    names += [n.upper() for n in names[::50]]
    case = np.repeat(np.arange(n_cases), 10)
    return pd.DataFrame({
        "case_id": [f"V{c:05d}" for c in case],
        "activity": rng.choice(names, len(case)),
        "end": pd.Timestamp("2024-03-04 08:00") + pd.to_timedelta(np.arange(len(case)), "min"),
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--columns", type=int, default=2000)
    parser.add_argument("--wide-rows", type=int, default=10_000)
    parser.add_argument("--activities", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=["long", "wide", "labels"], action="append",
                        help="run only these logs (repeatable)")
    args = parser.parse_args()
    only = set(args.only or ["long", "wide", "labels"])

    if "long" in only:
        log = journey.read_log(str(log_file(args.events)))
        seconds, report = timed(log, args.repeat)
        print(f"long:   {log.n_events:>10,} events, {len(log.table.columns):>5} columns: "
              f"check() {seconds}", flush=True)
    if "wide" in only:
        log = journey.read_log(wide_frame(args.wide_rows, args.columns))
        seconds, report = timed(log, args.repeat)
        case_attributes = report.set_index("check").examples.get("case attributes", [])
        print(f"wide:   {log.n_events:>10,} events, {len(log.table.columns):>5} columns: "
              f"check() {seconds}; {len(case_attributes)} case attributes, "
              f"{report.check.str.startswith('missing values').sum()} columns with missing "
              "values", flush=True)
    if "labels" in only:
        log = journey.read_log(labels_frame(args.activities))
        seconds, report = timed(log, args.repeat)
        pairs = report.set_index("check").loc["near-duplicate activity labels", "count"]
        print(f"labels: {log.n_events:>10,} events, {args.activities:>5} activities: "
              f"check() {seconds}; {pairs} near-duplicate pairs")


if __name__ == "__main__":
    main()
