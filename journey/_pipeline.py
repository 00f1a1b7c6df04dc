"""The rules of reading, written once as Ibis expressions that DuckDB and Spark both run.

Each engine reads its source and parses the times into a table of rows (``case_id``,
``activity``, ``start``, ``end``, ``_row``; ``_file`` for the parts of a folder, ``_lifecycle``
for a log of lifecycle events, ``_start_shift``/``_end_shift`` when the recorded clock moves,
then the other fields and attributes). From there :func:`clock` and :func:`events` apply the
same rules on either engine: rows that cannot be used are excluded and counted, never dropped
silently; lifecycle events are paired into activity instances; instances that end before
they start are refused or excluded; duplicates are dropped when asked; and the events are
ordered within each visit.

Where an intermediate table is stored is the engine's business: each reader passes a
``keep(expression, name)`` that materialises an expression (a DuckDB table, a persisted Spark
DataFrame) and returns it as an Ibis table.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ibis
import ibis.expr.types as ir

from journey._reading import (
    _COMPLETE_WORDS,
    _START_WORDS,
    _duplicate_key,
    _ends_before_start,
    _nothing_left,
    clock_from_days,
)
from journey.engine import FIRST_PASS, VISIT_KEY

__all__ = ["Keep", "clock", "events", "moments"]

#: Materialises a table expression under a name and returns it as an Ibis table.
Keep = Callable[[ir.Table, str], ir.Table]

#: The number (0 to 63) of each activity, for the first-pass flags (see :func:`events`).
Code = Callable[[ir.StringValue], ir.IntegerValue]

_SHIFTS = ("_start_shift", "_end_shift")


def _examples(t: ir.Table, condition: ir.BooleanValue,
              value: Callable[[ir.Table], ir.Value] | None = None,
              ) -> tuple[int, list[int], list[Any]]:
    """How many rows of ``t`` meet ``condition``, with the first five rows (and ``value``)."""
    hits = t.filter(condition)
    n = int(hits.count().execute())
    if not n:
        return 0, [], []
    first = hits.order_by("_row").limit(5)
    shown = first.select("_row", _value=value(first) if value else ibis.literal(1)).execute()
    return n, [int(r) for r in shown["_row"]], list(shown["_value"]) if value else []


def _count(t: ir.Table, conditions: Mapping[str, ir.BooleanValue]) -> dict[str, int]:
    """How many rows of ``t`` meet each condition, in one pass."""
    row = t.aggregate(**{k: c.ifelse(1, 0).sum() for k, c in conditions.items()}).execute()
    return {k: int(row[k].iloc[0]) if row[k].notna().iloc[0] else 0 for k in conditions}


def _excluded(exclusions: list[dict], reason: str, found: tuple[int, list[int], list[Any]],
              ) -> None:
    n, rows, values = found
    if n:
        exclusions.append(dict(reason=reason, rows=n, example_rows=rows, example_values=values))


def moments(t: ir.Table) -> tuple[ir.Table, list[dict]]:
    """``t`` with each row that has a start and no end (a discharge in a transfers table) made
    a moment at its start, and the exclusions table begun with their count."""
    exclusions: list[dict] = []
    _excluded(exclusions, "missing end time (kept as a moment at its start)",
              _examples(t, t.end.isnull() & t.start.notnull()))
    if exclusions:
        shift = ({"_end_shift": t._end_shift.fill_null(t._start_shift)}
                 if set(_SHIFTS) <= set(t.columns) else {})
        t = t.mutate(end=t.end.fill_null(t.start), **shift)
    return t, exclusions


def clock(t: ir.Table, label: str) -> tuple:
    """Where the recorded wall clock moves, from the ``_<field>_shift`` columns of ``t`` (see
    :func:`journey._reading.clock_from_days`); empty when ``t`` has none."""
    fields = [f for f in ("start", "end") if f"_{f}_shift" in t.columns]
    if not fields:
        return ()
    points = ibis.union(*[t.filter(t[f].notnull()).select(t=t[f], s=t[f"_{f}_shift"])
                          for f in fields])
    days = points.group_by(d=points.t.truncate("D"), s=points.s).aggregate(
        lo=points.t.min(), hi=points.t.max()).execute()
    return clock_from_days([(r.lo, r.hi, int(r.s)) for r in days.itertuples()], label)


def _pair_lifecycle(t: ir.Table, exclusions: list[dict], order: list[str]) -> ir.Table:
    """One row per activity instance from one row per lifecycle event.

    A lifecycle value containing a start word is a start, else one containing a complete word
    is a complete (so is a missing value), anything else is ignored. The k-th start of an
    activity in a visit pairs with its k-th complete, each taken in order of time, then row.
    The instance keeps the complete's attributes and the smaller row number. Ignored events,
    starts without a complete (excluded) and completes without a start (kept with an unknown
    start; counted only when the log has starts) go into ``exclusions``.
    """
    word = t._lifecycle.fill_null("complete").lower()
    kind = ibis.cases(
        (functools.reduce(operator.or_, [word.contains(w) for w in _START_WORDS]), "start"),
        (functools.reduce(operator.or_, [word.contains(w) for w in _COMPLETE_WORDS]),
         "complete"), else_="other")
    life = t.mutate(_kind=kind)
    counts = _count(life, {"other": life._kind == "other", "starts": life._kind == "start"})
    if counts["other"]:
        _excluded(exclusions, "lifecycle event other than start/complete (ignored)",
                  _examples(life, life._kind == "other", lambda x: x._lifecycle))
    life = life.filter(life._kind != "other")
    life = life.mutate(_k=ibis.row_number().over(
        group_by=[life.case_id, life.activity, life._kind], order_by=["end", *order]))
    key = ["case_id", "activity", "_k"]
    starts = life.filter(life._kind == "start")
    completes = life.filter(life._kind == "complete")
    begun = starts.select(*key, _begun=starts.end, _begun_row=starts._row)
    joined = completes.left_join(begun, key)
    keep = [c for c in t.columns if c not in ("start", "end", "_lifecycle", "_row")]
    paired = joined.select(*keep, start=joined._begun, end=joined.end,
                           _row=ibis.least(joined._row, joined._begun_row))
    if counts["starts"]:
        _excluded(exclusions, "start event without a matching complete (excluded)",
                  _examples(starts.anti_join(completes, key), ibis.literal(True)))
        _excluded(exclusions, "complete event without a matching start (kept with unknown "
                  "start)", _examples(paired, paired.start.isnull()))
    return paired


def _unusable(t: ir.Table, exclusions: list[dict], check_order: bool,
              ) -> tuple[ir.Table, int]:
    """The rows with a case id, an activity and a time, the others counted in ``exclusions``
    one reason after the other; and how many of them end before they start (when
    ``check_order``: not before lifecycle events are paired)."""
    checks = {"missing case id": t.case_id.isnull(), "missing activity": t.activity.isnull(),
              "missing time": t.end.isnull()}
    tally, usable = {}, ibis.literal(True)
    for reason, condition in checks.items():
        tally[reason] = usable & condition
        usable = usable & ~condition
    if check_order:
        tally["backwards"] = usable & (t.end < t.start)
    counts = _count(t, tally)
    for reason in checks:
        if counts[reason]:
            _excluded(exclusions, f"{reason} (excluded)", _examples(t, tally[reason]))
    return t.filter(usable), counts.get("backwards", -1)


def _ends_first(t: ir.Table, n: int, invalid: str, mapping: Mapping[str, str], label: str,
                exclusions: list[dict]) -> ir.Table:
    """``t`` without the ``n`` instances that end before they start, counted in
    ``exclusions`` (``invalid="exclude"``); with ``invalid="raise"`` they are an error."""
    backwards = t.end < t.start
    if n < 0:
        n = _count(t, {"n": backwards})["n"]
    if not n:
        return t
    _, rows, values = _examples(t, backwards, lambda x: x.start.cast("string") + " > "
                                + x.end.cast("string"))
    if invalid == "raise":
        raise _ends_before_start(n, values, rows, mapping, label)
    exclusions.append(dict(reason="end before start (excluded)", rows=n,
                           example_rows=rows, example_values=values))
    return t.filter(~backwards.fill_null(False))


def _drop_duplicates(t: ir.Table, duplicates: str | Sequence[str], mapping: Mapping[str, str],
                     exclusions: list[dict], order: list[str]) -> ir.Table:
    """Keep the first (in file order) of each set of rows equal in every column
    (``"drop"``) or in the given columns; count the rest."""
    columns = [c for c in t.columns if c not in ("_row", "_file")]
    key, what = _duplicate_key(duplicates, mapping, columns)
    ranked = t.mutate(_dup=ibis.row_number().over(group_by=[t[c] for c in key],
                                                  order_by=order))
    _excluded(exclusions, what, _examples(ranked, ranked._dup > 0))
    return ranked.filter(ranked._dup == 0).drop("_dup")


def _sequence(t: ir.Table, order: list[str], code: Code | None = None) -> ir.Table:
    """The rows of ``t`` with their place (``_seq``, from 1) and neighbours in the visit, and
    (from one file or frame, where row numbers are unique) the visit's integer key
    (:data:`journey.engine.VISIT_KEY`: the row of its first event), found in the same pass.
    With ``code`` (the activity's number, below 64), the first pass of each touchpoint in its
    visit is flagged too (:data:`journey.engine.FIRST_PASS`): a bit per touchpoint, set by a
    running bitwise or over the visit's earlier events, in the same sort.

    Within a visit, events are ordered by start (the end when there is no start), then end,
    then ``order`` (their place in the file); see :func:`journey.engine.sequenced`.
    """
    keys = dict(group_by=t.case_id,
                order_by=[ibis.coalesce(t.start, t.end), t.end, *[t[c] for c in order]])
    visit = ibis.window(**keys)
    extra = {} if "_file" in t.columns else {VISIT_KEY: t._row.first().over(visit)}
    if code is not None:
        bit = code(t.activity).cast("uint64")
        seen = (ibis.literal(1, "uint64") << bit).bit_or().over(ibis.window(**keys,
                                                                            rows=(None, -1)))
        extra[FIRST_PASS] = ((seen >> bit) & 1).fill_null(0) == 0
    return t.mutate(_seq=ibis.row_number().over(visit) + 1,
                    _prev_activity=t.activity.lag().over(visit),
                    _prev_end=t.end.lag().over(visit),
                    _next_activity=t.activity.lead().over(visit), **extra)


def events(t: ir.Table, keep: Keep, *, mapping: Mapping[str, str], label: str, invalid: str,
           duplicates: str | Sequence[str], exclusions: list[dict],
           stage: Callable[[str], None] = lambda _: None, code: Code | None = None,
           ) -> tuple[ir.Table, int, bool]:
    """The events of the parsed rows ``t``, kept as ``"events"``, how many there are, and
    whether any has a start (from a start column or a paired lifecycle start event).

    Unusable rows, unpaired lifecycle events, instances that end before they start
    (``invalid="exclude"``) and ``duplicates`` are counted in ``exclusions``. ``code`` gives
    each activity a distinct number from 0 to 63 (when the engine has one): the events then
    carry :data:`journey.engine.FIRST_PASS`.
    """
    t = t.drop(*[c for c in _SHIFTS if c in t.columns])
    order = [c for c in ("_file", "_row") if c in t.columns]  # place in the file(s)
    if "_lifecycle" in t.columns or duplicates != "keep":
        return _events_in_steps(t, keep, order, mapping=mapping, label=label, invalid=invalid,
                                duplicates=duplicates, exclusions=exclusions, stage=stage,
                                code=code)
    # every usable row that does not end before it starts is an event: order them first, and
    # count the rows left out by reason only when some were (most logs have none)
    stage("ordering events")
    usable = t.case_id.notnull() & t.activity.notnull() & t.end.notnull()
    events = keep(_sequence(t.filter(usable & ~(t.end < t.start).fill_null(False)), order,
                            code), "events")
    n, has_start = _facts(events)
    if n < int(t.count().execute()):
        t, n_backwards = _unusable(t, exclusions, check_order=True)
        _ends_first(t, n_backwards, invalid, mapping, label, exclusions)
    if n == 0:
        raise _nothing_left(exclusions, mapping, label)
    return events, n, has_start


def _events_in_steps(t: ir.Table, keep: Keep, order: list[str], *, mapping: Mapping[str, str],
                     label: str, invalid: str, duplicates: str | Sequence[str],
                     exclusions: list[dict], stage: Callable[[str], None],
                     code: Code | None) -> tuple[ir.Table, int, bool]:
    """:func:`events` of lifecycle rows (paired first) or with ``duplicates`` dropped: each
    step counts what it leaves out before the next one runs."""
    lifecycle = "_lifecycle" in t.columns
    t, n_backwards = _unusable(t, exclusions, check_order=not lifecycle)
    if lifecycle:
        t = keep(_pair_lifecycle(t, exclusions, order), "paired")
    stage("ordering events")
    t = _ends_first(t, n_backwards, invalid, mapping, label, exclusions)
    if duplicates != "keep":
        stage("dropping duplicates")
        t = _drop_duplicates(t, duplicates, mapping, exclusions, order)
    t = keep(_sequence(t, order, code), "events")
    n, has_start = _facts(t)
    if n == 0:
        raise _nothing_left(exclusions, mapping, label)
    return t, n, has_start


def _facts(events: ir.Table) -> tuple[int, bool]:
    """How many events there are, and whether any has a start."""
    facts = events.aggregate(n=events.count(), starts=events.start.count()).execute()
    return int(facts.n.iloc[0]), int(facts.starts.iloc[0]) > 0
