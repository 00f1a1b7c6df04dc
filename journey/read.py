"""Read anonymised visit logs from files or data frames into an :class:`~journey.log.EventLog`.

The raw rows go into an embedded DuckDB database; column mapping, timestamp parsing,
lifecycle pairing, validation and de-duplication all run there as SQL, so a log larger
than memory never passes through pandas.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import pandas as pd

from journey._timeformat import check_time_format
from journey.engine import NEIGHBOURS
from journey.errors import JourneyError
from journey.formats import register_source
from journey.log import EventLog, connect, engine_progress, memory_limit_for
from journey.privacy import refuse_identifiers

__all__ = ["COLUMN_PRESETS", "TIME_FORMATS", "read_log"]

#: Column names recognised for each field, compared case-insensitively, ignoring spaces,
#: underscores and hyphens. Exact names are tried first, then the keywords in ``_KEYWORDS``.
COLUMN_PRESETS: dict[str, tuple[str, ...]] = {
    "case": ("case_id", "case", "caseid", "case:concept:name", "case id", "visit_id",
             "visit", "encounter_id", "episode_id", "就诊号", "就诊id", "就诊编号", "门诊号",
             "流水号", "就诊流水号"),
    "activity": ("activity", "concept:name", "activity name", "touchpoint", "event",
                 "task", "step", "环节", "活动", "环节名称", "活动名称", "节点", "事件"),
    "start": ("start", "start_time", "start timestamp", "start_timestamp", "starttime",
              "start_ts", "开始时间", "开始"),
    "end": ("end", "end_time", "complete", "complete timestamp", "complete_timestamp",
            "completetime", "complete_ts", "end timestamp", "end_timestamp", "结束时间",
            "完成时间", "结束"),
    "timestamp": ("timestamp", "time:timestamp", "time", "datetime", "event_time", "时间",
                  "时间戳", "发生时间"),
    "lifecycle": ("lifecycle", "lifecycle:transition", "transition", "event_type",
                  "生命周期", "状态"),
    "resource": ("resource", "org:resource", "staff", "人员", "操作员", "执行人", "资源"),
    "department": ("department", "dept", "case:department", "org:group", "科室", "部门"),
    "patient": ("patient_id", "patient", "patientid", "case:patient", "患者id", "患者编号",
                "病人id", "患者号", "病历号"),
}

_KEYWORDS: dict[str, tuple[str, ...]] = {
    "case": ("caseid", "visitid", "encounter", "就诊"),
    "activity": ("activity", "touchpoint", "环节", "活动"),
    "start": ("start", "开始"),
    "end": ("complete", "endtime", "结束", "完成"),
    "timestamp": ("timestamp", "时间"),
    "resource": ("resource", "staff", "人员"),
    "department": ("department", "科室"),
    "patient": ("patient", "患者", "病人"),
}

#: Timestamp layouts tried after ISO 8601 (which DuckDB parses natively). Day-first and
#: month-first layouts are ambiguous and never guessed: pass ``time_format`` for those.
TIME_FORMATS: tuple[str, ...] = (
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M:%S.%f", "%Y/%m/%d %H:%M", "%Y/%m/%d",
    "%Y-%m-%d %H:%M", "%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M", "%Y.%m.%d",
    "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日 %H时%M分", "%Y年%m月%d日",
    "%Y%m%d%H%M%S", "%Y%m%d %H:%M:%S", "%Y%m%d %H:%M",
)

#: Logs with fewer events run single-threaded in DuckDB: parallel sums of durations add in
#: varying order, so their last binary digit (and a rounded figure on a .x5 boundary) could
#: change between runs. Larger logs use every core.
SINGLE_THREAD_BELOW = 2_000_000

#: A UTC offset after a time of day (a plain date such as 2025-01-06 has none).
_OFFSET = r"\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)$"
_START_WORDS = ("start", "begin", "开始")
_COMPLETE_WORDS = ("complete", "end", "finish", "结束", "完成")
#: Values of a lifecycle column (the XES lifecycle model and common spellings). A column is
#: taken as the lifecycle column only when every value is one of them.
LIFECYCLE_WORDS = frozenset((
    "schedule", "assign", "reassign", "start", "started", "begin", "suspend", "resume",
    "complete", "completed", "end", "finish", "finished", "autoskip", "manualskip", "withdraw",
    "ate_abort", "pi_abort", "unknown", "开始", "结束", "完成"))


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(name)).casefold()


def _q(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _map_columns(columns: list[str], given: Mapping[str, str | None], label: str,
                 skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Map each field to a source column: user's choice, then presets, then keywords
    (except for the fields in ``skip``)."""
    available = [c for c in columns if not c.startswith("_")]
    normed = {_norm(c): c for c in available}
    mapping: dict[str, str] = {}
    for field, choice in given.items():
        if choice is None:
            continue
        if choice not in available:
            close = difflib.get_close_matches(str(choice), available, n=3, cutoff=0.4)
            raise JourneyError(
                f"the column {choice!r} given as {field}= is not in the file. "
                f"Closest names: {close or available[:8]}.", source=label, column=str(choice))
        mapping[field] = choice
    used = set(mapping.values())
    for field, names in COLUMN_PRESETS.items():
        if field in mapping or field in skip or field in given and given[field] is not None:
            continue
        hit = next((normed[_norm(n)] for n in names
                    if _norm(n) in normed and normed[_norm(n)] not in used), None)
        if hit is None:
            hit = next((c for c in available if c not in used
                        and any(k in _norm(c) for k in _KEYWORDS.get(field, ()))), None)
        if hit is not None:
            mapping[field] = hit
            used.add(hit)
    missing = [f for f in ("case", "activity") if f not in mapping]
    if not any(f in mapping for f in ("end", "timestamp", "start")):
        missing.append("end")
    if missing:
        hints = []
        for field in missing:
            close = difflib.get_close_matches(field, available, n=3, cutoff=0.3)
            hints.append(f"{field} (closest names found: {close or 'none'})")
        raise JourneyError(
            "required column(s) not found: " + "; ".join(hints) + f". Columns in the file: "
            f"{available[:15]}. Name them explicitly, e.g. read_log(path, case='VisitNo', "
            "activity='Step', end='EndTime').", source=label)
    return mapping


def _examples(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[int, list[int], list[Any]]:
    """Count of rows matched by ``sql`` (selecting _row, value) with up to five examples."""
    n = con.execute(f"SELECT count(*) FROM ({sql})").fetchall()[0][0]
    rows = con.sql(f"SELECT * FROM ({sql}) ORDER BY 1 LIMIT 5").fetchall() if n else []
    return n, [r[0] for r in rows], [r[1] for r in rows]


def _check_zone(tz: str | None, label: str) -> None:
    """Refuse a time-zone name that is not an IANA zone."""
    if tz is None:
        return
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise JourneyError(
            f"tz={tz!r} is not a time-zone name. Pass an IANA name such as 'Europe/Amsterdam' "
            "or 'America/New_York' (the zone the hospital's clock follows), or leave tz out to "
            "keep the times as recorded.", source=label) from exc


def _offset_minutes(text: str) -> str:
    """SQL: the UTC offset written at the end of ``text`` (``Z``, ``+02``, ``+0200``, ``+02:00``)
    in minutes."""
    off = f"regexp_extract({text}, {_lit(_OFFSET)}, 1)"
    digits = f"replace({off}, ':', '')"
    return (f"CASE WHEN {off} = 'Z' THEN 0 ELSE (CASE WHEN starts_with({off}, '-') THEN -1 "
            f"ELSE 1 END) * (CAST(substr({digits}, 2, 2) AS INTEGER) * 60 "
            f"+ coalesce(TRY_CAST(nullif(substr({digits}, 4, 2), '') AS INTEGER), 0)) END")


def _zone_offset(wall: str, zone: str) -> str:
    """SQL: minutes by which the wall clock of ``zone`` is ahead of UTC at ``wall`` (a naive
    time in that zone)."""
    return f"datediff('minute', timezone('UTC', timezone({_lit(zone)}, {wall})), {wall})"


def _timestamp_sql(con: duckdb.DuckDBPyConnection, raw: str, column: str, label: str,
                   tz: str | None, time_format: str | None) -> tuple[str, str | None]:
    """SQL turning ``column`` of ``raw`` into its wall-clock time and UTC offset.

    Returns ``(wall, offset)``: ``wall`` a naive TIMESTAMP on the clock the hospital recorded
    (converted to ``tz`` when given), ``offset`` the minutes by which that clock is ahead of
    UTC at each value, or None when the values carry no offset and no ``tz`` is given.
    """
    col = _q(column)
    dtype = {r[0]: r[1] for r in con.sql(f"DESCRIBE {raw}").fetchall()}[column]
    if dtype.startswith("TIMESTAMP WITH TIME ZONE"):
        if tz is None or tz == "UTC":
            return f"timezone('UTC', {col})", None
        wall = f"timezone({_lit(tz)}, {col})"
        return wall, f"datediff('minute', timezone('UTC', {col}), {wall})"
    if dtype.startswith("TIMESTAMP") or dtype == "DATE":
        wall = f"CAST({col} AS TIMESTAMP)"
        return wall, None if tz is None else _zone_offset(wall, tz)
    if dtype == '"NULL"':
        raise JourneyError(
            "column is empty: no row has a time in it. Map the column that holds the times "
            "(e.g. end='...'), or fill it in the export.", source=label, column=column)
    if dtype != "VARCHAR":
        raise JourneyError(
            f"column holds {dtype} values, not timestamps. Export the times as text such as "
            "'2025-01-06 08:30:00' or as real date-time cells.", source=label, column=column)
    text = f"nullif(trim({col}), '')"
    formats = [time_format] if time_format else list(TIME_FORMATS)
    fmt_list = "[" + ", ".join(_lit(f) for f in formats) + "]"
    native = "" if time_format else f"try_cast({text} AS TIMESTAMP), "
    wall = f"coalesce({native}try_strptime({text}, {fmt_list}))"
    # unparseable values
    n, rows, values = _examples(
        con, f"SELECT _row, {col} FROM {raw} WHERE {text} IS NOT NULL AND {wall} IS NULL")
    if n:
        shown = ", ".join(repr(v) for v in values)
        raise JourneyError(
            f"{n} value(s) are not readable timestamps, e.g. {shown}. Use a layout such as "
            "'2025-01-06 08:30:00', or pass time_format='%d/%m/%Y %H:%M' (strftime codes) "
            "that matches the file.", source=label, column=column, rows=rows)
    # UTC offsets written into the values (after a time of day: '2025-01-06' has none)
    with_offset = f"regexp_matches({text}, {_lit(_OFFSET)})"
    n_off, n_plain = con.execute(
        f"SELECT count(*) FILTER ({with_offset}), "
        f"count(*) FILTER (NOT {with_offset}) FROM {raw} WHERE {text} IS NOT NULL").fetchall()[0]
    if n_off == 0:
        return wall, None if tz is None else _zone_offset(wall, tz)
    if n_plain:
        _, rows, values = _examples(
            con, f"SELECT _row, {col} FROM {raw} WHERE {text} IS NOT NULL AND NOT {with_offset}")
        raise JourneyError(
            f"{n_off} value(s) carry a UTC offset and {n_plain} do not, e.g. {values[:3]}: the "
            "times without one cannot be placed on the same clock. Export all times with an "
            "offset, or all without.", source=label, column=column, rows=rows)
    if tz is None:
        return wall, _offset_minutes(text)
    instant = f"(CAST({text} AS TIMESTAMPTZ))"
    converted = f"timezone({_lit(tz)}, {instant})"
    return converted, f"datediff('minute', timezone('UTC', {instant}), {converted})"


def _times(con: duckdb.DuckDBPyConnection, mapping: Mapping[str, str], label: str,
           tz: str | None, recorded_zone: str | None, time_format: str | None,
           ) -> tuple[dict[str, str], dict[str, str], tuple, int | None, bool]:
    """SQL for the start and end times, and what the log's clock is.

    Returns ``(times, shift, clock, utc_offset, day)``: ``times`` the SQL of each time on one
    clock (the log's smallest UTC offset ``utc_offset`` when the values carry offsets, so that
    durations are exact across daylight-saving changes); ``shift`` the SQL of the minutes by
    which the recorded wall clock was ahead of that clock, for each time (empty when it never
    is); ``clock`` empty (filled from ``shift`` by :func:`_clock`); ``day`` True when every
    time is a date, which is then kept as recorded whatever the offsets or ``tz``.
    ``recorded_zone`` is the zone of time-zone-aware columns of a data frame.
    """
    fields = [f for f in ("start", "end") if f in mapping]
    recorded = {f: _timestamp_sql(con, "raw", mapping[f], label, recorded_zone, time_format)
                for f in fields}
    midnight = " AND ".join(f"coalesce({w} = date_trunc('day', {w}), TRUE)"
                            for w, _ in recorded.values())
    dated = " OR ".join(f"{w} IS NOT NULL" for w, _ in recorded.values())
    day = con.execute(f"SELECT coalesce(bool_and({midnight}) FILTER ({dated}), FALSE) "
                      "FROM raw").fetchall()[0][0]
    parts = recorded if day or tz is None else {
        f: _timestamp_sql(con, "raw", mapping[f], label, tz, time_format) for f in fields}
    offsets = {f: off for f, (_, off) in parts.items() if off is not None}
    if day or not offsets:
        return {f: wall for f, (wall, _) in parts.items()}, {}, (), None, bool(day)
    if len(offsets) < len(parts):
        naive = [mapping[f] for f in parts if f not in offsets]
        raise JourneyError(
            f"the times in {naive[0]!r} carry no UTC offset while those in "
            f"{mapping[next(iter(offsets))]!r} do, so they cannot be placed on one clock. "
            "Export both with offsets or both without.", source=label, column=naive[0])
    ref = con.execute("SELECT least(" + ", ".join(f"min({o})" for o in offsets.values())
                      + ") FROM raw").fetchall()[0][0]
    shift = {f: f"({o} - {int(ref)})" for f, o in offsets.items()}
    times = {f: f"({wall} - to_minutes(CAST({shift[f]} AS BIGINT)))"
             for f, (wall, _) in parts.items()}
    return times, shift, (), int(ref), False


def _clock(con: duckdb.DuckDBPyConnection, table: str, fields: list[str], label: str,
           ) -> tuple[tuple[pd.Timestamp, int], ...]:
    """Where the recorded wall clock moves, from the ``_<field>_shift`` columns of ``table``
    (see :func:`clock_from_days`)."""
    points = " UNION ALL ".join(f"SELECT {_q(f)} AS t, _{f}_shift AS s FROM {table} "
                                f"WHERE {_q(f)} IS NOT NULL" for f in fields)
    days = con.execute(f"SELECT min(t), max(t), s FROM ({points}) "
                       "GROUP BY date_trunc('day', t), s").fetchall()
    return clock_from_days(days, label)


def clock_from_days(days: list[tuple[Any, Any, int]], label: str,
                    ) -> tuple[tuple[pd.Timestamp, int], ...]:
    """The log's clock from ``(first, last, minutes ahead)`` of each day and shift.

    Returns ``((from, minutes ahead), ...)`` in time order, empty when the clock never moves:
    a new entry starts at the first time recorded with another offset. A clock that moves
    more often than twice a year, or by more than an hour, is not one hospital's clock.
    """
    runs: list[tuple[Any, int]] = []
    for first, ahead in sorted((d[0], d[2]) for d in days):
        if not runs or runs[-1][1] != ahead:
            runs.append((first, ahead))
    if all(ahead == 0 for _, ahead in runs):
        return ()
    lo, hi = min(d[0] for d in days), max(d[1] for d in days)
    years = max((hi - lo).days / 365.25, 0)
    ahead = [s for _, s in runs]
    if len(runs) - 1 > 2 * (math.floor(years) + 1) or max(ahead) - min(ahead) > 60:
        shown = ", ".join(f"{t} ({s:+d} min)" for t, s in runs[:4])
        raise JourneyError(
            f"the UTC offsets in the times change {len(runs) - 1} times between {lo} and "
            f"{hi}, more often or further than a daylight-saving clock does (e.g. {shown}): "
            "the file mixes clocks. Pass tz= with the IANA name of the zone the hospital's "
            "clock follows to convert every time to it.", source=label)
    return tuple((pd.Timestamp(t), int(s)) for t, s in runs)


def _is_lifecycle(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    """Whether every value of ``column`` is a lifecycle word (:data:`LIFECYCLE_WORDS`)."""
    words = ", ".join(_lit(w) for w in sorted(LIFECYCLE_WORDS))
    value = f"lower(trim(CAST({_q(column)} AS VARCHAR)))"
    return con.execute(f"SELECT count(*) FROM {table} WHERE nullif({value}, '') IS NOT NULL "
                       f"AND {value} NOT IN ({words})").fetchall()[0][0] == 0


#: Events-table column of each field.
_FIELD_COLUMNS = {"case": "case_id", "activity": "activity", "start": "start", "end": "end",
                  "patient": "patient_id", "resource": "resource", "department": "department"}


def _drop_duplicates(con: duckdb.DuckDBPyConnection, duplicates: str | Sequence[str],
                     mapping: Mapping[str, str], exclusions: list[dict], order: str) -> None:
    """Keep the first (in file order) of each set of rows equal in every column
    (``"drop"``) or in the given columns, in table ``events``; count the rest."""
    columns = [c for c in con.sql("SELECT * FROM events LIMIT 0").columns
               if c not in ("_row", "_file", "_seq", *NEIGHBOURS)]
    if duplicates == "drop":
        key, what = columns, "exact duplicate (dropped: duplicates='drop')"
    else:
        field_of = {source: field for field, source in mapping.items()}
        key = [name if name in columns else _FIELD_COLUMNS.get(field_of.get(name, ""), "")
               for name in duplicates]
        unknown = [name for name, column in zip(duplicates, key, strict=True)
                   if column not in columns]
        if unknown:
            raise JourneyError(f"duplicates= names {unknown}, which are not columns of the "
                               f"log. Columns: {columns}.")
        what = f"row equal to an earlier one in {', '.join(key)} (dropped: duplicates=)"
    ranked = (f"SELECT * EXCLUDE (_seq, {', '.join(NEIGHBOURS)}), row_number() OVER "
              f"(PARTITION BY {', '.join(_q(c) for c in key)} ORDER BY {order}) AS _dup "
              "FROM events")
    n, rows, _ = _examples(con, f"SELECT _row, 1 FROM ({ranked}) WHERE _dup > 1")
    if n:
        exclusions.append(dict(reason=what, rows=n, example_rows=rows, example_values=[]))
        con.execute(f"CREATE OR REPLACE TEMP TABLE deduped AS "
                    f"SELECT * EXCLUDE (_dup) FROM ({ranked}) WHERE _dup = 1")
        _sequence(con, "deduped", order)


def _nothing_left(exclusions: list[dict], mapping: Mapping[str, str], label: str,
                  ) -> JourneyError:
    """The error when no usable row remains: what removed the rows, and what to check."""
    causes = "; ".join(f"{e['rows']:,} {e['reason']}" for e in exclusions) or \
        "the source has no rows"
    used = ", ".join(f"{field}={column!r}" for field, column in mapping.items())
    hint = (f" If {mapping['lifecycle']!r} is not a start/complete column, pass "
            "lifecycle=None." if "lifecycle" in mapping else "")
    return JourneyError(f"no usable rows remain: {causes}. Columns used: {used}.{hint} Name "
                        "the columns explicitly if one of them is wrong.", source=label)


def _count(con: duckdb.DuckDBPyConnection, table: str, conditions: Any) -> list[int]:
    """How many rows of ``table`` meet each condition, in one pass."""
    counts = ", ".join(f"count(*) FILTER ({c})" for c in conditions)
    return list(con.execute(f"SELECT {counts} FROM {table}").fetchall()[0])


def _sequence(con: duckdb.DuckDBPyConnection, source: str, order: str) -> None:
    """Table ``events``: the rows of ``source`` with their order and neighbours in the visit.

    Within a visit, events are ordered by start (the end when there is no start), then end,
    then ``order`` (their place in the file); see :func:`journey.engine.sequenced`.
    """
    internal = [c for c in con.sql(f"SELECT * FROM {source} LIMIT 0").columns
                if c in ("_lifecycle", "_start_shift", "_end_shift")]
    exclude = f"EXCLUDE ({', '.join(internal)})" if internal else ""
    con.execute(f"""
        CREATE OR REPLACE TABLE events AS
        SELECT * {exclude},
               row_number() OVER visit AS _seq,
               lag(activity) OVER visit AS _prev_activity,
               lag("end") OVER visit AS _prev_end,
               lead(activity) OVER visit AS _next_activity
        FROM {source}
        WINDOW visit AS (PARTITION BY case_id ORDER BY coalesce(start, "end"), "end", {order})""")


def _pair_lifecycle(con: duckdb.DuckDBPyConnection, exclusions: list[dict], source: str,
                    order: str) -> None:
    """Turn one row per lifecycle event (of ``source``) into one row per instance (``paired``)."""
    life = "lower(coalesce(_lifecycle, 'complete'))"
    is_start = " OR ".join(f"contains({life}, {_lit(w)})" for w in _START_WORDS)
    is_complete = " OR ".join(f"contains({life}, {_lit(w)})" for w in _COMPLETE_WORDS)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE life AS
        SELECT *, CASE WHEN {is_start} THEN 'start' WHEN {is_complete} THEN 'complete'
                       ELSE 'other' END AS _kind
        FROM {source}""")
    n, rows, values = _examples(con, "SELECT _row, _lifecycle FROM life WHERE _kind = 'other'")
    if n:
        exclusions.append(dict(reason="lifecycle event other than start/complete (ignored)",
                               rows=n, example_rows=rows, example_values=values))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE life AS
        SELECT *, row_number() OVER (PARTITION BY case_id, activity, _kind
                                     ORDER BY "end", {order}) AS _k
        FROM life WHERE _kind <> 'other'""")
    cols = [c for c in con.sql("SELECT * FROM life LIMIT 0").columns
            if c not in ("start", "end", "_kind", "_k", "_lifecycle", "_row")]
    keep = ", ".join(f"c.{_q(c)}" for c in cols)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE paired AS
        SELECT {keep}, s."end" AS start, c."end" AS "end", least(s._row, c._row) AS _row
        FROM life c LEFT JOIN life s
          ON s._kind = 'start' AND s.case_id = c.case_id AND s.activity = c.activity
         AND s._k = c._k
        WHERE c._kind = 'complete'""")
    n, rows, _ = _examples(con, """
        SELECT s._row, s.activity FROM life s
        WHERE s._kind = 'start' AND NOT EXISTS (
            SELECT 1 FROM life c WHERE c._kind = 'complete' AND c.case_id = s.case_id
            AND c.activity = s.activity AND c._k = s._k)""")
    if n:
        exclusions.append(dict(reason="start event without a matching complete (excluded)",
                               rows=n, example_rows=rows, example_values=[]))
    n, rows, _ = _examples(con, "SELECT _row, activity FROM paired WHERE start IS NULL")
    has_starts = con.execute("SELECT count(*) FROM life WHERE _kind = 'start'").fetchall()[0][0]
    if n and has_starts:
        exclusions.append(dict(reason="complete event without a matching start "
                               "(kept with unknown start)", rows=n, example_rows=rows,
                               example_values=[]))


def _ends_before_start(n: int, values: list, rows: list[int], mapping: Mapping[str, str],
                       label: str) -> JourneyError:
    """The error for ``n`` activity instances that end before they start (both engines)."""
    where = f"{mapping.get('end')!r} before {mapping.get('start', 'start')!r}"
    return JourneyError(
        f"{n} activity instance(s) end before they start ({where}), e.g. {values[:3]}. Correct "
        "the times in the export, or pass invalid='exclude' to leave these rows out (they are "
        "then counted in log.exclusions).", source=label, column=mapping.get("end"), rows=rows)


def _drop(con: duckdb.DuckDBPyConnection, name: str) -> None:
    kinds = con.execute("SELECT table_type FROM information_schema.tables WHERE table_name = ?",
                        [name]).fetchall()
    for (kind,) in kinds:
        con.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} IF EXISTS {name}")


def read_log(
    source: str | os.PathLike | pd.DataFrame,
    *,
    case: str | None = None,
    activity: str | None = None,
    start: str | None = None,
    end: str | None = None,
    timestamp: str | None = None,
    resource: str | None = None,
    department: str | None = None,
    patient: str | None = None,
    lifecycle: str | None = "auto",
    tz: str | None = None,
    encoding: str | None = None,
    time_format: str | None = None,
    sheet: int | str = 0,
    invalid: Literal["raise", "exclude"] = "raise",
    duplicates: Literal["keep", "drop"] | Sequence[str] = "keep",
    allow_columns: tuple[str, ...] = (),
    stages: Mapping[str, str] | None = None,
    database: str | None = None,
    progress: bool = False,
    session: Any = None,
) -> EventLog:
    """Read a visit log into an :class:`~journey.log.EventLog`.

    Parameters
    ----------
    source : path or DataFrame
        A CSV file (UTF-8, UTF-8 with BOM, GBK/GB18030 or UTF-16, detected), an Excel
        ``.xlsx`` file, a Parquet file, an XES file (``.xes`` / ``.xes.gz``), a folder of CSV or
        Parquet parts, or a pandas DataFrame.
    case, activity, start, end, timestamp, resource, department, patient : str, optional
        Source column of each field. Unnamed fields are recognised from presets
        (:data:`COLUMN_PRESETS`: English, Chinese, XES/pm4py and Disco names) or keywords.
        A log needs a case, an activity and a time: ``start`` + ``end`` (one row per
        activity instance), ``timestamp`` + ``lifecycle`` (one row per start/complete event,
        paired into instances) or only ``end``/``timestamp`` (completion times only: the times
        between touchpoints are then *flow times*, not waits).
    lifecycle : str or None
        Column of lifecycle transitions (start/complete rows, paired into instances).
        ``"auto"`` (default) takes a column named like one (``lifecycle:transition``,
        ``event_type``…) only when every value is a lifecycle word (:data:`LIFECYCLE_WORDS`);
        None turns detection off.
    tz : str, optional
        IANA zone (e.g. ``"Europe/Amsterdam"``) of the hospital's clock. Times with UTC offsets
        are converted to it; times without are taken as its wall-clock times, so durations
        across a daylight-saving change are exact. Without ``tz``, offsets written in the
        values are used as they are (see Notes) and times without offsets are kept as
        recorded. Dates (no time of day) are never shifted.
    encoding : str, optional
        Text encoding of a CSV; detected when omitted.
    time_format : str, optional
        strftime layout for timestamps that are not ISO-like, e.g. ``"%d/%m/%Y %H:%M"``.
    sheet : int or str
        Excel sheet.
    invalid : {"raise", "exclude"}
        What to do with activity instances that end before they start: raise an error naming
        the rows (default), or exclude them and report them in ``log.exclusions``.
    duplicates : {"keep", "drop"} or list of str
        Rows that share case, activity and time are distinct events (a lab value on one row,
        none on its twin) and are all kept by default; ``log.check()`` reports exact
        duplicates (rows equal in every column). ``"drop"`` keeps the first of each set of
        exact duplicates; a list of columns keeps the first row of each set of rows equal in
        those columns (e.g. ``["case_id", "activity", "end"]``). Dropped rows are counted in
        ``log.exclusions``.
    allow_columns : tuple of str
        Columns to keep although the privacy guard takes them for direct identifiers (use
        only for a false alarm).
    stages : dict, optional
        ``{activity: stage or catalogue touchpoint}`` overriding the default stage mapping.
    database : str, optional
        Path of a DuckDB database file to hold the events (for logs larger than memory);
        in memory by default.
    progress : bool
        Show a progress bar that names each loading step and follows the engine through it.
    session : pyspark.sql.SparkSession, optional
        Read with Spark on this session instead (:func:`journey.read_log_spark`): the events
        stay in Spark and every analysis runs there. A Spark DataFrame as ``source`` is read
        with Spark without it. ``encoding``, ``sheet`` and ``database`` do not apply then.

    Returns
    -------
    EventLog

    Raises
    ------
    JourneyError
        For every problem with the input, naming the file, rows and column and how to fix it.

    Notes
    -----
    Rows without a case id, an activity or any time are excluded and counted in
    ``log.exclusions``; no other row is dropped unless asked (``duplicates``, ``invalid``).
    Within a case, activity instances are ordered by start (the end when there is no start),
    then end, then their row in the file: ties keep file order, as pm4py does.

    Times with UTC offsets that change with daylight saving (``+01:00`` in winter, ``+02:00``
    in summer) are placed on one clock: durations are measured between the true instants,
    and times are shown at the log's smallest offset (:attr:`EventLog.utc_offset`);
    ``log.clock`` records where the recorded wall clock moves, and hour-of-day, weekday and
    date results use that wall clock (:func:`journey.engine.wall_clock`). When every time is
    a date (or midnight), the log's :attr:`~EventLog.resolution` is ``"day"``: offsets are
    ignored and hour-of-day results are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"就诊号": ["V1", "V1"], "环节": ["挂号", "就诊"],
    ...                    "开始时间": ["2025-01-06 08:00", "2025-01-06 08:40"],
    ...                    "结束时间": ["2025-01-06 08:05", "2025-01-06 08:55"]})
    >>> log = read_log(df)
    >>> log.n_cases, log.n_events, log.has_start
    (1, 2, True)
    """
    if session is not None or type(source).__module__.startswith("pyspark."):
        unused = [name for name, value in (("encoding", encoding), ("sheet", sheet),
                                           ("database", database)) if value not in (None, 0)]
        if unused:
            raise JourneyError(f"{', '.join(unused)}= cannot be used when Spark reads the log "
                               "(Spark reads CSV as UTF-8, Parquet, or a Spark DataFrame); "
                               "convert the file first, or read it without session=.")
        from journey.spark import read_log_spark

        return read_log_spark(source, session=session, case=case, activity=activity,
                              start=start, end=end, timestamp=timestamp, resource=resource,
                              department=department, patient=patient, lifecycle=lifecycle,
                              tz=tz, time_format=time_format, invalid=invalid,
                              duplicates=duplicates, allow_columns=allow_columns,
                              stages=stages)
    label = "<DataFrame>" if isinstance(source, pd.DataFrame) else os.fspath(source)
    _check_zone(tz, label)
    if time_format is not None:
        check_time_format(time_format, source=label)
    if not (duplicates in ("keep", "drop") or (not isinstance(duplicates, str)
                                                and isinstance(duplicates, Sequence))):
        raise JourneyError(f"duplicates={duplicates!r}: pass 'keep', 'drop' or a list of "
                           "columns such as ['case_id', 'activity', 'end'].", source=label)
    con = connect(database)
    try:
        return _read(con, source, case=case, activity=activity, start=start, end=end,
                     timestamp=timestamp, resource=resource, department=department,
                     patient=patient, lifecycle=lifecycle, tz=tz, encoding=encoding,
                     time_format=time_format, sheet=sheet, invalid=invalid,
                     duplicates=duplicates, allow_columns=allow_columns, stages=stages,
                     progress=progress)
    except duckdb.OutOfMemoryException as exc:
        raise JourneyError(
            "the engine ran out of memory while reading the log. Give it more with "
            "journey.set_memory_limit('8GB') (it spills to the temporary folder beyond it), "
            "read into a database file with database='events.duckdb', or split the export "
            "into a folder of parts.", source=label) from exc


def _read(con: duckdb.DuckDBPyConnection, source: Any, *, case: str | None,
          activity: str | None, start: str | None, end: str | None, timestamp: str | None,
          resource: str | None, department: str | None, patient: str | None,
          lifecycle: str | None, tz: str | None, encoding: str | None,
          time_format: str | None, sheet: int | str, invalid: str,
          duplicates: str | Sequence[str], allow_columns: tuple[str, ...],
          stages: Mapping[str, str] | None, progress: bool) -> EventLog:
    """The steps of :func:`read_log` on the engine connection ``con``."""
    with engine_progress(con, enabled=progress) as stage:
        stage("reading " + ("the data frame" if isinstance(source, pd.DataFrame)
                            else os.path.basename(os.fspath(source))))
        info = register_source(con, source, name="raw", encoding=encoding, sheet=sheet)
        con.execute(f"SET memory_limit = '{memory_limit_for(info.n_rows)}'")
        label = info.label
        stage("looking for identifiers")
        columns = con.sql("SELECT * FROM raw LIMIT 0").columns
        step = max(info.n_rows // 5000, 1)  # every step-th row: about 5,000 rows spread evenly
        sample = con.sql(f"SELECT * EXCLUDE (_row) FROM raw WHERE _row % {step} = 0"
                         if step > 1 else "SELECT * EXCLUDE (_row) FROM raw").df()
        refuse_identifiers(sample.drop(columns=["_file"], errors="ignore"), source=label,
                           allow=allow_columns)
        stage("reading times")
        given = dict(case=case, activity=activity, start=start, end=end, timestamp=timestamp,
                     resource=resource, department=department, patient=patient,
                     lifecycle=None if lifecycle == "auto" else lifecycle)
        mapping = _map_columns(list(columns), given, label,
                               skip=("lifecycle",) if lifecycle is None else ())
        if lifecycle == "auto" and "lifecycle" in mapping \
                and not _is_lifecycle(con, "raw", mapping["lifecycle"]):
            del mapping["lifecycle"]  # named like one, but holds other values: an attribute
        if "end" not in mapping and "timestamp" in mapping:
            mapping["end"] = mapping.pop("timestamp")
        mapping.pop("timestamp", None)
        if "end" not in mapping:  # only a start column: treat it as the event time
            mapping["end"] = mapping.pop("start")

        recorded = None  # the zone of time-zone-aware columns of a data frame
        if isinstance(source, pd.DataFrame):
            zones = {str(source[c].dt.tz) for f, c in mapping.items() if f in ("start", "end")
                     and isinstance(source[c].dtype, pd.DatetimeTZDtype)}
            recorded = zones.pop() if len(zones) == 1 else None
        times, shift, clock, ref, day = _times(con, mapping, label, tz, recorded, time_format)
        stage("checking rows")
        text = {"case": "case_id", "activity": "activity", "patient": "patient_id",
                "resource": "resource", "department": "department", "lifecycle": "_lifecycle"}
        select = [f"nullif(trim(CAST({_q(mapping[f])} AS VARCHAR)), '') AS {name}"
                  for f, name in text.items() if f in mapping]
        # a row with a start and no end (a discharge in a transfers table) is a moment
        point = (f"{times['end']} IS NULL AND {times['start']} IS NOT NULL" if "start" in times
                 else "FALSE")
        n_point, point_rows, _ = (_examples(con, f"SELECT _row, 1 FROM raw WHERE {point}")
                                  if "start" in times else (0, [], []))
        if n_point:
            times["end"] = f"coalesce({times['end']}, {times['start']})"
            if shift:
                shift["end"] = f"coalesce({shift['end']}, {shift['start']})"
        select += [f"{expr} AS {_q(f)}" for f, expr in times.items()]
        select += [f"{expr} AS _{f}_shift" for f, expr in shift.items()]
        if "start" not in times:
            select.append("CAST(NULL AS TIMESTAMP) AS start")
        reserved = {"case_id", "activity", "patient_id", "resource", "department", "start", "end"}
        extra = [c for c in columns if c not in mapping.values() and c not in ("_row", "_file")
                 and c not in reserved]
        select += [_q(c) for c in extra]
        select += ["_row"] + (["_file"] if "_file" in columns else [])
        # times written as text are parsed once into a table; typed columns are read in place
        text_times = any(con.sql(f"SELECT {_q(mapping[f])} FROM raw LIMIT 0").types[0] == "VARCHAR"
                         for f in times)
        con.execute(f"CREATE OR REPLACE TEMP {'TABLE' if text_times else 'VIEW'} parsed AS "
                    f"SELECT {', '.join(select)} FROM raw")
        if text_times:
            _drop(con, "raw")
        if shift:
            clock = _clock(con, "parsed", list(shift), label)

        # one pass over the rows counts every kind of unusable row; examples only when there are any
        exclusions: list[dict] = []
        if n_point:
            exclusions.append(dict(reason="missing end time (kept as a moment at its start)",
                                   rows=n_point, example_rows=point_rows, example_values=[]))
        missing, valid = {}, "TRUE"
        for column, reason in (("case_id", "missing case id"), ("activity", "missing activity"),
                               ('"end"', "missing time")):
            missing[reason] = f"{valid} AND {column} IS NULL"
            valid = f"{valid} AND {column} IS NOT NULL"
        order = "_file, _row" if "_file" in columns else "_row"  # place in the file(s)
        backwards = '"end" < start'  # never true before lifecycle events are paired
        *n_missing, n = _count(con, "parsed", [*missing.values(), f"{valid} AND {backwards}"])
        for (reason, condition), count in zip(missing.items(), n_missing, strict=True):
            if count:
                _, rows, _ = _examples(con, f"SELECT _row, 1 FROM parsed WHERE {condition}")
                exclusions.append(dict(reason=f"{reason} (excluded)", rows=count,
                                       example_rows=rows, example_values=[]))
        source_table = "parsed"
        if "lifecycle" in mapping:
            _pair_lifecycle(con, exclusions, f"(SELECT * FROM parsed WHERE {valid})", order)
            source_table, valid = "paired", "TRUE"
            n = _count(con, source_table, [backwards])[0]
        stage("ordering events")

        if n:
            _, rows, values = _examples(
                con, f"SELECT _row, CAST(start AS VARCHAR) || ' > ' || CAST(\"end\" AS VARCHAR) "
                     f"FROM {source_table} WHERE {valid} AND {backwards}")
            if invalid == "raise":
                raise _ends_before_start(n, values, rows, mapping, label)
            exclusions.append(dict(reason="end before start (excluded)", rows=n,
                                   example_rows=rows, example_values=values))
            valid = f"{valid} AND NOT coalesce({backwards}, false)"

        _sequence(con, f"(SELECT * FROM {source_table} WHERE {valid})", order)
        if duplicates != "keep":
            stage("dropping duplicates")
            _drop_duplicates(con, duplicates, mapping, exclusions, order)
        for name in ("parsed", "raw", "life", "paired", "deduped"):
            _drop(con, name)
        n_events = con.execute("SELECT count(*) FROM events").fetchall()[0][0]
        if n_events == 0:
            raise _nothing_left(exclusions, mapping, label)
        if n_events < SINGLE_THREAD_BELOW:
            con.execute("SET threads = 1")  # bit-for-bit identical sums on every re-run
        # start times come from a start column or from paired lifecycle start events
        has_start = con.execute("SELECT count(start) > 0 FROM events").fetchall()[0][0]
        table = pd.DataFrame(exclusions, columns=["reason", "rows", "example_rows",
                                                  "example_values"])
        return EventLog._from_connection(con, "events", source=label, has_start=bool(has_start),
                                         columns=dict(mapping), exclusions=table, stages=stages,
                                         fingerprint_source=source,
                                         resolution="day" if day else "time", clock=clock,
                                         utc_offset=ref, notes=tuple(info.notes))
