"""Timing of the interactive tools: explorer redraws on 1 M events, the animation of 10k visits.

The explorer is built on the generated log (bench/generate.py), then each control is moved in
turn and the redraw timed (a selection seen before is served from the explorer's cache, so
every move here is a new selection). The animation replays one day of about 10,000 visits:
the generated log with every visit moved to the same day. Prints each time and the medians.

Usage::

    python bench/interactive.py                  # 1 M events, 10k visits
    python bench/interactive.py --events 200000  # a quicker run
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate, log_file  # noqa: E402

import journey  # noqa: E402


def explorer_times(n_events: int) -> list[tuple[str, float]]:
    log = journey.read_log(log_file(n_events))
    t0 = time.perf_counter()
    ex = journey.explore(log)
    times = [("open (first map)", time.perf_counter() - t0)]
    dept = [v for _, v in ex.department.options if v is not None][0]
    moves = [("paths slider 0.5", lambda: setattr(ex.paths, "value", 0.5)),
             ("paths slider 0.8", lambda: setattr(ex.paths, "value", 0.8)),
             ("touchpoints slider 0.9", lambda: setattr(ex.activities, "value", 0.9)),
             ("metric P90", lambda: setattr(ex.metric, "value", "p90")),
             ("department", lambda: setattr(ex.department, "value", dept)),
             ("period: first half", lambda: setattr(
                 ex.period, "index", (0, len(ex.period.options) // 2))),
             ("touchpoints slider 1.0", lambda: setattr(ex.activities, "value", 1.0))]
    for name, move in moves:
        t0 = time.perf_counter()
        move()
        times.append((name, time.perf_counter() - t0))
    return times


def animation_time(n_visits: int) -> tuple[float, int, int]:
    """Seconds to build the animation of one day of ``n_visits`` visits, and the sizes of
    its figure (JSON) and of the offline HTML page (with plotly.js)."""
    frame = generate(int(n_visits * 6.3)).to_pandas()
    first = frame.groupby("case_id").start.transform("min")
    shift = first.dt.normalize() - pd.Timestamp("2025-03-03")
    frame["start"], frame["end"] = frame.start - shift, frame.end - shift
    log = journey.read_log(frame)
    t0 = time.perf_counter()
    fig = journey.animate(log)
    seconds = time.perf_counter() - t0
    return (seconds, len(fig.to_json()), len(fig.to_html(include_plotlyjs=True)),
            fig.layout.meta["visits"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--visits", type=int, default=10_000)
    args = parser.parse_args()
    times = explorer_times(args.events)
    for name, seconds in times:
        print(f"explorer, {args.events:,} events, {name}: {seconds:.2f} s")
    redraws = [s for _, s in times[1:]]
    print(f"explorer redraw: median {statistics.median(redraws):.2f} s, "
          f"max {max(redraws):.2f} s")
    seconds, json_size, html_size, visits = animation_time(args.visits)
    print(f"animate, {visits:,} visits on one day: {seconds:.1f} s, figure "
          f"{json_size / 1e6:.1f} MB, offline HTML {html_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
