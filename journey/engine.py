"""Per-event expressions, written once in Ibis so they run where the events live.

These functions take and return Ibis tables; nothing is computed until a result is
executed. Durations are in minutes at one-second resolution.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

__all__ = ["FIRST_PASS", "NEIGHBOURS", "SEQUENCE_COLUMNS", "VISIT_KEY", "case_paths", "minutes",
           "sequenced", "visit_key", "wall_clock", "wall_clock_values"]

PATH_SEPARATOR = " → "

#: Neighbour columns that read_log stores with the events; a filter that removes events from
#: inside visits drops them, and :func:`sequenced` then computes them afresh.
NEIGHBOURS = ("_prev_activity", "_prev_end", "_next_activity")

#: The columns :func:`sequenced` reads (with :data:`NEIGHBOURS` when they are stored).
SEQUENCE_COLUMNS = ("case_id", "activity", "start", "end", "_seq")

#: An integer key of the visit that read_log stores with the events of a log read from one
#: file or frame (the row of the visit's first event): counting distinct visits on it is
#: about twice as fast as on the case ids' text.
VISIT_KEY = "_visit"

#: A flag that read_log stores with the events when the log has at most 64 touchpoints: true on
#: the first event of each touchpoint in its visit, so that a touchpoint's visits are the sum of
#: the flag instead of a distinct count. It holds while each touchpoint keeps all or none of its
#: events in a visit, which every filter of :meth:`journey.EventLog.filter` respects.
FIRST_PASS = "_first_pass"


def visit_key(t: ir.Table) -> ir.Column:
    """The column that tells the visits of ``t`` apart: :data:`VISIT_KEY` when it is stored,
    else ``case_id``. Count distinct visits as ``visit_key(t).nunique()``.

    Examples
    --------
    >>> import pandas as pd, journey
    >>> log = journey.read_log(pd.DataFrame({"case_id": ["a", "b", "a"],
    ...     "activity": ["X", "X", "Y"],
    ...     "end": ["2025-01-06 08:00", "2025-01-06 08:10", "2025-01-06 09:00"]}))
    >>> visit_key(log.table).get_name(), int(visit_key(log.table).nunique().execute())
    ('_visit', 2)
    """
    return t[VISIT_KEY] if VISIT_KEY in t.columns else t.case_id


def minutes(earlier: ir.TimestampValue, later: ir.TimestampValue) -> ir.FloatingValue:
    """Minutes from ``earlier`` to ``later`` (negative when ``later`` comes first).

    Examples
    --------
    >>> import ibis, pandas as pd
    >>> t = ibis.memtable(pd.DataFrame({"a": pd.to_datetime(["2025-01-06 08:00"]),
    ...                                 "b": pd.to_datetime(["2025-01-06 08:45:30"])}))
    >>> float(t.select(m=minutes(t.a, t.b)).execute().m.iloc[0])
    45.5
    """
    return later.delta(earlier, unit="second").cast("float64") / 60.0


def wall_clock(time: ir.TimestampValue, clock: Sequence[tuple[Any, int]]) -> ir.TimestampValue:
    """``time`` on the wall clock the hospital recorded, for hour-of-day, weekday and date
    results.

    ``clock`` is :attr:`journey.log.EventLog.clock`: ``(from, minutes ahead)`` pairs that say
    where the recorded clock was ahead of the one the log's times are held on (summer time in
    a log whose offsets change with daylight saving). Durations never need it.

    Examples
    --------
    >>> import ibis, pandas as pd
    >>> t = ibis.memtable(pd.DataFrame({"t": pd.to_datetime(["2014-03-20 09:00",
    ...                                                      "2014-04-02 09:00"])}))
    >>> clock = ((pd.Timestamp("2014-03-01"), 0), (pd.Timestamp("2014-03-30 02:00"), 60))
    >>> t.select(w=wall_clock(t.t, clock)).execute().w.dt.hour.tolist()
    [9, 10]
    """
    if not clock:
        return time
    ahead = ibis.cases(*[(time >= ibis.literal(pd.Timestamp(start)), minutes_)
                         for start, minutes_ in reversed(clock[1:])], else_=clock[0][1])
    return time + ahead.as_interval("m")


def wall_clock_values(times: pd.Series, clock: Sequence[tuple[Any, int]]) -> pd.Series:
    """:func:`wall_clock` for a pandas Series of times (bins, arrivals) already computed.

    Examples
    --------
    >>> clock = ((pd.Timestamp("2014-03-01"), 0), (pd.Timestamp("2014-03-30 02:00"), 60))
    >>> wall_clock_values(pd.Series(pd.to_datetime(["2014-04-02 09:00"])), clock).dt.hour.tolist()
    [10]
    """
    if not clock:
        return times
    starts = pd.DatetimeIndex([pd.Timestamp(start) for start, _ in clock])
    ahead = np.array([minutes_ for _, minutes_ in clock])
    where = np.clip(starts.searchsorted(pd.DatetimeIndex(times), side="right") - 1, 0, None)
    return times + pd.to_timedelta(ahead[where], unit="m")


def sequenced(t: ir.Table, *, has_start: bool) -> ir.Table:
    """Each event with its neighbours in the visit and its times.

    Adds ``prev_activity``, ``next_activity`` (missing for the visit's last touchpoint),
    ``position`` (1 for the visit's first touchpoint, counting only the events in ``t``),
    ``occurrence`` (1 for the first time the visit passes this touchpoint, 2 for the first
    repeat, ...), ``service`` (end − start), ``gap`` (start − previous end with start times;
    end − previous end, a flow time, without) and ``wait`` (the gap, missing when negative:
    the touchpoint started before the previous one ended, an overlap). Columns that a query
    does not use are not computed (drop ``occurrence`` before caching when it is not needed).

    Examples
    --------
    >>> import pandas as pd, journey
    >>> log = journey.read_log(pd.DataFrame({"case_id": ["a", "a"],
    ...     "activity": ["Registration", "Triage"],
    ...     "start": ["2025-01-06 08:00", "2025-01-06 08:20"],
    ...     "end": ["2025-01-06 08:05", "2025-01-06 08:30"]}))
    >>> events = sequenced(log.table, has_start=True).order_by("_seq").execute()
    >>> events[["activity", "service", "wait"]]
           activity  service  wait
    0  Registration      5.0   NaN
    1        Triage     10.0  15.0
    """
    w = ibis.window(group_by="case_id", order_by="_seq")
    if set(NEIGHBOURS) <= set(t.columns):  # stored at loading, valid while visits are whole
        t = t.mutate(prev_activity=t._prev_activity, prev_end=t._prev_end,
                     next_activity=t._next_activity, position=t._seq)
    else:
        t = t.mutate(prev_activity=t.activity.lag().over(w), prev_end=t.end.lag().over(w),
                     next_activity=t.activity.lead().over(w),
                     position=ibis.row_number().over(w) + 1)
    t = t.mutate(
        occurrence=ibis.row_number().over(
            ibis.window(group_by=["case_id", "activity"], order_by="_seq")) + 1,
    )
    gap = minutes(t.prev_end, t.start if has_start else t.end)
    t = t.mutate(service=minutes(t.start, t.end), gap=gap)
    return t.mutate(wait=ibis.ifelse(t.gap >= 0, t.gap, ibis.null("float64")))


def case_paths(t: ir.Table) -> ir.Table:
    """One row per visit: ``case_id``, ``path`` (activities joined by " → "), ``length``,
    ``first`` (first start or end), ``last`` (last end) and ``throughput`` (minutes).

    Examples
    --------
    >>> import pandas as pd, journey
    >>> log = journey.read_log(pd.DataFrame({"case_id": ["a", "a"], "activity": ["X", "Y"],
    ...     "end": ["2025-01-06 08:00", "2025-01-06 09:00"]}))
    >>> case_paths(log.table).execute()[["case_id", "path", "throughput"]]
      case_id   path  throughput
    0       a  X → Y        60.0
    """
    paths = t.group_by("case_id").aggregate(
        path=t.activity.group_concat(sep=PATH_SEPARATOR, order_by=t._seq),
        length=t.count(),
        first=ibis.coalesce(t.start, t.end).min(),
        last=t.end.max(),
    )
    return paths.mutate(throughput=minutes(paths.first, paths.last))
