"""Read anonymised visit logs from files or data frames into an :class:`~journey.log.EventLog`.

The raw rows go into an embedded DuckDB database, so a log larger than memory never passes
through pandas. Reading the file and parsing its times is written here in DuckDB's SQL (its
``try_strptime`` takes the strftime layouts of :data:`TIME_FORMATS` as they are); from the
parsed rows on, the rules both engines share (:mod:`journey._pipeline`: moments, the clock,
exclusions, lifecycle pairing, end before start, duplicates, the order of events) run on
DuckDB as Ibis expressions. ``session=`` reads with Spark instead (:mod:`journey._spark`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import duckdb
import ibis
import pandas as pd

from journey import _pipeline
from journey._reading import (
    _FIELD_COLUMNS,
    _OFFSET,
    _TEXT_COLUMNS,
    COLUMN_PRESETS,
    LIFECYCLE_WORDS,
    TIME_FORMATS,
    _check_options,
    _event_time,
    _map_columns,
    _mixed_offsets,
    _not_times,
    _offsets,
    _unreadable_times,
)
from journey._timeformat import check_time_format
from journey.errors import JourneyError
from journey.formats import SourceInfo, explain_engine_error, register_source
from journey.log import EventLog, backend_of, connect, engine_progress, memory_limit_for
from journey.privacy import refuse_table_identifiers

__all__ = ["COLUMN_PRESETS", "TIME_FORMATS", "read_log"]

#: Logs with fewer events run single-threaded in DuckDB: parallel sums of durations add in
#: varying order, so their last binary digit (and a rounded figure on a .x5 boundary) could
#: change between runs. Larger logs use every core.
SINGLE_THREAD_BELOW = 2_000_000
#: A log with at most this many distinct activities stores them as an ENUM type: one or two
#: bytes an event instead of a string, so that ordering, grouping and counting run on integers.
ENUM_ACTIVITIES = 4096
#: A log with at most this many activities (each a bit of a 64-bit mask) also flags the first
#: pass of each touchpoint in its visit (:data:`journey.engine.FIRST_PASS`).
FIRST_PASS_ACTIVITIES = 64


@ibis.udf.scalar.builtin
def enum_code(value: str) -> int:
    """DuckDB's number of an ENUM value: its place among the type's members, from 0."""


def _q(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _examples(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[int, list[int], list[Any]]:
    """Count of rows matched by ``sql`` (selecting _row, value) with up to five examples."""
    n = con.execute(f"SELECT count(*) FROM ({sql})").fetchall()[0][0]
    rows = con.sql(f"SELECT * FROM ({sql}) ORDER BY 1 LIMIT 5").fetchall() if n else []
    return n, [r[0] for r in rows], [r[1] for r in rows]


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
        raise _not_times(dtype, label, column)
    text = f"nullif(trim({col}), '')"
    formats = [time_format] if time_format else list(TIME_FORMATS)
    fmt_list = "[" + ", ".join(_lit(f) for f in formats) + "]"
    native = "" if time_format else f"try_cast({text} AS TIMESTAMP), "
    wall = f"coalesce({native}try_strptime({text}, {fmt_list}))"
    # unparseable values
    n, rows, values = _examples(
        con, f"SELECT _row, {col} FROM {raw} WHERE {text} IS NOT NULL AND {wall} IS NULL")
    if n:
        raise _unreadable_times(n, values, rows, label, column)
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
        raise _mixed_offsets(n_off, n_plain, values, rows, label, column)
    if tz is None:
        return wall, _offset_minutes(text)
    instant = f"(CAST({text} AS TIMESTAMPTZ))"
    converted = f"timezone({_lit(tz)}, {instant})"
    return converted, f"datediff('minute', timezone('UTC', {instant}), {converted})"


def _times(con: duckdb.DuckDBPyConnection, mapping: Mapping[str, str], label: str,
           tz: str | None, recorded_zone: str | None, time_format: str | None,
           ) -> tuple[dict[str, str], dict[str, str], int | None, bool]:
    """SQL for the start and end times, and what the log's clock is.

    Returns ``(times, shift, utc_offset, day)``: ``times`` the SQL of each time on one
    clock (the log's smallest UTC offset ``utc_offset`` when the values carry offsets, so that
    durations are exact across daylight-saving changes); ``shift`` the SQL of the minutes by
    which the recorded wall clock was ahead of that clock, for each time (empty when it never
    is; :func:`journey._pipeline.clock` reads the clock from them); ``day`` True when every
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
    offsets = {} if day else _offsets(parts, mapping, label)
    if not offsets:
        return {f: wall for f, (wall, _) in parts.items()}, {}, None, bool(day)
    ref = con.execute("SELECT least(" + ", ".join(f"min({o})" for o in offsets.values())
                      + ") FROM raw").fetchall()[0][0]
    shift = {f: f"({o} - {int(ref)})" for f, o in offsets.items()}
    times = {f: f"({wall} - to_minutes(CAST({shift[f]} AS BIGINT)))"
             for f, (wall, _) in parts.items()}
    return times, shift, int(ref), False


def _is_lifecycle(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    """Whether every value of ``column`` is a lifecycle word (:data:`LIFECYCLE_WORDS`)."""
    words = ", ".join(_lit(w) for w in sorted(LIFECYCLE_WORDS))
    value = f"lower(trim(CAST({_q(column)} AS VARCHAR)))"
    return con.execute(f"SELECT count(*) FROM {table} WHERE nullif({value}, '') IS NOT NULL "
                       f"AND {value} NOT IN ({words})").fetchall()[0][0] == 0


def _keeper(con: duckdb.DuckDBPyConnection, backend: Any) -> _pipeline.Keep:
    """Store an expression of the reading rules as a DuckDB table: ``events`` in the
    database, the steps before it as temporary tables."""
    def keep(expr: Any, name: str) -> Any:
        kind = "TABLE" if name == "events" else "TEMP TABLE"
        con.execute(f"CREATE OR REPLACE {kind} {name} AS {backend.compile(expr)}")
        return backend.table(name)
    return keep


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
        Read with Spark on this session instead: the events stay in Spark and every
        analysis runs there. ``source`` is then a Spark DataFrame (read with Spark even
        without ``session``) or the path, local or on a cluster file system (``hdfs://``,
        ``s3a://``), of a Parquet or UTF-8 CSV file (plain, ``.gz`` or ``.bz2``) or a folder
        of them. Spark ``TIMESTAMP`` columns are read on the clock of ``tz``, else on the
        session time zone's. ``encoding``, ``sheet`` and ``database`` do not apply then.

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
    In a lifecycle log, the k-th start of an activity in a visit pairs with its k-th complete
    (each in order of time, then row); other transitions are ignored, starts without a
    complete are excluded and completes without a start are kept with an unknown start, all
    counted in ``log.exclusions``; end before start is checked on the pairs.
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
        from journey._spark import _read_log_spark

        return _read_log_spark(source, session=session, case=case, activity=activity,
                              start=start, end=end, timestamp=timestamp, resource=resource,
                              department=department, patient=patient, lifecycle=lifecycle,
                              tz=tz, time_format=time_format, invalid=invalid,
                              duplicates=duplicates, allow_columns=allow_columns,
                              stages=stages)
    label = "<DataFrame>" if isinstance(source, pd.DataFrame) else os.fspath(source)
    _check_options(tz, duplicates, label)
    if time_format is not None:
        check_time_format(time_format, source=label)
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


def _roles(con: duckdb.DuckDBPyConnection, columns: Sequence[str], given: dict[str, Any],
           label: str, skip: tuple[str, ...], lifecycle: str | None) -> dict[str, str]:
    """Role → column of the source; the event time under ``"end"``."""
    mapping = _map_columns(list(columns), given, label, skip)
    if lifecycle == "auto" and "lifecycle" in mapping \
            and not _is_lifecycle(con, "raw", mapping["lifecycle"]):
        del mapping["lifecycle"]  # named like one, but holds other values: an attribute
    return _event_time(mapping)


def _recorded_zone(source: Any, mapping: Mapping[str, str]) -> str | None:
    """The zone of the time-zone-aware time columns of a data frame, when they share one."""
    recorded = None
    if isinstance(source, pd.DataFrame):
        zones = {str(source[c].dt.tz) for f, c in mapping.items() if f in ("start", "end")
                 and isinstance(source[c].dtype, pd.DatetimeTZDtype)}
        recorded = zones.pop() if len(zones) == 1 else None
    return recorded


def _parse(con: duckdb.DuckDBPyConnection, mapping: Mapping[str, str],
           columns: Sequence[str], times: dict[str, str], shift: dict[str, str],
           trimmed: frozenset[str] = frozenset()) -> _pipeline.Code | None:
    """Create ``parsed`` from ``raw``: the fields under their names, the text trimmed and blank
    text missing (except in the ``trimmed`` columns, which need neither), the times parsed.
    Returns the activities' numbers for the first-pass flags when they are an ENUM of at most
    :data:`FIRST_PASS_ACTIVITIES`, else None."""
    text = {f: f"CAST({_q(mapping[f])} AS VARCHAR)" if mapping[f] in trimmed else
            f"nullif(trim(CAST({_q(mapping[f])} AS VARCHAR)), '')" for f in _TEXT_COLUMNS
            if f in mapping}
    text["activity"], members = _activity_type(con, text["activity"])
    select = [f"{text[f]} AS {name}" for f, name in _TEXT_COLUMNS.items() if f in mapping]
    select += [f"{expr} AS {_q(f)}" for f, expr in times.items()]
    select += [f"{expr} AS _{f}_shift" for f, expr in shift.items()]
    if "start" not in times:
        select.append("CAST(NULL AS TIMESTAMP) AS start")
    extra = [c for c in columns if c not in mapping.values() and c not in ("_row", "_file")
             and c not in _FIELD_COLUMNS.values()]
    select += [_q(c) for c in extra]
    select += ["_row"] + (["_file"] if "_file" in columns else [])
    # times written as text are parsed once into a table; typed columns are read in place
    text_times = any(con.sql(f"SELECT {_q(mapping[f])} FROM raw LIMIT 0").types[0] == "VARCHAR"
                     for f in times)
    con.execute(f"CREATE OR REPLACE TEMP {'TABLE' if text_times else 'VIEW'} parsed AS "
                f"SELECT {', '.join(select)} FROM raw")
    if text_times:
        _drop(con, "raw")
    return enum_code if 0 < members <= FIRST_PASS_ACTIVITIES else None


def _activity_type(con: duckdb.DuckDBPyConnection, activity: str) -> tuple[str, int]:
    """The SQL of the ``activity`` text as an ENUM of its values, sorted as text sorts (so
    that ordering and comparing are unchanged), when there are at most
    :data:`ENUM_ACTIVITIES`, else the text itself; and the number of ENUM members (0 for
    text)."""
    values = con.execute(f"SELECT DISTINCT {activity} AS a FROM raw WHERE a IS NOT NULL "
                         f"LIMIT {ENUM_ACTIVITIES + 1}").fetchall()
    if not values or len(values) > ENUM_ACTIVITIES:
        return activity, 0
    members = ", ".join(_lit(v) for v in sorted(v for v, in values))
    return f"CAST({activity} AS ENUM({members}))", len(values)


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
        try:
            return _events(con, source, info, case=case, activity=activity, start=start,
                           end=end, timestamp=timestamp, resource=resource,
                           department=department, patient=patient, lifecycle=lifecycle,
                           tz=tz, time_format=time_format, invalid=invalid,
                           duplicates=duplicates, allow_columns=allow_columns,
                           stages=stages, stage=stage)
        except duckdb.Error as exc:
            explain_engine_error(con, info, exc)
            raise


def _events(con: duckdb.DuckDBPyConnection, source: Any, info: SourceInfo, *,
            case: str | None, activity: str | None, start: str | None, end: str | None,
            timestamp: str | None, resource: str | None, department: str | None,
            patient: str | None, lifecycle: str | None, tz: str | None,
            time_format: str | None, invalid: str, duplicates: str | Sequence[str],
            allow_columns: tuple[str, ...], stages: Mapping[str, str] | None,
            stage: Callable[[str], None]) -> EventLog:
    """The steps of :func:`read_log` after the rows of ``source`` are registered as ``raw``."""
    con.execute(f"SET memory_limit = '{memory_limit_for(info.n_rows)}'")
    label = info.label
    stage("looking for identifiers")
    columns = con.sql("SELECT * FROM raw LIMIT 0").columns
    given = dict(case=case, activity=activity, start=start, end=end, timestamp=timestamp,
                 resource=resource, department=department, patient=patient,
                 lifecycle=None if lifecycle == "auto" else lifecycle)
    skip = ("lifecycle",) if lifecycle is None else ()
    trimmed = refuse_table_identifiers(
        con, "raw", source=label, allow=allow_columns,
        roles=lambda: _map_columns(list(columns), given, label, skip))
    stage("reading times")
    mapping = _roles(con, columns, given, label, skip, lifecycle)
    times, shift, ref, day = _times(con, mapping, label, tz,
                                    _recorded_zone(source, mapping), time_format)
    stage("checking rows")
    code = _parse(con, mapping, columns, times, shift, trimmed)
    backend = backend_of(con)
    try:
        parsed, exclusions = _pipeline.moments(backend.table("parsed"))
        clock = _pipeline.clock(parsed, label)
        _, n_events, has_start = _pipeline.events(
            parsed, _keeper(con, backend), mapping=mapping, label=label, invalid=invalid,
            duplicates=duplicates, exclusions=exclusions, stage=stage, code=code)
    finally:
        for name in ("parsed", "raw", "paired"):
            _drop(con, name)
    if n_events < SINGLE_THREAD_BELOW:
        con.execute("SET threads = 1")  # bit-for-bit identical sums on every re-run
    table = pd.DataFrame(exclusions, columns=["reason", "rows", "example_rows",
                                              "example_values"])
    return EventLog._from_connection(con, "events", source=label, has_start=has_start,
                                     columns=dict(mapping), exclusions=table, stages=stages,
                                     fingerprint_source=source,
                                     resolution="day" if day else "time", clock=clock,
                                     utc_offset=ref, notes=tuple(info.notes))
