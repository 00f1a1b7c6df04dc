"""Daily or weekly series of a journey measure per department, computed in the engine.

:func:`metric_series` turns an event log into the small, evenly spaced series that SPC charts
and interrupted time series need: one row per period and group, with the number of visits
behind each point. The per-visit values are computed as Ibis expressions where the events
live; only the series comes back to pandas.

Definitions
-----------
- A visit is dated by its first touchpoint (its start, or its end without start times) and
  belongs to the group (department, segment…) recorded on its *last* touchpoint: a patient
  first sent to the wrong department counts where the visit ended.
- The wait before ``activity`` is the wait of the visit's first pass through that touchpoint
  (start − end of the touchpoint before it, see :mod:`journey.log`). Repeated passes, and
  passes without a wait (the visit starts there, or it began before the previous touchpoint
  ended), are left out and counted in the notes. Without start times it is a flow time.
- Length of stay = last end − first start of the visit.
- A visit left unseen when it has a ``left`` touchpoint. A visit *returned* when the same
  patient has another visit arriving after its departure and at most ``window`` later;
  visits whose window reaches past the end of the log (censored) or without a patient id
  (unlinked) are left out of the return rate and counted.
"""

from __future__ import annotations

from typing import Literal

import ibis
import ibis.expr.types as ir
import pandas as pd

from journey.engine import minutes, sequenced, wall_clock
from journey.errors import JourneyError
from journey.log import EventLog
from journey.stages import activities_of

__all__ = ["METRICS", "metric_series"]

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


def metric_series(
    log: EventLog,
    *,
    metric: Literal["wait_median", "wait_p90", "wait_mean", "within_target", "los_median",
                    "visits", "left_unseen_rate", "return_rate"] = "wait_median",
    activity: str | None = None,
    freq: Literal["D", "W"] = "D",
    by: str | None = "department",
    target: float | None = None,
    left: str | list[str] | None = None,
    window: str | pd.Timedelta = "30D",
) -> pd.DataFrame:
    """A daily or weekly series of a journey measure per group, with the visits behind it.

    Parameters
    ----------
    log : EventLog
        From :func:`journey.read_log` (filter it first to restrict visits).
    metric : str
        ``"wait_median"``, ``"wait_p90"``, ``"wait_mean"``: median, 90th percentile or mean wait
        before ``activity`` (minutes); ``"within_target"``: share of visits whose wait before
        ``activity`` (or, without ``activity``, whose length of stay) is at most ``target``
        minutes; ``"los_median"``: median length of stay; ``"visits"``: number of visits;
        ``"left_unseen_rate"``: share of visits with a ``left`` touchpoint;
        ``"return_rate"``: share of visits followed by another visit of the same patient
        within ``window``.
    activity : str, optional
        The touchpoint whose wait is measured (needed for the wait metrics).
    freq : {"D", "W"}
        Daily or weekly (weeks start on Monday and are dated by it) periods.
    by : str or None
        Column whose value on the visit's last touchpoint forms the groups (None: one group,
        ``"all"``). Missing values form the group ``"(missing)"``.
    target : float, optional
        Minutes, for ``metric="within_target"``.
    left : str or list of str, optional
        Name(s) of the touchpoint recording that a patient left unseen; default the log's
        activities that the touchpoint catalogue maps to leaving unseen
        (:func:`journey.stages.activities_of`).
    window : str or Timedelta
        Return window for ``metric="return_rate"``.

    Returns
    -------
    DataFrame
        One row per period and group, every period from the first to the last visit of the
        log: ``date``, ``group``, ``value``, ``n`` (visits behind the point), for proportions
        ``numerator`` and ``denominator`` (= ``n``), and ``empty``: True for periods without
        visits (``n = 0``), whose value is missing (0 for ``metric="visits"``). Empty periods
        are gaps for :func:`journey.spc` and :func:`journey.its`: charts and models use the
        observed periods at their true place in time and show the gap. ``.attrs`` holds
        ``metric``, ``activity``, ``freq``, ``unit``, ``improvement`` (the better direction),
        ``time_kind`` (``"flow"`` when the log has no start times), ``measure`` (a readable
        name, e.g. "daily median wait before Consultation (minutes)", used for figure axes)
        and ``notes`` (what was left out, with counts).

    Examples
    --------
    >>> import pandas as pd, journey
    >>> df = pd.DataFrame({"case_id": ["a", "a", "b", "b"],
    ...     "activity": ["Registration", "Consultation"] * 2,
    ...     "department": "Internal Medicine",
    ...     "start": ["2025-01-06 08:00", "2025-01-06 08:30", "2025-01-08 09:00",
    ...               "2025-01-08 09:50"],
    ...     "end": ["2025-01-06 08:10", "2025-01-06 08:45", "2025-01-08 09:10",
    ...             "2025-01-08 10:00"]})
    >>> log = journey.read_log(df)
    >>> metric_series(log, metric="wait_median", activity="Consultation")
            date              group  value  n  empty
    0 2025-01-06  Internal Medicine   20.0  1  False
    1 2025-01-07  Internal Medicine    NaN  0   True
    2 2025-01-08  Internal Medicine   40.0  1  False
    >>> metric_series(log, metric="wait_median", activity="Consultation").attrs["measure"]
    'daily median wait before Consultation (minutes)'
    """
    visits, values, counts = _visit_values(
        log, metric=metric, activity=activity, freq=freq, by=by, target=target, left=left,
        window=window)
    stat = METRICS[metric][1]
    x = values.value
    value = {"median": x.median(), "p90": x.quantile(0.9), "mean": x.mean(),
             "proportion": x.mean(), "count": x.count().cast("float64")}[stat]
    points = values.group_by(["date", "group"]).aggregate(
        value=value, n=values.count(), numerator=x.sum()).execute()
    span = visits.aggregate(lo=visits.date.min(), hi=visits.date.max(), visits=visits.count(),
                            **{c: visits[c].sum() for c in counts}).execute().iloc[0]
    if span.visits == 0:
        raise JourneyError("the log has no visits (check the filters).", source=log.source)
    dates = pd.date_range(span.lo, span.hi, freq=_FREQ[freq][1])
    groups = sorted(points["group"].unique())
    grid = pd.MultiIndex.from_product([dates, groups], names=["date", "group"]).to_frame(
        index=False)
    points["date"] = pd.to_datetime(points["date"]).astype(grid["date"].dtype)
    out = grid.merge(points, on=["date", "group"], how="left")
    out["n"] = out["n"].fillna(0).astype("int64")
    if metric == "visits":
        out["value"] = out["value"].fillna(0.0)
    if stat == "proportion":
        out["numerator"] = out["numerator"].fillna(0).round().astype("int64")
        out["denominator"] = out["n"]
    else:
        out = out.drop(columns="numerator")
    out["value"] = out["value"].astype("float64")
    out["empty"] = out["n"] == 0
    notes = [f"{int(span[c]):,} {label}" for c, label in counts.items() if span[c] > 0]
    empty = int((out["n"] == 0).sum())
    if empty:
        notes.append(f"{empty} period-group combinations without visits (empty = True, n = 0, "
                     f"value missing{'; 0 visits' if metric == 'visits' else ''}), e.g. days a "
                     "clinic is closed: gaps for spc() and its()")
    if freq == "W":
        notes.append("weekly periods start on Monday; the first and last week may be partial "
                     "(check n)")
    if log.time_kind == "flow" and METRICS[metric][0] == "wait":
        notes.append("the log has no start times: these are flow times (they include the "
                     "service of the touchpoint), not waits")
    out.attrs.update(metric=metric, activity=activity, freq=freq, by=by, target=target,
                     unit=METRICS[metric][2], improvement=METRICS[metric][3],
                     time_kind=log.time_kind, notes=notes,
                     measure=_describe(metric, activity if METRICS[metric][0] in (
                         "wait", "within target") else None, freq, target, log.time_kind))
    return out


def _describe(metric: str, activity: str | None, freq: str, target: float | None,
              time_kind: str = "wait") -> str:
    """Readable name of a series, e.g. "daily median wait before Consultation (minutes)";
    "daily median flow time to Consultation (minutes)" in a log without start times."""
    what, stat, unit, _ = METRICS[metric]
    period = {"D": "daily", "W": "weekly"}[freq]
    flow = time_kind == "flow"
    before = (f" to {activity}" if flow else f" before {activity}") if activity else ""
    gap = "flow time" if flow else "wait"
    what = gap if what == "wait" else what
    if metric == "within_target":
        thing = f"{gap}{before}" if activity else "length of stay"
        return f"{period} share of visits with {thing} ≤ {target:g} min"
    if metric == "visits":
        return f"{period} visits"
    if stat == "proportion":
        return f"{period} share of visits {what}"
    return f"{period} {stat} {what}{before} ({unit})"
