"""XES import speed: journey's streaming reader against pm4py's default XES importer.

Writes a synthetic XES log shaped like a general hospital's public log (date-only times with
+01:00/+02:00 offsets, several hundred activity names, ``org:group`` departments, many trace
attributes repeated nowhere else, typed event attributes) and times, each in a fresh process:

- ``register`` — :func:`journey.formats.register_source` (the XES reader alone);
- ``read_log`` — :func:`journey.read_log` (reader, privacy guard, times, ordering);
- ``first_look`` — what a consultant does first with a new export: ``read_log``,
  ``log.check()``, the journey map's tables and its default process map, each step timed;
- ``pm4py`` — ``pm4py.read_xes(path)`` with its defaults, in the Python given by
  ``--pm4py-python`` (an environment of its own: pm4py is AGPL and never a dependency of
  journey; e.g. ``python3 -m venv pm4pyenv && pm4pyenv/bin/pip install pm4py``).

Imports are made before the clock starts, as in ``bench/run.py`` (a session pays them once):
``import journey`` loads each module on first use, so each journey task first imports the
modules it will use; their seconds are printed apart.

Usage::

    python bench/xes.py                                  # 150,000 events, journey only
    python bench/xes.py --pm4py-python pm4pyenv/bin/python --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
_GROUPS = ("General Lab Clinical Chemistry", "Radiology", "Nursing ward", "Pathology",
           "Obstetrics &amp; Gynaecology clinic", "Operating rooms", "Medical Microbiology",
           "Internal Specialisms clinic", "Radiotherapy", "Special lab immunology")


def offset(day: date) -> str:
    """Central European offset: +02:00 from the last Sunday of March to that of October."""
    def last_sunday(month: int) -> date:
        d = date(day.year, month, 31)
        return d - timedelta(days=(d.weekday() + 1) % 7)
    return "+02:00" if last_sunday(3) <= day < last_sunday(10) else "+01:00"


def generate(path: Path, events: int = 150_000, activities: int = 624, seed: int = 1) -> Path:
    """Write an XES log of about ``events`` events; return its path."""
    rng = random.Random(seed)
    names = [f"{rng.choice(('ct', 'echo', 'bloed', 'kweek', 'consult', 'histo', 'aanname'))} "
             f"{rng.randrange(10_000, 99_999)} {i}" for i in range(activities)]
    weights = [1 / (i + 1) for i in range(activities)]  # a few common, a long tail
    out, n, case = [], 0, 0
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8" ?>\n'
                 '<log xes.version="1.0" xes.features="nested-attributes" '
                 'openxes.version="1.0RC7" xmlns="http://www.xes-standard.org/">\n'
                 '\t<extension name="Concept" prefix="concept" '
                 'uri="http://www.xes-standard.org/concept.xesext"/>\n'
                 '\t<global scope="event">\n\t\t<string key="concept:name" value="__INVALID__"/>'
                 '\n\t</global>\n'
                 '\t<classifier name="Activity" keys="concept:name"/>\n'
                 '\t<string key="concept:name" value="synthetic hospital log"/>\n')
        while n < events:
            size = min(max(1, int(rng.expovariate(1 / 130))), events - n)
            day = date(2005, 1, 3) + timedelta(days=rng.randrange(0, 900))
            out.append(f'\t<trace>\n\t\t<string key="concept:name" value="{case:08d}"/>\n'
                       f'\t\t<int key="Age" value="{rng.randrange(18, 90)}"/>\n'
                       f'\t\t<string key="Diagnosis code" value="M{rng.randrange(10, 99)}"/>\n'
                       f'\t\t<string key="Treatment code" value="{rng.randrange(100, 999)}"/>\n'
                       f'\t\t<string key="Diagnosis" value="maligne neoplasma '
                       f'{rng.randrange(1, 40)}"/>\n')
            for _ in range(size):
                day += timedelta(days=rng.choice((0, 0, 0, 1, 2, 7)))
                act = rng.choices(names, weights)[0]
                out.append(
                    '\t\t<event>\n'
                    f'\t\t\t<string key="org:group" value="{rng.choice(_GROUPS)}"/>\n'
                    f'\t\t\t<int key="Number of executions" value="{rng.randrange(1, 4)}"/>\n'
                    f'\t\t\t<string key="Specialism code" value="{rng.randrange(1, 90)}"/>\n'
                    f'\t\t\t<string key="concept:name" value="{act}"/>\n'
                    f'\t\t\t<string key="Producer code" value="SG{rng.randrange(1, 99)}"/>\n'
                    f'\t\t\t<string key="Section" value="Section {rng.randrange(1, 6)}"/>\n'
                    f'\t\t\t<float key="Cost" value="{rng.uniform(5, 900):.2f}"/>\n'
                    f'\t\t\t<boolean key="Urgent" value="{rng.random() < 0.1}"/>\n'
                    '\t\t\t<string key="lifecycle:transition" value="complete"/>\n'
                    f'\t\t\t<date key="time:timestamp" value="{day.isoformat()}T00:00:00.000'
                    f'{offset(day)}"/>\n\t\t</event>\n')
                n += 1
            out.append('\t</trace>\n')
            case += 1
            if len(out) > 10_000:
                fh.write("".join(out))
                out = []
        fh.write("".join(out) + "</log>\n")
    return path


def _import_journey() -> float:
    """Import the modules the journey tasks use, outside their clock (``import journey`` loads
    each module on first use, and pm4py's import is not timed either); their seconds."""
    t0 = time.perf_counter()
    import ibis

    import journey._figures_maps
    import journey._quality
    import journey.maps
    import journey.read  # noqa: F401

    ibis.duckdb  # noqa: B018  (Ibis loads its DuckDB backend on first use)
    return time.perf_counter() - t0


def task_register(path: str) -> dict:
    import duckdb

    from journey.formats import register_source

    imports = _import_journey()
    t0, c0 = time.perf_counter(), time.process_time()
    info = register_source(duckdb.connect(), path, name="raw")
    return {"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0,
            "events": info.n_rows, "imports": imports}


def task_read_log(path: str) -> dict:
    import journey

    imports = _import_journey()
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        log = journey.read_log(path)
    except journey.JourneyError as exc:
        return {"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0,
                "error": str(exc)[-160:]}
    return {"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0,
            "events": log.n_events, "imports": imports}


def task_first_look(path: str) -> dict:
    """What a consultant does first with a new export: read it, check it, map it, draw it."""
    import journey

    imports = _import_journey()
    t0, c0 = time.perf_counter(), time.process_time()
    steps = {}
    log = journey.read_log(path)
    steps["read_log"] = time.perf_counter() - t0
    log.check()
    steps["check"] = time.perf_counter() - t0 - sum(steps.values())
    m = journey.journey_map(log)
    m.touchpoints, m.transitions  # noqa: B018  (the map's two tables)
    steps["journey_map"] = time.perf_counter() - t0 - sum(steps.values())
    m.process_map()
    steps["process_map"] = time.perf_counter() - t0 - sum(steps.values())
    return {"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0,
            "events": log.n_events, "steps": steps, "imports": imports}


def task_pm4py(path: str) -> dict:
    t0 = time.perf_counter()
    import pm4py

    imports = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    frame = pm4py.read_xes(path, show_progress_bar=False)
    return {"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0,
            "events": len(frame), "imports": imports}


def run(task: str, path: Path, python: str) -> dict:
    """Run ``task_<task>`` in a fresh process (imports outside the clock)."""
    code = (f"import sys, json; sys.path.insert(0, {str(HERE)!r}); import xes; "
            f"print(json.dumps(xes.task_{task}({str(path)!r})))")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(HERE.parent), os.environ.get("PYTHONPATH", "")) if p))
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env,
                         check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=150_000)
    parser.add_argument("--activities", type=int, default=624)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--pm4py-python", help="python of an environment with pm4py")
    parser.add_argument("--keep", help="write the XES file here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep or Path(tmp) / "log.xes")
        generate(path, args.events, args.activities)
        print(f"{path.stat().st_size / 1e6:.0f} MB, {args.events:,} events, "
              f"{args.activities} activities")
        tasks = {"register": sys.executable, "read_log": sys.executable,
                 "first_look": sys.executable}
        if args.pm4py_python:
            tasks["pm4py"] = args.pm4py_python
        results: dict[str, list[dict]] = {t: [] for t in tasks}
        for _ in range(args.repeat):
            for task, python in tasks.items():
                results[task].append(run(task, path, python))
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: on a shared "
              "machine compare CPU seconds (all threads of the process)")
        for task, runs in results.items():
            wall = statistics.median(r["seconds"] for r in runs)
            cpu = statistics.median(r["cpu"] for r in runs)
            extra = runs[-1].get("error") or f"{runs[-1]['events']:,} events"
            if "steps" in runs[0]:
                extra += ": " + ", ".join(
                    f"{k} {statistics.median(r['steps'][k] for r in runs):.2f} s"
                    for k in runs[0]["steps"])
            each = "/".join(f"{r['cpu']:.2f}" for r in runs)
            imports = statistics.median(r["imports"] for r in runs)
            print(f"{task:<9} wall {wall:6.2f} s  CPU {cpu:6.2f} s  (CPU of each run {each}; "
                  f"{extra}; imports before the clock {imports:.2f} s)")


if __name__ == "__main__":
    main()
