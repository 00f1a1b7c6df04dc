"""Generate a large synthetic visit log (Parquet) with realistic outpatient visit shapes.

Usage: python bench/generate.py --events 10000000 --out bench/data/log_10M.parquet

``--activities 600`` spreads each touchpoint over numbered variants (``Lab 017``) until the log
has about that many distinct activities, few of them frequent (Zipf), as in exports that
name every test or ward: the shape that process maps must simplify.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

PATHS = [
    (["Registration", "Triage", "Consultation", "Payment", "Pharmacy"], 0.30),
    (["Registration", "Triage", "Consultation", "Payment", "Lab", "Review of results",
      "Payment", "Pharmacy"], 0.25),
    (["Registration", "Triage", "Consultation", "Payment", "Imaging", "Review of results",
      "Pharmacy"], 0.15),
    (["Registration", "Consultation", "Payment", "Lab", "Imaging", "Review of results",
      "Pharmacy"], 0.10),
    (["Registration", "Triage", "Consultation"], 0.10),
    (["Registration", "Triage", "Left unseen"], 0.05),
    (["Registration", "Triage", "Consultation", "Payment", "Payment", "Lab", "Lab",
      "Review of results", "Pharmacy"], 0.05),
]
SERVICE = {"Registration": 3, "Triage": 5, "Consultation": 12, "Payment": 2, "Lab": 8,
           "Imaging": 15, "Review of results": 6, "Pharmacy": 4, "Left unseen": 0}
WAIT = {"Registration": 5, "Triage": 10, "Consultation": 35, "Payment": 6, "Lab": 25,
        "Imaging": 30, "Review of results": 40, "Pharmacy": 10, "Left unseen": 60}
HERE = Path(__file__).resolve().parent
CHUNK = 10_000_000
DEPARTMENTS = ["Internal Medicine", "Surgery", "Paediatrics", "Gynaecology", "Emergency"]


def generate(n_events: int, seed: int = 0) -> pa.Table:
    """A visit log with about ``n_events`` activity instances, as an Arrow table."""
    rng = np.random.default_rng(seed)
    probs = np.array([p for _, p in PATHS])
    mean_len = float(sum(len(a) * p for a, p in PATHS))
    n_cases = int(n_events / mean_len)
    kind = rng.choice(len(PATHS), size=n_cases, p=probs / probs.sum())
    lengths = np.array([len(a) for a, _ in PATHS])[kind]
    case = np.repeat(np.arange(n_cases), lengths)
    pos = np.arange(len(case)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    acts_table = np.array([a + [""] * (9 - len(a)) for a, _ in PATHS])
    activity = acts_table[kind[case], pos]
    service = np.array([SERVICE[a] for a in activity]) * rng.gamma(2.0, 0.5, len(case))
    wait = np.array([WAIT[a] for a in activity]) * rng.gamma(1.5, 1 / 1.5, len(case))
    wait[pos == 0] = 0
    step = wait + service
    offset = np.cumsum(step) - np.repeat(np.cumsum(step)[np.cumsum(lengths) - 1] -
                                         np.add.reduceat(step, np.cumsum(lengths) - lengths),
                                         lengths)
    start_min = offset - service
    day = rng.integers(0, 365, n_cases)
    arrival = (np.datetime64("2025-01-01T07:30") + day.astype("timedelta64[D]")
               + (rng.uniform(0, 540, n_cases) * 60).astype("timedelta64[s]"))
    base = np.repeat(arrival, lengths)
    start = base + (start_min * 60).astype("timedelta64[s]")
    end = base + (offset * 60).astype("timedelta64[s]")
    ids = np.char.add("V", np.char.zfill(case.astype(str), 9))
    dept = np.array(DEPARTMENTS)[rng.integers(0, len(DEPARTMENTS), n_cases)][case]
    resource = np.char.add(np.char.add(np.char.upper(np.char.ljust(activity, 3).astype("U3")),
                                       "-"), rng.integers(1, 30, len(case)).astype(str))
    return pa.table({
        "case_id": ids, "activity": activity, "start": start.astype("datetime64[us]"),
        "end": end.astype("datetime64[us]"), "department": dept, "resource": resource,
    })


def many_activities(table: pa.Table, n_activities: int, seed: int = 0) -> pa.Table:
    """``table`` with its touchpoints split into about ``n_activities`` numbered variants.

    Each touchpoint keeps its name on most events; the others get a suffix drawn from a Zipf
    law, so that a few variants are common and most are rare.
    """
    rng = np.random.default_rng(seed)
    activity = table["activity"].to_numpy(zero_copy_only=False).astype(str)
    names = np.unique(activity)
    per_name = max(1, n_activities // len(names))
    variant = np.minimum(rng.zipf(1.6, len(activity)), per_name) - 1
    suffix = np.char.zfill(variant.astype(str), 3)
    renamed = np.where(variant == 0, activity, np.char.add(np.char.add(activity, " "), suffix))
    return table.set_column(1, "activity", pa.array(renamed))


def log_file(n_events: int, folder: Path = HERE / "data") -> Path:
    """bench/data/log_<n>.parquet, generated (in parts of ten million events) if missing."""
    path = folder / f"log_{n_events}.parquet"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    if n_events <= CHUNK:
        pq.write_table(generate(n_events), path, row_group_size=1_000_000)
        return path
    tmp = path.with_suffix(".tmp")
    writer = None
    for part in range(-(-n_events // CHUNK)):
        table = generate(min(CHUNK, n_events - part * CHUNK), seed=part)
        ids = pc.binary_join_element_wise(pa.scalar(f"P{part:03d}"), table["case_id"], "")
        table = table.set_column(0, "case_id", ids)
        writer = writer or pq.ParquetWriter(tmp, table.schema)
        writer.write_table(table, row_group_size=1_000_000)
    writer.close()
    tmp.rename(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--activities", type=int, default=None,
                        help="about this many distinct activities (numbered variants)")
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table = generate(args.events, args.seed)
    if args.activities:
        table = many_activities(table, args.activities, args.seed)
    pq.write_table(table, args.out, row_group_size=1_000_000)
    n = len(pc.unique(table["activity"]))
    print(f"{table.num_rows:,} events, {n:,} activities written to {args.out}")


if __name__ == "__main__":
    main()
