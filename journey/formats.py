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
  are skipped and not counted. A UTF-8 file with a few lines in another encoding (a GBK line
  pasted in) is refused, naming the first such line and its byte offset: decoding the whole
  file as GBK would garble every other line, and guessing line by line could garble one
  silently.
- Compressed CSV and XES: ``.csv.gz``, ``.tsv.gz``, ``.csv.zst``, ``.xes.gz``, ``.xes.zst``
  (gzip or zstd, recognised from the file's first bytes), and a ``.zip`` archive holding one
  CSV or XES file (folders, ``__MACOSX`` and dot files inside are ignored). A ``.zip`` with
  several files is refused with their names: extract the one wanted, or all of them into a
  folder and read the folder. A damaged or cut-short archive is a :class:`JourneyError`.
- ``.xlsx`` and legacy ``.xls``: values as text, except columns of real
  date-time cells, which stay timestamps; ``_row`` is the sheet row; empty rows are skipped.
  Merged cells are filled with the merged value across their range, counted in
  ``SourceInfo.filled_cells``; a first row that is one title merged across columns is skipped.
  Both are said in ``SourceInfo.notes``.
- ``.parquet``: column types kept; ``_row`` is the 1-based position. A single file is read
  where it lies, and a damaged page is found by the first query that decodes it:
  :func:`journey.read_log` reads every value while loading, and then
  :func:`explain_engine_error` names the damaged file. The parts of a folder are decoded once
  each before they are copied.
- ``.xes`` (IEEE 1849 event logs), read by a streaming parser that refuses DTDs and entities
  (no entity expansion, no external files or network): one row per event; trace attributes get
  the prefix ``case:`` (``case:concept:name``), event attributes keep their keys
  (``concept:name``, ``time:timestamp``, ``lifecycle:transition``, ``org:resource``...).
  ``int``, ``float`` and ``boolean`` keys are typed when every value converts; ``string``,
  ``id`` and ``date`` values stay text exactly as written. The declared encoding is honoured
  (``encoding="GBK"``). List and container attributes and attributes nested in attributes are
  not read; their number is given in ``SourceInfo.notes``.
- A folder of CSV parts (plain or compressed) or of Parquet parts (all of one kind; files
  starting with ``.`` or ``_`` are ignored): every part must have the same columns (in any
  order), else the first part that differs is named with the columns it has or lacks;
  ``_row`` counts within each part.
- A pandas DataFrame: column types kept (time-zone-aware times stay ``TIMESTAMPTZ``); the index
  is not read, ``reset_index()`` first to keep it. A float column holding whole numbers and
  missing values (how pandas stores integers with gaps) is read as integers, so an id
  ``20044587`` is not turned into ``20044587.0``.
"""

from __future__ import annotations

import codecs
import concurrent.futures
import contextlib
import csv
import datetime as dt
import difflib
import gzip
import hashlib
import io
import os
import re
import tempfile
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import charset_normalizer
import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from journey._reading import _check_columns, _same_header
from journey._xes import XesStats, xes_batches
from journey.errors import JourneyError

__all__ = ["SourceInfo", "explain_engine_error", "register_source", "sha256_of"]

_SUPPORTED = (".csv", ".txt", ".tsv", ".xlsx", ".xls", ".parquet", ".xes", ".zip")
_KINDS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "excel", ".xls": "excel",
          ".parquet": "parquet", ".xes": "xes", ".zip": "zip"}
_COMPRESSED = (".gz", ".zst", ".zstd")
_MAGIC = ((b"\x1f\x8b", "gzip"), (b"\x28\xb5\x2f\xfd", "zstd"))
_DELIMITERS = (",", "\t", ";", "|")
_SNIFF_BYTES = 4 << 20
_CHUNK_BYTES = 1 << 20
_HEADER_BYTES = 1 << 20
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
        ``"csv"``, ``"excel"``, ``"parquet"``, ``"xes"``, ``"folder"`` or ``"dataframe"`` (a
        compressed or zipped file has the kind of the file inside).
    encoding : str or None
        Text encoding of CSV files (for a folder whose parts differ: the encodings joined by
        ``", "``); ``None`` for other kinds.
    files : tuple of str
        The files read (the parts of a folder, in the order read); empty for a DataFrame.
    n_rows : int
        Number of data rows registered.
    notes : tuple of str
        What was changed or left out while reading, one sentence each: merged Excel cells
        filled, XES list attributes not read. Empty for most files.
    filled_cells : int
        Empty cells of merged Excel ranges filled with the merged value (0 for other kinds).

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
    notes: tuple[str, ...] = ()
    filled_cells: int = 0


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
        A ``.csv``/``.txt``/``.tsv``, ``.xlsx``/``.xls``, ``.parquet`` or ``.xes`` file (CSV
        and XES also as ``.gz``/``.zst`` or alone in a ``.zip``), a folder of CSV or Parquet
        parts, or a DataFrame.
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
        When the source is missing, of an unsupported kind, empty, damaged (archive, Parquet
        page, XML), has duplicate column names, does not decode in its encoding (or mixes two),
        or cannot be parsed, or when the parts of a folder have different columns; the message
        names the file (and the line, part or column) and says how to fix it.

    Examples
    --------
    >>> import duckdb, pandas as pd
    >>> con = duckdb.connect()
    >>> frame = pd.DataFrame({"case_id": ["V1", "V1"], "activity": ["Registration", "Lab"]})
    >>> info = register_source(con, frame, name="raw")
    >>> info.kind, info.n_rows, info.notes
    ('dataframe', 2, ())
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
    notes: tuple[str, ...] = ()
    filled = 0
    try:
        with tempfile.TemporaryDirectory(prefix="journey-") as tmp, \
                contextlib.ExitStack() as stack:
            inputs = [_Input(p) for p in parts]
            if kind == "zip":
                inputs = [stack.enter_context(_zip_member(parts[0], label))]
                kind = _kind_of(Path(inputs[0].member or ""), label, inner=True)
            if kind == "dataframe":
                _load_frame(con, name, _integer_ids(source), None, label)
            elif kind == "excel":
                frame, rows, filled, notes = _read_excel(parts[0], label, sheet)
                _load_frame(con, name, frame, rows, label)
            elif kind == "xes":
                with inputs[0].open(label) as fh:
                    notes = _load_xes(con, name, fh, label)
            else:
                header: tuple[str, list[str]] | None = None
                for i, item in enumerate(inputs):
                    part = item.path
                    part_label = os.path.join(label, part.name) if kind == "folder" else label
                    file = part.name if kind == "folder" else None
                    if _kind_of(part, part_label) == "parquet":
                        names = _load_parquet(con, name, part, part_label, file, first=i == 0)
                    else:
                        used, names = _load_csv(con, name, item, part_label, file, encoding,
                                                Path(tmp) / f"part{i}.csv", first=i == 0)
                        encodings.append(used)
                    if kind == "folder":
                        header = _same_header(header, part.name, names, label)
        n_rows = con.execute(f"SELECT count(*) FROM {_ident(name)}").fetchall()[0][0]
        if n_rows == 0:
            raise JourneyError("no data rows: the source has a header (or nothing) but no rows "
                               "below it; check that this is the right file or sheet",
                               source=label)
    except BaseException:
        _drop_relation(con, name)
        raise
    files = tuple(label if kind != "folder" else os.path.join(label, p.name) for p in parts)
    encoding_used = ", ".join(dict.fromkeys(encodings)) or None
    return SourceInfo(label, kind, encoding_used, files, int(n_rows), notes, filled)


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


def _kind_of(path: Path, label: str, *, inner: bool = False) -> str:
    """The kind of a file from its name; ``.gz``/``.zst`` after it add only compression."""
    base, compression = path.name.lower(), ""
    for c in _COMPRESSED:
        if base.endswith(c):
            base, compression = base[:-len(c)], c
            break
    suffix = os.path.splitext(base)[1]
    kind = _KINDS.get(suffix)
    if compression and kind not in ("csv", "xes"):
        kind = None
    if inner and kind not in ("csv", "xes"):
        raise JourneyError(f"the archive holds {path.name!r}; journey reads a CSV or XES file "
                           "inside a .zip. Extract the file and pass its path", source=label)
    if kind is None:
        shown = suffix + compression
        raise JourneyError(f"unsupported file type {shown or '(no extension)'!r}; journey reads "
                           f"{', '.join(_SUPPORTED)} files (CSV and XES also compressed as .gz "
                           "or .zst, or alone in a .zip), a folder of CSV or Parquet parts, or "
                           "a pandas DataFrame", source=label)
    return kind


def _folder_parts(path: Path, label: str) -> list[Path]:
    entries = sorted(p for p in path.iterdir() if not p.name.startswith((".", "_")))
    kinds = {}
    for p in entries:
        with contextlib.suppress(JourneyError):
            kinds[p] = _kind_of(p, label) if p.is_file() else None
    others = [p.name for p in entries if kinds.get(p) not in ("csv", "parquet")]
    if others:
        raise JourneyError(f"the folder holds entries that are not CSV or Parquet parts: "
                           f"{', '.join(others[:5])}; move them out of the folder", source=label)
    if not entries:
        raise JourneyError("the folder holds no CSV or Parquet parts (.csv, .txt, .tsv, "
                           ".parquet); check the folder", source=label)
    if len(set(kinds.values())) > 1:
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


def _header_names(values: list[object]) -> list[str]:
    """Header cells as names; empty cells get DuckDB's names ``column0``, ``column1``..."""
    return [f"column{i}" if v is None or not str(v).strip() else str(v)
            for i, v in enumerate(values)]


def _load(con: duckdb.DuckDBPyConnection, table: str, select: str, *, first: bool, label: str,
          utf8_input: _Input | None = None) -> None:
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
        if utf8_input is not None and "unicode" in str(exc).lower():
            _transcode(utf8_input, label, "utf-8", None)  # raises with the byte offset and line
        if utf8_input is not None and utf8_input.compression() != "none":
            with utf8_input.open(label) as fh:  # raises naming the damaged archive
                while fh.read(_CHUNK_BYTES):
                    pass
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
                  file: str | None, *, first: bool) -> list[str]:
    """Load (or, for a single file, view) one Parquet file; return its column names."""
    scan = f"read_parquet({_literal(str(path))})"
    if path.stat().st_size == 0:
        raise JourneyError("the Parquet file is empty (0 bytes): no data rows; write or copy "
                           "it again", source=label)
    try:
        names = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()]
    except duckdb.Error as exc:
        raise JourneyError(f"cannot read the Parquet file ({_duckdb_message(exc)}); check that it "
                           "is a complete Parquet file, or write it again", source=label) from exc
    _check_columns(names, label)
    # file_row_number keeps the scan parallel (WITH ORDINALITY would read on one thread)
    extra = f", {_literal(file)} AS _file" if file is not None else ""
    select = (f"SELECT * EXCLUDE (file_row_number), file_row_number + 1 AS _row{extra} "
              f"FROM {scan[:-1]}, file_row_number = true)")
    if first and file is None:  # a single file is read where it lies, not copied
        con.execute(f"CREATE OR REPLACE VIEW {_ident(table)} AS {select}")
        return names
    _check_parquet_pages(con, scan, names, label)
    _load(con, table, select, first=first, label=label)
    return names


def explain_engine_error(con: duckdb.DuckDBPyConnection, info: SourceInfo,
                         exc: duckdb.Error) -> None:
    """Raise the :class:`JourneyError` that names a damaged Parquet file when the engine error
    ``exc``, met while working on the rows of ``info``, came from one; return otherwise.

    A single Parquet file is read where it lies (see the module notes), so a damaged page
    surfaces as whatever error the engine meets while decoding it. Only then is every page
    decoded again, to tell a damaged file from any other error.

    Examples
    --------
    >>> import duckdb
    >>> info = SourceInfo("log.csv", "csv", "utf-8", ("log.csv",), 1)
    >>> explain_engine_error(duckdb.connect(), info, duckdb.Error("any")) is None
    True
    """
    if info.kind != "parquet" or isinstance(exc, duckdb.OutOfMemoryException):
        return
    scan = f"read_parquet({_literal(str(Path(info.files[0]).expanduser()))})"
    names = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()]
    _check_parquet_pages(con, scan, names, info.label)


def _check_parquet_pages(con: duckdb.DuckDBPyConnection, scan: str, names: list[str],
                         label: str) -> None:
    """Decode every page once, so that a damaged page is found here and named, not later."""
    if not names:
        return
    try:  # hashing needs every value (a count would be answered from the metadata)
        con.execute(f"SELECT bit_xor(hash(COLUMNS(*))) FROM {scan}").fetchall()
    except duckdb.Error as exc:
        raise JourneyError(f"the Parquet file is damaged ({_duckdb_message(exc)}); write or "
                           "copy it again from the source (a file cut short by a failed copy "
                           "looks like this)", source=label) from exc


def _drop_relation(con: duckdb.DuckDBPyConnection, name: str) -> None:
    kinds = con.execute("SELECT table_type FROM information_schema.tables WHERE table_name = ?",
                        [name]).fetchall()
    for (kind,) in kinds:
        con.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} IF EXISTS {_ident(name)}")


def _integer_ids(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns holding only whole numbers and NaN (pandas' integers with gaps) as Int64.

    pandas stores an integer column with a missing value as float, so ``20044587`` would be
    read as ``20044587.0``; whole numbers below 2**53 are exact in a float and come back as they
    were written.
    """
    fix = {}
    for c in frame.columns:
        column = frame[c]
        if column.dtype.kind != "f" or not column.isna().any():
            continue
        values = column.dropna().to_numpy()
        if len(values) and np.all(np.abs(values) < 2 ** 53) and np.all(values == np.round(values)):
            fix[c] = column.astype("Int64")
    if not fix:
        return frame
    frame = frame.copy(deep=False)
    for c, column in fix.items():
        frame[c] = column
    return frame


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
        mixed = {c: _as_text(frame[c]) for c in names if not _arrow_ok(frame[c])}
        try:
            arrow = pa.Table.from_pandas(frame.assign(**mixed), preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
            bad = next((c for c in names if not _arrow_ok(frame.assign(**mixed)[c])), None)
            raise JourneyError(f"the column holds values journey cannot store ({exc}); convert "
                               "it to text or numbers first, e.g. df[col].astype(str)",
                               source=label, column=bad) from exc
    if rows is None:
        rows = np.arange(1, len(frame) + 1)
    arrow = arrow.append_column("_row", pa.array(rows, pa.int64()))
    _load_arrow(con, table, arrow, first=True, label=label)


def _load_arrow(con: duckdb.DuckDBPyConnection, table: str, arrow: pa.Table, *, first: bool,
                label: str) -> None:
    """Create ``table`` from an Arrow table (``first``), or append the rows to it."""
    view = f"_journey_{uuid.uuid4().hex}"
    con.register(view, arrow)
    try:
        _load(con, table, f"SELECT * FROM {view}", first=first, label=label)
    finally:
        con.unregister(view)


def _as_text(column: pd.Series) -> pd.Series:
    """Mixed values as text; whole floats as integers (an id 20044587.0 reads 20044587)."""
    def text(value: object) -> object:
        if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
            return str(int(value))
        return value if value is None or isinstance(value, str) or pd.isna(value) \
            else str(value)
    return column.map(text).astype("string")


def _arrow_ok(column: pd.Series) -> bool:
    try:
        pa.array(column, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return False
    return True


# --- compressed files and archives ------------------------------------------------------------

@dataclass(frozen=True)
class _Input:
    """A file to read, possibly gzip- or zstd-compressed, or the one member of a .zip."""

    path: Path
    member: str | None = None
    archive: zipfile.ZipFile | None = None

    @property
    def name(self) -> str:
        """The file name without compression suffix (the member's name inside a .zip)."""
        name = (self.member or self.path.name).rsplit("/", 1)[-1]
        return next((name[:-len(c)] for c in _COMPRESSED if name.lower().endswith(c)), name)

    def compression(self) -> str:
        """``"gzip"``, ``"zstd"`` or ``"none"``, from the file's first bytes."""
        if self.member is not None:
            return "none"
        with open(self.path, "rb") as fh:
            head = fh.read(4)
        return next((c for magic, c in _MAGIC if head.startswith(magic)), "none")

    @contextlib.contextmanager
    def open(self, label: str):
        """The decompressed bytes as a binary stream whose read errors are JourneyErrors."""
        compression = self.compression()
        try:
            if self.archive is not None:
                fh = self.archive.open(self.member or "")
            elif compression == "gzip":
                fh = gzip.open(self.path, "rb")
            elif compression == "zstd":
                fh = pa.input_stream(str(self.path), compression="zstd")
            else:
                fh = open(self.path, "rb")
        except (OSError, RuntimeError, ValueError, zipfile.BadZipFile, zlib.error) as exc:
            raise _damaged(exc, label, compression) from exc
        with fh:
            yield _Guarded(fh, label, "zip" if self.archive is not None else compression)


class _Guarded:
    """A binary stream turning decompression and archive errors into JourneyErrors."""

    def __init__(self, fh: BinaryIO, label: str, compression: str) -> None:
        self._fh, self._label, self._compression = fh, label, compression

    def read(self, size: int = -1) -> bytes:
        try:
            return self._fh.read(size)
        except (OSError, EOFError, RuntimeError, ValueError, zipfile.BadZipFile,
                zlib.error) as exc:
            raise _damaged(exc, self._label, self._compression) from exc


def _damaged(exc: BaseException, label: str, compression: str) -> JourneyError:
    if compression == "none":
        return JourneyError(f"cannot read the file ({type(exc).__name__}: {exc}); check that it "
                            "is a file you may read (not a folder, not open in a program that "
                            "locks it)", source=label)
    what = {"gzip": "gzip archive", "zstd": "zstd archive", "zip": ".zip archive"}.get(
        compression, "file")
    return JourneyError(f"cannot read the {what} ({type(exc).__name__}: {exc}); it is damaged, "
                        "cut short or password-protected: copy or download it again, or "
                        "extract it with an archive tool and pass the extracted file",
                        source=label)


@contextlib.contextmanager
def _zip_member(path: Path, label: str):
    """The one data file of a .zip archive (folders, ``__MACOSX`` and dot files ignored)."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise _damaged(exc, label, "zip") from exc
    with archive:
        members = [i.filename for i in archive.infolist() if not i.is_dir()
                   and not i.filename.startswith("__MACOSX/")
                   and not i.filename.rsplit("/", 1)[-1].startswith(".")]
        if not members:
            raise JourneyError("the .zip archive holds no file; check the archive", source=label)
        if len(members) > 1:
            shown = ", ".join(map(repr, members[:10])) + (", ..." if len(members) > 10 else "")
            raise JourneyError(f"the .zip archive holds {len(members)} files ({shown}); journey "
                               "reads a .zip holding one file. Extract the one you want and pass "
                               "its path, or extract them all into a folder and pass the folder "
                               "to read them as parts of one log (same header in every part)",
                               source=label)
        yield _Input(path, members[0], archive)


# --- CSV ---------------------------------------------------------------------------------------

def _load_csv(con: duckdb.DuckDBPyConnection, table: str, item: _Input, label: str,
              file: str | None, encoding: str | None, tmp: Path, *, first: bool,
              ) -> tuple[str, list[str]]:
    """Load one CSV file; return the encoding used and the header."""
    if item.path.stat().st_size == 0 or (item.archive is not None and item.member is not None
                                         and item.archive.getinfo(item.member).file_size == 0):
        raise JourneyError("the file is empty: no data rows", source=label)
    if encoding is None:
        encoding = _detect_encoding(item, label)
    else:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            raise JourneyError(f"unknown encoding {encoding!r}; use e.g. 'utf-8', 'gbk' or "
                               "'gb18030'", source=label) from None
    direct = encoding in ("utf-8", "utf-8-sig") and item.archive is None
    readable = item if direct else _Input(_transcode(item, label, encoding, tmp))
    header, delimiter = _csv_header(readable, label, item.name.lower().endswith(".tsv"))
    _check_columns(header, label)
    columns = "{" + ", ".join(f"{_literal(n)}: 'VARCHAR'" for n in header) + "}"
    scan = (f"read_csv({_literal(str(readable.path))}, auto_detect=false, header=true, skip=0, "
            f"delim={_literal(delimiter)}, quote='\"', escape='\"', strict_mode=true, "
            f"compression={_literal(readable.compression())}, columns={columns})")
    try:
        _load(con, table, _ordinal_select(scan, header, file, offset=1), first=first,
              label=label, utf8_input=item if direct else None)
    finally:
        if not direct:
            readable.path.unlink()  # the table holds the rows; free the disk at once
    return encoding, header


def _csv_header(item: _Input, label: str, tab: bool) -> tuple[list[str], str]:
    """The header names and the delimiter: the candidate most frequent in the header line."""
    with item.open(label) as fh:
        head = fh.read(_HEADER_BYTES)
    if len(head) == _HEADER_BYTES:  # whole lines only (a line break is one byte in UTF-8)
        head = head[:head.rfind(b"\n") + 1] or head
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        _transcode(item, label, "utf-8", None)  # raises with the byte offset and line
        raise JourneyError(f"the header line is not valid UTF-8 ({exc})", source=label) from exc
    line = text.split("\n", 1)[0]
    delimiter = "\t" if tab else max(_DELIMITERS, key=line.count)
    try:
        header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter,
                                 quotechar='"', doublequote=True), None)
    except csv.Error as exc:
        raise JourneyError(f"cannot read the header line as CSV ({exc}); check the first line "
                           "of the file", source=label) from exc
    if not header or any("\x00" in h for h in header):
        raise JourneyError("no header line with column names: no data rows", source=label)
    return _header_names(header), delimiter


def _detect_encoding(item: _Input, label: str) -> str:
    with item.open(label) as fh:
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
            if candidate == "utf-8":
                _refuse_mixed(head, label)
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


def _refuse_mixed(head: bytes, label: str) -> None:
    """Raise when ``head`` is UTF-8 text but for a few lines (e.g. one GBK line pasted in).

    Decoding such a file as GB18030 would garble every Chinese character of the UTF-8 lines,
    and guessing an encoding line by line could garble the odd line silently: refuse, naming
    the lines.
    """
    lines = head.split(b"\n")
    if len(head) == _SNIFF_BYTES:
        lines = lines[:-1]  # the last line may be cut inside a character
    good = bad = 0
    first: tuple[int, int, bytes] | None = None
    offset = 0
    for number, line in enumerate(lines, start=1):
        if not line.isascii():
            try:
                line.decode("utf-8")
                good += 1
            except UnicodeDecodeError as exc:
                bad += 1
                if first is None:
                    first = (number, offset + exc.start, line[exc.start:exc.end])
        offset += len(line) + 1
    if first is None or good < 4 * bad:
        return
    number, at, raw = first
    raise JourneyError(
        f"the file is UTF-8 text except {bad} line(s) in another encoding (probably GBK, e.g. "
        f"pasted from another export), the first at line {number} (byte offset {at}: bytes "
        f"{raw.hex(' ').upper()}). Reading the whole file as GBK would garble every other "
        "line, so journey stops: open the file, correct or retype that line and save the file "
        "as UTF-8; pass encoding='gbk' only if the whole file is GBK", source=label,
        rows=[number])


def _transcode(item: _Input, label: str, encoding: str, out: Path | None) -> Path:
    """Decode ``item`` in chunks and write it to ``out`` as UTF-8 (or only check it)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = lines = 0
    target = open(out, "w", encoding="utf-8", newline="") if out else contextlib.nullcontext()
    with item.open(label) as src, target as dst:
        while True:
            chunk = src.read(_CHUNK_BYTES)
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                start = offset - (len(exc.object) - len(chunk)) + exc.start
                line = lines + exc.object[:exc.start].decode(encoding, "replace").count("\n") + 1
                raise JourneyError(_decode_message(exc, encoding, start, line),
                                   source=label, rows=[line]) from None
            except UnicodeError as exc:  # e.g. UTF-16 without a byte-order mark
                raise JourneyError(f"the file is not {encoding} text ({exc}); pass the file's "
                                   "encoding, e.g. encoding='utf-16-le', 'utf-8' or 'gbk', or "
                                   "save the file again as UTF-8", source=label) from None
            if dst is not None:
                dst.write(text)
            lines += text.count("\n")
            offset += len(chunk)
            if not chunk:
                return out or item.path


def _decode_message(exc: UnicodeDecodeError, encoding: str, start: int, line: int) -> str:
    bad = exc.object[exc.start:exc.end].hex(" ").upper()
    tries = " or ".join(f"encoding={e!r}" for e in ("gbk", "utf-8", "utf-16")
                        if not encoding.startswith(e[:5]))
    return (f"the file is not valid {encoding} text: bytes {bad} at byte offset {start} (line "
            f"{line}) cannot be decoded. Pass the file's encoding, e.g. {tries}, correct that "
            "line, or save the file again as UTF-8 (Chinese HIS exports are often GBK)")


# --- Excel -------------------------------------------------------------------------------------

def _read_excel(path: Path, label: str, sheet: int | str,
                ) -> tuple[pd.DataFrame, np.ndarray, int, tuple[str, ...]]:
    """The sheet's rows as text (date-time columns as timestamps), their sheet rows, the number
    of merged cells filled and notes."""
    engine = "calamine" if path.suffix.lower() == ".xls" else "openpyxl"
    merged: list[tuple[int, int, int, int]] = []
    try:
        with pd.ExcelFile(path, engine=engine) as book:
            sheets = book.sheet_names
            if (sheet not in sheets) if isinstance(sheet, str) else not 0 <= sheet < len(sheets):
                raise JourneyError(f"the workbook has no sheet {sheet!r}; its sheets are "
                                   f"{', '.join(map(repr, sheets))}; pass sheet=<name or "
                                   "0-based position>", source=label)
            raw = pd.read_excel(book, sheet_name=sheet, header=None, dtype=object,
                                keep_default_na=False, na_values=[])
            title = sheet if isinstance(sheet, str) else sheets[sheet]
            if engine == "openpyxl":
                merged = _merged_ranges(path, getattr(book.book[title], "_worksheet_path", None))
            else:  # legacy .xls: the reader lists the merged ranges itself
                merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in
                          book.book.get_sheet_by_name(title).merged_cell_ranges or []]
    except ImportError as exc:
        package = "python-calamine" if engine == "calamine" else engine
        raise JourneyError(f"reading {path.suffix} files needs the {package} package (pip "
                           f"install {package}), or open the file in Excel and save it as .xlsx",
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
    notes: list[str] = []
    top = keep[0]
    if len(keep) > 1 and sum(v is not None for v in cells[top]) == 1 and any(
            r0 == top and r1 == top and c1 > c0 for r0, c0, r1, c1 in merged):
        notes.append(f"row {top + 1} (a title merged across columns) skipped; the header is "
                     f"row {keep[1] + 1}")
        keep = keep[1:]
        merged = [m for m in merged if m[0] != top]
    filled = _fill_merged(cells, merged)
    if filled:
        notes.append(f"{filled:,} empty cell(s) of merged ranges filled with the merged value "
                     "(Excel shows one value across the range)")
    names = _header_names(list(cells[keep[0]]))
    _check_columns(names, label)
    body = cells[keep[1:]]
    data = {n: _excel_column(list(body[:, j])) for j, n in enumerate(names)}
    return (pd.DataFrame(data), np.array(keep[1:], dtype=np.int64) + 1, filled,
            tuple(notes))


_MERGE_REF = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?ref=\"([A-Z]+)(\d+):([A-Z]+)(\d+)\"")


def _merged_ranges(path: Path, part: str | None) -> list[tuple[int, int, int, int]]:
    """Merged ranges of a worksheet as 0-based ``(row0, col0, row1, col1)``, inclusive.

    The ``<mergeCell ref="A2:A4"/>`` elements follow the cell data in the sheet's XML; the
    part is scanned in chunks (a regular expression, no XML tree), so a large sheet costs one
    pass of reading.
    """
    if not part:
        return []

    def col(letters: bytes) -> int:
        n = 0
        for ch in letters:
            n = n * 26 + ch - 64
        return n - 1

    ranges, tail = [], b""
    with zipfile.ZipFile(path) as archive, archive.open(part.lstrip("/")) as fh:
        while chunk := fh.read(_CHUNK_BYTES):
            data = tail + chunk
            end = 0
            for m in _MERGE_REF.finditer(data):
                ranges.append((int(m[2]) - 1, col(m[1]), int(m[4]) - 1, col(m[3])))
                end = m.end()
            tail = data[max(end, len(data) - 200):]
    return ranges


def _fill_merged(cells: np.ndarray, ranges: list[tuple[int, int, int, int]]) -> int:
    """Copy each merged range's value into its empty cells; return how many were filled."""
    filled = 0
    n_rows, n_cols = cells.shape
    for r0, c0, r1, c1 in ranges:
        if r0 >= n_rows or c0 >= n_cols:
            continue
        value = cells[r0, c0]
        if value is None:
            continue
        block = cells[r0:r1 + 1, c0:c1 + 1]
        empty = np.equal(block, None)
        filled += int(empty.sum())
        block[empty] = value
    return filled


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

def _load_xes(con: duckdb.DuckDBPyConnection, table: str, stream: BinaryIO,
              label: str) -> tuple[str, ...]:
    """Load the events of an XES file; return notes on what was not read."""
    staging = f"_journey_xes_{uuid.uuid4().hex}"
    stats = XesStats()
    first = True

    try:
        # DuckDB loads one batch while the parser reads the next
        with concurrent.futures.ThreadPoolExecutor(1) as loader:
            loading = None
            for rows, arrow in xes_batches(stream, label, stats, batch=_XES_BATCH):
                _check_columns(arrow.column_names, label)
                arrow = arrow.append_column("_row", pa.array(rows, pa.int64()))
                if loading is not None:
                    loading.result()
                loading = loader.submit(_load_arrow, con, staging, arrow, first=first,
                                        label=label)
                first = False
            if loading is not None:
                loading.result()
        if first:
            raise JourneyError("the XES file holds no events (no <event> elements): no data "
                               "rows; check that this is the right file", source=label)
        _cast_xes(con, staging, table, stats.types)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {_ident(staging)}")
    if stats.nested:
        return (f"{stats.nested:,} list, container or nested XES attribute(s) not read "
                "(journey reads the plain attributes of traces and events)",)
    return ()


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
    con.execute(f"CREATE OR REPLACE TABLE {_ident(table)} AS SELECT "
                f"{', '.join([*columns, '_row'])} FROM {_ident(staging)}")
