"""read_log: column presets, log shapes, time zones, exclusions and clear errors."""

from __future__ import annotations

import pandas as pd
import pytest

import journey
from journey import JourneyError, read_log


def frame(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns)


BASIC = dict(case_id=["a", "a", "b"], activity=["Registration", "Lab", "Registration"],
             start=["2025-01-06 08:00", "2025-01-06 08:30", "2025-01-06 09:00"],
             end=["2025-01-06 08:10", "2025-01-06 08:50", "2025-01-06 09:05"])


@pytest.mark.parametrize("names", [
    {"case_id": "就诊号", "activity": "环节", "start": "开始时间", "end": "结束时间",
     "resource": "人员", "department": "科室", "patient_id": "患者ID"},
    {"case_id": "case:concept:name", "activity": "concept:name", "start": "start_timestamp",
     "end": "time:timestamp", "resource": "org:resource", "department": "org:group",
     "patient_id": "case:patient"},
    {"case_id": "Case ID", "activity": "Activity", "start": "Start Timestamp",
     "end": "Complete Timestamp", "resource": "Resource", "department": "Department",
     "patient_id": "Patient"},
])
def test_presets_recognise_chinese_xes_and_disco_headers(names):
    df = frame(**BASIC, resource=["R1", "L1", "R2"], department=["IM", "IM", "S"],
               patient_id=["P1", "P1", "P2"]).rename(columns=names)
    log = read_log(df)
    assert log.columns == {"case": names["case_id"], "activity": names["activity"],
                           "start": names["start"], "end": names["end"],
                           "resource": names["resource"], "department": names["department"],
                           "patient": names["patient_id"]}
    out = log.to_pandas()
    assert out.case_id.tolist() == ["a", "a", "b"]
    assert out.patient_id.tolist() == ["P1", "P1", "P2"]
    assert log.has_start and log.n_events == 3


def test_explicit_names_win_and_attributes_are_kept():
    df = frame(VisitNo=["a", "a"], Step=["R", "C"], T=["2025-01-06 08:00", "2025-01-06 09:00"],
               age_band=["65+", "65+"])
    log = read_log(df, case="VisitNo", activity="Step", end="T")
    assert log.attributes == ["age_band"] and not log.has_start and log.time_kind == "flow"


def test_missing_column_error_names_closest_columns():
    df = frame(cases=["a"], activity=["R"], end=["2025-01-06 08:00"])
    with pytest.raises(JourneyError, match=r"not found: case \(closest names found: \['cases'\]"):
        read_log(df)
    with pytest.raises(JourneyError, match="'Visit' given as case= is not in the file"):
        read_log(df, case="Visit")


def test_unparseable_timestamps_name_rows_column_and_values():
    df = frame(**{**BASIC, "end": ["2025-01-06 08:10", "yesterday", "2025-13-45 09:05"]})
    with pytest.raises(JourneyError) as err:
        read_log(df)
    msg = str(err.value)
    assert "column 'end'" in msg and "rows 2, 3" in msg and "'yesterday'" in msg
    assert "time_format" in msg
    assert err.value.rows == [2, 3]


@pytest.mark.parametrize("text,expected", [
    ("2025/01/06 08:30", "2025-01-06 08:30"),
    ("2025/1/6 8:30", "2025-01-06 08:30"),
    ("2025年1月6日 08:30", "2025-01-06 08:30"),
    ("2025-01-06T08:30:15", "2025-01-06 08:30:15"),
    ("20250106083000", "2025-01-06 08:30"),
])
def test_common_timestamp_layouts(text, expected):
    log = read_log(frame(case_id=["a"], activity=["R"], end=[text]))
    assert log.to_pandas().end.iloc[0] == pd.Timestamp(expected)


def test_day_first_layout_needs_time_format():
    df = frame(case_id=["a"], activity=["R"], end=["06/01/2025 08:30"])
    with pytest.raises(JourneyError, match="not readable timestamps"):
        read_log(df)
    log = read_log(df, time_format="%d/%m/%Y %H:%M")
    assert log.to_pandas().end.iloc[0] == pd.Timestamp("2025-01-06 08:30")


def test_time_zones():
    same = frame(case_id=["a", "a"], activity=["R", "C"],
                 end=["2025-01-06T08:00:00+08:00", "2025-01-06T09:00:00+08:00"])
    assert read_log(same).to_pandas().end.dt.hour.tolist() == [8, 9]
    utc = frame(case_id=["a", "a"], activity=["R", "C"],
                end=["2025-01-06T00:00:00Z", "2025-01-06T01:00:00+00:00"])
    with pytest.raises(JourneyError, match="mixes clocks"):
        read_log(utc.assign(end=["2025-01-06T00:00:00Z", "2025-01-06T09:00:00+08:00"]))
    assert read_log(utc, tz="Asia/Shanghai").to_pandas().end.dt.hour.tolist() == [8, 9]
    mixed = frame(case_id=["a", "a"], activity=["R", "C"],
                  end=["2025-01-06T08:00:00+08:00", "2025-01-06 09:00:00"])
    with pytest.raises(JourneyError, match=r"rows 2: 1 value\(s\) carry a UTC offset"):
        read_log(mixed)
    aware = frame(case_id=["a"], activity=["R"],
                  end=pd.to_datetime(["2025-01-06 08:00"]).tz_localize("Asia/Shanghai"))
    assert read_log(aware).to_pandas().end.iloc[0] == pd.Timestamp("2025-01-06 08:00")


def test_end_before_start_raises_or_is_excluded_and_counted():
    df = frame(**{**BASIC, "end": ["2025-01-06 07:50", "2025-01-06 08:50", "2025-01-06 09:05"]})
    with pytest.raises(JourneyError, match=r"rows 1: 1 activity instance\(s\) end before"):
        read_log(df)
    log = read_log(df, invalid="exclude")
    assert log.n_events == 2
    ex = log.exclusions.set_index("reason")
    assert ex.loc["end before start (excluded)", "rows"] == 1
    assert ex.loc["end before start (excluded)", "example_rows"] == [1]
    report = log.check().set_index("check")
    assert report.loc["excluded at loading: end before start (excluded)", "count"] == 1


def test_duplicates_are_kept_unless_asked_and_missing_fields_are_counted():
    df = frame(case_id=["a", "a", "a", None, "b", "a"], activity=["R", "R", "C", "R", None, "C"],
               end=["2025-01-06 08:00", "2025-01-06 08:00", "2025-01-06 09:00",
                    "2025-01-06 09:00", "2025-01-06 09:00", "2025-01-06 09:00"],
               value=[1, 1, 5, 1, 1, None])
    log = read_log(df)  # both R rows are events; the C twins differ in 'value'
    ex = log.exclusions.set_index("reason").rows
    assert ex["missing case id (excluded)"] == 1
    assert ex["missing activity (excluded)"] == 1
    assert log.n_events == 4 and log.summary()["rows excluded"] == 2
    dropped = read_log(df, duplicates="drop").exclusions.set_index("reason")
    assert dropped.rows["exact duplicate (dropped: duplicates='drop')"] == 1
    assert dropped.example_rows["exact duplicate (dropped: duplicates='drop')"] == [2]
    collapsed = read_log(df, duplicates=["case_id", "activity", "end"])
    assert collapsed.n_events == 2
    assert collapsed.to_pandas().value.tolist() == [1, 5]  # the first in file order
    with pytest.raises(JourneyError, match="not columns of the log"):
        read_log(df, duplicates=["nope"])


def test_text_is_trimmed_and_blank_text_is_missing_only_where_the_scan_found_some():
    # read_log trims a text column only when its scan found a padded or blank value; both ways
    # give the same events
    padded = frame(case_id=["a ", " a", "b", "  "], activity=["R", " C", "R ", "R"],
                   end=["2025-01-06 08:00", "2025-01-06 09:00", "2025-01-06 09:30",
                        "2025-01-06 10:00"], department=["ED", "ED", "ED", "ED"])
    clean = padded.assign(case_id=["a", "a", "b", None], activity=["R", "C", "R", "R"])
    for df in (padded, clean):
        log = read_log(df)
        assert log.exclusions.set_index("reason").rows["missing case id (excluded)"] == 1
        got = log.to_pandas()
        assert got.case_id.tolist() == ["a", "a", "b"]
        assert got.activity.tolist() == ["R", "C", "R"]
        assert journey.journey_map(log).transitions.cases.tolist() == [1]


def test_lifecycle_events_are_paired_and_unmatched_reported():
    df = frame(case=["a"] * 5 + ["b"] * 2,
               activity=["Lab", "Lab", "Lab", "Lab", "Imaging", "Lab", "Lab"],
               lifecycle=["start", "complete", "start", "complete", "start", "complete",
                          "schedule"],
               timestamp=["2025-01-06 08:00", "2025-01-06 08:10", "2025-01-06 09:00",
                          "2025-01-06 09:20", "2025-01-06 09:30", "2025-01-06 10:00",
                          "2025-01-06 07:00"])
    log = read_log(df)
    out = log.to_pandas()
    assert out[["case_id", "activity"]].values.tolist() == [["a", "Lab"], ["a", "Lab"],
                                                            ["b", "Lab"]]
    assert (out.end - out.start).dt.total_seconds().div(60).tolist()[:2] == [10, 20]
    assert pd.isna(out.start.iloc[2])
    ex = log.exclusions.set_index("reason").rows
    assert ex["start event without a matching complete (excluded)"] == 1
    assert ex["lifecycle event other than start/complete (ignored)"] == 1
    assert ex["complete event without a matching start (kept with unknown start)"] == 1
    # paired start events are start times: the gap between the two Lab visits is a wait
    assert log.has_start and log.time_kind == "wait"
    assert journey.journey_map(log).transitions.wait_median.tolist() == [50.0]


def test_empty_after_exclusions_is_an_error():
    with pytest.raises(JourneyError, match="no usable rows"):
        read_log(frame(case_id=[None], activity=["R"], end=["2025-01-06 08:00"]))


def test_quality_report_findings():
    df = frame(case_id=["a", "a", "a", "b", "b"],
               activity=["Registration", "Lab", "lab", "Registration", "Pharmacy"],
               start=["2025-01-06 08:00", "2025-01-06 08:20", "2025-01-06 08:25",
                      "2025-01-06 08:00", "2025-01-06 08:30"],
               end=["2025-01-06 08:10", "2025-01-06 08:30", "2025-01-06 08:40",
                    "2025-01-06 08:00", "2025-01-06 08:40"],
               resource=["R1", None, "L1", "R1", "P1"])
    report = read_log(df).check(arrival=["Registration"], exit=["Pharmacy"],
                                window=("2025-01-06 08:15", "2025-01-07"))
    r = report.set_index("check")
    assert r.loc["overlapping touchpoints", "count"] == 1
    assert r.loc["overlapping touchpoints", "examples"] == ["a"]
    assert r.loc["zero durations", "count"] == 1
    assert r.loc["incomplete visits", "examples"] == ["a"]
    assert r.loc["missing values: resource", "count"] == 1
    assert r.loc["near-duplicate activity labels", "count"] == 1
    assert r.loc["events outside the study window", "count"] == 2
    assert set(report.columns) == {"check", "count", "unit", "share", "examples", "detail"}


def test_public_api_is_listed():
    for name in journey.__all__:
        assert hasattr(journey, name), name
    # no module is named like a public name, so importing every module hides no function
    import importlib
    from pathlib import Path

    modules = [p.stem for p in Path(journey.__file__).parent.glob("*.py") if p.stem[0] != "_"]
    assert not set(modules) & set(journey.__all__)
    for module in modules:
        importlib.import_module(f"journey.{module}")
    assert all(callable(getattr(journey, n))
               for n in ("animate", "bottlenecks", "explore", "its", "spc"))
    with pytest.raises(AttributeError, match="no attribute 'read_logs'"):
        journey.read_logs  # noqa: B018


def test_import_is_light_and_reading_needs_no_statistics_libraries():
    # nor does ranking bottlenecks, whose sentences name touchpoints in either language
    import subprocess
    import sys

    code = ("import sys, pandas as pd, journey; "
            "log = journey.read_log(pd.DataFrame({'case_id': ['a', 'a'], "
            "'activity': ['Lab', 'Pharmacy'], 'start': ['2025-01-06 09:00', '2025-01-06 09:30'], "
            "'end': ['2025-01-06 09:10', '2025-01-06 09:40']})); "
            "journey.journey_map(log).transitions; "
            "journey.bottlenecks(log, lang='zh').table; journey.bottlenecks(log).table; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'scipy', 'statsmodels', 'matplotlib', 'plotly', 'simpy'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_engine_spills_to_the_temporary_folder_within_the_memory_limit():
    from journey.log import connect, memory_limit_for

    con = connect()
    folder, limit = con.execute("SELECT current_setting('temp_directory'), "
                                "current_setting('memory_limit')").fetchall()[0]
    assert "journey-duckdb" in folder and not folder.startswith(".")
    assert limit == "1.3 GiB"  # 1.5 GB
    assert memory_limit_for(50_000_000) == "2.40GB"  # 48 bytes per event above 1.5 GB
    try:
        journey.set_memory_limit("4GB")
        assert memory_limit_for(50_000_000) == "4GB"
        log = read_log(frame(case_id=["a"], activity=["R"], end=["2025-01-06 08:00"]))
        con = log.table._find_backend().con
        assert con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0] \
            == "3.7 GiB"
    finally:
        journey.set_memory_limit(None)
    with pytest.raises(JourneyError, match="not a size"):
        journey.set_memory_limit("lots")


def test_progress_bar_names_each_step(tmp_path, capsys):
    path = tmp_path / "visits.csv"
    pd.DataFrame(BASIC).to_csv(path, index=False)
    log = read_log(path, progress=True)
    shown = capsys.readouterr().err
    for step in ("reading visits.csv", "looking for identifiers", "reading times",
                 "checking rows", "ordering events"):
        assert step in shown
    assert log.n_events == 3
    # DuckDB's own bar is off while ours shows, and back on afterwards
    con = log.table._find_backend().con
    assert con.execute("SELECT current_setting('enable_progress_bar_print')").fetchall()[0][0]
