"""Tests for journey.formats: raw files into DuckDB, row numbers, encodings, errors."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gzip
import hashlib
import io
import tempfile
import zipfile
from pathlib import Path

import duckdb
import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import journey
from journey.errors import JourneyError
from journey.formats import SourceInfo, register_source, sha256_of

ROWS = [
    ["case_id", "活动", "start", "end"],
    ["V000001", "挂号", "2024-03-01 08:00", "2024-03-01 08:05"],
    ["V000001", "缴费", "2024-03-01 08:20", ""],
    ["V000002", 'say "hi", then\nleave', "2024-03-01 09:00", "2024-03-01 09:10"],
]


def write_csv(path: Path, rows=ROWS, *, delimiter=",", encoding="utf-8") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def table(con, name="raw") -> pd.DataFrame:
    return con.sql(f"SELECT * FROM {name} ORDER BY _file, _row" if "_file" in
                   con.sql(f"SELECT * FROM {name} LIMIT 0").columns else
                   f"SELECT * FROM {name} ORDER BY _row").df()


def expected_rows(rows=ROWS) -> list[list[str | None]]:
    """The data rows as DuckDB should hold them: text, empty fields missing."""
    return [[v if v != "" else None for v in row] for row in rows[1:]]


@pytest.fixture
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


# --- CSV ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("suffix", "delimiter"), [(".csv", ","), (".csv", ";"), (".txt", "|"),
                                                   (".tsv", "\t"), (".txt", "\t")])
def test_csv_values_are_raw_text_with_spreadsheet_rows(con, tmp_path, suffix, delimiter):
    path = write_csv(tmp_path / f"log{suffix}", delimiter=delimiter)
    info = register_source(con, path, name="raw")
    assert info == SourceInfo(str(path), "csv", "utf-8", (str(path),), 3)
    got = table(con)
    assert list(got.columns) == ROWS[0] + ["_row"]
    assert {r[0]: r[1] for r in con.sql("DESCRIBE raw").fetchall()} == {
        "case_id": "VARCHAR", "活动": "VARCHAR", "start": "VARCHAR", "end": "VARCHAR",
        "_row": "BIGINT"}
    # header is row 1; the quoted field with a line break is still one row (as in Excel)
    assert got["_row"].tolist() == [2, 3, 4]
    values = got[ROWS[0]].astype(object).where(got[ROWS[0]].notna(), None)
    assert values.to_numpy().tolist() == expected_rows()


def test_csv_row_numbers_follow_file_order_in_a_large_parallel_read(con, tmp_path):
    n = 200_000
    path = tmp_path / "big.csv"
    path.write_text("n,x\n" + "".join(f"{i},v{i % 13}\n" for i in range(n)), encoding="utf-8")
    con.execute("SET threads = 2")
    assert register_source(con, path, name="raw").n_rows == n
    mismatches = con.sql("SELECT count(*) FROM raw WHERE CAST(n AS BIGINT) + 2 <> _row")
    assert mismatches.fetchall() == [(0,)]
    assert con.sql("SELECT min(_row), max(_row) FROM raw").fetchall() == [(2, n + 1)]


@pytest.mark.parametrize(("encoding", "detected"), [
    ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030"),
    ("utf-16", "utf-16"), ("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be")])
def test_encodings_are_detected_and_transcoded(con, tmp_path, encoding, detected):
    path = write_csv(tmp_path / "his.csv", encoding=encoding)
    info = register_source(con, path, name="raw")
    assert info.encoding == detected
    got = table(con)
    assert list(got.columns)[0] == "case_id"  # BOM stripped from the first header
    assert got["活动"].tolist() == ["挂号", "缴费", 'say "hi", then\nleave']
    assert got["_row"].tolist() == [2, 3, 4]
    assert list(tmp_path.iterdir()) == [path]  # no temporary copy left next to the file


def test_explicit_encoding_is_used(con, tmp_path):
    path = write_csv(tmp_path / "his.csv", encoding="gbk")
    assert register_source(con, path, name="raw", encoding="GBK").encoding == "gbk"
    assert table(con)["活动"].tolist()[:2] == ["挂号", "缴费"]
    with pytest.raises(JourneyError, match="unknown encoding 'klingon'"):
        register_source(con, path, name="raw", encoding="klingon")


def test_wrong_encoding_names_offset_line_and_fix(con, tmp_path):
    path = write_csv(tmp_path / "his.csv", encoding="gbk")
    data = path.read_bytes()
    offset = data.index("活动".encode("gbk"))  # the first non-ASCII byte, in the header
    data[:offset].decode("utf-8")
    with pytest.raises(UnicodeDecodeError):
        data[offset:offset + 4].decode("utf-8")
    line = data[:offset].count(b"\n") + 1
    with pytest.raises(JourneyError) as err:
        register_source(con, path, name="raw", encoding="utf-8")
    message = str(err.value)
    assert message.startswith(f"{path}, rows {line}: the file is not valid utf-8 text")
    assert f"byte offset {offset} (line {line})" in message
    assert "encoding='gbk'" in message
    assert err.value.source == str(path)


def test_invalid_utf8_after_the_sniffed_megabytes_is_located(con, tmp_path):
    path = tmp_path / "late.csv"
    body = b"a,b\n" + b"1,abcdefghij\n" * 400_000  # 5.2 MB, beyond the 4 MB sniffed
    path.write_bytes(body + b"2,caf\xe9\n")
    with pytest.raises(JourneyError) as err:
        register_source(con, path, name="raw")
    assert f"byte offset {len(body) + 5} (line 400002)" in str(err.value)
    assert "encoding='gbk'" in str(err.value)
    assert err.value.rows == [400002]
    assert "raw" not in [r[0] for r in con.sql("SHOW TABLES").fetchall()]


def test_damaged_gbk_file_reports_both_candidates(con, tmp_path):
    path = tmp_path / "his.csv"
    path.write_bytes("姓,活动\n".encode("gbk") + b"x\xff,1\n")
    with pytest.raises(JourneyError, match=r"neither valid UTF-8 .* nor valid GBK/GB18030 "
                                           r"\(bytes FF at byte offset 9, line 2\)"):
        register_source(con, path, name="raw")


def test_blank_lines_are_skipped(con, tmp_path):
    path = tmp_path / "log.csv"
    path.write_bytes(b"a,b\r\n1,2\r\n\r\n3,4\r\n")
    register_source(con, path, name="raw")
    assert con.sql("SELECT a, b, _row FROM raw ORDER BY _row").fetchall() == [
        ("1", "2", 2), ("3", "4", 3)]


@pytest.mark.parametrize(("content", "message"), [
    (b"", "the file is empty: no data rows"),
    (b"case_id,activity\n", "no data rows"),
    (b"case_id,activity\r\n", "no data rows"),
    (b"a,b,A\n1,2,3\n", "duplicate column names 'a' and 'A'"),
    (b"a,_row\n1,2\n", "column name '_row' is reserved"),
    (b"a,b\n1,2\n3,4,5\n", "CSV Error on Line: 3.*Expected Number of Columns: 2 Found: 3"),
    (b'a,b\n1,"open\n', "CSV Error on Line: 2.*unterminated quote"),
])
def test_csv_problems_raise_clear_errors(con, tmp_path, content, message):
    path = tmp_path / "log.csv"
    path.write_bytes(content)
    with pytest.raises(JourneyError, match=message):
        register_source(con, path, name="raw")


def test_empty_header_cells_get_positional_names(con, tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("a,,b\n1,2,3\n", encoding="utf-8")
    register_source(con, path, name="raw")
    assert con.sql("SELECT * FROM raw").columns == ["a", "column1", "b", "_row"]


def test_registering_again_replaces_the_table(con, tmp_path):
    first = write_csv(tmp_path / "one.csv")
    second = write_csv(tmp_path / "two.csv", [["x"], ["1"]])
    register_source(con, first, name="raw")
    register_source(con, second, name="raw")
    assert con.sql("SELECT * FROM raw").fetchall() == [("1", 2)]


# --- paths and folders -------------------------------------------------------------------------

def test_missing_file_suggests_close_names(con, tmp_path):
    write_csv(tmp_path / "visits_2024.csv")
    with pytest.raises(JourneyError, match=r"file not found; did you mean 'visits_2024.csv'\?"):
        register_source(con, tmp_path / "visit_2024.csv", name="raw")
    with pytest.raises(JourneyError, match="does not exist"):
        register_source(con, tmp_path / "nowhere" / "log.csv", name="raw")


def test_unsupported_extension_lists_supported_ones(con, tmp_path):
    path = tmp_path / "log.json"
    path.write_text("[]")
    with pytest.raises(JourneyError) as err:
        register_source(con, path, name="raw")
    for suffix in (".csv", ".tsv", ".xlsx", ".parquet", ".xes", ".zip", ".gz", ".zst", "folder",
                   "DataFrame"):
        assert suffix in str(err.value)
    with pytest.raises(JourneyError, match="cannot read a list"):
        register_source(con, [1, 2], name="raw")


def test_folder_of_csv_parts_unites_columns_by_name(con, tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    write_csv(folder / "part-1.csv", [["case_id", "activity", "desk"], ["V1", "挂号", ""],
                                      ["V1", "缴费", ""]])
    write_csv(folder / "part-2.csv", [["activity", "case_id", "desk"], ["挂号", "V2", "D3"]],
              encoding="gbk")
    (folder / "_SUCCESS").write_text("")
    (folder / ".part-1.csv.crc").write_text("")
    info = register_source(con, folder, name="raw")
    assert info.kind == "folder"
    assert info.encoding == "utf-8, gb18030"
    assert info.files == (str(folder / "part-1.csv"), str(folder / "part-2.csv"))
    assert info.n_rows == 3
    got = con.sql("SELECT _file, _row, case_id, activity, desk FROM raw "
                  "ORDER BY _file, _row").fetchall()
    assert got == [("part-1.csv", 2, "V1", "挂号", None), ("part-1.csv", 3, "V1", "缴费", None),
                   ("part-2.csv", 2, "V2", "挂号", "D3")]


def test_folder_of_parquet_parts(con, tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    pd.DataFrame({"case_id": ["V1"], "cost": [np.nan]}).to_parquet(folder / "a.parquet")
    pd.DataFrame({"cost": [2.5, 3.0], "case_id": ["V2", "V3"]}).to_parquet(folder / "b.parquet")
    info = register_source(con, folder, name="raw")
    assert (info.kind, info.encoding, info.n_rows) == ("folder", None, 3)
    assert con.sql("SELECT _file, _row, case_id, cost FROM raw ORDER BY _file, _row"
                   ).fetchall() == [("a.parquet", 1, "V1", None),
                                    ("b.parquet", 1, "V2", 2.5),
                                    ("b.parquet", 2, "V3", 3.0)]


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_folder_parts_with_other_headers_are_named(con, tmp_path, kind):
    folder = tmp_path / "parts"
    folder.mkdir()
    frames = {"2024-01": pd.DataFrame({"case_id": ["V1"], "activity": ["A"], "desk": ["D"]}),
              "2024-02": pd.DataFrame({"case_id": ["V2"], "activity": ["B"], "desk": ["D"]}),
              "2024-03": pd.DataFrame({"case_id": ["V3"], "step": ["B"], "room": ["R"]})}
    for stem, frame in frames.items():
        if kind == "csv":
            frame.to_csv(folder / f"{stem}.csv", index=False)
        else:
            frame.to_parquet(folder / f"{stem}.parquet")
    with pytest.raises(JourneyError) as err:
        register_source(con, folder, name="raw")
    message = str(err.value)
    assert f"the part '2024-03.{kind}' has other columns than the first part '2024-01.{kind}'" \
        in message
    assert "it has 'step', 'room'" in message and "it lacks 'activity', 'desk'" in message
    assert err.value.column == "step"
    assert "raw" not in [r[0] for r in con.sql("SHOW TABLES").fetchall()]


@pytest.mark.parametrize(("files", "message"), [
    ([], "holds no CSV or Parquet parts"),
    (["a.csv", "b.parquet"], "mixes CSV and Parquet parts"),
    (["a.csv", "notes.docx"], "not CSV or Parquet parts: notes.docx"),
])
def test_folder_problems(con, tmp_path, files, message):
    for name in files:
        if name.endswith(".parquet"):
            pd.DataFrame({"case_id": ["V1"]}).to_parquet(tmp_path / name)
        else:
            (tmp_path / name).write_text("case_id\nV1\n")
    with pytest.raises(JourneyError, match=message):
        register_source(con, tmp_path, name="raw")


# --- Excel, Parquet, DataFrame -----------------------------------------------------------------

def write_workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "门诊"
    sheet["A3"], sheet["B3"], sheet["C3"], sheet["D3"], sheet["E3"] = \
        "case_id", "start", "note", "cost", "phone"
    sheet.append(["V1", dt.datetime(2024, 3, 1, 8, 30), dt.datetime(2024, 3, 1), 12, None])
    sheet.append([None, None, None, None, None])
    sheet.append(["V2", dt.datetime(2024, 3, 1, 9, 0), "n/a", 2.5, "x"])
    sheet.append(["V3", None, dt.time(8, 30), None, None])
    book.create_sheet("other")["A1"] = "x"
    book.save(path)
    return path


def test_excel_keeps_text_and_real_datetimes_with_sheet_rows(con, tmp_path):
    path = write_workbook(tmp_path / "log.xlsx")
    info = register_source(con, path, name="raw")
    assert (info.kind, info.encoding, info.n_rows) == ("excel", None, 3)
    types = {r[0]: r[1] for r in con.sql("DESCRIBE raw").fetchall()}
    assert types == {"case_id": "VARCHAR", "start": "TIMESTAMP", "note": "VARCHAR",
                     "cost": "VARCHAR", "phone": "VARCHAR", "_row": "BIGINT"}
    got = con.sql("SELECT _row, case_id, start, note, cost FROM raw ORDER BY _row").fetchall()
    assert got == [
        (4, "V1", dt.datetime(2024, 3, 1, 8, 30), "2024-03-01 00:00:00", "12"),
        (6, "V2", dt.datetime(2024, 3, 1, 9, 0), "n/a", "2.5"),
        (7, "V3", None, "08:30:00", None)]


def test_excel_sheet_choice_and_errors(con, tmp_path):
    path = write_workbook(tmp_path / "log.xlsx")
    register_source(con, path, name="raw", sheet="门诊")
    assert con.sql("SELECT count(*) FROM raw").fetchall() == [(3,)]
    with pytest.raises(JourneyError, match=r"no sheet 'nope'; its sheets are '门诊', 'other'"):
        register_source(con, path, name="raw", sheet="nope")
    with pytest.raises(JourneyError, match="no sheet 5"):
        register_source(con, path, name="raw", sheet=5)
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(b"not a workbook")
    with pytest.raises(JourneyError, match="cannot read the Excel file"):
        register_source(con, damaged, name="raw")


def test_excel_header_only_sheet_has_no_data_rows(con, tmp_path):
    path = write_workbook(tmp_path / "log.xlsx")
    with pytest.raises(JourneyError, match="no data rows"):
        register_source(con, path, name="raw", sheet="other")


def test_parquet_keeps_types(con, tmp_path):
    frame = pd.DataFrame({"case_id": ["V1", "V2"], "n": [3, 4],
                          "end": pd.to_datetime(["2024-03-01 08:00", "2024-03-01 09:00"])})
    frame.to_parquet(tmp_path / "log.parquet")
    info = register_source(con, tmp_path / "log.parquet", name="raw")
    assert (info.kind, info.n_rows) == ("parquet", 2)
    types = {r[0]: r[1] for r in con.sql("DESCRIBE raw").fetchall()}
    assert types["n"] == "BIGINT" and types["end"].startswith("TIMESTAMP")
    assert con.sql("SELECT _row, case_id, n FROM raw ORDER BY _row").fetchall() == [
        (1, "V1", 3), (2, "V2", 4)]


def test_dataframe_keeps_dtypes_and_time_zones(con):
    frame = pd.DataFrame({
        "case_id": ["V1", "V2", "V3"],
        "end": pd.to_datetime(["2024-03-01 08:00"] * 3).tz_localize("Asia/Shanghai"),
        "n": [1, 2, 3],
        "mixed": pd.Series([1, "x", 2.5], dtype=object),
        7: ["a", "b", "c"],
    }).set_axis([10, 11, 12])  # the index is not read
    info = register_source(con, frame, name="raw")
    assert info == SourceInfo("<DataFrame>", "dataframe", None, (), 3)
    types = {r[0]: r[1] for r in con.sql("DESCRIBE raw").fetchall()}
    assert types == {"case_id": "VARCHAR", "end": "TIMESTAMP WITH TIME ZONE", "n": "BIGINT",
                     "mixed": "VARCHAR", "7": "VARCHAR", "_row": "BIGINT"}
    assert con.sql("SELECT _row, mixed FROM raw ORDER BY _row").fetchall() == [
        (1, "1"), (2, "x"), (3, "2.5")]
    assert con.sql("SELECT count(*) FROM raw WHERE epoch(\"end\") = epoch(TIMESTAMPTZ "
                   "'2024-03-01 00:00:00+00')").fetchall() == [(3,)]


def test_dataframe_problems(con):
    with pytest.raises(JourneyError, match="duplicate column names 'Case' and 'case'"):
        register_source(con, pd.DataFrame([[1, 2]], columns=["Case", "case"]), name="raw")
    with pytest.raises(JourneyError, match="<DataFrame>: no data rows"):
        register_source(con, pd.DataFrame({"case_id": []}), name="raw")


# --- XES ---------------------------------------------------------------------------------------

XES = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <global scope="event"><string key="concept:name" value="__INVALID__"/></global>
  <string key="concept:name" value="clinic log"/>
  <trace>
    <string key="concept:name" value="V1"/>
    <int key="age" value="42"/>
    <event>
      <string key="concept:name" value="挂号"/>
      <date key="time:timestamp" value="2024-03-01T08:00:00.000+08:00"/>
      <string key="lifecycle:transition" value="complete"/>
      <float key="cost" value="12.5"/>
      <boolean key="urgent" value="true"/>
      <string key="org:resource" value="R1"><string key="meta" value="ignored"/></string>
      <list key="items"><values><string key="x" value="y"/></values></list>
    </event>
    <event>
      <string key="concept:name" value="缴费"/>
      <date key="time:timestamp" value="2024-03-01T08:30:00.000+08:00"/>
      <int key="cost" value="7"/>
      <int key="code" value="1"/>
    </event>
  </trace>
  <trace>
    <event>
      <string key="concept:name" value="取药"/>
      <int key="code" value="x1"/>
    </event>
    <string key="concept:name" value="V2"/>
  </trace>
</log>
"""


@pytest.mark.parametrize("suffix", [".xes", ".xes.gz"])
def test_xes_events_become_rows(con, tmp_path, suffix):
    path = tmp_path / f"log{suffix}"
    data = XES.encode("utf-8")
    path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
    info = register_source(con, path, name="raw")
    assert (info.kind, info.n_rows) == ("xes", 3)
    types = {r[0]: r[1] for r in con.sql("DESCRIBE raw").fetchall()}
    assert types == {"case:concept:name": "VARCHAR", "case:age": "BIGINT",
                     "concept:name": "VARCHAR", "time:timestamp": "VARCHAR",
                     "lifecycle:transition": "VARCHAR", "cost": "VARCHAR", "urgent": "BOOLEAN",
                     "org:resource": "VARCHAR", "code": "VARCHAR", "_row": "BIGINT"}
    got = con.sql('SELECT _row, "case:concept:name", "case:age", "concept:name", '
                  '"time:timestamp", cost, urgent, "org:resource", code FROM raw ORDER BY _row'
                  ).fetchall()
    assert got == [
        (1, "V1", 42, "挂号", "2024-03-01T08:00:00.000+08:00", "12.5", True, "R1", None),
        (2, "V1", 42, "缴费", "2024-03-01T08:30:00.000+08:00", "7", None, None, "1"),
        (3, "V2", None, "取药", None, None, None, None, "x1")]


def test_xes_typed_columns_when_consistent(con, tmp_path):
    path = tmp_path / "log.xes"
    events = "".join(f'<event><string key="concept:name" value="A"/><float key="cost" '
                     f'value="{v}"/><int key="n" value="{i}"/></event>'
                     for i, v in enumerate(["1.5", "2", "-3e2"]))
    path.write_text(f'<log><trace><string key="concept:name" value="V1"/>{events}</trace></log>')
    register_source(con, path, name="raw")
    assert con.sql("SELECT cost, n FROM raw ORDER BY _row").fetchall() == [
        (1.5, 0), (2.0, 1), (-300.0, 2)]


def test_xes_errors(con, tmp_path):
    broken = tmp_path / "broken.xes"
    broken.write_text('<log>\n<trace>\n<event><string key="a" value="1"></event>\n</log>\n')
    with pytest.raises(JourneyError, match="not well-formed XML at line 3"):
        register_source(con, broken, name="raw")
    empty = tmp_path / "empty.xes"
    empty.write_text('<log><string key="concept:name" value="x"/></log>')
    with pytest.raises(JourneyError, match="holds no events"):
        register_source(con, empty, name="raw")
    truncated = tmp_path / "cut.xes.gz"
    truncated.write_bytes(gzip.compress(XES.encode())[:60])
    with pytest.raises(JourneyError, match="cannot read the gzip archive"):
        register_source(con, truncated, name="raw")
    assert con.sql("SHOW TABLES").fetchall() == []


def _reference_xes(path: Path) -> list[dict]:
    """A plain ElementTree reading of a small XES file: one dict per event, text values."""
    import xml.etree.ElementTree as ET

    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        root = ET.parse(fh).getroot()
    local = lambda e: e.tag.rsplit("}", 1)[-1]  # noqa: E731
    rows = []
    for trace in (e for e in root if local(e) == "trace"):
        case = {f"case:{a.get('key')}": a.get("value") for a in trace
                if local(a) not in ("event", "list", "container")}
        for event in (e for e in trace if local(e) == "event"):
            rows.append({**case, **{a.get("key"): a.get("value") for a in event
                                   if local(a) not in ("list", "container")}})
    return rows


@pytest.mark.parametrize("name", ["sepsis_xes", "daily_xes"])
def test_xes_zoo_logs_match_a_plain_tree_reading(con, tmp_path, name):
    from zoo import FACTS, build

    path = build(name, tmp_path)
    expected = _reference_xes(path)
    info = register_source(con, path, name="raw")
    assert info.n_rows == len(expected)
    frame = con.sql("SELECT * FROM raw ORDER BY _row").df()
    assert frame["case:concept:name"].nunique() == FACTS[name]["cases"]
    for column in {k for row in expected for k in row}:
        got = [None if pd.isna(v) else v for v in frame[column]]
        want = [row.get(column) for row in expected]
        if frame[column].dtype.kind in "if":  # typed int/float columns
            want = [None if w is None else float(w) for w in want]
            got = [None if g is None else float(g) for g in got]
        elif frame[column].dtype.kind == "b":
            want = [None if w is None else w == "true" for w in want]
        assert got == want, column


def test_xes_events_without_attributes_keep_their_rows(con, tmp_path):
    path = tmp_path / "log.xes"
    path.write_text("<log><trace><event/><event><string/></event></trace><event></event></log>")
    info = register_source(con, path, name="raw")
    assert info.n_rows == 3
    assert con.sql("SELECT * FROM raw ORDER BY _row").fetchall() == [(1,), (2,), (3,)]


def test_xes_notes_count_what_is_not_read(con, tmp_path):
    path = tmp_path / "log.xes"
    path.write_text(XES, encoding="utf-8")
    info = register_source(con, path, name="raw")
    # the meta-attribute of org:resource, the list and the value inside it
    assert info.notes == ("3 list, container or nested XES attribute(s) not read (journey reads "
                          "the plain attributes of traces and events)",)


@pytest.mark.parametrize("encoding", ["GBK", "gb18030", "windows-1252", "UTF-16"])
def test_xes_in_a_declared_encoding(con, tmp_path, encoding):
    text = XES.replace('encoding="UTF-8"', f'encoding="{encoding}"')
    if encoding == "windows-1252":
        for zh, de in (("挂号", "Aufnahme é"), ("缴费", "Kasse"), ("取药", "Apotheke")):
            text = text.replace(zh, de)
    path = tmp_path / "log.xes"
    path.write_bytes(text.encode(encoding))
    info = register_source(con, path, name="raw")
    assert info.n_rows == 3
    first = con.sql('SELECT "concept:name" FROM raw ORDER BY _row').fetchall()[0][0]
    assert first == ("Aufnahme é" if encoding == "windows-1252" else "挂号")


def test_xes_declaring_gbk_but_holding_other_bytes(con, tmp_path):
    path = tmp_path / "log.xes"
    path.write_bytes(XES.replace('encoding="UTF-8"', 'encoding="GBK"').encode("utf-8")
                     + b"<!-- \xff\xff -->")
    with pytest.raises(JourneyError, match="declares the encoding 'GBK' but bytes"):
        register_source(con, path, name="raw")
    path.write_bytes(XES.replace('encoding="UTF-8"', 'encoding="klingon"').encode())
    with pytest.raises(JourneyError, match="unknown encoding 'klingon'"):
        register_source(con, path, name="raw")


@pytest.mark.parametrize("doctype", [
    # entity expansion ("billion laughs")
    '<!DOCTYPE log [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
    # an external entity reading a local file
    '<!DOCTYPE log [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    # an external DTD fetched over the network
    '<!DOCTYPE log SYSTEM "http://example.org/xes.dtd">',
])
def test_xes_with_a_dtd_or_entities_is_refused(con, tmp_path, doctype):
    path = tmp_path / "log.xes"
    body = ('<log><trace><string key="concept:name" value="&c;"/><event>'
            '<string key="concept:name" value="A"/></event></trace></log>')
    path.write_text('<?xml version="1.0"?>' + doctype + body)
    with pytest.raises(JourneyError, match="declares a DTD or entities"):
        register_source(con, path, name="raw")


def test_xes_one_very_long_value_costs_linear_time(con, tmp_path):
    import time

    def seconds(n: int) -> float:
        path = tmp_path / f"long{n}.xes"
        path.write_text('<log><trace><event><string key="concept:name" value="A"/>'
                        f'<string key="note" value="{"x" * n}"/></event></trace></log>')
        t0 = time.process_time()
        register_source(con, path, name="raw")
        assert con.sql("SELECT length(note) FROM raw").fetchall() == [(n,)]
        return time.process_time() - t0

    seconds(1 << 20)  # warm up
    small, large = seconds(4 << 20), seconds(32 << 20)
    assert large < 8 * small * 3 + 1  # 8 times the text, far from 64 times the time


def test_xes_namespace_prefix_zip_and_zstd(con, tmp_path):
    prefixed = ('<?xml version="1.0" encoding="UTF-8"?><xes:log xmlns:xes="http://www.xes-'
                'standard.org/"><xes:trace><xes:string key="concept:name" value="V1"/>'
                '<xes:event><xes:string key="concept:name" value="A"/></xes:event>'
                '</xes:trace></xes:log>')
    with zipfile.ZipFile(tmp_path / "log.zip", "w") as archive:
        archive.writestr("log.xes", prefixed)
    _zstd(prefixed.encode(), tmp_path / "log.xes.zst")
    for name in ("log.zip", "log.xes.zst"):
        info = register_source(con, tmp_path / name, name="raw")
        assert info.kind == "xes"
        assert con.sql('SELECT "case:concept:name", "concept:name" FROM raw').fetchall() == [
            ("V1", "A")]


# --- fingerprints ------------------------------------------------------------------------------

def test_sha256_of_file_folder_and_frame(tmp_path):
    one = write_csv(tmp_path / "b.csv")
    two = write_csv(tmp_path / "a.csv", [["x"], ["1"]])
    assert sha256_of(one) == hashlib.sha256(one.read_bytes()).hexdigest()
    listing = "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n"
                      for p in (two, one))
    assert sha256_of(tmp_path) == hashlib.sha256(listing.encode()).hexdigest()
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", None]})
    assert sha256_of(frame) == hashlib.sha256(b"a,b\n1,x\n2,\n").hexdigest()


# --- robustness --------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.binary(max_size=300),
    st.lists(st.lists(st.text(max_size=6), min_size=1, max_size=4), min_size=1, max_size=5)
    .map(lambda rows: "\n".join(",".join(r) for r in rows).encode("utf-8")),
    st.sampled_from([b"a,b\n1,2\n", codecs.BOM_UTF16_LE + "a,b\n1,2\n".encode("utf-16-le")])
    .flatmap(lambda base: st.binary(max_size=20).map(lambda tail: base + tail)),
))
def test_any_bytes_either_load_or_raise_journey_error(content):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.csv"
        path.write_bytes(content)
        con = duckdb.connect()
        try:
            info = register_source(con, path, name="raw")
        except JourneyError:
            assert con.sql("SHOW TABLES").fetchall() == []
        else:
            assert info.n_rows == con.sql("SELECT count(*) FROM raw").fetchall()[0][0] > 0
            rows = np.array(con.sql("SELECT _row FROM raw ORDER BY _row").fetchall()).ravel()
            assert rows.min() >= 2
        finally:
            con.close()


# --- compressed files and archives -------------------------------------------------------------

def _zstd(data: bytes, path: Path) -> Path:
    import pyarrow as pa

    with pa.output_stream(str(path), compression="zstd") as out:
        out.write(data)
    return path


@pytest.mark.parametrize("name", ["log.csv.gz", "log.tsv.gz", "log.csv.zst", "log.zip",
                                  "log.CSV.GZ"])
def test_compressed_csv_reads_like_the_plain_file(con, tmp_path, name):
    delimiter = "\t" if ".tsv" in name else ","
    plain = write_csv(tmp_path / ("plain.tsv" if delimiter == "\t" else "plain.csv"),
                      delimiter=delimiter)
    data = plain.read_bytes()
    path = tmp_path / name
    if name.lower().endswith(".gz"):
        path.write_bytes(gzip.compress(data))
    elif name.endswith(".zst"):
        _zstd(data, path)
    else:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("export/visits.csv", data)
            archive.writestr("__MACOSX/export/._visits.csv", b"\0\0")
    info = register_source(con, path, name="raw")
    assert (info.kind, info.encoding, info.n_rows) == ("csv", "utf-8", 3)
    got = table(con)
    assert got["_row"].tolist() == [2, 3, 4]
    values = got[ROWS[0]].astype(object).where(got[ROWS[0]].notna(), None)
    assert values.to_numpy().tolist() == expected_rows()


def test_gbk_csv_inside_gzip_and_zip_is_transcoded(con, tmp_path):
    data = write_csv(tmp_path / "his.csv", encoding="gbk").read_bytes()
    (tmp_path / "his.csv.gz").write_bytes(gzip.compress(data))
    with zipfile.ZipFile(tmp_path / "his.zip", "w") as archive:
        archive.writestr("his.csv", data)
    for name in ("his.csv.gz", "his.zip"):
        info = register_source(con, tmp_path / name, name="raw")
        assert info.encoding == "gb18030"
        assert table(con)["活动"].tolist()[0] == "挂号"


def test_zip_with_several_files_lists_them_and_says_how_to_choose(con, tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("2024-01.csv", "case_id,activity\nV1,A\n")
        archive.writestr("2024-02.csv", "case_id,activity\nV2,B\n")
        archive.writestr("readme/", "")
    with pytest.raises(JourneyError) as err:
        register_source(con, path, name="raw")
    message = str(err.value)
    assert "holds 2 files ('2024-01.csv', '2024-02.csv')" in message
    assert "Extract the one you want" in message and "into a folder" in message
    assert err.value.source == str(path)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("cut.csv.gz", gzip.compress(b"case_id,activity\n" + b"V1,A\n" * 5000)[:-40],
     "cannot read the gzip archive"),
    ("cut.csv.zst", None, "cannot read the zstd archive"),
    ("bad.zip", b"PK\x03\x04 not a zip at all", "cannot read the .zip archive"),
    ("empty.zip", None, "holds no file"),
    ("inner.zip", None, "journey reads a CSV or XES file inside a .zip"),
    ("garbage.csv.gz", b"\x1f\x8b\x08\x00garbage", "cannot read the gzip archive"),
])
def test_damaged_archives_are_journey_errors(con, tmp_path, name, content, message):
    path = tmp_path / name
    if name == "cut.csv.zst":
        _zstd(b"case_id,activity\n" + b"V1,A\n" * 50000, path)
        path.write_bytes(path.read_bytes()[:-30])
    elif name == "empty.zip":
        zipfile.ZipFile(path, "w").close()
    elif name == "inner.zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("visits.parquet", b"PAR1")
    else:
        path.write_bytes(content)
    with pytest.raises(JourneyError, match=message) as err:
        register_source(con, path, name="raw")
    assert err.value.source == str(path)
    assert "raw" not in [r[0] for r in con.sql("SHOW TABLES").fetchall()]


def test_folder_of_gzip_parts(con, tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    (folder / "a.csv.gz").write_bytes(gzip.compress(b"case_id,activity\nV1,A\nV1,B\n"))
    (folder / "b.csv").write_bytes(b"case_id,activity\nV2,A\n")
    info = register_source(con, folder, name="raw")
    assert info.n_rows == 3
    assert con.sql("SELECT _file, _row, case_id FROM raw ORDER BY _file, _row").fetchall() == [
        ("a.csv.gz", 2, "V1"), ("a.csv.gz", 3, "V1"), ("b.csv", 2, "V2")]


# --- one line in another encoding ----------------------------------------------------------------

def test_utf8_file_with_one_gbk_line_is_refused_naming_the_line(con, tmp_path):
    lines = ["就诊号,环节,开始时间"] + [f"V{i},挂号,2024-03-01 08:{i:02d}" for i in range(30)]
    data = [(line + "\n").encode("utf-8") for line in lines]
    data[17] = "V16,缴费,2024-03-01 08:16\n".encode("gbk")  # pasted from a GBK export
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"".join(data))
    offset = len(b"".join(data[:17])) + len(b"V16,")
    with pytest.raises(JourneyError) as err:
        register_source(con, path, name="raw")
    message = str(err.value)
    assert "UTF-8 text except 1 line(s)" in message and "at line 18" in message
    assert f"byte offset {offset}" in message
    assert err.value.rows == [18]
    assert "garble" in message and "save the file as UTF-8" in message
    # a whole-GBK file is still read as GBK
    path.write_bytes("\n".join(lines).encode("gbk"))
    assert register_source(con, path, name="raw").encoding == "gb18030"
    assert table(con)["环节"].tolist()[0] == "挂号"


# --- Parquet -------------------------------------------------------------------------------------

def test_empty_and_damaged_parquet_are_journey_errors(con, tmp_path):
    empty = tmp_path / "empty.parquet"
    empty.write_bytes(b"")
    with pytest.raises(JourneyError, match=r"empty \(0 bytes\)"):
        register_source(con, empty, name="raw")
    no_rows = tmp_path / "no_rows.parquet"
    pd.DataFrame({"case_id": pd.Series([], dtype=str)}).to_parquet(no_rows)
    with pytest.raises(JourneyError, match="no data rows"):
        register_source(con, no_rows, name="raw")
    rng = np.random.default_rng(1)
    n = 200_000
    frame = pd.DataFrame({"case_id": [f"V{i // 5}" for i in range(n)],
                          "activity": rng.choice(["A", "B", "C"], n),
                          "end": pd.Timestamp("2025-01-06") + pd.to_timedelta(
                              rng.integers(0, 10**6, n), unit="s")})
    good = tmp_path / "good.parquet"
    frame.to_parquet(good, row_group_size=50_000, compression="snappy")
    data = bytearray(good.read_bytes())
    data[len(data) // 2:len(data) // 2 + 300] = bytes(rng.integers(0, 256, 300, dtype=np.uint8))
    (tmp_path / "parts").mkdir()
    for damaged in (tmp_path / "damaged.parquet", tmp_path / "parts" / "a.parquet"):
        damaged.write_bytes(bytes(data))
    # a single file is read where it lies: read_log meets the damaged page and names the file
    with pytest.raises(JourneyError) as err:
        journey.read_log(tmp_path / "damaged.parquet")
    assert "the Parquet file is damaged" in str(err.value)
    assert err.value.source == str(tmp_path / "damaged.parquet")
    # the parts of a folder are decoded before they are copied
    with pytest.raises(JourneyError) as err:
        register_source(con, tmp_path / "parts", name="raw")
    assert "the Parquet file is damaged" in str(err.value)
    assert "raw" not in [r[0] for r in con.sql("SHOW TABLES").fetchall()]
    truncated = tmp_path / "cut.parquet"
    truncated.write_bytes(good.read_bytes()[:-100])
    with pytest.raises(JourneyError, match="cannot read the Parquet file"):
        register_source(con, truncated, name="raw")


# --- DataFrames ----------------------------------------------------------------------------------

def test_integer_ids_with_gaps_keep_their_integer_text(con):
    frame = pd.DataFrame({"case_id": [20044587, None, 20044588],
                          "score": [1.5, None, 2.0], "n": [1.0, 2.0, 3.0]})
    assert frame["case_id"].dtype == float
    register_source(con, frame, name="raw")
    types = {r[0]: r[1] for r in con.sql("DESCRIBE raw").fetchall()}
    assert types == {"case_id": "BIGINT", "score": "DOUBLE", "n": "DOUBLE", "_row": "BIGINT"}
    assert con.sql("SELECT CAST(case_id AS VARCHAR) FROM raw ORDER BY _row").fetchall() == [
        ("20044587",), (None,), ("20044588",)]
    big = pd.DataFrame({"case_id": [2.0 ** 60, None]})  # beyond exact floats: left as it is
    register_source(con, big, name="raw")
    assert con.sql("DESCRIBE raw").fetchall()[0][1] == "DOUBLE"


# --- Excel merged cells --------------------------------------------------------------------------

def test_merged_excel_cells_are_filled_and_counted(con, tmp_path):
    from zoo import build

    path = build("merged_excel", tmp_path)
    info = register_source(con, path, name="raw")
    assert info.n_rows == 120
    assert info.filled_cells == 30 * 3 * 2  # 30 visits x 3 rows below the first x 2 columns
    assert info.notes == ("180 empty cell(s) of merged ranges filled with the merged value "
                          "(Excel shows one value across the range)",)
    got = con.sql('SELECT "就诊号", count(*), count(DISTINCT "科室") FROM raw GROUP BY 1 '
                  "ORDER BY 1").fetchall()
    assert len(got) == 30 and all(n == 4 and d == 1 for _, n, d in got)
    assert con.sql('SELECT count(*) FROM raw WHERE "就诊号" IS NULL').fetchall() == [(0,)]


def test_merged_title_row_is_skipped_and_said(con, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["门诊流水 2024年3月", None, None])
    sheet.merge_cells("A1:C1")
    sheet.append(["就诊号", "环节", "结束时间"])
    sheet.append(["V1", "挂号", "2024-03-01 08:00"])
    sheet.append([None, "缴费", "2024-03-01 08:10"])
    sheet.merge_cells("A3:A4")
    path = tmp_path / "titled.xlsx"
    book.save(path)
    info = register_source(con, path, name="raw")
    assert info.filled_cells == 1
    assert info.notes[0] == "row 1 (a title merged across columns) skipped; the header is row 2"
    assert con.sql('SELECT _row, "就诊号", "环节" FROM raw ORDER BY _row').fetchall() == [
        (3, "V1", "挂号"), (4, "V1", "缴费")]


def test_legacy_xls_merged_cells_are_filled_and_its_title_row_skipped(con):
    # a committed .xls (scripts/make_merged_xls.py): 12 visits of 4 rows, the visit number and
    # department merged down each visit, a title merged across the five columns
    path = Path(__file__).parent / "data" / "merged.xls"
    info = register_source(con, path, name="raw")
    assert info.n_rows == 48 and info.filled_cells == 12 * 3 * 2
    assert info.notes == ("row 1 (a title merged across columns) skipped; the header is row 2",
                          "72 empty cell(s) of merged ranges filled with the merged value "
                          "(Excel shows one value across the range)")
    got = con.sql('SELECT "就诊号", count(*), count(DISTINCT "科室"), min(_row) FROM raw '
                  "GROUP BY 1 ORDER BY 1").fetchall()
    assert [(v, n, d) for v, n, d, _ in got] == [(f"X{i:03d}", 4, 1) for i in range(12)]
    assert [r for *_, r in got] == list(range(3, 50, 4))  # sheet rows, the header is row 2
    assert con.sql('SELECT DISTINCT "科室" FROM raw ORDER BY 1').fetchall() == [
        ("口腔科",), ("耳鼻喉科",)]
    types = dict(con.sql("DESCRIBE raw").fetchall()[i][:2] for i in range(5))
    assert types["开始时间"].startswith("TIMESTAMP")  # date cells stay times
    log = journey.read_log(path)
    assert (log.n_cases, log.n_events) == (12, 48)


# --- time_format ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("layout", "message"), [
    ("%d/%m/%Y %H:%M", None),
    ("%Y年%m月%d日 %-H时%M分", None),
    ("%d %b %Y %I:%M %p", None),
    ("yyyy-MM-dd HH:mm:ss", "pass time_format='%Y-%m-%d %H:%M:%S'"),
    ("%Y-%m-%d %Q", "uses '%Q', which is not a strftime code"),
    ("%Y-%m-%d %", "uses '%', which is not a strftime code"),
    ("%H:%M", "has no year and no month and no day"),
    ("%Y-%M-%d", "has %M (minutes) but no month; for the month write %m, e.g. '%Y-%m-%d'"),
    ("%d/%m/%Y %I:%M", "%I (12-hour clock) but no %p"),
    ("", "is not a layout"),
    (42, "is not a layout"),
])
def test_time_format_is_checked_before_use(layout, message):
    from journey._timeformat import check_time_format

    if message is None:
        assert check_time_format(layout, source="log.csv") == layout
        assert duckdb.sql("SELECT try_strptime('2024-03-01', ?)", params=[layout]) is not None
        return
    with pytest.raises(JourneyError) as err:
        check_time_format(layout, source="log.csv")
    assert message in str(err.value)
    assert str(err.value).startswith("log.csv: ")


# --- the zoo of real export shapes ---------------------------------------------------------------

@pytest.mark.parametrize(("name", "kind", "encoding"), [
    ("sepsis_xes", "xes", None), ("daily_xes", "xes", None),
    ("transfers_csv_gz", "csv", "utf-8"), ("disco_csv", "csv", "utf-8"),
    ("gbk_his_csv", "csv", "gb18030"), ("lifecycle_csv", "csv", "utf-8"),
    ("merged_excel", "excel", None), ("sample", "csv", "utf-8"),
])
def test_every_zoo_shape_registers(con, tmp_path, name, kind, encoding):
    from zoo import build

    path = build(name, tmp_path)
    info = register_source(con, path, name="raw")
    assert (info.kind, info.encoding) == (kind, encoding)
    assert info.n_rows == con.sql("SELECT count(*) FROM raw").fetchall()[0][0] > 0
    # row numbers are unique and follow the file
    assert con.sql("SELECT count(DISTINCT _row) = count(*), min(_row) >= 1 FROM raw"
                   ).fetchall() == [(True, True)]


@pytest.mark.parametrize("name", ["transfers_csv_gz", "merged_excel", "daily_xes"])
def test_zoo_shapes_load_with_read_log(tmp_path, name):
    from zoo import FACTS, OPTIONS, build

    import journey

    path = build(name, tmp_path)
    log = journey.read_log(path, **OPTIONS.get(name, {}))
    facts = FACTS.get(name, {})
    if "cases" in facts:
        assert log.n_cases == facts["cases"]
    if "events" in facts:
        assert log.n_events == facts["events"]
    if name == "transfers_csv_gz":
        plain = pd.read_csv(path, dtype=str)  # pandas reads the .gz on its own
        assert log.n_cases == plain["hadm_id"].nunique()


def test_mixed_object_ids_keep_integer_text(con):
    frame = pd.DataFrame({"case_id": [20044587.0, "NA", 7, None, 1.5],
                          "activity": ["A", "B", "C", "D", "E"]})
    register_source(con, frame, name="raw")
    assert con.sql("SELECT case_id FROM raw ORDER BY _row").fetchall() == [
        ("20044587",), ("NA",), ("7",), (None,), ("1.5",)]


def test_xes_every_attribute_type(con, tmp_path):
    path = tmp_path / "types.xes"
    path.write_text(
        '<log><trace><id key="identity:id" value="6f1c-11"/><boolean key="flag" value="false"/>'
        '<event><string key="concept:name" value="A"/><id key="identity:id" value="e-1"/>'
        '<date key="time:timestamp" value="2024-03-31T01:59:59.000+01:00"/>'
        '<int key="n" value="-3"/><float key="x" value="1e-3"/>'
        '<boolean key="b" value="TRUE"/></event></trace></log>', encoding="utf-8")
    register_source(con, path, name="raw")
    types = {r[0]: r[1] for r in con.sql("DESCRIBE raw").fetchall()}
    assert types == {"case:identity:id": "VARCHAR", "case:flag": "BOOLEAN",
                     "concept:name": "VARCHAR", "identity:id": "VARCHAR",
                     "time:timestamp": "VARCHAR", "n": "BIGINT", "x": "DOUBLE", "b": "BOOLEAN",
                     "_row": "BIGINT"}
    assert con.sql("SELECT * EXCLUDE (_row) FROM raw").fetchall() == [
        ("6f1c-11", False, "A", "e-1", "2024-03-31T01:59:59.000+01:00", -3, 0.001, True)]
