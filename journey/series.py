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

import pandas as pd

from journey._figures_series import series_figure
from journey._metrics import _FREQ, METRICS, _measure, _visit_values
from journey._metrics import MISSING_GROUP as MISSING_GROUP
from journey.errors import JourneyError
from journey.log import EventLog

__all__ = ["METRICS", "metric_series", "series_figure"]


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
                     time_kind=log.time_kind, notes=notes)
    out.attrs["measure"] = _measure(out.attrs)
    return out


