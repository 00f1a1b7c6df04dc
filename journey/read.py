"""Read anonymised visit logs from files or data frames into an :class:`~journey.log.EventLog`.

The raw rows go into an embedded DuckDB database; column mapping, timestamp parsing,
lifecycle pairing, validation and de-duplication all run there as SQL, so a log larger
than memory never passes through pandas.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from typing import Any, Literal

import duckdb
import pandas as pd

from journey.engine import NEIGHBOURS
from journey.errors import JourneyError
from journey.formats import register_source
from journey.log import EventLog, connect, engine_progress, memory_limit_for
from journey.privacy import refuse_table_identifiers

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
    "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
    "%Y-%m-%d %H:%M", "%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M", "%Y.%m.%d",
    "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日 %H时%M分", "%Y年%m月%d日",
    "%Y%m%d%H%M%S", "%Y%m%d %H:%M:%S", "%Y%m%d %H:%M",
)

#: Logs with fewer events run single-threaded in DuckDB: parallel sums of durations add in
#: varying order, so their last binary digit (and a rounded figure on a .x5 boundary) could
#: change between runs. Larger logs use every core.
SINGLE_THREAD_BELOW = 2_000_000

_OFFSET = r"(Z|[+-]\d{2}(:?\d{2})?)$"
_START_WORDS = ("start", "begin", "开始")
_COMPLETE_WORDS = ("complete", "end", "finish", "结束", "完成")


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(name)).casefold()


def _q(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _map_columns(columns: list[str], given: Mapping[str, str | None], label: str,
                 ) -> dict[str, str]:
    """Map each field to a source column: user's choice, then presets, then keywords."""
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
        if field in mapping or field in given and given[field] is not None:
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


def _timestamp_sql(con: duckdb.DuckDBPyConnection, raw: str, column: str, label: str,
                   tz: str | None, time_format: str | None) -> str:
    """SQL expression turning ``column`` of table ``raw`` into a naive local TIMESTAMP."""
    col = _q(column)
    dtype = {r[0]: r[1] for r in con.sql(f"DESCRIBE {raw}").fetchall()}[column]
    if dtype.startswith("TIMESTAMP WITH TIME ZONE"):
        zone = tz or "UTC"
        return f"timezone({_lit(zone)}, {col})"
    if dtype.startswith("TIMESTAMP") or dtype == "DATE":
        return f"CAST({col} AS TIMESTAMP)"
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
    parse = f"coalesce({native}try_strptime({text}, {fmt_list}))"
    # unparseable values
    n, rows, values = _examples(
        con, f"SELECT _row, {col} FROM {raw} WHERE {text} IS NOT NULL AND {parse} IS NULL")
    if n:
        shown = ", ".join(repr(v) for v in values)
        raise JourneyError(
            f"{n} value(s) are not readable timestamps, e.g. {shown}. Use a layout such as "
            "'2025-01-06 08:30:00', or pass time_format='%d/%m/%Y %H:%M' (strftime codes) "
            "that matches the file.", source=label, column=column, rows=rows)
    # time zones written into the values
    with_offset = f"regexp_matches({text}, {_lit(_OFFSET)})"
    n_off, n_plain = con.execute(
        f"SELECT count(*) FILTER ({with_offset}), "
        f"count(*) FILTER (NOT {with_offset}) FROM {raw} WHERE {text} IS NOT NULL").fetchall()[0]
    if n_off == 0:
        return parse
    if n_plain:
        _, rows, values = _examples(
            con, f"SELECT _row, {col} FROM {raw} WHERE {text} IS NOT NULL AND NOT {with_offset}")
        raise JourneyError(
            f"mixed time zones: {n_off} value(s) carry a UTC offset and {n_plain} do not, "
            f"e.g. {values[:3]}. Export all times in one local time, or with an offset on "
            "every value.", source=label, column=column, rows=rows)
    offsets = con.sql(
        f"SELECT DISTINCT regexp_extract({text}, {_lit(_OFFSET)}) FROM {raw} "
        f"WHERE {text} IS NOT NULL LIMIT 3").fetchall()
    if tz is not None:
        return f"timezone({_lit(tz)}, CAST({text} AS TIMESTAMPTZ))"
    if len(offsets) > 1:
        raise JourneyError(
            f"mixed time zones: the values carry different UTC offsets "
            f"({', '.join(o[0] for o in offsets)}). Pass tz='Asia/Shanghai' (the hospital's "
            "zone) to convert every time to one local clock.", source=label, column=column)
    return parse  # one offset throughout: keep the wall-clock time as written


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
                if c == "_lifecycle"]
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
    lifecycle: str | None = None,
    tz: str | None = None,
    encoding: str | None = None,
    time_format: str | None = None,
    sheet: int | str = 0,
    invalid: Literal["raise", "exclude"] = "raise",
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
    case, activity, start, end, timestamp, resource, department, patient, lifecycle : str, optional
        Source column of each field. Unnamed fields are recognised from presets
        (:data:`COLUMN_PRESETS`: English, Chinese, XES/pm4py and Disco names) or keywords.
        A log needs a case, an activity and a time: ``start`` + ``end`` (one row per
        activity instance), ``timestamp`` + ``lifecycle`` (one row per start/complete event,
        paired into instances) or only ``end``/``timestamp`` (completion times only: the times
        between touchpoints are then *flow times*, not waits).
    tz : str, optional
        IANA zone (e.g. ``"Asia/Shanghai"``) to which times with UTC offsets are converted.
        All times are kept as naive local times.
    encoding : str, optional
        Text encoding of a CSV; detected when omitted.
    time_format : str, optional
        strftime layout for timestamps that are not ISO-like, e.g. ``"%d/%m/%Y %H:%M"``.
    sheet : int or str
        Excel sheet.
    invalid : {"raise", "exclude"}
        What to do with activity instances that end before they start: raise an error naming
        the rows (default), or exclude them and report them in ``log.exclusions``.
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
    Rows without a case id, an activity or any time are excluded; exact duplicate activity
    instances (same case, activity, start, end and resource) are kept once. Both are counted in
    ``log.exclusions``. Within a case, activity instances are ordered by start (the end when
    there is no start), then end, then their row in the file: ties keep file order.

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
                              allow_columns=allow_columns, stages=stages)
    con = connect(database)
    with engine_progress(con, enabled=progress) as stage:
        stage("reading " + ("the data frame" if isinstance(source, pd.DataFrame)
                            else os.path.basename(os.fspath(source))))
        info = register_source(con, source, name="raw", encoding=encoding, sheet=sheet)
        con.execute(f"SET memory_limit = '{memory_limit_for(info.n_rows)}'")
        label = info.label
        stage("looking for identifiers")
        columns = con.sql("SELECT * FROM raw LIMIT 0").columns
        given = dict(case=case, activity=activity, start=start, end=end, timestamp=timestamp,
                     resource=resource, department=department, patient=patient,
                     lifecycle=lifecycle)
        refuse_table_identifiers(con, "raw", source=label, allow=allow_columns,
                                 roles=lambda: _map_columns(list(columns), given, label))
        stage("reading times")
        mapping = _map_columns(list(columns), given, label)
        if "end" not in mapping and "timestamp" in mapping:
            mapping["end"] = mapping.pop("timestamp")
        mapping.pop("timestamp", None)
        if "end" not in mapping:  # only a start column: treat it as the event time
            mapping["end"] = mapping.pop("start")

        if tz is None and isinstance(source, pd.DataFrame):
            zones = {str(source[c].dt.tz) for f, c in mapping.items() if f in ("start", "end")
                     and isinstance(source[c].dtype, pd.DatetimeTZDtype)}
            tz = zones.pop() if len(zones) == 1 else None

        times = {f: _timestamp_sql(con, "raw", mapping[f], label, tz, time_format)
                 for f in ("start", "end") if f in mapping}
        stage("checking rows")
        text = {"case": "case_id", "activity": "activity", "patient": "patient_id",
                "resource": "resource", "department": "department", "lifecycle": "_lifecycle"}
        select = [f"nullif(trim(CAST({_q(mapping[f])} AS VARCHAR)), '') AS {name}"
                  for f, name in text.items() if f in mapping]
        select += [f"{expr} AS {_q(f)}" for f, expr in times.items()]
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

        # one pass over the rows counts every kind of unusable row; examples only when there are any
        exclusions: list[dict] = []
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
        stage("finding duplicates")
        key = ["case_id", "activity", "start", '"end"'] + (["resource"] if "resource" in mapping
                                                          else [])
        # identical instances tie in the visit order, so each but the first follows an event that
        # ends when it ends: only visits with such a pair need the exact duplicate count
        tied = """(case_id, "end") IN (
            SELECT (case_id, "end") FROM events WHERE _prev_end = "end")"""
        n_dups = con.execute(f"""SELECT coalesce(sum(n - 1), 0) FROM (
            SELECT count(*) AS n FROM events WHERE {tied} GROUP BY {', '.join(key)} HAVING n > 1)"""
                             ).fetchall()[0][0]
        if n_dups:  # keep the first of each set of identical instances, then order again
            ranked = (f"SELECT * EXCLUDE (_seq, {', '.join(NEIGHBOURS)}), row_number() OVER "
                      f"(PARTITION BY {', '.join(key)} ORDER BY {order}) AS _dup FROM events")
            _, rows, _ = _examples(con, f"SELECT _row, 1 FROM ({ranked}) WHERE _dup > 1")
            exclusions.append(dict(reason="duplicate activity instance (excluded)", rows=n_dups,
                                   example_rows=rows, example_values=[]))
            con.execute(f"CREATE OR REPLACE TEMP TABLE deduped AS "
                        f"SELECT * EXCLUDE (_dup) FROM ({ranked}) WHERE _dup = 1")
            _sequence(con, "deduped", order)
        for name in ("parsed", "raw", "life", "paired", "deduped"):
            _drop(con, name)
        n_events = con.execute("SELECT count(*) FROM events").fetchall()[0][0]
        if n_events == 0:
            raise JourneyError("no usable rows remain after excluding rows without case, "
                               "activity or time. Check the column mapping.", source=label)
        if n_events < SINGLE_THREAD_BELOW:
            con.execute("SET threads = 1")  # bit-for-bit identical sums on every re-run
        # start times come from a start column or from paired lifecycle start events
        has_start, day = con.execute(
            "SELECT count(start) > 0, bool_and(\"end\" = date_trunc('day', \"end\") AND "
            "coalesce(start = date_trunc('day', start), TRUE)) FROM events").fetchall()[0]
        table = pd.DataFrame(exclusions, columns=["reason", "rows", "example_rows",
                                                  "example_values"])
        return EventLog._from_connection(con, "events", source=label, has_start=bool(has_start),
                                         columns=dict(mapping), exclusions=table, stages=stages,
                                         fingerprint_source=source,
                                         resolution="day" if day else "time")
