"""Events and visits of a log as engine tables, shared by the time analyses.

:mod:`journey.waits` and :mod:`journey.queues` take the sequenced events (with the
time a patient joined each queue, and opening hours applied), the visits, the event sweep
that counts the patients present, and the notes on logs without start times from here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import ibis
import ibis.expr.types as ir
import pandas as pd

from journey._labels import DAY_NAMES
from journey.engine import minutes, sequenced, wall_clock
from journey.errors import JourneyError
from journey.log import EventLog

__all__ = [
    "_events",
    "_label_days",
    "_need_events",
    "_sweep",
    "_time_note",
    "_visits",
]

_DAY_KEYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
             "saturday": 5, "sunday": 6}


def _calendar_frame(calendar: Mapping[str, str | None], lo: pd.Timestamp,
                    hi: pd.Timestamp) -> pd.DataFrame:
    """Opening intervals (``open``, ``close``) for every date from ``lo`` to ``hi``."""
    hours: dict[int, str | None] = {}
    for key, value in calendar.items():
        name = str(key).lower()
        days = range(5) if name == "weekdays" else range(7) if name == "daily" else (
            [_DAY_KEYS[name]] if name in _DAY_KEYS else None)
        if days is None:
            raise JourneyError(f"calendar key {key!r} is not a day: use 'weekdays', 'daily' or "
                               f"a day name ({', '.join(_DAY_KEYS)}).")
        for d in days:
            if name in _DAY_KEYS or d not in hours:
                hours[d] = value
    rows = []
    for date in pd.date_range(lo.normalize(), hi.normalize(), freq="D"):
        spec = hours.get(date.day_of_week)
        if not spec:
            continue
        try:
            a, b = (pd.Timedelta(f"{part.strip()}:00") for part in spec.split("-"))
        except ValueError as exc:
            raise JourneyError(f"calendar hours {spec!r} are not 'HH:MM-HH:MM'.") from exc
        rows.append((date + a, date + b))
    return pd.DataFrame(rows, columns=["open", "close"]).astype("datetime64[us]")


def _open_minutes(t: ir.Table, a: str, b: str, calendar: Mapping[str, str | None],
                  period: tuple[pd.Timestamp, pd.Timestamp]) -> ir.Table:
    """``t`` with ``{b}_open``: the opening minutes between columns ``a`` and ``b``."""
    cal = ibis.memtable(_calendar_frame(calendar, *period))
    spans = t.filter(t[a].notnull() & t[b].notnull()).select("case_id", "_seq", _a=t[a], _b=t[b])
    j = spans.join(cal, [spans._b > cal.open, spans._a < cal.close])
    overlap = minutes(ibis.greatest(j._a, j.open), ibis.least(j._b, j.close))
    got = j.group_by(["case_id", "_seq"]).aggregate(_open=overlap.sum())
    t = t.left_join(got, ["case_id", "_seq"]).drop("case_id_right", "_seq_right")
    return t.mutate(**{f"{b}_open": ibis.ifelse(t[a].notnull() & t[b].notnull(),
                                                 t._open.fill_null(0.0), ibis.null("float64"))}
                    ).drop("_open")


def _events(log: EventLog, calendar: Mapping[str, str | None] | None = None) -> ir.Table:
    """Sequenced events with ``arrival`` (joined the queue), ``time``, ``hour``, ``weekday``,
    ``date``; with a calendar, ``wait`` counts opening minutes only."""
    ev = sequenced(log.table, has_start=log.has_start)
    time = ibis.coalesce(ev.start, ev.end) if log.has_start else ev.end
    ev = ev.mutate(arrival=ev.prev_end, time=time)
    if calendar:
        ev = ev.mutate(_b=ev.start if log.has_start else ev.end)
        ev = _open_minutes(ev, "prev_end", "_b", calendar, log.period)
        ev = ev.mutate(wait=ibis.ifelse(ev.wait.notnull(), ev._b_open, ibis.null("float64"))
                       ).drop("_b", "_b_open")
    wall = wall_clock(ev.time, log.clock)  # hours and days as the hospital's clock showed
    return ev.mutate(hour=wall.hour(), weekday=wall.day_of_week.index(), date=wall.date())


def _visits(log: EventLog, calendar: Mapping[str, str | None] | None = None) -> ir.Table:
    """One row per visit: ``arrival`` (first time), ``departure`` (last end), ``los``, total
    ``wait`` and ``service``, ``department`` of its last event, attributes, ``hour``,
    ``weekday``, ``date`` of arrival."""
    ev = _events(log, calendar)
    extra = {c: ev[c].argmax(ev._seq) for c in ("department", *log.attributes)
             if c in ev.columns}
    if "patient_id" in ev.columns:
        extra["patient_id"] = ev.patient_id.max()
    v = ev.group_by("case_id").aggregate(
        arrival=ibis.coalesce(ev.start, ev.end).min(), departure=ev.end.max(),
        wait=ev.wait.sum(), service=ev.service.sum(), touchpoints=ev.count(), **extra)
    wall = wall_clock(v.arrival, log.clock)
    return v.mutate(los=minutes(v.arrival, v.departure), hour=wall.hour(),
                    weekday=wall.day_of_week.index(), date=wall.date())


def _sweep(points: ir.Table, keys: Sequence[str]) -> ir.Table:
    """Event sweep: ``points`` has ``keys``, ``time`` and ``delta`` (+1 in, −1 out, 0 marks);
    adds ``level`` (count after the point) and ``next``.

    Tie rule: at equal times arrivals (+1) come before departures (−1), then marks; among
    equal deltas, by ``case_id`` and ``_seq``. So a patient who leaves at the very instant
    another arrives is still counted as present by the arrival, and ``level`` is never
    negative. Time-weighted areas do not depend on the rule (ties span no time).
    """
    order = ["time", ibis.desc("delta"),
             *[c for c in ("case_id", "_seq") if c in points.columns]]
    w = ibis.window(group_by=list(keys), order_by=order, rows=(None, 0))
    points = points.mutate(level=points.delta.sum().over(w))
    nxt = ibis.window(group_by=list(keys), order_by=order)
    return points.mutate(next=points.time.lead().over(nxt))


def _label_days(frame: pd.DataFrame) -> pd.DataFrame:
    if "weekday" in frame.columns:
        frame["weekday"] = pd.Categorical.from_codes(frame["weekday"].astype(int),
                                                     categories=list(DAY_NAMES), ordered=True)
    return frame


def _need_events(log: EventLog) -> None:
    """A :class:`JourneyError` for a log without events (an empty file or selection)."""
    if not log.n_events:
        raise JourneyError("the log has no events: check the filters (log.filters: "
                           f"{list(log.filters) or 'none'}).", source=log.source)


def _time_note(log: EventLog) -> list[str]:
    if log.has_start:
        return []
    return ["The log has no start times: the times between touchpoints are flow times "
            "(completion to completion, including the service), not waits."]
