"""Read a visit log into Spark, for logs of many hospitals or many years.

``journey.read_log(source, session=spark)`` reads with :func:`_read_log_spark`. What Spark
needs of its own is here: reading files, folders and Spark DataFrames with their row numbers,
finding the roles' columns (the privacy guard and the lifecycle-word check run on the Spark
DataFrame, before any Ibis table exists), and parsing the times, whose layouts Spark writes as
Java datetime patterns (:func:`_java_pattern`) where DuckDB takes strftime codes. The parsed
rows then go through the rules both engines run (:mod:`journey._pipeline`), on the Ibis PySpark
backend: Spark excludes, pairs, de-duplicates and orders the events, and only counts and
examples come back to Python. The resulting :class:`~journey.log.EventLog` holds an Ibis table
on that backend, and the analyses are the same Ibis expressions as on DuckDB.

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
import ibis.expr.types as ir
import pandas as pd
from ibis.backends.sql.compilers.pyspark import PySparkCompiler

from journey import _pipeline
from journey._reading import (
    _FIELD_COLUMNS,
    _OFFSET,
    _TEXT_COLUMNS,
    LIFECYCLE_WORDS,
    TIME_FORMATS,
    _check_columns,
    _check_options,
    _event_time,
    _map_columns,
    _mixed_offsets,
    _not_times,
    _offsets,
    _same_header,
    _unreadable_times,
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
            raise _not_times(dtype.simpleString(), label, column)
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
            raise _unreadable_times(bad, values, rows, label, column)
        if n_off == 0:
            out[field] = parse, None if tz is None else _ahead(
                parse, F.to_utc_timestamp(parse.cast("timestamp"), tz))
            continue
        if n_plain:
            _, rows, values = _examples(frame, text.isNotNull() & ~offset, raw)
            raise _mixed_offsets(n_off, n_plain, values, rows, label, column)
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
    offsets = {} if day else _offsets(parts, mapping, label)
    if not offsets:
        return {f: wall for f, (wall, _) in parts.items()}, {}, None, bool(day)
    lows = [F.min(o) for o in offsets.values()]
    ref = frame.agg(F.least(*lows) if len(lows) > 1 else lows[0]).first()[0]
    shift = {f: (o - F.lit(int(ref))) for f, o in offsets.items()}
    times = {f: F.timestamp_add("MINUTE", -shift[f], wall) for f, (wall, _) in parts.items()}
    return times, shift, int(ref), False


def _quote(column: str) -> str:
    return "`" + column.replace("`", "``") + "`"


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
    """:func:`journey.read_log` with ``session=``: the events are read into Spark and stay
    there.

    The parameters are those of :func:`journey.read_log`; ``source`` is a Spark DataFrame or
    the path (local, ``hdfs://``, ``s3a://``, ...) of a Parquet or CSV file or of a folder of
    Parquet or CSV parts. CSV files (plain, ``.gz`` or ``.bz2``) are read as UTF-8 with a
    header line; the delimiter (comma, tab, semicolon or bar) is taken from each local part's
    header, comma otherwise. The log's ``table`` is an Ibis table on the PySpark backend, over
    a persisted Spark DataFrame (memory and disk) of the validated events.
    """
    from pyspark.sql import SparkSession

    session = session or SparkSession.builder.getOrCreate()
    recorded = session.conf.get("spark.sql.session.timeZone")
    backend = spark_backend(session)  # from here on the session time zone is UTC
    raw, label, folder, _ = _source_frame(session, source)
    columns = [c for c in raw.columns if c not in ("_row", "_file")]
    _check_options(tz, duplicates, label)
    given = dict(case=case, activity=activity, start=start, end=end, timestamp=timestamp,
                 resource=resource, department=department, patient=patient,
                 lifecycle=None if lifecycle == "auto" else lifecycle)
    mapping = _roles(raw, columns, given, label, lifecycle, allow_columns)
    parsed, ref, day = _parse(raw, mapping, columns, label, tz, recorded, time_format,
                              bool(folder))
    kept: list[tuple[Any, str]] = []
    keep = _keeper(backend, kept)
    try:
        parsed, exclusions = _pipeline.moments(keep(parsed, "parsed"))
        clock = _pipeline.clock(parsed, label)
        events, _, has_start = _pipeline.events(
            parsed, keep, mapping=mapping, label=label, invalid=invalid,
            duplicates=duplicates, exclusions=exclusions)
    except BaseException:
        _release(session, kept)
        raise
    _release(session, kept[:-1])  # the steps before the events
    table = pd.DataFrame(exclusions, columns=["reason", "rows", "example_rows",
                                              "example_values"])
    return EventLog(table=events, source=label, has_start=has_start, columns=dict(mapping),
                    exclusions=table, stages=stages, _con=backend,
                    _source_object=None if label.startswith("<") else label,
                    resolution="day" if day else "time", utc_offset=ref, clock=clock)


def _keeper(backend: Any, kept: list[Any]) -> _pipeline.Keep:
    """Store an expression of the reading rules, or a Spark DataFrame, as a persisted
    DataFrame (memory and disk) under a temporary view; ``kept`` collects them."""
    from pyspark import StorageLevel

    def keep(expr: Any, name: str) -> Any:
        frame = (backend.raw_sql(backend.compile(expr)) if isinstance(expr, ir.Table)
                 else expr)
        frame = frame.persist(StorageLevel.MEMORY_AND_DISK)
        view = f"journey_{name}_{uuid.uuid4().hex}"
        frame.createOrReplaceTempView(view)
        kept.append((frame, view))
        return backend.table(view)
    return keep


def _release(session: Any, kept: list[tuple[Any, str]]) -> None:
    """Unpersist the DataFrames of ``kept`` and drop their views."""
    for frame, view in kept:
        frame.unpersist()
        session.catalog.dropTempView(view)


def _parse(raw: Any, mapping: dict[str, str], columns: list[str], label: str, tz: str | None,
           recorded: str, time_format: str | None, folder: bool,
           ) -> tuple[Any, int | None, bool]:
    """The rows with their roles' columns and times parsed, the log's UTC offset, and whether
    it records dates only."""
    from pyspark.sql import functions as F

    times, shift, ref, day = _times(raw, mapping, label, tz, recorded, time_format)
    select = [F.nullif(F.trim(F.col(_quote(mapping[f])).cast("string")), F.lit("")).alias(name)
              for f, name in _TEXT_COLUMNS.items() if f in mapping]
    select += [expr.alias(f) for f, expr in times.items()]
    select += [expr.alias(f"_{f}_shift") for f, expr in shift.items()]
    if "start" not in times:
        select.append(F.lit(None).cast("timestamp_ntz").alias("start"))
    select += [F.col(_quote(c)) for c in columns
               if c not in mapping.values() and c not in _FIELD_COLUMNS.values()]
    select += ["_row"] + (["_file"] if folder else [])
    return raw.select(*select), ref, day


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
