"""The identifier scan, run by the engine that holds the raw rows (DuckDB or Spark).

One query over the raw table (written as Ibis expressions, so that DuckDB and Spark run the same
rules) takes every text column's distinct values with their counts, evaluates the patterns of
:mod:`journey.privacy` on them with the engine's regular-expression functions, and returns one
small row per column. The verdicts are taken in :mod:`journey.privacy` from those counts. No raw
value reaches Python except the few matching ones, which are masked at once.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import ibis
import ibis.expr.types as ir
import ibis.selectors as sel
import pandas as pd

from journey._catalogue import _LOOKUP

__all__ = ["FEATURES", "scan_duckdb", "scan_spark"]

# --- patterns (valid in RE2 and in Java regular expressions alike) ----------------------------

_HAN = "一-鿿"
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶程"
    "魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾"
    "龚邵万覃武钱戴严莫孔向常汤"
)
_COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "尉迟",
                      "公孙", "司徒", "夏侯", "端木", "长孙", "宇文")
_NOT_NAME_ENDINGS = "科室部区处院诊号费药房站台窗楼层组"
#: catalogue touchpoint names written in Han characters only (never person names)
_HAN_TOUCHPOINTS = tuple(sorted(k for k in _LOOKUP if k and all("一" <= ch <= "鿿" for ch in k)))

#: a Chinese mobile number, alone or inside text: 1[3-9] and 9 digits, optionally in 3-4-4
#: groups separated by a space or a dash, optionally after 86, +86 or 0086, not part of a
#: longer run of digits
_MOBILE = r"(?:^|[^0-9])(?:(?:\+?86|0086)[ -]?)?(1[3-9][0-9](?:[ -]?[0-9]{4}){2})(?:$|[^0-9])"
#: an 11-digit number starting with 1 (the shape of a mobile number, any second digit)
_ELEVEN = r"(?:^|[^0-9])(1[0-9]{10})(?:$|[^0-9])"
#: a number written with a leading + (international), alone
_INTERNATIONAL = r"^\+[0-9][0-9 ().-]{6,24}$"
#: an 18-character resident ID number, alone or inside text
_RESIDENT_ID = r"(?:^|[^0-9])([1-9][0-9]{16}[0-9Xx])(?:$|[^0-9A-Za-z])"
_EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_PHONE_CHARS = r"^\+?[0-9 ().-]+$"
_LATIN_NAME = r"^[A-Za-z][A-Za-z'.-]*(?:\s+[A-Za-z][A-Za-z'.-]*){1,3}$"
_DATE = (r"^[0-9]{4}[-/.年][0-9]{1,2}[-/.月][0-9]{1,2}日?(?: 00:00(?::00)?)?$"
         r"|^[0-9]{8}$")
_ID_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]

#: features counted per column: (rows, distinct values) matching each
FEATURES = ("mobile", "mobile_whole", "eleven", "eleven_mobile", "international", "id_shape",
            "id_valid", "id_whole", "email", "email_whole", "name", "name_loose", "phone_loose",
            "id_loose", "date")


def _with_birth_date(d: ir.Table) -> ir.Table:
    """``d`` with ``id_shape``: ``id_safe`` holds a calendar date (1900 to this year) at
    characters 7-14, as a resident ID number does."""
    d = d.mutate(by=d.id_safe.substr(6, 4).cast("int64"), bm=d.id_safe.substr(10, 2).cast("int64"),
                 bd=d.id_safe.substr(12, 2).cast("int64"))
    leap = ((d.by % 4 == 0) & (d.by % 100 != 0)) | (d.by % 400 == 0)
    last = ibis.cases((d.bm == 2, ibis.ifelse(leap, 29, 28)),
                      (d.bm.isin([4, 6, 9, 11]), 30), else_=31)
    valid = (d.by >= 1900) & (d.by <= dt.date.today().year) & (d.bm >= 1) & (d.bm <= 12) \
        & (d.bd >= 1) & (d.bd <= last)
    return d.mutate(id_shape=(d.id_value.length() == 18) & valid).drop("by", "bm", "bd")


def _features(d: ir.Table) -> ir.Table:
    """Per distinct value ``v``: the extracted candidates and a flag per feature.

    Built in steps (each a projection of the one before) so that the SQL stays small.
    """
    d = d.mutate(s=d.v.strip())
    d = d.mutate(mobile_value=d.s.re_extract(_MOBILE, 1).re_replace("[^0-9]", ""),
                 eleven_value=d.s.re_extract(_ELEVEN, 1),
                 digits=d.s.re_replace("[^0-9]", ""),
                 id_value=d.s.re_extract(_RESIDENT_ID, 1).upper())
    d = d.mutate(id_safe=ibis.ifelse(d.id_value.length() == 18, d.id_value,
                                     "000000000000000000"))
    d = _with_birth_date(d)
    d = d.mutate(id_safe=ibis.ifelse(d.id_shape, d.id_safe, "000000000000000000"))
    # two halves of at most 9 digits: their divisions stay exact in floating point
    d = d.mutate(id_high=d.id_safe.substr(0, 9).cast("int64"),
                 id_low=d.id_safe.substr(9, 8).cast("int64"), id_last=d.id_safe.substr(17))
    total = sum((d.id_high // 10 ** (8 - i)) % 10 * w for i, w in enumerate(_ID_WEIGHTS[:9])) \
        + sum((d.id_low // 10 ** (7 - i)) % 10 * w for i, w in enumerate(_ID_WEIGHTS[9:]))
    check = ibis.ifelse(d.id_last == "X", "10", d.id_last).cast("int64")
    d = d.mutate(id_valid=d.id_shape & ((total + check) % 11 == 1),
                 han_name=d.s.re_search(f"^[{_HAN}]{{2,4}}$"))
    s, n_digits = d.s, d.digits.length()
    return d.select(
        "c", "v", "n", "mobile_value", "id_value", "id_shape", "id_valid",
        id_whole=d.id_valid & (d.id_value == s.upper()),
        mobile=d.mobile_value.length() == 11,
        mobile_whole=(d.mobile_value.length() == 11) & s.re_search(_PHONE_CHARS),
        eleven=d.eleven_value.length() == 11,
        eleven_mobile=d.eleven_value.re_search("^1[3-9][0-9]{9}$"),
        international=s.re_search(_INTERNATIONAL) & ~s.startswith("+86")
        & (n_digits >= 8) & (n_digits <= 15),
        email=s.re_search(_EMAIL),
        email_whole=s.re_search(f"^{_EMAIL}$"),
        name=d.han_name & (s.substr(0, 1).isin(list(_SURNAMES))
                           | s.substr(0, 2).isin(list(_COMPOUND_SURNAMES)))
        & ~s.re_search(f"[{_NOT_NAME_ENDINGS}]$") & ~s.isin(list(_HAN_TOUCHPOINTS)),
        name_loose=d.han_name | s.re_search(_LATIN_NAME),
        phone_loose=s.re_search(_PHONE_CHARS) & (n_digits >= 7) & (n_digits <= 15),
        id_loose=s.re_search(r"^(?:[0-9]{15}|[0-9]{17}[0-9Xx])$"),
        date=s.re_search(_DATE),
    )


def _serial(f: ir.Table, value: str, flag: str, digits: int) -> ir.Table:
    """Per column: how many distinct candidate numbers, and how many of the gaps between
    consecutive ones are small (serial numbering) -- see :mod:`journey.privacy`."""
    numbers = f.filter(f[flag]).select("c", num=f[value].substr(0, digits).cast("int64")) \
        .distinct()
    whole = ibis.window(group_by="c")
    numbers = numbers.mutate(k=numbers.num.count().over(whole),
                             span=numbers.num.max().over(whole) - numbers.num.min().over(whole),
                             gap=numbers.num - numbers.num.lag().over(
                                 ibis.window(group_by="c", order_by="num")))
    limit = ibis.greatest(10, numbers.span / (100 * numbers.k))
    return numbers.group_by("c").aggregate(
        **{f"{flag}_k": numbers.num.count(),
           f"{flag}_gaps": numbers.gap.count(),
           f"{flag}_small": (numbers.gap <= limit).cast("int64").sum()})


_VALUES = "_journey_scan_values"


_FEATURES_TABLE = "_journey_scan_features"


#: a cheap test that a value may match any pattern (evaluated once per distinct value); the
#: other patterns run only on such values and on every value of columns whose name hints a kind
_CANDIDATE = (r"1[0-9]{2}[ -]?[0-9]{4}[ -]?[0-9]{4}|[0-9]{15}|@|^\s*\+|"
              f"^\\s*[{_HAN}]{{2,4}}\\s*$|^\\s*[A-Za-z][A-Za-z'.-]*\\s+[A-Za-z]")


@functools.lru_cache(maxsize=4)
def _queries(dialect: str) -> tuple[str, str]:
    """The scan as two SQL statements of ``dialect``: the features of each distinct value of
    ``_journey_scan_values(c, v, n, h)`` (each column's distinct non-missing values ``v`` as
    text with their counts ``n``; ``h``: the column's name hints a kind) that may match, and
    the counts per column (with those features held in ``_journey_scan_features``)."""
    values = ibis.table({"c": "int64", "v": "string", "n": "int64", "h": "boolean"},
                        name=_VALUES)
    features = _features(values.filter(values.h | values.v.re_search(_CANDIDATE)))
    f = ibis.table(features.schema(), name=_FEATURES_TABLE)
    metrics: dict[str, ir.Value] = {}
    for name in FEATURES:
        metrics[f"{name}_rows"] = f.n.sum(where=f[name])
        metrics[f"{name}_distinct"] = f.v.count(where=f[name])
        example = {"mobile": f.mobile_value, "mobile_whole": f.mobile_value,
                   "id_valid": f.id_value, "id_whole": f.id_value,
                   "id_shape": f.id_value}.get(name, f.v)
        metrics[f"{name}_example"] = example.min(where=f[name])
        metrics[f"{name}_example2"] = example.max(where=f[name])
    counts = values.group_by("c").aggregate(rows=values.n.sum(), distinct=values.v.count())
    for right in (f.group_by("c").aggregate(**metrics), _serial(f, "mobile_value", "mobile", 11),
                  _serial(f, "id_value", "id_valid", 17)):
        counts = counts.left_join(right, "c").select(~sel.endswith("_right"))
    return ibis.to_sql(features, dialect=dialect), ibis.to_sql(counts, dialect=dialect)


def _numeric_text(kind: str, name: str, string: str) -> str:
    """SQL for a column as text; whole floats as integers (``13812345678.0`` -> ``"138..."``)."""
    if kind in ("float", "double", "decimal"):
        return (f"CASE WHEN {name} = floor({name}) AND abs({name}) < 1e15 THEN "
                f"CAST(CAST({name} AS BIGINT) AS {string}) ELSE CAST({name} AS {string}) END")
    return f"CAST({name} AS {string})"


def _finish(out: pd.DataFrame, columns: Sequence[str], dates: pd.DataFrame | None
            ) -> pd.DataFrame:
    out = out.copy()
    out["column"] = [columns[int(i)] for i in out.pop("c")]
    if dates is not None:
        out = pd.concat([out, dates], ignore_index=True)
    for name in ("rows", "distinct", *[f"{n}_{k}" for n in FEATURES for k in ("rows", "distinct")],
                 *[f"{n}_{k}" for n in ("mobile", "id_valid") for k in ("k", "gaps", "small")]):
        out[name] = out[name].fillna(0).astype("int64") if name in out else 0
    return out.reset_index(drop=True)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({"c": pd.Series([], dtype="int64")})


def scan_duckdb(con: duckdb.DuckDBPyConnection, table: str, *, columns: Sequence[str],
                types: Mapping[str, str], dates: Sequence[str] = (),
                hinted: Sequence[str] = ()) -> pd.DataFrame:
    """Counts of pattern matches per column of a DuckDB table, in one query over it.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The connection holding ``table``.
    table : str
        The raw rows.
    columns : sequence of str
        Columns scanned as text.
    types : dict
        DuckDB type name of each scanned column.
    dates : sequence of str
        Date or date-time columns tested for dates without a time of day.
    hinted : sequence of str
        Columns whose name hints a kind: every value is tested, not only those that may
        match the strict patterns.

    Returns
    -------
    pandas.DataFrame
        One row per scanned column (``column``), with ``rows`` and ``distinct`` (non-missing
        rows and distinct values), and for each feature of :data:`FEATURES` ``<f>_rows``,
        ``<f>_distinct`` and ``<f>_example`` (one matching value: the identifier itself when it
        is inside a longer text), plus ``mobile_k``/``mobile_gaps``/``mobile_small`` and the
        same for ``id_valid`` (serial numbering), and ``padded_rows`` (rows whose text has
        leading or trailing spaces or is blank); date columns have ``rows`` and ``date_rows``.

    Examples
    --------
    >>> import duckdb
    >>> con = duckdb.connect()
    >>> _ = con.execute("CREATE TABLE raw AS SELECT * FROM (VALUES ('call 13812345678'), "
    ...                 "('无'), ('无')) AS t(note)")
    >>> row = scan_duckdb(con, "raw", columns=["note"], types={"note": "VARCHAR"}).iloc[0]
    >>> int(row["rows"]), int(row["distinct"]), int(row["mobile_rows"]), row["mobile_example"]
    (3, 2, 1, '13812345678')
    """
    def q(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    out = _empty()
    if columns:
        kinds = {c: "double" if types[c] in ("DOUBLE", "FLOAT", "REAL") or
                 types[c].startswith("DECIMAL") else "other" for c in columns}
        parts = [f"SELECT {i}::BIGINT AS c, v, count(*) AS n, {c in hinted} AS h FROM (SELECT "
                 f"{_numeric_text(kinds[c], q(c), 'VARCHAR')} AS v FROM {q(table)}) "
                 f"WHERE v IS NOT NULL GROUP BY v" for i, c in enumerate(columns)]
        features, counts = _queries("duckdb")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_VALUES} AS {' UNION ALL '.join(parts)}")
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {_FEATURES_TABLE} AS {features}")
            out = con.sql(counts).df()
            # rows whose text read_log must trim (or blank out): without any, it reads as is
            padded = con.sql(f"SELECT c, sum(n) FILTER (trim(v) <> v OR trim(v) = '') AS p "
                             f"FROM {_VALUES} GROUP BY c").df()
            out["padded_rows"] = out.c.map(padded.set_index("c").p).fillna(0)
        finally:
            con.execute(f"DROP TABLE IF EXISTS {_VALUES}")
            con.execute(f"DROP TABLE IF EXISTS {_FEATURES_TABLE}")
    found = None
    if dates:
        checks = ", ".join(f"count({q(c)}), count(*) FILTER (CAST({q(c)} AS TIMESTAMP) = "
                           f"date_trunc('day', CAST({q(c)} AS TIMESTAMP)))" for c in dates)
        row = con.execute(f"SELECT {checks} FROM {q(table)}").fetchall()[0]
        found = pd.DataFrame({"column": list(dates), "rows": row[0::2], "date_rows": row[1::2]})
    return _finish(out, columns, found)


def scan_spark(frame: Any, *, columns: Sequence[str], dates: Sequence[str] = (),
               hinted: Sequence[str] = ()) -> pd.DataFrame:
    """:func:`scan_duckdb` on a Spark DataFrame: the same query, in Spark SQL.

    Examples
    --------
    >>> from pyspark.sql import SparkSession  # doctest: +SKIP
    >>> spark = SparkSession.builder.master("local[1]").getOrCreate()  # doctest: +SKIP
    >>> frame = spark.createDataFrame([("call 13812345678",), ("无",)], ["note"])  # doctest: +SKIP
    >>> scan_spark(frame, columns=["note"])["mobile_rows"].tolist()  # doctest: +SKIP
    [1]
    """
    from pyspark.sql import functions as F

    session = frame.sparkSession
    out = _empty()
    if columns:
        types = dict(frame.dtypes)
        parts = []
        for i, c in enumerate(columns):
            kind = "double" if types[c] in ("double", "float") or \
                types[c].startswith("decimal") else "other"
            value = F.expr(_numeric_text(kind, "`" + c.replace("`", "``") + "`", "STRING"))
            parts.append(frame.select(value.alias("v")).where(F.col("v").isNotNull())
                         .groupBy("v").count().select(F.lit(i).cast("bigint").alias("c"), "v",
                                                      F.col("count").alias("n"),
                                                      F.lit(c in hinted).alias("h")))
        values = functools.reduce(lambda a, b: a.unionByName(b), parts)
        features, counts = _queries("pyspark")
        values.createOrReplaceTempView(_VALUES)
        held = session.sql(features).persist()
        try:
            held.createOrReplaceTempView(_FEATURES_TABLE)
            out = session.sql(counts).toPandas()
        finally:
            held.unpersist()
            session.catalog.dropTempView(_FEATURES_TABLE)
            session.catalog.dropTempView(_VALUES)
    found = None
    if dates:
        aggs = []
        for c in dates:
            col = F.col("`" + c.replace("`", "``") + "`").cast("timestamp")
            aggs += [F.count(col), F.count(F.when(col == F.date_trunc("day", col), 1))]
        row = frame.agg(*aggs).collect()[0]
        found = pd.DataFrame({"column": list(dates), "rows": list(row[0::2]),
                              "date_rows": list(row[1::2])})
    return _finish(out, columns, found)
