"""The measures of the before/after series: their per-visit values and their names.

:mod:`journey.series` builds its series from the per-visit values, :mod:`journey.compare`
compares them, and both name a measure with :func:`_measure` (in any language, from the
catalogue's ``metrics`` texts), as do the figures of :mod:`journey._figures_series`, so a
measure is defined and worded once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from journey._labels import texts
from journey.engine import minutes, sequenced, wall_clock
from journey.errors import JourneyError
from journey.i18n import display_name
from journey.log import EventLog
from journey.stages import activities_of

__all__ = ["METRICS", "MISSING_GROUP", "_FREQ", "_measure", "_visit_values"]

#: Measure → (what is aggregated per visit, statistic, unit, better direction).
METRICS: dict[str, tuple[str, str, str, str]] = {
    "wait_median": ("wait", "median", "minutes", "decrease"),
    "wait_p90": ("wait", "p90", "minutes", "decrease"),
    "wait_mean": ("wait", "mean", "minutes", "decrease"),
    "within_target": ("within target", "proportion", "proportion", "increase"),
    "los_median": ("length of stay", "median", "minutes", "decrease"),
    "visits": ("visits", "count", "visits", "neutral"),
    "left_unseen_rate": ("left unseen", "proportion", "proportion", "decrease"),
    "return_rate": ("returned", "proportion", "proportion", "increase"),
}
MISSING_GROUP = "(missing)"
_FREQ = {"D": ("D", "D"), "W": ("W", "7D")}


def _visit_values(
    log: EventLog,
    *,
    metric: str,
    activity: str | None,
    freq: str,
    by: str | None,
    target: float | None,
    left: str | list[str] | None,
    window: str | pd.Timedelta,
) -> tuple[ir.Table, ir.Table, dict[str, str]]:
    """Per-visit values of a measure as Ibis tables, with the counts behind the notes.

    Returns ``(visits, values, counts)``: every visit with ``case_id, arrival, date, group``,
    the visit's attributes and per-visit exclusion counts; the visits that carry the measure,
    with a ``value`` column; and ``{count column: what it counts}`` for the notes.
    """
    if metric not in METRICS:
        raise JourneyError(f"metric must be one of {list(METRICS)}, not {metric!r}.")
    if freq not in _FREQ:
        raise JourneyError(f"freq must be 'D' (daily) or 'W' (weekly, from Monday), not {freq!r}.")
    uses_wait = metric.startswith("wait_") or (metric == "within_target" and activity is not None)
    if metric.startswith("wait_") and activity is None:
        raise JourneyError(f"metric={metric!r} is the wait before a touchpoint: name it, e.g. "
                           "activity='Consultation'.")
    if metric == "within_target" and target is None:
        raise JourneyError("metric='within_target' needs target= in minutes (of the wait before "
                           "activity=..., or of the length of stay without activity).")
    if by is not None:
        log._need(by)
    if uses_wait and activity not in log.activities:
        raise JourneyError(f"activity={activity!r} is not a touchpoint of this log; its "
                           f"touchpoints are {log.activities[:12]}"
                           f"{' ...' if len(log.activities) > 12 else ''}.", source=log.source)
    left = (activities_of(log.activities, "left_unseen") if left is None
            else [left] if isinstance(left, str) else list(left))
    t = log.table
    ev = sequenced(t, has_start=log.has_start)
    ev = ev.mutate(_last=ev._seq.max().over(ibis.window(group_by="case_id")))
    group = (ev[by].cast("string").fill_null(MISSING_GROUP) if by is not None
             else ibis.literal("all"))
    keep = ["patient_id"] if "patient_id" in t.columns else []
    last = ev.filter(ev._seq == ev._last).select("case_id", *keep, *log.attributes, group=group)
    span = t.group_by("case_id").aggregate(
        arrival=ibis.coalesce(t.start, t.end).min(), departure=t.end.max(),
        left_unseen=(t.activity.isin(left) if left else t.activity.isnull() & False).any(),
    )
    visits = span.join(last, "case_id")
    day = wall_clock(visits.arrival, log.clock)  # periods of the hospital's calendar
    visits = visits.mutate(date=day.truncate(_FREQ[freq][0]).cast("timestamp"),
                           los=minutes(visits.arrival, visits.departure))
    counts: dict[str, str] = {}  # per-visit count column → what it counts (for the notes)
    if uses_wait:
        passes = ev.filter(ev.activity == activity)
        first = passes.occurrence == 1
        per_case = passes.group_by("case_id").aggregate(
            value=passes.wait.max(where=first), _passes=passes.count(),
            _repeats=(passes.occurrence > 1).cast("int64").sum(),
            _no_wait=(first & passes.wait.isnull()).cast("int64").sum())
        visits = visits.left_join(per_case, "case_id").drop("case_id_right")
        counts = {"_repeats": f"repeated passes through {activity!r} left out (first pass per "
                              "visit used)",
                  "_no_wait": f"visits reaching {activity!r} without a wait (first touchpoint, "
                              "or started before the previous one ended) left out"}
        values = visits.filter(visits.value.notnull())
    else:
        values = visits.mutate(value=visits.los)
    if metric == "within_target":
        values = values.mutate(value=(values.value <= target).cast("float64"))
    elif metric == "visits":
        values = values.mutate(value=ibis.literal(1.0))
    elif metric == "left_unseen_rate":
        values = values.mutate(value=values.left_unseen.cast("float64"))
    elif metric == "return_rate":
        if "patient_id" not in t.columns:
            log._need("patient_id")
        days = pd.Timedelta(window)
        step = ibis.interval(seconds=int(days.total_seconds()))
        later = visits.view()
        returned = visits.join(later, [visits.patient_id == later.patient_id,
                                       later.arrival > visits.departure,
                                       later.arrival <= visits.departure + step])
        returned = returned.select(case_id=visits.case_id).distinct()
        as_of = ibis.literal(pd.Timestamp(visits.departure.max().execute()))
        linked = visits.patient_id.notnull() & visits.departure.notnull()
        visits = visits.mutate(_unlinked=(~linked).cast("int64"),
                               _censored=(linked & (visits.departure + step > as_of)).cast("int64"),
                               returned=visits.case_id.isin(returned.case_id).cast("float64"))
        counts = {"_unlinked": "visits without patient id or departure (cannot be linked) left out",
                  "_censored": f"visits whose {days.days}-day window passes the end of the log "
                               "(censored) left out"}
        values = visits.filter((visits._unlinked + visits._censored) == 0)
        values = values.mutate(value=values.returned)
    return visits, values, counts


def _measure(options: Mapping[str, Any], lang: str = "en") -> str:
    """The name of a series' measure in ``lang`` from its ``metric``, ``activity``, ``freq``,
    ``target`` and ``time_kind``, e.g. "daily median wait before Consultation (minutes)",
    "每日就诊前等候中位数（分钟）"; "daily median flow time to Consultation (minutes)" for a
    log without start times."""
    M = texts("metrics", lang)
    metric = options["metric"]
    what, stat, unit, _ = METRICS[metric]
    activity = options.get("activity") if what in ("wait", "within target") else None
    flow = options.get("time_kind", "wait") == "flow"
    period = M[options["freq"]]
    before = M["to" if flow else "before"].format(activity=display_name(activity, lang)) \
        if activity else ""
    gap = M["flow time" if flow else "wait"]
    if metric == "within_target":
        thing = M["thing"].format(gap=gap, before=before) if activity else M["length of stay"]
        return M["within_target"].format(period=period, thing=thing, target=options["target"])
    if metric == "visits":
        return M["visits"].format(period=period)
    if stat == "proportion":
        return M["proportion"].format(period=period, what=M[what])
    return M["measure"].format(period=period, stat=M[stat], what=gap if what == "wait" else
                               M[what], before=before, unit=M[unit])
