"""Data-quality report of a visit log, in the spirit of daqapo."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

import ibis
import pandas as pd

from journey.engine import sequenced
from journey.log import EventLog
from journey.stages import touchpoint_of

__all__ = ["check_log"]

# catalogue touchpoints that begin or end a visit whatever their frequency in the log
_ARRIVALS = {"appointment_booking", "arrival", "registration", "triage"}
_EXITS = {"admission", "discharge", "left_unseen", "exit"}
_COLUMNS = ["check", "count", "unit", "share", "examples", "detail"]


def _examples(table: Any, column: str = "case_id", n: int = 5) -> list:
    values = table.select(column).distinct().order_by(column).limit(n).execute()[column]
    return values.tolist()


def _per_activity(table: Any) -> tuple[int, str]:
    """Number of events in ``table`` and the five touchpoints with most of them."""
    by = table.group_by("activity").aggregate(n=ibis._.count()).execute()
    by = by.sort_values(["n", "activity"], ascending=[False, True]).head(5)
    return int(table.count().execute()), ", ".join(f"{a}: {n}" for a, n in
                                                   zip(by.activity, by.n, strict=True))


def _normalise(label: str) -> str:
    return re.sub(r"[\s_\-./]+", " ", label).strip().casefold()


def check_log(
    log: EventLog,
    *,
    arrival: Iterable[str] | None = None,
    exit: Iterable[str] | None = None,
    window: tuple[Any, Any] | None = None,
    extreme_iqr: float = 3.0,
    similarity: float = 0.85,
    min_endpoint_share: float = 0.05,
) -> pd.DataFrame:
    """Data-quality findings of a log, one row per check, each with a count and examples.

    Checks: rows excluded at loading (missing fields, duplicates, end before start, unpaired
    lifecycle events), negative and zero durations, overlapping touchpoints within a visit,
    incomplete visits, extreme durations, missing values, near-duplicate activity labels and,
    when a ``window`` is given, events outside the study window.

    Parameters
    ----------
    log : EventLog
    arrival, exit : list of str, optional
        Touchpoints a complete visit starts / ends with. By default, every touchpoint that
        starts (ends) at least ``min_endpoint_share`` of the visits, plus the catalogue's
        arrival touchpoints (booking, arrival, registration, triage) and exits (admission,
        discharge, left unseen, exit).
    window : (start, end), optional
        Study window; events ending before ``start`` or starting at or after ``end`` are
        reported.
    extreme_iqr : float
        A service time is extreme when above Q3 + ``extreme_iqr`` × IQR of its touchpoint.
    similarity : float
        Activity labels at least this similar (difflib ratio), or equal when case, spaces and
        punctuation are ignored, are reported as near-duplicates.
    min_endpoint_share : float
        See ``arrival``.

    Returns
    -------
    DataFrame
        check, count, unit ("rows", "events", "visits", "values" or "pairs"), share (of that
        unit in the log), examples (case ids, row numbers or labels), detail.

    Examples
    --------
    >>> import pandas as pd, journey
    >>> df = pd.DataFrame({"case_id": ["a", "a", "b"], "activity": ["Lab", "lab ", "Lab"],
    ...     "start": ["2025-01-06 08:00", "2025-01-06 08:05", "2025-01-06 09:00"],
    ...     "end": ["2025-01-06 08:10", "2025-01-06 08:20", "2025-01-06 09:00"]})
    >>> report = journey.check_log(journey.read_log(df))
    >>> report.set_index("check").loc[["overlapping touchpoints", "zero durations"], "count"]
    check
    overlapping touchpoints    1
    zero durations             1
    Name: count, dtype: int64
    """
    t = log.table
    ev = sequenced(t, has_start=log.has_start).drop("occurrence").cache()
    n_events = int(ev.count().execute())
    n_cases = int(ev.case_id.nunique().execute())
    rows: list[dict] = []

    def add(check: str, count: int, unit: str, examples: list, detail: str) -> None:
        total = {"events": n_events, "visits": n_cases, "rows": n_events}.get(unit)
        share = count / total if total else float("nan")
        rows.append(dict(check=check, count=int(count), unit=unit, share=share,
                         examples=examples, detail=detail))

    for r in log.exclusions.itertuples(index=False):
        add(f"excluded at loading: {r.reason}", r.rows, "rows", list(r.example_rows),
            "row numbers as in the source file")
    excluded = set(log.exclusions.reason) if len(log.exclusions) else set()
    if not any("duplicate" in r for r in excluded):
        add("duplicate events", 0, "events", [], "same visit, touchpoint, times and resource")
    if log.has_start:
        neg = ev.filter(ev.service < 0)
        add("negative durations", int(neg.count().execute()), "events", _examples(neg),
            "end before start; read_log(..., invalid='exclude') removes and counts them")
        zero = ev.filter(ev.service == 0)
        n, detail = _per_activity(zero)
        add("zero durations", n, "events", _examples(zero), detail)
        over = ev.filter(ev.gap < 0)
        add("overlapping touchpoints", int(over.count().execute()), "events", _examples(over),
            "a touchpoint started before the previous one in the visit ended; "
            "no wait is counted for it")
    else:
        add("durations", 0, "events", [], "not checked: the log has no start times")

    firsts = ev.filter(ev.position == 1).group_by("activity").aggregate(n=ibis._.count()).execute()
    lasts = ev.filter(ev.next_activity.isnull()).group_by("activity").aggregate(
        n=ibis._.count()).execute()
    labels = sorted(t.select("activity").distinct().execute().activity)
    if arrival is None:
        arrival = sorted(set(firsts.activity[firsts.n >= min_endpoint_share * n_cases])
                         | {a for a in labels if touchpoint_of(a) in _ARRIVALS})
    if exit is None:
        exit = sorted(set(lasts.activity[lasts.n >= min_endpoint_share * n_cases])
                      | {a for a in labels if touchpoint_of(a) in _EXITS})
    arrival, exit = list(arrival), list(exit)
    bad = ev.filter(((ev.position == 1) & ~ev.activity.isin(arrival))
                    | ((ev.next_activity.isnull()) & ~ev.activity.isin(exit)))
    add("incomplete visits", int(bad.case_id.nunique().execute()), "visits", _examples(bad),
        f"not starting with {arrival} or not ending with {exit}")

    if log.has_start:
        q = ev.group_by("activity").aggregate(q1=ev.service.quantile(0.25),
                                              q3=ev.service.quantile(0.75))
        j = ev.inner_join(q, "activity")
        ext = j.filter(j.service > j.q3 + extreme_iqr * (j.q3 - j.q1))
        n, detail = _per_activity(ext)
        add("extreme durations", n, "events", _examples(ext),
            f"service above Q3 + {extreme_iqr} × IQR of its touchpoint; {detail}")

    columns = [c for c in t.columns if not c.startswith("_") and c != "start"]
    nulls = t.aggregate(**{f"n{i}": t[c].isnull().cast("int64").sum()
                           for i, c in enumerate(columns)}).execute().iloc[0]
    for i, c in enumerate(columns):
        if nulls[f"n{i}"]:
            add(f"missing values: {c}", int(nulls[f"n{i}"]), "events",
                _examples(t.filter(t[c].isnull())), "empty cells in this column")
    if log.has_start:
        n = int(t.start.isnull().cast("int64").sum().execute() or 0)
        if n:
            add("missing values: start", n, "events", _examples(t.filter(t.start.isnull())),
                "no start time: no service time, and no wait before this touchpoint")

    pairs = [(a, b) for i, a in enumerate(labels) for b in labels[i + 1:]
             if _normalise(a) == _normalise(b)
             or difflib.SequenceMatcher(None, _normalise(a), _normalise(b)).ratio() >= similarity]
    add("near-duplicate activity labels", len(pairs), "pairs", [f"{a!r} ~ {b!r}"
                                                               for a, b in pairs[:5]],
        "labels that probably name the same touchpoint; unify them before mapping")

    if window is not None:
        lo, hi = (pd.Timestamp(w) for w in window)
        out = ev.filter((ev.end < lo) | (ibis.coalesce(ev.start, ev.end) >= hi))
        add("events outside the study window", int(out.count().execute()), "events",
            _examples(out), f"window [{lo}, {hi})")
    return pd.DataFrame(rows, columns=_COLUMNS)
