"""The privacy guard: find direct identifiers of patients, and replace them by keyed pseudonyms.

journey works on anonymised logs only. :func:`scan_identifiers` looks for columns holding person
names, phone numbers, resident ID numbers, e-mail addresses or dates of birth, by column name
(English and Chinese) and by values; :func:`refuse_identifiers` stops a load that contains them;
:func:`pseudonymise` replaces such columns by keyed HMAC-SHA256 pseudonyms, so that visits of
one patient stay linked without revealing who the patient is.

How the scan works
------------------
:func:`journey.read_log` scans the raw table where it lies, in its engine (DuckDB, or Spark for
``read_log(session=spark)``), before any message can quote a value: one query takes every
distinct value of every column (as text; whole floats as integers) with its count, and
evaluates the patterns below on those values with the engine's regular-expression functions.
Every row counts, not a sample. Only per-column counts and a few matching values come back, and
those values are masked (``138****5678``) before anything is shown. :func:`scan_identifiers`
runs the same query on a DataFrame in a private DuckDB database.

Detection rules
---------------
"Share" is the larger of the share of non-missing rows and the share of distinct values that
match; the second keeps identifiers mixed with a few placeholder words ("无", "复诊") visible.
A column's name *hints* a kind when it reads like one (``phone``, ``手机``, ``身份证``,
``姓名``, ``email``, ``出生日期``...).

- phone number: a Chinese mobile number (``1[3-9]`` and 9 digits, alone or inside text, in
  3-4-4 groups or not, with or without ``+86``) or a whole value starting with ``+`` and 8-15
  digits. One is enough, except (a) when more than a tenth of the column's 11-digit numbers
  starting with 1 cannot be mobile numbers (``10``-``12``...): random codes of that length, and
  (b) in the case or patient column (see Roles), when the mobile-like numbers are *serial*: at
  least two distinct ones, at least half of the gaps between consecutive ones (sorted) at most
  ``max(10, span / (100 x count))``. Phone numbers of patients are spread over the numbering
  plan, so their gaps are about ``0.7 x span / count``; visit numbers issued in sequence
  (``13000000001``, ``13000000002``..., or a date plus a counter) have small gaps. With a
  hinting name neither exception applies, and numbers of 7-15 digits (landlines) in a fifth
  of the column suffice.
- resident ID number: 18 characters with a valid birth date (1900 to this year) at characters
  7-14, alone or inside text, when at least half of the distinct such numbers carry the right
  GB 11643-1999 (ISO 7064 MOD 11-2) check character (random codes of that shape pass it one
  time in eleven), unless they are serial in the case or patient column (as above). With a
  hinting name, 15 digits or 17 digits and a digit or ``X`` in a fifth of the column suffice.
- e-mail address: any value that is or contains ``local@domain.tld``.
- person name: whole values of 2-4 Han characters starting with one of the 100 most common
  surnames (or a compound surname), not a catalogue touchpoint nor ending like a department
  (科, 室, 诊...), with a share of at least half and diverse (at least ``min(30, max(3,
  rows / 2))`` distinct names, so a small vocabulary of desks is not taken for patients); with
  a hinting name, 2-4 Han characters or 2-4 Latin words with a share of a fifth.
- date of birth: only in columns whose name hints it, a date without time of day in a fifth.

Roles. :func:`journey.read_log` tells the scan which columns are the case, activity,
department and resource columns. The activity and department columns hold the log's
vocabulary (touchpoints, departments), so they are not judged as person names (a touchpoint
may read like one); an identifier inside them (a phone number in an activity label) is still
refused. The case and patient columns hold keys the hospital issues: serial numbers there that
look like mobile or ID numbers pass under exception (b). Elsewhere serial numbers are not
exempt: the patients of one city share few blocks of mobile numbers, so at scale their phone
numbers can be dense too; a column of order numbers flagged that way is named in
``allow_columns`` (or mapped as ``case=`` when it is the visit number). A column of staff names
as resources is refused like patient names: pseudonymise it too, or name it in
``allow_columns`` when that is the governance rule.

Not found: names inside free text, names written other than above, phone numbers of other
countries without ``+``, identifiers in column names (a header cell is checked only for
mobile and ID numbers and e-mail addresses: a file without a header line).

Small counts in figures
-----------------------
:func:`set_min_count` sets, for the session, the smallest number of visits a journey-map figure
may show (:mod:`journey._figures_maps`): nodes, edges, links, bars and variants built from fewer
visits are left out, and the figure says how many. The default, ``None``, shows everything.
Study reports (``journey report``) set it to their suppression threshold.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import duckdb
import pandas as pd

from journey._scan import scan_duckdb, scan_spark
from journey._tables import _check_min_count
from journey.errors import JourneyError

__all__ = [
    "get_min_count",
    "pseudonymise",
    "refuse_identifiers",
    "scan_identifiers",
    "set_min_count",
]

_SHARE = 0.5
_HINTED_SHARE = 0.2
_CODES_SHARE = 0.1

_HINTS = {
    "person name": r"^(patient|person|full|first|last|given|family|sur|contact)?[\s_\-.]*name$"
                   r"|姓名|名字|^姓$|^名$|患者$|病人$|联系人|家属",
    "phone number": r"phone|mobile|(^|[^a-z])tel([^a-z]|$)|cell|电话|手机|联系方式",
    "resident ID number": r"id[\s_\-.]*card|identity|national[\s_\-.]*id|resident[\s_\-.]*id"
                          r"|citizen|身份证|证件",
    "e-mail address": r"e[\s_\-.]*mail|邮箱|邮件",
    "date of birth": r"birth|^dob$|出生|生日",
}
#: roles whose values are the log's vocabulary: never judged as person names
_VOCABULARY_ROLES = ("activity", "department")
#: roles whose values are keys issued by the hospital: serial numbers there are not phones
_KEY_ROLES = ("case", "patient")
_COLUMNS = ["column", "kind", "matches", "distinct", "share", "example", "where"]
_min_count: int | None = None

_ID_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]
_NAME_CHECKS = (("phone number", re.compile(r"^\+?(86)?1[3-9]\d{9}$")),
                ("resident ID number", re.compile(r"^[1-9]\d{16}[\dXx]$")),
                ("e-mail address", re.compile(r"^[\w.+\-]+@[\w\-]+(\.[\w\-]+)*\.[A-Za-z]{2,}$")))

def set_min_count(k: int | None) -> None:
    """Set the smallest count of visits that journey-map figures show in this session.

    Figure elements (process-map nodes and edges, Sankey links, stage-map and variant bars,
    bars of map changes) built from 1 to ``k - 1`` visits are left out of the figures, whose
    subtitle then says how many were hidden. A figure function's own ``min_count`` argument
    takes precedence.

    Parameters
    ----------
    k : int or None
        Smallest count shown, at least 1; ``None`` (the default) shows every element.

    Examples
    --------
    >>> set_min_count(5)
    >>> get_min_count()
    5
    >>> set_min_count(None)
    """
    global _min_count
    _min_count = _check_min_count(k)


def get_min_count() -> int | None:
    """The session's smallest count shown in figures (see :func:`set_min_count`).

    Functions that take ``min_count=None`` use this value.

    Examples
    --------
    >>> get_min_count() is None
    True
    """
    return _min_count


def _check_character(first17: str) -> str:
    """Check character of a resident ID number (GB 11643-1999, ISO 7064 MOD 11-2).

    Examples
    --------
    >>> _check_character("11010519491231002")
    'X'
    """
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def scan_identifiers(frame: pd.DataFrame, *, roles: Mapping[str, str] | None = None,
                     ) -> pd.DataFrame:
    """Columns that hold direct identifiers of people.

    Parameters
    ----------
    frame : pandas.DataFrame
        The raw data (any column types). Every row is examined.
    roles : dict, optional
        ``{role: column}`` for the columns whose role in the log is known (``"case"``,
        ``"activity"``, ``"department"``, ``"resource"``, ``"patient"``), as
        :func:`journey.read_log` maps them; see the module documentation.

    Returns
    -------
    pandas.DataFrame
        One row per flagged column and kind: ``column``, ``kind`` (``"person name"``, ``"phone
        number"``, ``"resident ID number"``, ``"e-mail address"`` or ``"date of birth"``),
        ``matches`` (rows that hold one), ``distinct`` (distinct values that hold one),
        ``share`` (see the module documentation), ``example`` (masked matching identifiers
        such as ``"138****5678"``, never a full value) and ``where`` (``"values"``, ``"inside
        text"``, ``"values and inside text"`` or ``"column name"``).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"case_id": ["V000123", "V000124", "V000125"],
    ...                       "备注": ["请回电 13812345678", "无", "139 0000 1111"]})
    >>> found = scan_identifiers(frame)
    >>> found[["column", "kind", "matches", "where"]]
      column          kind  matches                   where
    0     备注  phone number        2  values and inside text
    >>> found.loc[0, "example"]
    '138****5678, 139****1111'
    """
    con = duckdb.connect()
    try:
        from journey.formats import register_source

        register_source(con, frame, name="raw")
        return _scan_duckdb(con, "raw", roles or {})[0]
    finally:
        con.close()


def refuse_identifiers(frame: pd.DataFrame, *, source: str | None,
                       allow: Iterable[str] = (), roles: Mapping[str, str] | None = None,
                       ) -> None:
    """Raise :class:`JourneyError` when the data hold direct identifiers of patients.

    Parameters
    ----------
    frame : pandas.DataFrame
        The raw data; every row is examined (:func:`scan_identifiers`).
    source : str or None
        The file (or ``"<DataFrame>"``) named in the message.
    allow : iterable of str
        Columns to accept although they are flagged (false alarms, e.g. a column of order
        numbers that happen to look like phone numbers).
    roles : dict, optional
        ``{role: column}``, as in :func:`scan_identifiers`.

    Raises
    ------
    JourneyError
        Naming each flagged column, the kind, how many rows and distinct values, masked
        examples, and how to fix it: replace the column with ``journey.pseudonymise(data,
        columns=[...], secret=...)``, drop it, or list it in ``allow_columns`` for a false alarm.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"case_id": ["V1", "V2"], "email": ["a.li@example.com", None]})
    >>> refuse_identifiers(frame, source="log.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    journey.errors.JourneyError: log.csv, column 'email': the data hold direct identifiers ...
    >>> refuse_identifiers(frame, source="log.csv", allow=["email"])
    """
    _refuse(scan_identifiers(frame, roles=roles), source, allow)


def refuse_table_identifiers(con: duckdb.DuckDBPyConnection, table: str, *, source: str | None,
                             allow: Iterable[str] = (),
                             roles: Mapping[str, str] | Callable[[], Mapping[str, str]] | None
                             = None) -> frozenset[str]:
    """:func:`refuse_identifiers` on a DuckDB table, scanned where it lies (one query).

    Used by :func:`journey.read_log` on the raw rows before any message may quote a value.
    ``roles`` may be a function returning the ``{role: column}`` mapping: when it raises
    :class:`JourneyError` (a column mapping problem, whose message lists the column names), the
    columns are scanned without roles and that error is raised only if nothing was found.

    Returns the text columns none of whose values has leading or trailing spaces or is blank
    (found by the same scan): :func:`journey.read_log` reads them without trimming.

    Examples
    --------
    >>> import duckdb
    >>> con = duckdb.connect()
    >>> _ = con.execute("CREATE TABLE raw AS SELECT 'V' || i AS case_id, "
    ...                 "'1380000' || lpad(CAST(i * 7919 AS VARCHAR), 4, '0') AS contact "
    ...                 "FROM range(1, 100) AS t(i)")
    >>> refuse_table_identifiers(con, "raw", source="log.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    journey.errors.JourneyError: log.csv, column 'contact': ...phone number in 99 row(s)...
    >>> sorted(refuse_table_identifiers(con, "raw", source="log.csv", allow=["contact"]))
    ['case_id', 'contact']
    """
    mapping, pending = _roles(roles)
    found, counts = _scan_duckdb(con, table, mapping)
    _refuse(found, source, allow)
    if pending is not None:
        raise pending
    if "padded_rows" not in counts:  # no text column
        return frozenset()
    return frozenset(counts.loc[counts["padded_rows"] == 0, "column"])


def refuse_spark_identifiers(frame: Any, *, source: str | None, allow: Iterable[str] = (),
                             roles: Mapping[str, str] | Callable[[], Mapping[str, str]] | None
                             = None) -> None:
    """:func:`refuse_table_identifiers` on a Spark DataFrame: the same query, run by Spark.

    Examples
    --------
    >>> from pyspark.sql import SparkSession  # doctest: +SKIP
    >>> spark = SparkSession.builder.master("local[1]").getOrCreate()  # doctest: +SKIP
    >>> frame = spark.createDataFrame([("V1", "a.li@example.com")],  # doctest: +SKIP
    ...                               ["case_id", "mail"])
    >>> refuse_spark_identifiers(frame, source="log.parquet")  # doctest: +SKIP
    Traceback (most recent call last):
    ...
    journey.errors.JourneyError: log.parquet, column 'mail': ...
    """
    mapping, pending = _roles(roles)
    names = [c for c in frame.columns if c not in ("_row", "_file")]
    types = dict(frame.dtypes)
    text = [c for c in names if not _skipped(types[c]) and not _temporal(types[c])]
    dates = [c for c in names if _temporal(types[c]) and _hinted("date of birth", c)]
    hinted = [c for c in text if any(_hinted(kind, c) for kind in _HINTS)]
    counts = scan_spark(frame, columns=text, dates=dates, hinted=hinted)
    _refuse(_verdicts(counts, names, mapping), source, allow)
    if pending is not None:
        raise pending


def pseudonymise(data: pd.DataFrame, columns: str | Sequence[str], *, secret: str | bytes,
                 prefix: str | None = None, length: int = 16) -> pd.DataFrame:
    """Replace identifying columns by keyed pseudonyms (HMAC-SHA256).

    Each value becomes the first ``length`` hex digits of ``HMAC-SHA256(secret, value)``,
    optionally after ``prefix``. The same value with the same secret always gives the same
    pseudonym, so the visits of one patient stay linked, in this file and in later exports.

    Why a keyed hash: a plain hash of an identifier is not anonymous. There are only about
    10^10 Chinese mobile numbers and far fewer plausible ID numbers and names, so anyone can hash
    them all and look a plain hash up. Without the secret, the keyed hash cannot be recomputed.

    Keep the secret like a password: generate it once (``secrets.token_hex(32)``), store it
    outside the notebook and the repository (an environment variable, a password manager, the
    hospital's key store), never send it with the data, and reuse it for later exports that must
    link to these pseudonyms. journey never stores or prints it. Whoever holds the secret and
    the original data can re-identify patients; lose it, and new exports can no longer be linked.

    Parameters
    ----------
    data : pandas.DataFrame
        The data; it is not changed.
    columns : str or sequence of str
        Columns to replace.
    secret : str or bytes
        At least 16 bytes (a str is encoded as UTF-8).
    prefix : str, optional
        Text put before each pseudonym, e.g. ``"P"``.
    length : int, default 16
        Hex digits kept, 8 to 64. With 16 digits (64 bits), two of a million patients share a
        pseudonym with probability about 3e-8.

    Returns
    -------
    pandas.DataFrame
        A new frame with the columns replaced; missing values stay missing. Values are hashed as
        text: UTF-8 of ``str(value)`` without surrounding spaces, whole-number floats such as
        ``13812345678.0`` as ``"13812345678"`` (so that a number read as float gets the same
        pseudonym as the text).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"phone": ["13812345678", None, "13812345678"]})
    >>> out = pseudonymise(frame, "phone", secret="a secret of 16+ bytes", prefix="P", length=8)
    >>> out["phone"].tolist()
    ['P07b49d8b', nan, 'P07b49d8b']
    """
    if not isinstance(secret, str | bytes):
        raise JourneyError(f"the secret must be text or bytes, not {type(secret).__name__} "
                           "(bytes(32) would be 32 zero bytes, a key anyone can guess): use "
                           "e.g. secrets.token_hex(32), and keep it outside the notebook")
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    if len(key) < 16:
        raise JourneyError("the secret is too short: use at least 16 bytes, e.g. "
                           "secrets.token_hex(32), and keep it outside the notebook")
    if not 8 <= length <= 64:
        raise JourneyError(f"length must be between 8 and 64 hex digits, not {length}")
    columns = [columns] if isinstance(columns, str) else list(columns)
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise JourneyError(f"no column(s) {missing!r} in the data; the columns are "
                           f"{list(data.columns)!r}")
    out = data.copy()
    for column in columns:
        values = out[column]
        codes = {v: (prefix or "") + hmac.new(key, _text(v).encode("utf-8"),
                                              hashlib.sha256).hexdigest()[:length]
                 for v in values.dropna().unique()}
        out[column] = values.map(codes).astype(object).where(values.notna(), values)
    return out


# --- detection -------------------------------------------------------------------------------

def _roles(roles: Mapping[str, str] | Callable[[], Mapping[str, str]] | None
           ) -> tuple[dict[str, str], JourneyError | None]:
    """``{role: column}`` and the mapping error to raise after the scan, if any."""
    if not callable(roles):
        return dict(roles or {}), None
    try:
        return dict(roles()), None
    except JourneyError as exc:
        return {}, exc


def _skipped(dtype: str) -> bool:
    dtype = dtype.upper()
    return dtype.startswith(("BOOL", "BLOB", "BINARY", "TIME ", "INTERVAL")) or dtype in (
        "TIME", '"NULL"', "NULL", "VOID")


def _temporal(dtype: str) -> bool:
    return dtype.upper().startswith(("TIMESTAMP", "DATE"))


def _hinted(kind: str, column: str) -> bool:
    return re.search(_HINTS[kind], str(column).strip().casefold()) is not None


def _scan_duckdb(con: duckdb.DuckDBPyConnection, table: str, roles: Mapping[str, str]
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The flagged columns of ``table``, and the scan's counts per column."""
    described = con.execute(f'DESCRIBE "{table}"').fetchall()
    types = {name: str(dtype) for name, dtype, *_ in described if name not in ("_row", "_file")}
    text = [c for c, t in types.items() if not _skipped(t) and not _temporal(t)]
    dates = [c for c, t in types.items() if _temporal(t) and _hinted("date of birth", c)]
    hinted = [c for c in text if any(_hinted(kind, c) for kind in _HINTS)]
    counts = scan_duckdb(con, table, columns=text, types=types, dates=dates, hinted=hinted)
    return _verdicts(counts, list(types), roles), counts


def _verdicts(counts: pd.DataFrame, names: Sequence[str], roles: Mapping[str, str]
              ) -> pd.DataFrame:
    """The flagged columns, from the per-column counts of :mod:`journey._scan`."""
    role_of = {column: role for role, column in roles.items()}
    rows = [_name_finding(str(n)) for n in names]
    rows = [r for r in rows if r is not None]
    for r in counts.to_dict("records"):
        rows += _column_findings(r, role_of.get(r["column"]))
    found = pd.DataFrame(rows, columns=_COLUMNS)
    order = {str(n): i for i, n in enumerate(names)}
    return found.sort_values("column", key=lambda s: s.map(order), kind="stable") \
        .reset_index(drop=True)


def _name_finding(name: str) -> dict | None:
    """A header cell that is itself an identifier: a file read without its header line."""
    for kind, pattern in _NAME_CHECKS:
        if pattern.match(re.sub(r"[\s\-]", "", name) if kind == "phone number" else name):
            if kind == "resident ID number" and _check_character(name[:17]) != name[17].upper():
                continue
            return dict(column=_mask(kind, name), kind=kind, matches=0, distinct=1, share=0.0,
                        example=_mask(kind, name), where="column name")
    return None


def _share(r: Mapping[str, Any], feature: str) -> float:
    rows, distinct = r["rows"], r["distinct"]
    return max(r[f"{feature}_rows"] / rows if rows else 0.0,
               r[f"{feature}_distinct"] / distinct if distinct else 0.0)


def _serial(r: Mapping[str, Any], feature: str) -> bool:
    gaps = r[f"{feature}_gaps"]
    return r[f"{feature}_k"] >= 2 and 2 * r[f"{feature}_small"] >= gaps


def _column_findings(r: Mapping[str, Any], role: str | None) -> list[dict]:
    """Every kind of identifier found in one column's counts."""
    column = r["column"]
    out = []

    def add(kind: str, feature: str, whole: str | None, example_kind: str | None = None) -> None:
        examples = [e for e in (r.get(f"{feature}_example"), r.get(f"{feature}_example2"))
                    if isinstance(e, str)]
        masked = ", ".join(dict.fromkeys(_mask(example_kind or kind, e) for e in examples))
        n, n_whole = r[f"{feature}_rows"], r[f"{whole}_rows"] if whole else r[f"{feature}_rows"]
        where = ("values" if n_whole >= n else "inside text" if n_whole == 0
                 else "values and inside text")
        out.append(dict(column=column, kind=kind, matches=int(n),
                        distinct=int(r[f"{feature}_distinct"]),
                        share=round(_share(r, feature), 4), example=masked, where=where))

    if r["rows"] == 0:
        return out
    # dates of birth: only where the name says so
    if _hinted("date of birth", column) and r["date_rows"] >= _HINTED_SHARE * r["rows"] and (
            r["date_rows"] > 0):
        add("date of birth", "date", None, "date of birth")
        return out
    # phone numbers
    hinted = _hinted("phone number", column)
    mobiles = r["mobile_distinct"] + r["international_distinct"]
    codes = r["eleven_distinct"] > 0 and (
        r["eleven_distinct"] - r["eleven_mobile_distinct"]
        > _CODES_SHARE * r["eleven_distinct"])
    if hinted and (mobiles or _share(r, "phone_loose") >= _HINTED_SHARE):
        add("phone number", "mobile" if r["mobile_rows"] else
            "international" if r["international_rows"] else "phone_loose",
            "mobile_whole" if r["mobile_rows"] else None)
    elif r["mobile_distinct"] and not codes and not (role in _KEY_ROLES and _serial(r, "mobile")):
        add("phone number", "mobile", "mobile_whole")
    elif r["international_distinct"]:
        add("phone number", "international", None)
    # resident ID numbers
    hinted = _hinted("resident ID number", column)
    checked = r["id_valid_distinct"] and r["id_valid_distinct"] >= _SHARE * r["id_shape_distinct"]
    if hinted and (r["id_valid_distinct"] or _share(r, "id_loose") >= _HINTED_SHARE):
        add("resident ID number", "id_valid" if r["id_valid_rows"] else "id_loose",
            "id_whole" if r["id_valid_rows"] else None)
    elif checked and not (role in _KEY_ROLES and _serial(r, "id_valid")):
        add("resident ID number", "id_valid", "id_whole")
    # e-mail addresses
    if r["email_distinct"]:
        add("e-mail address", "email", "email_whole")
    # person names: not in the log's vocabulary columns
    if role not in _VOCABULARY_ROLES:
        if _hinted("person name", column):
            if _share(r, "name_loose") >= _HINTED_SHARE:
                add("person name", "name_loose", None)
        elif _share(r, "name") >= _SHARE and _diverse(r["name_distinct"], r["name_rows"]):
            add("person name", "name", None)
    return out


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _diverse(distinct: int, rows: int) -> bool:
    """Many different values: person names, not a small vocabulary of activities or desks."""
    return distinct >= min(30, max(3, rows // 2))


def _refuse(found: pd.DataFrame, source: str | None, allow: Iterable[str]) -> None:
    """Raise the refusal for the findings of :func:`scan_identifiers`, if any remain."""
    allowed = {str(a) for a in allow}
    found = found[~found["column"].astype(str).isin(allowed)]
    if found.empty:
        return
    if (found["where"] == "column name").any():
        kinds = ", ".join(dict.fromkeys(found.loc[found["where"] == "column name", "kind"]))
        raise JourneyError(
            f"the header line holds what looks like a {kinds}, not a column name: the file seems "
            "to have no header line, so its first row was read as one. Add a header line with "
            "the column names (journey does not accept direct identifiers either: pseudonymise "
            "or drop those columns first).", source=source)
    columns = list(dict.fromkeys(str(c) for c in found["column"]))
    lines = []
    for r in found.itertuples():
        where = {"values": "", "inside text": " inside text",
                 "values and inside text": " (alone and inside text)"}[r.where]
        lines.append(f"  - column {r.column!r}: {r.kind}{where} in {r.matches:,} row(s), "
                     f"{r.distinct:,} distinct value(s) ({r.share:.0%} of the column), "
                     f"e.g. {r.example}")
    raise JourneyError(
        "the data hold direct identifiers of patients, which journey does not accept "
        "(every row was scanned):\n" + "\n".join(lines)
        + f"\nReplace these columns with keyed pseudonyms before loading: "
        f"journey.pseudonymise(data, columns={columns!r}, secret=...), or drop them "
        f"(data.drop(columns={columns!r})); free text that holds identifiers must be cleaned "
        "or dropped. If a column is flagged by mistake (e.g. serial numbers that look like "
        f"phone numbers), accept it with read_log(..., allow_columns={columns!r}).",
        source=source, column=columns[0] if len(columns) == 1 else None)


def _mask(kind: str, text: str) -> str:
    """Hide the middle of a value: ``138****5678``, ``z***@example.com``, ``张*``."""
    if kind == "e-mail address" and "@" in text:
        local, domain = text.split("@", 1)
        return _mask("", local) + "@" + domain
    n = len(text)
    if n >= 11:
        return text[:3] + "*" * (n - 7) + text[-4:]
    if n >= 5:
        return text[:2] + "*" * (n - 4) + text[-2:]
    return text[:1] + "*" * max(n - 1, 1)
