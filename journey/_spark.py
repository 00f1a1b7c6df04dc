"""Read a visit log into Spark, for logs of many hospitals or many years.

``journey.read_log(source, session=spark)`` reads with :func:`_read_log_spark`, read_log for
a Spark cluster: the same column
mapping, timestamp layouts, checks, error messages and exclusions table, written with the Spark
DataFrame API, so every per-event step runs on the cluster, including the pairing of logs with
one row per lifecycle event (start/complete) into activity instances. The resulting
:class:`~journey.log.EventLog` holds an Ibis table on the Ibis PySpark backend: the analyses
(:func:`journey.journey_map`, :func:`journey.check_log`, ...) are the same Ibis expressions as
on DuckDB; Spark sorts, windows and aggregates the events, and only the small result tables
come back to Python.

Notes
-----
- Connecting Ibis sets the session time zone (``spark.sql.session.timeZone``) to UTC, as the
  Ibis PySpark backend always does. Spark ``TIMESTAMP`` columns (instants) are converted to the
  wall-clock time of ``tz``, by default the session time zone in force when
  ``read_log(session=)`` is called, i.e. the times that ``DataFrame.show()`` printed before.
  ``TIMESTAMP_NTZ`` columns (naive Parquet times) are kept as they are. Times have microsecond
  precision.
- Row numbers (``_row``) are those :func:`journey.read_log` reports: for a CSV the header is
  row 1; for Parquet the 1-based position; in a folder they count within each part
  (``_file``); for a Spark DataFrame the position in its partitions, in partition order.
"""

from __future__ import annotations

import csv
import operator
import os
import re
import uuid
from collections.abc import Mapping, Sequence
from functools import reduce
from pathlib import Path
from typing import Any, Literal

import ibis
import pandas as pd
from ibis.backends.sql.compilers.pyspark import PySparkCompiler

from journey._reading import (
    _COMPLETE_WORDS,
    _OFFSET,
    _START_WORDS,
    LIFECYCLE_WORDS,
    TIME_FORMATS,
    _check_columns,
    _check_zone,
    _duplicate_key,
    _ends_before_start,
    _event_time,
    _map_columns,
    _nothing_left,
    _same_header,
    clock_from_days,
)
from journey.errors import JourneyError
from journey.log import EventLog
from journey.privacy import refuse_spark_identifiers

#: A UTC offset at the end of a time (removed before Spark reads the wall-clock time).
_OFFSET_TEXT = r"\s*(Z|[+-]\d{2}(:?\d{2})?)$"

__all__ = ["_read_log_spark", "spark_backend"]

_STRFTIME = {"%Y": "yyyy", "%m": "MM", "%d": "dd", "%H": "HH", "%M": "mm", "%S": "ss",
             "%y": "yy", "%I": "hh", "%p": "a", "%b": "MMM", "%f": "SSSSSS"}
_CSV_SUFFIXES = (".csv", ".txt", ".tsv")


class _Compiler(PySparkCompiler):
    """Ibis' PySpark compiler, plus ``group_concat(order_by=...)`` (paths of visits).

    Spark has no ordered string aggregate; the values are collected with their sort keys,
    sorted, and joined: ``array_join(transform(array_sort(collect_list(struct(k, v))),
    x -> x.v), sep)``.
    """

    def visit_GroupConcat(self, op: Any, *, arg: Any, sep: Any, where: Any,
                          order_by: Any) -> Any:
        if not order_by:
            return super().visit_GroupConcat(op, arg=arg, sep=sep, where=where,
                                             order_by=order_by)
        import sqlglot.expressions as sge

        if any(key.args.get("desc") for key in order_by):
            raise NotImplementedError("descending order in group_concat on Spark")
        fields = [item for i, key in enumerate(order_by)
                  for item in (sge.convert(f"k{i}"), key.this)]
        pair = self.f.named_struct(*fields, sge.convert("v"), arg)
        keep = arg.is_(sge.null()).not_()
        if where is not None:
            keep = sge.and_(keep, where)
        pairs = self.f.array_sort(self.f.collect_list(self.if_(keep, pair, sge.null())))
        values = self.f.transform(pairs, sge.Lambda(this=sge.Dot.build(
            [sge.to_identifier("x"), sge.to_identifier("v")]),
            expressions=[sge.to_identifier("x")]))
        return self.if_(self.f.size(pairs).eq(0), sge.null(), self.f.array_join(values, sep))


def spark_backend(session: Any = None) -> Any:
    """The Ibis PySpark backend that ``read_log(session=)`` puts its logs on.

    It is Ibis' own backend with one addition: ordered ``group_concat`` (the path of each
    visit, in :func:`journey.engine.case_paths`) compiles to Spark SQL. Connecting sets the
    session time zone to UTC.

    Parameters
    ----------
    session : pyspark.sql.SparkSession, optional
        Defaults to the active session (``SparkSession.builder.getOrCreate()``).

    Examples
    --------
    >>> from pyspark.sql import SparkSession  # doctest: +SKIP
    >>> con = spark_backend(SparkSession.builder.master("local[2]").getOrCreate())  # doctest: +SKIP
    >>> con.name  # doctest: +SKIP
    'pyspark'
    """
    backend = ibis.pyspark.connect(session)
    backend.compiler = _Compiler()
    return backend


def _java_pattern(layout: str) -> str:
    """A strftime layout as a Spark datetime pattern, e.g. ``%Y/%m/%d`` -> ``yyyy'/'M'/'d``.

    Two-digit fields between separators get one letter (one or two digits are accepted, as
    strftime does); fields next to another field keep their fixed width.

    Examples
    --------
    >>> _java_pattern("%Y%m%d %H:%M")
    "yyyyMMdd' 'H':'m"
    """
    parts = re.findall(r"%.|[^%]+", layout)
    out = []
    for i, part in enumerate(parts):
        if part in _STRFTIME:
            code = _STRFTIME[part]
            glued = any(0 <= j < len(parts) and parts[j].startswith("%") for j in (i - 1, i + 1))
            out.append(code[0] if code in ("MM", "dd", "HH", "mm", "ss", "hh") and not glued
                       else code)
        elif part.startswith("%"):
            raise JourneyError(f"the strftime code {part!r} in time_format={layout!r} is not "
                               f"supported on Spark; use {', '.join(_STRFTIME)}.")
        else:
            out.append("'" + part.replace("'", "''") + "'")
    return "".join(out)


def _examples(frame: Any, condition: Any, value: Any) -> tuple[int, list[int], list[Any]]:
    """Count of rows of ``frame`` matching ``condition``, with up to five (row, value)."""
    hits = frame.filter(condition)
    n = hits.count()
    if not n:
        return 0, [], []
    rows = hits.select("_row", value.alias("_value")).orderBy("_row").limit(5).collect()
    return n, [int(r[0]) for r in rows], [r[1] for r in rows]


def _source_frame(session: Any, source: Any) -> tuple[Any, str, bool, int]:
    """The rows of ``source`` with ``_row`` (and ``_file`` for a folder), label, folder?, rows."""
    from pyspark.sql import DataFrame, Window
    from pyspark.sql import functions as F

    if isinstance(source, DataFrame):
        frame, label, folder, header = source, "<Spark DataFrame>", False, 0
        _check_columns(frame.columns, label)
        frame = frame.select("*", F.lit("").alias("_file"),
                             F.spark_partition_id().alias("__block"))
    elif isinstance(source, str | os.PathLike):
        label = os.fspath(source)
        path, local = Path(label), "://" not in label
        if local and not path.exists():
            raise JourneyError("file not found; check the name and the working directory "
                               "(os.getcwd())", source=label)
        folder = path.is_dir() if local else not path.suffix
        parts = sorted(p for p in path.iterdir() if p.is_file()
                       and not p.name.startswith((".", "_"))) if local and folder else [path]
        kinds = {_part_kind(p, label) for p in parts}
        if kinds == {"csv"}:
            frame = _csv_parts(session, label, parts if local else None)
            header = 1
        elif kinds <= {"parquet"}:
            frame, header = session.read.parquet(label), 0
            frame = frame.select("*", F.col("_metadata.file_name").alias("_file"),
                                 F.col("_metadata.file_block_start").alias("__block"))
        else:
            raise JourneyError("the folder mixes CSV and Parquet parts; keep parts of one kind "
                               "in a folder", source=label)
        _check_columns([c for c in frame.columns if c not in ("_file", "__block")], label)
    else:
        raise JourneyError(f"cannot read a {type(source).__name__}: pass a Spark DataFrame or "
                           "the path of a Parquet or CSV file or folder.")
    # Row numbers: each block (a file split, or a partition) is read in order by one task, so
    # the row's position is the rows of the earlier blocks of its file plus its rank in the
    # block, taken from monotonically_increasing_id (increasing within a partition).
    frame = frame.withColumn("__mid", F.monotonically_increasing_id())
    blocks = frame.groupBy("_file", "__block").agg(F.count("*").alias("__n"),
                                                  F.min("__mid").alias("__lo"))
    before = Window.partitionBy("_file").orderBy("__block").rowsBetween(
        Window.unboundedPreceding, -1)
    blocks = blocks.select("_file", "__block", "__n", "__lo", F.coalesce(
        F.sum("__n").over(before), F.lit(0)).alias("__before"))
    listing = blocks.collect()
    blocks = session.createDataFrame(listing, blocks.schema).drop("__n")
    frame = frame.join(F.broadcast(blocks), ["_file", "__block"])
    frame = frame.withColumn("_row", F.col("__before") + F.col("__mid") - F.col("__lo")
                             + F.lit(1 + header)).drop("__block", "__mid", "__lo", "__before")
    n_rows = sum(r["__n"] for r in listing)
    return (frame if folder else frame.drop("_file")), label, folder, n_rows


def _part_kind(path: Path, label: str) -> str:
    """``"csv"`` (plain, or compressed with gzip or bzip2, which Spark reads itself) or
    ``"parquet"``; other files are refused with what to do instead."""
    name = path.name.lower().removesuffix(".gz").removesuffix(".bz2")
    if name.endswith(_CSV_SUFFIXES):
        return "csv"
    if name == path.name.lower() and (name.endswith(".parquet") or not path.suffix):
        return "parquet"
    raise JourneyError(
        f"Spark reads Parquet files and CSV files (plain, .gz or .bz2) or folders of them, "
        f"not {path.name!r}: decompress a .zst or .zip first (zstd -d, unzip), read other "
        "files with journey.read_log without session=, or pass a Spark DataFrame.",
        source=label)


def _header(path: Path) -> tuple[str, list[str]]:
    """The delimiter and column names of a local CSV part (first line, compressed or not)."""
    import bz2
    import gzip

    opener = {".gz": gzip.open, ".bz2": bz2.open}.get(path.suffix.lower(), open)
    with opener(path, "rt", encoding="utf-8-sig") as fh:
        line = fh.readline()
    sep = max(",\t;|", key=line.count)
    return sep, next(csv.reader([line], delimiter=sep), [])


def _csv_parts(session: Any, label: str, parts: list[Path] | None) -> Any:
    """The CSV rows of ``label`` as text, with ``_file`` and ``__block``. Local parts must
    share one header (as :func:`journey.read_log` requires; the order may differ); each
    part is then read with its own header. Remote files: comma-separated, header checked by
    Spark."""
    from pyspark.sql import functions as F

    def located(frame: Any) -> Any:
        return frame.select("*", F.col("_metadata.file_name").alias("_file"),
                            F.col("_metadata.file_block_start").alias("__block"))

    def read(source: str, sep: str, names: list[str]) -> Any:
        schema = ", ".join(f"{_quote(n)} STRING" for n in names)
        return located(session.read.csv(source, header=True, sep=sep, encoding="UTF-8",
                                        schema=schema, enforceSchema=False))

    if parts is None:
        return located(session.read.csv(label, header=True, sep=",", encoding="UTF-8"))
    headers = {p: _header(p) for p in parts}
    first = None
    for p, (_, names) in headers.items():
        _check_columns(names, label)
        first = _same_header(first, p.name, names, label)
    if len({(sep, tuple(names)) for sep, names in headers.values()}) == 1:
        return read(label, *headers[parts[0]])  # one read, which Spark splits into tasks
    return reduce(lambda x, y: x.unionByName(y),
                  [read(str(p), sep, names) for p, (sep, names) in headers.items()])


def _offset_minutes(text: Any) -> Any:
    """The UTC offset written at the end of ``text`` in minutes (see read.py's twin)."""
    from pyspark.sql import functions as F

    off = F.regexp_extract(text, _OFFSET, 1)
    digits = F.regexp_replace(off, ":", "")
    size = (F.substring(digits, 2, 2).cast("int") * 60
            + F.coalesce(F.nullif(F.substring(digits, 4, 2), F.lit("")).cast("int"), F.lit(0)))
    return F.when(off == "Z", F.lit(0)).otherwise(
        F.when(F.startswith(off, F.lit("-")), F.lit(-1)).otherwise(F.lit(1)) * size)


def _ahead(wall: Any, instant: Any) -> Any:
    """Minutes by which the naive ``wall`` clock is ahead of UTC at ``instant`` (session UTC)."""
    from pyspark.sql import functions as F

    return ((F.unix_timestamp(wall.cast("timestamp")) - F.unix_timestamp(instant)) / 60
            ).cast("int")


def _timestamps(frame: Any, columns: Mapping[str, str], label: str, tz: str | None,
                recorded: str, time_format: str | None) -> dict[str, tuple[Any, Any]]:
    """For each of ``columns``: its wall-clock time (TIMESTAMP_NTZ) and UTC offset in minutes
    (None when the values carry none and no ``tz`` is given), as read_log's
    ``_timestamp_sql``. Spark TIMESTAMP columns (instants) are read on the clock of ``tz``,
    else of ``recorded`` (the session time zone when read_log was called).

    Text is parsed and checked in one Spark job for all columns.
    """
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    out: dict[str, tuple[Any, Any]] = {}
    texts: dict[str, tuple[Any, Any, Any]] = {}
    for field, column in columns.items():
        col = F.col(_quote(column))
        dtype = frame.schema[column].dataType
        if isinstance(dtype, T.TimestampType):  # session time zone is UTC (Ibis sets it)
            zone = tz or recorded
            wall = F.from_utc_timestamp(col, zone).cast("timestamp_ntz")
            out[field] = wall, None if zone in ("UTC", "Etc/UTC") else _ahead(wall, col)
        elif isinstance(dtype, T.TimestampNTZType | T.DateType):
            wall = col.cast("timestamp_ntz")
            out[field] = wall, None if tz is None else _ahead(
                wall, F.to_utc_timestamp(wall.cast("timestamp"), tz))
        elif isinstance(dtype, T.StringType):
            sql = f"nullif(trim({_quote(column)}), '')"
            text = F.expr(sql)
            layouts = [time_format] if time_format else list(TIME_FORMATS)
            parsed = [F.try_to_timestamp(text, F.lit(_java_pattern(f))).cast("timestamp_ntz")
                      for f in layouts]
            written = F.when(text.rlike(_OFFSET), F.regexp_replace(text, _OFFSET_TEXT, "")
                             ).otherwise(text)
            native = [] if time_format else [written.try_cast("timestamp_ntz")]
            texts[field] = (text, F.coalesce(*native, *parsed), text.rlike(_OFFSET))
        else:
            raise JourneyError(
                f"column holds {dtype.simpleString()} values, not timestamps. Export the times "
                "as text such as '2025-01-06 08:30:00' or as real date-time cells.",
                source=label, column=column)
    if not texts:
        return out
    counts = frame.agg(*[agg.alias(f"{field}_{name}") for field, (text, parse, offset)
                         in texts.items() for name, agg in (
        ("bad", F.count_if(text.isNotNull() & parse.isNull())),
        ("offset", F.count_if(text.isNotNull() & offset)),
        ("plain", F.count_if(text.isNotNull() & ~offset)))]).first().asDict()
    for field, (text, parse, offset) in texts.items():
        column = columns[field]
        bad, n_off, n_plain = (counts[f"{field}_{k}"] for k in ("bad", "offset", "plain"))
        raw = F.col(_quote(column))
        if bad:
            _, rows, values = _examples(frame, text.isNotNull() & parse.isNull(), raw)
            shown = ", ".join(repr(v) for v in values)
            raise JourneyError(
                f"{bad} value(s) are not readable timestamps, e.g. {shown}. Use a layout such "
                "as '2025-01-06 08:30:00', or pass time_format='%d/%m/%Y %H:%M' (strftime "
                "codes) that matches the file.", source=label, column=column, rows=rows)
        if n_off == 0:
            out[field] = parse, None if tz is None else _ahead(
                parse, F.to_utc_timestamp(parse.cast("timestamp"), tz))
            continue
        if n_plain:
            _, rows, values = _examples(frame, text.isNotNull() & ~offset, raw)
            raise JourneyError(
                f"{n_off} value(s) carry a UTC offset and {n_plain} do not, e.g. {values[:3]}: "
                "the times without one cannot be placed on the same clock. Export all times "
                "with an offset, or all without.", source=label, column=column, rows=rows)
        if tz is None:
            out[field] = parse, _offset_minutes(text)
            continue
        instant = F.expr(f"try_cast(nullif(trim({_quote(column)}), '') AS TIMESTAMP)")
        wall = F.from_utc_timestamp(instant, tz).cast("timestamp_ntz")
        out[field] = wall, _ahead(wall, instant)
    return out


def _times(frame: Any, mapping: Mapping[str, str], label: str, tz: str | None, recorded: str,
           time_format: str | None) -> tuple[dict[str, Any], dict[str, Any], int | None, bool]:
    """read_log's ``_times`` on Spark: ``(times, shift, utc_offset, day)``."""
    from pyspark.sql import functions as F

    fields = {f: mapping[f] for f in ("start", "end") if f in mapping}
    first = _timestamps(frame, fields, label, None, recorded, time_format)
    midnight = [F.coalesce(wall == F.date_trunc("day", wall), F.lit(True))
                for wall, _ in first.values()]
    dated = reduce(operator.or_, [wall.isNotNull() for wall, _ in first.values()])
    day = frame.agg(F.min(F.when(dated, reduce(operator.and_, midnight).cast("int")))
                    ).first()[0] == 1
    parts = first if day or tz is None else _timestamps(
        frame, fields, label, tz, recorded, time_format)
    offsets = {f: off for f, (_, off) in parts.items() if off is not None}
    if day or not offsets:
        return {f: wall for f, (wall, _) in parts.items()}, {}, None, bool(day)
    if len(offsets) < len(parts):
        naive = [mapping[f] for f in parts if f not in offsets]
        raise JourneyError(
            f"the times in {naive[0]!r} carry no UTC offset while those in "
            f"{mapping[next(iter(offsets))]!r} do, so they cannot be placed on one clock. "
            "Export both with offsets or both without.", source=label, column=naive[0])
    lows = [F.min(o) for o in offsets.values()]
    ref = frame.agg(F.least(*lows) if len(lows) > 1 else lows[0]).first()[0]
    shift = {f: (o - F.lit(int(ref))) for f, o in offsets.items()}
    times = {f: F.timestamp_add("MINUTE", -shift[f], wall) for f, (wall, _) in parts.items()}
    return times, shift, int(ref), False


def _clock(frame: Any, fields: list[str], label: str) -> tuple:
    """read_log's ``_clock`` on Spark, from the ``_<field>_shift`` columns of ``frame``."""
    from pyspark.sql import functions as F

    points = reduce(lambda a, b: a.unionByName(b), [
        frame.filter(F.col(f).isNotNull()).select(F.col(f).alias("t"),
                                                  F.col(f"_{f}_shift").alias("s"))
        for f in fields])
    days = points.groupBy(F.date_trunc("day", "t").alias("d"), "s").agg(
        F.min("t").alias("lo"), F.max("t").alias("hi")).collect()
    return clock_from_days([(r.lo, r.hi, r.s) for r in days], label)


def _quote(column: str) -> str:
    return "`" + column.replace("`", "``") + "`"


def _pair_lifecycle(events: Any, exclusions: list[dict]) -> Any:
    """One row per activity instance from one row per lifecycle event, as read_log pairs them.

    A lifecycle value containing a start word (:data:`journey.read._START_WORDS`) is a start,
    else one containing a complete word is a complete (so is a missing value), anything else
    is ignored. The k-th start of an activity in a visit pairs with its k-th complete, each
    taken in order of time, then row. The instance keeps the complete's attributes and the
    smaller row number. Ignored events, starts without a complete (excluded) and completes
    without a start (kept with an unknown start; counted only when the log has starts) go into
    ``exclusions``.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    word = F.lower(F.coalesce(F.col("_lifecycle"), F.lit("complete")))
    kind = (F.when(reduce(operator.or_, [word.contains(w) for w in _START_WORDS]), "start")
            .when(reduce(operator.or_, [word.contains(w) for w in _COMPLETE_WORDS]), "complete")
            .otherwise("other"))
    events = events.withColumn("_kind", kind)
    n_other, n_starts = events.agg(F.count_if(F.col("_kind") == "other"),
                                   F.count_if(F.col("_kind") == "start")).first()
    if n_other:
        n, rows, values = _examples(events, F.col("_kind") == "other", F.col("_lifecycle"))
        exclusions.append(dict(reason="lifecycle event other than start/complete (ignored)",
                               rows=n, example_rows=rows, example_values=values))
    order = ["end", *(["_file"] if "_file" in events.columns else []), "_row"]
    key = ["case_id", "activity", "_k"]
    life = events.filter(F.col("_kind") != "other").withColumn("_k", F.row_number().over(
        Window.partitionBy("case_id", "activity", "_kind").orderBy(*order)))
    starts = life.filter(F.col("_kind") == "start")
    completes = life.filter(F.col("_kind") == "complete")
    keep = [F.col(_quote(c)) for c in events.columns
            if c not in ("start", "end", "_kind", "_lifecycle", "_row")]
    paired = completes.join(starts.select(*key, F.col("end").alias("__start"),
                                          F.col("_row").alias("__row")), key, "left").select(
        *keep, F.col("__start").alias("start"), "end", F.least("_row", "__row").alias("_row"))
    if n_starts:
        for reason, frame in (
                ("start event without a matching complete (excluded)",
                 starts.join(completes.select(*key), key, "left_anti")),
                ("complete event without a matching start (kept with unknown start)",
                 paired.filter(F.col("start").isNull()))):
            n, rows, _ = _examples(frame, F.lit(True), F.lit(1))
            if n:
                exclusions.append(dict(reason=reason, rows=n, example_rows=rows,
                                       example_values=[]))
    return paired


def _read_log_spark(
    source: Any,
    *,
    session: Any = None,
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
    time_format: str | None = None,
    invalid: Literal["raise", "exclude"] = "raise",
    duplicates: Literal["keep", "drop"] | Sequence[str] = "keep",
    allow_columns: tuple[str, ...] = (),
    stages: Mapping[str, str] | None = None,
) -> EventLog:
    """Read a visit log with Spark into an :class:`~journey.log.EventLog` whose events stay in
    Spark.

    Parameters
    ----------
    source : pyspark.sql.DataFrame or path
        A Spark DataFrame, or the path (local or a cluster file system such as ``hdfs://`` or
        ``s3a://``) of a Parquet or CSV file or of a folder of Parquet or CSV parts. CSV files
        (plain, ``.gz`` or ``.bz2``) are read as UTF-8 with a header line; the delimiter
        (comma, tab, semicolon or bar) is taken from each local part's header, comma
        otherwise. Local parts must have the same columns, in any order, as
        :func:`journey.read_log` requires. ``.zst`` and ``.zip`` files are refused: decompress
        them first, or read them with :func:`journey.read_log`.
    session : pyspark.sql.SparkSession, optional
        The session to use; defaults to the active one (``SparkSession.builder.getOrCreate()``).
    case, activity, start, end, timestamp, resource, department, patient, lifecycle : str, optional
        Source column of each field, as in :func:`journey.read_log` (``lifecycle="auto"``
        takes a lifecycle column only when its values are lifecycle words; None turns
        detection off); unnamed fields are
        recognised from :data:`journey.COLUMN_PRESETS`. Logs with ``timestamp`` +
        ``lifecycle`` (one row per start/complete event) are paired into activity instances
        as :func:`journey.read_log` pairs them.
    tz : str, optional
        IANA zone of the hospital's clock, as in :func:`journey.read_log`; Spark
        ``TIMESTAMP`` columns (instants) are read on its clock, else on the session time
        zone's.
    time_format : str, optional
        strftime layout for timestamps that are not ISO-like, e.g. ``"%d/%m/%Y %H:%M"``.
    invalid : {"raise", "exclude"}
        What to do with activity instances that end before they start.
    duplicates : {"keep", "drop"} or list of str
        As in :func:`journey.read_log`: every event is kept by default.
    allow_columns : tuple of str
        Columns to keep although the privacy guard takes them for direct identifiers.
    stages : dict, optional
        ``{activity: stage or catalogue touchpoint}`` overriding the default stage mapping.

    Returns
    -------
    EventLog
        Its ``table`` is an Ibis table on the PySpark backend, over a persisted Spark
        DataFrame (memory and disk) of the validated events.

    Raises
    ------
    JourneyError
        The same problems, with the same messages, as :func:`journey.read_log`.

    Notes
    -----
    Rows without a case id, an activity or any time are excluded and counted in
    ``log.exclusions``; times with UTC offsets, dates and duplicates follow the rules of
    :func:`journey.read_log`. In a lifecycle log, the k-th start of an activity in a visit
    pairs with its k-th complete (each in order of time, then row); other transitions are
    ignored, starts without a complete are excluded and completes without a start are kept with
    an unknown start, all counted in ``log.exclusions``; end before start is checked on the pairs.
    Within a case, instances are ordered by start (the end when there is no start), then end,
    then their row in the source. See the module notes for time zones and row numbers.

    Examples
    --------
    >>> from pyspark.sql import SparkSession  # doctest: +SKIP
    >>> spark = SparkSession.builder.master("local[2]").getOrCreate()  # doctest: +SKIP
    >>> log = journey.read_log("data/sample/visits.csv", session=spark)  # doctest: +SKIP
    >>> journey.journey_map(log).transitions.head()  # doctest: +SKIP
    """
    from pyspark import StorageLevel
    from pyspark.sql import SparkSession, Window
    from pyspark.sql import functions as F

    session = session or SparkSession.builder.getOrCreate()
    recorded = session.conf.get("spark.sql.session.timeZone")
    backend = spark_backend(session)  # from here on the session time zone is UTC
    raw, label, folder, n_rows = _source_frame(session, source)
    columns = [c for c in raw.columns if c not in ("_row", "_file")]
    _check_zone(tz, label)
    given = dict(case=case, activity=activity, start=start, end=end, timestamp=timestamp,
                 resource=resource, department=department, patient=patient,
                 lifecycle=None if lifecycle == "auto" else lifecycle)
    mapping = _roles(raw, columns, given, label, lifecycle, allow_columns)
    lifecycle_log = "lifecycle" in mapping

    parsed, clock, ref, day, (n_point, point_rows) = _parse(
        raw, mapping, columns, label, tz, recorded, time_format, bool(folder))

    exclusions: list[dict] = []
    if n_point:
        exclusions.append(dict(reason="missing end time (kept as a moment at its start)",
                               rows=n_point, example_rows=point_rows, example_values=[]))
    valid, counts = _exclude_unusable(parsed, exclusions, lifecycle_log)
    backwards = F.col("end") < F.col("start")
    cached = [parsed]
    if lifecycle_log:
        valid = _pair_lifecycle(valid, exclusions).persist(StorageLevel.MEMORY_AND_DISK)
        cached.append(valid)

    shown = F.concat_ws(" > ", F.col("start").cast("string"), F.col("end").cast("string"))
    n, rows, values = (_examples(valid, backwards, shown) if counts.get("backwards", 1)
                       else (0, [], []))
    if n:
        if invalid == "raise":
            for frame in cached:
                frame.unpersist()
            raise _ends_before_start(n, values, rows, mapping, label)
        exclusions.append(dict(reason="end before start (excluded)", rows=n,
                               example_rows=rows, example_values=values))
        valid = valid.filter(~backwards | backwards.isNull())

    order = (["_file"] if folder else []) + ["_row"]
    if duplicates != "keep":
        valid = _drop_duplicates(valid, duplicates, mapping, exclusions, order)
    seq = Window.partitionBy("case_id").orderBy(F.coalesce("start", "end"), "end", *order)
    events = valid.withColumn("_seq", F.row_number().over(seq))
    events = events.persist(StorageLevel.MEMORY_AND_DISK)
    facts = events.agg(F.count("*").alias("n"), F.count("start").alias("starts")).first()
    for frame in cached:
        frame.unpersist()
    if facts.n == 0:
        events.unpersist()
        raise _nothing_left(exclusions, mapping, label)
    name = f"journey_events_{uuid.uuid4().hex}"
    events.createOrReplaceTempView(name)
    table = pd.DataFrame(exclusions, columns=["reason", "rows", "example_rows",
                                              "example_values"])
    return EventLog(table=backend.table(name), source=label,
                    has_start=facts.starts > 0, columns=dict(mapping),
                    exclusions=table, stages=stages, _con=backend,
                    _source_object=None if label.startswith("<") else label,
                    resolution="day" if day else "time", utc_offset=ref, clock=clock)


def _parse(raw: Any, mapping: dict[str, str], columns: list[str], label: str, tz: str | None,
           recorded: str, time_format: str | None, folder: bool,
           ) -> tuple[Any, tuple, int | None, bool, tuple[int, list[int]]]:
    """The rows with their roles' columns and times parsed (persisted), the clock the
    hospital recorded, the log's UTC offset, whether it records dates only, and the rows with
    a start and no end (kept as moments)."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    times, shift, ref, day = _times(raw, mapping, label, tz, recorded, time_format)
    text = {"case": "case_id", "activity": "activity", "patient": "patient_id",
            "resource": "resource", "department": "department", "lifecycle": "_lifecycle"}
    select = [F.nullif(F.trim(F.col(_quote(mapping[f])).cast("string")), F.lit("")).alias(name)
              for f, name in text.items() if f in mapping]
    point = (times["end"].isNull() & times["start"].isNotNull()) if "start" in times else None
    n_point, point_rows, _ = (_examples(raw, point, F.lit(1)) if point is not None
                              else (0, [], []))
    if n_point:  # a row with a start and no end (a discharge in a transfers table) is a moment
        times["end"] = F.coalesce(times["end"], times["start"])
        if shift:
            shift["end"] = F.coalesce(shift["end"], shift["start"])
    select += [expr.alias(f) for f, expr in times.items()]
    select += [expr.alias(f"_{f}_shift") for f, expr in shift.items()]
    if "start" not in times:
        select.append(F.lit(None).cast("timestamp_ntz").alias("start"))
    reserved = {"case_id", "activity", "patient_id", "resource", "department", "start", "end"}
    select += [F.col(_quote(c)) for c in columns
               if c not in mapping.values() and c not in reserved]
    select += ["_row"] + (["_file"] if folder else [])
    parsed = raw.select(*select).persist(StorageLevel.MEMORY_AND_DISK)
    clock = _clock(parsed, list(shift), label) if shift else ()
    parsed = parsed.drop(*[f"_{f}_shift" for f in shift])
    return parsed, clock, ref, day, (n_point, point_rows)


def _roles(raw: Any, columns: list[str], given: dict, label: str, lifecycle: str | None,
           allow_columns: tuple[str, ...]) -> dict[str, str]:
    """Which source column plays which role, once the privacy guard has passed the frame; a
    column named like a lifecycle that holds other values stays an attribute."""
    from pyspark.sql import functions as F

    skip = ("lifecycle",) if lifecycle is None else ()
    refuse_spark_identifiers(raw, source=label, allow=allow_columns,
                             roles=lambda: _map_columns(columns, given, label, skip))
    mapping = _map_columns(columns, given, label, skip)
    if lifecycle == "auto" and "lifecycle" in mapping:
        value = F.lower(F.trim(F.col(_quote(mapping["lifecycle"])).cast("string")))
        if raw.filter(F.nullif(value, F.lit("")).isNotNull()
                      & ~value.isin(*LIFECYCLE_WORDS)).limit(1).count():
            del mapping["lifecycle"]  # named like one, but holds other values: an attribute
    return _event_time(mapping)


def _exclude_unusable(parsed: Any, exclusions: list[dict], lifecycle_log: bool,
                      ) -> tuple[Any, dict[str, int]]:
    """The rows with a case id, an activity and a time, the others counted in ``exclusions``
    one reason after the other (as read_log deletes them); and the counts of each problem,
    ends before starts included unless lifecycle events are still to be paired."""
    from pyspark.sql import functions as F

    checks = {"missing case id": F.col("case_id").isNull(),
              "missing activity": F.col("activity").isNull(),
              "missing time": F.col("end").isNull()}
    backwards = F.col("end") < F.col("start")
    tally = checks if lifecycle_log else {**checks, "backwards": backwards}  # lifecycle: on pairs
    counts = parsed.agg(*[F.count_if(c).alias(k) for k, c in tally.items()]).first().asDict()
    valid = parsed
    for reason, condition in checks.items():
        n, rows, _ = _examples(valid, condition, F.lit(1)) if counts[reason] else (0, [], [])
        if n:
            exclusions.append(dict(reason=f"{reason} (excluded)", rows=n, example_rows=rows,
                                   example_values=[]))
            valid = valid.filter(~condition)
    return valid, counts


def _drop_duplicates(valid: Any, duplicates: str | Sequence[str], mapping: Mapping[str, str],
                     exclusions: list[dict], order: list[str]) -> Any:
    """The events without exact duplicates (``"drop"``) or without rows equal to an earlier
    one on the columns ``duplicates`` names, the dropped rows counted in ``exclusions``."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    columns_now = [c for c in valid.columns if c not in ("_row", "_file")]
    key, what = _duplicate_key(duplicates, mapping, columns_now)
    ranked = valid.withColumn("_dup", F.row_number().over(
        Window.partitionBy(*[F.col(_quote(c)) for c in key]).orderBy(*order)))
    n, rows, _ = _examples(ranked, F.col("_dup") > 1, F.lit(1))
    if n:
        exclusions.append(dict(reason=what, rows=n, example_rows=rows, example_values=[]))
    return ranked.filter("_dup = 1").drop("_dup")
