"""Time and size of the default process map of a log with hundreds of activities.

Generates (once) a log of about ``--events`` events spread over about ``--activities``
activities (``bench/generate.py --activities``), then times reading it, building the journey
map with its process map, and writing the figure as HTML (plotly.js not included).

Usage::

    python bench/process_map.py                        # 150,000 events, ~600 activities
    python bench/process_map.py --all                  # every touchpoint and path drawn
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate, many_activities  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=150_000)
    parser.add_argument("--activities", type=int, default=600)
    parser.add_argument("--all", action="store_true", help="draw every touchpoint and path")
    args = parser.parse_args()
    path = HERE / "data" / f"log_{args.events}_{args.activities}_activities.parquet"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(many_activities(generate(args.events), args.activities), path)
    import journey
    import journey._figures_maps
    import journey.i18n  # imported outside the clock

    t0 = time.perf_counter()
    log = journey.read_log(path)
    t1, c1 = time.perf_counter(), time.process_time()
    m = journey.journey_map(log)
    fig = m.process_map(activities=None, paths=None) if args.all else m.process_map()
    t2, c2 = time.perf_counter(), time.process_time()
    html = fig.to_html(include_plotlyjs=False)
    t3 = time.perf_counter()
    print(f"{log.n_events:,} events, {len(m.touchpoints):,} activities, "
          f"{len(m.transitions):,} transitions")
    print(f"read {t1 - t0:.1f} s; journey map + process map {t2 - t1:.1f} s; "
          f"(CPU time of this process {c2 - c1:.1f} s; the engine's threads are not counted); "
          f"HTML {t3 - t2:.1f} s, {len(html) / 1e6:.2f} MB, {len(fig.data)} traces")
    print(fig.layout.title.subtitle.text or "nothing hidden")


if __name__ == "__main__":
    main()
