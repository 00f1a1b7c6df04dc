"""Timing of the interactive tools: explorer redraws on 1 M events, the animation of 10k visits.

The explorer is built on the generated log (bench/generate.py), then each control is moved in
turn and the redraw timed (a selection seen before is served from the explorer's cache, so
every move here is a new selection). Each move prints its wall time and the CPU time of the
process (all threads; on a machine shared with other work, the CPU time divided by the cores
is what the wall time would be on an idle machine). The animation replays one day of about
10,000 visits: the generated log with every visit moved to the same day.

Usage::

    python bench/interactive.py                  # 1 M events, 10k visits
    python bench/interactive.py --events 200000  # a quicker run
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate, log_file

import journey


def cpu() -> float:
    t = os.times()
    return t.user + t.system


def explorer_times(n_events: int) -> list[tuple[str, float, float]]:
    log = journey.read_log(log_file(n_events))
    from journey import _figures_maps  # noqa: F401  (imported outside the clock)
    t0, c0 = time.perf_counter(), cpu()
    ex = journey.explore(log)
    times = [("open (first map)", time.perf_counter() - t0, cpu() - c0)]
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
        t0, c0 = time.perf_counter(), cpu()
        move()
        times.append((name, time.perf_counter() - t0, cpu() - c0))
    return times


def animation_time(n_visits: int) -> tuple[float, float, int, int, int]:
    """Seconds (wall, CPU) to build the animation of one day of ``n_visits`` visits, the
    sizes of its figure (JSON) and of the offline HTML page (with plotly.js), the visits."""
    frame = generate(int(n_visits * 6.3)).to_pandas()
    first = frame.groupby("case_id").start.transform("min")
    shift = first.dt.normalize() - pd.Timestamp("2025-03-03")
    frame["start"], frame["end"] = frame.start - shift, frame.end - shift
    log = journey.read_log(frame)
    t0, c0 = time.perf_counter(), cpu()
    fig = journey.animate(log)
    seconds, busy = time.perf_counter() - t0, cpu() - c0
    return (seconds, busy, len(fig.to_json()), len(fig.to_html(include_plotlyjs=True)),
            fig.layout.meta["visits"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--visits", type=int, default=10_000)
    args = parser.parse_args()
    times = explorer_times(args.events)
    for name, seconds, busy in times:
        print(f"explorer, {args.events:,} events, {name}: {seconds:.2f} s (CPU {busy:.2f} s)")
    redraws, busy = [s for _, s, _ in times[1:]], [c for _, _, c in times[1:]]
    print(f"explorer redraw: median {statistics.median(redraws):.2f} s, max "
          f"{max(redraws):.2f} s; CPU median {statistics.median(busy):.2f} s, max "
          f"{max(busy):.2f} s; {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    seconds, busy, json_size, html_size, visits = animation_time(args.visits)
    print(f"animate, {visits:,} visits on one day: {seconds:.1f} s (CPU {busy:.1f} s), figure "
          f"{json_size / 1e6:.1f} MB, offline HTML {html_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
