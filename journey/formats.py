"""Reading raw visit-log files into an embedded DuckDB database, unchanged.

:func:`register_source` copies the rows of a file, a folder of parts or a DataFrame into a DuckDB
table with their original column names, plus ``_row`` (the row number a user sees) and, for a
folder, ``_file`` (the part the row came from). Nothing is parsed or renamed here: CSV values stay
text so that the caller can report every value it cannot parse, with its row.

Supported sources
-----------------
- ``.csv``, ``.txt``, ``.tsv``: delimiter (comma, tab, semicolon or bar) taken from the header
  line, values read as text by DuckDB (streamed, never loaded into memory). UTF-8 (with or
  without BOM), GBK/GB18030 and UTF-16 are recognised; other encodings must be given
  (``encoding="cp1252"``). Files not in UTF-8 are transcoded to a temporary UTF-8 copy, deleted
  afterwards. ``_row`` counts the header as row 1, so the first data row is row 2; blank lines
  are skipped and not counted.
- ``.xlsx`` (``.xls`` needs the ``xlrd`` package): values as text, except columns of real
  date-time cells, which stay timestamps; ``_row`` is the sheet row; empty rows are skipped.
- ``.parquet``: column types kept; ``_row`` is the 1-based position.
- ``.xes`` and ``.xes.gz`` (IEEE 1849 event logs): one row per event; trace attributes get the
  prefix ``case:`` (``case:concept:name``), event attributes keep their keys (``concept:name``,
  ``time:timestamp``, ``lifecycle:transition``, ``org:resource``...). Integers, floats and
  booleans are typed; dates stay text exactly as written. List and container attributes and
  meta-attributes are not read.
- A folder of CSV parts or of Parquet parts (all of one kind; files starting with ``.`` or ``_``
  are ignored): columns are united by name; ``_row`` counts within each part.
- A pandas DataFrame: column types kept (time-zone-aware times stay ``TIMESTAMPTZ``); the index
  is not read, ``reset_index()`` first to keep it.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import difflib
import gzip
import hashlib
import os
import re
import tempfile
import uuid
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer
import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from journey.errors import JourneyError

__all__ = ["SourceInfo", "register_source", "sha256_of"]

_SUPPORTED = (".csv", ".txt", ".tsv", ".xlsx", ".xls", ".parquet", ".xes", ".xes.gz")
_KINDS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "excel", ".xls": "excel",
          ".parquet": "parquet", ".xes": "xes", ".xes.gz": "xes"}
_RESERVED = ("_row", "_file", "file_row_number")
_DELIMITERS = (",", "\t", ";", "|")
_SNIFF_BYTES = 4 << 20
_CHUNK_BYTES = 1 << 20
_XES_BATCH = 50_000
_XES_TYPES = {"string": "VARCHAR", "id": "VARCHAR", "date": "VARCHAR", "int": "BIGINT",
              "float": "DOUBLE", "boolean": "BOOLEAN"}


@dataclass(frozen=True)
class SourceInfo:
    """What :func:`register_source` read.

    Attributes
    ----------
    label : str
        The path as the user gave it, or ``"<DataFrame>"``.
    kind : str
        ``"csv"``, ``"excel"``, ``"parquet"``, ``"xes"``, ``"folder"`` or ``"dataframe"``.
    encoding : str or None
        Text encoding of CSV files (for a folder whose parts differ: the encodings joined by
        ``", "``); ``None`` for other kinds.
    files : tuple of str
        The files read (the parts of a folder, in the order read); empty for a DataFrame.
    n_rows : int
        Number of data rows registered.

    Examples
    --------
    >>> SourceInfo("log.csv", "csv", "utf-8", ("log.csv",), 120).n_rows
    120
    """

    label: str
    kind: str
    encoding: str | None
    files: tuple[str, ...]
    n_rows: int


def register_source(con: duckdb.DuckDBPyConnection, source: str | os.PathLike | pd.DataFrame,
                    *, name: str, encoding: str | None = None, sheet: int | str = 0,
                    ) -> SourceInfo:
    """Copy the raw rows of a file, folder of parts or DataFrame into a DuckDB table.

    The table ``name`` (replaced if it exists) holds the original columns under their original
    names, plus ``_row`` (BIGINT, the row number a user sees: for CSV and Excel the line or
    sheet row with the header as row 1, otherwise the 1-based position) and, for a folder,
    ``_file`` (the part's file name; ``_row`` then counts within the part). See the module
    documentation for the formats.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The database to create the table in.
    source : str, os.PathLike or pandas.DataFrame
        A ``.csv``/``.txt``/``.tsv``, ``.xlsx``/``.xls``, ``.parquet``, ``.xes``/``.xes.gz``
        file, a folder of CSV or Parquet parts, or a DataFrame.
    name : str
        Name of the table to create.
    encoding : str, optional
        Text encoding of CSV files, e.g. ``"gbk"`` or ``"utf-8"``. By default it is detected
        from the first 4 MB: UTF-8 (with or without BOM), UTF-16, else GB18030 (a superset of
        GBK); other files need their encoding given (the error message shows the best guess
        of charset-normalizer). A very short GBK text can also be valid UTF-8: pass
        ``encoding="gbk"`` when ``SourceInfo.encoding`` says otherwise.
    sheet : int or str, default 0
        Excel sheet, by 0-based position or by name.

    Returns
    -------
    SourceInfo
        Label, kind, encoding, files and number of rows.

    Raises
    ------
    JourneyError
        When the source is missing, of an unsupported kind, empty, has duplicate column names,
        does not decode in its encoding, or cannot be parsed; the message says how to fix it.

    Examples
    --------
    >>> import duckdb, pandas as pd
    >>> con = duckdb.connect()
    >>> frame = pd.DataFrame({"case_id": ["V1", "V1"], "activity": ["Registration", "Lab"]})
    >>> register_source(con, frame, name="raw")
    SourceInfo(label='<DataFrame>', kind='dataframe', encoding=None, files=(), n_rows=2)
    >>> con.sql("SELECT _row, activity FROM raw").fetchall()
    [(1, 'Registration'), (2, 'Lab')]
    """
    if isinstance(source, pd.DataFrame):
        label, kind, parts = "<DataFrame>", "dataframe", []
    else:
        path, label = _existing_path(source)
        if path.is_dir():
            kind, parts = "folder", _folder_parts(path, label)
        else:
            kind, parts = _kind_of(path, label), [path]
    encodings: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="journey-") as tmp:
            if kind == "dataframe":
                _load_frame(con, name, source, None, label)
            elif kind == "excel":
                _load_frame(con, name, *_read_excel(parts[0], label, sheet), label)
            elif kind == "xes":
                _load_xes(con, name, parts[0], label)
            else:
                for i, part in enumerate(parts):
                    part_label = os.path.join(label, part.name) if kind == "folder" else label
                    file = part.name if kind == "folder" else None
                    if _kind_of(part, part_label) == "parquet":
                        _load_parquet(con, name, part, part_label, file, first=i == 0)
                    else:
                        encodings.append(_load_csv(con, name, part, part_label, file, encoding,
                                                   Path(tmp) / f"part{i}.csv", first=i == 0))
        n_rows = con.execute(f"SELECT count(*) FROM {_ident(name)}").fetchall()[0][0]
        if n_rows == 0:
            raise JourneyError("no data rows: the source has a header (or nothing) but no rows "
                               "below it; check that this is the right file or sheet",
                               source=label)
    except BaseException:
        con.execute(f"DROP TABLE IF EXISTS {_ident(name)}")
        raise
    files = tuple(label if kind != "folder" else os.path.join(label, p.name) for p in parts)
    encoding_used = ", ".join(dict.fromkeys(encodings)) or None
    return SourceInfo(label, kind, encoding_used, files, int(n_rows))


def sha256_of(source: str | os.PathLike | pd.DataFrame) -> str:
    """SHA-256 fingerprint of a source, for reports.

    For a file, the digest of its bytes (as ``sha256sum`` prints it). For a folder, the digest of
    the ``sha256sum``-style listing (``"<digest>  <file name>\\n"`` per part, parts in sorted
    order). For a DataFrame, the digest of ``frame.to_csv(index=False)`` in UTF-8.

    Examples
    --------
    >>> import pandas as pd
    >>> sha256_of(pd.DataFrame({"a": [1]}))[:12]
    '309b0e45a73d'
    """
    if isinstance(source, pd.DataFrame):
        return hashlib.sha256(source.to_csv(index=False).encode("utf-8")).hexdigest()
    path, label = _existing_path(source)
    if not path.is_dir():
        return _file_sha256(path)
    listing = "".join(f"{_file_sha256(p)}  {p.name}\n" for p in _folder_parts(path, label))
    return hashlib.sha256(listing.encode("utf-8")).hexdigest()


# --- paths -----------------------------------------------------------------------------------

def _existing_path(source: object) -> tuple[Path, str]:
    if not isinstance(source, (str, os.PathLike)):
        raise JourneyError(f"cannot read a {type(source).__name__}: pass the path of a file or "
                           "of a folder of parts, or a pandas DataFrame")
    label = os.fspath(source)
    path = Path(label).expanduser()
    if path.exists():
        return path, label
    folder = path.parent
    if not folder.is_dir():
        raise JourneyError(f"file not found: the folder {str(folder)!r} does not exist",
                           source=label)
    close = difflib.get_close_matches(path.name, sorted(p.name for p in folder.iterdir()), n=3)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else \
        "; check the name and the working directory (os.getcwd())"
    raise JourneyError(f"file not found{hint}", source=label)


def _kind_of(path: Path, label: str) -> str:
    lower = path.name.lower()
    suffix = ".xes.gz" if lower.endswith(".xes.gz") else path.suffix.lower()
    if suffix not in _KINDS:
        raise JourneyError(f"unsupported file type {suffix or '(no extension)'!r}; journey reads "
                           f"{', '.join(_SUPPORTED)} files, a folder of CSV or Parquet parts, or "
                           "a pandas DataFrame", source=label)
    return _KINDS[suffix]


def _folder_parts(path: Path, label: str) -> list[Path]:
    entries = sorted(p for p in path.iterdir() if not p.name.startswith((".", "_")))
    others = [p.name for p in entries
              if p.is_dir() or _KINDS.get(p.suffix.lower()) not in ("csv", "parquet")]
    if others:
        raise JourneyError(f"the folder holds entries that are not CSV or Parquet parts: "
                           f"{', '.join(others[:5])}; move them out of the folder", source=label)
    if not entries:
        raise JourneyError("the folder holds no CSV or Parquet parts (.csv, .txt, .tsv, "
                           ".parquet); check the folder", source=label)
    kinds = {_KINDS[p.suffix.lower()] for p in entries}
    if len(kinds) > 1:
        raise JourneyError("the folder mixes CSV and Parquet parts; keep parts of one kind in "
                           "a folder", source=label)
    return entries


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- loading into DuckDB ---------------------------------------------------------------------

def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _check_columns(names: list[str], label: str) -> None:
    seen: dict[str, str] = {}
    for n in names:
        if n in _RESERVED:
            raise JourneyError(f"the column name {n!r} is reserved for journey's row numbers; "
                               "rename that column", source=label)
        if n.casefold() in seen:
            raise JourneyError(f"duplicate column names {seen[n.casefold()]!r} and {n!r} (names "
                               "are compared ignoring case); give every column a unique name",
                               source=label)
        seen[n.casefold()] = n


def _header_names(values: list[object]) -> list[str]:
    """Header cells as names; empty cells get DuckDB's names ``column0``, ``column1``..."""
    return [f"column{i}" if v is None or not str(v).strip() else str(v)
            for i, v in enumerate(values)]


def _load(con: duckdb.DuckDBPyConnection, table: str, select: str, *, first: bool, label: str,
          utf8_path: Path | None = None) -> None:
    """Create ``table`` from ``select``, or add its rows by column name (new columns added)."""
    try:
        if first:
            con.execute(f"CREATE OR REPLACE TABLE {_ident(table)} AS {select}")
            return
        have = {row[0].casefold() for row in con.execute(f"DESCRIBE {_ident(table)}").fetchall()}
        for column, type_, *_ in con.execute(f"DESCRIBE {select}").fetchall():
            if column.casefold() not in have:
                con.execute(f"ALTER TABLE {_ident(table)} ADD COLUMN {_ident(column)} {type_}")
        con.execute(f"INSERT INTO {_ident(table)} BY NAME {select}")
    except duckdb.Error as exc:
        if utf8_path is not None and "unicode" in str(exc).lower():
            _transcode(utf8_path, label, "utf-8", None)  # raises with the byte offset and line
        raise JourneyError(_duckdb_message(exc), source=label) from exc


def _duckdb_message(exc: duckdb.Error) -> str:
    text = re.sub(r"^[A-Za-z ]*Error: ", "", str(exc))
    text = text.split("\nPossible", 1)[0].split("\n  file = ", 1)[0]
    # the line itself is left out: it may hold identifiers, and the privacy guard has not
    # looked at the rows yet
    detail = "; ".join(line.strip() for line in text.splitlines()
                       if line.strip() and not line.strip().startswith("Original Line"))
    if "CSV Error" in detail:
        return (f"cannot read the file as CSV: {detail}. Check that line of the file (delimiter, "
                "quotes, number of fields) and correct or export it again")
    return f"cannot read the data: {detail}"


def _load_parquet(con: duckdb.DuckDBPyConnection, table: str, path: Path, label: str,
                  file: str | None, *, first: bool) -> None:
    scan = f"read_parquet({_literal(str(path))})"
    try:
        names = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()]
    except duckdb.Error as exc:
        raise JourneyError(f"cannot read the Parquet file ({_duckdb_message(exc)}); check that it "
                           "is a complete Parquet file", source=label) from exc
    _check_columns(names, label)
    # file_row_number keeps the scan parallel (WITH ORDINALITY would read on one thread)
    extra = f", {_literal(file)} AS _file" if file is not None else ""
    select = (f"SELECT * EXCLUDE (file_row_number), file_row_number + 1 AS _row{extra} "
              f"FROM {scan[:-1]}, file_row_number = true)")
    if first and file is None:  # a single file is read where it lies, not copied
        con.execute(f"CREATE OR REPLACE VIEW {_ident(table)} AS {select}")
        return
    _load(con, table, select, first=first, label=label)


def _ordinal_select(scan: str, names: list[str], file: str | None, *, offset: int) -> str:
    aliases = ", ".join(_ident(n) for n in [*names, "_row"])
    extra = f", {_literal(file)} AS _file" if file is not None else ""
    return (f"SELECT * REPLACE (_row + {offset} AS _row){extra} "
            f"FROM {scan} WITH ORDINALITY AS src({aliases})")


def _load_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame,
                rows: np.ndarray | None, label: str) -> None:
    names = [str(c) for c in frame.columns]
    _check_columns(names, label)
    frame = frame.set_axis(names, axis=1)
    try:
        arrow = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        mixed = {c: frame[c].astype("string") for c in names
                 if frame[c].dtype == object and not _arrow_ok(frame[c])}
        arrow = pa.Table.from_pandas(frame.assign(**mixed), preserve_index=False)
    if rows is None:
        rows = np.arange(1, len(frame) + 1)
    arrow = arrow.append_column("_row", pa.array(rows, pa.int64()))
    view = f"_journey_{uuid.uuid4().hex}"
    con.register(view, arrow)
    try:
        _load(con, table, f"SELECT * FROM {view}", first=True, label=label)
    finally:
        con.unregister(view)


def _arrow_ok(column: pd.Series) -> bool:
    try:
        pa.array(column, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return False
    return True


# --- CSV ---------------------------------------------------------------------------------------

def _load_csv(con: duckdb.DuckDBPyConnection, table: str, path: Path, label: str,
              file: str | None, encoding: str | None, tmp: Path, *, first: bool) -> str:
    """Load one CSV file; return the encoding used."""
    if path.stat().st_size == 0:
        raise JourneyError("the file is empty: no data rows", source=label)
    if encoding is None:
        encoding = _detect_encoding(path, label)
    else:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            raise JourneyError(f"unknown encoding {encoding!r}; use e.g. 'utf-8', 'gbk' or "
                               "'gb18030'", source=label) from None
    direct = encoding in ("utf-8", "utf-8-sig")
    readable = path if direct else _transcode(path, label, encoding, tmp)
    header, delimiter = _csv_header(readable, label, path.suffix.lower() == ".tsv")
    _check_columns(header, label)
    columns = "{" + ", ".join(f"{_literal(n)}: 'VARCHAR'" for n in header) + "}"
    scan = (f"read_csv({_literal(str(readable))}, auto_detect=false, header=true, skip=0, "
            f"delim={_literal(delimiter)}, quote='\"', escape='\"', strict_mode=true, "
            f"columns={columns})")
    try:
        _load(con, table, _ordinal_select(scan, header, file, offset=1), first=first,
              label=label, utf8_path=path if direct else None)
    finally:
        if not direct:
            readable.unlink()  # the table holds the rows; free the disk at once
    return encoding


def _csv_header(path: Path, label: str, tab: bool) -> tuple[list[str], str]:
    """The header names and the delimiter: the candidate most frequent in the header line."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            line = fh.readline(1 << 20)
            delimiter = "\t" if tab else max(_DELIMITERS, key=line.count)
            fh.seek(0)
            header = next(csv.reader(fh, delimiter=delimiter, quotechar='"', doublequote=True),
                          None)
    except UnicodeDecodeError as exc:
        _transcode(path, label, "utf-8", None)  # raises with the byte offset and line
        raise JourneyError(f"the header line is not valid UTF-8 ({exc})", source=label) from exc
    except csv.Error as exc:
        raise JourneyError(f"cannot read the header line as CSV ({exc}); check the first line "
                           "of the file", source=label) from exc
    if not header or any("\x00" in h for h in header):
        raise JourneyError("no header line with column names: no data rows", source=label)
    return _header_names(header), delimiter


def _detect_encoding(path: Path, label: str) -> str:
    with open(path, "rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > len(head) // 8 and even < odd // 10:
        return "utf-16-le"
    if even > len(head) // 8 and odd < even // 10:
        return "utf-16-be"
    final = len(head) < _SNIFF_BYTES
    errors = []
    for candidate in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(candidate)().decode(head, final=final)
            return candidate
        except UnicodeDecodeError as exc:
            errors.append(exc)
    guesses = [codecs.lookup(m.encoding).name for m in charset_normalizer.from_bytes(head)]
    guess = next((g for g in guesses if not g.startswith(("utf-16", "utf-32"))), None)
    b_newline = b"\n"
    where = [f"{name} (bytes {e.object[e.start:e.end].hex(' ').upper()} at byte offset "
             f"{e.start}, line {head.count(b_newline, 0, e.start) + 1})"
             for name, e in zip(("UTF-8", "GBK/GB18030"), errors, strict=True)]
    advice = f"encoding={guess!r} (the guess of charset-normalizer)" if guess else \
        "encoding='big5' or encoding='cp1252'"
    raise JourneyError(f"the file is neither valid {where[0]} nor valid {where[1]} text. If it "
                       "is one of these with a damaged line, correct that line; otherwise pass "
                       f"its encoding, e.g. {advice}, or save it again as UTF-8", source=label)


def _transcode(path: Path, label: str, encoding: str, out: Path | None) -> Path | None:
    """Decode ``path`` in chunks and write it to ``out`` as UTF-8 (or only check it)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = lines = 0
    target = open(out, "w", encoding="utf-8", newline="") if out else contextlib.nullcontext()
    with open(path, "rb") as src, target as dst:
        while True:
            chunk = src.read(_CHUNK_BYTES)
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                start = offset - (len(exc.object) - len(chunk)) + exc.start
                line = lines + exc.object[:exc.start].decode(encoding, "replace").count("\n") + 1
                raise JourneyError(_decode_message(exc, encoding, start, line),
                                   source=label) from None
            if dst is not None:
                dst.write(text)
            lines += text.count("\n")
            offset += len(chunk)
            if not chunk:
                return out


def _decode_message(exc: UnicodeDecodeError, encoding: str, start: int, line: int) -> str:
    bad = exc.object[exc.start:exc.end].hex(" ").upper()
    tries = " or ".join(f"encoding={e!r}" for e in ("gbk", "utf-8", "utf-16")
                        if not encoding.startswith(e[:5]))
    return (f"the file is not valid {encoding} text: bytes {bad} at byte offset {start} (line "
            f"{line}) cannot be decoded. Pass the file's encoding, e.g. {tries}, correct that "
            "line, or save the file again as UTF-8 (Chinese HIS exports are often GBK)")


# --- Excel -------------------------------------------------------------------------------------

def _read_excel(path: Path, label: str, sheet: int | str) -> tuple[pd.DataFrame, np.ndarray]:
    """The sheet's rows as text (date-time columns as timestamps) and their sheet rows."""
    engine = "xlrd" if path.suffix.lower() == ".xls" else "openpyxl"
    try:
        with pd.ExcelFile(path, engine=engine) as book:
            sheets = book.sheet_names
            if (sheet not in sheets) if isinstance(sheet, str) else not 0 <= sheet < len(sheets):
                raise JourneyError(f"the workbook has no sheet {sheet!r}; its sheets are "
                                   f"{', '.join(map(repr, sheets))}; pass sheet=<name or "
                                   "0-based position>", source=label)
            raw = pd.read_excel(book, sheet_name=sheet, header=None, dtype=object,
                                keep_default_na=False, na_values=[])
    except ImportError as exc:
        raise JourneyError(f"reading {path.suffix} files needs the {engine} package (pip install "
                           f"{engine}), or open the file in Excel and save it as .xlsx",
                           source=label) from exc
    except JourneyError:
        raise
    except Exception as exc:  # openpyxl and zipfile raise many types for damaged files
        raise JourneyError(f"cannot read the Excel file ({type(exc).__name__}: {exc}); check "
                           "that it is a complete, not password-protected workbook, or save it "
                           "again from Excel", source=label) from exc
    cells = raw.to_numpy(dtype=object, copy=True)
    cells[cells == ""] = None
    keep = [i for i, row in enumerate(cells) if any(v is not None for v in row)]
    if not keep:
        raise JourneyError("the sheet is empty: no data rows", source=label)
    names = _header_names(list(cells[keep[0]]))
    _check_columns(names, label)
    body = cells[keep[1:]]
    data = {n: _excel_column(list(body[:, j])) for j, n in enumerate(names)}
    return pd.DataFrame(data), np.array(keep[1:], dtype=np.int64) + 1


def _excel_column(values: list[object]) -> pd.Series:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, dt.datetime) for v in present):
        return pd.Series(pd.to_datetime(values))
    return pd.Series([None if v is None else _cell_text(v) for v in values], dtype=object)


def _cell_text(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.time):
        return value.isoformat()
    return str(value)


# --- XES ---------------------------------------------------------------------------------------

def _load_xes(con: duckdb.DuckDBPyConnection, table: str, path: Path, label: str) -> None:
    staging = f"_journey_xes_{uuid.uuid4().hex}"
    types: dict[str, str] = {}
    batch: list[dict[str, str | int]] = []
    first = True

    def flush() -> None:
        nonlocal first, batch
        if not batch:
            return
        _check_columns(list(types), label)
        arrow = pa.table({"_row": pa.array([r["_row"] for r in batch], pa.int64()),
                          **{c: pa.array([r.get(c) for r in batch], pa.string())
                             for c in types}})
        view = f"_journey_{uuid.uuid4().hex}"
        con.register(view, arrow)
        try:
            _load(con, staging, f"SELECT * FROM {view}", first=first, label=label)
        finally:
            con.unregister(view)
        first, batch = False, []

    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            for row in _xes_rows(fh, types):
                batch.append(row)
                if len(batch) >= _XES_BATCH:
                    flush()
        flush()
        if first:
            raise JourneyError("the XES file holds no events: no data rows", source=label)
        _cast_xes(con, staging, table, types)
    except ET.ParseError as exc:
        line, column = exc.position
        raise JourneyError(f"the XES file is not well-formed XML at line {line}, column "
                           f"{column} ({exc}); repair or export it again", source=label) from None
    except (OSError, EOFError, zlib.error) as exc:
        raise JourneyError(f"cannot read the XES file ({exc}); check that the file (or the "
                           ".gz archive) is complete", source=label) from exc
    finally:
        con.execute(f"DROP TABLE IF EXISTS {_ident(staging)}")


def _xes_rows(fh, types: dict[str, str]):
    """Yield one dict per event (raw attribute text, ``_row``); record attribute types."""
    stack: list[str] = []
    root = None
    trace: dict[str, str] = {}
    events: list[dict[str, str | int]] = []
    event: dict[str, str | int] = {}
    n = 0
    for kind, elem in ET.iterparse(fh, events=("start", "end")):
        tag = elem.tag.rsplit("}", 1)[-1]
        if kind == "start":
            root = elem if root is None else root
            stack.append(tag)
            if tag == "event":
                event = {}
            continue
        stack.pop()
        parent = stack[-1] if stack else None
        if tag in _XES_TYPES and parent in ("trace", "event") and elem.get("key") is not None:
            column = elem.get("key") if parent == "event" else "case:" + elem.get("key")
            (event if parent == "event" else trace)[column] = elem.get("value")
            types[column] = tag if types.get(column, tag) == tag else "string"
        elif tag == "event":
            n += 1
            event["_row"] = n
            if "trace" in stack:
                events.append(event)
            else:
                yield event
            elem.clear()
        elif tag == "trace":
            for e in events:
                yield {**trace, **e}
            trace, events = {}, []
            root.clear()


def _cast_xes(con: duckdb.DuckDBPyConnection, staging: str, table: str,
              types: dict[str, str]) -> None:
    """Create ``table`` from the text staging table, typing the int, float and boolean keys
    whose every value converts (else they stay text)."""
    typed = {c: _XES_TYPES[t] for c, t in types.items() if _XES_TYPES[t] != "VARCHAR"}
    ok = {}
    if typed:
        checks = ", ".join(f"count(*) FILTER (WHERE {_ident(c)} IS NOT NULL AND "
                           f"TRY_CAST({_ident(c)} AS {t}) IS NULL) = 0" for c, t in typed.items())
        result = con.execute(f"SELECT {checks} FROM {_ident(staging)}").fetchall()[0]
        ok = dict(zip(typed, result, strict=True))
    columns = [f"CAST({_ident(c)} AS {typed[c]}) AS {_ident(c)}" if ok.get(c) else _ident(c)
               for c in types]
    con.execute(f"CREATE OR REPLACE TABLE {_ident(table)} AS SELECT {', '.join(columns)}, _row "
                f"FROM {_ident(staging)}")
