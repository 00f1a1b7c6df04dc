"""read_log(session=): same events, exclusions, errors and journey maps as read_log on DuckDB."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("Spark needs a Java runtime", allow_module_level=True)

import journey
from journey import JourneyError, read_log
from journey._spark import _java_pattern

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "visits.csv"
COLUMNS = ["case_id", "activity", "start", "end", "resource"]

# Two CSV parts of one log; the comments give the row numbers (header = row 1, per part).
PART1 = [
    ("a", "Registration", "2025-01-06 08:00:00", "2025-01-06 08:05:00", "R1"),  # 2
    ("a", "Triage", "2025-01-06 08:10:00", "2025-01-06 08:20:00", "N1"),  # 3
    ("a", "Consultation", "2025-01-06 08:50:00", "2025-01-06 09:10:00", "D1"),  # 4
    ("b", "Registration", "2025/01/06 09:00", "2025/01/06 09:04", "R1"),  # 5
    ("b", "Imaging", "2025-01-06 09:30", "2025-01-06 09:40", "X1"),  # 6: tie, first in file
    ("b", "Lab", "2025-01-06 09:30", "2025-01-06 09:40", "L1"),  # 7
    ("b", "Lab", "2025-01-06 09:30", "2025-01-06 09:40", "L1"),  # 8: duplicate of 7
    ("", "Triage", "2025-01-06 09:00", "2025-01-06 09:05", "N1"),  # 9: no case id
]
PART2 = [
    ("c", "Registration", "2025-01-06 10:00", "2025-01-06 10:02", "R2"),  # 2
    ("c", "Triage", "2025-01-06 10:05", "2025-01-06 10:03", "N2"),  # 3: ends before start
    ("c", "Consultation", "2025-01-06 10:01:30", "2025-01-06 10:20", "D2"),  # 4: overlap
    ("c", " ", "2025-01-06 10:30", "2025-01-06 10:40", "D2"),  # 5: no activity
    ("d", "Registration", "", "2025-01-06 11:00", "R2"),  # 6: no start
    ("d", "Triage", "2025-01-06 11:20", "2025-01-06 11:31:30", "N2"),  # 7
    ("a", "Payment", "2025-01-06 09:15:10", "2025-01-06 09:16", "C1"),  # 8
]


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("journey-tests")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.ui.enabled", "false")
               .config("spark.driver.bindAddress", "127.0.0.1")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def sample_maps(spark):
    on_spark = journey.journey_map(read_log(str(SAMPLE), session=spark))
    on_duckdb = journey.journey_map(read_log(SAMPLE))
    return on_spark, on_duckdb


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("parts")
    for name, rows in (("part1.csv", PART1), ("part2.csv", PART2)):
        pd.DataFrame(rows, columns=COLUMNS).to_csv(path / name, index=False)
    return path


@pytest.fixture(scope="module")
def folder_logs(spark, folder):
    return (read_log(str(folder), session=spark, invalid="exclude", duplicates="drop"),
            read_log(folder, invalid="exclude", duplicates="drop"))


def to_seconds(frame: pd.DataFrame) -> pd.DataFrame:
    """Minutes rounded to whole seconds (1/60 min), so that engines agree exactly."""
    out = frame.copy()
    for c in out.select_dtypes("float").columns:
        out[c] = (out[c] * 60).round() / 60
    return out


def plain_transitions(rows: list[tuple]) -> pd.DataFrame:
    """Transitions by a plain loop: order by start (end if none), end, part, row."""
    by_case: dict[str, list] = {}
    for key, (case, activity, start, end) in sorted(rows, key=lambda r: r[0]):
        first = end if pd.isna(start) else start
        by_case.setdefault(case, []).append((first, end, key, activity, start))
    moves: dict[tuple, list] = {}
    for events in by_case.values():
        events.sort(key=lambda e: (e[0], e[1], e[2]))
        for prev, this in zip(events, events[1:], strict=False):
            gap = (this[4] - prev[1]).total_seconds() / 60
            moves.setdefault((prev[3], this[3]), []).append(gap)
    out = [dict(source=s, target=t, transitions=len(g),
                wait_median=np.median([x for x in g if x >= 0]) if any(x >= 0 for x in g)
                else np.nan, overlaps=sum(x < 0 for x in g))
           for (s, t), g in moves.items()]
    return pd.DataFrame(out).sort_values(["source", "target"], ignore_index=True)


# ----------------------------------------------------------------------------- sample log
def test_sample_touchpoints_identical_to_duckdb(sample_maps):
    on_spark, on_duckdb = sample_maps
    a, b = to_seconds(on_spark.touchpoints), to_seconds(on_duckdb.touchpoints)
    assert len(a) == 12 and a.events.sum() == 54_542
    pd.testing.assert_frame_equal(a, b, check_exact=True, check_dtype=False)


def test_sample_transitions_identical_to_duckdb(sample_maps):
    on_spark, on_duckdb = sample_maps
    a, b = to_seconds(on_spark.transitions), to_seconds(on_duckdb.transitions)
    assert a.transitions.sum() == 54_542 - on_spark.n_cases
    pd.testing.assert_frame_equal(a, b, check_exact=True, check_dtype=False)


def test_sample_variants_identical_to_duckdb(sample_maps):
    on_spark, on_duckdb = sample_maps  # paths are an ordered group_concat, compiled for Spark
    pd.testing.assert_frame_equal(to_seconds(on_spark.variants), to_seconds(on_duckdb.variants),
                                  check_exact=True, check_dtype=False)


# ----------------------------------------------------------------------------- hand-made log
def test_exclusions_and_row_numbers_as_read_log(folder_logs):
    on_spark, on_duckdb = folder_logs
    expected = pd.DataFrame({
        "reason": ["missing case id (excluded)", "missing activity (excluded)",
                   "end before start (excluded)", "exact duplicate (dropped: duplicates='drop')"],
        "rows": [1, 1, 1, 1], "example_rows": [[9], [5], [3], [8]],
        "example_values": [[], [], ["2025-01-06 10:05:00 > 2025-01-06 10:03:00"], []]})
    pd.testing.assert_frame_equal(on_spark.exclusions, expected, check_dtype=False)
    pd.testing.assert_frame_equal(on_duckdb.exclusions, expected, check_dtype=False)


def test_events_and_order_identical_to_duckdb(folder_logs):
    on_spark, on_duckdb = folder_logs
    a, b = on_spark.to_pandas(), on_duckdb.to_pandas()
    assert a.groupby("case_id").activity.agg(list).to_dict() == {
        "a": ["Registration", "Triage", "Consultation", "Payment"],
        "b": ["Registration", "Imaging", "Lab"],  # tie in times: file order
        "c": ["Registration", "Consultation"], "d": ["Registration", "Triage"]}
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    assert on_spark.has_start and on_spark.n_cases == 4 and on_spark.n_events == 11


def test_transitions_match_a_plain_loop(folder_logs):
    on_spark, _ = folder_logs
    kept = {("part1.csv", r) for r in (2, 3, 4, 5, 6, 7)} | {
        ("part2.csv", r) for r in (2, 4, 6, 7, 8)}
    rows = [((name, i), (r[0], r[1].strip(), pd.to_datetime(r[2].replace("/", "-") or None),
                         pd.to_datetime(r[3].replace("/", "-"))))
            for name, part in (("part1.csv", PART1), ("part2.csv", PART2))
            for i, r in enumerate(part, start=2) if (name, i) in kept]
    expected = plain_transitions(rows)
    assert expected.overlaps.sum() == 2 and len(expected) == 6
    tr = journey.journey_map(on_spark).transitions
    got = tr[["source", "target", "transitions", "wait_median", "overlaps"]].sort_values(
        ["source", "target"], ignore_index=True)
    pd.testing.assert_frame_equal(to_seconds(got), to_seconds(expected), check_exact=True,
                                  check_dtype=False)
    payment = got.set_index(["source", "target"]).wait_median["Consultation", "Payment"]
    assert payment == pytest.approx(5 + 10 / 60)


def test_quality_report_identical_to_duckdb(folder_logs):
    on_spark, on_duckdb = folder_logs
    a, b = on_spark.check(), on_duckdb.check()
    assert a.set_index("check").loc["overlapping touchpoints", "count"] == 2
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


# ----------------------------------------------------------------------------- errors, inputs
@pytest.mark.parametrize("times", [
    dict(end=["2025-01-06 08:00", "soon", "06/01/2025 09:00"]),  # unreadable timestamps
    dict(start=["2025-01-06 08:00", "2025-01-06 09:00", "2025-01-06 10:00"],
         end=["2025-01-06 08:10", "2025-01-06 08:50", "2025-01-06 10:05"]),  # end < start
    dict(end=["2025-01-06T08:00:00+08:00", "2025-01-06T09:00:00", "2025-01-06T10:00:00Z"]),
])
def test_errors_are_those_of_read_log(spark, tmp_path, times):
    path = tmp_path / "log.csv"
    pd.DataFrame({"case_id": ["a", "a", "b"], "activity": ["Lab", "Imaging", "Lab"],
                  **times}).to_csv(path, index=False)
    with pytest.raises(JourneyError) as expected:
        read_log(path)
    with pytest.raises(JourneyError) as got:
        read_log(str(path), session=spark)
    assert str(got.value) == str(expected.value)
    assert got.value.rows == expected.value.rows and got.value.rows


def test_spark_dataframe_with_timestamps_offsets_and_chinese_headers(spark):
    frame = pd.DataFrame({"就诊号": ["V1", "V1", "V2"], "环节": ["挂号", "就诊", "挂号"],
                          "结束时间": ["2025-01-06T00:05:00Z", "2025-01-06T01:00:00+00:00",
                                   "2025-01-06T02:00:00Z"]})
    local = pd.to_datetime(["2025-01-06 08:05", "2025-01-06 09:00", "2025-01-06 10:00"])
    got = read_log(spark.createDataFrame(frame), session=spark, tz="Asia/Shanghai")
    assert got.columns == {"case": "就诊号", "activity": "环节", "end": "结束时间"}
    assert got.to_pandas().end.tolist() == local.tolist()
    assert got.time_kind == "flow"
    frame = pd.DataFrame({"case_id": ["V1", "V1"], "activity": ["Lab", "Pharmacy"],
                          "start": local[:2], "end": local[1:]})  # Spark TIMESTAMP columns
    out = read_log(spark.createDataFrame(frame), session=spark).to_pandas()
    assert out.start.tolist() == local[:2].tolist() and out.end.tolist() == local[1:].tolist()


def test_strftime_layouts_become_spark_patterns():
    assert _java_pattern("%Y/%m/%d %H:%M") == "yyyy'/'M'/'d' 'H':'m"
    assert _java_pattern("%Y%m%d%H%M%S") == "yyyyMMddHHmmss"
    assert _java_pattern("%Y年%m月%d日") == "yyyy'年'M'月'd'日'"
    with pytest.raises(JourneyError, match="not supported on Spark"):
        _java_pattern("%d.%m.%Y %Z")


# ----------------------------------------------------------------------------- lifecycle logs
LIFECYCLE_COLUMNS = ["case_id", "activity", "lifecycle", "timestamp", "resource"]
# One row per lifecycle event; the comments give the CSV row numbers (header = row 1).
LIFECYCLE = [
    ("a", "Registration", "start", "2025-01-06 07:50", "R1"),  # 2
    ("a", "Registration", "complete", "2025-01-06 07:55", "R1"),  # 3
    ("a", "Lab", "schedule", "2025-01-06 07:40", "L1"),  # 4: other transition, ignored
    ("a", "Lab", "start", "2025-01-06 08:00", "L1"),  # 5: first Lab, pairs with row 8
    ("a", "Lab", "start", "2025-01-06 08:05", "L2"),  # 6: repeat of Lab, pairs with row 7
    ("a", "Lab", "complete", "2025-01-06 08:30", "L2"),  # 7: second complete in time
    ("a", "Lab", "complete", "2025-01-06 08:20", "L1"),  # 8: first complete in time
    ("a", "Consultation", "START", "2025-01-06 08:40", "D1"),  # 9
    ("a", "Consultation", "Complete", "2025-01-06 09:00", "D1"),  # 10
    ("a", "Lab", "start", "2025-01-06 09:10", "L1"),  # 11: third Lab start, no complete
    ("b", "Registration", "begin", "2025-01-06 09:00", "R1"),  # 12
    ("b", "Registration", "end", "2025-01-06 09:05", "R1"),  # 13
    ("b", "Imaging", "start", "2025-01-06 09:10", "X1"),  # 14: tie with Lab: row order
    ("b", "Lab", "start", "2025-01-06 09:10", "L1"),  # 15
    ("b", "Lab", "complete", "2025-01-06 09:20", "L1"),  # 16
    ("b", "Imaging", "complete", "2025-01-06 09:20", "X1"),  # 17
    ("b", "Payment", "", "2025-01-06 09:50", "C1"),  # 18: no transition = complete, no start
    ("c", "Pharmacy", "complete", "2025-01-06 10:00", "P1"),  # 19: paired with row 20: backwards
    ("c", "Pharmacy", "start", "2025-01-06 10:10", "P1"),  # 20
    ("c", "Pharmacy", "complete", "2025-01-06 10:30", "P2"),  # 21: no start left
    ("d", "Triage", "start", "2025-01-06 11:00", "N1"),  # 22: same time as 23: row order
    ("d", "Triage", "start", "2025-01-06 11:00", "N1"),  # 23
    ("d", "Triage", "complete", "2025-01-06 11:10", "N1"),  # 24: pairs with 22
    ("d", "Triage", "complete", "2025-01-06 11:10", "N2"),  # 25: pairs with 23
    ("", "Lab", "complete", "2025-01-06 12:00", "L1"),  # 26: no case id, excluded first
    ("d", "Lab", "start", "", "L1"),  # 27: no time, excluded before pairing
    ("d", "Lab", "complete", "2025-01-06 11:30", "L1"),  # 28: so this one has no start
    ("e", "Discharge", "start", "2025-01-06 12:00", "A1"),  # 29
    ("e", "Discharge", "start", "2025-01-06 12:00", "A1"),  # 30
    ("e", "Discharge", "complete", "2025-01-06 12:15", "A1"),  # 31
    ("e", "Discharge", "complete", "2025-01-06 12:15", "A1"),  # 32: pair 30+32 duplicates 29+31
]

# the lifecycle log of tests/test_read.py (rows of a DataFrame: 1-based positions)
READ_LIFECYCLE = pd.DataFrame({
    "case": ["a"] * 5 + ["b"] * 2,
    "activity": ["Lab", "Lab", "Lab", "Lab", "Imaging", "Lab", "Lab"],
    "lifecycle": ["start", "complete", "start", "complete", "start", "complete", "schedule"],
    "timestamp": ["2025-01-06 08:00", "2025-01-06 08:10", "2025-01-06 09:00", "2025-01-06 09:20",
                  "2025-01-06 09:30", "2025-01-06 10:00", "2025-01-06 07:00"]})


def plain_pairs(rows: list[tuple]) -> pd.DataFrame:
    """Pairing by a plain loop: per case and activity, the k-th start (by time, then row) with
    the k-th complete; the instance has the complete's resource and the smaller row number."""
    events: dict[tuple, dict[str, list]] = {}
    for row, (case, activity, life, time, resource) in enumerate(rows, start=2):
        if not case or not activity or not time:
            continue
        word = (life or "complete").lower()
        kind = ("start" if any(w in word for w in ("start", "begin")) else
                "complete" if any(w in word for w in ("complete", "end", "finish")) else None)
        if kind:
            events.setdefault((case, activity), {"start": [], "complete": []})[kind].append(
                (pd.Timestamp(time), row, resource))
    out = []
    for (case, activity), kinds in events.items():
        starts = sorted(kinds["start"])
        for k, (end, row, resource) in enumerate(sorted(kinds["complete"])):
            start, srow = starts[k][:2] if k < len(starts) else (pd.NaT, row)
            out.append(dict(case_id=case, activity=activity, resource=resource, start=start,
                            end=end, _row=min(row, srow)))
    return pd.DataFrame(out).sort_values("_row", ignore_index=True)


@pytest.fixture(scope="module")
def lifecycle_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("lifecycle") / "events.csv"
    pd.DataFrame(LIFECYCLE, columns=LIFECYCLE_COLUMNS).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def lifecycle_logs(spark, lifecycle_csv):
    return (read_log(str(lifecycle_csv), session=spark, invalid="exclude",
                           duplicates="drop"),
            read_log(lifecycle_csv, invalid="exclude", duplicates="drop"))


def test_lifecycle_exclusions_as_read_log(lifecycle_logs):
    on_spark, on_duckdb = lifecycle_logs
    expected = pd.DataFrame({
        "reason": ["missing case id (excluded)", "missing time (excluded)",
                   "lifecycle event other than start/complete (ignored)",
                   "start event without a matching complete (excluded)",
                   "complete event without a matching start (kept with unknown start)",
                   "end before start (excluded)", "exact duplicate (dropped: duplicates='drop')"],
        "rows": [1, 1, 1, 1, 3, 1, 1],
        "example_rows": [[26], [27], [4], [11], [18, 21, 28], [19], [30]],
        "example_values": [[], [], ["schedule"], [], [], ["2025-01-06 10:10:00 > "
                                                          "2025-01-06 10:00:00"], []]})
    pd.testing.assert_frame_equal(on_spark.exclusions, expected, check_dtype=False)
    pd.testing.assert_frame_equal(on_duckdb.exclusions, expected, check_dtype=False)


def test_lifecycle_pairs_identical_to_duckdb_and_a_plain_loop(lifecycle_logs):
    on_spark, on_duckdb = lifecycle_logs
    a, b = on_spark.to_pandas(), on_duckdb.to_pandas()
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    assert a.groupby("case_id").activity.agg(list).to_dict() == {
        "a": ["Registration", "Lab", "Lab", "Consultation"],
        "b": ["Registration", "Imaging", "Lab", "Payment"],  # tie in times: row order
        "c": ["Pharmacy"], "d": ["Triage", "Triage", "Lab"], "e": ["Discharge"]}
    assert a[a.case_id == "d"].resource.tolist() == ["N1", "N2", "L1"]
    assert on_spark.has_start and on_spark.n_events == 13
    got = on_spark.table.execute()[["case_id", "activity", "resource", "start", "end", "_row"]]
    expected = plain_pairs(LIFECYCLE)
    expected = expected[~expected._row.isin([19, 30])]  # ends before start; duplicate
    pd.testing.assert_frame_equal(got.sort_values("_row", ignore_index=True),
                                  expected.reset_index(drop=True), check_dtype=False)


def test_lifecycle_journey_map_identical_to_duckdb(lifecycle_logs):
    on_spark, on_duckdb = (journey.journey_map(log) for log in lifecycle_logs)
    for table in ("touchpoints", "transitions", "variants"):
        a, b = to_seconds(getattr(on_spark, table)), to_seconds(getattr(on_duckdb, table))
        pd.testing.assert_frame_equal(a, b, check_exact=True, check_dtype=False)
    lab = on_spark.transitions.set_index(["source", "target"]).loc[("Registration", "Lab")]
    assert lab.transitions == 1 and lab.wait_median == pytest.approx(5)  # 07:55 -> 08:00


def test_lifecycle_end_before_start_error_is_that_of_read_log(spark, lifecycle_csv):
    with pytest.raises(JourneyError) as expected:
        read_log(lifecycle_csv)
    with pytest.raises(JourneyError) as got:
        read_log(str(lifecycle_csv), session=spark)
    assert str(got.value) == str(expected.value)
    assert got.value.rows == expected.value.rows == [19]


@pytest.mark.parametrize("events", ["all", "completes only"])
def test_read_log_lifecycle_input_identical_to_duckdb(spark, events):
    df = READ_LIFECYCLE if events == "all" else READ_LIFECYCLE[READ_LIFECYCLE.lifecycle
                                                                == "complete"]
    on_spark = read_log(spark.createDataFrame(df), session=spark)
    on_duckdb = read_log(df)
    pd.testing.assert_frame_equal(on_spark.exclusions, on_duckdb.exclusions, check_dtype=False)
    pd.testing.assert_frame_equal(on_spark.to_pandas(), on_duckdb.to_pandas(), check_dtype=False)
    assert on_spark.has_start == on_duckdb.has_start == (events == "all")
    if events == "all":
        assert on_spark.exclusions.example_rows.tolist() == [[7], [5], [6]]
    else:  # a log without starts: completes without a start are not reported
        assert on_spark.exclusions.empty and on_spark.n_events == 3


def test_read_log_hands_spark_frames_and_sessions_to_spark(spark, folder, folder_logs):
    on_spark, _ = folder_logs
    by_session = read_log(str(folder), session=spark, invalid="exclude", duplicates="drop")
    assert by_session.table._find_backend().name == "pyspark"
    pd.testing.assert_frame_equal(by_session.to_pandas(), on_spark.to_pandas())
    frame = spark.createDataFrame(pd.DataFrame(PART1[:3], columns=COLUMNS))
    by_frame = read_log(frame)
    assert by_frame.table._find_backend().name == "pyspark"
    pd.testing.assert_frame_equal(by_frame.to_pandas(),
                                  read_log(frame, session=spark).to_pandas())
    with pytest.raises(JourneyError, match="encoding= cannot be used when Spark"):
        read_log(str(folder), session=spark, encoding="gbk")


@pytest.mark.parametrize("name", ["sepsis_xes", "daily_xes", "disco_csv", "lifecycle_csv"])
def test_real_export_shapes_identical_to_duckdb(spark, tmp_path, name):
    from zoo import build

    path = build(name, tmp_path)
    duck = read_log(path)
    if path.suffix == ".xes":  # Spark reads CSV and Parquet: hand it the parsed rows as text
        from journey.formats import register_source
        from journey.log import connect

        con = connect()
        register_source(con, path, name="raw")
        frame = con.sql("SELECT * EXCLUDE (_row) FROM raw").df()
        source = spark.createDataFrame(frame.astype(object).where(frame.notna(), None)
                                       .astype(str).replace("None", None))
    else:
        source = str(path)
    sp = read_log(source, session=spark)
    assert (sp.resolution, sp.utc_offset, sp.clock) == (duck.resolution, duck.utc_offset,
                                                       duck.clock)
    cols = ["case_id", "activity", "start", "end"]
    a = duck.to_pandas()[cols].reset_index(drop=True)
    b = sp.to_pandas()[cols].reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    # milliseconds in XES: the engines round a duration to whole seconds differently
    pd.testing.assert_frame_equal(journey.journey_map(sp).transitions,
                                  journey.journey_map(duck).transitions, check_exact=False,
                                  rtol=0, atol=1.01 / 60, check_dtype=False)


def test_parts_in_another_column_order_and_compressed_parts_as_read_log(spark, tmp_path):
    parts = tmp_path / "parts"
    parts.mkdir()
    pd.DataFrame(PART1, columns=COLUMNS).to_csv(parts / "part1.csv", index=False)
    # the second part: columns in another order, ';'-separated, gzip-compressed
    pd.DataFrame(PART2, columns=COLUMNS)[COLUMNS[::-1]].to_csv(
        parts / "part2.csv.gz", index=False, sep=";", compression="gzip")
    options = {"invalid": "exclude", "duplicates": "drop"}
    duck, sp = read_log(parts, **options), read_log(str(parts), session=spark, **options)
    cols = ["case_id", "activity", "start", "end", "resource"]
    pd.testing.assert_frame_equal(sp.to_pandas()[cols].reset_index(drop=True),
                                  duck.to_pandas()[cols].reset_index(drop=True),
                                  check_dtype=False)
    assert sp.n_events == duck.n_events == 11
    # row numbers count within each part, header = row 1, as read_log's
    pd.testing.assert_frame_equal(sp.exclusions, duck.exclusions, check_dtype=False)
    assert sp.exclusions.example_rows.tolist() == [[9], [5], [3], [8]]
    # a part with other columns: the same refusal as read_log's, naming the part
    pd.DataFrame(PART2, columns=COLUMNS).rename(columns={"resource": "staff"}).to_csv(
        parts / "part3.csv", index=False)
    with pytest.raises(JourneyError) as expected:
        read_log(parts)
    with pytest.raises(JourneyError) as got:
        read_log(str(parts), session=spark)
    assert str(got.value) == str(expected.value) and "part3.csv" in str(got.value)
    # formats Spark cannot read itself: a clear refusal, not a Spark error
    (parts / "part3.csv").unlink()
    (tmp_path / "log.csv.zst").write_bytes(b"\x28\xb5\x2f\xfd")
    with pytest.raises(JourneyError, match=r"decompress a \.zst or \.zip first"):
        read_log(str(tmp_path / "log.csv.zst"), session=spark)
