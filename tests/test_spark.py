"""read_log_spark: same events, exclusions, errors and journey maps as read_log on DuckDB."""

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
from journey.spark import _java_pattern, read_log_spark

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
    on_spark = journey.journey_map(read_log_spark(str(SAMPLE), session=spark))
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
    return (read_log_spark(str(folder), session=spark, invalid="exclude"),
            read_log(folder, invalid="exclude"))


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
                   "end before start (excluded)", "duplicate activity instance (excluded)"],
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
        read_log_spark(str(path), session=spark)
    assert str(got.value) == str(expected.value)
    assert got.value.rows == expected.value.rows and got.value.rows


def test_spark_dataframe_with_timestamps_offsets_and_chinese_headers(spark):
    frame = pd.DataFrame({"就诊号": ["V1", "V1", "V2"], "环节": ["挂号", "就诊", "挂号"],
                          "结束时间": ["2025-01-06T00:05:00Z", "2025-01-06T01:00:00+00:00",
                                   "2025-01-06T02:00:00Z"]})
    local = pd.to_datetime(["2025-01-06 08:05", "2025-01-06 09:00", "2025-01-06 10:00"])
    got = read_log_spark(spark.createDataFrame(frame), session=spark, tz="Asia/Shanghai")
    assert got.columns == {"case": "就诊号", "activity": "环节", "end": "结束时间"}
    assert got.to_pandas().end.tolist() == local.tolist()
    assert got.time_kind == "flow"
    frame = pd.DataFrame({"case_id": ["V1", "V1"], "activity": ["Lab", "Pharmacy"],
                          "start": local[:2], "end": local[1:]})  # Spark TIMESTAMP columns
    out = read_log_spark(spark.createDataFrame(frame), session=spark).to_pandas()
    assert out.start.tolist() == local[:2].tolist() and out.end.tolist() == local[1:].tolist()


def test_strftime_layouts_become_spark_patterns():
    assert _java_pattern("%Y/%m/%d %H:%M") == "yyyy'/'M'/'d' 'H':'m"
    assert _java_pattern("%Y%m%d%H%M%S") == "yyyyMMddHHmmss"
    assert _java_pattern("%Y年%m月%d日") == "yyyy'年'M'月'd'日'"
    with pytest.raises(JourneyError, match="not supported on Spark"):
        _java_pattern("%d.%m.%Y %Z")
